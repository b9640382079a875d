"""Demo donors of all four types, their SAAs at various stages (idempotent).

Created through the services, so that the audit trail and the SAA history are
those the application itself writes; the history's dates are then set to the
2017–2018 dates of the story, which is what a demo of this fund should show.
The many donors of `seed-demo --scale N` come from trustfund/demo/scale/.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ..donors.models import SAA_IN_FORCE, Donor
from ..donors.services import change_saa_status, create_donor, find_by_name
from ..extensions import db

MPTF_SIGNATORY = "Executive Coordinator, MPTF Office"

# name, type, country, contact person, contact email, SAA steps:
# (status, date, note[, signatory for the donor, reference])
DONORS = [
    ("Swiss Confederation", "member_state", "CH", "Permanent Mission of Switzerland, migration desk",
     "migration.desk@example.ch", [
         ("draft_shared", "2017-04-10", "Standard SAA text sent to the Permanent Mission."),
         ("signed", "2017-05-03", "Signed without changes to the standard text.",
          "Permanent Representative of Switzerland to the UN", "SAA-MCS00-CH-2017"),
     ]),
    ("Federal Republic of Germany", "member_state", "DE",
     "Federal Foreign Office, Division for Migration", "migration@example.de", [
         ("draft_shared", "2017-04-12", "Draft sent to the Federal Foreign Office."),
         ("under_negotiation", "2017-04-28", "Donor asked for a reporting clause in English and German."),
         ("signed", "2017-06-02", "Signed with the agreed reporting clause.",
          "Permanent Representative of Germany to the UN", "SAA-MCS00-DE-2017"),
         ("amended", "2018-03-15", "Amendment extending the contribution period to the end of 2018.",
          "Permanent Representative of Germany to the UN", "SAA-MCS00-DE-2017-A1"),
     ]),
    ("United Mexican States", "member_state", "MX",
     "Secretaría de Relaciones Exteriores, Migration Affairs", "asuntos.migratorios@example.mx", [
         ("draft_shared", "2017-05-15", "Draft shared ahead of the stocktaking meeting planning."),
         ("signed", "2017-07-14", "Signed in New York.",
          "Permanent Representative of Mexico to the UN", "SAA-MCS00-MX-2017"),
     ]),
    ("Kingdom of Morocco", "member_state", "MA", "Permanent Mission of Morocco, conference unit",
     "conference@example.ma", [
         ("draft_shared", "2017-09-04", "Draft shared with the host country of the conference."),
         ("under_negotiation", "2017-10-02", "Discussing earmarking to conference preparations."),
     ]),
    ("People's Republic of Bangladesh", "member_state", "BD", "Ministry of Expatriates' Welfare",
     "un.wing@example.bd", [
         ("draft_shared", "2017-11-20", "Draft shared at the donor's request."),
     ]),
    ("Republic of the Philippines", "member_state", "PH", "Department of Foreign Affairs, UN desk",
     "un.desk@example.ph", []),
    ("Parliamentary Assembly of the Mediterranean", "regional_legislative_body", "MT",
     "Secretariat, Standing Committee on Migration", "secretariat@example.org", [
         ("draft_shared", "2017-06-19", "Draft shared after the Geneva thematic session."),
         ("under_negotiation", "2017-07-24", "Assembly's legal service reviewing the audit clause."),
     ]),
    ("Pan-African Parliament", "regional_legislative_body", "ZA", "Office of the Clerk",
     "clerk.office@example.org", [
         ("draft_shared", "2017-10-19", "Draft shared at the ECA regional meeting."),
     ]),
    ("Organization of Islamic Cooperation", "intergovernmental_organization", "SA",
     "Department of Humanitarian Affairs", "humanitarian@example.org", [
         ("draft_shared", "2017-05-22", "Draft shared."),
         ("under_negotiation", "2017-06-20", "Privileges and immunities clause under review."),
         ("signed", "2017-09-26", "Signed after review by both legal offices.",
          "Assistant Secretary-General for Humanitarian Affairs", "SAA-MCS00-OIC-2017"),
     ]),
    ("International Centre for Migration Policy Development", "intergovernmental_organization", "AT",
     "Director-General's Office", "dg.office@example.org", [
         ("draft_shared", "2017-06-05", "Draft shared."),
         ("signed", "2017-07-03", "Signed in Vienna.",
          "Director General", "SAA-MCS00-ICMPD-2017"),
         ("closed", "2018-12-31", "Contribution fully used; SAA closed with the fund."),
     ]),
    ("Open Society Foundations", "philanthropic_organization", "US",
     "International Migration Initiative", "migration.initiative@example.org", [
         ("draft_shared", "2017-04-25", "Draft shared."),
         ("signed", "2017-06-12", "Signed by electronic signature.",
          "Director, International Migration Initiative", "SAA-MCS00-OSF-2017"),
     ]),
    ("John D. and Catherine T. MacArthur Foundation", "philanthropic_organization", "US",
     "Grants management", "grants@example.org", [
         ("draft_shared", "2017-08-01", "Draft shared."),
         ("under_negotiation", "2017-08-29", "Foundation asked for quarterly financial updates."),
     ]),
]


def _at(day: str) -> dt.datetime:
    # Mid-morning in New York, stored in UTC.
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(14, 0))


def seed(context: dict) -> None:
    actor = context["users"]["officer"]
    for name, donor_type, country, contact, email, steps in DONORS:
        if find_by_name(name) is not None:
            continue
        if donor_type == "member_state" and db.session.scalar(
                sa.select(Donor.id).where(Donor.country_code == country,
                                          Donor.donor_type == "member_state")) is not None:
            continue
        donor = create_donor(actor, name=name, donor_type=donor_type, country_code=country,
                             contact_name=contact, contact_email=email)
        donor.created_at = _at(steps[0][1]) - dt.timedelta(days=7) if steps else _at("2017-12-01")
        for status, day, note, *signing in steps:
            kwargs = {}
            if status in SAA_IN_FORCE:
                signatory, reference = signing
                kwargs = {"signed_on": dt.date.fromisoformat(day), "signatory_donor": signatory,
                          "signatory_mptf": MPTF_SIGNATORY, "reference": reference}
            change_saa_status(actor, donor, status, note=note, **kwargs)
            donor.saa_history[-1].at = _at(day)
        db.session.flush()
