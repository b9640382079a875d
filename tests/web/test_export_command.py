"""`flask --app trustfund export REGISTER --out FILE [--donor ID] [--from DATE] [--to DATE]`."""
import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from tests.factories import statements as data
from tests.factories.statements import EVIL
from trustfund.exports import REGISTERS
from trustfund.statements.services import statement


@pytest.fixture
def fund(db):
    return data.two_donor_fund()


def test_help_lists_every_register(runner):
    result = runner.invoke(args=["export", "--help"])
    assert result.exit_code == 0
    for name in REGISTERS:
        assert name in result.output
    assert "--donor" in result.output and "--from" in result.output and "--to" in result.output


def test_statement_from_the_command_line_equals_the_statement(runner, fund, tmp_path):
    _sweden, evil = fund
    out = tmp_path / "statement.xlsx"
    result = runner.invoke(args=["export", "statement", "--out", str(out), "--donor", str(evil.id),
                                 "--from", "2017-04-03", "--to", "2017-12-31"])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    s = statement(evil, dt.date(2017, 4, 3), dt.date(2017, 12, 31))
    wb = openpyxl.load_workbook(out)
    summary = wb["Summary"]
    assert summary["A2"].value == EVIL and summary["A2"].data_type == "s"
    assert [Decimal(str(summary.cell(2, col).value)) for col in range(4, 9)] == [
        s.opening, s.net_in_period, s.share_in_period, s.returned_in_period, s.closing]
    about = {row[0]: row[1] for row in wb["About this export"].iter_rows(values_only=True)}
    assert about["Exported by"] == "command line"
    # The file names the fund it is about, wherever it goes next.
    from trustfund.reference import FUND_CODE, FUND_NAME

    assert about["Fund"] == f"{FUND_NAME} ({FUND_CODE})"
    assert about["Filter: To"] == dt.datetime(2017, 12, 31)


def test_unknown_register_is_refused_with_the_list(runner, tmp_path):
    out = tmp_path / "x.xlsx"
    result = runner.invoke(args=["export", "no_such_register", "--out", str(out)])
    assert result.exit_code != 0
    assert "no_such_register" in result.output and "statement" in result.output
    assert not out.exists()


def test_statement_without_a_donor_is_refused_and_writes_nothing(runner, fund, tmp_path):
    out = tmp_path / "x.xlsx"
    result = runner.invoke(args=["export", "statement", "--out", str(out)])
    assert result.exit_code == 1
    assert "Name the donor" in result.output
    assert not out.exists() and not (tmp_path / "x.xlsx.partial").exists()
    result = runner.invoke(args=["export", "statement", "--out", str(out), "--donor", "999999"])
    assert result.exit_code == 1 and "There is no donor with id 999999" in result.output
    result = runner.invoke(args=["export", "statement", "--out", str(out), "--donor", "1",
                                 "--from", "31/12/2017"])
    assert result.exit_code == 2 and "--from" in result.output


def test_every_register_runs_from_the_command_line(runner, fund, tmp_path):
    _sweden, evil = fund
    options = {"donor_id": ["--donor", str(evil.id)], "date_from": ["--from", "2017-01-01"],
               "date_to": ["--to", "2017-12-31"]}
    for name in sorted(REGISTERS):
        out = tmp_path / f"{name}.xlsx"
        given = [word for key in sorted(REGISTERS[name].applies) for word in options[key]]
        result = runner.invoke(args=["export", name, "--out", str(out), *given])
        # Either the workbook, or a clear refusal (exit 1 with a message): never a crash.
        assert result.exit_code in (0, 1), (name, result.output, result.exception)
        if result.exit_code == 0:
            openpyxl.load_workbook(out).close()
        else:
            assert result.output.startswith("Error:"), (name, result.output)


@pytest.mark.parametrize(("register", "options", "message"), [
    ("transfers", ["--from", "2019-01-01", "--to", "2019-12-31"],
     "The register transfers does not filter by --from or --to: it takes --out only."),
    ("pools", ["--from", "2019-01-01"], "The register pools does not filter by --from: it takes --out only."),
    ("closing", ["--donor", "1", "--to", "2019-12-31"],
     "The register closing does not filter by --donor or --to: it takes --out only."),
    ("grants", ["--from", "2019-01-01"],
     "The register grants does not filter by --from: it takes --out only."),
    ("interest", ["--donor", "1", "--from", "2019-01-01"],
     "The register interest does not filter by --donor: it takes --out, --from and --to."),
    ("fund_entries", ["--donor", "1"],
     "The register fund_entries does not filter by --donor: it takes --out, --from and --to."),
    ("donor_balances", ["--donor", "1"],
     "The register donor_balances does not filter by --donor: it takes --out, --from and --to."),
    ("funding_status", ["--from", "2019-01-01"],
     "The register funding_status does not filter by --from: it takes --out and --to."),
    ("my_instalments", ["--donor", "1", "--to", "2019-12-31"],
     "The register my_instalments does not filter by --to: it takes --out and --donor."),
])
def test_an_option_the_register_does_not_apply_is_refused_and_nothing_written(runner, fund, tmp_path,
                                                                             register, options, message):
    """Every row would have been written while the About sheet named the period or the
    donor: an auditor asking for 2019 got every year."""
    out = tmp_path / "x.xlsx"
    result = runner.invoke(args=["export", register, "--out", str(out), *options])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == f"Error: {message}"
    assert not out.exists() and not (tmp_path / "x.xlsx.partial").exists()


def test_every_register_refuses_each_option_it_does_not_apply(runner, tmp_path):
    options = {"donor_id": ["--donor", "1"], "date_from": ["--from", "2019-01-01"],
               "date_to": ["--to", "2019-12-31"]}
    out = tmp_path / "x.xlsx"
    for name, definition in sorted(REGISTERS.items()):
        for key in sorted(set(options) - definition.applies):
            result = runner.invoke(args=["export", name, "--out", str(out), *options[key]])
            assert result.exit_code == 2, (name, key, result.output)
            assert f"Error: The register {name} does not filter by {options[key][0]}:" in result.output
            assert not out.exists()


def _rows(path, sheet: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(min_row=2, values_only=True))


def _about(path) -> dict:
    sheet = openpyxl.load_workbook(path)["About this export"]
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}


def test_interest_of_a_year_holds_that_years_entries_and_their_total(runner, db, tmp_path):
    for on, amount in ((dt.date(2018, 12, 31), "100.00"), (dt.date(2019, 1, 1), "20.00"),
                       (dt.date(2019, 12, 31), "3.45"), (dt.date(2020, 1, 1), "4000.00")):
        data.interest(amount, on=on)
    db.session.commit()
    out = tmp_path / "interest.xlsx"
    result = runner.invoke(args=["export", "interest", "--out", str(out), "--from", "2019-01-01",
                                 "--to", "2019-12-31"])
    assert result.exit_code == 0, result.output
    rows = _rows(out, "Interest")
    assert [(row[1], Decimal(str(row[2]))) for row in rows[:-1]] == [
        (dt.datetime(2019, 12, 31), Decimal("3.45")), (dt.datetime(2019, 1, 1), Decimal("20.00"))]
    assert Decimal(str(rows[-1][2])) == Decimal("23.45") and rows[-1][4] == "Total"
    about = _about(out)
    assert (about["Filter: From"], about["Filter: To"]) == (dt.datetime(2019, 1, 1),
                                                            dt.datetime(2019, 12, 31))


def test_the_funds_entries_of_a_year_are_that_years(runner, db, users, tmp_path):
    from trustfund.contributions.fund_entries import record_fund_entry

    for on in (dt.date(2018, 6, 30), dt.date(2019, 6, 30), dt.date(2020, 6, 30)):
        record_fund_entry(users["mptf_officer"], kind="other_income", pool_id=data.pool().id, value_date=on,
                          usd_amount="10.00", description=f"Gain on exchange {on.year}")
    db.session.commit()
    out = tmp_path / "entries.xlsx"
    result = runner.invoke(args=["export", "fund_entries", "--out", str(out), "--from", "2019-01-01",
                                 "--to", "2019-12-31"])
    assert result.exit_code == 0, result.output
    assert [row[6] for row in _rows(out, "Fund entries")] == ["Gain on exchange 2019"]
    assert _about(out)["Filter: From"] == dt.datetime(2019, 1, 1)


def test_a_file_in_a_folder_that_does_not_exist_is_refused_and_nothing_written(runner, fund, tmp_path):
    missing = tmp_path / "reports" / "2019"
    result = runner.invoke(args=["export", "deposits", "--out", str(missing / "deposits.xlsx")])
    assert result.exit_code == 1
    assert result.output == f"Error: The folder {missing} does not exist.\n"
    assert list(tmp_path.iterdir()) == []
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    result = runner.invoke(args=["export", "deposits", "--out", str(a_file / "deposits.xlsx")])
    assert result.exit_code == 1 and result.output == f"Error: {a_file} is not a folder.\n"
    assert list(tmp_path.iterdir()) == [a_file]


def test_a_file_that_cannot_be_written_is_refused_in_a_sentence_and_nothing_is_left(runner, fund, tmp_path,
                                                                                  monkeypatch):
    """A full disk (or a folder the command may not write in) ends in one sentence, not
    in a traceback, and leaves neither the file nor its partial copy; an existing file
    is kept as it was."""
    import errno

    from trustfund import exports

    out = tmp_path / "deposits.xlsx"
    out.write_bytes(b"last month's file")

    written = exports.write_workbook

    def disk_full(target, *args, **kwargs):  # the disk fills up as the file is closed
        written(target, *args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(exports, "write_workbook", disk_full)
    result = runner.invoke(args=["export", "deposits", "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert result.output == f"Error: Could not write {out}: No space left on device. Nothing was written.\n"
    assert list(tmp_path.iterdir()) == [out] and out.read_bytes() == b"last month's file"


@pytest.mark.parametrize("register", ["interest", "fund_entries", "deposits"])
def test_a_period_that_ends_before_it_starts_is_refused_and_nothing_written(runner, fund, tmp_path, register):
    out = tmp_path / "period.xlsx"
    result = runner.invoke(args=["export", register, "--from", "2020-01-01", "--to", "2019-01-01",
                                 "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "The period must end on or after the day it starts: --to is before --from." in result.output
    assert not out.exists()
