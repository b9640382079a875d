"""`flask db upgrade` on an empty database gives exactly the models' schema, and the
data migrations change existing rows as they say."""
import datetime as dt
import json
import os
import re
import uuid
import warnings
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


def test_upgrade_from_empty_matches_the_models_and_downgrade_empties(empty_database_url):
    from flask_migrate import downgrade, upgrade

    from trustfund import create_app
    from trustfund.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            _upgrade_compare_downgrade(db, upgrade, downgrade)
        finally:
            db.session.remove()
            db.engine.dispose()


def _upgrade_compare_downgrade(db, upgrade, downgrade):
    upgrade()
    with db.engine.connect() as conn, warnings.catch_warnings():
        # SQLite's reflection skips an index on an expression (ix_donor_lower_name_id,
        # saying so); PostgreSQL's reflects and compares it.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"migrations and models differ: {diff}"
    if db.engine.dialect.name == "sqlite":  # the index is there all the same
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = "
                                        "'ix_donor_lower_name_id'").scalar() is not None
    downgrade(revision="base")
    with db.engine.connect() as conn:
        remaining = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
    assert remaining == set()


def test_upgrading_cleans_secrets_from_the_audit_trail_and_keys_the_donors_names(empty_database_url):
    """A database at revision 0001 whose audit trail recorded users' session tokens
    (and, once, a password hash): after `db upgrade` no entry holds either, and
    every other value is untouched; its donors have their look-alike keys."""
    from flask_migrate import upgrade

    from trustfund import create_app
    from trustfund.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade(revision="0001")
            entry = sa.table("audit_entry", sa.column("id", sa.Integer), sa.column("at", sa.DateTime),
                             sa.column("action", sa.String), sa.column("object_type", sa.String),
                             sa.column("object_id", sa.String), sa.column("before", sa.JSON),
                             sa.column("after", sa.JSON), sa.column("note", sa.Text))
            donor = sa.table("donor", sa.column("id", sa.Integer), sa.column("name", sa.String),
                             sa.column("donor_type", sa.String), sa.column("contact_name", sa.String),
                             sa.column("contact_email", sa.String), sa.column("saa_status", sa.String),
                             sa.column("created_at", sa.DateTime), sa.column("version", sa.Integer))
            at = dt.datetime(2018, 1, 1)
            with db.engine.begin() as conn:
                conn.execute(entry.insert(), [
                    {"id": 1, "at": at, "action": "user.update", "object_type": "User", "object_id": "7",
                     "before": {"email": "a@un.org", "session_token": "0123abcd", "active": True},
                     "after": {"email": "a@un.org", "session_token": "4567ef01", "active": False},
                     "note": None},
                    {"id": 2, "at": at, "action": "user.create", "object_type": "User", "object_id": "8",
                     "before": None, "after": {"email": "b@un.org", "password_hash": "scrypt:32768$x$y",
                                               "session_token": "89ab"}, "note": None},
                    {"id": 3, "at": at, "action": "donor.update", "object_type": "Donor", "object_id": "1",
                     "before": {"name": "Old"}, "after": {"name": "New"}, "note": "kept"},
                ])
                conn.execute(donor.insert(), [{
                    "id": 1, "name": "KINGDOM OF SWEDEN", "donor_type": "philanthropic_organization",
                    "contact_name": "", "contact_email": "", "saa_status": "not_started", "created_at": at,
                    "version": 1}])
            upgrade()
            with db.engine.connect() as conn:
                rows = {r.id: r for r in conn.execute(sa.select(entry))}
                keys = conn.execute(sa.text("SELECT name_key FROM donor")).scalars().all()
                versions = conn.execute(sa.text('SELECT version FROM "user"')).scalars().all()
            text = json.dumps([(r.before, r.after) for r in rows.values()])
            assert "session_token" not in text and "password_hash" not in text
            assert "0123abcd" not in text and "scrypt" not in text
            assert rows[1].before == {"email": "a@un.org", "active": True}
            assert rows[1].after == {"email": "a@un.org", "active": False}
            assert rows[2].before is None and rows[2].after == {"email": "b@un.org"}
            assert (rows[3].before, rows[3].after, rows[3].note) == ({"name": "Old"}, {"name": "New"}, "kept")
            assert keys == ["klngdom of sweden"] and versions == []
        finally:
            db.session.remove()
            db.engine.dispose()


def _fresh_url(backend, request, sqlite_dir) -> str:
    if backend == "sqlite":
        return f"sqlite:///{os.path.join(sqlite_dir, f'migr-{uuid.uuid4().hex}.sqlite3')}"
    server = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip("TEST_POSTGRES_URL given: no server to create a fresh database in")
    return server.createdb(f"migr_{uuid.uuid4().hex[:12]}")


def _indexes_and_checks(conn) -> dict:
    """Every index as the database defines it (column order, DESC) and every CHECK
    constraint, which Alembic's comparison of the schema leaves out."""
    if conn.dialect.name == "sqlite":
        indexes = dict(conn.execute(sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")).all())
    else:
        indexes = dict(conn.execute(sa.text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename <> 'alembic_version'")).all())
    inspector = sa.inspect(conn)
    checks = {(table, c["name"]): " ".join(c["sqltext"].split())
              for table in inspector.get_table_names() if table != "alembic_version"
              for c in inspector.get_check_constraints(table)}
    return {"indexes": indexes, "checks": checks}


def test_upgrade_gives_the_models_indexes_and_check_constraints(backend, request, sqlite_dir):
    """A table rebuilt by a migration (SQLite's batch mode) keeps its indexes as the
    models define them, DESC included, and every CHECK constraint of the models."""
    from flask_migrate import upgrade

    from trustfund import create_app
    from trustfund.extensions import db

    found = []
    for build in ("upgrade", "create_all"):
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": _fresh_url(backend, request, sqlite_dir)})
        with app.app_context():
            try:
                upgrade() if build == "upgrade" else db.create_all()
                with db.engine.connect() as conn:
                    found.append(_indexes_and_checks(conn))
            finally:
                db.session.remove()
                db.engine.dispose()
    migrated, models = found
    assert migrated["indexes"] == models["indexes"]
    assert migrated["checks"] == models["checks"]


def test_upgrading_keeps_the_links_sent_before_it_working(empty_database_url):
    """0025: a user's password stamp starts as its links' stamp (the SHA-256 of its
    password hash), so a reset link or an invitation sent before the upgrade still
    opens (auth.tokens.find_token)."""
    import hashlib

    from flask_migrate import upgrade

    from trustfund import create_app
    from trustfund.auth.tokens import find_token
    from trustfund.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade(revision="0024")
            at, secret, password_hash = dt.datetime(2026, 12, 1), "a-link-sent-before", "scrypt:32768:8:1$s$h"
            with db.engine.begin() as conn:
                conn.execute(sa.text(
                    'INSERT INTO "user" (id, email, name, password_hash, role, active, session_token, '
                    "created_at, version) VALUES (7, 'a@un.org', '', :hash, 'auditor', :yes, 'tok', :at, 1)"),
                    {"hash": password_hash, "yes": True, "at": at})
                conn.execute(sa.text(
                    "INSERT INTO password_token (user_id, purpose, token_hash, password_stamp, created_at, "
                    "expires_at) VALUES (7, 'reset', :token, :stamp, :at, :expires)"),
                    {"token": hashlib.sha256(secret.encode()).hexdigest(),
                     "stamp": hashlib.sha256(password_hash.encode()).hexdigest(), "at": at,
                     "expires": dt.datetime(2100, 1, 1)})
            upgrade()
            with app.test_request_context():
                assert find_token(7, secret, now=dt.datetime(2026, 12, 1, 0, 30)) is not None
        finally:
            db.session.remove()
            db.engine.dispose()


def test_upgrading_gives_each_transfer_proposal_its_proposals_date(empty_database_url):
    """0029: a transfer proposed before it keeps, as its proposer's today, the date of
    its proposal's moment in UTC (the only date known for it): proposed at 23:00 UTC
    on 4 March, 4 March."""
    from flask_migrate import upgrade

    from trustfund import create_app
    from trustfund.contributions.models import UNEARMARKED, Objective, Pool
    from trustfund.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade(revision="0028")
            with db.engine.begin() as conn:  # the account as the schema of 0028 holds it
                conn.execute(sa.text(
                    'INSERT INTO "user" (id, email, name, password_hash, role, active, digests, '
                    "session_token, password_stamp, created_at, version) "
                    "VALUES (7, 'a@un.org', '', 'h', 'admin', :yes, :yes, 't', 's', :at, 1)"),
                    {"yes": True, "at": dt.datetime(2026, 3, 1)})
            db.session.add_all([Objective(id=1, number=1, title="Objective 1"),
                                Pool(id=1, code=UNEARMARKED), Pool(id=2, code="OBJ1", objective_id=1)])
            db.session.commit()
            with db.engine.begin() as conn:
                conn.execute(sa.text(
                    "INSERT INTO transfer_proposal (id, from_pool_id, to_pool_id, usd_amount, "
                    "transferred_on, reason, proposed_by_id, proposed_at, status) "
                    "VALUES (3, 1, 2, 10, :on, 'why', 7, :at, 'pending')"),
                    {"on": dt.date(2026, 3, 4), "at": dt.datetime(2026, 3, 4, 23, 0)})
            upgrade()
            with db.engine.connect() as conn:
                assert conn.execute(sa.text("SELECT proposed_on FROM transfer_proposal WHERE id = 3")) \
                    .scalar() in (dt.date(2026, 3, 4), "2026-03-04")
        finally:
            db.session.remove()
            db.engine.dispose()


def _officer_and_norway(db) -> None:
    """An MPTF officer (id 7, as the user table stands since 0034) and the donor Kingdom
    of Norway (id 3), for the changes of donors of 0046 and 0047."""
    from trustfund.countries.models import Country
    from trustfund.donors.models import Donor

    with db.engine.begin() as conn:
        conn.execute(sa.text(
            'INSERT INTO "user" (id, email, name, password_hash, role, active, digests, '
            "session_token, password_stamp, created_at, version, seen_locale) "
            "VALUES (7, 'a@un.org', '', 'h', 'mptf_officer', :yes, :yes, 't', 's', :at, 1, '')"),
            {"yes": True, "at": dt.datetime(2026, 3, 1)})
    db.session.add(Country(code="NO", name="Norway"))
    db.session.add(Donor(id=3, name="Kingdom of Norway", donor_type="member_state", country_code="NO"))
    db.session.commit()


def test_upgrading_keeps_the_waiting_changes_of_donors_names(empty_database_url):
    """0047: a change of name waiting from before it keeps the donor's type and country as
    they stand (it changes the name only), and one donor still has at most one change
    waiting, any number decided."""
    from flask_migrate import upgrade

    from trustfund import create_app
    from trustfund.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade(revision="0046")
            _officer_and_norway(db)
            insert = sa.text(
                "INSERT INTO donor_renaming (id, donor_id, name_before, name, reason, proposed_by_id, "
                "proposed_at, status) VALUES (:id, 3, 'Kingdom of Norway', 'Norway', 'why', 7, :at, :status)")
            with db.engine.begin() as conn:
                conn.execute(insert, {"id": 1, "at": dt.datetime(2026, 3, 4), "status": "refused"})
                conn.execute(insert, {"id": 2, "at": dt.datetime(2026, 3, 5), "status": "pending"})
            upgrade()
            with db.engine.connect() as conn:
                rows = conn.execute(sa.text(
                    "SELECT id, name, type_before, donor_type, country_before, country_code "
                    "FROM donor_renaming ORDER BY id")).all()
            assert [tuple(row) for row in rows] == [
                (1, "Norway", "member_state", "member_state", "NO", "NO"),
                (2, "Norway", "member_state", "member_state", "NO", "NO")]
            more = sa.text(
                "INSERT INTO donor_renaming (id, donor_id, name_before, name, type_before, donor_type, "
                "reason, proposed_by_id, proposed_at, status) VALUES (:id, 3, 'a', 'b', 'member_state', "
                "'philanthropic_organization', 'why', 7, :at, :status)")
            with db.engine.begin() as conn:
                conn.execute(more, {"id": 3, "at": dt.datetime(2026, 3, 6), "status": "withdrawn"})
            with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
                conn.execute(more, {"id": 4, "at": dt.datetime(2026, 3, 6), "status": "pending"})
        finally:
            db.session.remove()
            db.engine.dispose()


def test_downgrading_below_0047_refuses_while_a_change_of_type_waits(empty_database_url):
    """A colleague's review: 0047's downgrade dropped the type and country of the changes
    waiting, and a waiting correction of a donor's type became, under 0046, a waiting
    change of its name to itself. The downgrade refuses while one waits, changing
    nothing."""
    from flask_migrate import downgrade, upgrade

    from trustfund import create_app
    from trustfund.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade()
            _officer_and_norway(db)
            with db.engine.begin() as conn:
                conn.execute(sa.text(
                    "INSERT INTO donor_renaming (id, donor_id, name_before, name, type_before, donor_type, "
                    "country_before, country_code, reason, proposed_by_id, proposed_at, status) VALUES "
                    "(1, 3, 'Kingdom of Norway', 'Kingdom of Norway', 'member_state', "
                    "'intergovernmental_organization', 'NO', 'NO', 'A State by mistake', 7, :at, 'pending')"),
                    {"at": dt.datetime(2026, 3, 6)})
            db.session.remove()
            with pytest.raises(SystemExit):  # Flask-Migrate logs the RuntimeError's words and exits
                downgrade(revision="0046")
            db.session.remove()
            with db.engine.connect() as conn:
                kept = conn.execute(sa.text("SELECT donor_type FROM donor_renaming WHERE id = 1")).scalar()
            assert kept == "intergovernmental_organization"
        finally:
            db.session.remove()
            db.engine.dispose()


def test_upgrading_gives_each_commitment_the_sums_of_its_deposits(empty_database_url):
    """0030: each commitment's deposits' USD amounts and fees (a reversal subtracting
    what it reverses) are summed onto it; a commitment without deposits has zeros;
    and the ledger check then finds nothing wrong."""
    from flask_migrate import upgrade

    from trustfund import create_app
    from trustfund.contributions.models import UNEARMARKED, Commitment, Deposit, Pool
    from trustfund.donors.models import Donor
    from trustfund.extensions import db
    from trustfund.ledger_check import run_checks

    D = Decimal
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade(revision="0029")
            db.session.add_all([Pool(id=1, code=UNEARMARKED, deposits_usd=D("2000.07"), fees=D("20.00"),
                                     deposits_net=D("1980.07"), available=D("1980.07")),
                                Donor(id=1, name="Gates Foundation", donor_type="philanthropic_organization"),
                                Commitment(id=1, donor_id=1, currency="EUR", amount=D("5000.00"),
                                           deposited=D("1882.00"), committed_on=dt.date(2017, 5, 1)),
                                Commitment(id=2, donor_id=1, currency="USD", amount=D("10.00"),
                                           committed_on=dt.date(2017, 5, 1))])
            db.session.flush()

            def deposit(id, amount, usd, fee, reverses_id=None):
                standing = not reverses_id and id != 1
                return Deposit(id=id, commitment_id=1, donor_id=1, pool_id=1, value_date=dt.date(2017, 6, 1),
                               currency="EUR", amount=D(amount), rate=D("0.941"), usd_amount=D(usd),
                               fee_rate=D("0.01"), fee=D(fee), net=D(usd) - D(fee), reverses_id=reverses_id,
                               bank_reference=f"B{id}", reference_key=f"b{id}" if standing else None)
            db.session.add_all([deposit(1, "941.00", "1000.00", "10.00"),
                                deposit(2, "941.00", "1000.00", "10.00"),
                                deposit(3, "-941.00", "-1000.00", "-10.00", reverses_id=1),
                                deposit(4, "941.00", "1000.07", "10.00")])
            db.session.commit()
            upgrade()
            with db.engine.connect() as conn:
                sums = conn.execute(sa.select(Commitment.id, Commitment.deposited_usd,
                                              Commitment.deposit_fees).order_by(Commitment.id)).all()
            assert [tuple(row) for row in sums] == [(1, D("2000.07"), D("20.00")), (2, D("0.00"), D("0.00"))]
            assert not [p for p in run_checks() if "Commitment #" in p]
        finally:
            db.session.remove()
            db.engine.dispose()


def test_two_commitments_with_one_reference_stop_0024_until_an_officer_corrects_one(empty_database_url,
                                                                                    capfd):
    """A database at 0023 holding two commitments with one reference: the upgrade to
    0024 stops, names the reference and points at "Correct the reference"; in the
    version that made the database (here its service, called directly) an officer
    corrects one reference (audited), and the upgrade then passes."""
    from flask_migrate import upgrade

    from trustfund import create_app
    from trustfund.audit import AuditEntry
    from trustfund.contributions.models import Commitment
    from trustfund.contributions.services import correct_reference
    from trustfund.donors.services import create_donor
    from trustfund.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade(revision="0023")
            donor = create_donor(None, name="Kingdom of Sweden", donor_type="philanthropic_organization")
            db.session.flush()
            twins = [Commitment(donor_id=donor.id, currency="EUR", amount=Decimal(amount), committed_on=day,
                                reference=reference)
                     for amount, day, reference in (("1000.00", dt.date(2017, 5, 1), "SE-2017-EUR"),
                                                    ("2000.00", dt.date(2017, 6, 1), "se-2017-eur"))]
            db.session.add_all(twins)
            db.session.commit()
            second_id = twins[1].id
            with pytest.raises(SystemExit):  # Flask-Migrate logs the migration's error and exits
                upgrade(revision="0024")
            said = capfd.readouterr().err  # the operator's terminal
            assert re.search(r"'se-2017-eur': 2 commitments.*\"Correct the reference\"", said), said
            db.session.remove()

            second = db.session.get(Commitment, second_id)
            correct_reference(None, second, reference="SE-2017-EUR-2",
                              reason="Entered twice with one reference",
                              reference_seen="se-2017-eur")
            db.session.commit()
            upgrade(revision="0024")
            with db.engine.connect() as conn:
                assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0024"
            assert db.session.scalar(sa.select(AuditEntry.after).where(
                AuditEntry.action == "commitment.reference")) == {"reference": "SE-2017-EUR-2"}
        finally:
            db.session.remove()
            db.engine.dispose()
