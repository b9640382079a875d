"""The pools page (sources and uses, as the MPTF Gateway shows them), transfers
between pools by an admin, interest, and objectives."""
import io
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import second_admin_confirms_transfer, second_officer_confirms_interest
from tests.factories.contributions import (
    commitment,
    counts,
    deposit,
    objective,
    pool,
    pool_figures,
)
from tests.pages import error_beside, form_token, post_and_confirm, post_entry
from trustfund.audit import AuditEntry
from trustfund.contributions.models import InterestEntry, Objective, Pool, PoolTransfer

D = Decimal


def _fund():
    obj1 = commitment("EUR", "1000000.00", objective_number=1)
    free = commitment("USD", "200000.00")
    deposit(obj1, D("1000000.00"), rate=D("0.941"))
    deposit(free, D("200000.00"))


def test_pools_page_sources_uses_and_totals(app, db, client, login_as):
    login_as("srsg_staff")
    _fund()
    html = client.get("/contributions/pools").get_data(as_text=True)
    for text in ("Sources of funds", "Uses of funds", "Less Administrative Agent fee",
                 "Grants committed, not yet reconciled", "1,062,699.26", "(10,626.99)", "(2,000.00)",
                 'data-pool="OBJ1">USD\u00a01,052,072.27<', 'data-pool="UNEARMARKED">USD\u00a0198,000.00<',
                 'id="available-total">USD\u00a01,250,072.27<'):
        assert text in html, text
    assert "Transfer between pools" not in html  # only an admin moves money
    book = load_workbook(io.BytesIO(client.get("/contributions/pools?format=xlsx").data))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[-1][0] == "Total" and rows[-1][-1] == 1250072.27


def test_admin_transfers_available_surplus_with_a_reason(app, db, client, login_as, users):
    _fund()
    login_as("admin")
    obj1, obj2 = pool("OBJ1"), pool("OBJ2")
    form = {"from_pool_id": str(obj1.id), "to_pool_id": str(obj2.id), "usd_amount": "1052072.28",
            "transferred_on": "2018-06-01", "reason": "Objective 1 surplus to Objective 2",
            "form_token": form_token(client, "/contributions/pools/transfer")}
    before, figures = counts(), pool_figures()
    response = client.post("/contributions/pools/transfer", data=form)
    refusal = error_beside(response.get_data(as_text=True), "usd_amount")
    assert "has only USD\u00a01,052,072.27 available" in refusal
    assert counts() == before and pool_figures() == figures
    response = client.post("/contributions/pools/transfer", data=dict(form, reason=""))
    assert "Say why the money moves." in error_beside(response.get_data(as_text=True), "reason")
    response = client.post("/contributions/pools/transfer", data=dict(form, to_pool_id=str(obj1.id)))
    assert "Choose two different pools." in error_beside(response.get_data(as_text=True), "to_pool_id")
    assert counts() == before
    response = post_and_confirm(client, "/contributions/pools/transfer", dict(form, usd_amount="52,072.27"))
    assert response.status_code == 302
    # Nobody alone moves money: it waits for a second admin, who confirms it.
    assert pool_figures() == figures and counts()["pool_transfer"] == 0
    assert "Transfer confirmed:" in second_admin_confirms_transfer(app).get_data(as_text=True)
    assert pool("OBJ1").available == D("1000000.00") and pool("OBJ2").available == D("52072.27")
    assert pool("OBJ1").transfers_out == D("52072.27") and pool("OBJ2").transfers_in == D("52072.27")
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "pool.transfer")).one()
    assert entry.note == "Objective 1 surplus to Objective 2"
    html = client.get("/contributions/pools/transfers").get_data(as_text=True)
    assert "Objective 1 surplus to Objective 2" in html and "52,072.27" in html
    login_as("mptf_officer")
    assert client.post("/contributions/pools/transfer", data=form).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PoolTransfer)) == 1


def test_the_transfer_form_says_what_each_pool_has_available_in_the_readers_language(app, db, client,
                                                                                      login_as):
    _fund()
    reader = login_as("admin")
    reader.locale = "fr"
    db.session.commit()
    html = client.get("/contributions/pools/transfer").get_data(as_text=True)
    source = html[html.index('id="from_pool_id"'):]
    options = re.findall(r"<option[^>]*>([^<]*)</option>", source[:source.index("</select>")])
    assert len(options) == len(db.session.scalars(sa.select(Pool)).all())
    assert "Sans préaffectation — 198\u202f000,00\u00a0USD disponibles" in options
    assert "available" not in html


def test_interest_entries_and_reversal_through_the_forms(app, db, client, login_as):
    login_as("mptf_officer")
    before = counts()
    response = post_entry(client, "/contributions/interest/new", {"value_date": "2018-06-30",
                                                                "usd_amount": "12.345", "note": ""})
    assert "USD amounts have at most 2 decimal places." in error_beside(response.get_data(as_text=True),
                                                                        "usd_amount")
    assert counts() == before
    response = post_entry(client, "/contributions/interest/new", {"value_date": "2018-06-30",
                                                                "usd_amount": "1,234.56", "note": "Q2 2018"})
    assert response.status_code == 302
    # Nothing credited until a second MPTF officer confirms it.
    assert pool("UNEARMARKED").interest == D("0.00") and db.session.scalar(sa.select(InterestEntry)) is None
    second_officer_confirms_interest(app)
    assert pool("UNEARMARKED").interest == D("1234.56") and pool("UNEARMARKED").available == D("1234.56")
    entry = db.session.scalar(sa.select(InterestEntry))
    response = client.post(f"/contributions/interest/{entry.id}/reverse", data={"reason": ""})
    assert "Say why" in error_beside(response.get_data(as_text=True), "reason")
    post_and_confirm(client, f"/contributions/interest/{entry.id}/reverse",
                     {"reason": "Belonged to another fund"})
    assert pool("UNEARMARKED").interest == D("1234.56")  # the reversal waits for a second officer
    second_officer_confirms_interest(app)
    db.session.expire_all()
    assert pool("UNEARMARKED").interest == D("0.00") and pool("UNEARMARKED").available == D("0.00")
    html = client.get("/contributions/interest").get_data(as_text=True)
    assert "Belonged to another fund" in html and "Reversed" in html


def test_an_objective_holding_money_keeps_its_number(app, db, client, login_as):
    """Travel is paid from Objective 1's pool, found by its number: one admin who
    renumbered Objective 2 (money donors earmarked to activities) as 1 made it pay
    for travel with no transfer. Once money is earmarked to an objective or has passed
    through its pool, its number stays (its title may change); an objective nobody
    has given to may still be renumbered."""
    commitment("EUR", "100000.00", objective_number=2)
    login_as("admin")
    two = objective(2)
    answer = client.post(f"/contributions/objectives/{two.id}/edit", data={
        "number": "7", "title": two.title, "description": two.description or "", "active": "y",
        "version": two.version})
    assert answer.status_code == 200
    assert "its number stays" in error_beside(answer.get_data(as_text=True), "number")
    db.session.expire_all()
    assert objective(2).id == two.id and pool("OBJ2").objective_id == two.id
    renamed = client.post(f"/contributions/objectives/{two.id}/edit", data={
        "number": "2", "title": "Activities of the preparatory process", "description": "",
        "active": "y", "version": two.version})
    assert renamed.status_code == 302
    three = objective(3)
    moved = client.post(f"/contributions/objectives/{three.id}/edit", data={
        "number": "8", "title": three.title, "description": "", "active": "y", "version": three.version})
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Objective, three.id).number == 8


def test_admin_creates_an_objective_with_its_pool(app, db, client, login_as):
    login_as("admin")
    before = counts()
    response = client.post("/contributions/objectives/new", data={"number": "2", "title": "Duplicate",
                                                                  "description": "", "active": "y"})
    assert "Objective 2 already exists." in error_beside(response.get_data(as_text=True), "number")
    response = client.post("/contributions/objectives/new", data={"number": "4", "title": "",
                                                                  "description": "", "active": "y"})
    assert response.status_code == 200 and 'id="title-errors"' in response.get_data(as_text=True)
    assert counts() == before
    response = client.post("/contributions/objectives/new", data={
        "number": "4", "title": "Follow-up to the conference", "description": "After Marrakech",
        "active": "y"})
    assert response.status_code == 302
    created = db.session.scalar(sa.select(Objective).where(Objective.number == 4))
    assert db.session.scalar(sa.select(Pool.code).where(Pool.objective_id == created.id)) == "OBJ4"
    html = client.get("/contributions/pools").get_data(as_text=True)
    assert "Objective 4" in html
    client.post(f"/contributions/objectives/{objective(3).id}/edit", data={
        "number": "3", "title": "Operational support of the fund (secretariat)", "description": "",
        "version": objective(3).version})
    db.session.expire_all()
    assert objective(3).title.endswith("(secretariat)") and objective(3).active is False
    login_as("mptf_officer")
    assert client.post("/contributions/objectives/new", data={"number": "9", "title": "x"}).status_code == 403


@pytest.mark.parametrize("role", ["donor"])
def test_donor_users_see_no_pools(app, client, login_as, role):
    login_as(role)
    assert client.get("/contributions/pools").status_code == 403


def test_the_objectives_page_shows_each_pools_money_not_its_code(app, db, client, login_as):
    """Each objective's pool by what it holds (its internal code means nothing to a
    reader), on the page as in its .xlsx; the transfer form's button says it only
    proposes the transfer."""
    deposit(commitment("EUR", "1000000.00", objective_number=1), "100000.00", rate="0.941")
    login_as("admin")
    page = client.get("/contributions/objectives").get_data(as_text=True)
    assert "OBJ1" not in page and "Available in its pool" in page
    assert f"USD\u00a0{pool('OBJ1').available:,}" in page
    book = load_workbook(io.BytesIO(client.get("/contributions/objectives?format=xlsx").data))
    header, *rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert header[-1] == "Available in its pool" and rows[0][-1] == float(pool("OBJ1").available)
    form = client.get("/contributions/pools/transfer").get_data(as_text=True)
    assert ">Propose the transfer<" in form and "Nothing moves until another administrator confirms" in form


def test_a_withdrawn_pledge_earmarks_nothing(app, db, client, login_as, users):
    """A pledge withdrawn before any money came names the objective no more: its
    number may still change."""
    import datetime as dt

    from trustfund import demo
    from trustfund.contributions import services

    officer = users["mptf_officer"]
    pledge = services.record_pledge(officer, demo.demo_donor(), currency="USD", amount=D("1000.00"),
                                    objective_id=objective(3).id, pledged_on=dt.date(2017, 6, 1))
    services.withdraw_pledge(officer, pledge, "Announced by mistake")
    db.session.commit()
    login_as("admin")
    three = objective(3)
    moved = client.post(f"/contributions/objectives/{three.id}/edit", data={
        "number": "8", "title": three.title, "description": "", "active": "y", "version": three.version})
    assert moved.status_code == 302
