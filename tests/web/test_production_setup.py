"""A production database starts complete: the README's Production steps (db upgrade,
setup-fund, create-user) on an empty database give the pools, the three objectives,
the fee and terminal-expense settings and the countries with their LDC periods,
without any demo account; then a deposit and a travel grant are recorded through
the pages, as the first users would."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from tests.pages import post_and_confirm, post_entry

README = Path(__file__).resolve().parents[2] / "README.md"
PASSWORDS = {"admin": "admin password, long enough", "mptf_officer": "officer password, long enough",
             "srsg_staff": "first srsg password, long", "srsg_staff2": "second srsg password, long"}


def _production_commands() -> list[list[str]]:
    """The `flask --app trustfund ...` lines of the README's Production section, in order."""
    section = README.read_text(encoding="utf-8").split("## Production", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].split("--app trustfund", 1)[1].split()
            for line in block.splitlines() if "flask --app trustfund" in line]


def _login(app, email: str, password: str):
    client = app.test_client()
    answer = client.post("/login", data={"email": email, "password": password})
    assert answer.status_code == 302, "login refused"
    return client


def _id_in(location: str, after: str) -> int:
    return int(re.search(rf"{after}/(\d+)", location).group(1))


def _hidden_version(html: str) -> str:
    return re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)


def test_the_readmes_production_steps_give_a_fund_ready_for_its_first_deposit_and_grant(empty_database_url):
    from trustfund import create_app
    from trustfund.admin.models import FEE_RATE, TERMINAL_EXPENSES, Setting
    from trustfund.auth.models import User
    from trustfund.contributions.models import Deposit, Objective, Pool
    from trustfund.countries.models import Country, LdcPeriod
    from trustfund.extensions import db
    from trustfund.travel.models import TravelGrant

    commands = _production_commands()
    assert [c[:2] for c in commands] == [["db", "upgrade"], ["setup-fund"], ["create-user", "--email"]]
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    runner = app.test_cli_runner()
    try:
        for command in commands[:2]:
            result = runner.invoke(args=command)
            assert result.exit_code == 0, result.output
        assert "3 objectives, 4 pools, 2 settings" in result.output
        again = runner.invoke(args=["setup-fund"])  # idempotent
        assert again.exit_code == 0 and "nothing added" in again.output
        for role, email in (("admin", "admin@un.org"), ("mptf_officer", "officer@un.org"),
                            ("srsg_staff", "srsg@un.org"), ("srsg_staff", "srsg2@un.org")):
            key = "srsg_staff2" if email == "srsg2@un.org" else role
            result = runner.invoke(args=["create-user", "--email", email, "--role", role],
                                   env={"TRUSTFUND_PASSWORD": PASSWORDS[key]})
            assert result.exit_code == 0, result.output

        with app.app_context():
            numbers = db.session.scalars(sa.select(Objective.number).order_by(Objective.number)).all()
            assert numbers == [1, 2, 3]
            assert sorted(db.session.scalars(sa.select(Pool.code))) == ["OBJ1", "OBJ2", "OBJ3", "UNEARMARKED"]
            assert {s.key: Decimal(s.value) for s in db.session.scalars(sa.select(Setting))} == {
                FEE_RATE: Decimal("0.01"), TERMINAL_EXPENSES: Decimal("100.00")}
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Country)) > 190
            senegal = db.session.get(Country, "SN")
            assert senegal.ldc_on(dt.date(2017, 6, 1))
            assert db.session.scalar(sa.select(sa.func.count()).select_from(LdcPeriod)) > 50
            emails = sorted(db.session.scalars(sa.select(User.email)))
            # Only the accounts created: no demo account.
            assert emails == ["admin@un.org", "officer@un.org", "srsg2@un.org", "srsg@un.org"]

        # The real fund's record ends on 31 December 2018, so today it is operationally
        # closed: the admin extends the end date, with its reason, as the README says.
        admin = _login(app, "admin@un.org", PASSWORDS["admin"])
        version = _hidden_version(admin.get("/fund/extend").get_data(as_text=True))
        answer = admin.post("/fund/extend", data={
            "end_on": "2030-12-31", "reason": "Follow-up of the Global Compact to 2030", "version": version})
        assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]

        # The officer records a donor, its signed SAA, a commitment and a deposit.
        officer = _login(app, "officer@un.org", PASSWORDS["mptf_officer"])
        answer = officer.post("/donors/new", data={
            "name": "Swiss Confederation", "donor_type": "member_state", "country_code": "CH",
            "contact_name": "", "contact_email": ""})
        assert answer.status_code == 302
        donor_id = _id_in(answer.headers["Location"], "donors")
        for status, extra in (("draft_shared", {}), ("signed", {
                "signed_on": "2017-05-02", "signatory_donor": "Permanent Representative",
                "signatory_mptf": "Executive Coordinator", "reference": "SAA-CH-1"})):
            version = _hidden_version(officer.get(f"/donors/{donor_id}/saa").get_data(as_text=True))
            answer = officer.post(f"/donors/{donor_id}/saa", data={"to_status": status, "note": "",
                                                                   "version": version, **extra})
            assert answer.status_code == 302, status
        answer = post_entry(officer, "/contributions/commitments/new", {
            "donor_id": str(donor_id), "currency": "USD", "amount": "500,000.00", "objective_id": "",
            "committed_on": "2017-05-03", "reference": "CH-2017", "note": ""})
        assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
        commitment_id = _id_in(answer.headers["Location"], "commitments")
        answer = post_entry(officer, f"/contributions/commitments/{commitment_id}/deposits/new", {
            "value_date": "2017-05-10", "amount": "500,000.00", "rate": "", "rate_note": "",
            "bank_reference": "UBS 2017-05-10/1"})
        assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
        pools = officer.get("/contributions/pools").get_data(as_text=True)
        assert "USD\u00a0495,000.00" in pools  # net of the 1% fee, in the un-earmarked pool

        # SRSG staff enter an event and a request; a second one approves it.
        srsg = _login(app, "srsg@un.org", PASSWORDS["srsg_staff"])
        answer = post_entry(srsg, "/travel/events/new", {
            "kind": "thematic_session", "title": "International cooperation and governance of migration",
            "city": "Geneva", "venue": "Palais des Nations", "start_on": "2017-06-19", "end_on": "2017-06-20",
            "dsa_rate": "412.00", "max_per_country": "1", "dates_note": ""})
        assert answer.status_code == 302
        event_id = _id_in(answer.headers["Location"], "events")
        answer = post_entry(srsg, "/travel/grants/new", {
            "event_id": str(event_id), "delegate_name": "Aminata Diallo", "delegate_function": "Director",
            "country_code": "SN", "email": "", "phone": "", "travel_from": "2017-06-18",
            "travel_to": "2017-06-21", "origin_city": "Dakar", "airfare": "1,200.00", "dsa_days": "",
            "dsa_amount": "", "terminal_expenses": "", "total": "", "override_reason": "", "action": "save"})
        assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
        grant_id = _id_in(answer.headers["Location"], "grants")
        second = _login(app, "srsg2@un.org", PASSWORDS["srsg_staff2"])
        answer = post_and_confirm(second, f"/travel/grants/{grant_id}/approve", {"pool_id": "0", "next": ""})
        assert answer.status_code == 302
        page = second.get(f"/travel/grants/{grant_id}").get_data(as_text=True)
        assert "Approved" in page

        with app.app_context():
            deposit = db.session.scalar(sa.select(Deposit))
            assert (deposit.usd_amount, deposit.fee, deposit.net) == (
                Decimal("500000.00"), Decimal("5000.00"), Decimal("495000.00"))
            grant = db.session.get(TravelGrant, grant_id)
            assert grant.status == "approved" and grant.ldc
            # Airfare + 3 days of DSA at 412 + terminal expenses of 100 (the setting).
            assert grant.committed_amount == Decimal("1200.00") + 3 * Decimal("412.00") + Decimal("100.00")
        assert runner.invoke(args=["check"]).exit_code == 0
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
