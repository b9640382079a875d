"""See before you post, in Chromium, in English and in Arabic (issue 17):

1. The deposit form shows the rate, the US dollars, the fee and the net as the
   officer types, each time what the server computes; the deposit recorded is
   what the preview said.
2. A deposits workbook: its preview lists every row and the totals, and only
   confirming records them.
3. A file of monthly UN rates: its preview, then confirming sets the rates.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from tests.e2e.browser import ACCOUNTS, appears, login, screenshot
from trustfund.contributions import confirmed
from trustfund.money import split_deposit

pytestmark = pytest.mark.e2e

LANGUAGES = ["en", "ar"]


def sign_in(new_page, role: str, lang: str):
    """A page logged in as `role`, in `lang`: Arabic chosen on the login page (the
    session's language), so that the account's own language is left as it is."""
    page = new_page()
    if lang == "en":
        return login(page, role)
    page.goto("/login")
    page.locator("#lang-picker").select_option(lang)  # submits itself (app.js)
    page.wait_for_function("lang => document.documentElement?.lang === lang", arg=lang)
    email, password = ACCOUNTS[role]
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "/login" not in page.url
    assert page.locator("html").get_attribute("dir") == "rtl"
    return page


def in_app(live_server, work):
    from trustfund.extensions import db

    with live_server.app.app_context():
        result = work(db)
        db.session.commit()
        return result


def officer_and_donor(db):
    from trustfund.auth.models import User
    from trustfund.donors.models import Donor

    officer = db.session.scalar(sa.select(User).where(User.email == ACCOUNTS["mptf_officer"][0]))
    donor = db.session.scalar(sa.select(Donor).where(Donor.name == "Kingdom of Sweden"))
    return officer, donor


def new_commitment(live_server, currency: str, amount: str, rate: str | None = None) -> tuple[int, str]:
    """A commitment of the demo's signed donor, made through the services; with `rate`,
    the UN rate of this month for its currency."""
    from trustfund.contributions import services

    def work(db):
        officer, donor = officer_and_donor(db)
        today = dt.date.today()
        if rate is not None:
            confirmed.set_rate(officer, currency, today.replace(day=1), rate)
        reference = f"E2E-{uuid.uuid4().hex[:8]}"
        made = services.record_commitment(officer, donor, currency=currency, amount=Decimal(amount),
                                          objective_id=None, committed_on=today, reference=reference)
        return made.id, reference

    return in_app(live_server, work)


def fee_rate_today(live_server) -> Decimal:
    from trustfund.admin.models import FEE_RATE, setting_on

    return in_app(live_server, lambda db: setting_on(FEE_RATE, dt.date.today()))


def figure(page, name: str) -> str:
    return page.locator(f"#deposit-preview [data-figure='{name}']").inner_text()


def wait_for_figure(page, name: str, value: Decimal) -> None:
    """Until the preview shows `value` (1,234.56: the digits and separators every
    language of the app writes here) for figure `name`."""
    text = f"{value:,.2f}"
    page.wait_for_function(
        "([name, text]) => (document.querySelector(`#deposit-preview [data-figure='${name}']`)"
        "  || {}).textContent.includes(text)", arg=[name, text])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_deposit_preview_follows_the_officer_typing(new_page, live_server, lang):
    rate = Decimal("0.9712") if lang == "en" else Decimal("0.9655")
    commitment_id, _reference = new_commitment(live_server, "CHF", "5000000.00", str(rate))
    fee_rate = fee_rate_today(live_server)
    page = sign_in(new_page, "mptf_officer", lang)
    page.goto(f"/contributions/commitments/{commitment_id}/deposits/new")
    preview = page.locator("#deposit-preview")
    appears(preview)  # shown by the script; hidden without it
    assert page.locator("input[name=rate]").input_value() == str(rate)  # this month's UN rate

    amount = page.locator("input[name=amount]")
    amount.click()
    amount.press_sequentially("2500", delay=40)
    usd, fee, net = split_deposit(Decimal("2500"), rate, fee_rate)
    wait_for_figure(page, "net", net)
    assert f"{usd:,.2f}" in figure(page, "usd") and f"{fee:,.2f}" in figure(page, "fee")
    assert "%" in figure(page, "fee_rate")
    screenshot(page, f"deposit-preview-2500-{lang}")

    # Three more digits: 2,500,000, and the preview follows.
    amount.press_sequentially("000", delay=40)
    usd, fee, net = split_deposit(Decimal("2500000"), rate, fee_rate)
    wait_for_figure(page, "net", net)
    assert f"{usd:,.2f}" in figure(page, "usd") and f"{fee:,.2f}" in figure(page, "fee")
    wait_for_figure(page, "outstanding_after", Decimal("2500000.00"))

    # Another rate than the UN one, without a note: the preview says why it would be refused.
    rate_input = page.locator("input[name=rate]")
    rate_input.fill("")
    rate_input.press_sequentially("0.95", delay=40)
    page.wait_for_function("() => document.querySelector('#deposit-preview-problem').textContent.length > 0")
    assert figure(page, "net") == "—"
    page.locator("textarea[name=rate_note]").fill("Rate of the bank's confirmation")
    usd, fee, net = split_deposit(Decimal("2500000"), Decimal("0.95"), fee_rate)
    wait_for_figure(page, "net", net)
    assert page.locator("#deposit-preview-problem").inner_text() == ""
    shown = {name: figure(page, name) for name in ("usd", "fee", "net")}
    screenshot(page, f"deposit-preview-typed-rate-{lang}")

    page.locator("input[name=bank_reference]").fill(f"E2E/{uuid.uuid4().hex[:8]}")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/contributions/deposits/\d+$"))
    deposit_id = int(page.url.rsplit("/", 1)[1])

    def stored(db):
        from trustfund.contributions.models import Deposit

        d = db.session.get(Deposit, deposit_id)
        return d.amount, d.rate, d.usd_amount, d.fee, d.net

    assert in_app(live_server, stored) == (Decimal("2500000.00"), Decimal("0.95"), usd, fee, net)
    for name, value in zip(("usd", "fee", "net"), (usd, fee, net), strict=True):
        assert f"{value:,.2f}" in shown[name]
    assert not page.errors, page.errors


def deposits_workbook(reference: str, rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Deposits"
    sheet.append(["Commitment", "Value date", "Amount", "Currency", "Rate", "Rate note", "Bank reference"])
    for i in range(rows):
        sheet.append([reference, dt.date.today() - dt.timedelta(days=i), 1000 + i, "USD", None, None,
                      f"E2E-IMPORT/{reference}/{i}"])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_import_is_previewed_then_recorded_on_confirming(new_page, live_server, lang):
    _id, reference = new_commitment(live_server, "USD", "100000.00")

    def count(db) -> int:
        from trustfund.contributions.models import Deposit

        return db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)
                                 .where(Deposit.bank_reference.like(f"E2E-IMPORT/{reference}/%")))

    page = sign_in(new_page, "mptf_officer", lang)
    page.goto("/contributions/deposits/import")
    page.locator("input[type=file][name=file]").set_input_files(
        {"name": "e2e-deposits.xlsx", "mimeType": "application/vnd.openxmlformats-officedocument."
         "spreadsheetml.sheet", "buffer": deposits_workbook(reference, 3)})
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/contributions/deposits/import/[\w-]+$"))
    rows = page.locator("#import-rows tbody tr")
    assert rows.count() == 3
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(3)] == ["2", "3", "4"]
    total = page.locator("#import-usd").inner_text()
    assert "3,003.00" in total
    assert in_app(live_server, count) == 0  # the preview recorded nothing
    screenshot(page, f"import-preview-{lang}")

    page.locator("form[action$='/confirm'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/contributions/deposits$"))
    appears(page.locator(".alert-success"))
    assert in_app(live_server, count) == 3
    screenshot(page, f"import-done-{lang}")
    assert not page.errors, page.errors


@pytest.mark.parametrize("lang", LANGUAGES)
def test_monthly_rates_are_uploaded_previewed_and_confirmed(new_page, live_server, lang):
    year = 2040 if lang == "en" else 2041  # months of their own: each run adds its rates
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["Currency", "Month", "Rate"])
    writer.writerows([["EUR", f"{year}-01", "0.9123"], ["JPY", f"{year}-01", "112.8"],
                      ["KWD", f"{year}-01", "0.30712"]])

    def rates(db):
        from trustfund.contributions.models import ExchangeRate

        return {r.currency: r.rate for r in db.session.scalars(
            sa.select(ExchangeRate).where(ExchangeRate.month == dt.date(year, 1, 1)))}

    page = sign_in(new_page, "mptf_officer", lang)
    page.goto("/contributions/rates")
    page.locator("a[href='/contributions/rates/import']").click()
    page.locator("input[type=file][name=file]").set_input_files(
        {"name": f"un-rates-{year}.csv", "mimeType": "text/csv", "buffer": text.getvalue().encode()})
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/contributions/rates/import/[\w-]+$"))
    new = page.locator("#rates-new tbody tr")
    assert new.count() == 3
    assert [new.nth(i).locator("td").nth(1).inner_text() for i in range(3)] == ["EUR", "JPY", "KWD"]
    assert in_app(live_server, rates) == {}  # nothing yet
    screenshot(page, f"rates-preview-{lang}")

    # Nobody alone sets the rates: the file waits for a second MPTF officer.
    assert page.locator("form[action$='/confirm']").count() == 0
    assert page.locator("form[action$='/withdraw']").count() == 1
    second = sign_in(new_page, "mptf_officer2", lang)
    second.goto("/contributions/rates")
    second.locator("#waiting-rate-files a").last.click()
    second.wait_for_url(re.compile(r"/contributions/rates/import/[\w-]+$"))
    second.locator("form[action$='/confirm'] button[type=submit]").click()
    second.wait_for_url(re.compile(r"/contributions/rates$"))
    appears(second.locator(".alert-success"))
    assert not second.errors, second.errors
    assert in_app(live_server, rates) == {"EUR": Decimal("0.9123"), "JPY": Decimal("112.8"),
                                          "KWD": Decimal("0.30712")}
    assert not page.errors, page.errors
