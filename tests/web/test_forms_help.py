"""Forms that help (issue 17): every form page has a title, a breadcrumb and a Cancel
back to where the user came from (named for where it leads where the form's own
button cancels something); required fields are marked * with words for screen
readers, from the fields' own flags; a refused post shows all its errors at once,
each beside its field, with a summary at the top linking to each; a new user's role
starts empty and is required, and its password help differs from an edit's."""
from __future__ import annotations

import html as html_module
import re

import pytest

from tests.e2e.browser import argument_values
from tests.pages import error_beside, form_token
from trustfund import demo


def _label_marks(html: str) -> dict[str, bool]:
    """{field id: marked required} for each field label of the page's main form."""
    return {field: rest.startswith(' <span class="required-mark" aria-hidden="true">*</span>'
                                   '<span class="visually-hidden">required</span>')
            for field, rest in re.findall(r'<label class="form-label" for="([^"]+)">[^<]*</label>(.{0,120})',
                                          html, re.DOTALL)}


def _summary_links(html: str) -> list[str]:
    box = re.search(r'<div class="alert alert-danger" role="alert" id="error-summary"[^>]*>(.*?)</div>',
                    html, re.DOTALL)
    assert box, "no error summary"
    return re.findall(r'<a class="alert-link" href="#([^"]+)">', box.group(1))


def test_a_form_marks_its_required_fields_from_their_flags(app, db, client, login_as, users):
    login_as("mptf_officer")
    html = client.get("/contributions/pledges/new").get_data(as_text=True)
    marks = _label_marks(html)
    assert marks["currency"] and marks["amount"] and marks["pledged_on"] and marks["donor_id"]
    assert not marks["note"] and not marks["objective_id"]
    assert "Fields marked * are required." in html
    # The label stays the field's name: the mark is beside it, not inside.
    assert '<label class="form-label" for="amount">Amount</label>' in html


def test_all_errors_at_once_beside_their_fields_and_linked_from_the_top(app, db, client, login_as, users):
    login_as("mptf_officer")
    url = "/contributions/pledges/new"
    html = client.post(url, data={"donor_id": str(users["donor"].donor_id), "currency": "", "amount": "",
                                  "objective_id": "", "pledged_on": "", "note": "",
                                  "form_token": form_token(client, url)}).get_data(as_text=True)
    assert error_beside(html, "currency") == "Choose a currency from the list."
    assert error_beside(html, "amount") == "Enter an amount."
    assert error_beside(html, "pledged_on")
    assert _summary_links(html) == ["currency", "amount", "pledged_on"]
    for field in ("currency", "amount", "pledged_on"):
        assert f'id="{field}"' in html


def test_the_summary_writes_a_fields_name_and_its_problem_as_the_language_does(app, db, client, login_as,
                                                                                 users):
    """"Amount: Enter an amount." in English; French puts a no-break space before the
    colon, Chinese writes a full-width colon; the field's name stays the link."""
    url = "/contributions/pledges/new"
    shown = {}
    for language in ("en", "fr", "zh"):
        users["mptf_officer"].locale = language
        db.session.commit()
        login_as("mptf_officer")
        html = client.post(url, data={"donor_id": str(users["donor"].donor_id), "currency": "EUR",
                                      "amount": "", "objective_id": "", "pledged_on": "2018-01-05",
                                      "note": "", "form_token": form_token(client, url)})
        html = html.get_data(as_text=True)
        box = re.search(r'id="error-summary"[^>]*>(.*?)</div>', html, re.DOTALL).group(1)
        shown[language] = html_module.unescape(
            re.search(r'<a class="alert-link" href="#amount">[^<]*</a>([^<]*)</li>', box).group(1))
    assert shown["en"] == ": Enter an amount."
    assert shown["fr"].startswith("\u00a0: ") and shown["fr"] != "\u00a0: Enter an amount."
    assert shown["zh"].startswith("：") and not shown["zh"].startswith("： ")


def test_the_costs_of_a_trip_are_all_refused_at_once(app, db, client, login_as, users):
    from tests.factories.travel import fund_pool, make_event, make_request, srsg2
    from trustfund.travel.decisions import approve_grant

    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "SN")
    approve_grant(srsg2(), grant)
    db.session.commit()
    login_as("srsg_staff")
    html = client.post(f"/travel/grants/{grant.id}/travelled", data={
        "actual_ticket": "", "actual_dsa": "-1", "actual_terminal": "x"}).get_data(as_text=True)
    assert _summary_links(html) == ["actual_ticket", "actual_dsa", "actual_terminal"]


def test_cancel_leads_back_to_where_the_user_came_from(app, db, client, login_as, users):
    login_as("mptf_officer")
    donor = users["donor"].donor_id
    came_from = f"/donors/{donor}?tab=contributions"
    html = client.get("/contributions/pledges/new", headers={"Referer": f"http://localhost{came_from}"})
    html = html.get_data(as_text=True)
    assert f'<a class="btn btn-link" href="{html_module.escape(came_from)}">Cancel</a>' in html
    assert f'<input type="hidden" name="back" value="{html_module.escape(came_from)}">' in html
    # After a refused post the form still knows where the user came from.
    url = "/contributions/pledges/new"
    refused = client.post(url, data={"donor_id": str(donor), "currency": "", "amount": "", "objective_id": "",
                                     "pledged_on": "", "note": "", "back": came_from,
                                     "form_token": form_token(client, url)}).get_data(as_text=True)
    assert f'href="{html_module.escape(came_from)}">Cancel</a>' in refused
    # Another site, or the form itself, is no place to go back to: the list instead.
    for referer in ("http://evil.example/donors/1", "http://localhost/contributions/pledges/new"):
        html = client.get(url, headers={"Referer": referer}).get_data(as_text=True)
        assert 'href="/contributions/?kind=pledges">Cancel</a>' in html, referer
    html = client.get(url, query_string={"back": "//evil.example/"}).get_data(as_text=True)
    assert 'href="/contributions/?kind=pledges">Cancel</a>' in html


def test_a_new_users_role_starts_empty_and_is_required(app, db, client, login_as, users):
    login_as("admin")
    html = client.get("/admin/users/new").get_data(as_text=True)
    role = re.search(r'<select[^>]*id="role"[^>]*>(.*?)</select>', html, re.DOTALL).group(1)
    options = re.findall(r'<option([^>]*)value="([^"]*)"', role)
    assert options[0][1] == "" and "selected" in options[0][0]
    assert not any("selected" in attrs for attrs, value in options if value)
    # No password typed: the new user is invited to choose one (issue 20), so it is not required.
    assert "a link to choose their own password" in html
    assert "Leave empty to keep the current one." not in html
    answer = client.post("/admin/users/new", data={
        "email": "someone@example.org", "role": "", "donor_id": "0", "active": "y", "password": ""})
    answer = answer.get_data(as_text=True)
    assert error_beside(answer, "role") == "Choose the user's role."
    assert 'id="password-errors"' not in answer
    assert _summary_links(answer) == ["role"]
    edit = client.get(f"/admin/users/{users['auditor'].id}").get_data(as_text=True)
    assert "Leave empty to keep the current one." in edit
    assert not _label_marks(edit)["password"] and not _label_marks(html)["password"]


@pytest.fixture
def seeded(app, db):
    demo.seed()
    db.session.commit()


def test_every_form_page_has_a_title_a_breadcrumb_and_a_cancel(app, client, login_as, seeded):
    """Every page that shows a form to post (a GET and POST route), as a role that may
    use it, from the demo data."""
    values = argument_values(app)
    checked = []
    for rule in app.url_map.iter_rules():
        if not {"GET", "POST"} <= rule.methods or rule.endpoint == "auth.login":
            continue
        if any(name not in values for name in rule.arguments):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{name}>", values[name], url)
        roles = app.view_functions[rule.endpoint].allowed_roles
        if roles is None:  # a public page (a forgotten password): as a visitor
            response = app.test_client().get(url)
        else:
            role = sorted(roles)[0]
            login_as("srsg_staff2" if role == "srsg_staff" else role)
            response = client.get(url)
        if response.status_code == 302:  # a grant not closable yet, say: its page says why
            continue
        if response.status_code == 404 and rule.endpoint == "closure.reverse_entry":
            continue  # entry_id names an interest entry: the demo records no entry of the fund
        html = response.get_data(as_text=True)
        assert response.status_code == 200, (url, response.status_code)
        assert re.search(r"<h1[^>]*>\s*\S", html), url
        assert '<nav aria-label="Breadcrumb">' in html, url
        # "Cancel", or where it leads when the form's own button cancels something
        # ("Cancel the grant" beside "Back to the grant", not beside a second Cancel).
        assert re.search(r'<a class="btn btn-link" href="/[^"]*">(Cancel|Back to the [^<]+)</a>', html), url
        checked.append(url)
    assert len(checked) >= 15, checked
