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

from tests.factories.iati import HOSTILE, HOSTILE_NOTE, iati_fund
from trustfund import demo
from trustfund.contributions.models import Commitment, Deposit, Pledge, Pool
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
    assert f"Pledge {_pledge_id(content, '50000.00')}: {HOSTILE_NOTE.replace(chr(7), '')}" in narratives
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
