"""See before you post: the deposit form's preview (GET, read-only, officers only) gives
the figures the deposit will be recorded with, computed by the service's own code:
to the cent what recording the same values stores, in every currency, with the fee
rate in force on the value date."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from tests.factories.contributions import commitment, counts, donor, un_rate
from tests.pages import post_entry
from trustfund.admin.confirmed_settings import set_setting
from trustfund.admin.models import FEE_RATE
from trustfund.contributions import confirmed
from trustfund.contributions.models import Deposit

D = Decimal


def _preview(client, c, **values):
    query = {"value_date": "2018-05-10", "amount": "", "rate": "", "rate_note": ""}
    query.update(values)
    answer = client.get(f"/contributions/commitments/{c.id}/deposits/preview?{urlencode(query)}")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    return answer.get_json()


def _record(client, c, **values) -> Deposit:
    form = {"value_date": "2018-05-10", "amount": "", "rate": "", "rate_note": "", "bank_reference": ""}
    form.update(values)
    answer = post_entry(client, f"/contributions/commitments/{c.id}/deposits/new", form)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return db_deposit(int(answer.headers["Location"].rsplit("/", 1)[1]))


def db_deposit(deposit_id: int) -> Deposit:
    from trustfund.extensions import db

    return db.session.get(Deposit, deposit_id)


def _stored(d: Deposit) -> dict:
    return {"amount": d.amount, "rate": d.rate, "usd": d.usd_amount, "fee_rate": d.fee_rate, "fee": d.fee,
            "net": d.net}


def _previewed(figures: dict) -> dict:
    """The preview's figures as numbers (the database keeps amounts at three decimals)."""
    return {k: D(v) for k, v in figures.items() if k != "outstanding_after"}


RATES = {"EUR": "0.941", "JPY": "109.66", "KWD": "0.30195", "CHF": "0.997"}


@pytest.mark.parametrize("currency, committed, typed, figures", [
    # The design's example: EUR 1,000,000.00 at 0.941.
    ("EUR", "1500000.00", "1,000,000.00", ("1000000.00", "0.941", "1062699.26", "10626.99", "1052072.27")),
    # No decimals in yen: 11,050,000 / 109.66 = 100,765.9985...
    ("JPY", "20000000", "11050000", ("11050000", "109.66", "100766.00", "1007.66", "99758.34")),
    # Three in the Kuwaiti dinar: 30,195.125 / 0.30195 = 100,000.41...
    ("KWD", "50000.000", "30195.125", ("30195.125", "0.30195", "100000.41", "1000.00", "99000.41")),
    ("USD", "500000.00", "2500.55", ("2500.55", "1", "2500.55", "25.01", "2475.54")),
])
def test_the_preview_is_what_the_deposit_records(app, db, client, login_as, currency, committed, typed,
                                                 figures):
    if currency in RATES:
        confirmed.set_rate(None, currency, dt.date(2018, 5, 1), RATES[currency])
    c = commitment(currency, committed, reference=f"{currency}-1")
    login_as("mptf_officer")
    before = counts()
    shown = _preview(client, c, amount=typed)
    assert counts() == before  # a preview writes nothing
    assert shown["ok"] is True and shown["problem"] is None
    amount, rate, usd, fee, net = figures
    assert shown["figures"] == {"amount": amount, "rate": rate, "usd": usd, "fee_rate": "0.01", "fee": fee,
                                "net": net, "outstanding_after": str(D(committed) - D(amount))}
    assert shown["table_rate"] == rate and shown["month"] == "May 2018"
    recorded = _record(client, c, amount=typed)
    assert _stored(recorded) == _previewed(shown["figures"])


def test_the_preview_shows_what_the_user_reads(app, db, client, login_as, users):
    confirmed.set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    c = commitment("EUR", "1500000.00")
    login_as("mptf_officer")
    shown = _preview(client, c, amount="1000000")["shown"]
    assert shown == {"amount": "EUR\u00a01,000,000.00", "rate": "0.941", "table_rate": "0.941",
                     "usd": "USD\u00a01,062,699.26", "fee": "USD\u00a010,626.99", "fee_rate": "1%",
                     "net": "USD\u00a01,052,072.27", "outstanding_after": "EUR\u00a0500,000.00"}
    users["mptf_officer"].locale = "fr"
    db.session.commit()
    shown = _preview(client, c, amount="1 000 000,00")
    assert shown["month"] == "mai 2018"
    assert shown["shown"]["usd"] == "1\u202f062\u202f699,26\u00a0USD"
    assert shown["shown"]["rate"] == "0,941" and shown["shown"]["fee_rate"] == "1\u00a0%"


def test_the_fee_rate_in_force_on_the_value_date(app, db, client, login_as, users):
    """The fee is 1% until the admin sets 1.5% from 1 January 2019: a deposit valued
    on 31 December pays 1%, one valued on 1 January 1.5%, in the preview as recorded."""
    set_setting(users["admin"], FEE_RATE, "0.015", dt.date(2019, 1, 1))
    c = commitment("USD", "1000000.00")
    db.session.commit()
    login_as("mptf_officer")
    for day, fee_rate, fee in (("2018-12-31", "0.01", "1000.00"), ("2019-01-01", "0.015", "1500.00")):
        shown = _preview(client, c, value_date=day, amount="100000.00")
        figures = shown["figures"]
        assert (shown["fee_rate"], figures["fee_rate"], figures["fee"]) == (fee_rate, fee_rate, fee)
        assert shown["shown"]["fee_rate"] == ("1%" if fee_rate == "0.01" else "1.5%")
        recorded = _record(client, c, value_date=day, amount="100000.00", bank_reference=f"B-{day}")
        assert _stored(recorded) == _previewed(shown["figures"])


@pytest.mark.parametrize("values, field, message", [
    ({"amount": ""}, "amount", "Enter an amount."),
    ({"amount": "1000.5"}, "amount", "JPY amounts have no decimals."),
    ({"amount": "１２３"}, "amount", "Enter a number such as 1,250,000."),
    ({"amount": "30000000"}, "amount", "past the commitment"),
    ({"amount": "1000", "rate": "110"}, "rate_note", "The UN operational rate for May 2018 is 109.66."),
    ({"amount": "1000", "value_date": "2018-06-10"}, "rate", "There is no UN operational rate for JPY in "
                                                             "June 2018."),
    ({"amount": "1000", "value_date": "2999-01-01"}, "value_date", "cannot be in the future"),
])
def test_the_preview_says_why_the_deposit_would_be_refused(app, db, client, login_as, values, field, message):
    confirmed.set_rate(None, "JPY", dt.date(2018, 5, 1), "109.66")
    c = commitment("JPY", "20000000")
    login_as("mptf_officer")
    shown = _preview(client, c, **values)
    assert shown["ok"] is False and shown["figures"] is None
    assert shown["field"] == field and message in shown["problem"]
    # The same values sent are refused with the same message.
    form = {"value_date": "2018-05-10", "amount": "", "rate": "", "rate_note": "", "bank_reference": ""}
    form.update(values)
    answer = post_entry(client, f"/contributions/commitments/{c.id}/deposits/new", form)
    assert answer.status_code == 200 and message in answer.get_data(as_text=True).replace("&#39;", "'")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 0


def test_a_value_date_not_yet_given(app, db, client, login_as):
    c = commitment("USD", "1000.00")
    login_as("mptf_officer")
    for typed in ("", "10/05/2018", "2018-05-10T00:00"):
        shown = _preview(client, c, amount="100.00", value_date=typed)
        assert (shown["ok"], shown["field"]) == (False, "value_date")
        assert shown["problem"] == "Enter the value date."
        assert shown["month"] is None and shown["fee_rate"] is None


def test_a_typed_rate_with_its_note_is_previewed_as_typed(app, db, client, login_as):
    c = commitment("CHF", "1000000.00")
    un_rate("CHF", dt.date(2018, 4, 1), "0.995")  # April's, not the deposit's month
    login_as("mptf_officer")
    shown = _preview(client, c, amount="100000.00", rate="0.9971", rate_note="Bank's rate of the day")
    assert shown["table_rate"] is None
    assert shown["figures"]["rate"] == "0.9971" and shown["figures"]["usd"] == "100290.84"


def test_a_donor_without_a_signed_saa_is_refused_in_the_preview(app, db, client, login_as):
    from trustfund.contributions.models import Commitment

    c = commitment("USD", "1000.00", who=donor("Republic of Nowhere"))
    db.session.get(Commitment, c.id).donor.saa_status = "under_negotiation"
    db.session.commit()
    login_as("mptf_officer")
    shown = _preview(client, c, amount="100.00")
    assert shown["ok"] is False and "needs a signed SAA in force" in shown["problem"]


def test_only_the_officer_previews_a_deposit(app, db, client, login_as):
    c = commitment("USD", "1000.00")
    url = f"/contributions/commitments/{c.id}/deposits/preview?value_date=2018-05-10&amount=10"
    for role in ("admin", "srsg_staff", "auditor", "donor"):
        login_as(role)
        assert client.get(url).status_code == 403
    login_as("mptf_officer")
    assert client.get(url.replace(f"/{c.id}/", "/999999/")).status_code == 404


def test_the_form_carries_the_preview_and_its_script(app, db, client, login_as):
    c = commitment("USD", "1000.00")
    login_as("mptf_officer")
    html = client.get(f"/contributions/commitments/{c.id}/deposits/new").get_data(as_text=True)
    assert f'data-preview="/contributions/commitments/{c.id}/deposits/preview"' in html
    assert 'id="deposit-preview"' in html and "contributions.js" in html
