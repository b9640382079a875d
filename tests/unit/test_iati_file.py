"""The fund's IATI 2.03 file (trustfund/iati): valid against the vendored official
schema and the documented rules, its sums by transaction type equal to the ledger's
to the cent, hostile text escaped, the same bytes for the same data."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
import sqlalchemy as sa
from lxml import etree

from tests.factories import base_users, iati
from tests.factories.iati import HOSTILE, OTHER_FUND, OTHER_FUND_REFERENCE, iati_fund
from tests.factories.statements import pool as data_pool
from trustfund import demo
from trustfund.contributions.fund_entries import record_fund_entry
from trustfund.contributions.models import Commitment, Deposit, Pledge, Pool
from trustfund.donors.models import Donor
from trustfund.fund.entries import ClosingPart, WriteOff
from trustfund.iati.generator import activities_file
from trustfund.iati.validate import validate

AS_OF = dt.date(2018, 6, 30)
TODAY = dt.date(2026, 12, 3)


@pytest.fixture
def fund(db):
    return iati_fund()


def _activity(content: bytes):
    return etree.fromstring(content).find("iati-activity")


def _sums(content: bytes) -> dict[tuple[str, str], Decimal]:
    """(transaction type, currency) -> the sum of the file's values."""
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for t in _activity(content).iter("transaction"):
        value = t.find("value")
        sums[(t.find("transaction-type").get("code"), value.get("currency"))] += Decimal(value.text)
    return dict(sums)


def test_the_demo_funds_file_is_valid(db):
    demo.seed()
    db.session.commit()
    today = dt.datetime.now(dt.UTC).date()
    content = activities_file(today)
    assert validate(content, today) == []
    activity = _activity(content)
    kinds = {t.find("transaction-type").get("code") for t in activity.iter("transaction")}
    assert {"1", "11", "4"} <= kinds
    assert activity.find("sector").attrib == {"vocabulary": "1", "code": "15190", "percentage": "100"}
    assert activity.find("default-aid-type").get("code") == "B04"
    assert activity.find("activity-status").get("code") == "2"  # implementation


@pytest.mark.parametrize("missing", ["value@value-date", "transaction-type@code",
                                     "participating-org@role", "reporting-org@ref"])
def test_a_required_attribute_left_out_fails_validation(fund, missing):
    content = activities_file(AS_OF, omit=frozenset({missing}))
    problems = validate(content, TODAY)
    attribute = missing.split("@")[1]
    assert problems and all(p.startswith("Schema (IATI 2.03)") for p in problems)
    assert any(f"'{attribute}'" in p and "is required but missing" in p for p in problems), problems


def test_sums_by_type_equal_the_ledgers_figures_to_the_cent(db, fund):
    from trustfund.ledger_check import run_checks

    assert run_checks() == []  # the fund built for the test is a ledger the services could leave
    sums = _sums(activities_file(AS_OF))
    deposits = dict(db.session.execute(sa.select(Deposit.currency, sa.func.sum(Deposit.amount))
                                       .group_by(Deposit.currency)).all())
    assert {c: v for (t, c), v in sums.items() if t == "1"} == deposits
    assert deposits["JPY"] == Decimal("55555555") and sums[("1", "EUR")] == Decimal("1000000.00")
    # the reversed deposits are in, as negative values: 1000 - 1000 + 125000 and 30000 - 30000 + ...
    assert sums[("1", "USD")] == Decimal("1000.00") - Decimal("1000.00") + Decimal("125000.00") \
        + Decimal("444444.44") + Decimal("30000.00") - Decimal("30000.00") + Decimal("20000.00")
    pools = db.session.scalars(sa.select(Pool)).all()
    assert sums[("5", "USD")] == sum(p.interest for p in pools) == Decimal("1234.56")
    assert sums[("4", "USD")] == sum(p.spent for p in pools) == Decimal("123456.78") + Decimal(
        "98765.43") + Decimal("2500.00") + Decimal("1200.00")
    commitments = dict(db.session.execute(sa.select(Commitment.currency, sa.func.sum(Commitment.amount))
                                          .group_by(Commitment.currency)).all())
    assert {c: v for (t, c), v in sums.items() if t == "11"} == commitments
    # pledges at their amounts, less what a withdrawal took back (the rest not committed)
    pledged: dict[str, Decimal] = defaultdict(Decimal)
    for p in db.session.scalars(sa.select(Pledge)):
        pledged[p.currency] += p.amount - p.withdrawn_rest
    assert {c: v for (t, c), v in sums.items() if t == "13"} == dict(pledged)
    assert sums[("13", "JPY")] == Decimal("77777777")


def test_donors_appear_by_name_and_type_without_an_iati_reference(fund):
    activity = _activity(activities_file(AS_OF))
    funders = {o.findtext("narrative"): o.attrib for o in activity.findall("participating-org")
               if o.get("role") == "1"}
    assert funders["Kingdom of Sweden"] == {"role": "1", "type": "10"}
    assert funders[HOSTILE] == {"role": "1", "type": "60"}
    roles = {(o.get("role"), o.get("ref")) for o in activity.findall("participating-org")}
    assert ("4", "XM-DAC-47066") in roles  # IOM implements Objective 1
    # delegates are people: never named (the factory's delegates are "Delegate N")
    assert b"Delegate " not in activities_file(AS_OF).replace(b"a delegate", b"")


def test_hostile_text_is_escaped_and_the_file_stays_valid(fund):
    content = activities_file(AS_OF)
    assert validate(content, TODAY) == []
    assert b"<b>" not in content and b"&lt;b&gt;Fondation" in content
    assert b"&amp; 'Partners'" in content
    narratives = [n.text for n in _activity(content).iter("narrative")]
    assert HOSTILE in narratives  # read back exactly as entered, right-to-left marks and all
    assert f"Pledge {_pledge_id(content, '50000.00')}" in narratives  # its (hostile) note is internal
    assert any(n.startswith("Travel of a delegate of SN to " + HOSTILE) for n in narratives)


def _pledge_id(content: bytes, amount: str) -> str:
    for t in _activity(content).iter("transaction"):
        if t.find("transaction-type").get("code") == "13" and t.findtext("value") == amount:
            return t.get("ref").removeprefix("pledge-")
    raise AssertionError(amount)


def test_same_data_same_bytes(db, fund):
    first = activities_file(AS_OF)
    db.session.expire_all()
    assert activities_file(AS_OF) == first
    # amounts are written with their currency's decimals on both databases
    values = {v.text for v in _activity(first).iter("value")}
    assert {"1000000.00", "55555555", "-1000.00", "1234.56", "-10.01"} <= values


def test_nothing_after_the_date_asked_for(db, fund):
    content = activities_file(dt.date(2017, 7, 11))
    dates = [t.find("transaction-date").get("iso-date") for t in _activity(content).iter("transaction")]
    assert dates == sorted(dates) and max(dates) <= "2017-07-11"
    assert "2017-07-10" in dates and "2017-07-12" not in dates  # the reversal comes later
    assert validate(content, dt.date(2017, 7, 11)) == []
    assert any("is in the future" in p for p in validate(activities_file(AS_OF), dt.date(2017, 7, 11)))


def test_recipient_countries_add_up_to_100_and_a_broken_sum_is_caught(fund):
    content = activities_file(AS_OF)
    activity = _activity(content)
    countries = {c.get("code"): Decimal(c.get("percentage")) for c in activity.findall("recipient-country")}
    assert set(countries) == {"NP", "SN"} and sum(countries.values()) == 100
    activity.find("recipient-country").set("percentage", str(countries[min(countries)] - Decimal("0.01")))
    broken = etree.tostring(activity.getparent())
    assert any("add up to 99.99, not 100" in p for p in validate(broken, TODAY))


def test_forbidden_characters_in_identifiers_are_caught(app, fund, monkeypatch):
    monkeypatch.setitem(app.config, "IATI_REPORTING_ORG_REF", "XM-DAC-41114/MPTF")
    problems = validate(activities_file(AS_OF), TODAY)
    assert any("iati-identifier 'XM-DAC-41114/MPTF-MCS00' holds characters IATI forbids" in p
               for p in problems), problems


def test_the_placeholder_identifier_is_marked(fund):
    activity = _activity(activities_file(AS_OF))
    assert activity.findtext("iati-identifier") == "XX-PLACEHOLDER-SET-TRUSTFUND-IATI-ORG-REF-MCS00"
    reporting = activity.find("reporting-org").findtext("narrative")
    assert "placeholder identifier: not for publication" in reporting


def test_a_file_that_is_not_xml_or_has_an_entity_is_refused_without_fetching(fund):
    assert validate(b"<iati-activities", TODAY)[0].startswith("Not well-formed XML")
    external = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                b'<iati-activities version="2.03"><iati-activity>&e;</iati-activity></iati-activities>')
    assert validate(external, TODAY) == [
        "The file declares a DOCTYPE; an IATI file has none (entities are not expanded)."]


def test_percentages_split_by_largest_remainder_add_up_to_100():
    from trustfund.iati.rules import percentages

    assert percentages({"SN": 1, "NP": 1, "HT": 1}) == {
        "HT": Decimal("33.34"), "NP": Decimal("33.33"), "SN": Decimal("33.33")}
    assert percentages({"SN": 2, "NP": 1, "ML": 0}) == {"NP": Decimal("33.33"), "SN": Decimal("66.67")}
    assert percentages({"SN": 0}) == {}


def test_an_approved_overrun_is_spent_on_the_day_it_was_approved(fund):
    def spending(as_of):
        return [(t.find("transaction-date").get("iso-date"), t.findtext("value"))
                for t in _activity(activities_file(as_of)).iter("transaction")
                if t.find("transaction-type").get("code") == "4" and "2017-11" <= t.find(
                    "transaction-date").get("iso-date") <= "2017-12-31"]

    assert ("2017-11-25", "1000.00") in spending(dt.date(2017, 12, 4))
    assert ("2017-12-05", "200.00") not in spending(dt.date(2017, 12, 4))
    assert {("2017-11-25", "1000.00"), ("2017-12-05", "200.00")} <= set(spending(AS_OF))


def _mutated(content: bytes, change) -> bytes:
    root = etree.fromstring(content)
    change(root.find("iati-activity"))
    return etree.tostring(root)


@pytest.mark.parametrize("change, message", [
    (lambda a: a.find("transaction/transaction-type").set("code", "99"),
     "transaction/transaction-type/@code '99' is not in the TransactionType codelist"),
    (lambda a: a.find("participating-org").set("type", "12345"),
     "participating-org/@type '12345' is not in the OrganisationType codelist"),
    (lambda a: a.find("transaction/value").set("currency", "XYZ"),
     "transaction/value/@currency 'XYZ' is not in the Currency codelist"),
    (lambda a: a.find("transaction").append(etree.Element("sector", code="15190")),
     "sectors are given on the activity and on transactions"),
    (lambda a: a.remove(a.find("sector")), "no sector on the activity, nor on every transaction"),
    (lambda a: a.find("sector").set("percentage", "90"), "sectors of vocabulary 1 add up to 90, not 100"),
    (lambda a: a.find("activity-date[@type='2']").set("iso-date", "2027-01-01"),
     "activity-date type 2 (2027-01-01) is in the future"),
    (lambda a: a.find("transaction/value").set("value-date", "2017-01-01"), "is not its transaction-date"),
    (lambda a: setattr(a.find("iati-identifier"), "text", "XM-OTHER-MCS00"),
     "does not start with the reporting organisation's ref"),
])
def test_each_documented_rule_catches_its_breach(fund, change, message):
    content = activities_file(AS_OF)
    assert validate(content, TODAY) == []
    problems = validate(_mutated(content, change), TODAY)
    assert any(message in p for p in problems), problems


def _status(content: bytes) -> str:
    return _activity(content).find("activity-status").get("code")


def _dates(content: bytes) -> dict[str, str]:
    return {d.get("type"): d.get("iso-date") for d in _activity(content).findall("activity-date")}


def _outgoing(content: bytes) -> dict[str, tuple[str, str]]:
    """Disbursements: receiver's name -> (value, transaction-date)."""
    return {t.find("receiver-org").findtext("narrative"): (t.findtext("value"),
                                                           t.find("transaction-date").get("iso-date"))
            for t in _activity(content).iter("transaction") if t.find("transaction-type").get("code") == "3"}


def test_a_fund_through_its_closures_is_finalised_then_closed_with_its_refunds(db, fund):
    today = dt.date.today()
    yesterday = today - dt.timedelta(days=1)
    assert _status(activities_file(today)) == "2"  # implementation while open
    # planned dates from the fund's record (the tests' fund runs until 2099; the configuration says 2018)
    assert {k: v for k, v in _dates(activities_file(today)).items() if k in "13"} == {
        "1": "2017-04-03", "3": "2099-12-31"}
    iati.fund_entries()
    iati.close_operations()
    content = activities_file(today)
    assert _status(content) == "3" and "4" not in _dates(content)  # finalisation, not ended yet
    assert validate(content, today) == []
    assert _status(activities_file(yesterday)) == "2"  # as of the day asked for

    closings = iati.close_financially()
    content = activities_file(today)
    assert validate(content, today) == []
    assert _status(content) == "4" and _dates(content)["4"] == today.isoformat()
    before = activities_file(yesterday)
    assert _status(before) == "2" and "4" not in _dates(before) and _outgoing(before) == {}

    # each donor's part of a refunded pool, to the donor, to the cent; the transfer, to the fund named
    parts = db.session.execute(sa.select(Donor.name, ClosingPart.usd_amount).join(Donor)
                               .where(ClosingPart.usd_amount > 0)
                               .where(ClosingPart.closing_id.in_([c.id for c in closings
                                                                   if c.kind == "refund"])))
    refunded: dict[str, Decimal] = defaultdict(Decimal)
    for name, amount in parts:
        refunded[name] += amount
    outgoing = _outgoing(content)
    transfer = next(c for c in closings if c.kind == "transfer")
    assert outgoing.pop(OTHER_FUND) == (str(transfer.usd_amount), today.isoformat())
    assert {name: Decimal(v) for name, (v, _day) in outgoing.items()} == dict(refunded)
    # the unearmarked pool's 1,434,100.03 split by net deposits there, to the cent, dated the closing's day
    assert outgoing == {"Kingdom of Sweden": ("967767.01", today.isoformat()),
                        '=HYPERLINK("http://example.org","x")': ("448119.64", today.isoformat()),
                        HOSTILE: ("18213.38", today.isoformat())}
    assert [(c.pool.code, c.kind, c.usd_amount) for c in closings] == [
        ("OBJ1", "transfer", Decimal("463784.57")), ("UNEARMARKED", "refund", Decimal("1434100.03"))]
    transfer_text = _activity(content).xpath("string(.//transaction[receiver-org])")
    assert f"reference {OTHER_FUND_REFERENCE}" in transfer_text


def test_sums_by_type_after_the_closures_equal_the_ledgers_figures(db, fund):
    from trustfund.ledger_check import run_checks

    iati.fund_entries()
    # 7.77 of other income in the OBJ2 pool, left unrefunded under the residual waiver: paid to no one
    record_fund_entry(base_users()["mptf_officer"], kind="other_income", pool_id=data_pool("OBJ2").id,
                      value_date=dt.date.today(), usd_amount="7.77", description="Residual")
    iati.close_operations()
    closings = iati.close_financially(waive_up_to="10.00")
    assert [(c.pool.code, c.kind, c.usd_amount) for c in closings if c.kind == "waived"] == [
        ("OBJ2", "waived", Decimal("7.77"))]
    assert run_checks() == []
    sums = _sums(activities_file(dt.date.today()))
    pools = db.session.scalars(sa.select(Pool)).all()
    deposits = dict(db.session.execute(sa.select(Deposit.currency, sa.func.sum(Deposit.amount))
                                       .group_by(Deposit.currency)).all())
    other_income = sum(p.other_income for p in pools)
    assert other_income == Decimal("55.55") + Decimal("7.77")
    # incoming funds: the deposits in each currency, other income with the dollars
    assert {c: v for (t, c), v in sums.items() if t == "1"} == {
        **deposits, "USD": deposits["USD"] + other_income}
    assert sums[("5", "USD")] == sum(p.interest for p in pools) == Decimal("1234.56")
    # expenditure: travel, direct costs (the reversed one out) and bank charges
    assert sum(p.direct_costs for p in pools) == Decimal("250.00")
    assert sums[("4", "USD")] == sum(p.spent + p.direct_costs + p.bank_charges for p in pools) == Decimal(
        "123456.78") + Decimal("98765.43") + Decimal("2500.00") + Decimal("1200.00") + Decimal("250.00") \
        + Decimal("12.34")
    # disbursements: every pool's balance that left at the closing, but the one waived
    assert sums[("3", "USD")] == sum(p.closed_out for p in pools) - Decimal("7.77") == Decimal(
        "463784.57") + Decimal("1434100.03")
    assert all(p.available == 0 for p in pools)
    # commitments less what was written off, in each currency
    committed: dict[str, Decimal] = defaultdict(Decimal)
    for c in db.session.scalars(sa.select(Commitment)):
        committed[c.currency] += c.amount
    for w in db.session.scalars(sa.select(WriteOff)):
        committed[w.currency] -= w.amount
    assert {c: v for (t, c), v in sums.items() if t == "11"} == dict(committed)
    assert committed["JPY"] == Decimal("55555555")  # 77,777,777 committed, the rest written off


def test_the_lifecycle_state_follows_the_funds_record_as_of_the_day_asked_for():
    from trustfund.iati.rules import Lifecycle, activity_status, actual_end

    open_until = Lifecycle(start_on=dt.date(2017, 4, 3), end_on=dt.date(2018, 12, 31))
    assert activity_status(open_until, dt.date(2018, 12, 31)) == "2"
    assert activity_status(open_until, dt.date(2019, 1, 1)) == "3"  # the end date passed: finalisation
    closed_early = Lifecycle(start_on=dt.date(2017, 4, 3), end_on=dt.date(2099, 12, 31),
                             operations_closed_on=dt.date(2018, 6, 1),
                             financially_closed_on=dt.date(2018, 9, 3))
    days = (dt.date(2018, 5, 31), dt.date(2018, 6, 1), dt.date(2018, 9, 2), dt.date(2018, 9, 3))
    assert [activity_status(closed_early, day) for day in days] == ["2", "3", "3", "4"]
    assert actual_end(closed_early, dt.date(2018, 9, 2)) is None
    assert actual_end(closed_early, dt.date(2020, 1, 1)) == dt.date(2018, 9, 3)
    assert activity_status(None, dt.date(2020, 1, 1)) == "2"  # no fund record: implementation


@pytest.mark.parametrize("currency", ["BYN", "ZMW", "VES"])
def test_a_pledge_in_a_currency_created_since_the_codelist_keeps_the_file_valid(db, users, currency):
    """A Member State pledges in its own current currency, one the pages offer: the
    vendored 2.03 Currency codelist (2018) does not hold it, ISO 4217 (which IATI's
    codelist replicates) does, and the file stays valid; a code no territory ever used
    is still refused."""
    from tests.factories import statements as data
    from trustfund.contributions import services
    from trustfund.currencies import current

    assert currency in current()
    donor = data.donor(f"Member State paying in {currency}")
    services.record_pledge(users["mptf_officer"], donor, currency=currency, amount="1000.00",
                           objective_id=None, pledged_on=dt.date.today() - dt.timedelta(days=3))
    db.session.commit()
    today = dt.datetime.now(dt.UTC).date()
    content = activities_file(today)
    assert f'currency="{currency}"' in content.decode()
    assert validate(content, today) == []
    [problem] = validate(content.replace(f'currency="{currency}"'.encode(), b'currency="QQQ"'), today)
    assert problem.endswith(": transaction/value/@currency 'QQQ' is not in the Currency codelist")
