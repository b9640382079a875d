"""The audit trail and every history block read as sentences (issue 17): each action
the code records, found by reading the code (so a new one is covered at once), has
happened once through the services; the audit trail and each page with a history are
rendered in English, Arabic and French, and fail on a field's name, an id, None or an
action's code in the text a reader sees. Each sentence is translated."""
from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa

import trustfund
from tests.factories.history import every_audited_action, name_the_users
from trustfund.audit import AuditEntry, record
from trustfund.audit_text import book, describe_many
from trustfund.extensions import db
from trustfund.language import speaking

CODE = Path(trustfund.__file__).parent
LANGUAGES = ["en", "ar", "fr"]


def _is_record(func) -> bool:
    return (isinstance(func, ast.Name) and func.id == "record") or (
        isinstance(func, ast.Attribute) and func.attr == "record"
        and isinstance(func.value, ast.Name) and func.value.id == "audit")


def recorded_actions() -> dict[str, str]:
    """Every action code passed to audit.record() anywhere in trustfund: {code: where}."""
    found = {}
    for path in sorted(CODE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _is_record(node.func):
                where = f"{path.relative_to(CODE.parent)}:{node.lineno}"
                action = node.args[1] if len(node.args) > 1 else None
                codes = [c.value for c in ast.walk(action) if isinstance(c, ast.Constant)
                         and isinstance(c.value, str)] if action is not None else []
                assert codes, f"{where}: write the action of record() out as text, so it can be found"
                for code in codes:
                    found.setdefault(code, where)
    return found


class Visible(HTMLParser):
    """The text a reader sees: the page's text and the titles, labels and placeholders
    of its elements, without scripts and styles."""

    SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")

    def __init__(self, html: str):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts.extend(value for key, value in attrs if key in self.SHOWN_ATTRIBUTES and value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
RAW_VALUES = re.compile(r"\b(?:None|True|False|null)\b|\{'|':")


def machine_words(text: str, codes: set[str], object_types: set[str]) -> list[str]:
    """What in `text` is written for machines: snake_case (a column's name, an `_id`, a
    status or setting code), an action code, a model's class name, None and the like."""
    found = SNAKE_CASE.findall(text) + RAW_VALUES.findall(text)
    found += [code for code in codes if re.search(rf"(?<![\w.]){re.escape(code)}(?![\w.])", text)]
    found += [name for name in object_types if re.search(rf"\b{name}\b", text)]
    return found


@pytest.fixture
def fund(app, db):
    return every_audited_action()


def _pages(made) -> list[str]:
    pages = ["/admin/settings", "/dashboard/", "/fund/", "/fund/entries", "/fund/closing",
             "/fund/final-statements", "/fund/funding-status",
             f"/donors/{made['donor'].id}", f"/contributions/pledges/{made['pledge'].id}",
             f"/contributions/pledges/{made['fulfilled_pledge'].id}",
             f"/contributions/commitments/{made['commitment'].id}",
             f"/contributions/deposits/{made['deposit'].id}",
             f"/contributions/deposits/{made['reversal'].id}",
             f"/countries/{made['country'].code}", f"/travel/events/{made['event'].id}"]
    return pages + [f"/travel/grants/{grant.id}" for grant in made["grants"]]


def test_every_recorded_action_has_a_sentence_and_happens_in_the_fund(fund, app):
    recorded = recorded_actions()
    assert {"grant.approve", "login", "deposit.import", "demo.scale_data"} <= set(recorded)
    described = book().actions
    without = {code: where for code, where in recorded.items() if code not in described}
    assert not without, f"no sentence for these actions (add one to the feature's sentences.py): {without}"
    happened = set(db.session.scalars(sa.select(AuditEntry.action).distinct()))
    missing = {code: where for code, where in recorded.items() if code not in happened}
    assert not missing, f"add these actions to tests/factories/history.py: {missing}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_audit_trail_and_every_history_read_as_sentences(fund, client, login_as, lang, users):
    reader = login_as("auditor")
    reader.locale = lang
    db.session.commit()
    codes = set(recorded_actions()) | set(db.session.scalars(sa.select(AuditEntry.action).distinct()))
    # Class names that are no word (TravelGrant); "Deposit" is also the English label.
    object_types = {name for name in set(book().kinds) | set(db.session.scalars(
        sa.select(AuditEntry.object_type).distinct())) if re.search(r"[a-z][A-Z]", name)}
    seen = 0
    for code in sorted(codes):
        page = client.get("/admin/audit", query_string={"action": code})
        assert page.status_code == 200
        text = Visible(page.get_data(as_text=True)).text
        rows = page.get_data(as_text=True).count('class="row g-2 border-bottom py-2 audit-entry"')
        assert rows >= 1, f"{code}: no entry shown"
        seen += rows
        assert machine_words(text, codes, object_types) == [], f"{lang} /admin/audit?action={code}"
    assert seen == db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    for path in _pages(fund):
        page = client.get(path)
        assert page.status_code == 200, path
        text = Visible(page.get_data(as_text=True)).text
        assert machine_words(text, codes, object_types) == [], f"{lang} {path}"


def _trail(client, action: str) -> str:
    return Visible(client.get("/admin/audit", query_string={"action": action}).get_data(as_text=True)).text


def test_the_sentences_say_who_did_what_with_names_amounts_and_links(fund, client, login_as):
    login_as("auditor")
    approved = fund["grants"][1]
    page = client.get("/admin/audit", query_string={"action": "grant.approve"}).get_data(as_text=True)
    text = Visible(page).text
    assert f"Approved by Olga Petrova from the Objective 1 pool: USD {approved.committed_amount:,}." in text
    assert f'<a href="/travel/grants/{approved.id}">Travel grant {approved.id} for Awa Ndiaye</a>' in page

    grant_page = Visible(client.get(f"/travel/grants/{approved.id}").get_data(as_text=True)).text
    assert (f"Requested by Li Wei: USD {approved.total:,} for Awa Ndiaye (Senegal) to attend Human rights"
            in grant_page)
    assert "Trip recorded by Li Wei: actual costs USD 2,400.00 against" in grant_page
    assert "Actual airfare (USD): — → USD 1,100.00" in grant_page

    event = Visible(client.get(f"/travel/events/{fund['event'].id}").get_data(as_text=True)).text
    assert "Last day: 9 May 2017 → 10 May 2017" in event
    assert "DSA rate (USD per day): USD 400.00 → USD 410.00" in event

    users = _trail(client, "user.update")
    assert "Changed by Amina Diallo. Role: Auditor → MPTF officer Active: yes → no" in users

    settings = _trail(client, "setting.set")
    assert ("Administrative Agent fee rate in force from 1 Jan 2019 corrected by Amina Diallo: 2% → 1.5%."
            in settings)
    assert "Terminal expenses per trip (USD) set by Amina Diallo to USD 120.00" in settings

    waitlist = _trail(client, "grant.waitlist")
    assert "Waitlisted when Olga Petrova tried to approve it: no pool had USD " in waitlist
    assert "Waitlisted by Olga Petrova. Note: Waiting for the note verbale" in waitlist

    country = Visible(client.get("/countries/VU").get_data(as_text=True)).text
    assert "LDC periods: from 1 Jan 1985 to 4 Dec 2020 → from 24 Apr 1985 to 4 Dec 2020" in country

    donor = Visible(client.get(f"/donors/{fund['donor'].id}").get_data(as_text=True)).text
    assert "Contact person: — → Kim Min-jun" in donor

    imported = _trail(client, "deposit.import")
    assert "2 deposits imported by Ana Silva from june.xlsx: USD 25,000.00, net USD 24,750.00." in imported

    pledge_page = client.get(f"/contributions/pledges/{fund['fulfilled_pledge'].id}")
    pledge = Visible(pledge_page.get_data(as_text=True)).text
    assert ("Commitment KR-USD-2 of Republic of Korea recorded by Ana Silva against this pledge: "
            "USD 50,000.00; USD 30,000.00 still pledged.") in pledge
    assert ("Commitment KR-USD-3 of Republic of Korea recorded by Ana Silva against this pledge: "
            "USD 30,000.00; the pledge is fulfilled.") in pledge
    assert "commitment #" not in pledge  # the recorded note, said by the sentence

    paid, refused, within = (Visible(client.get(f"/travel/grants/{g.id}").get_data(as_text=True)).text
                             for g in fund["grants"][-3:])
    committed = fund["grants"][-3].committed_amount
    assert (f"Trip recorded by Li Wei: actual costs USD {committed + 100:,} against USD {committed:,} "
            "committed. Actual airfare (USD)") in paid
    assert "Overrun of USD 100.00 recorded by Li Wei, awaiting a second approval." in paid
    assert (f"Overrun of USD 100.00 approved by Olga Petrova and paid from the Objective 1 pool. "
            f"Actual total: USD {committed:,} → USD {committed + 100:,}") in paid
    assert (f"Overrun of USD 100.00 rejected by Olga Petrova: the grant stays at the USD {committed:,} "
            "committed. Note: The ticket bought was not economy class") in refused
    assert ("Overrun of USD 30.00 recorded by Li Wei and paid at once from the Objective 1 pool: within the "
            "tolerance of USD 50.00.") in within
    assert "within tolerance" not in within  # the recorded note, said by the sentence


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_every_sentence_label_and_object_is_translated(fund, app, lang):
    entries = list(db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)))
    with speaking("en"):
        english = describe_many(entries)
    with speaking(lang):
        translated = describe_many(entries)
    for en, other in zip(english, translated, strict=True):
        code = en.entry.action
        assert other.sentence != en.sentence, f"{lang}: {code} reads in English: {en.sentence}"
        assert other.action_label != en.action_label, f"{lang}: the label of {code}"
        assert other.kind_label != en.kind_label, f"{lang}: the object of {code}"
        if lang == "ar":  # in French, "Description" is a label's right translation
            for change, theirs in zip(en.changes, other.changes, strict=True):
                assert theirs.label != change.label, f"{lang}: {change.label} ({code})"


def test_an_action_nobody_describes_still_reads_as_a_sentence(app, client, login_as):
    users = name_the_users()
    record(users["admin"], "gadget.frobnicate", object_type="Gadget", object_id=7,
           before={"colour_code": "red", "gadget_id": 3}, after={"colour_code": "blue", "gadget_id": 4},
           note="Repainted")
    db.session.commit()
    login_as("auditor")
    page = client.get("/admin/audit").get_data(as_text=True)
    text = Visible(page).text
    assert ("Changed by Amina Diallo. 2 other values changed (see the download of the audit trail). "
            "Note: Repainted") in text
    assert machine_words(text, {"gadget.frobnicate"}, {"Gadget"}) == []


def test_a_delegates_country_is_named_as_the_un_names_it(app, db, client, login_as):
    """In English the UN's own names, as the country pages give them (Babel's English
    says "Laos" and "Myanmar (Burma)"); in another language the language's own."""
    from tests.factories.travel import make_event, make_request

    event = make_event()
    make_request(event, "LA", name="Khamla Vongsa")
    make_request(event, "MM", name="Khin Maung Win")
    login_as("auditor")
    trail = _trail(client, "delegate.create")
    assert "Khamla Vongsa (Lao People's Democratic Republic)" in trail
    assert "Khin Maung Win (Myanmar)" in trail and "Burma" not in trail
