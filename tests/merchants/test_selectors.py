from __future__ import annotations

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.merchants.selectors import (
    MerchantNotFound,
    NotAllowed,
    NotMerchantStaff,
    StaffRoleTooLow,
    StoreNotFound,
    authorize,
    merchant_get,
    merchant_get_for,
    merchant_ids_for_user,
    merchant_list,
    merchant_summaries,
    staff_require,
    store_get,
    store_list,
)
from fiera.merchants.services import staff_add, store_open, store_set_active
from tests.marketplaces.factories import make_marketplace
from tests.merchants.factories import make_merchant, make_user

pytestmark = pytest.mark.django_db


def test_merchant_ids_for_user() -> None:
    user = make_user("merchant")
    first = make_merchant(owner_user_id=user.pk)
    second = make_merchant()
    staff_add(merchant_id=second.id, user_id=user.pk, role="clerk", actor_role=SYSTEM)
    make_merchant()
    assert merchant_ids_for_user(user_id=user.pk) == sorted([first.id, second.id])
    assert merchant_ids_for_user(user_id=make_user().pk) == []


def test_staff_require() -> None:
    owner = make_user("merchant")
    clerk = make_user("merchant")
    info = make_merchant(owner_user_id=owner.pk)
    other = make_merchant()
    staff_add(merchant_id=info.id, user_id=clerk.pk, role="clerk", actor_role=SYSTEM)
    staff_require(user_id=owner.pk, merchant_id=info.id)
    staff_require(user_id=owner.pk, merchant_id=info.id, roles=frozenset({"owner"}))
    staff_require(user_id=clerk.pk, merchant_id=info.id)
    with pytest.raises(StaffRoleTooLow) as too_low:
        staff_require(user_id=clerk.pk, merchant_id=info.id, roles=frozenset({"owner", "manager"}))
    assert (too_low.value.status, too_low.value.code) == (403, "staff_role")
    with pytest.raises(NotMerchantStaff) as unknown:
        staff_require(user_id=owner.pk, merchant_id=other.id)
    # Another company's id looks exactly like an id that does not exist.
    assert (unknown.value.status, unknown.value.code) == (404, "merchant_not_found")
    with pytest.raises(NotMerchantStaff):
        staff_require(user_id=owner.pk, merchant_id=999999)


def test_authorize_by_account_role() -> None:
    info = make_merchant()
    authorize(merchant_id=info.id, actor_id=None, actor_role=SYSTEM)
    authorize(merchant_id=info.id, actor_id=make_user("operator").pk, actor_role="operator")
    # No actor, or a role nobody holds, is refused: authorization fails closed.
    for role in (None, "", "admin"):
        with pytest.raises(NotAllowed):
            authorize(merchant_id=info.id, actor_id=None, actor_role=role)  # type: ignore[arg-type]
    for role in ("buyer", "partner", "learner"):
        with pytest.raises(NotAllowed):
            authorize(merchant_id=info.id, actor_id=make_user(role).pk, actor_role=role)


def test_merchant_get_and_get_for() -> None:
    owner = make_user("merchant")
    info = make_merchant(owner_user_id=owner.pk)
    assert merchant_get(merchant_id=info.id) == info
    assert merchant_get_for(merchant_id=info.id, actor_id=owner.pk, actor_role="merchant") == info
    with pytest.raises(NotMerchantStaff):
        merchant_get_for(merchant_id=info.id, actor_id=make_user().pk, actor_role="merchant")
    with pytest.raises(MerchantNotFound):
        merchant_get(merchant_id=999999)


def test_merchant_summaries_in_one_query(django_assert_num_queries: object) -> None:
    a = make_merchant(display_name="Alfa", region_code="IT-52", municipality_code="048017")
    b = make_merchant(display_name="Beta")
    with django_assert_num_queries(1):  # type: ignore[operator]
        summaries = merchant_summaries(merchant_ids=[a.id, b.id, 999999])
    assert set(summaries) == {a.id, b.id}
    assert summaries[a.id].display_name == "Alfa"
    assert (summaries[a.id].region_name, summaries[a.id].town) == ("Toscana", "Firenze")
    assert merchant_summaries(merchant_ids=[]) == {}


def test_merchant_list_filters_and_tenancy(sectors: None) -> None:
    owner = make_user("merchant")
    mine = make_merchant(
        display_name="Mine", owner_user_id=owner.pk, sector_slugs=["fashion"], size="large"
    )
    tuscan = make_merchant(
        display_name="Tuscan",
        region_code="IT-52",
        municipality_code="048017",
        sector_slugs=["food-wine"],
    )
    everything = merchant_list(actor_role="operator")
    assert len(everything) == 2
    assert [m.display_name for m in everything[0:10]] == ["Mine", "Tuscan"]
    assert [m.id for m in merchant_list(region_code="IT-52", actor_role=SYSTEM)[0:10]] == [
        tuscan.id
    ]
    assert [m.id for m in merchant_list(sector_slug="fashion", actor_role=SYSTEM)[0:10]] == [
        mine.id
    ]
    assert [m.id for m in merchant_list(size="large", actor_role=SYSTEM)[0:10]] == [mine.id]
    assert [m.id for m in merchant_list(search="tusc", actor_role=SYSTEM)[0:10]] == [tuscan.id]
    own = merchant_list(actor_id=owner.pk, actor_role="merchant")
    assert [m.id for m in own[0:10]] == [mine.id]
    with pytest.raises(NotAllowed):
        merchant_list(actor_id=make_user("buyer").pk, actor_role="buyer")


def test_store_selectors() -> None:
    market = make_marketplace()
    other_market = make_marketplace()
    a = make_merchant(display_name="Alfa")
    b = make_merchant(display_name="Beta")
    c = make_merchant(display_name="Gamma")
    store_a = store_open(
        merchant_id=a.id, marketplace_id=market.id, name="Zeta Store", actor_role=SYSTEM
    )
    store_b = store_open(
        merchant_id=b.id, marketplace_id=market.id, name="Alpha Store", actor_role=SYSTEM
    )
    store_open(
        merchant_id=c.id, marketplace_id=other_market.id, name="Elsewhere", actor_role=SYSTEM
    )
    found = store_get(marketplace_id=market.id, slug=store_a.slug)
    assert found == store_a
    assert (found.merchant_display_name, found.merchant_town) == ("Alfa", "Milano")
    assert found.merchant_region_name == "Lombardia"
    with pytest.raises(StoreNotFound):
        store_get(marketplace_id=other_market.id, slug=store_a.slug)
    assert [s.id for s in store_list(marketplace_id=market.id)] == [store_b.id, store_a.id]
    store_set_active(store_id=store_b.id, is_active=False, actor_role=SYSTEM)
    assert [s.id for s in store_list(marketplace_id=market.id)] == [store_a.id]
    assert len(store_list(marketplace_id=market.id, active_only=False)) == 2
