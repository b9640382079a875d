"""Find anything: the bar's search box answers each role with only what it may see,
grouped by kind, with links; a donor finds only its own."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.factories import make_user
from tests.factories import statements as st
from tests.factories.travel import make_event, make_request
from trustfund.auth.models import User


def found(html: str) -> dict[str, list[str]]:
    """{kind: [link text, ...]} of a results page."""
    groups = {}
    for kind, body in re.findall(r'<section[^>]*id="results-(\w+)">(.*?)</section>', html, re.DOTALL):
        groups[kind] = [re.sub(r"<[^>]+>", "", text).strip()
                        for text in re.findall(r'<li[^>]*><a href="[^"]*">(.*?)</a>', body, re.DOTALL)]
    return groups


def links(html: str) -> list[str]:
    return re.findall(r'<li[^>]*><a href="([^"]*)">', html)


@pytest.fixture
def fund(db):
    """Two donors whose names, references and bank references all hold "ACME", and a
    delegate named Acme too; each donor with a user of its own."""
    a = st.donor("Acme Foundation A")
    b = st.donor("Acme Foundation B")
    ca = st.commitment(a, "1000.00", reference="ACME-A-1")
    cb = st.commitment(b, "1000.00", reference="ACME-B-1")
    st.deposit(ca, "100.00", bank_reference="ACME-BANK-A")
    st.deposit(cb, "100.00", bank_reference="ACME-BANK-B")
    db.session.commit()
    make_user("donor", "a@acme.example", donor_id=a.id)
    make_user("donor", "b@acme.example", donor_id=b.id)
    event = make_event()
    make_request(event, name="Amina Acme")
    return a, b


def user(db, email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


@pytest.mark.parametrize("role,expected", [
    ("admin", {"donors", "commitments", "deposits", "grants"}),
    ("auditor", {"donors", "commitments", "deposits", "grants"}),
    ("mptf_officer", {"donors", "commitments", "deposits"}),
    ("srsg_staff", {"grants"}),
])
def test_each_staff_role_finds_the_kinds_of_its_work(client, login_as, fund, role, expected):
    login_as(role)
    html = client.get("/search/?q=acme").get_data(as_text=True)
    groups = found(html)
    assert set(groups) == expected
    if "donors" in groups:
        assert groups["donors"] == ["Acme Foundation A", "Acme Foundation B"]
        assert sorted(groups["commitments"]) == ["ACME-A-1", "ACME-B-1"]
        assert sorted(groups["deposits"]) == ["ACME-BANK-A", "ACME-BANK-B"]
    if "grants" in groups:
        assert groups["grants"] == ["Amina Acme"]
    # Every link is a page the role may open.
    for url in links(html):
        assert client.get(url).status_code == 200, (role, url)


def test_a_donor_finds_only_its_own(client, login_as, db, fund):
    a, b = fund
    login_as(user(db, "a@acme.example"))
    groups = found(client.get("/search/?q=acme").get_data(as_text=True))
    assert groups == {"donors": ["Acme Foundation A"], "commitments": ["ACME-A-1"],
                      "deposits": ["ACME-BANK-A"]}
    # Searching B's own references by name finds nothing, not even that they exist.
    for text in ("ACME-B-1", "ACME-BANK-B", "Foundation B", "Amina"):
        html = client.get(f"/search/?q={text}").get_data(as_text=True)
        assert found(html) == {} and 'id="search-none"' in html, text
    login_as(user(db, "b@acme.example"))
    groups = found(client.get("/search/?q=acme").get_data(as_text=True))
    assert groups == {"donors": ["Acme Foundation B"], "commitments": ["ACME-B-1"],
                      "deposits": ["ACME-BANK-B"]}


def test_the_text_is_taken_literally_and_short_texts_search_nothing(client, login_as, fund):
    login_as("admin")
    assert found(client.get("/search/?q=%25").get_data(as_text=True)) == {}  # "%" is too short
    assert found(client.get("/search/?q=%25%25").get_data(as_text=True)) == {}  # no "%%" anywhere
    assert found(client.get("/search/?q=A_ME").get_data(as_text=True)) == {}  # "_" is no wildcard
    html = client.get("/search/?q=a").get_data(as_text=True)
    assert "Type at least 2 characters." in html and found(html) == {}
    assert found(client.get("/search/?q=bank-a").get_data(as_text=True)) == {"deposits": ["ACME-BANK-A"]}


def test_many_matches_are_cut_and_say_so(client, login_as, db):
    from trustfund.search.queries import LIMIT

    for n in range(LIMIT + 3):
        st.donor(f"Many Foundation {n:02d}")
    db.session.commit()
    login_as("mptf_officer")
    html = client.get("/search/?q=many").get_data(as_text=True)
    assert len(found(html)["donors"]) == LIMIT
    assert f"The first {LIMIT} are shown" in html


def test_the_bar_has_the_box_for_every_logged_in_user_and_says_what_it_finds(client, login_as, fund):
    assert 'id="bar-search"' not in client.get("/login").get_data(as_text=True)
    assert client.get("/search/?q=acme").status_code == 302  # to the login page
    login_as("srsg_staff")
    html = client.get("/dashboard/").get_data(as_text=True)
    assert 'id="bar-search"' in html and 'title="Finds delegates&#39; names."' in html
    login_as("mptf_officer")
    html = client.get("/dashboard/").get_data(as_text=True)
    assert 'title="Finds donors&#39; names, commitment references, and bank references."' in html


def test_a_name_typed_in_full_width_is_found(client, login_as, db):
    """Names are stored NFKC (a full-width "Ｓｗｉｓｓ" is "Swiss"): what is searched is
    read the same way, as CJK keyboards type it."""
    from tests.factories import statements as st

    st.donor("Swiss Foundation")
    db.session.commit()
    login_as("admin")
    page = client.get("/search/?q=Ｓｗｉｓｓ").get_data(as_text=True)
    assert found(page).get("donors") == ["Swiss Foundation"]


def test_a_reference_is_searched_as_it_was_typed(client, login_as, db):
    """References are stored as typed: "№ 4521" is found by "№ 4521" (read in NFKC, the
    search would look for "No 4521")."""
    from tests.factories.contributions import commitment

    commitment("EUR", "1000.00", reference="№ 4521")
    login_as("mptf_officer")
    page = client.get("/search/?q=№ 4521").get_data(as_text=True)
    assert "№ 4521" in page and "Nothing found" not in page


def test_a_name_or_reference_is_found_in_any_letter_case_accented_capitals_too(client, login_as, db):
    """SQLite's own lower() and LIKE fold A-Z only: "émirats" did not find "Émirats
    Foundation" there (PostgreSQL found it). The search box and the donors list's
    search (the lists' donor filter and the entry forms' donor picker read it too) find
    it on both databases."""
    from tests.factories.contributions import commitment

    emirates = st.donor("Émirats Foundation")
    st.donor("Emirates Trust")
    db.session.commit()
    commitment("EUR", "1000.00", reference="ÖSTERREICH-2018")
    make_request(make_event(), name="Élodie Diouf")
    login_as("admin")
    for typed in ("émirats", "ÉMIRATS", "Émirats"):
        assert found(client.get(f"/search/?q={typed}").get_data(as_text=True)).get("donors") == [
            "Émirats Foundation"], typed
    assert found(client.get("/search/?q=élodie").get_data(as_text=True)).get("grants")
    assert found(client.get("/search/?q=österreich").get_data(as_text=True)).get("commitments")
    login_as("mptf_officer")
    listed = client.get("/donors/", query_string={"q": "émirats"}).get_data(as_text=True)
    assert f'href="/donors/{emirates.id}"' in listed and "Emirates Trust" not in listed
