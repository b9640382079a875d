"""Help where it is needed: the glossary page in every language, and the words of the
pages linked to their entries."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.factories import statements as st
from trustfund.main.glossary import ENTRIES

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize("role", ["admin", "mptf_officer", "srsg_staff", "donor", "auditor"])
def test_every_role_reads_the_glossary(client, login_as, role):
    login_as(role)
    html = client.get("/help/glossary").get_data(as_text=True)
    for key in ENTRIES:
        assert f'id="term-{key}"' in html and f'href="#term-{key}"' in html
    for status in ("Not started", "Draft shared", "Under negotiation", "Signed", "Amended", "Closed"):
        assert f'<dt class="col-sm-3">{status}</dt>' in html
    assert "Pledged, not yet committed" in html and "Administrative Agent fee" in html
    # The fee is a setting with a history (the fund's page): the glossary says the rate in
    # force on a deposit's value date applies, not that it is always 1 per cent.
    assert "at the rate in force on its value date" in html


def test_the_glossary_needs_a_login(client):
    assert client.get("/help/glossary").status_code == 302


@pytest.mark.parametrize("language", ["fr", "es", "ar", "zh", "ru"])
def test_the_glossary_is_in_every_language(client, login_as, db, language):
    from trustfund.main.glossary import GLOSSARY

    english = [str(e.summary) for e in GLOSSARY]
    user = login_as("auditor")
    user.locale = language
    db.session.commit()
    html = client.get("/help/glossary").get_data(as_text=True)
    for text in english:
        assert text not in html, (language, text)
    assert f'lang="{language}"' in html


def test_every_term_a_page_links_exists_and_every_entry_is_linked(app):
    used = set()
    for path in TEMPLATES.rglob("*.html"):
        used |= set(re.findall(r"term\('(\w+)'", path.read_text(encoding="utf-8")))
    assert used <= set(ENTRIES), used - set(ENTRIES)
    assert set(ENTRIES) <= used, f"never linked from a page: {set(ENTRIES) - used}"


def test_a_page_links_its_words_to_their_entries(client, login_as, db):
    donor = st.donor("Glossed Foundation")
    db.session.commit()
    login_as("mptf_officer")
    html = client.get(f"/donors/{donor.id}").get_data(as_text=True)
    for key in ("pledged", "committed", "deposited", "outstanding", "fee", "share", "balance", "saa"):
        summary = str(ENTRIES[key].summary).replace("'", "&#39;")
        assert f'<a class="term" href="/help/glossary#term-{key}" title="{summary}">' in html, key
