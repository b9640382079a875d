"""A commitment's schedule of 121 instalments (the form's "Add a row" has no limit) was
neither refused nor kept whole: WTForms' FieldList(max_entries=120) silently dropped
every row past the 120th before the service (which refuses more than MAX_INSTALMENTS
in words) ever saw them, so the commitment was recorded with 120 instalments and the
last amount typed lost without a word; and once the form let a 121st row through, one
row left empty among them brought it back (colleagues' reviews). Now the service
counts the rows filled in, and the form refuses, in the same words, a post carrying
more rows than it reads."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.factories.contributions import commitment_form, sweden
from tests.pages import post_entry
from trustfund.contributions.forms import ROWS_POSTED
from trustfund.contributions.models import Commitment, Instalment

FIRST = dt.date(2018, 3, 1)


def _rows(filled: range, empty: range = range(0)) -> dict:
    rows = {}
    for i in empty:
        rows[f"instalments-{i}-due_on"] = rows[f"instalments-{i}-amount"] = ""
    for i in filled:
        rows[f"instalments-{i}-due_on"] = (FIRST + dt.timedelta(days=i)).isoformat()
        rows[f"instalments-{i}-amount"] = "1,000.00"
    return rows


@pytest.mark.parametrize("rows", [
    _rows(range(121)),  # 121 rows typed
    _rows(range(1, 122), empty=range(1)),  # a row left empty, then 121 typed
    _rows(range(121), empty=range(121, ROWS_POSTED + 1)),  # more rows posted than the form reads
], ids=["121 typed", "one empty then 121 typed", "more rows than read"])
def test_a_schedule_past_120_instalments_is_refused_never_cut(app, db, client, login_as, rows):
    login_as("mptf_officer")
    form = commitment_form(sweden().id, amount="121,000.00", committed_on="2018-03-01", **rows)
    answer = post_entry(client, "/contributions/commitments/new", form)
    db.session.expire_all()
    recorded = db.session.scalar(sa.select(Commitment))
    kept = db.session.scalar(sa.select(sa.func.count()).select_from(Instalment))
    # Refused, nothing recorded, the officer told why beside the schedule.
    assert (recorded, kept) == (None, 0), (
        f"answer {answer.status_code}: commitment recorded with {kept} instalments of the 121 typed")
    assert answer.status_code == 200
    assert "At most 120 instalments." in " ".join(answer.get_data(as_text=True).split())


def test_120_instalments_among_rows_left_empty_are_recorded(app, db, client, login_as):
    login_as("mptf_officer")
    form = commitment_form(sweden().id, amount="120,000.00", committed_on="2018-03-01",
                           **_rows(range(2, 122), empty=range(2)))
    assert post_entry(client, "/contributions/commitments/new", form).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Instalment)) == 120
