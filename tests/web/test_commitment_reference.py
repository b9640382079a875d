"""An MPTF officer corrects a commitment's reference from its page (what migration 0024
asks of a database holding two commitments with one reference): the new reference and
a reason; refused beside the field when another commitment has it (without case), when
it is empty or the same; refused, nothing changed, when a colleague corrected it since
the page was shown; allowed in a closed year (a reference is not a figure), and the
audit trail says what changed."""
import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tests.factories.contributions import commitment
from tests.pages import error_beside
from tests.security.helpers import changed_counts, table_counts
from trustfund.audit import AuditEntry
from trustfund.contributions.models import Commitment


@pytest.fixture
def two(db):
    first = commitment("EUR", "100000.00", reference="SE-2017-EUR")
    other = commitment("EUR", "50000.00", reference="NO-2017-EUR")
    db.session.commit()
    return first.id, other.id


def _page(client, commitment_id) -> str:
    response = client.get(f"/contributions/commitments/{commitment_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _seen(html: str) -> str:
    found = re.search(r'name="reference_seen"[^>]*value="([^"]*)"', html) or re.search(
        r'value="([^"]*)"[^>]*name="reference_seen"', html)
    assert found, "the form carries the reference it showed"
    return found.group(1)


def _post(client, commitment_id, reference, reason="Two commitments were entered with one reference",
          seen=None):
    seen = _seen(_page(client, commitment_id)) if seen is None else seen
    return client.post(f"/contributions/commitments/{commitment_id}/reference",
                       data={"reference": reference, "reason": reason, "reference_seen": seen})


def _reference(db, commitment_id) -> str:
    return db.session.scalar(sa.select(Commitment.reference).where(Commitment.id == commitment_id))


def test_an_officer_corrects_the_reference_and_the_trail_says_what_changed(db, client, login_as, two):
    first, _other = two
    login_as("mptf_officer")
    page = _page(client, first)
    assert "Correct the reference" in page and _seen(page) == "SE-2017-EUR"

    answer = _post(client, first, "SE-2017-EUR-2")
    assert answer.status_code == 302 and answer.headers["Location"] == f"/contributions/commitments/{first}"
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "The commitment&#39;s reference is now SE-2017-EUR-2." in page \
        or "The commitment's reference is now SE-2017-EUR-2." in page
    assert "Commitment SE-2017-EUR-2" in page
    assert _reference(db, first) == "SE-2017-EUR-2"
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "commitment.reference")).one()
    assert (entry.object_id, entry.before, entry.after, entry.note) == (
        str(first), {"reference": "SE-2017-EUR"}, {"reference": "SE-2017-EUR-2"},
        "Two commitments were entered with one reference")
    # The commitment's history, in words.
    assert "Reference corrected by mptf_officer: SE-2017-EUR → SE-2017-EUR-2. No figure changed." in page
    login_as("auditor")
    trail = client.get("/admin/audit", query_string={"action": "commitment.reference"}).get_data(as_text=True)
    assert "SE-2017-EUR → SE-2017-EUR-2" in trail
    assert "Two commitments were entered with one reference" in trail


@pytest.mark.parametrize("reference, field, message", [
    ("no-2017-eur", "reference", "Another commitment has the reference no-2017-eur."),
    ("", "reference", ""),  # the form's own "required" message
    ("SE-2017-EUR", "reference", "This is already the commitment's reference."),
    ("x" * 101, "reference", ""),
    ("SE\u202eRUE", "reference", ""),
    # How an import names the commitment of that number: as a reference it would take
    # that commitment's deposits (full-width characters read as what they stand for).
    ("#1", "reference",
     "A reference cannot be “#” followed by a number: in an import file, “#12” means the commitment "
     "numbered 12."),
    ("\uff03\uff12", "reference", "A reference cannot be “#” followed by a number"),
])
def test_a_refused_reference_is_told_beside_the_field_and_nothing_changes(db, client, login_as, two,
                                                                         reference, field, message):
    first, _other = two
    login_as("mptf_officer")
    before = table_counts(db)
    answer = _post(client, first, reference)
    assert answer.status_code == 200
    beside = error_beside(answer.get_data(as_text=True), field)
    assert beside and message in beside
    assert changed_counts(before, table_counts(db)) == {} and _reference(db, first) == "SE-2017-EUR"


def test_a_reason_is_needed(db, client, login_as, two):
    first, _other = two
    login_as("mptf_officer")
    answer = _post(client, first, "SE-2017-EUR-2", reason="  ")
    assert error_beside(answer.get_data(as_text=True), "reason")
    assert _reference(db, first) == "SE-2017-EUR"


def test_a_correction_built_on_another_reference_is_refused(db, client, login_as, two):
    """Two officers open the page; the first corrects the reference; the second's
    correction, built on the reference the page showed then, changes nothing."""
    first, _other = two
    login_as("mptf_officer")
    seen = _seen(_page(client, first))
    assert _post(client, first, "SE-2017-EUR-A").status_code == 302
    before = table_counts(db)
    answer = _post(client, first, "SE-2017-EUR-B", seen=seen)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Reload the page to see their change" in html
    assert changed_counts(before, table_counts(db)) == {} and _reference(db, first) == "SE-2017-EUR-A"


def test_allowed_in_a_closed_year_and_the_trail_says_so(db, client, login_as, users):
    from trustfund.closure.years import close_year

    old = commitment("EUR", "100000.00", reference="OLD-2017", committed_on=dt.date(2017, 5, 1))
    close_year(users["admin"], 2017, report_reference="Annual financial report 2017")
    db.session.commit()
    login_as("mptf_officer")
    assert _post(client, old.id, "OLD-2017-A").status_code == 302
    assert _reference(db, old.id) == "OLD-2017-A"
    page = _page(client, old.id)
    assert ("Reference corrected by mptf_officer: OLD-2017 → OLD-2017-A. No figure changed; the commitment "
            "is dated in 2017, a closed year.") in page


@pytest.mark.parametrize("role", ["auditor", "srsg_staff", "admin", "donor"])
def test_only_officers_correct_a_reference(db, client, login_as, two, role):
    first, _other = two
    login_as(role)
    page = client.get(f"/contributions/commitments/{first}")
    assert "Correct the reference" not in page.get_data(as_text=True)
    answer = client.post(f"/contributions/commitments/{first}/reference",
                         data={"reference": "HACKED", "reason": "x", "reference_seen": "SE-2017-EUR"})
    assert answer.status_code == 403 and _reference(db, first) == "SE-2017-EUR"


def test_a_new_commitment_is_not_given_an_import_s_name_of_another(db, users):
    """The same rule for a new commitment's reference: "#7" would be found by the
    imports before the commitment numbered 7."""
    from tests.factories.contributions import donor
    from trustfund.contributions import services
    from trustfund.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.record_commitment(users["mptf_officer"], donor(), currency="EUR", amount="1000.00",
                                   objective_id=None, committed_on=dt.date(2018, 5, 1), reference="#7")
    assert refused.value.field == "reference"
    assert "cannot be “#” followed by a number" in refused.value.message
    db.session.rollback()
    assert services.record_commitment(users["mptf_officer"], donor(), currency="EUR", amount="1000.00",
                                      objective_id=None, committed_on=dt.date(2018, 5, 1),
                                      reference="#7-SE").reference == "#7-SE"
