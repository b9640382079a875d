"""A waiting request keeps the figures computed when it was entered, and the approver
is told when its event no longer gives them: the DSA days after the event's dates
moved, the terminal expenses in force on a first day that moved (as when the event's
DSA rate is corrected: rated_before_correction). The approval committed the old
figures without a word (a colleague's review of a conference week)."""
import datetime as dt

from tests.factories.travel import fund_pool, make_event, make_request, srsg, srsg2
from tests.pages import text
from trustfund.admin.models import TERMINAL_EXPENSES, Setting
from trustfund.extensions import db
from trustfund.travel import previews
from trustfund.travel.services import save_event


def _move(event, start_on, end_on):
    save_event(srsg(), event, kind=event.kind, title=event.title, city=event.city, venue=event.venue,
               start_on=start_on, end_on=end_on, dsa_rate=f"{event.dsa_rate:.2f}",
               max_per_country=event.max_per_country, version=event.version)
    db.session.commit()


def _notices(grant) -> list[str]:
    """What the approval's confirmation says beyond 'X will be committed' and the
    pool's money after it."""
    summary = previews.approval(srsg2(), grant, None)
    lines = [str(line) for line in summary.lines[:-2]] + ([str(summary.warning)] if summary.warning else [])
    return [line.replace("\xa0", " ") for line in lines]


def test_the_approver_is_told_when_the_event_was_lengthened_after_the_request(db):
    fund_pool(1, "20000.00")
    event = make_event(dates=(dt.date(2017, 5, 8), dt.date(2017, 5, 9)))
    grant = make_request(event, "SN", travel_from=dt.date(2017, 5, 7), travel_to=dt.date(2017, 5, 10))
    assert grant.dsa_days == 3 and _notices(grant) == []
    _move(event, dt.date(2017, 5, 8), dt.date(2017, 5, 10))  # a third day added
    db.session.refresh(grant)
    # The event's days plus one, within the 4-day trip, are now 4 DSA days.
    assert grant.dsa_days == 3
    assert _notices(grant) == [
        "This request counts 3 DSA days; the event's dates now give 4. Approving commits the request's own "
        "total, USD 2,300.00: to count them anew, reject or withdraw it and enter a new request."]


def test_the_approver_is_told_when_the_terminal_expenses_of_the_first_day_changed(db):
    fund_pool(1, "20000.00")
    db.session.add(Setting(key=TERMINAL_EXPENSES, value="120.50", effective_from=dt.date(2017, 5, 9)))
    db.session.commit()
    event = make_event(dates=(dt.date(2017, 5, 8), dt.date(2017, 5, 9)))
    grant = make_request(event, "SN", travel_from=dt.date(2017, 5, 7), travel_to=dt.date(2017, 5, 10))
    assert str(grant.terminal_expenses) == "100.00" and _notices(grant) == []
    _move(event, dt.date(2017, 5, 9), dt.date(2017, 5, 10))  # the event moved by a day
    db.session.refresh(grant)
    assert str(grant.terminal_expenses) == "100.00"  # USD 120.50 is in force on the new first day
    assert _notices(grant) == [
        "This request counts terminal expenses of USD 100.00; on the event's first day, as it now is, they "
        "are USD 120.50. Approving commits the request's own total, USD 2,300.00: to count them anew, reject "
        "or withdraw it and enter a new request."]


def test_the_grant_page_says_it_too(db, client, login_as):
    event = make_event(dates=(dt.date(2017, 5, 8), dt.date(2017, 5, 9)))
    grant = make_request(event, "SN", travel_from=dt.date(2017, 5, 7), travel_to=dt.date(2017, 5, 10))
    login_as("srsg_staff")
    assert "figures-since-moved" not in client.get(f"/travel/grants/{grant.id}").get_data(as_text=True)
    _move(event, dt.date(2017, 5, 8), dt.date(2017, 5, 10))
    page = text(client.get(f"/travel/grants/{grant.id}").get_data(as_text=True)).replace("\xa0", " ")
    assert "This request counts 3 DSA days; the event's dates now give 4." in page
