"""The IATI file is published on the IATI Registry for anyone to read: what the fund's
staff typed for one another (a pledge's or an interest entry's note, the reason for a
reversal, a pledge's withdrawal or a write-off) is not published; each transaction
says what it is and which entry it reverses. A fund entry's own description (what a
direct cost bought) is its purpose and is published. (Left alone in earlier notes.)"""
from __future__ import annotations

import datetime as dt

from lxml import etree

from tests.factories import iati
from tests.factories.iati import HOSTILE_NOTE, iati_fund
from trustfund.iati.generator import activities_file


def _narratives(content: bytes) -> list[str]:
    activity = etree.fromstring(content).find("iati-activity")
    return [t.findtext("description/narrative") for t in activity.iter("transaction")]


def test_notes_and_reasons_typed_by_staff_are_not_published(db):
    iati_fund()  # a pledge's note and a deposit's reversal reason (HOSTILE_NOTE), a withdrawal's
    iati.fund_entries()  # reason, an interest reversal's note; a fund entry reversed "Belongs to ..."
    iati.close_operations()
    iati.close_financially()  # write-offs "Will not be paid <final> & done"
    today = dt.date.today()
    content = activities_file(today).decode()
    for typed in ("bell", "not a comment", "Budget cut", "Booked twice", "Belongs to another fund",
                  "Will not be paid"):
        assert typed not in content, typed
    narratives = _narratives(activities_file(today))
    assert any(n.startswith("Reversal of deposit ") for n in narratives)
    assert any(n.startswith("Withdrawal of the rest of pledge ") for n in narratives)
    assert any(n.startswith("Write-off of commitment ") for n in narratives)
    assert any(n.startswith("Reversal of fund entry ") and n.endswith("(direct cost)") for n in narratives)
    # what a direct cost bought is its purpose: published
    assert "Direct cost: Audit of the fund's accounts" in narratives
    assert "Direct cost: Booked to the wrong fund" in narratives
    assert HOSTILE_NOTE not in content
