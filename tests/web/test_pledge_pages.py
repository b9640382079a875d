"""Pledges become commitments through the pages: "Record the commitment" on a pledge's
page opens the commitment form filled in from the pledge, the commitment is linked
to it, and the pledge page, the list and its totals, the .xlsx and the dashboard
count as pledged only what is not yet committed."""
import datetime as dt
import html as html_module
import io
import re
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories.contributions import commitment, counts, objective, pledge, sweden
from tests.pages import Tables, error_beside, number, post_and_confirm
from trustfund.contributions.models import Commitment, Pledge

D = Decimal


def _text(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.DOTALL)
    assert match, f"no element {element_id}"
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())


def _selected(html: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.DOTALL)
    assert select, f"no select {name}"
    chosen = re.search(r'<option selected value="([^"]*)"', select.group(0))
    return chosen.group(1) if chosen else ""


def _value(html: str, name: str) -> str:
    field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert field, f"no field {name}"
    value = re.search(r'value="([^"]*)"', field.group(0))
    return html_module.unescape(value.group(1)) if value else ""


def _commitment_form_of(client, pledge_page: str) -> tuple[str, str]:
    """Follow "Record the commitment" on a pledge's page: (its URL, the form's page)."""
    match = re.search(r'<a[^>]*href="([^"]*)"[^>]*>Record the commitment</a>', pledge_page)
    assert match, "no Record the commitment link"
    url = html_module.unescape(match.group(1))
    page = client.get(url)
    assert page.status_code == 200
    return url, page.get_data(as_text=True)


def _post_from(client, url: str, form_page: str, **changes):
    data = {name: _value(form_page, name) for name in ("amount", "committed_on", "pledge_id", "form_token")}
    data.update(donor_id=_selected(form_page, "donor_id"), currency=_selected(form_page, "currency"),
                objective_id=_selected(form_page, "objective_id"), reference="", note="")
    data.update(changes)
    return client.post(url, data=data)


def test_record_the_commitment_fills_the_form_from_the_pledge_and_leaves_the_rest_pledged(
        app, db, client, login_as):
    p = pledge("EUR", "1000000.00", objective_number=2)
    login_as("mptf_officer")
    url, form_page = _commitment_form_of(client, client.get(f"/contributions/pledges/{p.id}").get_data(
        as_text=True))
    assert _selected(form_page, "donor_id") == str(sweden().id)
    assert _selected(form_page, "currency") == "EUR"
    assert _selected(form_page, "objective_id") == str(objective(2).id)
    assert _value(form_page, "amount") == "1,000,000.00"
    assert _value(form_page, "pledge_id") == str(p.id)
    assert "Fulfils the pledge of" in form_page

    response = _post_from(client, url, form_page, amount="400,000.00", reference="SE-PLEDGED")
    assert response.status_code == 302, error_beside(response.get_data(as_text=True), "amount")
    c = db.session.scalar(sa.select(Commitment))
    assert (c.pledge_id, c.donor_id, c.currency, c.amount, c.objective_id) == (
        p.id, sweden().id, "EUR", D("400000.00"), objective(2).id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Pledge of" in _text(page, "pledge") and "Partly fulfilled" in _text(page, "pledge")

    page = client.get(f"/contributions/pledges/{p.id}").get_data(as_text=True)
    assert (_text(page, "pledged"), _text(page, "fulfilled"), _text(page, "rest")) == (
        "EUR 1,000,000.00", "EUR 400,000.00", "EUR 600,000.00")
    assert _text(page, "status") == "Partly fulfilled"
    assert "SE-PLEDGED" in page and "Record the commitment" in page  # the rest may follow

    # The rest is what the next "Record the commitment" offers.
    _url, form_page = _commitment_form_of(client, page)
    assert _value(form_page, "amount") == "600,000.00"


def test_the_list_its_totals_and_the_xlsx_count_only_what_is_not_yet_committed(app, cached, db, client,
                                                                              login_as):
    eur = pledge("EUR", "1000000.00")
    pledge("EUR", "250000.00", pledged_on=dt.date(2017, 5, 2))
    usd = pledge("USD", "300000.00")
    commitment("EUR", "400000.00", pledge=eur)
    commitment("USD", "300000.00", pledge=usd)
    login_as("auditor")
    html = client.get("/contributions/?kind=pledges").get_data(as_text=True)
    totals = re.search(r'id="totals-heading".*?</table>', html, re.DOTALL).group(0)
    assert "Pledged, not yet committed" in totals
    rows = {cells[0]: cells[1:] for cells in (
        [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", totals, re.DOTALL)) if cells}
    assert rows["EUR"] == ["2", "850,000.00"]  # 600,000 still pledged of one, 250,000 of the other
    assert "USD" not in rows  # fulfilled: counted as committed only
    assert "Fulfilled" in html and "Partly fulfilled" in html

    html = client.get("/contributions/?kind=pledges&status=fulfilled").get_data(as_text=True)
    assert f'/contributions/pledges/{usd.id}"' in html and f'/contributions/pledges/{eur.id}"' not in html
    html = client.get("/contributions/?kind=pledges&status=active").get_data(as_text=True)
    assert f'/contributions/pledges/{eur.id}"' in html and f'/contributions/pledges/{usd.id}"' not in html

    book = load_workbook(io.BytesIO(client.get("/contributions/?kind=pledges&format=xlsx&sort=date").data))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    by_id = {r[header.index("Pledge")]: r for r in rows[1:]}
    row = by_id[eur.id]
    assert (row[header.index("Pledged")], row[header.index("Committed against it")],
            row[header.index("Pledged, not yet committed")], row[header.index("Status")]) == (
        1000000, 400000, 600000, "Partly fulfilled")
    assert by_id[usd.id][header.index("Pledged, not yet committed")] == 0
    assert by_id[usd.id][header.index("Status")] == "Fulfilled"
    totals = list(book.worksheets[1].iter_rows(values_only=True))
    assert totals[0] == ("Currency", "Pledges in force", "Pledged, not yet committed")
    assert totals[1:] == [("EUR", 2, 850000)]


def test_the_dashboard_counts_a_pledge_followed_by_its_commitment_once(app, cached, db, client, login_as):
    """With the figure cache on, as in production: each commitment changes the kept figures."""
    p = pledge("USD", "300000.00")
    login_as("mptf_officer")

    def overview():
        html = client.get("/dashboard/").get_data(as_text=True)
        return {row[0]: number(row[1]) for row in Tables(html).tables["overview"]["rows"]}

    before = overview()
    assert before["Pledged, not yet committed"] == D("300000.00") and before["Committed"] == 0
    commitment("USD", "100000.00", pledge=p, committed_on=p.pledged_on)
    after = overview()
    assert (after["Pledged, not yet committed"], after["Committed"]) == (D("200000.00"), D("100000.00"))
    commitment("USD", "200000.00", pledge=p, committed_on=p.pledged_on)
    final = overview()
    assert (final["Pledged, not yet committed"], final["Committed"]) == (0, D("300000.00"))


def test_a_partly_fulfilled_pledge_withdraws_its_rest_and_a_fulfilled_one_not_at_all(
        app, db, client, login_as):
    partly, whole = pledge("EUR", "1000000.00"), pledge("USD", "50000.00")
    commitment("EUR", "400000.00", pledge=partly)
    commitment("USD", "50000.00", pledge=whole)
    login_as("mptf_officer")
    page = client.get(f"/contributions/pledges/{partly.id}").get_data(as_text=True)
    assert "Only what is still pledged, EUR\u00a0600,000.00, is withdrawn: the commitments stand." in page
    response = post_and_confirm(client, f"/contributions/pledges/{partly.id}/withdraw",
                                {"reason": "No more funds"})
    assert response.status_code == 302
    page = client.get(f"/contributions/pledges/{partly.id}").get_data(as_text=True)
    assert _text(page, "rest") == "EUR 0.00" and _text(page, "fulfilled") == "EUR 400,000.00"
    assert _text(page, "status").startswith("Partly fulfilled, rest withdrawn")
    assert "EUR 600,000.00 withdrawn; the commitments stand" in _text(page, "status")
    assert "Record the commitment" not in page

    page = client.get(f"/contributions/pledges/{whole.id}").get_data(as_text=True)
    assert _text(page, "status") == "Fulfilled" and "Withdraw the pledge" not in page
    before = counts()
    response = client.post(f"/contributions/pledges/{whole.id}/withdraw", data={"reason": "Try anyway"})
    assert response.status_code == 200
    assert "This pledge is fulfilled" in response.get_data(as_text=True)
    assert counts() == before
    assert db.session.get(Pledge, whole.id).withdrawn_at is None


def test_a_commitment_in_another_currency_than_its_pledge_is_refused_beside_the_currency(
        app, db, client, login_as):
    p = pledge("EUR", "500000.00")
    login_as("mptf_officer")
    url, form_page = _commitment_form_of(client, client.get(f"/contributions/pledges/{p.id}").get_data(
        as_text=True))
    before = counts()
    response = _post_from(client, url, form_page, currency="USD", amount="550,000.00")
    html = response.get_data(as_text=True)
    assert "The pledge is in EUR: record its commitment in EUR." in error_beside(html, "currency")
    assert counts() == before
    assert "Fulfils the pledge of" in html  # the form still says which pledge it fulfils


def test_the_commitment_form_of_an_unknown_pledge_is_not_found(app, db, client, login_as):
    login_as("mptf_officer")
    assert client.get("/contributions/commitments/new?pledge=987654").status_code == 404
    assert client.get("/contributions/commitments/new?pledge=99999999999999999999").status_code == 404


def test_the_amount_is_filled_in_the_users_language(app, db, client, login_as):
    p = pledge("EUR", "1250000.50")
    login_as("mptf_officer")
    client.post("/language", data={"lang": "fr", "next": "/"})
    url, form_page = _commitment_form_of(
        client, client.get(f"/contributions/pledges/{p.id}").get_data(as_text=True).replace(
            "Enregistrer l’engagement", "Record the commitment"))
    amount = _value(form_page, "amount")
    assert amount.replace("\u202f", " ").replace("\u00a0", " ") == "1 250 000,50"
    response = _post_from(client, url, form_page)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Pledge, p.id).fulfilled == D("1250000.50")


def test_a_name_and_what_follows_it_are_written_as_the_language_writes_them(app, db, client, login_as):
    """The donor's SAA beside its name: "(SAA: …)" in English, a no-break space before
    the colon in French, a full-width colon in Chinese."""
    p = pledge("EUR", "1000.00")
    login_as("mptf_officer")
    shown = {}
    for language in ("en", "fr", "zh"):
        client.post("/language", data={"lang": language, "next": "/"})
        page = html_module.unescape(client.get(f"/contributions/pledges/{p.id}").get_data(as_text=True))
        # "(<SAA in the language><separator><its status>)" closing the donor's line
        beside = re.search(r"\(([^()<]{1,12}?)(\s?[:：]\s?)[^()<]+\)</dd>", page)
        shown[language] = beside.group(2)
    assert shown == {"en": ": ", "fr": "\u00a0: ", "zh": "："}
