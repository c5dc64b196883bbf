from __future__ import annotations

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.common.errors import Conflict, InvalidInput
from fiera.common.models import OutboxMessage
from fiera.merchants.models import Merchant, StaffMembership
from fiera.merchants.selectors import (
    NotMerchantStaff,
    StaffRoleTooLow,
    StoreNotFound,
    merchant_get,
    staff_list,
)
from fiera.merchants.services import (
    AlreadyStaff,
    InvalidAteco,
    InvalidLocation,
    InvalidVat,
    LastOwner,
    MarketplaceClosed,
    NotAMerchantUser,
    OperatorOnly,
    StaffNotFound,
    StoreExists,
    StoreSlugTaken,
    UnknownSector,
    UserNotFound,
    VatTaken,
    check_vat_number,
    merchant_update,
    merchant_verify,
    staff_add,
    staff_remove,
    store_open,
    store_set_active,
)
from tests.marketplaces.factories import make_marketplace
from tests.merchants.factories import (
    italian_vat,
    make_merchant,
    make_user,
    wrong_check_digit,
)

pytestmark = pytest.mark.django_db


# --- VAT ---------------------------------------------------------------------------------


def test_italian_vat_is_normalised_with_or_without_prefix() -> None:
    vat = italian_vat()
    assert check_vat_number(vat) == vat
    assert check_vat_number(vat[2:]) == vat
    assert check_vat_number(f" it {vat[2:5]} {vat[5:]} ") == vat
    assert check_vat_number("IT00743110157") == "IT00743110157"  # a real registered company


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("IT00743110158", "check digit"),
        ("0074311015", "11 digits"),
        ("IT00743111107", "provincial office"),
        ("", "required"),
        ("XX123456789", "not an EU VAT number"),
        ("DE136695977", "wrong check digit"),
        ("DE12345", "not a valid DE VAT number"),
    ],
)
def test_bad_vat_numbers_are_refused_precisely(raw: str, fragment: str) -> None:
    with pytest.raises(InvalidVat) as excinfo:
        check_vat_number(raw)
    assert fragment in excinfo.value.detail
    assert excinfo.value.status == 422


def test_other_eu_vat_numbers_are_accepted() -> None:
    assert check_vat_number("DE 136 695 976") == "DE136695976"
    assert check_vat_number("fr40303265045") == "FR40303265045"
    assert check_vat_number("ATU13585627") == "ATU13585627"


# --- register ----------------------------------------------------------------------------


def test_register_happy_path(sectors: None) -> None:
    owner = make_user("merchant")
    vat = italian_vat(prefix=False)
    info = make_merchant(
        legal_name="Lanificio Alpino S.p.A.",
        display_name="Lanificio Alpino",
        vat_number=vat,
        region_code="IT-21",
        municipality_code="096004",  # Biella
        size="large",
        ateco_code="1320",
        sector_slugs=["fashion", "home-textiles"],
        owner_user_id=owner.pk,
        description="  Wool since 1850.  ",
    )
    assert info.vat_number == "IT" + vat
    assert info.slug == "lanificio-alpino"
    assert info.town == "Biella"
    assert (info.region_code, info.region_name) == ("IT-21", "Piemonte")
    assert info.ateco_code == "13.20"
    assert [s.slug for s in info.sectors] == ["fashion", "home-textiles"]
    assert info.description == "Wool since 1850."
    assert info.verification_level == "unverified"
    assert StaffMembership.objects.get(merchant_id=info.id).role == "owner"
    event = OutboxMessage.objects.get(topic="merchants.merchant.registered")
    assert event.payload["merchant_id"] == info.id


def test_register_makes_unique_slugs() -> None:
    first = make_merchant(display_name="Caffè Roma")
    second = make_merchant(display_name="Caffè Roma")
    assert first.slug == "caffe-roma"
    assert second.slug == "caffe-roma-2"


def test_duplicate_vat_is_409_vat_taken() -> None:
    vat = italian_vat()
    make_merchant(vat_number=vat)
    with pytest.raises(VatTaken) as excinfo:
        make_merchant(vat_number=vat[2:])
    assert excinfo.value.code == "vat_taken"
    assert excinfo.value.status == 409
    assert Merchant.objects.filter(vat_number=vat).count() == 1


@pytest.mark.parametrize(
    ("overrides", "error", "fragment"),
    [
        ({"vat_number": wrong_check_digit(italian_vat(9001))}, InvalidVat, "check digit"),
        ({"region_code": "IT-99"}, InvalidLocation, "IT-99"),
        ({"municipality_code": "999999"}, InvalidLocation, "999999"),
        ({"municipality_code": "058091"}, InvalidLocation, "Roma (RM) is not in Lombardia"),
        ({"ateco_code": "99.99"}, InvalidAteco, "ATECO 2025"),
        ({"ateco_code": "C"}, InvalidAteco, "ATECO 2025"),
        ({"ateco_code": ""}, InvalidAteco, "ATECO 2025"),
        ({"sector_slugs": ["fashion", "astrology"]}, UnknownSector, "astrology"),
        ({"size": "huge"}, InvalidInput, "size"),
        ({"display_name": " "}, InvalidInput, "display name"),
    ],
)
def test_register_refuses_invalid_input(
    sectors: None, overrides: dict[str, object], error: type[Exception], fragment: str
) -> None:
    with pytest.raises(error) as excinfo:
        make_merchant(**overrides)
    assert fragment in str(excinfo.value)
    assert not Merchant.objects.exists()


def test_register_owner_must_be_a_merchant_account() -> None:
    buyer = make_user("buyer")
    with pytest.raises(NotAMerchantUser):
        make_merchant(owner_user_id=buyer.pk)
    with pytest.raises(UserNotFound):
        make_merchant(owner_user_id=999999)
    assert not Merchant.objects.exists()


def test_register_is_operator_only_when_an_actor_is_given() -> None:
    with pytest.raises(OperatorOnly):
        make_merchant(actor_role="merchant")
    assert make_merchant(actor_role="operator").id


# --- update and verify -------------------------------------------------------------------


def test_owner_updates_profile(sectors: None) -> None:
    owner = make_user("merchant")
    info = make_merchant(owner_user_id=owner.pk, sector_slugs=["fashion"])
    updated = merchant_update(
        merchant_id=info.id,
        actor_id=owner.pk,
        actor_role="merchant",
        display_name="New Name",
        region_code="IT-52",
        municipality_code="048017",  # Firenze
        sector_slugs=["luxury"],
        ateco_code="15.12",
    )
    assert updated.display_name == "New Name"
    assert updated.slug == info.slug  # stable addresses
    assert (updated.region_code, updated.town) == ("IT-52", "Firenze")
    assert [s.slug for s in updated.sectors] == ["luxury"]
    assert updated.vat_number == info.vat_number


def test_update_authorization() -> None:
    owner = make_user("merchant")
    clerk = make_user("merchant")
    stranger = make_user("merchant")
    info = make_merchant(owner_user_id=owner.pk)
    staff_add(merchant_id=info.id, user_id=clerk.pk, role="clerk", actor_role=SYSTEM)
    with pytest.raises(StaffRoleTooLow):
        merchant_update(
            merchant_id=info.id, actor_id=clerk.pk, actor_role="merchant", description="x"
        )
    with pytest.raises(NotMerchantStaff):
        merchant_update(
            merchant_id=info.id, actor_id=stranger.pk, actor_role="merchant", description="x"
        )
    operator = make_user("operator")
    assert (
        merchant_update(
            merchant_id=info.id, actor_id=operator.pk, actor_role="operator", description="ok"
        ).description
        == "ok"
    )


def test_update_needs_region_and_municipality_together() -> None:
    info = make_merchant()
    with pytest.raises(InvalidLocation, match="together"):
        merchant_update(merchant_id=info.id, region_code="IT-52", actor_role=SYSTEM)


def test_verify_is_operator_only_and_publishes_once() -> None:
    info = make_merchant()
    with pytest.raises(OperatorOnly):
        merchant_verify(merchant_id=info.id, level="audited", actor_role="merchant")
    with pytest.raises(InvalidInput):
        merchant_verify(merchant_id=info.id, level="gold", actor_role="operator")
    assert (
        merchant_verify(
            merchant_id=info.id, level="audited", actor_role="operator"
        ).verification_level
        == "audited"
    )
    merchant_verify(merchant_id=info.id, level="audited", actor_role="operator")
    assert OutboxMessage.objects.filter(topic="merchants.merchant.verified").count() == 1
    assert merchant_get(merchant_id=info.id).verification_label == "Audited on site"


# --- stores ------------------------------------------------------------------------------


def test_store_open_one_per_marketplace() -> None:
    owner = make_user("merchant")
    info = make_merchant(owner_user_id=owner.pk)
    market = make_marketplace()
    store = store_open(
        merchant_id=info.id,
        marketplace_id=market.id,
        name="Bottega Flagship",
        actor_id=owner.pk,
        actor_role="merchant",
    )
    assert (store.slug, store.merchant_id, store.is_active) == ("bottega-flagship", info.id, True)
    assert store.merchant_display_name == info.display_name
    with pytest.raises(StoreExists) as excinfo:
        store_open(merchant_id=info.id, marketplace_id=market.id, name="Again", actor_role=SYSTEM)
    assert excinfo.value.status == 409


def test_store_slugs_are_unique_per_marketplace() -> None:
    market = make_marketplace()
    first = store_open(
        merchant_id=make_merchant().id, marketplace_id=market.id, name="Moda", actor_role=SYSTEM
    )
    second = store_open(
        merchant_id=make_merchant().id, marketplace_id=market.id, name="Moda", actor_role=SYSTEM
    )
    assert (first.slug, second.slug) == ("moda", "moda-2")
    with pytest.raises(StoreSlugTaken):
        store_open(
            merchant_id=make_merchant().id,
            marketplace_id=market.id,
            name="X",
            slug="moda",
            actor_role=SYSTEM,
        )
    other_market = make_marketplace()
    same = store_open(
        merchant_id=make_merchant().id,
        marketplace_id=other_market.id,
        name="Moda",
        actor_role=SYSTEM,
    )
    assert same.slug == "moda"


def test_store_open_refusals() -> None:
    clerk = make_user("merchant")
    info = make_merchant()
    staff_add(merchant_id=info.id, user_id=clerk.pk, role="clerk", actor_role=SYSTEM)
    market = make_marketplace()
    with pytest.raises(StaffRoleTooLow):
        store_open(
            merchant_id=info.id,
            marketplace_id=market.id,
            name="S",
            actor_id=clerk.pk,
            actor_role="merchant",
        )
    with pytest.raises(InvalidInput, match="slug"):
        store_open(
            merchant_id=info.id,
            marketplace_id=market.id,
            name="S",
            slug="Not A Slug",
            actor_role=SYSTEM,
        )
    from fiera.marketplaces.models import Marketplace

    Marketplace.objects.filter(pk=market.id).update(is_active=False)
    with pytest.raises(MarketplaceClosed):
        store_open(merchant_id=info.id, marketplace_id=market.id, name="S", actor_role=SYSTEM)


def test_store_set_active() -> None:
    owner = make_user("merchant")
    info = make_merchant(owner_user_id=owner.pk)
    other = make_merchant()
    store = store_open(
        merchant_id=info.id, marketplace_id=make_marketplace().id, name="S", actor_role=SYSTEM
    )
    closed = store_set_active(
        store_id=store.id, is_active=False, actor_id=owner.pk, actor_role="merchant"
    )
    assert closed.is_active is False
    with pytest.raises(StoreNotFound):
        store_set_active(store_id=store.id, is_active=True, merchant_id=other.id, actor_role=SYSTEM)
    with pytest.raises(NotMerchantStaff):
        store_set_active(
            store_id=store.id, is_active=True, actor_id=make_user().pk, actor_role="merchant"
        )


# --- staff -------------------------------------------------------------------------------


def test_staff_add_and_remove() -> None:
    owner = make_user("merchant", first_name="Ada", last_name="Rossi")
    manager = make_user("merchant")
    info = make_merchant(owner_user_id=owner.pk)
    staff = staff_add(
        merchant_id=info.id,
        user_id=manager.pk,
        role="manager",
        actor_id=owner.pk,
        actor_role="merchant",
    )
    assert [(s.user_id, s.role) for s in staff] == [(owner.pk, "owner"), (manager.pk, "manager")]
    assert staff[0].full_name == "Ada Rossi"
    with pytest.raises(AlreadyStaff):
        staff_add(merchant_id=info.id, user_id=manager.pk, role="clerk", actor_role=SYSTEM)
    with pytest.raises(StaffRoleTooLow):  # managers do not manage staff
        staff_add(
            merchant_id=info.id,
            user_id=make_user().pk,
            role="clerk",
            actor_id=manager.pk,
            actor_role="merchant",
        )
    remaining = staff_remove(
        merchant_id=info.id, user_id=manager.pk, actor_id=owner.pk, actor_role="merchant"
    )
    assert [s.user_id for s in remaining] == [owner.pk]
    with pytest.raises(StaffNotFound):
        staff_remove(merchant_id=info.id, user_id=manager.pk, actor_role=SYSTEM)


def test_staff_must_be_merchant_accounts() -> None:
    info = make_merchant()
    for role in ("buyer", "operator", "partner"):
        with pytest.raises(NotAMerchantUser):
            staff_add(
                merchant_id=info.id, user_id=make_user(role).pk, role="clerk", actor_role=SYSTEM
            )
    with pytest.raises(InvalidInput, match="role must be"):
        staff_add(merchant_id=info.id, user_id=make_user().pk, role="boss", actor_role=SYSTEM)


def test_last_owner_stays() -> None:
    owner = make_user("merchant")
    info = make_merchant(owner_user_id=owner.pk)
    with pytest.raises(LastOwner) as excinfo:
        staff_remove(merchant_id=info.id, user_id=owner.pk, actor_role=SYSTEM)
    assert isinstance(excinfo.value, Conflict)
    second = make_user("merchant")
    staff_add(merchant_id=info.id, user_id=second.pk, role="owner", actor_role=SYSTEM)
    staff_remove(merchant_id=info.id, user_id=owner.pk, actor_id=second.pk, actor_role="merchant")
    assert [s.user_id for s in staff_list(merchant_id=info.id, actor_role=SYSTEM)] == [second.pk]
