"""Lost updates: two people edit the same record at once. Both load the edit form;
the first saves; the second's save, built on what the first replaced, is refused
with a message to reload, and the first save's values stand. After reloading, the
second person can save. Also with both saves at the same instant (two threads):
exactly one wins, whatever the database.

Every edit form (EDIT_FORMS: donors, SAAs, objectives, exchange rates, countries
and their LDC periods, events, users, settings) carries the version of what it
edits and sends it back; a save without it, or built on an older one, is refused.
test_every_post_route_on_a_record_is_an_edit_form_or_says_why_not walks app.url_map:
a new POST route on an existing record fails until it is listed here, as an edit
form (and so tested) or with the reason it is none.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from tests.factories import make_user, second_admin_confirms_setting, second_officer_confirms_rates
from tests.security.form_walk import forms_on, messages
from tests.security.helpers import UNSAFE_METHODS, Parallel, changed_counts, rules, table_counts

RELOAD = "Reload the page"


def _form(client, url: str) -> dict[str, str]:
    """What the browser would send back unchanged: the edit form's current values."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    form = next(f for f in forms_on(page.get_data(as_text=True)) if f.method == "post" and
                "logout" not in f.action and "language" not in f.action)
    data = {}
    for name, f in form.fields.items():
        if f.type == "checkbox":
            if "checked" in page.get_data(as_text=True).split(f'name="{name}"')[1].split(">")[0]:
                data[name] = "y"
        elif f.tag == "select":
            data[name] = _selected(page.get_data(as_text=True), name)
        else:
            data[name] = f.value.strip("\n") if f.tag == "textarea" else f.value
    return data


def _selected(html: str, name: str) -> str:
    import re

    block = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.DOTALL).group(1)
    chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected',
                       block)
    return next(g for g in chosen.groups() if g is not None) if chosen else ""


@pytest.fixture
def two_people(app, db, login_as):
    """Alice and Bob, each in their own browser, with the role the record needs."""
    def make(role: str):
        alice, bob = app.test_client(), app.test_client()
        login_as(role, alice)
        login_as(make_user(role, f"second-{role}@test.example"), bob)
        return alice, bob

    return make


def _edit_race(db, alice, bob, url: str, alice_changes: dict, bob_changes: dict) -> str:
    """Both load the form; Alice saves; Bob's save is refused. Returns Bob's page."""
    alice_form, bob_form = _form(alice, url), _form(bob, url)
    saved = alice.post(url, data={**alice_form, **alice_changes})
    assert saved.status_code == 302, messages(saved.get_data(as_text=True))
    before = table_counts(db)
    refused = bob.post(url, data={**bob_form, **bob_changes})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert any(RELOAD in m for m in messages(page)), messages(page)
    assert changed_counts(before, table_counts(db)) == {}  # not even an audit entry
    # Bob reloads, sees Alice's change, and may now save his own.
    again = _form(bob, url)
    for name, value in alice_changes.items():
        assert again[name] == value, (name, again[name], value)
    assert bob.post(url, data={**again, **bob_changes}).status_code == 302
    return page


def test_two_officers_editing_the_same_donor(app, db, two_people):
    from trustfund.donors.models import Donor
    from trustfund.donors.services import create_donor

    donor = create_donor(None, name="Gates Foundation", donor_type="philanthropic_organization",
                         contact_name="Grants office")
    db.session.commit()
    alice, bob = two_people("mptf_officer")
    url = f"/donors/{donor.id}/edit"
    alice_form, bob_form = _form(alice, url), _form(bob, url)
    assert alice.post(url, data={**alice_form, "contact_name": "Alice's contact"}).status_code == 302
    refused = bob.post(url, data={**bob_form, "name": "Bill & Melinda Gates Foundation"})
    assert refused.status_code == 200
    assert any("reload the page" in m for m in messages(refused.get_data(as_text=True)))
    stored = db.session.get(Donor, donor.id)
    assert (stored.name, stored.contact_name) == ("Gates Foundation", "Alice's contact")
    # A change of SAA status on a form loaded before Alice's save is refused too.
    saa = bob.post(f"/donors/{donor.id}/saa", data={"to_status": "draft_shared", "note": "",
                                                      "version": bob_form["version"]})
    assert any("reload the page" in m for m in messages(saa.get_data(as_text=True)))
    assert db.session.get(Donor, donor.id).saa_status == "not_started"


def test_two_srsg_staff_editing_the_same_event(app, db, two_people):
    from tests.factories.travel import make_event
    from trustfund.travel.models import Event

    event = make_event(title="Thematic session, Geneva", cap=1)
    alice, bob = two_people("srsg_staff")
    _edit_race(db, alice, bob, f"/travel/events/{event.id}/edit",
               {"title": "Thematic session 1, Geneva", "dsa_rate": "410.00"},
               {"max_per_country": "3"})
    stored = db.session.get(Event, event.id)
    assert (stored.title, str(stored.dsa_rate), stored.max_per_country) == (
        "Thematic session 1, Geneva", "410.00", 3)


def test_two_admins_editing_the_same_country(app, db, two_people):
    from trustfund.countries.models import Country

    alice, bob = two_people("admin")
    _edit_race(db, alice, bob, "/countries/SC/edit", {"name": "Seychelles (Republic of)"},
               {"developing": "y"})
    # An LDC period added on a form loaded before another admin's change is refused too.
    period_url = "/countries/SC/periods/new"
    bob_period = _form(bob, period_url)
    assert alice.post("/countries/SC/edit", data={**_form(alice, "/countries/SC/edit"),
                                                  "name": "Seychelles"}).status_code == 302
    refused = bob.post(period_url, data={**bob_period, "start_on": "1990-01-01"})
    assert any(RELOAD in m for m in messages(refused.get_data(as_text=True)))
    country = db.session.get(Country, "SC")
    assert country.name == "Seychelles" and country.ldc_periods == []


def test_two_admins_editing_the_same_objective(app, db, two_people):
    from trustfund.contributions.models import Objective

    objective = db.session.scalar(sa.select(Objective).where(Objective.number == 2))
    alice, bob = two_people("admin")
    _edit_race(db, alice, bob, f"/contributions/objectives/{objective.id}/edit",
               {"title": "Activities preparing the conference"},
               {"description": "Bob's description"})
    stored = db.session.get(Objective, objective.id)
    assert stored.title == "Activities preparing the conference"
    assert stored.description == "Bob's description"  # saved after reloading


def _saved_at_once(app, url: str, forms: dict) -> dict:
    """Each client's form posted to `url` from its own thread, all at once; each
    client's answer."""
    clients = list(forms)
    run = Parallel(app, len(clients), 1,
                   lambda index, _step: clients[index].post(url, data=forms[clients[index]])).run(timeout=60)
    assert run.errors == []
    return {clients[index]: response for index, _step, response in run.results}


def test_two_saves_at_the_same_instant_one_wins(app, db, two_people):
    """Both forms carry the same version and are posted at once, from two threads:
    the version check and the versioned UPDATE let exactly one through."""
    from trustfund.donors.models import Donor
    from trustfund.donors.services import create_donor

    donor = create_donor(None, name="Open Society Foundations", donor_type="philanthropic_organization")
    db.session.commit()
    alice, bob = two_people("mptf_officer")
    url = f"/donors/{donor.id}/edit"
    forms = {alice: {**_form(alice, url), "contact_name": "Alice"},
             bob: {**_form(bob, url), "contact_name": "Bob"}}
    answers = _saved_at_once(app, url, forms)
    codes = sorted(a.status_code for a in answers.values())
    assert codes == [200, 302], codes
    winner = next(c for c, a in answers.items() if a.status_code == 302)
    loser = answers[alice if winner is bob else bob]
    assert any("reload" in m.lower() for m in messages(loser.get_data(as_text=True)))
    db.session.expire_all()
    stored = db.session.get(Donor, donor.id)
    assert stored.contact_name == forms[winner]["contact_name"]
    assert stored.version == 2


# --- every edit form ------------------------------------------------------------

@dataclass
class EditForm:
    rule: str                      # the route's rule in app.url_map
    role: str
    url: Callable[[], str]         # makes the record (through the services) and gives the form's URL
    alice: dict                    # Alice's change, saved first
    bob: dict                      # Bob's change, refused on his old form, saved after reloading
    # What must happen to Alice's change before Bob can save his (given the app): a
    # setting's value waits for a second admin, and another waits behind it.
    settle: Callable | None = None


def _donor_url(path: str) -> Callable[[], str]:
    def make() -> str:
        from trustfund.donors.services import create_donor

        donor = create_donor(None, name="Donor being edited", donor_type="philanthropic_organization")
        db_commit()
        return f"/donors/{donor.id}/{path}"
    return make


def db_commit() -> None:
    from trustfund.extensions import db

    db.session.commit()


def _objective_url() -> str:
    from trustfund.contributions.models import Objective
    from trustfund.extensions import db

    objective_id = db.session.scalar(sa.select(Objective.id).where(Objective.number == 2))
    return f"/contributions/objectives/{objective_id}/edit"


def _rate_url() -> str:
    from trustfund.contributions.confirmed import set_rate

    rate = set_rate(None, "EUR", dt.date(2018, 5, 1), "0.941")
    db_commit()
    return f"/contributions/rates/{rate.id}/edit"


def _period_url() -> str:
    from trustfund.countries.models import Country
    from trustfund.countries.services import save_ldc_period
    from trustfund.extensions import db

    period = save_ldc_period(make_user("admin", "period-maker@test.example"), db.session.get(Country, "SC"),
                             None, start_on=dt.date(1980, 1, 1), end_on=dt.date(1985, 1, 1), note="",
                             version=None)
    db_commit()
    return f"/countries/SC/periods/{period.id}"


def _event_url() -> str:
    from tests.factories.travel import make_event

    return f"/travel/events/{make_event(title='Event being edited').id}/edit"


def _user_url() -> str:
    return f"/admin/users/{make_user('auditor', 'edited@test.example').id}"


EDIT_FORMS = [
    EditForm("/donors/<int:donor_id>/edit", "mptf_officer", _donor_url("edit"),
             {"contact_name": "Alice's contact"}, {"contact_name": "Bob's contact"}),
    EditForm("/donors/<int:donor_id>/saa", "mptf_officer", _donor_url("saa"),
             {"to_status": "draft_shared", "note": "Sent by Alice"},
             {"to_status": "under_negotiation", "note": "Bob"}),
    EditForm("/contributions/objectives/<int:objective_id>/edit", "admin", _objective_url,
             {"title": "Activities preparing the conference"}, {"description": "Bob's description"}),
    EditForm("/contributions/rates/<int:rate_id>/edit", "mptf_officer", _rate_url,
             {"rate": "0.95"}, {"rate": "0.96"}, settle=lambda app: second_officer_confirms_rates(app)),
    EditForm("/countries/<code>/edit", "admin", lambda: "/countries/SC/edit",
             {"name": "Seychelles (Republic of)"}, {"developing": "y"}),
    EditForm("/countries/<code>/periods/new", "admin", lambda: "/countries/SC/periods/new",
             {"start_on": "1990-01-01", "end_on": "1991-01-01"},
             {"start_on": "1995-01-01", "end_on": "1996-01-01"}),
    EditForm("/countries/<code>/periods/<int:period_id>", "admin", _period_url,
             {"note": "Alice's source"}, {"end_on": "1986-01-01"}),
    EditForm("/travel/events/<int:event_id>/edit", "srsg_staff", _event_url,
             {"title": "Thematic session 1, Geneva"}, {"max_per_country": "3"}),
    EditForm("/admin/users/<int:user_id>", "admin", _user_url,
             {"name": "Alice's name"}, {"name": "Bob's name"}),
    EditForm("/admin/settings/<key>", "admin", lambda: "/admin/settings/fee_rate",
             {"value": "0.02", "effective_from": "2019-01-01"},
             {"value": "0.03", "effective_from": "2019-02-01"},
             settle=lambda app: second_admin_confirms_setting(app, "fee_rate")),
]

# POST routes on an existing record that are not edit forms, and why.
NOT_EDITS = {
    "contributions.withdraw_pledge": "a one-way step of the pledge's status, in one guarded UPDATE",
    "contributions.reverse_deposit": "a reversal: a new offsetting entry; reversed once (guarded)",
    "contributions.reverse_interest": "proposes a reversal (one waits per entry: a partial unique index); "
                                      "recorded once (guarded) when a second officer confirms it",
    "contributions.new_deposit": "a new deposit against the commitment (its running sum is guarded)",
    "contributions.rates_import_confirm": "posts a kept rates file once (one guarded UPDATE of its "
                                          "posted_at); each rate through set_rate",
    "travel.approve": "a decision, a one-way step of the grant's status (guarded UPDATE)",
    "travel.reject": "a decision (guarded UPDATE of the status)",
    "admin.decide_user_change": "a decision on a user change waiting for a second admin (one guarded "
                                "UPDATE of its status); a confirmed change is applied on the version "
                                "it was proposed on, else refused as stale (tests/web/test_user_changes.py)",
    "admin.decide_setting_change": "a decision on a setting's value waiting for a second admin (one "
                                   "guarded UPDATE of its status); a value confirmed after another was "
                                   "set is refused as stale (tests/web/test_setting_changes.py)",
    "contributions.decide_transfer": "a decision on a transfer waiting for a second admin (one guarded "
                                     "UPDATE of its status, in the transaction of the money; "
                                     "tests/unit/test_concurrency_transfers.py)",
    "travel.waitlist": "a decision (guarded UPDATE of the status)",
    "travel.travelled": "reconciliation, a one-way step of the grant's status (guarded UPDATE)",
    "travel.no_show": "reconciliation (guarded UPDATE of the status)",
    "travel.cancel": "a one-way step of the grant's status (guarded UPDATE)",
    "travel.approve_overrun_view": "a decision on an overrun (guarded UPDATE of its status)",
    "travel.reject_overrun_view": "a decision on an overrun (guarded UPDATE of its status)",
    "auth.set_password": "a single-use link, spent by one guarded UPDATE (used_at IS NULL) in the "
                         "transaction of the password (tests/web/test_passwords.py)",
    "mail.resend_message": "puts a sent or failed message back in the queue (status set, not added "
                           "to: two admins sending it again at once queue it once)",
    "documents.new": "attaches a new document to the record; changes nothing of the record",
    "documents.replace": "a new version of a document, the old one kept; a version is replaced once "
                         "(unique replaces_id)",
    "documents.download": "reads a document; a donor's download only adds its audit entry",
    "closure.reverse_entry": "proposes a reversal (one waits per entry: a partial unique index); recorded "
                             "once (guarded) when a second officer confirms it",
    "closure.close_year_view": "closes a year once (the year is the closing's key)",
    "closure.decide": "proposes a decision on a pool's whole balance (one waits per pool: a partial unique "
                      "index), refused unless the balance is the one the page showed",
    "closure.answer_decision": "an answer to a pool's closing decision waiting for a second SRSG staff "
                               "member (one guarded UPDATE of its status, in the transaction of the "
                               "money); a confirmation is applied for the balance the proposal "
                               "showed, else refused (tests/web/test_closing_decision_confirmation.py)",
    "closure.answer_write_off": "an answer to a write-off waiting for a second MPTF officer (one guarded "
                                "UPDATE of its status, in the transaction of the write-off, whose UPDATE "
                                "of the commitment is guarded too); a confirmation is refused once the "
                                "outstanding amount changed (tests/web/test_write_off_proposals.py)",
    "closure.answer_entry": "an answer to an entry of the fund waiting for a second MPTF officer (one "
                            "guarded UPDATE of its status, in the transaction of the entry it records) "
                            "(tests/web/test_fund_entry_proposals.py, "
                            "tests/unit/test_concurrency_fund_entries.py)",
    "contributions.answer_rate": "an answer to an exchange rate waiting for a second MPTF officer (one "
                                 "guarded UPDATE of its status, in the transaction of the rate it sets; a "
                                 "correction is written on the version it was proposed on, else refused) "
                                 "(tests/web/test_rate_proposals.py)",
    "contributions.rates_import_withdraw": "withdraws a kept rates file once (one guarded UPDATE of its "
                                           "withdrawn_at)",
    "travel.correct_costs": "proposes a correction of a trip's costs: a new waiting row, one per grant "
                            "(a partial unique index); confirmed on the costs it was proposed from, else "
                            "refused (tests/web/test_cost_corrections.py)",
    "travel.answer_renaming": "an answer to a change of a delegate's name waiting for a second SRSG staff "
                              "member (one guarded UPDATE of its status); confirmed on the name it was "
                              "proposed from, else refused (tests/web/test_delegate_renaming.py)",
    "donors.answer_renaming": "an answer to a change of a donor's name waiting for a second MPTF officer "
                              "(one guarded UPDATE of its status); confirmed on the name it was proposed "
                              "from, else refused (tests/web/test_donor_renaming.py)",
    "travel.answer_cost_correction": "an answer to a correction of a trip's costs waiting for a second SRSG "
                                     "staff member (one guarded UPDATE of its status, in the transaction of "
                                     "the grant's guarded UPDATE on the costs it was proposed from) "
                                     "(tests/web/test_cost_corrections.py)",
    "contributions.answer_deposit_reversal": "an answer to a deposit's reversal waiting for a second MPTF "
                                             "officer (one guarded UPDATE of its status, in the transaction "
                                             "of the reversal it records) "
                                             "(tests/web/test_deposit_reversal_proposals.py, "
                                             "tests/unit/test_concurrency_reversals.py)",
    "contributions.answer_interest": "an answer to interest waiting for a second MPTF officer (one guarded "
                                     "UPDATE of its status, in the transaction of the entry it records) "
                                     "(tests/web/test_interest_proposals.py, "
                                     "tests/unit/test_concurrency_interest.py)",
    "closure.write_off_view": "proposes a write-off (one waits per commitment: a partial unique index), "
                              "refused unless the outstanding amount is the one the page showed",
    "contributions.correct_reference": "refused unless the commitment's reference is the one its page "
                                       "showed (reference_seen), changed by one UPDATE guarded by it "
                                       "(tests/web/test_commitment_reference.py); a version column would "
                                       "stop the app on a database held at 0023 by migration 0024",
    "travel.edit_delegate": "refused unless the delegate's details are those its page showed (seen, a "
                            "fingerprint of them; the row held while compared and written): a delegate has "
                            "no version column (tests/web/test_delegate_details.py)",
    "contributions.import_confirm": "a one-way post of a previewed upload, claimed once by a guarded "
                                    "UPDATE (posted_at IS NULL); the rows are checked again as it posts",
}


def test_every_post_route_on_a_record_is_an_edit_form_or_says_why_not(app):
    on_a_record = {rule.rule: rule.endpoint for rule, _m in rules(app, UNSAFE_METHODS) if "<" in rule.rule}
    unlisted = {r: e for r, e in on_a_record.items()
                if e not in NOT_EDITS and r not in {f.rule for f in EDIT_FORMS}}
    assert unlisted == {}, f"POST routes on a record that are neither edit forms nor explained: {unlisted}"
    assert {f.rule for f in EDIT_FORMS} <= set(on_a_record), "edit forms of routes that no longer exist"


@pytest.mark.parametrize("edit", EDIT_FORMS, ids=[f.rule for f in EDIT_FORMS])
def test_an_edit_form_refuses_a_save_without_its_version_or_built_on_an_older_one(app, db, two_people, edit):
    url = edit.url()
    alice, bob = two_people(edit.role)
    alice_form, bob_form = _form(alice, url), _form(bob, url)
    assert bob_form.get("version", "").isdigit(), f"{url}: the edit form carries no version"

    # Without its version (a hand-made post, or a form from before versions): refused.
    before = table_counts(db)
    bare = {k: v for k, v in {**bob_form, **edit.bob}.items() if k != "version"}
    refused = bob.post(url, data=bare)
    assert refused.status_code == 200, refused.status_code
    assert any(RELOAD.lower() in m.lower() for m in messages(refused.get_data(as_text=True)))
    assert changed_counts(before, table_counts(db)) == {}
    # With a version that is not one: refused the same way.
    refused = bob.post(url, data={**bare, "version": "１"})
    assert any(RELOAD.lower() in m.lower() for m in messages(refused.get_data(as_text=True)))

    # Alice saves; Bob's save, built on the version she replaced, is refused and writes nothing.
    saved = alice.post(url, data={**alice_form, **edit.alice})
    assert saved.status_code == 302, messages(saved.get_data(as_text=True))
    before = table_counts(db)
    refused = bob.post(url, data={**bob_form, **edit.bob})
    assert refused.status_code == 200
    assert any(RELOAD.lower() in m.lower() for m in messages(refused.get_data(as_text=True))), \
        messages(refused.get_data(as_text=True))
    assert changed_counts(before, table_counts(db)) == {}  # not even an audit entry

    # Bob reloads (a newer version) and may now save his change.
    if edit.settle:
        edit.settle(app)
    again = _form(bob, url)
    assert again["version"] != bob_form["version"]
    assert bob.post(url, data={**again, **edit.bob}).status_code == 302


def test_two_admins_saving_the_same_user_at_the_same_instant_one_wins(app, db, two_people):
    """A user's version is moved by one guarded UPDATE (not by the user's own logins):
    of two saves posted at once on the same version, exactly one is kept."""
    from trustfund.auth.models import User

    user = make_user("auditor", "twice@test.example")
    alice, bob = two_people("admin")
    url = f"/admin/users/{user.id}"
    forms = {alice: {**_form(alice, url), "name": "Alice"}, bob: {**_form(bob, url), "name": "Bob"}}
    answers = _saved_at_once(app, url, forms)
    assert sorted(a.status_code for a in answers.values()) == [200, 302]
    winner = next(c for c, a in answers.items() if a.status_code == 302)
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert (stored.name, stored.version) == (forms[winner]["name"], 2)


def test_a_users_own_login_does_not_make_an_admins_form_stale(app, db, client, two_people):
    """Logging in changes the user's row (session token, last login) but not what the
    admin edits: the admin's save still goes through."""
    from tests.factories import PASSWORD

    user = make_user("auditor", "logs-in@test.example")
    alice, _bob = two_people("admin")
    url = f"/admin/users/{user.id}"
    form = _form(alice, url)
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    assert alice.post(url, data={**form, "name": "Renamed"}).status_code == 302
