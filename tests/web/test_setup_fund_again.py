"""`flask setup-fund` run again on a live database (it is idempotent, and the README's
production steps run it) adds nothing behind the admins' backs, and what it adds is in
the audit trail. (Found by a colleague's review: after an admin renumbered Objective 3,
allowed while no money is earmarked to it, the command added a second Objective 3 and
its pool OBJ3 that no audit entry told of.)"""
from __future__ import annotations

import sqlalchemy as sa

from trustfund.audit import AuditEntry
from trustfund.audit_text import describe_many
from trustfund.contributions.models import Objective
from trustfund.countries.models import Country, LdcPeriod


def _entries(db):
    return db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()


def test_setup_fund_run_again_adds_no_objective_the_admins_renumbered(app, db, client, login_as, runner):
    login_as("admin")
    three = db.session.scalar(sa.select(Objective).where(Objective.number == 3))
    moved = client.post(f"/contributions/objectives/{three.id}/edit", data={
        "number": "8", "title": three.title, "description": "", "active": "y", "version": three.version})
    assert moved.status_code == 302
    audited = len(_entries(db))
    result = runner.invoke(args=["setup-fund"])
    assert result.exit_code == 0, result.output
    assert "nothing added" in result.output
    db.session.expire_all()
    assert db.session.scalars(sa.select(Objective).where(Objective.number == 3)).all() == []
    assert len(_entries(db)) == audited


def test_what_setup_fund_adds_is_in_the_audit_trail(app, db, runner):
    tuvalu = db.session.get(Country, "TV")
    db.session.execute(sa.delete(LdcPeriod).where(LdcPeriod.country_code == "TV"))
    db.session.delete(tuvalu)
    db.session.commit()
    result = runner.invoke(args=["setup-fund"])
    assert result.exit_code == 0, result.output
    assert "1 countries" in result.output
    db.session.expire_all()
    assert db.session.get(Country, "TV").ldc_periods  # with its LDC periods
    last = _entries(db)[-1]
    assert last.action == "reference.load"
    [told] = describe_many([last])
    assert told.sentence == "Reference data added by the system: 1 country (TV).", told.sentence
