"""An amount pasted with an invisible direction mark (RLM/LRM/ALM: the text checks let
them through, Arabic text carries them) is read as the number it shows: it was
refused with "Enter a number such as 1,250,000.00" beside a field showing exactly
such a number. (A colleague's review of typing in other scripts.)"""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories.contributions import counts, sweden
from tests.pages import error_beside, post_entry
from trustfund.contributions.models import Pledge
from trustfund.money import amount_refusal


@pytest.mark.parametrize("lang", ["ar", "en"])
@pytest.mark.parametrize("typed", ["\u200f250000.50", "250000.50\u200f", "\u200e250000.50",
                                   "250000.50\u061c"])
def test_an_amount_with_a_direction_mark_is_read_or_refused_in_words_that_say_why(
        app, db, client, login_as, lang, typed):
    from trustfund.language import speaking

    user = login_as("mptf_officer")
    user.locale = lang
    db.session.commit()
    before = counts()
    response = post_entry(client, "/contributions/pledges/new", {
        "donor_id": str(sweden().id), "currency": "USD", "amount": typed, "objective_id": "",
        "pledged_on": "2017-10-19", "note": ""})
    if response.status_code == 302:
        assert db.session.scalar(sa.select(Pledge.amount)) == Decimal("250000.50")
        return
    assert counts() == before
    shown = error_beside(response.get_data(as_text=True), "amount")
    with app.test_request_context(), speaking(lang):
        generic = amount_refusal()
    # The refusal tells the user to type a number like the one they see in the field.
    assert shown != generic, shown
