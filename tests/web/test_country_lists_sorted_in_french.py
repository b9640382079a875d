"""In French, a State whose name starts with an accented letter (Égypte, Éthiopie,
Érythrée, États-Unis d'Amérique, Îles Salomon...) must be listed among its letter, as
the donor form lists it, not after Zimbabwe: the travel grant request form's "State
represented", the grant list's country filter and the country list sorted by the raw
code points (a colleague's review)."""
from __future__ import annotations

import html as htmllib
import re

from trustfund.auth.models import User
from trustfund.extensions import db
from trustfund.localized import sort_key


def options(page: str, select_id: str) -> list[str]:
    block = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [htmllib.unescape(name) for value, name in
            re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', block) if value]


def in_french(login_as, role):
    user = login_as(role)
    db.session.get(User, user.id).locale = "fr"
    db.session.commit()


def test_the_request_forms_states_are_in_alphabetical_order_in_french(client, login_as, users):
    in_french(login_as, "srsg_staff")
    names = options(client.get("/travel/grants/new").get_data(as_text=True), "country_code")
    assert "Éthiopie" in names
    # Éthiopie (an LDC) sits among the E's, before Fidji, not after Zimbabwe.
    assert names.index("Éthiopie") < names.index("Fidji"), names[-10:]
    assert names == sorted(names, key=sort_key), names[-10:]


def test_the_grant_lists_country_filter_is_in_alphabetical_order_in_french(client, login_as, users):
    in_french(login_as, "srsg_staff")
    names = options(client.get("/travel/grants").get_data(as_text=True), "country")
    assert names.index("Égypte") < names.index("El Salvador"), names[-10:]


def test_the_country_list_is_in_alphabetical_order_in_french(client, login_as, users):
    in_french(login_as, "auditor")
    page = client.get("/countries/").get_data(as_text=True)
    names = [htmllib.unescape(n) for n in re.findall(r'<a href="/countries/[A-Z]{2}">([^<]+)</a>', page)]
    assert names.index("Éthiopie") < names.index("Fidji"), names[-10:]
