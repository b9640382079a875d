"""An SAA amendment (its date, signatories and reference) must be in the audit trail:
the entry of a second amendment otherwise says "from Amended to Amended" and nothing else.
(Found by a colleague's review.)"""
from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from trustfund.audit import AuditEntry
from trustfund.audit_text import describe_many
from trustfund.donors.services import change_saa_status, create_donor


def test_an_amendment_of_the_saa_is_told_in_the_audit_trail(app, db, users, client, login_as):
    officer = users["mptf_officer"]
    donor = create_donor(officer, name="Open Society Foundations", donor_type="philanthropic_organization",
                         country_code="US")
    change_saa_status(officer, donor, "draft_shared")
    change_saa_status(officer, donor, "signed", signed_on=dt.date(2017, 6, 12), signatory_donor="Director",
                      signatory_mptf="Executive Coordinator", reference="SAA-2017")
    db.session.commit()
    login_as("mptf_officer")
    for number, day in ((1, "2018-03-01"), (2, "2019-04-02")):
        page = client.get(f"/donors/{donor.id}/saa").get_data(as_text=True)
        version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
        answer = client.post(f"/donors/{donor.id}/saa", data={
            "to_status": "amended", "signed_on": day, "signatory_donor": f"Deputy {number}",
            "signatory_mptf": "Executive Coordinator", "reference": f"SAA-2017-AMD-{number}",
            "version": version})
        assert answer.status_code == 302
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "donor.saa_status")
                                 .order_by(AuditEntry.id)).all()
    amendments = entries[-2:]
    # What an auditor reads: the entry's values, and the trail page's words.
    for number, entry in enumerate(amendments, start=1):
        stored = repr(entry.before) + repr(entry.after) + repr(entry.note)
        told = describe_many([entry])[0]
        words = told.sentence + " " + " ".join(c.text for c in told.changes)
        assert f"SAA-2017-AMD-{number}" in stored, (entry.before, entry.after)
        assert f"SAA-2017-AMD-{number}" in words and f"Deputy {number}" in words, words
