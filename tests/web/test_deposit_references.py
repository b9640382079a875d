"""No deposit twice (issue 14), through the deposit form: a bank reference that a
standing deposit holds is refused beside the field, naming that deposit with a link,
unless the officer marks a separate transfer and says why; two requests at the same
moment with one reference record one deposit."""
import io
import threading
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import second_officer_confirms_reversal
from tests.factories.contributions import commitment, counts, pool_figures
from tests.pages import error_beside, post_and_confirm, post_entry
from trustfund.audit import AuditEntry
from trustfund.contributions.models import Deposit
from trustfund.extensions import db

D = Decimal


def _post(client, c, **data):
    form = {"value_date": "2018-05-10", "amount": "100.00", "rate": "", "rate_note": "", "bank_reference": "",
            "separate_note": ""}
    form.update(data)
    return post_entry(client, f"/contributions/commitments/{c.id}/deposits/new", form)


def _deposit_id(response) -> int:
    assert response.status_code == 302, error_beside(response.get_data(as_text=True), "bank_reference")
    return int(response.headers["Location"].rsplit("/", 1)[1])


@pytest.mark.parametrize("typed", ["SEB 2018-05-10/77", " seb 2018-05-10/77 ", "SEB2018-05-10/77",
                                   "Seb 2018 - 05 - 10 / 77", "ＳＥＢ 2018-05-10/77"])
def test_a_reference_already_used_is_refused_beside_the_field_with_a_link(app, db, client, login_as, typed):
    login_as("mptf_officer")
    c = commitment("USD", "1000000.00")
    first = _deposit_id(_post(client, c, bank_reference="SEB 2018-05-10/77"))
    before, figures = counts(), pool_figures()
    html = _post(client, c, amount="100.00", bank_reference=typed).get_data(as_text=True)
    assert error_beside(html, "bank_reference") == (
        f"Deposit #{first} (USD\u00a0100.00, value date 10 May 2018) already has this bank reference. "
        "If this is a separate bank transfer, tick “This is a separate bank transfer with the same "
        "reference” and say why.")
    assert f'<a href="/contributions/deposits/{first}">Open deposit #{first}</a>' in html
    assert counts() == before and pool_figures() == figures


def test_a_separate_transfer_needs_its_note_and_keeps_it(app, db, client, login_as):
    login_as("mptf_officer")
    c = commitment("USD", "1000000.00")
    _deposit_id(_post(client, c, bank_reference="UBS/1"))
    before = counts()
    html = _post(client, c, bank_reference="UBS/1", separate_transfer="y").get_data(as_text=True)
    assert error_beside(html, "separate_note") == ("Say why this transfer is separate from the deposit with "
                                                   "the same bank reference.")
    assert counts() == before
    second = _deposit_id(_post(client, c, bank_reference="ubs/1", separate_transfer="y",
                               separate_note="Second instalment under the same bank advice"))
    page = client.get(f"/contributions/deposits/{second}").get_data(as_text=True)
    assert "Second instalment under the same bank advice" in page
    d = db.session.get(Deposit, second)
    assert (d.separate_transfer, d.reference_key) == (True, "ubs/1")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "deposit.create",
                                                          AuditEntry.object_id == str(second)))
    assert entry.note == "Second instalment under the same bank advice"
    assert entry.after["separate_note"] == "Second instalment under the same bank advice"
    # The deposits' .xlsx says why too, beside that deposit only.
    sheet = load_workbook(io.BytesIO(client.get("/contributions/deposits?format=xlsx").data), read_only=True)
    rows = list(sheet[sheet.sheetnames[0]].iter_rows(values_only=True))
    at = rows[0].index("Separate transfer")
    assert {row[0]: row[at] for row in rows[1:]} == {
        second - 1: None, second: "Second instalment under the same bank advice"}
    # A third, unmarked, is still refused: the reference is used (twice now).
    assert "already has this bank reference" in error_beside(
        _post(client, c, bank_reference="UBS/1").get_data(as_text=True), "bank_reference")


def test_a_reversed_deposit_frees_its_reference(app, db, client, login_as):
    login_as("mptf_officer")
    c = commitment("USD", "1000000.00")
    first = _deposit_id(_post(client, c, bank_reference="CITI-4"))
    assert post_and_confirm(client, f"/contributions/deposits/{first}/reverse",
                            {"reason": "Entered twice"}).status_code == 302
    second_officer_confirms_reversal(app)
    again = _deposit_id(_post(client, c, bank_reference="citi-4"))
    assert db.session.get(Deposit, again).reference_key == "citi-4"
    assert db.session.get(Deposit, first).reference_key is None
    from trustfund.ledger_check import run_checks as problems
    assert problems() == []


def test_the_officer_who_reversed_a_deposit_does_not_record_its_transfer_for_another_donor(
        app, db, client, login_as, users, tmp_path, runner):
    """One officer alone moved money between donors and pools: reverse Sweden's deposit
    (its bank reference freed), record the same transfer for the Swiss commitment
    earmarked to Objective 2; the bank's statement still matched. The officer who
    reversed it may record it again for the same donor and pool (a corrected amount),
    not for another (beside the reference, from the form or from a file): another
    MPTF officer records that, such as the one who confirmed the reversal (the officer
    who reversed it is the one who proposed the reversal)."""
    from tests.factories.contributions import donor
    from trustfund.contributions.importer import import_deposits

    login_as("mptf_officer")
    swedens = commitment("USD", "1000000.00")
    swiss = commitment("USD", "1000000.00", objective_number=2, who=donor())
    first = _deposit_id(_post(client, swedens, amount="1000.00", bank_reference="CITI-9"))
    assert post_and_confirm(client, f"/contributions/deposits/{first}/reverse",
                            {"reason": "Booked to the wrong donor"}).status_code == 302
    second_officer_confirms_reversal(app)
    before, figures = counts(), pool_figures()
    html = _post(client, swiss, amount="1000.00", bank_reference="citi-9").get_data(as_text=True)
    assert error_beside(html, "bank_reference") == (
        "You reversed the deposit of this bank transfer for Kingdom of Sweden (the un-earmarked pool, "
        "value date 10 May 2018). Recorded for another donor or pool it would move money between them: "
        "another MPTF officer records it.")
    assert counts() == before and pool_figures() == figures
    # From a file, by the same officer: the row is refused, nothing recorded.
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Deposits")
    sheet.append(["Commitment", "Value date", "Amount", "Currency", "Rate", "Rate note", "Bank reference"])
    sheet.append([f"#{swiss.id}", "2018-05-10", "1000.00", "USD", "", "", "CITI-9"])
    path = tmp_path / "moved.xlsx"
    book.save(path)
    result = import_deposits(users["mptf_officer"], str(path))
    assert not result.ok and any("You reversed the deposit of this bank transfer" in e.message
                                 for e in result.errors)
    db.session.rollback()
    assert counts() == before
    # The same donor and pool, a corrected amount: the officer's own correction.
    _deposit_id(_post(client, swedens, amount="100.00", bank_reference="CITI-9"))
    assert post_and_confirm(client, f"/contributions/deposits/{_last_id()}/reverse",
                            {"reason": "Amount typed wrong"}).status_code == 302
    second_officer_confirms_reversal(app)
    # Another officer records the transfer for the Swiss commitment.
    login_as("mptf_officer2")
    moved = _deposit_id(_post(client, swiss, amount="1000.00", bank_reference="CITI-9"))
    assert db.session.get(Deposit, moved).pool.code == "OBJ2"
    from trustfund.ledger_check import run_checks as problems
    assert problems() == []


def _last_id() -> int:
    return db.session.scalar(sa.select(sa.func.max(Deposit.id)).where(Deposit.reverses_id.is_(None)))


def test_deposits_without_a_reference_are_never_duplicates(app, db, client, login_as):
    login_as("mptf_officer")
    c = commitment("USD", "1000000.00")
    _deposit_id(_post(client, c))
    _deposit_id(_post(client, c, bank_reference="   "))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 2


def test_two_requests_at_the_same_moment_record_one_deposit(app, db, login_as, monkeypatch):
    """Both requests look the reference up before either records its deposit (a
    barrier holds each after its look-up): the database refuses the second."""
    from trustfund.contributions import references

    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite: the form's one-time token, the request's first write, already takes the "
                    "database's write lock, so the second request looks up after the first committed "
                    "(the unique index itself: tests/unit/test_deposit_references.py)")

    c = commitment("USD", "1000000.00")
    both_looked = threading.Barrier(2, timeout=20)
    look_up = references.standing_deposit
    calls = iter(range(1000))

    def looked_up_together(key):
        found = look_up(key)
        if next(calls) < 2:  # the two requests' checks (not the refused page's link to the deposit)
            both_looked.wait()
        return found

    monkeypatch.setattr(references, "standing_deposit", looked_up_together)
    clients = [app.test_client(), app.test_client()]
    for each in clients:
        login_as("mptf_officer", each)
    answers = [None, None]

    target = SimpleNamespace(id=c.id)  # the threads have no app context to load `c` in

    def post(i):
        try:
            answers[i] = _post(clients[i], target, bank_reference="SAME-REF-1")
        except BaseException as error:  # shown by the assertion below
            answers[i] = error

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(getattr(a, "status_code", 0) for a in answers) == [200, 302], answers
    refused = next(a for a in answers if a.status_code == 200).get_data(as_text=True)
    assert "Another deposit with this bank reference was recorded at the same moment." in error_beside(
        refused, "bank_reference")
    db.session.expire_all()
    assert db.session.scalars(sa.select(Deposit.bank_reference)).all() == ["SAME-REF-1"]
    assert db.session.get(type(c), c.id).deposited == D("100.00")
    from trustfund.ledger_check import run_checks as problems
    assert problems() == []
