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
    for name in sorted(REGISTERS):
        out = tmp_path / f"{name}.xlsx"
        result = runner.invoke(args=["export", name, "--out", str(out), "--donor", str(evil.id)])
        # Either the workbook, or a clear refusal (exit 1 with a message): never a crash.
        assert result.exit_code in (0, 1), (name, result.output, result.exception)
        if result.exit_code == 0:
            openpyxl.load_workbook(out).close()
        else:
            assert result.output.startswith("Error:"), (name, result.output)
