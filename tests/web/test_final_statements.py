"""Certified final financial statements (issue 18): issued by the admin once the fund
is financially closed, once; per donor and for the fund, the fund's whole life and
the refund due; signed off (who, when); stored as issued and shown from there,
never recomputed; the donor sees its own in its portal, and no other."""
from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import statements as data
from tests.factories.statements import D
from tests.pages import post_and_confirm
from trustfund import demo
from trustfund.closure import closing_decisions, financial
from trustfund.closure.final import issue_final_statements
from trustfund.errors import DomainError
from trustfund.fund import services as fund_services
from trustfund.fund.entries import FinalStatement
from trustfund.fund.status import current_fund
from trustfund.language import speaking


def _closed_fund(db, users):
    sweden, other = demo.demo_donor(), data.donor("Norway (final)")
    data.deposit(data.commitment(sweden, "30000.00"), "30000.00", value_date=dt.date(2017, 5, 2))
    data.deposit(data.commitment(other, "10000.00"), "10000.00", fee_rate="0")
    data.spend(data.pool(), "4000.00", reconciled_on=dt.date(2018, 5, 1))
    data.interest("100.00", on=dt.date(2018, 6, 30))
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    db.session.commit()
    closing_decisions.decide(users["srsg_staff"], data.pool(), "refund")
    financial.close_fund(users["admin"], current_fund())
    db.session.commit()
    return sweden, other


def test_issued_only_once_and_only_after_the_financial_closure(db, users):
    with pytest.raises(DomainError, match="once the fund is financially closed"):
        issue_final_statements(users["admin"])
    db.session.rollback()
    _closed_fund(db, users)
    with pytest.raises(DomainError, match="Only an administrator"):
        issue_final_statements(users["mptf_officer"])
    db.session.rollback()
    assert issue_final_statements(users["admin"]) == 3
    db.session.commit()
    with pytest.raises(DomainError, match="already been issued"):
        issue_final_statements(users["admin"])
    db.session.rollback()


def test_a_donor_reads_its_own_certified_statement_in_its_portal(client, login_as, db, users):
    sweden, other = _closed_fund(db, users)
    login_as("admin")
    assert post_and_confirm(client, "/fund/final-statements/issue").status_code == 302
    assert "Certified final financial statements signed off and issued by admin." in \
        client.get("/fund/").get_data(as_text=True)

    login_as("donor")
    portal = client.get("/statements/portal").get_data(as_text=True)
    assert f'href="/fund/final-statements/{sweden.id}" id="final-statement-link"' in portal
    html = client.get(f"/fund/final-statements/{sweden.id}").get_data(as_text=True)
    # Sweden: 30,000.00 less the 1% fee = 29,700.00 net; 39,700.00 in the pool, 4,000.00
    # spent, 100.00 of interest: the balance 35,800.00 refunded by net deposits.
    assert 'id="final-net">USD\u00a029,700.00<' in html
    # The deposits before the fee, called what the donor's portal and statement call them.
    assert "Deposited (USD)</th><td class=\"num\">USD\u00a030,000.00<" in html
    assert "Contributions (USD)" not in html
    assert 'id="final-share">USD\u00a02,992.44<' in html  # 4,000.00 × 29,700 ÷ 39,700
    assert 'id="final-refund">USD\u00a026,782.37<' in html  # 35,800.00 × 29,700 ÷ 39,700
    assert 'id="final-income">USD\u00a074.81<' in html
    assert "signed off for the MPTF Office, as Administrative Agent, by admin on" in html
    assert client.get(f"/fund/final-statements/{other.id}").status_code == 404

    book = load_workbook(io.BytesIO(client.get(f"/fund/final-statements/{sweden.id}?format=xlsx").data))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert D(str(summary["Refund due to the donor"])) == D("26782.37")


def test_the_statement_shows_what_was_issued_whatever_changes_later(client, login_as, db, users):
    sweden, _other = _closed_fund(db, users)
    issue_final_statements(users["admin"])
    db.session.commit()
    stored = db.session.scalar(sa.select(FinalStatement).where(FinalStatement.donor_id == sweden.id))
    assert stored.content["totals"]["refund_due"] == "26782.37"
    # A change behind the application's back (the guard refuses the application's own):
    # the statement still shows what was signed off.
    db.session.connection().exec_driver_sql(
        f"UPDATE donor SET name = 'Renamed behind its back' WHERE id = {sweden.id}")
    db.session.connection().exec_driver_sql("UPDATE pool_closing_part SET usd_amount = usd_amount + 1")
    db.session.commit()
    login_as("auditor")
    html = client.get(f"/fund/final-statements/{sweden.id}").get_data(as_text=True)
    assert "Kingdom of Sweden" in html and "Renamed behind its back" not in html
    assert 'id="final-refund">USD\u00a026,782.37<' in html
    fund_page = client.get("/fund/final-statements/fund").get_data(as_text=True)
    assert 'data-line="refunds">USD\u00a035,800.00<' in fund_page
    book = load_workbook(io.BytesIO(client.get("/fund/final-statements/fund?format=xlsx").data))
    status = {row[0]: row[1] for row in book["Funding status"].iter_rows(min_row=2, values_only=True)}
    assert D(str(status["Refunds to donors"])) == D("35800.00")
    donors = {row[0]: row[3] for row in book["Donors"].iter_rows(min_row=2, values_only=True)}
    assert D(str(donors["Kingdom of Sweden"])) == D("26782.37")


def test_a_residual_left_unrefunded_is_a_line_of_the_donors_summary(client, login_as, db, users):
    """A pool's residual balance left unrefunded under the admin's waiver: the donor's
    summary (page and .xlsx) shows its part, so that net deposits less the share of
    spending plus the income add up to what the closing did with them, to the cent."""
    from trustfund.admin.confirmed_settings import set_setting
    from trustfund.admin.models import REFUND_WAIVER

    sweden, other = demo.demo_donor(), data.donor("Norway (final)")
    data.deposit(data.commitment(sweden, "30000.00"), "30000.00", value_date=dt.date(2017, 5, 2))
    data.deposit(data.commitment(other, "10000.00"), "10000.00", fee_rate="0")
    data.spend(data.pool(), "4000.00", reconciled_on=dt.date(2018, 5, 1))
    data.interest("100.00", on=dt.date(2018, 6, 30))
    set_setting(users["admin"], REFUND_WAIVER, "50000", dt.date(2017, 1, 1))
    fund_services.close_operations(users["admin"], current_fund(), reason="Compact adopted")
    db.session.commit()
    closing_decisions.decide(users["srsg_staff"], data.pool(), "waived")
    financial.close_fund(users["admin"], current_fund())
    issue_final_statements(users["admin"])
    db.session.commit()

    login_as("donor")
    html = client.get(f"/fund/final-statements/{sweden.id}").get_data(as_text=True)
    # 29,700.00 − 2,992.44 + 74.81 = 26,782.37: none of it refunded, all of it waived.
    assert 'id="final-net">USD\u00a029,700.00<' in html
    assert 'id="final-share">USD\u00a02,992.44<' in html
    assert 'id="final-income">USD\u00a074.81<' in html
    assert 'id="final-refund">USD\u00a00.00<' in html
    assert 'id="final-waived">USD\u00a026,782.37<' in html
    book = load_workbook(io.BytesIO(client.get(f"/fund/final-statements/{sweden.id}?format=xlsx").data))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert D(str(summary["Other: residual balances not refunded"])) == D("26782.37")
    assert D(str(summary["Deposited (USD)"])) == D("30000.00")
    assert (D(str(summary["Net deposits"])) - D(str(summary["Share of the fund's spending"]))
            + D(str(summary["Difference from the balance"]))
            == D(str(summary["Refund due to the donor"]))
            + D(str(summary["Transferred to other funds on the donor's behalf"]))
            + D(str(summary["Other: residual balances not refunded"])))


def test_the_certification_sheet_holds_its_dates_as_dates(client, login_as, db, users):
    """"From", "To" and "Issued on (UTC)" of the .xlsx's Certification sheet are dates a
    spreadsheet can sort and compute with, as on every other sheet, not text."""
    import datetime as dt

    sweden, _other = _closed_fund(db, users)
    issue_final_statements(users["admin"])
    db.session.commit()
    login_as("auditor")
    for url in (f"/fund/final-statements/{sweden.id}?format=xlsx", "/fund/final-statements/fund?format=xlsx"):
        book = load_workbook(io.BytesIO(client.get(url).data))
        pairs = {row[0]: row[1] for row in book["Certification"].iter_rows(min_row=2, values_only=True)}
        assert all(isinstance(pairs[item], dt.datetime) for item in ("From", "To", "Issued on (UTC)")), pairs
        assert pairs["From"].date() < pairs["To"].date()
        assert isinstance(pairs.get("Donor", pairs.get("Fund")), str)


def test_each_reader_sees_the_certified_pool_names_in_their_language(client, login_as, db, users):
    """An admin reading French issues the statements: an English reader sees the
    pools' English names, a French reader the French ones (on the pages and in the
    download), as they were on the day of issue (each language kept with the figures);
    before, every reader saw the issuing admin's language."""
    sweden, _other = _closed_fund(db, users)
    users["admin"].locale = "fr"
    with speaking("fr"):  # the issuing admin's request, in French
        assert str(data.pool().label) == "Sans préaffectation"
        issue_final_statements(users["admin"])
    db.session.commit()
    stored = db.session.scalar(sa.select(FinalStatement).where(FinalStatement.donor_id == sweden.id))
    assert stored.content["closing"][0]["pool"] == "Un-earmarked"
    assert stored.content["closing"][0]["pool_translations"]["fr"] == "Sans préaffectation"
    for locale, name in (("en", "Un-earmarked"), ("fr", "Sans préaffectation")):
        users["auditor"].locale = locale
        db.session.commit()
        login_as("auditor")
        donor_page = client.get(f"/fund/final-statements/{sweden.id}").get_data(as_text=True)
        fund_page = client.get("/fund/final-statements/fund").get_data(as_text=True)
        assert f"<td>{name}</td>" in donor_page and f"<td>{name}</td>" in fund_page, locale
        book = load_workbook(io.BytesIO(client.get(f"/fund/final-statements/{sweden.id}?format=xlsx").data))
        pools = [row[0] for row in book.worksheets[2].iter_rows(min_row=2, values_only=True)]
        assert pools == [name], locale
    # A statement issued before the names were kept in every language shows its name as issued.
    content = dict(stored.content)
    content["closing"] = [{k: v for k, v in part.items() if k != "pool_translations"} | {"pool": "Ancien nom"}
                          for part in content["closing"]]
    stored.content = content
    db.session.commit()
    assert "<td>Ancien nom</td>" in client.get(f"/fund/final-statements/{sweden.id}").get_data(as_text=True)
