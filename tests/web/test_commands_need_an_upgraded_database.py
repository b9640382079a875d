"""Every command on a database that `flask db upgrade` has not brought to this version
(no table at all, or an older revision) says to run it, and exits 1, instead of ending
in the database's "no such table" or "relation does not exist"; `db upgrade` itself,
and backup and restore (a backup is taken before an upgrade), keep working."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

UPGRADE = "`flask --app trustfund db upgrade`"
NOT_UPGRADED = ("Error: The database has not been upgraded to Trustfund's schema (it holds no schema "
                f"revision): upgrade it first with {UPGRADE}.\n")


def _runs(tmp_path) -> dict[str, list[str]]:
    """A run of every command of the application (but Flask-Migrate's `db`), each with
    the arguments it requires."""
    deposits = tmp_path / "deposits.xlsx"
    deposits.write_bytes(b"not read")
    return {
        "create-user": ["create-user", "--email", "new@un.org", "--role", "admin"],
        "setup-fund": ["setup-fund"],
        "seed-demo": ["seed-demo"],
        "check": ["check"],
        "import-deposits": ["import-deposits", str(deposits), "--user", "officer@test.example"],
        "export": ["export", "deposits", "--out", str(tmp_path / "out.xlsx")],
        "issue-statements": ["issue-statements", "--from", "2017-01-01", "--to", "2017-12-31"],
        "close-fund": ["close-fund", "--dry-run"],
        "send-mail": ["send-mail"],
        "backup": ["backup", str(tmp_path / "backup.sqlite3")],
        "restore": ["restore", str(tmp_path / "backup.sqlite3"), "--yes"],
    }


@pytest.fixture
def empty_app(empty_database_url):
    from trustfund import create_app
    from trustfund.extensions import db

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _tables(app) -> set[str]:
    from trustfund.extensions import db

    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def test_every_command_on_an_empty_database_says_to_upgrade_it_first(empty_app, tmp_path):
    runs = _runs(tmp_path)
    assert set(empty_app.cli.commands) - {"db"} == set(runs), "a command without a run here"
    runner = empty_app.test_cli_runner()
    for name in sorted(set(runs) - {"backup", "restore"}):
        result = runner.invoke(args=runs[name], env={"TRUSTFUND_PASSWORD": "a password long enough"})
        assert (result.exit_code, result.output) == (1, NOT_UPGRADED), (name, result.output, result.exception)
    assert _tables(empty_app) == set()
    assert not (tmp_path / "out.xlsx").exists()
    assert runner.invoke(args=["export", "--help"]).exit_code == 0


def test_an_older_revision_is_named_and_an_upgrade_lets_the_commands_run(empty_app):
    from flask_migrate import upgrade

    from trustfund.maintenance.backup import known_revisions

    with empty_app.app_context():
        upgrade(revision="0029")
    (head,) = known_revisions()[1]
    runner = empty_app.test_cli_runner()
    for args in (["check"], ["setup-fund"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1
        assert result.output == (f"Error: The database is at schema revision 0029, older than this "
                                 f"version's ({head}): upgrade it first with {UPGRADE}.\n")
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["setup-fund"])
    assert result.exit_code == 0 and result.output.startswith("Reference data loaded: ")
    assert runner.invoke(args=["check"]).exit_code == 0


def test_a_revision_this_version_does_not_know_is_not_sent_to_upgrade(empty_app):
    from flask_migrate import upgrade

    from trustfund.extensions import db

    with empty_app.app_context():
        upgrade()
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    result = empty_app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert result.output == ("Error: The database is at schema revision 9999, which this version of "
                             "Trustfund does not know (a newer version upgraded it): run that version "
                             "instead.\n")


def test_a_database_at_an_older_revision_can_still_be_backed_up(empty_app, tmp_path):
    from flask_migrate import upgrade

    from trustfund.extensions import db

    with empty_app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("backup copies SQLite files; PostgreSQL is backed up with pg_dump")
        upgrade(revision="0029")
    result = empty_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "before-upgrade.sqlite3")])
    assert result.exit_code == 0, result.output
    assert "schema revision 0029" in result.output


def test_checking_an_iati_file_needs_no_database(empty_app, tmp_path):
    """`export iati --validate FILE` reads the file only: on a database never upgraded
    it checks the file (here one the standard refuses) and touches no table."""
    made = tmp_path / "made-elsewhere.xml"
    made.write_bytes(b"<iati-activities/>")
    result = empty_app.test_cli_runner().invoke(args=["export", "iati", "--validate", str(made)])
    assert result.exit_code == 1
    assert result.output.startswith(f"{made}: ") and "problem(s):" in result.output
    assert "upgrade" not in result.output
    assert _tables(empty_app) == set()
