"""An officer who chose "Signed" for an SAA and left the four signing details empty
was refused four times in a row, one field at a time, each refusal saying "1 problem
to fix": the date, then the donor's signatory, then the MPTF Office's, then the
reference (a colleague's review). One refusal names every missing detail, each beside
its field, and nothing is saved."""
from __future__ import annotations

import re

from tests.factories import contributions as f
from tests.pages import text


def test_signing_without_details_names_every_missing_detail_at_once(app, db, client, login_as, users):
    donor = f.donor(name="Kingdom of Norway", status="under_negotiation", country="NO")
    login_as("mptf_officer")
    url = f"/donors/{donor.id}/saa"
    version = re.search(r'name="version" type="hidden" value="(\d+)"',
                        client.get(url).get_data(as_text=True)).group(1)
    refused = client.post(url, data={"to_status": "signed", "version": version, "note": ""})
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    for field in ("signed_on", "signatory_donor", "signatory_mptf", "reference"):
        assert f'id="{field}-errors"' in html, (field, text(html)[:400])
    assert "4 problems to fix" in text(html)
    db.session.refresh(donor)
    assert donor.saa_status == "under_negotiation"
    # What was typed is kept; only what is still missing is refused.
    partly = client.post(url, data={"to_status": "signed", "version": version, "note": "",
                                    "signed_on": "2017-07-14", "signatory_donor": "Minister of Finance"})
    html = partly.get_data(as_text=True)
    assert 'id="signed_on-errors"' not in html and 'id="signatory_donor-errors"' not in html
    assert 'id="signatory_mptf-errors"' in html and 'id="reference-errors"' in html
    assert "Minister of Finance" in html
