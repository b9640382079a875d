"""The commands refuse what they cannot do with a sentence, never a traceback (a
colleague's review of the commands as an operator runs them): an id or a date past
what the database or Python holds (the pages refuse them through trustfund.params),
a restore into a folder not made yet, a donor id that names no donor."""
import pytest

BIG_ID = str(2**63)  # one past the largest id (params.MAX_ID); the pages answer 404


def _clean(result) -> bool:
    """A refusal a person reads: click's own exit (ClickException, UsageError), no traceback."""
    return result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("args", [
    ["create-user", "--email", "d9@un.org", "--role", "donor", "--donor", BIG_ID],
    ["export", "statement", "--out", "s.xlsx", "--donor", BIG_ID],
    ["issue-statements", "--from", "2018-01-01", "--to", "2018-12-31", "--donor", BIG_ID],
], ids=["create-user", "export", "issue-statements"])
def test_a_donor_id_past_the_largest_is_refused_in_words(app, db, runner, monkeypatch, tmp_path, args):
    monkeypatch.setenv("TRUSTFUND_PASSWORD", "correct horse battery staple 9")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(args=args)
    assert _clean(result), repr(result.exception)
    assert result.exit_code == 2
    assert "Invalid value for '--donor'" in result.output and "range" in result.output, result.output


def test_a_date_past_the_last_one_is_refused_in_words(app, db, runner, tmp_path):
    result = runner.invoke(args=["export", "funding_status", "--out", str(tmp_path / "f.xlsx"),
                                 "--to", "9999-12-31"])
    assert _clean(result), repr(result.exception)
    assert result.exit_code == 2
    assert "9999-12-31 is not a date from 1900-01-01 to 2999-12-31" in result.output, result.output
    assert not (tmp_path / "f.xlsx").exists()


def test_restore_into_a_folder_that_does_not_exist_yet(tmp_path):
    """Disaster recovery on a new machine: DATABASE_URL names a file in a folder not made
    yet; `restore` ended in sqlite3.OperationalError "unable to open database file"."""
    from trustfund import create_app
    from trustfund.extensions import db as _db
    from trustfund.maintenance.schema import stamp_head

    source = tmp_path / "source.sqlite3"
    first = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{source}"})
    with first.app_context():
        _db.create_all()
        stamp_head()
        _db.session.remove()
        _db.engine.dispose()
    copy = tmp_path / "copy.sqlite3"
    result = first.test_cli_runner().invoke(args=["backup", str(copy)])
    assert result.exit_code == 0, result.output
    with first.app_context():
        _db.engine.dispose()
    live = tmp_path / "not-made-yet" / "live.sqlite3"
    other = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{live}"})
    try:
        result = other.test_cli_runner().invoke(args=["restore", str(copy), "--yes"])
    finally:
        with other.app_context():
            _db.engine.dispose()
    assert _clean(result), repr(result.exception)
    assert result.exit_code == 1
    assert f"The folder {live.parent} does not exist" in result.output, result.output


def test_issue_statements_for_an_unknown_donor_names_the_id(app, db, runner):
    """The command takes ids; it answered with the page's "Choose donors from the list."."""
    result = runner.invoke(args=["issue-statements", "--from", "2018-01-01", "--to", "2018-12-31",
                                 "--donor", "999"])
    assert result.exit_code == 1
    assert "There is no donor with id 999." in result.output, result.output
