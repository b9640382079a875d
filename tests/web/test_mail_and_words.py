"""What the emails and screens say, found wanting by a colleague's review: a rate's
email wrote its month and rate in the proposer's language; an account's move to
another role did not say from which; a reversal of interest had the subject of new
interest; the sign-in paused email said "address" for an IP address and not for how
long; an SAA status was capitalised inside a sentence; a donor's portal said no
instalment was outstanding beside a commitment without a schedule that was."""
from __future__ import annotations

import re
from decimal import Decimal

import sqlalchemy as sa

from tests.factories.contributions import commitment, deposit, sweden
from trustfund.donors.services import create_donor
from trustfund.mail.models import OutboxMessage


def _mails(db, kind):
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)
                              .order_by(OutboxMessage.id)).all()


def test_rate_waiting_mail_formats_month_and_rate_in_the_recipients_language(app, db, client, login_as,
                                                                             users):
    users["mptf_officer2"].locale = "fr"
    db.session.commit()
    login_as("mptf_officer")
    client.post("/contributions/rates/new", data={"currency": "EUR", "month": "2018-05", "rate": "0.941"},
                follow_redirects=True)
    [mail] = [m for m in _mails(db, "rate_waiting") if m.to_address == users["mptf_officer2"].email]
    assert mail.locale == "fr"
    # The French text says the month and the rate the French way ("mai 2018", "0,941"),
    # not in the proposer's English ("May 2018", "0.941").
    assert "May 2018" not in mail.body_text, mail.body_text
    assert "mai 2018" in mail.body_text and "0,941" in mail.body_text, mail.body_text


def test_user_change_mail_says_the_role_moves_from_what_to_what(app, db, client, login_as, users):
    """An admin proposes moving the auditor to MPTF officer (power over money). The other
    admin's email says "(role MPTF officer)": read as the account's present role, it
    hides that the change IS the move to a role with power over money."""
    login_as("admin")
    auditor = users["auditor"]
    data = {"email": auditor.email, "name": auditor.name, "role": "mptf_officer", "donor_id": 0,
            "version": auditor.version, "active": "y"}
    assert client.post(f"/admin/users/{auditor.id}", data=data, follow_redirects=True).status_code == 200
    [mail] = _mails(db, "user_change_waiting")
    assert "admin proposed to move the Trustfund account auditor from the role Auditor to the role MPTF " \
        "officer." in " ".join(mail.body_text.split()), mail.body_text


def test_interest_reversal_mail_subject_says_it_is_a_reversal(app, db, client, login_as, users):
    """A proposed REVERSAL of interest (money taken back out of the pool) is announced
    with the same subject as new interest: "Interest waits for your confirmation"."""
    from tests.factories import second_officer_confirms_interest
    from tests.pages import post_and_confirm, post_entry
    from trustfund.contributions.models import InterestEntry

    login_as("mptf_officer")
    post_entry(client, "/contributions/interest/new",
               {"value_date": "2018-06-30", "usd_amount": "1000.00", "note": "Q2"})
    second_officer_confirms_interest(app)
    entry = db.session.scalar(sa.select(InterestEntry))
    post_and_confirm(client, f"/contributions/interest/{entry.id}/reverse",
                     {"reason": "Belonged to another fund"}, follow_redirects=True)
    new, reversal = _mails(db, "interest_waiting")
    assert "reverse" in reversal.body_text
    assert new.subject == "Interest waits for your confirmation"
    assert reversal.subject == "A reversal of interest waits for your confirmation"


def test_signin_paused_mail_says_ip_address_and_for_how_long(app, db, users):
    """'paused ... for the address 127.0.0.1': everywhere else in Trustfund "address"
    is an email address; this one is the network (IP) address, and the message does
    not say when signing in works again."""
    from trustfund.auth.services import notify_sign_in_throttled

    assert notify_sign_in_throttled("officer@test.example", "203.0.113.7")
    db.session.commit()
    [mail] = _mails(db, "signin_throttled")
    body = " ".join(mail.body_text.split())
    assert "logging in was paused for up to 15 minutes after failed attempts from the IP address " \
        "203.0.113.7." in body, body


def test_the_saa_status_inside_a_sentence_is_not_capitalised(client, db, login_as, users):
    """Flash after an SAA step: "The SAA of X is now Draft shared." (travel statuses in
    sentences are lower-cased on purpose: status_in_words)."""
    osf = create_donor(users["mptf_officer"], name="Open Society Foundations",
                       donor_type="philanthropic_organization", country_code="US")
    db.session.commit()
    login_as("mptf_officer")
    page = client.get(f"/donors/{osf.id}/saa").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    answer = client.post(f"/donors/{osf.id}/saa", data={"to_status": "draft_shared", "note": "",
                                                        "version": version}, follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert "The SAA of Open Society Foundations is now" in html
    assert "is now Draft shared." not in html
    assert "is now draft shared." in html


def test_the_donor_portal_does_not_say_nothing_is_outstanding_when_a_commitment_is(
        client, db, login_as, users):
    """A commitment without an instalment schedule, half deposited: the portal's
    Commitments table shows the outstanding amount, and the section "Outstanding
    instalments" right below says "No instalment is outstanding."."""
    c = commitment("USD", "1000.00", who=sweden())
    deposit(c, Decimal("400.00"))
    login_as("donor")
    html = client.get("/statements/portal").get_data(as_text=True)
    assert "600.00" in html  # outstanding on the commitment
    assert "No instalment is outstanding." not in html
    assert ("No instalment of a schedule is due or overdue. A commitment without an instalment schedule has "
            "its outstanding amount under Commitments, above.") in html
