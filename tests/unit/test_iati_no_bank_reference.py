"""The IATI file is published to the world (the IATI Registry): a donor's bank reference
(the reference of its bank transfer, shown only to the fund's staff and that donor) is
not the world's to read. (Found by a colleague's review.)"""
from __future__ import annotations

import datetime as dt

from tests.factories import statements as data
from trustfund.iati.generator import activities_file


def test_the_iati_file_does_not_publish_a_deposits_bank_reference(db):
    sweden, _evil = data.two_donor_fund()
    c = data.commitment(sweden, "5000.00", reference="SE-2017-X")
    data.deposit(c, "1000.00", value_date=dt.date(2017, 6, 1), bank_reference="SEB-TXN-0042-778812")
    db.session.commit()
    content = activities_file(dt.date(2018, 6, 30)).decode()
    assert "deposit-" in content  # the deposit is reported
    assert "SEB-TXN-0042-778812" not in content
