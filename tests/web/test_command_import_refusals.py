"""`flask --app trustfund import-deposits` refuses what the page refuses, in words (a
colleague's review of the commands): a financially closed fund ended in the guard's
traceback; on SQLite a deposit recorded on the page while the command read its next
ids took one of them, and the command ended in an IntegrityError."""
import datetime as dt
import threading

import sqlalchemy as sa

from tests.factories.contributions import counts
from tests.web.test_import import HEADER, _setup, workbook


def test_import_into_a_financially_closed_fund_is_refused_with_a_sentence_not_a_traceback(
        app, db, runner, tmp_path):
    """The page's confirmation answers "The fund is financially closed..." (run() catches the
    guard's DomainError); the command lets the guard's FundClosed escape as a traceback."""
    _setup()
    db.session.commit()
    db.session.execute(sa.text("UPDATE fund SET status = 'financially_closed', financially_closed_at = :t"),
                       {"t": dt.datetime(2019, 6, 1)})
    db.session.commit()
    path = tmp_path / "late.xlsx"
    path.write_bytes(workbook([("SE-EUR-1", "2018-05-10", 1000, None, None, None, "")], header=HEADER[:7]))
    before = counts()
    result = runner.invoke(args=["import-deposits", str(path), "--user", "officer@test.example"])
    db.session.rollback()
    assert counts() == before
    assert result.exit_code == 1
    # A clean refusal (click.ClickException -> SystemExit(1)), not an uncaught exception.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "The fund is financially closed" in result.output, result.output


def test_a_deposit_recorded_on_the_page_during_a_command_import_does_not_crash_it(
        app, db, runner, tmp_path, monkeypatch, backend):
    """On SQLite the command's import took the next deposit ids as max(id) + 1 before its
    transaction held the write lock (pysqlite begins a transaction at the first write;
    the page's confirmation writes DepositImport first, the command did not): an
    officer's deposit on the page at that moment took the same id."""
    from tests.factories.contributions import commitment, deposit
    from trustfund.contributions import importer

    _setup()
    other = commitment("USD", "5000.00", reference="US-1")
    db.session.commit()
    path = tmp_path / "may.xlsx"
    path.write_bytes(workbook([("SE-EUR-1", "2018-05-10", 1000, None, None, None, "")], header=HEADER[:7]))
    original = importer._new_ids
    workers = []
    other_id = other.id

    def new_ids_then_a_page_deposit(count):
        ids = original(count)

        def page():  # another worker, its own session
            with app.app_context():
                from trustfund.contributions.models import Commitment
                deposit(db.session.get(Commitment, other_id), "100.00")
                db.session.remove()

        worker = threading.Thread(target=page)
        worker.start()
        worker.join(timeout=1)  # it waits for the import's write lock (SQLite) or is done (PostgreSQL)
        workers.append(worker)
        return ids

    monkeypatch.setattr(importer, "_new_ids", new_ids_then_a_page_deposit)
    result = runner.invoke(args=["import-deposits", str(path), "--user", "officer@test.example"])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.output
    workers[0].join(timeout=60)
    db.session.expire_all()
    from trustfund.contributions.models import Deposit
    # the file's deposit and the page's
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == 2
