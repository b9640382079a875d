"""Travel is Objective 1 (travel and participation): an approval pays from the
Objective 1 pool or the un-earmarked pool, never from money a donor earmarked to
another objective; that money reaches travel only through a recorded transfer."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.factories.travel import fund_pool, make_event, make_request, srsg2
from tests.pages import post_and_confirm
from trustfund.contributions.models import Pool
from trustfund.errors import DomainError
from trustfund.travel.decisions import approve_grant, objective1_pool
from trustfund.travel.models import TravelGrant


def test_an_approval_cannot_take_money_earmarked_to_another_objective(client, login_as, db):
    objective2 = fund_pool(2, "10000.00")
    grant = make_request(make_event(), "SN")
    login_as("srsg_staff2")
    # A hand-made post: the forms do not offer the pool (below). Refused before anything
    # is confirmed, with the reason beside nothing else: the page shows it.
    response = post_and_confirm(client, f"/travel/grants/{grant.id}/approve", {"pool_id": str(objective2.id)},
                                follow_redirects=True)
    assert "The Objective 2 pool is earmarked to another objective: travel is paid from the Objective 1 " \
        "pool or the un-earmarked pool." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(TravelGrant, grant.id).status == "requested"
    assert db.session.get(Pool, objective2.id).available == Decimal("9900.00")


def test_the_service_says_where_travel_is_paid_from(db):
    objective2 = fund_pool(2, "10000.00")
    grant = make_request(make_event(), "SN")
    with pytest.raises(DomainError) as refused:
        approve_grant(srsg2(), grant, objective2.id)
    assert refused.value.message == ("The Objective 2 pool is earmarked to another objective: travel is paid "
                                     "from the Objective 1 pool or the un-earmarked pool.")
    assert refused.value.field == "pool_id"
    db.session.rollback()
    assert db.session.get(TravelGrant, grant.id).status == "requested"


def test_the_approval_forms_offer_only_the_pools_travel_is_paid_from(client, login_as, db):
    objective2 = fund_pool(2, "10000.00")
    fund_pool(1, "10000.00")
    grant = make_request(make_event(), "SN")
    login_as("srsg_staff2")
    for page in (f"/travel/grants/{grant.id}", "/travel/queue"):
        html = client.get(page).get_data(as_text=True)
        offered = set(re.findall(r'<option[^>]* value="(\d+)"', html)) - {"0"}
        assert str(objective1_pool().id) in offered, page
        assert str(objective2.id) not in offered, page


def test_the_objective_1_pool_chosen_by_name_still_pays(client, login_as, db):
    pool = fund_pool(1, "10000.00")
    grant = make_request(make_event(), "SN")
    login_as("srsg_staff2")
    post_and_confirm(client, f"/travel/grants/{grant.id}/approve", {"pool_id": str(pool.id)})
    db.session.expire_all()
    assert db.session.get(TravelGrant, grant.id).status == "approved"
    assert db.session.get(Pool, pool.id).available == Decimal("7600.00")


@pytest.mark.parametrize("lang, words", [
    ("en", "Neither the Objective 1 pool nor the un-earmarked pool can pay"),
    ("fr", "Ni l’enveloppe de l’objectif 1 ni l’enveloppe sans préaffectation ne peuvent payer"),
    ("es", "Ni el fondo común del Objetivo 1 ni el fondo común sin asignación específica pueden pagar"),
    ("ru", "Ни пул «Цель 1», ни пул без целевого назначения сейчас не могут оплатить"),
    ("zh", "目标1资金池和未指定用途资金池目前均无法支付"),
    ("ar", "لا يستطيع وعاء التمويل «الهدف 1» ولا وعاء التمويل غير المخصص لغرض محدد دفع"),
])
def test_a_sentence_names_each_pool_with_the_word_for_pool_in_the_readers_language(
        client, login_as, lang, words):
    """One name per pool: a sentence says "the Objective 1 pool", "the un-earmarked
    pool", each language with its own word for pool beside the name, never the
    objective's full title nor a capitalised "Un-earmarked" mid-sentence."""
    grant = make_request(make_event(), "SN")  # no pool can pay it
    login_as("srsg_staff2")
    page = client.post(f"/travel/grants/{grant.id}/approve", data={"pool_id": "0"},
                       headers={"Accept-Language": lang}).get_data(as_text=True)
    assert words in " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Travel and participation" not in page
