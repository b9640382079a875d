"""The rates and pools pages list what waits for a second person above their figures
(a rate or a rates file waiting for another MPTF officer; a transfer between pools
waiting for another administrator); their downloads held the figures only, so that
whoever worked from the file never saw what was about to change. Each download now
carries a sheet of what waits, as the deposits', interest's and transfers' do."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.factories import statements as data
from tests.pages import sheets_of
from trustfund.contributions import rate_changes, transfer_changes
from trustfund.extensions import db


def test_the_rates_download_holds_the_rates_and_files_waiting(client, login_as, users):
    rate_changes.propose(users["mptf_officer"], "CHF", dt.date(2030, 2, 1), "0.95")
    db.session.commit()
    login_as("mptf_officer")
    boundary, body = encode_multipart({"file": FileStorage(
        io.BytesIO("Currency,Month,Rate\nNOK,2030-03,10.55\nNOK,2030-04,10.61\n".encode("utf-8-sig")),
        filename="june-rates.csv")})
    uploaded = client.post("/contributions/rates/import", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert uploaded.status_code == 302
    page = client.get("/contributions/rates").get_data(as_text=True)
    # The page shows both.
    assert "0.95 per US dollar for CHF in February 2030" in page and "june-rates.csv" in page

    login_as("auditor")
    sheets = sheets_of(client.get("/contributions/rates?format=xlsx"))
    assert list(sheets) == ["Exchange rates", "Waiting rates", "Waiting rates files", "About this export"]
    assert not any(r["Currency"] == "CHF" for r in sheets["Exchange rates"])  # not a rate yet
    [waiting] = sheets["Waiting rates"]
    assert (waiting["Currency"], waiting["Month"], Decimal(str(waiting["Units per US dollar"]))) == (
        "CHF", dt.datetime(2030, 2, 1), Decimal("0.95"))
    assert waiting["Corrects"] is None and waiting["Proposed by"] == users["mptf_officer"].shown_name
    [upload] = sheets["Waiting rates files"]
    assert (upload["Rates file"], upload["Rates"]) == ("june-rates.csv", 2)
    assert upload["Uploaded by"] == users["mptf_officer"].shown_name


def test_the_pools_download_holds_the_transfers_waiting(client, login_as, users):
    data.deposit(data.commitment(data.donor("Norway"), "10000.00"), "10000.00")
    transfer_changes.propose(users["admin"], data.pool().id, data.pool("OBJ2").id, "1000.00",
                             "Objective 2 needs it")
    db.session.commit()
    login_as("mptf_officer")
    assert "Objective 2 needs it" in client.get("/contributions/pools").get_data(as_text=True)
    sheets = sheets_of(client.get("/contributions/pools?format=xlsx"))
    assert list(sheets) == ["Pools", "Waiting transfers", "About this export"]
    [waiting] = sheets["Waiting transfers"]
    assert Decimal(str(waiting["Amount (USD)"])) == Decimal("1000.00")
    assert waiting["Reason"] == "Objective 2 needs it"
    # Nothing has moved: the pools' figures are as before the proposal.
    unearmarked = next(p for p in sheets["Pools"] if p["Pool"] == "Un-earmarked")
    assert unearmarked["Transfers out"] == 0
