import io

import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import second_admin_confirms_setting
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
        record(users["admin"], "donor.update", object_type="Donor", object_id=i,
               before={"name": f"Old {i}"}, after={"name": f"New {i}"})
    record(users["mptf_officer"], "exchange_rate.create", object_type="ExchangeRate", object_id=1,
           after={"currency": "EUR", "month": "2017-05-01", "rate": "0.941"})
    record(users["mptf_officer"], "login", users["mptf_officer"], after={"email": "=1+1"})
    db.session.commit()
    login_as("auditor")
    first = client.get("/admin/audit", query_string={"object_type": "Donor"}).get_data(as_text=True)
    assert "Page 1 of 2" in first and "Details changed by admin." in first
    assert "Name: Old 59 → New 59" in first and "per US dollar" not in first
    # The lists offer words, not codes: the actions, the objects, the users by name.
    assert '<option value="exchange_rate.create">Exchange rate set</option>' in first
    assert '<option value="ExchangeRate">Exchange rate</option>' in first
    assert f'<option value="{users["mptf_officer"].id}">mptf_officer (officer@test.example)</option>' in first
    officer = str(users["mptf_officer"].id)
    by_user = client.get("/admin/audit", query_string={"user": officer}).get_data(as_text=True)
    assert "Set by mptf_officer: 0.941 EUR per US dollar for May 2017." in by_user
    assert "Details changed" not in by_user
    # Sign-ins are left out unless asked for, by the box or by choosing them.
    assert "logged in" not in by_user
    with_sign_ins = client.get("/admin/audit", query_string={"user": officer, "sign_ins": "y"})
    assert "mptf_officer logged in." in with_sign_ins.get_data(as_text=True)
    assert "mptf_officer logged in." in client.get("/admin/audit", query_string={"action": "login"}).get_data(
        as_text=True)
    refused = client.get("/admin/audit", query_string={"action": "grant.frobnicate"}).get_data(as_text=True)
    assert "Not a valid choice" in refused
    download = client.get("/admin/audit", query_string={"object_type": "ExchangeRate", "format": "xlsx"})
    workbook = load_workbook(io.BytesIO(download.data))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == 1
    assert rows[0]["What happened"] == "Set by mptf_officer: 0.941 EUR per US dollar for May 2017."
    assert rows[0]["Object"] == "Exchange rate" and rows[0]["Action code"] == "exchange_rate.create"
    assert sheet["A2"].is_date
    about = dict(workbook.worksheets[-1].iter_rows(values_only=True))
    assert about["Exported by"] == users["auditor"].email
    assert about["Filter: Object"] == "Exchange rate"


def test_the_users_download_names_each_role_as_the_page_does_in_the_readers_language(client, login_as, db,
                                                                                     users):
    reader = login_as("auditor")
    reader.locale = "fr"
    db.session.commit()
    page = client.get("/admin/users").get_data(as_text=True)
    sheet = load_workbook(io.BytesIO(client.get("/admin/users?format=xlsx").data)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    roles = {row[0]: row[header.index("Rôle")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert roles[users["mptf_officer"].email] == "Fonctionnaire du Bureau MPTF"
    assert roles[users["admin"].email] == "Administrateur"
    assert all(role in page for role in roles.values())


def test_the_audit_trail_filters_by_dates(client, login_as, db, users):
    import datetime as dt

    from trustfund.audit import record

    for day in (1, 15, 28):
        entry = record(users["admin"], "donor.create", object_type="Donor", object_id=day,
                       after={"donor_type": "member_state"})
        entry.at = dt.datetime(2017, 5, day, 23, 59)
    db.session.commit()
    login_as("auditor")
    page = client.get("/admin/audit", query_string={"date_from": "2017-05-15", "date_to": "2017-05-28"})
    assert page.get_data(as_text=True).count("Donor added by admin: Member State.") == 2
    wrong = client.get("/admin/audit", query_string={"date_from": "15/05/2017"}).get_data(as_text=True)
    assert "Enter the date as YYYY-MM-DD, for example 2018-05-10." in wrong


def test_fee_rate_setting_takes_effect_from_its_date(client, login_as, db):
    import datetime as dt
    from decimal import Decimal

    from trustfund.admin.setting_changes import form_version

    login_as("admin")
    response = client.post(f"/admin/settings/{FEE_RATE}", data={
        "value": "0.02", "effective_from": "2018-01-01", "version": form_version(FEE_RATE)})
    assert response.status_code == 302
    second_admin_confirms_setting(client.application, FEE_RATE)
    assert setting_on(FEE_RATE, dt.date(2017, 12, 31)) == Decimal("0.01")
    assert setting_on(FEE_RATE, dt.date(2018, 1, 1)) == Decimal("0.02")
    before = _count(db, Setting)
    version = form_version(FEE_RATE)
    page = client.post(f"/admin/settings/{FEE_RATE}", data={"value": "1.5", "effective_from": "2018-01-01",
                                                            "version": version})
    assert b"The fee rate is a fraction" in page.data
    page = client.post(f"/admin/settings/{FEE_RATE}", data={"value": "NaN", "effective_from": "2018-01-01",
                                                            "version": version})
    assert page.status_code == 200 and _count(db, Setting) == before


def test_the_same_new_email_saved_by_two_admins_at_once_makes_one_user(app, db, login_as, users):
    """Both pass the look-up for the email before either has saved: the database's
    unique email refuses the second, answered beside the email, not with an error page."""
    from tests.security.helpers import Parallel

    clients = [app.test_client() for _ in range(4)]
    for c in clients:
        login_as("admin", c)
    data = {"email": "twice@example.org", "name": "Twice", "role": "auditor", "donor_id": 0, "active": "y"}
    before = _count(db, User)
    db.session.commit()
    run = Parallel(app, len(clients), 1, lambda i, _s: clients[i].post("/admin/users/new", data=data)).run()
    assert run.errors == []
    answers = sorted(r.status_code for _w, _s, r in run.results)
    assert answers == [200] * (len(clients) - 1) + [302], answers
    for _w, _s, response in run.results:
        if response.status_code == 200:
            assert b"Another user has this email." in response.data
    db.session.expire_all()
    assert _count(db, User) == before + 1


def _fee_rates(db) -> list[tuple[str, str]]:
    return [(s.effective_from.isoformat(), s.value) for s in db.session.scalars(
        sa.select(Setting).where(Setting.key == FEE_RATE).order_by(Setting.effective_from))]


def _set_fee_rate(client, value: str, day: str):
    from trustfund.admin.setting_changes import form_version

    return client.post(f"/admin/settings/{FEE_RATE}", data={"value": value, "effective_from": day,
                                                            "version": form_version(FEE_RATE)})


def test_a_setting_cannot_take_effect_in_a_closed_year(client, login_as, db, users):
    """2017 is closed, its deposits charged 1%: a fee rate of 2% in force from
    2017-01-01 would rewrite the closed year's history. Refused beside the date."""
    from tests.factories import statements as data
    from tests.pages import error_beside
    from trustfund.closure.years import close_year

    data.deposit(data.commitment(data.donor("Sweden (fees)"), "10000.00"), "10000.00")
    db.session.commit()
    close_year(users["admin"], 2017, report_reference="Annual financial report 2017")
    db.session.commit()
    before = _fee_rates(db)
    login_as("admin")
    page = _set_fee_rate(client, "0.02", "2017-01-01")
    assert page.status_code == 200
    assert error_beside(page.get_data(as_text=True), "effective_from") == (
        "2017 is a closed year: a setting cannot take effect in it. Choose a day in the open year.")
    assert _fee_rates(db) == before
    assert _set_fee_rate(client, "0.02", "2018-01-01").status_code == 302  # the open year
    second_admin_confirms_setting(client.application, FEE_RATE)
    assert ("2018-01-01", "0.02") in _fee_rates(db)


def test_a_setting_in_force_from_the_year_2999_is_refused(client, login_as, db):
    from tests.pages import error_beside

    login_as("admin")
    before = _fee_rates(db)
    page = _set_fee_rate(client, "0.02", "2999-01-01")
    said = error_beside(page.get_data(as_text=True), "effective_from")
    assert said == "Choose a day between 1945 and 2100."
    assert _fee_rates(db) == before
