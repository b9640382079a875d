"""A confirmation page carries the values as the user typed them, and says which
language it read them in. Posted in another language (the language menu, in another
tab), the same text would be read otherwise ("1,500" is 1.5 in French): nothing is
done, and the summary is shown again as now read, with a warning, for the user to
check. (Found by a colleague's review: the transfer confirmed after "USD 1,500.00"
was shown used to be USD 1.50.)"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tests.factories.contributions import commitment, deposit, pool
from tests.pages import confirmation, error_beside, form_token, summary_of, text
from trustfund.contributions.models import TransferProposal

URL = "/contributions/pools/transfer"


def _proposals(db) -> list[TransferProposal]:
    db.session.expire_all()
    return db.session.scalars(sa.select(TransferProposal)).all()


def test_a_confirmation_posted_in_another_language_is_shown_again_not_done(app, db, client, login_as, users):
    free = commitment("USD", "200000.00")
    deposit(free, Decimal("200000.00"))
    login_as("admin")
    first = client.post(URL, data={
        "from_pool_id": str(pool("UNEARMARKED").id), "to_pool_id": str(pool("OBJ2").id),
        "usd_amount": "1,500", "transferred_on": "2018-06-01", "reason": "surplus",
        "form_token": form_token(client, URL)})
    page = first.get_data(as_text=True)
    assert "USD 1,500.00" in summary_of(page)  # what the admin confirms
    assert "language changed" not in text(page)
    action, fields = confirmation(page)
    assert ("confirmed_in", "en") in fields
    # The session's language changes before Confirm is pressed (the menu, another tab).
    assert client.post("/language", data={"lang": "fr", "next": "/"}).status_code == 302
    again = client.post(action, data=MultiDict(fields))
    assert again.status_code == 200 and _proposals(db) == []
    html = again.get_data(as_text=True)
    # Read in French, "1,500" has three decimals: refused beside the amount (it was once
    # confirmed as USD 1.50), the form back with the warning saying why, in French.
    assert "Votre langue a changé" in text(html)
    assert "2 décimales" in error_beside(html, "usd_amount") or "2\u00a0décimales" in error_beside(
        html, "usd_amount"), error_beside(html, "usd_amount")


def test_a_confirmation_posted_in_its_own_language_is_done(app, db, client, login_as, users):
    free = commitment("USD", "200000.00")
    deposit(free, Decimal("200000.00"))
    login_as("admin")
    page = client.post(URL, data={
        "from_pool_id": str(pool("UNEARMARKED").id), "to_pool_id": str(pool("OBJ2").id),
        "usd_amount": "1,500", "transferred_on": "2018-06-01", "reason": "surplus",
        "form_token": form_token(client, URL)}).get_data(as_text=True)
    action, fields = confirmation(page)
    assert client.post(action, data=MultiDict(fields)).status_code == 302
    [proposal] = _proposals(db)
    assert proposal.usd_amount == Decimal("1500.00")


def test_a_confirmation_read_alike_in_another_language_is_shown_again_then_done(app, db, client, login_as,
                                                                               users):
    """Values that read alike in both languages ("1500") are shown again with the
    warning, not done; what the page then shows is what is confirmed."""
    free = commitment("USD", "200000.00")
    deposit(free, Decimal("200000.00"))
    login_as("admin")
    first = client.post(URL, data={
        "from_pool_id": str(pool("UNEARMARKED").id), "to_pool_id": str(pool("OBJ2").id),
        "usd_amount": "1500", "transferred_on": "2018-06-01", "reason": "surplus",
        "form_token": form_token(client, URL)})
    action, fields = confirmation(first.get_data(as_text=True))
    assert client.post("/language", data={"lang": "fr", "next": "/"}).status_code == 302
    again = client.post(action, data=MultiDict(fields))
    html = again.get_data(as_text=True)
    assert again.status_code == 200 and _proposals(db) == []
    assert 'id="language-changed"' in html and "Votre langue a changé" in text(html)
    action, fields = confirmation(html)
    assert ("confirmed_in", "fr") in fields
    assert client.post(action, data=MultiDict(fields)).status_code == 302
    [proposal] = _proposals(db)
    assert proposal.usd_amount == Decimal("1500.00")
