"""A reversed deposit and its reversal carry marks ("Reversed", "Reversal of #N") and
link to each other wherever they are listed and on their own pages."""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests.factories import make_user
from tests.factories import statements as st
from trustfund.auth.models import User


@pytest.fixture
def pair(db):
    return st.reversed_pair("Marked Foundation", "MARK-1", "KEPT-1", "WRONG-1")


def marks(html: str) -> list[tuple[str, str, str]]:
    """(kind, link target or "", text) of each mark on the page, in order."""
    found = []
    for match in re.finditer(r'<(a|span) class="badge[^"]*deposit-mark" data-mark="(\w+)"'
                             r'(?: href="([^"]*)")?[^>]*>([^<]*)<', html):
        found.append((match.group(2), match.group(3) or "", match.group(4)))
    return found


def test_the_deposits_list_marks_both_and_links_them(client, login_as, pair):
    _donor, _commitment, kept, wrong, reversal = pair
    login_as("auditor")
    html = client.get("/contributions/deposits").get_data(as_text=True)
    assert sorted(marks(html)) == [
        ("reversal", f"/contributions/deposits/{wrong.id}", f"Reversal of #{wrong.id}"),
        ("reversed", f"/contributions/deposits/{reversal.id}", "Reversed")]
    assert f'title="Reversed by #{reversal.id}"' in html


@pytest.mark.parametrize("which", ["commitment", "wrong", "reversal"])
def test_the_commitment_and_both_deposit_pages_mark_them(client, login_as, pair, which):
    _donor, commitment, kept, wrong, reversal = pair
    login_as("mptf_officer")
    url = {"commitment": f"/contributions/commitments/{commitment.id}",
           "wrong": f"/contributions/deposits/{wrong.id}",
           "reversal": f"/contributions/deposits/{reversal.id}"}[which]
    shown = marks(client.get(url).get_data(as_text=True))
    reversed_mark = ("reversed", f"/contributions/deposits/{reversal.id}", "Reversed")
    reversal_mark = ("reversal", f"/contributions/deposits/{wrong.id}", f"Reversal of #{wrong.id}")
    expected = {"commitment": [reversed_mark, reversal_mark], "wrong": [reversed_mark],
                "reversal": [reversal_mark]}
    assert shown == expected[which]
    kept_page = client.get(f"/contributions/deposits/{kept.id}").get_data(as_text=True)
    assert marks(kept_page) == []


def test_the_statement_and_the_portal_mark_them_without_links_for_a_donor(client, login_as, db, pair):
    donor, _commitment, _kept, wrong, _reversal = pair
    make_user("donor", "marked@test.example", donor_id=donor.id)
    login_as(db.session.scalar(sa.select(User).where(User.email == "marked@test.example")))
    for url in ("/statements/portal", f"/statements/{donor.id}"):
        shown = marks(client.get(url).get_data(as_text=True))
        assert sorted(shown) == [("reversal", "", "Reversal of an earlier deposit"),
                                 ("reversed", "", "Reversed")], url
        page = client.get(url).get_data(as_text=True)
        assert "Reversal of #" not in page and "Reversed by #" not in page, url
        # The mark says it once: the words beside it do not say "Reversal" again, and
        # they name the other entry by its date.
        words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
        assert "Reversal of the deposit" not in words and "Reversal:" not in words, url
        assert "Reversed Reversed" not in words, url
        assert "Reversal of an earlier deposit The deposit of 2 May 2017: Booked twice" in words, url
        assert "Reversed On 1 Jun 2017" in words, url


def _words(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_the_statement_printed_by_an_officer_is_the_donors_document(client, login_as, pair):
    """The print view goes to the donor whoever prints it: no deposit's number or link to a
    staff page, the other entry of a reversal named by its date (the officer's screen
    keeps its links)."""
    donor, _commitment, _kept, wrong, reversal = pair
    login_as("mptf_officer")
    period = "from=2017-01-01&to=2017-12-31"
    screen = client.get(f"/statements/{donor.id}?{period}").get_data(as_text=True)
    assert ("reversal", f"/contributions/deposits/{wrong.id}", f"Reversal of #{wrong.id}") in marks(screen)
    printed = client.get(f"/statements/{donor.id}?{period}&print=1").get_data(as_text=True)
    assert sorted(marks(printed)) == [("reversal", "", "Reversal of an earlier deposit"),
                                      ("reversed", "", "Reversed")]
    assert "/contributions/deposits/" not in printed and "#" + str(wrong.id) not in _words(printed)
    assert "The deposit of 2 May 2017: Booked twice" in _words(printed)
    assert "On 1 Jun 2017" in _words(printed)


def test_the_statements_pdf_names_no_deposit_number(client, login_as, pair):
    import io

    from pypdf import PdfReader

    donor, _commitment, _kept, wrong, reversal = pair
    login_as("mptf_officer")
    answer = client.get(f"/statements/{donor.id}?from=2017-01-01&to=2017-12-31&format=pdf")
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.data)).pages))
    assert f"Reversal of #{wrong.id}" not in text and f"#{reversal.id}" not in text
    assert "Reversal of an earlier deposit" in text
    assert "The deposit of 2 May 2017: Booked twice" in text


def _rows(response, sheet):
    import io

    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(response.data))[sheet]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row, strict=False)) for row in ws.iter_rows(min_row=2, values_only=True)]


def test_the_donors_deposits_xlsx_dates_each_reversal(client, login_as, db, pair):
    donor, _commitment, _kept, _wrong, _reversal = pair
    make_user("donor", "marked@test.example", donor_id=donor.id)
    login_as(db.session.scalar(sa.select(User).where(User.email == "marked@test.example")))
    rows = _rows(client.get("/statements/portal?format=xlsx&list=deposits"), "Deposits")
    assert "Deposit no." not in rows[0]
    got = [(r["Bank reference"], r["Reverses the deposit of"], r["Reversed on"]) for r in rows]
    assert [(ref, a.date() if a else None, b.date() if b else None) for ref, a, b in got] == [
        ("WRONG-1", dt.date(2017, 5, 2), None),  # the reversal, newest first
        ("WRONG-1", None, dt.date(2017, 6, 1)),
        ("KEPT-1", None, None)]


def test_a_deposit_whose_reversal_waits_is_marked_wherever_staff_list_it(app, client, login_as, db, users):
    """Between the proposal and a second officer's answer, a deposit is still counted
    in full; the commitment's page, the donor's desk and the deposits list mark it
    "Reversal waiting", linking to where it is confirmed or refused. A donor's portal
    and statement say nothing of it: nothing was reversed."""
    from tests.factories import second_officer_confirms_reversal
    from trustfund.contributions import reversal_changes

    donor = st.donor("Waiting Foundation")
    commitment = st.commitment(donor, "5000.00", reference="WAIT-1")
    st.deposit(commitment, "1000.00", bank_reference="KEPT-2")
    wrong = st.deposit(commitment, "2000.00", bank_reference="WRONG-2")
    reversal_changes.propose(users["mptf_officer"], wrong, "Booked twice")
    db.session.commit()
    waiting = ("waiting", f"/contributions/deposits/{wrong.id}#waiting-reversal", "Reversal waiting")
    pages = (f"/contributions/commitments/{commitment.id}", f"/donors/{donor.id}", "/contributions/deposits",
             "/search/?q=WRONG-2")
    for role in ("mptf_officer", "auditor"):
        login_as(role)
        for url in pages:
            assert marks(client.get(url).get_data(as_text=True)) == [waiting], (role, url)
    # The deposit's own page says it in its waiting section, not twice as a mark.
    assert marks(client.get(f"/contributions/deposits/{wrong.id}").get_data(as_text=True)) == []
    make_user("donor", "waiting@test.example", donor_id=donor.id)
    login_as(db.session.scalar(sa.select(User).where(User.email == "waiting@test.example")))
    for url in ("/statements/portal", f"/statements/{donor.id}", "/search/?q=WRONG-2"):
        page = client.get(url).get_data(as_text=True)
        assert marks(page) == [] and "Reversal waiting" not in page, url
    # Once another officer confirms it, the mark is the reversal's.
    login_as("mptf_officer")
    second_officer_confirms_reversal(app)
    db.session.expire_all()
    shown = marks(client.get(f"/contributions/commitments/{commitment.id}").get_data(as_text=True))
    assert [kind for kind, _link, _text in shown] == ["reversed", "reversal"]


def test_a_statement_ending_before_the_reversal_shows_the_deposit_unreversed_and_says_when_it_was(
        client, login_as, db, pair):
    """A statement is the donor's position on its last day: a deposit reversed after it
    counts in full there, so the statement does not mark it reversed; it says the
    reversal came after the period, on its day. A statement that covers the reversal
    marks both entries as before."""
    donor = pair[0]
    make_user("donor", "later@test.example", donor_id=donor.id)
    login_as(db.session.scalar(sa.select(User).where(User.email == "later@test.example")))
    before = client.get(f"/statements/{donor.id}?from=2017-01-01&to=2017-05-31").get_data(as_text=True)
    assert marks(before) == []
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", before))
    assert "Reversed on 1 Jun 2017, after this period" in words
    assert "Booked twice" not in words  # the reversal itself is dated after the period
    # The statement's download says it in the same words, in the deposit's Note.
    rows = _rows(client.get(f"/statements/{donor.id}?from=2017-01-01&to=2017-05-31&format=xlsx"), "Deposits")
    notes = [r["Note"] for r in rows if r["Reversed on"] is not None]
    assert notes == ["Reversed on 1 Jun 2017, after this period"]
    covered = _rows(client.get(f"/statements/{donor.id}?from=2017-01-01&to=2017-12-31&format=xlsx"),
                    "Deposits")
    assert [r["Note"] for r in covered if r["Reversed on"] is not None] == [None]
    covering = client.get(f"/statements/{donor.id}?from=2017-01-01&to=2017-12-31").get_data(
        as_text=True)
    assert sorted(marks(covering)) == [("reversal", "", "Reversal of an earlier deposit"),
                                       ("reversed", "", "Reversed")]
    assert "after this period" not in covering
