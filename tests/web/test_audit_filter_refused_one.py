"""A filter of the audit trail the form refuses (a date that does not exist) is said
beside it, and the others still apply, on the page and in the download, whose About
sheet names only the filters its rows obey: a refused date dropped every filter while
the action stayed chosen on the page and in the file's "Action: Deposit recorded" above
every other action. (A colleague's review of the lists.)"""
import io
import re

import openpyxl
import sqlalchemy as sa

from tests.factories.contributions import commitment, deposit
from tests.pages import error_beside
from trustfund.audit import AuditEntry
from trustfund.extensions import db


def test_audit_download_about_sheet_names_only_the_filters_its_rows_obey(app, client, login_as):
    deposit(commitment("USD", "1000.00"), "100.00")
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert "deposit.create" in actions and len(actions) > 1
    login_as("admin")
    r = client.get("/admin/audit?format=xlsx&action=deposit.create&date_from=2018-02-30")
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    rows = list(wb.worksheets[0].iter_rows(min_row=2, values_only=True))
    codes = {row[6] for row in rows}
    about = {row[0]: row[1] for row in wb.worksheets[-1].iter_rows(values_only=True)}
    said = {k: v for k, v in about.items() if k == "Filter: Action"}
    # Either the rows obey the action the About sheet names, or the sheet does not name it.
    assert not said or codes == {"deposit.create"}, (said, codes)
    assert codes == {"deposit.create"} and said == {"Filter: Action": "Deposit recorded"}
    assert not any(k.startswith("Filter: From") for k in about)  # the refused day is not named
    # The page: the action applies, the date is refused beside its field
    page = client.get("/admin/audit?action=deposit.create&date_from=2018-02-30").get_data(as_text=True)
    assert error_beside(page, "date_from") == "There is no such day."
    assert "; fee " in page  # the deposit's sentence
    entries = re.findall(r"<li[ >]", page.split('class="list-unstyled audit-trail"')[1].split("</ol>")[0])
    assert len(entries) == 1  # the deposit's entry alone, not the commitment's nor the reference data's
