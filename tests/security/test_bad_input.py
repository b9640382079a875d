"""Bad input on every form, on SQLite and PostgreSQL.

The POST routes come from app.url_map (a new route fails
test_every_post_route_is_swept until form_specs.py says how to post it). For each,
the form's fields are read from the page that shows it, as the user allowed to post
it; then each field in turn receives hostile values while the others keep valid
ones: negative, zero, 10^15, NaN, Infinity, "1,000.00.00", more decimals than the
currency has, unknown currency codes, impossible and future dates, 10,000
characters, control and bidirectional-override characters, HTML and formula
payloads (form_walk.payloads lists them by kind of field).

Every answer is a 200 or 400 (or, for the decisions posted from a grant's page and
the language switch, a redirect with a flashed message), never a 500. A refused
value comes back with a message beside the field or above the form and no row of
any table changed (every change is audited, so an unchanged audit trail also means
no record was edited). A valid value is accepted, and any HTML in it is shown
escaped. The first post of each form is a fully valid one, which must be accepted:
the sweep cannot pass by refusing everything.

Every page that can be opened is also requested with hostile values in each filter
of its search forms (test_hostile_query_strings_on_every_page).

Runtime: about 1,300 posts per backend, each with a one-query count of every table
before and after, and some 1,500 page requests.
"""
from __future__ import annotations

import pytest
from flask import url_for

from tests.security import form_specs
from tests.security.form_specs import ELSEWHERE, SPECS
from tests.security.form_walk import HTML_SCRIPT, Sweep, form_for, guess_kind, pattern, payloads
from tests.security.helpers import BIDI_TEXT, LONG_TEXT, rules

GROUPS = {
    "people and reference data": ("auth.", "donors.", "admin.", "countries.", "fund."),
    "contributions": ("contributions.", "closure."),
    "travel": ("travel.",),
}


def test_every_post_route_is_swept(app):
    """A POST route without a spec (or a reason to be left to another test) fails here."""
    routes: dict[str, int] = {}
    for rule, _method in rules(app, ["POST"]):
        routes[rule.endpoint] = routes.get(rule.endpoint, 0) + 1
    specs: dict[str, int] = {}
    for spec in SPECS:
        specs[spec.endpoint] = specs.get(spec.endpoint, 0) + 1
    missing = {e: n for e, n in routes.items() if e not in ELSEWHERE and specs.get(e, 0) < n}
    assert missing == {}, f"POST routes the bad-input sweep does not post to: {missing}"
    assert set(specs) <= set(routes), f"specs for routes that no longer exist: {set(specs) - set(routes)}"
    grouped = sum(GROUPS.values(), ())
    assert [s.endpoint for s in SPECS if not s.endpoint.startswith(grouped)] == []


def _short(value: str) -> str:
    text = value if len(value) <= 30 else f"{value[:12]}…({len(value)} chars)"
    return repr(text)


def _sweep_form(sweep: Sweep, spec, ctx, login_as) -> None:
    from trustfund.extensions import limiter

    client = sweep.client
    if spec.user:
        login_as(spec.user, client)
    n = next(ctx.counter)
    args = spec.target(ctx, n)
    url = url_for(spec.endpoint, **args)
    name = f"{spec.endpoint} {url}"

    def page_form(args, url):
        page_url = spec.page(ctx, args) if spec.page else url
        page = client.get(page_url)
        assert page.status_code == 200, (name, page_url, page.status_code)
        return form_for(page.get_data(as_text=True), url, page_url)

    form = page_form(args, url)
    if form is None:
        sweep.problems.append(f"{name}: no form on its page posts to it")
        return
    fields = {k: f for k, f in form.fields.items() if k != "csrf_token"}
    base_fields = set(spec.base(ctx, n))
    for field_name, f in fields.items():
        if field_name not in base_fields and pattern(field_name) == field_name \
                and guess_kind(f) not in ("hidden", "bool") and "-" not in field_name:
            sweep.problems.append(f"{name}: the spec has no valid value for the field {field_name!r}")
    # A version, a one-time token (trustfund.submissions) or what the form showed (seen)
    # is good for one save: each post takes the form from a fresh render of its page.
    refresh = "version" in fields or "form_token" in fields or "seen" in fields

    def data_for(n, args, url, form):
        if refresh:
            form = page_form(args, url)
        data = {k: f.value for k, f in form.fields.items()
                if k != "csrf_token" and f.tag == "input" and f.type in ("hidden", "text", "date")}
        data.update(spec.base(ctx, n))
        return data

    def post(url, data):
        if spec.endpoint in ("auth.login", "auth.forgot_password"):
            limiter.reset()  # every refused login (every reset request) counts towards the throttle
        return sweep.post(url, data, flashes=spec.flashes)

    # A valid post first: the form can be used at all.
    answer = post(url, data_for(n, args, url, form))
    sweep.judge(f"{name} (valid post)", answer, spec.base_accepted)

    for field_name, f in fields.items():
        key = pattern(field_name)
        if key != field_name:
            continue  # instalments-1-amount is swept as instalments-0-amount
        kind = spec.kinds.get(key) or guess_kind(f)
        if kind != "bool":  # an unticked checkbox is left out of every form
            # Left out of the form (a hand-made post): refused or accepted, but never
            # read as the stored value; an edit's version left out is refused.
            n = next(ctx.counter)
            if spec.fresh:
                args = spec.target(ctx, n)
                url = url_for(spec.endpoint, **args)
            data = data_for(n, args, url, form)
            data.pop(field_name, None)
            answer = post(url, data)
            sweep.judge(f"{name} {field_name} left out [{kind}]", answer,
                        False if field_name == "version" else None)
        for value, verdict in payloads(kind, spec.currency):
            n = next(ctx.counter)
            if spec.fresh:
                args = spec.target(ctx, n)
                url = url_for(spec.endpoint, **args)
            data = data_for(n, args, url, form)
            data[field_name] = f"{value} #{n}" if verdict and key in spec.unique else value
            answer = post(url, data)
            sweep.judge(f"{name} {field_name}={_short(value)} [{kind}]", answer, verdict)


@pytest.mark.parametrize("group", list(GROUPS))
def test_bad_input_on_every_form(app, db, login_as, group):
    ctx = form_specs.setup(app)
    sweep = Sweep(app, db, app.test_client())
    for spec in SPECS:
        if spec.endpoint.startswith(GROUPS[group]):
            if spec.user is None:
                sweep.client = app.test_client()
            _sweep_form(sweep, spec, ctx, login_as)
    assert sweep.posts > 100
    assert sweep.problems == [], f"{len(sweep.problems)} problems in {sweep.posts} posts:\n" + \
        "\n".join(sweep.problems)


QUERY_VALUES = ["abc\x00def", LONG_TEXT, BIDI_TEXT, HTML_SCRIPT, "9999-99-99", "-1", "NaN", "1e999",
                "0x10", "'; DROP TABLE donor; --"]


RESERVED_NAMES = {"endpoint": "x", "_method": "POST", "_external": "1", "_anchor": "a",
                  "_scheme": "javascript"}


def test_hostile_query_strings_on_every_page(app, db, login_as):
    """Every page a user can open, as a role allowed to, with each filter of its
    search forms (and page, sort, per_page) set to hostile values: never a 500, and
    no HTML of the request comes back unescaped."""
    from tests.security.form_walk import RAW_MARKERS, forms_on
    from tests.security.helpers import url_for_rule

    form_specs.setup(app)
    client = app.test_client()
    problems, requests = [], 0
    for rule, _method in rules(app, ["GET"]):
        view = app.view_functions[rule.endpoint]
        if getattr(view, "is_public", False) or rule.endpoint.endswith("lookup"):
            roles = ["mptf_officer"]
        else:
            roles = sorted(view.allowed_roles)
        login_as("srsg_staff2" if roles[0] == "srsg_staff" else roles[0], client)
        url = url_for_rule(rule).replace("/x/", "/SN/").replace("/x", "/fee_rate")
        page = client.get(url)
        if page.status_code != 200 or not page.content_type.startswith("text/html"):
            continue
        # Names url_for keeps for itself, which the page's links keep in the query string
        # (pager, sort, download): the page shows, the links built without them.
        answer = client.get(url, query_string=RESERVED_NAMES)
        requests += 1
        if answer.status_code >= 500:
            problems.append(f"{url}?{'&'.join(RESERVED_NAMES)}: {answer.status_code}")
        names = {"page", "sort", "per_page", "format"}
        for form in forms_on(page.get_data(as_text=True)):
            if form.method == "get":
                names |= set(form.fields)
        for name in sorted(names):
            for value in QUERY_VALUES:
                if name == "format" and value != HTML_SCRIPT:
                    continue
                try:
                    answer = client.get(url, query_string={name: value})
                except Exception as error:
                    problems.append(f"{url}?{name}={value[:20]!r}: {type(error).__name__}: "
                                    f"{str(error).splitlines()[0][:120]}")
                    continue
                requests += 1
                body = answer.get_data(as_text=True) if answer.content_type.startswith("text") else ""
                if answer.status_code >= 500:
                    problems.append(f"{url}?{name}={value[:20]!r}: {answer.status_code}")
                elif any(marker in body for marker in RAW_MARKERS):
                    problems.append(f"{url}?{name}={value[:20]!r}: raw HTML in the page")
    assert requests > 300
    assert problems == [], "\n".join(problems)


# Values past the ranges an id, a page or a date can have: 20 digits (past 64 bits),
# just past a signed 64-bit integer, full-width digits, the last and first days of
# the calendar (a day added or taken away overflows) and a date with trailing text.
PAST_THE_RANGE = ["99999999999999999999", "9223372036854775808", "-9223372036854775809", "１２３",
                  "9999-12-31", "0001-01-01", "2017-06-01T99:99 garbage"]
FRIENDLY = {400: "The request could not be understood.",
            404: "There is no such page, or it is not yours to see."}


def _judge_range_answer(answer, where: str, problems: list[str]) -> None:
    if answer.status_code not in (200, 400, 404):
        problems.append(f"{where}: {answer.status_code}")
    elif answer.status_code in FRIENDLY and FRIENDLY[answer.status_code] not in answer.get_data(as_text=True):
        problems.append(f"{where}: {answer.status_code} without its message")


def test_ids_pages_and_dates_past_their_ranges_on_every_page(app, db, login_as, monkeypatch):
    """Every GET route of app.url_map, as a role allowed to open it: each query
    parameter its view reads (recorded as the view reads it, so a new parameter or a
    new route is covered) is given each value of PAST_THE_RANGE, on the page and on
    its .xlsx download; each <int:...> of its URL is given 20 digits. Every answer is
    a 200, or a 400 or 404 with its message: never a 500."""
    from tests.security.helpers import record_query_names, url_for_rule

    form_specs.setup(app)
    read = record_query_names(monkeypatch)
    client = app.test_client()
    problems, requests = [], 0

    def get(url, where, **args):
        nonlocal requests
        requests += 1
        try:
            answer = client.get(url, query_string=args)
        except Exception as error:  # TESTING propagates a crash: a 500 in production
            problems.append(f"{where}: {type(error).__name__}: {str(error).splitlines()[0][:120]}")
            return None
        _judge_range_answer(answer, where, problems)
        return answer

    for rule, _method in rules(app, ["GET"]):
        view = app.view_functions[rule.endpoint]
        roles = ["mptf_officer"] if getattr(view, "is_public", False) else sorted(view.allowed_roles)
        login_as("srsg_staff2" if roles[0] == "srsg_staff" else roles[0], client)
        url = url_for_rule(rule).replace("/x/", "/SN/").replace("/x", "/fee_rate")
        read.clear()
        page = client.get(url)
        names = set(read) | {"page"}
        if page.status_code != 200:
            continue
        for name in sorted(names):
            for value in PAST_THE_RANGE:
                get(url, f"{url}?{name}={value}", **{name: value})
                if "format" in names and name != "format" and value in PAST_THE_RANGE[::4]:
                    get(url, f"{url}?format=xlsx&{name}={value}", format="xlsx", **{name: value})
        if "<int:" in rule.rule:
            for value in ("99999999999999999999", "9223372036854775808"):
                get(url_for_rule(rule, value).replace("/x/", "/SN/").replace("/x", "/fee_rate"),
                    f"{rule.rule} with {value}")
    assert requests > 500
    assert problems == [], f"{len(problems)} problems in {requests} requests:\n" + "\n".join(problems)
