"""A statement (and the closure's PDFs) names the fund from its record (DESIGN §1: "...
Regular Migration, and its preparatory process", code MCS00, both an admin's to
correct), in the reader's language: it printed a fixed, shortened line with MCS00
whatever the record said. The IATI file's title is the full name too. (A colleague's
review of the fund's facts.)"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.factories import statements as data
from trustfund.extensions import db
from trustfund.fund.models import Fund
from trustfund.fund.services import update_fund

PERIOD = {"from": "2017-01-01", "to": "2017-12-31"}
FULL_NAME = ("United Nations voluntary trust fund for the intergovernmental conference to adopt "
             "the Global Compact for Safe, Orderly and Regular Migration, and its preparatory process")


@pytest.fixture
def fund(db):
    return data.two_donor_fund()


def test_statement_header_gives_the_funds_full_name(client, login_as, fund):
    sweden, _other = fund
    record = db.session.scalar(sa.select(Fund))
    assert record.name == FULL_NAME  # the record (reference.py) has it right
    login_as("mptf_officer")
    page = client.get(f"/statements/{sweden.id}", query_string=PERIOD).get_data(as_text=True)
    header = page.split('<header class="statement-head', 1)[1].split("</header>", 1)[0]
    assert "Regular Migration, and its preparatory process" in header, header


def test_statement_header_follows_a_corrected_fund_code(client, login_as, fund, users):
    sweden, _other = fund
    record = db.session.scalar(sa.select(Fund))
    update_fund(users["admin"], record, name=record.name, code="MCS01", start_on=record.start_on)
    db.session.commit()
    login_as("mptf_officer")
    page = client.get(f"/statements/{sweden.id}", query_string=PERIOD).get_data(as_text=True)
    header = page.split('<header class="statement-head', 1)[1].split("</header>", 1)[0]
    assert "MCS01" in header and "MCS00" not in header, header


def test_iati_activity_title_is_the_funds_full_name(app):
    # config.py IATI_FUND_TITLE: published as the activity's <title> and description.
    assert app.config["IATI_FUND_TITLE"].endswith("Regular Migration, and its preparatory process")


def test_the_heading_is_in_the_readers_language_and_a_corrected_name_as_typed(client, login_as, fund, users):
    sweden, _other = fund
    login_as("donor")
    users["donor"].locale = "fr"
    db.session.commit()
    page = client.get(f"/statements/{users['donor'].donor_id}", query_string=PERIOD).get_data(as_text=True)
    assert "et pour son processus préparatoire · Bureau MPTF, Agent administratif · fonds MCS00" in page
    record = db.session.scalar(sa.select(Fund))
    update_fund(users["admin"], record, name="Migration conference fund", code=record.code,
                start_on=record.start_on)
    db.session.commit()
    login_as("mptf_officer")
    page = client.get(f"/statements/{sweden.id}", query_string=PERIOD).get_data(as_text=True)
    assert "Migration conference fund · MPTF Office, Administrative Agent · fund MCS00" in page
