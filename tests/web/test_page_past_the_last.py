"""A page past the last one (?page=99999: a bookmark kept from a longer list, a typo) is
the last page, on every paged list, as the deposits and commitments lists already did:
the travel grants said "No grants match." above "Total (2 grants)", and the donor's
portal "No deposit yet." (paging.paginate; a colleague's review of the lists.)"""
import re

import pytest

from tests.factories.travel import make_event, make_request


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_grants_page_past_the_end_does_not_say_no_grant_matches(app, client, login_as, db):
    event = make_event(cap=5)
    make_request(event, country="SN", name="Awa Diop")
    make_request(event, country="ML", name="Moussa Keita")
    login_as("srsg_staff")
    shown = _text(client.get("/travel/grants?page=99999").get_data(as_text=True))
    assert "Total (2 grants)" in shown
    assert "No grants match." not in shown, shown[shown.find("No grants"):][:200]
    assert "Awa Diop" in shown and "Moussa Keita" in shown


def test_the_donor_portal_past_its_last_page_does_not_say_no_deposit_yet(app, client, login_as, db):
    from tests.factories.contributions import commitment, deposit

    deposit(commitment("USD", "1000.00"), "100.00")  # the demo donor's, the donor user's
    login_as("donor")
    assert "No deposit yet." not in _text(client.get("/statements/portal").get_data(as_text=True))
    shown = _text(client.get("/statements/portal?page=2").get_data(as_text=True))
    assert "No deposit yet." not in shown


# Lists the one deposit fills (the others read paging.paginate the same way; the grants' above).
@pytest.mark.parametrize("role, path", [("admin", "/admin/audit"), ("mptf_officer", "/donors/"),
                                        ("donor", "/statements/portal")])
def test_no_list_shows_a_page_past_its_last(app, client, login_as, db, role, path):
    from tests.factories.contributions import commitment, deposit

    deposit(commitment("USD", "1000.00"), "100.00")
    login_as(role)
    first = client.get(path)
    answer = client.get(path, query_string={"page": "99999"})
    assert answer.status_code == 200, path
    rows = _rows(first.get_data(as_text=True))
    assert rows, f"{path}: the list is empty, the test would prove nothing"
    assert _rows(answer.get_data(as_text=True)) == rows, path  # its only page, the last


def _rows(html: str) -> list[str]:
    """The list's rows: its tables' bodies, or the audit trail's list of entries."""
    found = re.findall(r"<tbody[^>]*>(.*?)</tbody>|<ol class=\"list-unstyled audit-trail\">(.*?)</ol>", html,
                       re.DOTALL)
    return [_text(body or entries).strip() for body, entries in found]
