"""An edit form saved as it was shown, nothing changed, writes nothing: no entry
"Changed by ..." in the record's history and the audit trail, and its version stays
(a colleague's form built on it is not refused for a change that never was)."""
from __future__ import annotations

import lxml.html
import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tests.factories.travel import make_event
from trustfund.audit import AuditEntry
from trustfund.contributions.models import Objective
from trustfund.countries.models import LdcPeriod


def _audit_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def _as_shown(client, url: str) -> MultiDict:
    """What the browser posts when the user saves the form at `url` untouched."""
    page = client.get(url)
    assert page.status_code == 200, url
    doc = lxml.html.fromstring(page.get_data(as_text=True))
    [form] = [f for f in doc.forms if (f.method or "").lower() == "post"
              and f.action in (None, "", url)]
    return MultiDict(form.form_values())


def _pages(db, users):
    sn_period = db.session.scalar(sa.select(LdcPeriod.id).where(LdcPeriod.country_code == "SN"))
    objective = db.session.scalar(sa.select(Objective.id).where(Objective.number == 1))
    return {
        "fund record": ("admin", "/fund/edit"),
        "user": ("admin", f"/admin/users/{users['mptf_officer'].id}"),
        "objective": ("admin", f"/contributions/objectives/{objective}/edit"),
        "country": ("admin", "/countries/SN/edit"),
        "LDC period": ("admin", f"/countries/SN/periods/{sn_period}"),
        "event": ("srsg_staff", "/travel/events/{event}/edit"),
        "donor": ("mptf_officer", f"/donors/{users['donor'].donor_id}/edit"),
    }


@pytest.mark.parametrize("what", ["fund record", "user", "objective", "country", "LDC period", "event",
                                  "donor"])
def test_saving_a_form_unchanged_writes_nothing(client, login_as, db, users, what):
    event = make_event()
    role, url = _pages(db, users)[what]
    url = url.format(event=event.id)
    login_as(role)
    before = _audit_count(db)
    shown = _as_shown(client, url)
    response = client.post(url, data=shown)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert _audit_count(db) == before
    if "version" in shown:
        assert _as_shown(client, url)["version"] == shown["version"]
