import io

import sqlalchemy as sa
from openpyxl import load_workbook

from trustfund.admin.models import FEE_RATE, Setting, setting_on
from trustfund.audit import AuditEntry
from trustfund.auth.models import User


def _count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_admin_creates_a_donor_user_and_the_audit_trail_shows_it(client, login_as, db, users):
    login_as("admin")
    donor_id = users["donor"].donor_id
    response = client.post("/admin/users/new", data={
        "email": "New.Donor@Example.org", "name": "New donor", "role": "donor", "donor_id": donor_id,
        "active": "y", "password": "a long enough password"})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new.donor@example.org"))
    assert user.donor_id == donor_id and user.check_password("a long enough password")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.create"))
    assert entry.user_id == users["admin"].id
    assert entry.after["email"] == "new.donor@example.org"
    assert "password_hash" not in entry.after
    page = client.get("/admin/audit", query_string={"action": "user."})
    assert b"new.donor@example.org" in page.data


def test_a_donor_user_needs_a_donor_and_nothing_is_saved(client, login_as, db):
    login_as("admin")
    before = _count(db, User), _count(db, AuditEntry)
    response = client.post("/admin/users/new", data={
        "email": "x@example.org", "role": "donor", "donor_id": 0, "password": "a long enough password"})
    assert response.status_code == 200
    assert b"A donor user must be linked to a donor." in response.data
    assert (_count(db, User), _count(db, AuditEntry)) == before


def test_duplicate_email_and_short_password_are_refused_beside_the_field(client, login_as, db):
    login_as("admin")
    before = _count(db, User)
    page = client.post("/admin/users/new", data={"email": "OFFICER@test.example", "role": "auditor",
                                                 "donor_id": 0, "password": "a long enough password"})
    assert b"Another user has this email." in page.data
    page = client.post("/admin/users/new", data={"email": "short@example.org", "role": "auditor",
                                                 "donor_id": 0, "password": "short"})
    assert b'id="password-errors"' in page.data
    assert _count(db, User) == before


def test_audit_trail_filters_pages_and_exports(client, login_as, db, users):
    from trustfund.audit import record

    for i in range(60):
        record(users["admin"], "demo.thing", object_type="Thing", object_id=i, after={"n": i})
    record(users["mptf_officer"], "other.thing", object_type="Other", object_id=1, after={"n": "=1+1"})
    db.session.commit()
    login_as("auditor")
    first = client.get("/admin/audit", query_string={"object_type": "Thing"})
    assert b"Page 1 of 2" in first.data
    assert b"other.thing" not in first.data
    by_user = client.get("/admin/audit", query_string={"user": "officer@test.example"})
    assert b"other.thing" in by_user.data and b"demo.thing" not in by_user.data
    download = client.get("/admin/audit", query_string={"object_type": "Other", "format": "xlsx"})
    workbook = load_workbook(io.BytesIO(download.data))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1 and rows[0][2] == "other.thing"
    assert sheet["A2"].is_date
    about = dict(workbook.worksheets[-1].iter_rows(values_only=True))
    assert about["Exported by"] == users["auditor"].email


def test_fee_rate_setting_takes_effect_from_its_date(client, login_as, db):
    import datetime as dt
    from decimal import Decimal

    login_as("admin")
    response = client.post(f"/admin/settings/{FEE_RATE}",
                           data={"value": "0.02", "effective_from": "2018-01-01"})
    assert response.status_code == 302
    assert setting_on(FEE_RATE, dt.date(2017, 12, 31)) == Decimal("0.01")
    assert setting_on(FEE_RATE, dt.date(2018, 1, 1)) == Decimal("0.02")
    before = _count(db, Setting)
    page = client.post(f"/admin/settings/{FEE_RATE}", data={"value": "1.5", "effective_from": "2018-01-01"})
    assert b"The fee rate is a fraction" in page.data
    page = client.post(f"/admin/settings/{FEE_RATE}", data={"value": "NaN", "effective_from": "2018-01-01"})
    assert page.status_code == 200 and _count(db, Setting) == before
