"""Entering a request: figures, overrides with reasons, dates, delegates, refusals."""
import datetime as dt
from decimal import Decimal

import pytest

from tests.factories.travel import count, make_event, make_request, srsg
from trustfund.admin.models import TERMINAL_EXPENSES, Setting
from trustfund.audit import AuditEntry
from trustfund.errors import DomainError
from trustfund.travel.models import Delegate, TravelGrant
from trustfund.travel.services import save_event


def refused(db, call, field):
    rows = (count(TravelGrant), count(Delegate), count(AuditEntry))
    with pytest.raises(DomainError) as error:
        call()
    db.session.rollback()
    assert error.value.field == field, error.value.message
    assert (count(TravelGrant), count(Delegate), count(AuditEntry)) == rows
    return error.value.message


def test_figures_are_computed_from_the_event_and_the_terminal_setting(db):
    # Terminal expenses: the setting in force on the event's first day.
    db.session.add(Setting(key=TERMINAL_EXPENSES, value="120.50", effective_from=dt.date(2017, 5, 9)))
    db.session.commit()
    may8 = make_event("On the 8th", (dt.date(2017, 5, 8), dt.date(2017, 5, 9)), rate="397.33")
    may9 = make_event("On the 9th", (dt.date(2017, 5, 9), dt.date(2017, 5, 9)), rate="397.33")
    first = make_request(may8, "SN", airfare="1850.10")
    assert (first.dsa_days, first.dsa_rate, first.dsa_amount) == (3, Decimal("397.33"), Decimal("1191.99"))
    assert first.terminal_expenses == Decimal("100.00")
    assert first.total == Decimal("3142.09")
    assert first.override_reason == "" and first.status == "requested" and first.committed_amount == 0
    second = make_request(may9, "SN", name="Another delegate of SN", airfare="1850.10")
    assert second.dsa_days == 2 and second.terminal_expenses == Decimal("120.50")
    assert second.total == Decimal("1850.10") + Decimal("794.66") + Decimal("120.50")


def test_dsa_days_follow_the_trip_when_it_is_shorter(db):
    event = make_event()
    grant = make_request(event, "SN", travel_from=dt.date(2017, 5, 8), travel_to=dt.date(2017, 5, 9))
    assert grant.dsa_days == 2 and grant.dsa_amount == Decimal("800.00")


def test_a_changed_figure_needs_a_reason(db):
    event = make_event()
    message = refused(db, lambda: make_request(event, "SN", total="5000.00"), "override_reason")
    assert message == "You changed a computed figure: say why."
    refused(db, lambda: make_request(event, "SN", dsa_days=4), "override_reason")
    refused(db, lambda: make_request(event, "SN", terminal_expenses="0"), "override_reason")
    grant = make_request(event, "SN", dsa_amount="900.00", override_reason="Hotel provided by the host.")
    assert grant.dsa_amount == Decimal("900.00")
    assert grant.total == Decimal("1000.00") + Decimal("900.00") + Decimal("100.00")
    assert grant.override_reason == "Hotel provided by the host."


def test_entering_the_computed_figures_by_hand_is_no_change(db):
    event = make_event()
    grant = make_request(event, "SN", dsa_amount="1200.00", terminal_expenses="100.00", total="2300.00",
                         override_reason="ignored")
    assert grant.total == Decimal("2300.00") and grant.override_reason == ""


@pytest.mark.parametrize("value,message", [
    ("abc", "Enter a number such as 1,250.00."), ("-5", "Enter a number such as 1,250.00."),
    ("12.345", "USD amounts have at most 2 decimal places."), ("0", "The amount must be greater than zero."),
    ("NaN", "Enter a number such as 1,250.00."), ("", "Enter an amount."),
])
def test_bad_airfare_is_refused_beside_the_field(db, value, message):
    event = make_event()
    got = refused(db, lambda: make_request(event, "SN", airfare=value), "airfare")
    if value != "-5":
        assert got == message


def test_travel_dates_must_fit_the_event(db):
    event = make_event()
    refused(db, lambda: make_request(event, "SN", travel_from=dt.date(2017, 4, 1)), "travel_from")
    refused(db, lambda: make_request(event, "SN", travel_to=dt.date(2017, 6, 1)), "travel_to")
    message = refused(db, lambda: make_request(event, "SN", travel_from=dt.date(2017, 5, 9),
                                               travel_to=dt.date(2017, 5, 8)), "travel_to")
    assert message == "The day of return cannot be before the day of departure."
    refused(db, lambda: make_request(event, "SN", dsa_days=9, override_reason="x"), "dsa_days")


def test_missing_event_country_or_city_are_refused(db):
    event = make_event()
    refused(db, lambda: make_request(event, "XX"), "country_code")
    refused(db, lambda: srsg_request(event_id=0), "event_id")
    refused(db, lambda: srsg_request(event_id=event.id, origin_city="  "), "origin_city")
    refused(db, lambda: srsg_request(event_id=event.id, delegate_name=" "), "delegate_name")


def srsg_request(**kw):
    from trustfund.travel.services import request_grant

    data = dict(event_id=1, delegate_name="A B", country_code="SN", travel_from=dt.date(2017, 5, 7),
                travel_to=dt.date(2017, 5, 10), origin_city="Dakar", airfare="100.00")
    data.update(kw)
    return request_grant(srsg(), **data)


def test_a_delegate_is_reused_by_name_and_country_and_cannot_be_requested_twice(db):
    event = make_event()
    other = make_event("Another", (dt.date(2017, 6, 19), dt.date(2017, 6, 20)))
    first = make_request(event, "SN", "Aminata Diop", email="a@example.org")
    second = make_request(other, "SN", "  aminata   DIOP ", phone="+221 33 000 00 00")
    assert first.delegate_id == second.delegate_id
    delegate = db.session.get(Delegate, first.delegate_id)
    assert (delegate.email, delegate.phone) == ("a@example.org", "+221 33 000 00 00")
    # The same name for another country is another person.
    assert make_request(event, "ML", "Aminata Diop").delegate_id != first.delegate_id
    message = refused(db, lambda: make_request(event, "SN", "Aminata Diop"), "delegate_name")
    assert message == "This delegate already has a request for this event."


def test_only_srsg_staff_enter_requests(db, users):
    from trustfund.travel.services import request_grant

    event = make_event()
    with pytest.raises(DomainError):
        request_grant(users["mptf_officer"], event_id=event.id, delegate_name="X", country_code="SN",
                      travel_from=dt.date(2017, 5, 7), travel_to=dt.date(2017, 5, 10), origin_city="Dakar",
                      airfare="100.00")
    db.session.rollback()


def test_an_event_edit_from_a_stale_form_is_refused(db):
    event = make_event()
    version = event.version
    save_event(srsg(), event, kind=event.kind, title="Renamed", city=event.city, venue="",
               start_on=event.start_on, end_on=event.end_on, dsa_rate="410.00", max_per_country=1,
               version=version)
    db.session.commit()
    with pytest.raises(DomainError) as error:
        save_event(srsg(), event, kind=event.kind, title="Mine", city=event.city, venue="",
                   start_on=event.start_on, end_on=event.end_on, dsa_rate="400.00", max_per_country=1,
                   version=version)
    db.session.rollback()
    assert "Reload the page" in error.value.message
    assert event.title == "Renamed" and event.dsa_rate == Decimal("410.00")


def test_event_dates_and_rate_are_checked(db):
    event = make_event()
    base = dict(kind="thematic_session", title="T", city="Geneva", venue="", dsa_rate="400.00",
                max_per_country=1)
    with pytest.raises(DomainError) as error:
        save_event(srsg(), None, start_on=dt.date(2017, 5, 9), end_on=dt.date(2017, 5, 8), **base)
    assert error.value.field == "end_on"
    db.session.rollback()
    with pytest.raises(DomainError) as error:
        save_event(srsg(), None, start_on=dt.date(2017, 5, 9), end_on=dt.date(2017, 5, 9),
                   **dict(base, dsa_rate="12.345"))
    assert error.value.field == "dsa_rate"
    db.session.rollback()
    with pytest.raises(DomainError) as error:
        save_event(srsg(), None, start_on=dt.date(2017, 5, 9), end_on=dt.date(2017, 5, 9),
                   **dict(base, kind="party"))
    assert error.value.field == "kind"
    db.session.rollback()
    assert event.title == "Thematic session, Geneva"


@pytest.mark.parametrize("name", ["Élodie Diouf", "Ödön Bâ", "ÇAĞRI Ndiaye"])
def test_a_delegate_whose_name_begins_with_an_accented_capital_is_found_again(db, users, name):
    """Entered twice, spelt the same (or in other capitals), for the same event: one
    delegate, and the second request refused, on SQLite too (whose lower() folds ASCII
    letters only): otherwise one trip could be approved twice within the cap."""
    event = make_event(cap=2)
    make_request(event, "SN", name)
    with pytest.raises(DomainError) as refused:
        make_request(event, "SN", name.lower())
    assert refused.value.message == "This delegate already has a request for this event."
    db.session.rollback()
    assert count(Delegate) == 1
