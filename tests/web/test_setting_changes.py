"""A setting's new value takes two admins (DESIGN.md §5, nobody alone moves money):
every setting moves money (the fee rate, terminal expenses, the overrun tolerance,
the refund waiver). The admin's setting form proposes the value; nothing changes
until a second, different, active admin confirms it on the settings page. Another
admin may refuse it with a reason; its proposer may withdraw it."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from tests.factories import browser_of, second_admin_confirms_setting
from tests.factories.contributions import commitment, deposit
from tests.pages import error_beside, error_beside_reason, reason_required, text
from trustfund.admin.models import (
    CONFIRMED,
    FEE_RATE,
    OVERRUN_TOLERANCE,
    PENDING,
    REFUSED,
    TERMINAL_EXPENSES,
    WITHDRAWN,
    Setting,
    SettingChange,
    setting_on,
)
from trustfund.admin.setting_changes import form_version
from trustfund.audit import AuditEntry
from trustfund.mail.models import OutboxMessage

D = Decimal
WAITS = "The new value is proposed: nothing changes until another administrator confirms it."
MINE = "You proposed this change: another administrator must confirm or refuse it."


def _propose(browser, key: str, value: str, day: str = "2018-01-01"):
    return browser.post(f"/admin/settings/{key}", data={"value": value, "effective_from": day,
                                                        "version": form_version(key)}, follow_redirects=True)


def _waiting(db) -> list[SettingChange]:
    db.session.expire_all()
    return db.session.scalars(sa.select(SettingChange).where(SettingChange.status == PENDING)).all()


def _decide(browser, change_id: int, decision: str, **data):
    return browser.post(f"/admin/setting-changes/{change_id}/{decision}", data=data, follow_redirects=True)


def _actions(db) -> list[tuple[str, int]]:
    return [tuple(row) for row in db.session.execute(
        sa.select(AuditEntry.action, AuditEntry.user_id)
        .where(AuditEntry.action.like("setting%")).order_by(AuditEntry.id))]


def test_a_new_fee_rate_charges_nothing_until_a_second_admin_confirms_it(app, db, client, login_as, users):
    login_as("admin")
    page = text(_propose(client, FEE_RATE, "0.02", "2018-07-01"))
    assert WAITS in page
    assert "Values waiting for a second administrator" in page
    assert "2% from 1 Jul 2018, in place of 1%." in page
    [change] = _waiting(db)
    # Nothing changed: a deposit recorded now is charged the 1% in force (dated before the
    # new rate's day: one dated on or after it would refuse the rate, test_fee_rate_after_deposits).
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Setting)
                             .where(Setting.key == FEE_RATE, Setting.value == "0.02")) == 0
    charged = deposit(commitment("USD", "10000.00"), D("1000.00"), value_date=dt.date(2018, 6, 1))
    assert charged.fee == D("10.00")
    # The proposer may withdraw it, not confirm or refuse it, even by posting.
    own = client.get("/admin/settings").get_data(as_text=True)
    assert f"/admin/setting-changes/{change.id}/withdraw" in own
    assert f"/admin/setting-changes/{change.id}/confirm" not in own
    assert MINE in text(_decide(client, change.id, "confirm"))
    assert MINE in text(_decide(client, change.id, "refuse", reason="mine"))
    assert len(_waiting(db)) == 1 and setting_on(FEE_RATE, dt.date(2018, 7, 1)) == D("0.01")
    # The other active admin is told by email, in their language; the proposer is not.
    [told] = db.session.scalars(sa.select(OutboxMessage)
                                .where(OutboxMessage.kind == "setting_change_waiting")).all()
    assert told.to_address == "admin2@test.example"
    body = " ".join(told.body_text.split())
    assert "Administrative Agent fee rate" in body and "2%" in body and "1 Jul 2018" in body
    assert "/admin/settings" in body
    # The second admin sees Confirm and Refuse (a reason required), and confirms.
    other = browser_of(app, "admin2")
    listed = other.get("/admin/settings").get_data(as_text=True)
    assert f"/admin/setting-changes/{change.id}/confirm" in listed
    assert f"/admin/setting-changes/{change.id}/withdraw" not in listed
    assert reason_required(listed, f"/admin/setting-changes/{change.id}/refuse")
    done = text(second_admin_confirms_setting(app, FEE_RATE))
    assert "Confirmed: 2% for Administrative Agent fee rate, in force from 1 Jul 2018." in done
    assert "Values waiting for a second administrator" not in done
    assert "admin, confirmed by admin2" in done
    assert setting_on(FEE_RATE, dt.date(2018, 7, 1)) == D("0.02")
    later = deposit(commitment("USD", "10000.00", reference="later"), D("1000.00"),
                    value_date=dt.date(2018, 7, 1))
    assert later.fee == D("20.00")
    # Sent again, the confirmation does nothing a second time.
    assert "This change was already decided: nothing was done." in text(_decide(other, change.id, "confirm"))
    db.session.expire_all()
    change = db.session.get(SettingChange, change.id)
    assert (change.status, change.decided_by_id, change.setting.value) == (
        CONFIRMED, users["admin2"].id, "0.02")
    assert _actions(db) == [("setting_change.propose", users["admin"].id),
                            ("setting.set", users["admin2"].id),
                            ("setting_change.confirm", users["admin2"].id)]
    login_as("auditor")
    trail = text(client.get("/admin/audit"))
    assert ("admin proposed 2% for Administrative Agent fee rate, in force from 1 Jul 2018; it waits for "
            "another administrator.") in trail
    assert ("admin2 confirmed 2% for Administrative Agent fee rate, in force from 1 Jul 2018, proposed by "
            "admin.") in trail


def test_another_admin_refuses_a_tolerance_with_a_reason_and_nothing_changes(app, db, client, login_as,
                                                                             users):
    login_as("admin")
    _propose(client, OVERRUN_TOLERANCE, "1000000")
    [change] = _waiting(db)
    other = browser_of(app, "admin2")
    # Without a reason: told beside that value's reason field, nothing written.
    answer = other.post(f"/admin/setting-changes/{change.id}/refuse", data={"reason": " "})
    assert answer.status_code == 200
    assert error_beside_reason(answer.get_data(as_text=True),
                               f"/admin/setting-changes/{change.id}/refuse") == (
        "Say why the change is refused.")
    assert len(_waiting(db)) == 1
    done = text(_decide(other, change.id, "refuse", reason="A million per trip is no tolerance."))
    assert "Change refused: nothing was changed." in done
    assert setting_on(OVERRUN_TOLERANCE, dt.date(2018, 6, 1)) == D("0.00")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Setting)
                             .where(Setting.key == OVERRUN_TOLERANCE)) == 0
    db.session.expire_all()
    assert db.session.get(SettingChange, change.id).status == REFUSED
    login_as("auditor")
    trail = text(client.get("/admin/audit"))
    assert ("admin2 refused USD 1,000,000.00 for Overrun tolerance per trip (USD), paid without a second "
            "approval proposed by admin: A million per trip is no tolerance.") in trail


def test_only_the_proposer_withdraws_and_one_value_waits_per_setting(app, db, client, login_as, users):
    login_as("admin")
    _propose(client, OVERRUN_TOLERANCE, "150")
    [change] = _waiting(db)
    other = browser_of(app, "admin2")
    # Another value of the same setting waits behind none: the form says what waits.
    form = text(other.get(f"/admin/settings/{OVERRUN_TOLERANCE}"))
    assert ("A new value of this setting already waits for another administrator: USD 150.00 in force from "
            "1 Jan 2018, proposed by admin.") in form
    assert "Propose the new value" not in form  # it is answered on the settings page
    listed = other.get("/admin/settings").get_data(as_text=True)
    assert f'href="/admin/settings/{OVERRUN_TOLERANCE}"' not in listed
    assert f'href="/admin/settings/{FEE_RATE}"' in listed
    # Posted all the same (a form loaded before): refused, and told what waits.
    refused = text(_propose(other, OVERRUN_TOLERANCE, "200"))
    assert ("A new value of this setting already waits for another administrator: USD 150.00 in force from "
            "1 Jan 2018, proposed by admin.") in refused
    assert [c.value for c in _waiting(db)] == ["150.00"]
    # Another setting may wait beside it.
    _propose(other, FEE_RATE, "0.015")
    assert sorted(c.key for c in _waiting(db)) == [FEE_RATE, OVERRUN_TOLERANCE]
    assert "Only the administrator who proposed a change can withdraw it." in text(
        _decide(other, change.id, "withdraw"))
    assert "Change withdrawn: nothing was changed." in text(_decide(client, change.id, "withdraw"))
    db.session.expire_all()
    assert db.session.get(SettingChange, change.id).status == WITHDRAWN
    assert setting_on(OVERRUN_TOLERANCE, dt.date(2018, 6, 1)) == D("0.00")
    assert "already decided" in text(_decide(other, change.id, "confirm"))


def test_a_value_is_checked_when_proposed_and_again_when_confirmed(app, db, client, login_as, users):
    """Refused beside its field when proposed (nothing waits); a value whose year was
    closed while it waited is not applied when confirmed, and still waits."""
    from tests.factories import close_year_meanwhile

    login_as("admin")
    page = client.post(f"/admin/settings/{FEE_RATE}", data={"value": "1.5", "effective_from": "2018-01-01",
                                                            "version": form_version(FEE_RATE)})
    assert error_beside(page.get_data(as_text=True), "value") == "The fee rate is a fraction: 0.01 means 1%."
    assert _waiting(db) == []
    _propose(client, FEE_RATE, "0.02", day="2017-06-01")
    [change] = _waiting(db)
    deposit(commitment("USD", "10000.00"), D("1000.00"), value_date=dt.date(2017, 5, 2))
    close_year_meanwhile(users["admin"], 2017)
    db.session.commit()
    answer = text(second_admin_confirms_setting(app, FEE_RATE))
    assert ("The setting was not changed, and the change still waits: 2017 is a closed year: a setting "
            "cannot take effect in it. Choose a day in the open year.") in answer
    assert [c.id for c in _waiting(db)] == [change.id]
    assert setting_on(FEE_RATE, dt.date(2017, 6, 1)) == D("0.01")


def test_a_value_cannot_take_effect_before_a_closed_year(app, db, client, login_as, users):
    """With 2017 closed, a value from a day of 2016 would be the one in force through
    the whole closed year: refused beside the day, nothing waits. (Found by a colleague's
    review: it was accepted, and 2017's overrun tolerance read USD 500.00.)"""
    from trustfund.admin.models import OVERRUN_TOLERANCE
    from trustfund.closure.years import close_year

    deposit(commitment("USD", "10000.00"), D("1000.00"), value_date=dt.date(2017, 5, 2))
    close_year(users["admin"], 2017, report_reference="Annual financial report 2017")
    db.session.commit()
    login_as("admin")
    page = client.post(f"/admin/settings/{OVERRUN_TOLERANCE}", data={
        "value": "500", "effective_from": "2016-12-01", "version": form_version(OVERRUN_TOLERANCE)})
    assert error_beside(page.get_data(as_text=True), "effective_from") == (
        "2017 is closed: a setting cannot take effect before it either. Choose a day after 2017.")
    assert _waiting(db) == []
    assert setting_on(OVERRUN_TOLERANCE, dt.date(2017, 6, 1)) == D("0.00")
    # A day after the closed year is proposed as usual.
    _propose(client, OVERRUN_TOLERANCE, "500", day="2018-01-01")
    assert len(_waiting(db)) == 1


def test_an_auditor_sees_a_waiting_value_and_cannot_answer_it(app, db, client, login_as, users):
    login_as("admin")
    _propose(client, FEE_RATE, "0.02")
    [change] = _waiting(db)
    login_as("auditor")
    page = client.get("/admin/settings")
    words = text(page)
    assert "Values waiting for a second administrator" in words and "It takes effect when another" in words
    assert f"/admin/setting-changes/{change.id}/" not in page.get_data(as_text=True)
    assert client.post(f"/admin/setting-changes/{change.id}/confirm").status_code == 403
    assert len(_waiting(db)) == 1


def test_a_value_from_a_later_day_is_confirmed_as_in_force_from_that_day(app, db, client, login_as, users):
    """Confirming a value in force from a later day does not say it "has taken effect":
    the old rate is charged until then."""
    login_as("admin")
    _propose(client, FEE_RATE, "0.02", day="2099-01-01")
    done = text(second_admin_confirms_setting(app, FEE_RATE))
    assert "Confirmed: 2% for Administrative Agent fee rate, in force from 1 Jan 2099." in done
    assert "taken effect" not in done
    assert setting_on(FEE_RATE, dt.date(2098, 12, 31)) == D("0.01")


def test_terminal_expenses_are_dollars_and_cents(app, db, client, login_as, users):
    """Terminal expenses are a USD amount, like the tolerance and the waiver: a third
    decimal is refused beside the value (it was kept, and read back in another
    language's separators when confirmed)."""
    login_as("admin")
    page = client.post(f"/admin/settings/{TERMINAL_EXPENSES}", data={
        "value": "100.125", "effective_from": "2018-01-01", "version": form_version(TERMINAL_EXPENSES)})
    assert error_beside(page.get_data(as_text=True), "value") == "USD amounts have at most 2 decimal places."
    assert _waiting(db) == []


def test_an_admin_deactivated_while_confirming_confirms_nothing(app, db, users):
    """The account read when the request started is not enough: deactivated by a
    colleague meanwhile, the admin's confirmation is refused as it is written."""
    from trustfund.admin import setting_changes
    from trustfund.auth.models import User
    from trustfund.errors import DomainError

    change_id = setting_changes.propose(users["admin"], OVERRUN_TOLERANCE, "1000000", dt.date(2018, 1, 1)).id
    db.session.commit()
    confirmer = users["admin2"]
    assert confirmer.active
    db.session.execute(sa.update(User).where(User.id == confirmer.id).values(active=False)
                       .execution_options(synchronize_session=False))
    try:
        setting_changes.confirm(confirmer, change_id)
    except DomainError as error:
        assert error.message == "Only an active administrator decides on a setting."
    else:
        raise AssertionError("a deactivated admin confirmed")
    db.session.rollback()
    assert [c.id for c in _waiting(db)] == [change_id]
    assert setting_on(OVERRUN_TOLERANCE, dt.date(2018, 6, 1)) == D("0.00")


def test_a_value_whose_proposer_was_deactivated_since_says_so_in_place_of_confirm(app, db, client, login_as,
                                                                                  users):
    """The settings page tells the other admins why the value cannot be confirmed on
    its proposer's word (their account deactivated since) and offers only Refuse."""
    login_as("admin")
    _propose(client, FEE_RATE, "0.02")
    [change] = _waiting(db)
    users["admin"].name, users["admin"].active = "Amina Diallo", False
    db.session.commit()
    page = browser_of(app, "admin2").get("/admin/settings").get_data(as_text=True)
    card = page[page.index(f'id="waiting-setting-{change.id}"'):]
    card = card[:card.index('id="waiting-setting-', 10)] if card.count('id="waiting-setting-') > 1 else card
    assert ("Amina Diallo, who proposed it, no longer has an active account: it can no longer be confirmed."
            in text(card))
    assert f"/admin/setting-changes/{change.id}/confirm" not in card
    assert f"/admin/setting-changes/{change.id}/refuse" in card


def test_each_settings_form_says_what_its_value_is(app, db, client, login_as):
    """The settings page shows the fee rate as "1%" but its form takes a fraction:
    the form says so beside the value, and a US dollar setting says it is in USD."""
    login_as("admin")
    fee = text(client.get(f"/admin/settings/{FEE_RATE}"))
    assert "A fraction: 0.01 means 1%." in fee and "In US dollars." not in fee
    tolerance = text(client.get(f"/admin/settings/{OVERRUN_TOLERANCE}"))
    assert "In US dollars." in tolerance and "A fraction" not in tolerance
