"""The audit trail says what each change did, as an auditor reads it on its page (a
colleague's review of every write path): the currency a moved rate left, the direction
of a reversed cost's money, the amount a withdrawal took away, the officer's reason for
a rate other than the UN rate, and no change that nobody made."""
from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from tests.factories import second_officer_confirms_entry, second_officer_confirms_rates
from tests.factories import statements as data
from tests.factories.contributions import commitment, pledge, un_rate
from tests.factories.statements import D
from tests.pages import post_and_confirm, post_entry, trail_entries, words
from trustfund.contributions.models import ExchangeRate
from trustfund.donors.services import create_donor
from trustfund.fund.entries import FundEntry


def test_a_rate_moved_to_another_currency_names_the_currency_it_left(app, db, client, login_as):
    login_as("mptf_officer")
    assert client.post("/contributions/rates/new", data={
        "currency": "EUR", "month": "2018-05", "rate": "0.941"}).status_code == 302
    second_officer_confirms_rates(app)
    rate = db.session.scalar(sa.select(ExchangeRate).where(ExchangeRate.currency == "EUR"))
    # It was the pound's rate, typed under the euro: the officer moves it.
    assert client.post(f"/contributions/rates/{rate.id}/edit", data={
        "currency": "GBP", "month": "2018-05", "rate": "0.781", "version": rate.version}).status_code == 302
    second_officer_confirms_rates(app)
    db.session.expire_all()
    assert db.session.get(ExchangeRate, rate.id).currency == "GBP"

    login_as("auditor")
    [told] = trail_entries(client, "exchange_rate.update")
    # The euro has no rate for May 2018 any more: the entry says where the rate came from.
    assert "Corrected by mptf_officer2 and moved from EUR to GBP: 0.941 → 0.781 GBP per US dollar for " \
           "May 2018." in told, told


def test_the_reversal_of_a_direct_cost_says_the_money_came_back_to_the_pool(app, client, login_as, db):
    donor = data.donor("Sweden (costs)")
    data.deposit(data.commitment(donor, "10000.00"), "10000.00", fee_rate="0")
    db.session.commit()
    login_as("mptf_officer")
    assert post_entry(client, "/fund/entries/new", {
        "kind": "direct_cost", "pool_id": str(data.pool().id), "value_date": "2018-03-01",
        "usd_amount": "1500.00", "description": "Secretariat support, first quarter"}).status_code == 302
    second_officer_confirms_entry(app)
    entry = db.session.scalar(sa.select(FundEntry))
    assert post_and_confirm(client, f"/fund/entries/{entry.id}/reverse",
                            {"reason": "Charged to the wrong fund"}).status_code == 302
    second_officer_confirms_entry(app)
    db.session.expire_all()
    assert data.pool().available == D("10000.00")  # the USD 1,500.00 came back to the pool

    login_as("auditor")
    [told] = trail_entries(client, "fund_entry.reverse")
    assert "USD 1,500.00 given back to the un-earmarked pool." in told, told
    assert "taken back from" not in told


def test_the_withdrawal_of_a_partly_fulfilled_pledge_says_what_was_withdrawn(app, db, client, login_as):
    partly = pledge("EUR", "1000000.00")
    commitment("EUR", "400000.00", pledge=partly)
    whole = pledge("EUR", "250000.00")
    login_as("mptf_officer")
    for item in (partly, whole):
        assert post_and_confirm(client, f"/contributions/pledges/{item.id}/withdraw",
                                {"reason": "No more funds"}).status_code == 302

    login_as("auditor")
    untouched, rest = trail_entries(client, "pledge.withdraw")  # newest first
    assert "Withdrawn by mptf_officer: the EUR 600,000.00 still pledged; the EUR 400,000.00 committed " \
           "against the pledge stand." in rest, rest
    assert "Withdrawn by mptf_officer: EUR 250,000.00." in untouched, untouched


def test_a_deposit_at_another_rate_than_the_un_rate_shows_why_in_the_trail(app, db, client, login_as):
    note = "Rate of the bank's conversion on the value date, per the donor's advice"
    un_rate("EUR", dt.date(2018, 5, 1), "0.941")
    c = commitment("EUR", "100000.00")
    login_as("mptf_officer")
    answer = post_entry(client, f"/contributions/commitments/{c.id}/deposits/new", {
        "value_date": "2018-05-10", "amount": "10000.00", "rate": "0.95", "rate_note": note,
        "bank_reference": "SEB 2018-05-10"})
    assert answer.status_code == 302, words(answer.get_data(as_text=True))[:400]

    login_as("auditor")
    [told] = trail_entries(client, "deposit.create")
    assert "at 0.95 per US dollar" in told and f"Why another rate: {note}" in told, told


def test_a_renamed_donor_shows_only_the_name_as_changed(app, client, db, users, login_as):
    donor = create_donor(users["mptf_officer"], name="Open Society", donor_type="philanthropic_organization",
                         country_code="US")
    db.session.commit()
    login_as("mptf_officer")
    form = client.get(f"/donors/{donor.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    assert client.post(f"/donors/{donor.id}/edit", data={
        "name": "Open Society Foundations", "donor_type": "philanthropic_organization", "country_code": "US",
        "contact_name": "", "contact_email": "", "version": version}).status_code == 302

    login_as("auditor")
    [told] = trail_entries(client, "donor.update")
    assert "Open Society → Open Society Foundations" in told
    # Its look-alike key follows the name: not a change anyone made.
    assert "other value" not in told, told
