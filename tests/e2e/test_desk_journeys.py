"""Journeys of issue 17 in Chromium, in English and in Arabic (right to left), against
the live server (CSRF on): from the donor's desk a pledge, then "Record the
commitment"; the bar's search, for an officer and for a donor; an overrun recorded
by one SRSG staff member and approved by another on the review queue. Selectors are
ids and URLs, so that one journey runs in both languages; what it changed is read
back from the database."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.e2e.browser import appears, login, screenshot

pytestmark = pytest.mark.e2e

LANGUAGES = ["en", "ar"]


def _query(live_server, statement):
    from trustfund.extensions import db

    with live_server.app.app_context():
        return db.session.execute(statement).all()


def _submit(page):
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state("load")


def _confirm(page):
    """A decision is done only from its confirmation page, which says what will happen."""
    assert page.locator("#confirmation").count() == 1, page.url
    page.locator('form:has(input[name="confirmed"]) button[type=submit]').click()
    page.wait_for_load_state("load")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_pledge_then_its_commitment_from_the_donors_desk(new_page, live_server, lang):
    from trustfund.contributions.models import Commitment, Pledge
    from trustfund.donors.models import Donor

    sweden = _query(live_server, sa.select(Donor.id).where(Donor.name == "Kingdom of Sweden"))[0][0]
    page = login(new_page(), "mptf_officer", lang=lang)
    page.goto(f"/donors/{sweden}")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    appears(page.locator("#desk-currencies"))
    appears(page.locator("#desk-balance"))
    screenshot(page, f"desk-{lang}")

    page.locator(f'#desk-actions a[href="/contributions/pledges/new?donor={sweden}"]').click()
    assert page.locator("#donor_id").input_value() == str(sweden)  # the desk's donor, chosen
    page.locator("#currency").select_option("SEK")
    page.locator("#amount").fill("300000")
    page.locator("#note").fill(f"E2E pledge {lang}")
    _submit(page)
    pledge_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    page.locator(f'a[href^="/contributions/commitments/new?pledge={pledge_id}"]').click()
    assert page.locator("#currency").input_value() == "SEK"  # filled in from the pledge
    reference = f"E2E-{lang}-{uuid.uuid4().hex[:6]}"
    page.locator("#reference").fill(reference)
    _submit(page)
    assert "/contributions/commitments/" in page.url
    screenshot(page, f"desk-commitment-{lang}")

    (pledge_amount, fulfilled), = _query(live_server, sa.select(Pledge.amount, Pledge.fulfilled)
                                         .where(Pledge.id == pledge_id))
    (amount, linked), = _query(live_server, sa.select(Commitment.amount, Commitment.pledge_id)
                               .where(Commitment.reference == reference))
    assert amount == pledge_amount == fulfilled == Decimal("300000") and linked == pledge_id

    page.goto(f"/donors/{sweden}")
    first = page.locator("#desk-commitment-rows tbody tr").first
    assert reference in first.inner_text()  # latest first
    assert page.locator('#desk-commitment-rows a[href^="/contributions/commitments/"]').count() >= 1
    assert not page.errors, page.errors


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_bars_search_finds_what_each_role_may_see(new_page, live_server, lang):
    from trustfund.contributions.models import Deposit
    from trustfund.donors.models import Donor

    rows = _query(live_server, sa.select(Deposit.id, Deposit.bank_reference, Donor.name)
                  .join(Donor, Deposit.donor_id == Donor.id).where(Deposit.bank_reference != "")
                  .order_by(Deposit.id))
    sweden = next(r for r in rows if r.name == "Kingdom of Sweden")
    other = next(r for r in rows if r.name != "Kingdom of Sweden")

    officer = login(new_page(), "mptf_officer", lang=lang)
    officer.goto("/dashboard/")
    officer.locator("#bar-search").fill(other.bank_reference)
    officer.locator("#bar-search").press("Enter")
    officer.wait_for_load_state("load")
    assert "/search/" in officer.url
    link = officer.locator(f'#results-deposits a[href="/contributions/deposits/{other.id}"]')
    assert link.count() == 1
    screenshot(officer, f"search-officer-{lang}")
    link.click()
    assert officer.url.endswith(f"/contributions/deposits/{other.id}")

    donor = login(new_page(), "donor", lang=lang)
    donor.locator("#bar-search").fill(other.bank_reference)
    donor.locator("#bar-search").press("Enter")
    donor.wait_for_load_state("load")
    appears(donor.locator("#search-none"))  # another donor's deposit: nothing
    donor.locator("#search-page-q").fill(sweden.bank_reference)
    donor.locator("#search-page-q").press("Enter")
    donor.wait_for_load_state("load")
    assert donor.locator("#results-deposits li").count() >= 1
    assert sweden.bank_reference in donor.locator("#results-deposits").inner_text()
    screenshot(donor, f"search-donor-{lang}")
    assert not officer.errors and not donor.errors


@pytest.mark.parametrize("lang,country", [("en", "TV"), ("ar", "KI")])
def test_an_overrun_is_approved_by_a_second_srsg_staff_member(new_page, live_server, lang, country):
    from trustfund.contributions.models import Pool
    from trustfund.travel.models import TravelGrant

    first = login(new_page(), "srsg_staff", lang=lang)
    first.goto("/travel/grants/new")
    option = first.locator("#event_id option", has_text="Puerto Vallarta").first
    start = dt.date.fromisoformat(option.get_attribute("data-start"))
    end = dt.date.fromisoformat(option.get_attribute("data-end"))
    first.locator("#event_id").select_option(option.get_attribute("value"))
    delegate = f"E2E Overrun {lang} {uuid.uuid4().hex[:6]}"
    first.locator("#delegate_name").fill(delegate)
    first.locator("#country_code").select_option(country)
    first.locator("#travel_from").fill((start - dt.timedelta(days=1)).isoformat())
    first.locator("#travel_to").fill((end + dt.timedelta(days=1)).isoformat())
    first.locator("#origin_city").fill("Funafuti" if country == "TV" else "Tarawa")
    first.locator("#airfare").fill("2000.00")
    _submit(first)
    grant_id = int(first.url.rstrip("/").rsplit("/", 1)[1])

    second = login(new_page(), "srsg_staff2", lang=lang)
    second.goto(f"/travel/grants/{grant_id}")
    second.locator(f'form[action="/travel/grants/{grant_id}/approve"] button[type=submit]').click()
    second.wait_for_load_state("load")
    _confirm(second)
    (committed, pool_id), = _query(live_server, sa.select(TravelGrant.committed_amount, TravelGrant.pool_id)
                                   .where(TravelGrant.id == grant_id))
    assert committed > 0

    # The first records costs 500.00 above the commitment: an overrun, not yet paid.
    first.goto(f"/travel/grants/{grant_id}/travelled")
    ticket = Decimal(first.locator("#actual_ticket").input_value()) + Decimal("500.00")
    first.locator("#actual_ticket").fill(f"{ticket:.2f}")
    _submit(first)
    _confirm(first)
    (status, overrun, spent_before), = _query(live_server, sa.select(
        TravelGrant.overrun_status, TravelGrant.overrun_amount, Pool.spent)
        .join(Pool, Pool.id == TravelGrant.pool_id).where(TravelGrant.id == grant_id))
    assert (status, overrun) == ("pending", Decimal("500.00"))
    first.goto("/travel/queue")  # the recorder may not decide
    assert first.locator(f'form[action="/travel/grants/{grant_id}/overrun/approve"]').count() == 0

    second.goto("/travel/queue")
    approve = second.locator(f'form[action="/travel/grants/{grant_id}/overrun/approve"] button')
    assert approve.count() == 1
    screenshot(second, f"overrun-queue-{lang}")
    approve.click()
    second.wait_for_load_state("load")
    _confirm(second)
    (status, spent_after), = _query(live_server, sa.select(TravelGrant.overrun_status, Pool.spent)
                                    .join(Pool, Pool.id == TravelGrant.pool_id)
                                    .where(TravelGrant.id == grant_id))
    assert status == "approved" and spent_after - spent_before == Decimal("500.00")
    assert pool_id is not None
    assert not first.errors and not second.errors
