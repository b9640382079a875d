"""The IATI file leaves the application: `flask --app trustfund export iati --out FILE
[--as-of DATE]`, `export iati --validate FILE`, and the download of the admin and the
auditor (others: 403; the access matrix walks the route too)."""
from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from tests.factories import iati
from tests.factories.iati import HOSTILE, OTHER_FUND, iati_fund
from trustfund.iati import cli as iati_cli
from trustfund.iati.generator import activities_file
from trustfund.iati.validate import validate


@pytest.fixture
def fund(db):
    return iati_fund()


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def test_the_command_writes_a_valid_file_and_validates_it(runner, fund, tmp_path):
    out = tmp_path / "fund.xml"
    result = runner.invoke(args=["export", "iati", "--out", str(out), "--as-of", "2018-06-30"])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output and "valid against IATI 2.03" in result.output
    assert "placeholder" in result.output  # the demo identifier is not for publication
    content = out.read_bytes()
    assert content == activities_file(dt.date(2018, 6, 30))
    assert validate(content, _today()) == []
    result = runner.invoke(args=["export", "iati", "--validate", str(out)])
    assert result.exit_code == 0 and "valid (IATI 2.03 schema" in result.output


def test_validate_reports_each_problem_and_exits_1(runner, fund, tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(activities_file(dt.date(2018, 6, 30), omit=frozenset({"value@value-date"})))
    result = runner.invoke(args=["export", "iati", "--validate", str(bad)])
    assert result.exit_code == 1
    assert "problem(s)" in result.output and "'value-date' is required but missing" in result.output


def test_the_command_refuses_to_write_an_invalid_file(runner, fund, tmp_path, monkeypatch):
    """The generator made to leave out a required attribute: nothing is written."""
    monkeypatch.setattr(iati_cli, "activities_file",
                        lambda as_of: activities_file(as_of, omit=frozenset({"transaction-type@code"})))
    out = tmp_path / "fund.xml"
    result = runner.invoke(args=["export", "iati", "--out", str(out)])
    assert result.exit_code == 1 and "would not be valid" in result.output
    assert not out.exists() and not (tmp_path / "fund.xml.partial").exists()


def test_a_future_date_and_misplaced_options_are_refused(runner, fund, tmp_path):
    out = tmp_path / "fund.xml"
    tomorrow = (_today() + dt.timedelta(days=1)).isoformat()
    result = runner.invoke(args=["export", "iati", "--out", str(out), "--as-of", tomorrow])
    assert result.exit_code == 1 and "is in the future" in result.output and not out.exists()
    result = runner.invoke(args=["export", "iati"])
    assert result.exit_code == 2 and "--out" in result.output
    result = runner.invoke(args=["export", "deposits", "--out", str(tmp_path / "d.xlsx"),
                                 "--as-of", "2018-01-01"])
    assert result.exit_code == 2 and "for the iati export only" in result.output
    result = runner.invoke(args=["export", "deposits"])
    assert result.exit_code == 2 and "Missing option '--out'" in result.output


def test_the_iati_file_refuses_a_period_or_a_donor_and_writes_nothing(runner, fund, tmp_path):
    """It reports the whole fund up to --as-of: a --from, --to or --donor it ignored
    would seem to have chosen what it holds."""
    out = tmp_path / "fund.xml"
    for options in (["--from", "2018-01-01"], ["--to", "2018-06-30"], ["--donor", "1"]):
        result = runner.invoke(args=["export", "iati", "--out", str(out), *options])
        assert result.exit_code == 2, result.output
        assert f"Error: The iati export does not filter by {options[0]}: it takes --out and --as-of" \
            in result.output
        assert not out.exists() and not (tmp_path / "fund.xml.partial").exists()


def test_help_lists_iati_beside_the_registers(runner):
    result = runner.invoke(args=["export", "--help"])
    assert result.exit_code == 0
    assert "iati" in result.output and "--as-of" in result.output and "--validate" in result.output
    assert "deposits" in result.output


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_admin_and_auditor_download_the_file(client, login_as, fund, role):
    login_as(role)
    response = client.get("/iati/activities.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="iati-XX-PLACEHOLDER-SET-TRUSTFUND-IATI-ORG-REF-MCS00-')
    assert validate(response.data, _today()) == []
    names = [n.text for n in etree.fromstring(response.data).iter("narrative")]
    assert HOSTILE in names
    page = client.get("/dashboard/").get_data(as_text=True)
    assert 'href="/iati/activities.xml"' in page


def test_the_page_never_serves_a_file_iati_would_refuse(app, client, login_as, fund, monkeypatch):
    """As the command does: a file the standard refuses (here the reporting
    organisation's identifier set with a slash, which IATI forbids) is not
    downloaded; the page says so and names the problem."""
    login_as("admin")
    monkeypatch.setitem(app.config, "IATI_REPORTING_ORG_REF", "XM-DAC/41114")
    response = client.get("/iati/activities.xml")
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert "Content-Disposition" not in response.headers
    page = response.get_data(as_text=True)
    assert "The IATI file would not be valid" in page and "Nothing was downloaded" in page
    assert "holds characters IATI forbids in identifiers: &#39;/&#39;" in page


@pytest.mark.parametrize("role", ["mptf_officer", "srsg_staff", "donor"])
def test_other_roles_are_refused(client, login_as, fund, role):
    login_as(role)
    assert client.get("/iati/activities.xml").status_code == 403
    home = "/statements/portal" if role == "donor" else "/dashboard/"
    assert "/iati/activities.xml" not in client.get(home).get_data(as_text=True)


def test_anonymous_users_are_sent_to_login(client, fund):
    response = client.get("/iati/activities.xml")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_closed_funds_download_says_closed_and_shows_its_refunds(client, login_as, fund):
    iati.fund_entries()
    iati.close_operations()
    iati.close_financially()
    login_as("auditor")
    response = client.get("/iati/activities.xml")
    assert response.status_code == 200 and validate(response.data, _today()) == []
    activity = etree.fromstring(response.data).find("iati-activity")
    assert activity.find("activity-status").get("code") == "4"
    assert activity.find("activity-date[@type='4']").get("iso-date") == _today().isoformat()
    receivers = {t.find("receiver-org").findtext("narrative"): t.findtext("value")
                 for t in activity.iter("transaction") if t.find("transaction-type").get("code") == "3"}
    assert receivers[OTHER_FUND] == "463784.57" and receivers["Kingdom of Sweden"] == "967767.01"
    assert receivers[HOSTILE] == "18213.38"


def test_the_iati_file_in_a_folder_that_does_not_exist_is_refused(runner, fund, tmp_path):
    missing = tmp_path / "iati"
    result = runner.invoke(args=["export", "iati", "--out", str(missing / "fund.xml")])
    assert result.exit_code == 1
    assert result.output == f"Error: The folder {missing} does not exist.\n"
    assert list(tmp_path.iterdir()) == []


def test_an_iati_file_that_cannot_be_written_is_refused_in_a_sentence(runner, fund, tmp_path):
    """Where the file cannot be written (here its partial copy's name is taken by a
    folder), one sentence, not a traceback; the file asked for is not made."""
    out = tmp_path / "fund.xml"
    (tmp_path / "fund.xml.partial").mkdir()
    result = runner.invoke(args=["export", "iati", "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert result.output == f"Error: Could not write {out}: Is a directory. Nothing was written.\n"
    assert not out.exists()
