"""Donors' names are stored in NFKC (validation.normalized_name: a full-width
"Ｓｗｉｓｓ" is stored "Swiss"), and every search of a donor's name reads the text the
same way: the search box, the donors list's ?q=, the lists' ?donor_name= and the entry
forms' donor search (donors.queries.name_holds); the lists found nothing. (A
colleague's review of the lists.)"""

from tests.factories.contributions import commitment, donor


def test_the_donor_lists_find_a_name_typed_full_width_as_the_search_box_does(app, client, login_as):
    swiss = donor("Swiss Confederation")
    commitment("CHF", "5000.00", who=swiss, reference="CH-2017-1")
    login_as("mptf_officer")
    typed = "Ｓｗｉｓｓ"  # an East Asian keyboard's full-width letters
    assert "Swiss Confederation" in client.get("/search/", query_string={"q": typed}).get_data(as_text=True)
    listed = client.get("/donors/", query_string={"q": typed}).get_data(as_text=True)
    assert "Swiss Confederation" in listed, "the donors list's search does not find it"
    commitments = client.get("/contributions/", query_string={"donor_name": typed}).get_data(as_text=True)
    assert "CH-2017-1" in commitments, "the commitments list's donor filter does not find it"
