"""A commitment's schedule of 121 instalments (the form's "Add a row" has no limit) is
neither refused nor kept whole: WTForms' FieldList(max_entries=120) silently drops
every row past the 120th before the service (which refuses more than MAX_INSTALMENTS
in words) ever sees them, so the commitment was recorded with 120 instalments and the
last amount typed lost without a word (a colleague's review)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tests.factories.contributions import commitment_form, sweden
from tests.pages import post_entry
from trustfund.contributions.models import Commitment, Instalment


def test_a_121st_instalment_is_refused_or_kept_never_dropped(app, db, client, login_as):
    login_as("mptf_officer")
    rows = {}
    first = dt.date(2018, 3, 1)
    for i in range(121):
        rows[f"instalments-{i}-due_on"] = (first + dt.timedelta(days=i)).isoformat()
        rows[f"instalments-{i}-amount"] = "1,000.00"
    form = commitment_form(sweden().id, amount="121,000.00", committed_on="2018-03-01", **rows)
    answer = post_entry(client, "/contributions/commitments/new", form)
    db.session.expire_all()
    recorded = db.session.scalar(sa.select(Commitment))
    kept = db.session.scalar(sa.select(sa.func.count()).select_from(Instalment))
    # Refused, nothing recorded, the officer told why beside the schedule: never a
    # schedule shorter than what was typed.
    assert (recorded, kept) == (None, 0), (
        f"answer {answer.status_code}: commitment recorded with {kept} instalments of the 121 typed")
    assert answer.status_code == 200
    assert "At most 120 instalments." in " ".join(answer.get_data(as_text=True).split())
