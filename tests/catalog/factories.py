"""Small builders for catalog tests. Rows of other apps (marketplaces, merchants,
accounts) are created directly with their models: only here, never in src."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from fiera.accounts.models import User
from fiera.catalog import services
from fiera.catalog.models import Category, Price, Product, StockLevel, Variant, Warehouse
from fiera.marketplaces.models import Marketplace, MarketplaceCountry
from fiera.merchants.models import Merchant, Sector, StaffMembership, Store

_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def user(role: str = "buyer", **extra: Any) -> User:
    n = _n()
    fields: dict[str, Any] = {"username": f"{role}{n}", "role": role}
    if role == "buyer":
        fields["buyer_kind"] = "consumer"
    if role == "operator":
        fields["business_unit"] = "ops"
        fields["is_staff"] = True
    fields.update(extra)
    u = User(**fields)
    u.set_unusable_password()  # hashing costs ~0.3 s; tests sign in with force_login/tokens
    u.save()
    return u


def marketplace(
    slug: str | None = None,
    *,
    default_currency: str = "EUR",
    countries: dict[str, str] | None = None,
    worldwide: bool = False,
    kind: str = "b2c_cross_border",
    name: str | None = None,
) -> Marketplace:
    n = _n()
    mp = Marketplace.objects.create(
        slug=slug or f"mp-{n}",
        name=name or f"Marketplace {n}",
        kind=kind,
        worldwide=worldwide,
        default_currency=default_currency,
        languages=["it", "en", "zh-hans"],
        default_language="en",
    )
    for code, currency in (countries if countries is not None else {"IT": "EUR"}).items():
        MarketplaceCountry.objects.create(marketplace=mp, country=code, currency=currency)
    return mp


def sector(slug: str = "agrifood", name: str = "Agri-food") -> Sector:
    found, _ = Sector.objects.get_or_create(slug=slug, defaults={"name": name})
    return found


def merchant(
    *, display_name: str | None = None, region_code: str = "IT-25", town: str = "Milano"
) -> Merchant:
    n = _n()
    return Merchant.objects.create(
        slug=f"merchant-{n}",
        legal_name=f"Merchant {n} S.r.l.",
        display_name=display_name or f"Merchant {n}",
        vat_number=f"IT{n:011d}",
        region_code=region_code,
        town=town,
    )


def store(m: Merchant, mp: Marketplace, *, slug: str | None = None, active: bool = True) -> Store:
    return Store.objects.create(
        merchant=m,
        marketplace=mp,
        slug=slug or f"{m.slug}-store",
        name=f"{m.display_name} store",
        is_active=active,
    )


def staff(m: Merchant, *, role: str = "owner") -> User:
    u = user("merchant")
    StaffMembership.objects.create(user=u, merchant=m, role=role)
    return u


def category(slug: str = "food", *, parent: Category | None = None, name_en: str = "") -> Category:
    found, _ = Category.objects.get_or_create(
        slug=slug,
        defaults={
            "parent": parent,
            "name_en": name_en or slug.title(),
            "name_it": name_en or slug.title(),
            "name_zh": name_en or slug.title(),
        },
    )
    return found


def product(m: Merchant, **fields: Any) -> Product:
    n = _n()
    values: dict[str, Any] = {
        "slug": f"product-{n}",
        "name_en": f"Product {n}",
        "name_it": f"Prodotto {n}",
        "name_zh": f"产品{n}",
        "hs_code": "090121",
    }
    values.update(fields)
    return Product.objects.create(merchant=m, **values)


def variant(p: Product, **fields: Any) -> Variant:
    n = _n()
    values: dict[str, Any] = {"sku": f"SKU-{n}", "label": f"Variant {n}"}
    values.update(fields)
    return Variant.objects.create(product=p, merchant_id=p.merchant_id, **values)


def price(
    v: Variant, mp: Marketplace, amount_minor: int, currency: str = "EUR", min_quantity: int = 1
) -> Price:
    return Price.objects.create(
        variant=v,
        merchant_id=v.merchant_id,
        marketplace=mp,
        currency=currency,
        amount_minor=amount_minor,
        min_quantity=min_quantity,
    )


def warehouse(m: Merchant, code: str | None = None, *, active: bool = True) -> Warehouse:
    return Warehouse.objects.create(
        merchant=m, code=code or f"wh-{_n()}", name="Main", is_active=active
    )


def stock(v: Variant, wh: Warehouse, units: int) -> StockLevel:
    level, _ = StockLevel.objects.update_or_create(
        variant=v, warehouse=wh, defaults={"merchant_id": v.merchant_id, "units_on_hand": units}
    )
    return level


@dataclass
class Shop:
    """A merchant with a store on a marketplace, one staff owner and a warehouse."""

    marketplace: Marketplace
    merchant: Merchant
    owner: User
    warehouse: Warehouse


def shop(mp: Marketplace | None = None, **merchant_fields: Any) -> Shop:
    mp = mp or marketplace()
    m = merchant(**merchant_fields)
    store(m, mp)
    return Shop(marketplace=mp, merchant=m, owner=staff(m), warehouse=warehouse(m))


def listed_product(
    s: Shop,
    *,
    amount_minor: int = 1000,
    currency: str = "EUR",
    units: int = 10,
    **product_fields: Any,
) -> tuple[Product, Variant]:
    """A product with one variant priced on the shop's marketplace and stocked."""
    p = product(s.merchant, **product_fields)
    v = variant(p)
    price(v, s.marketplace, amount_minor, currency)
    if units:
        stock(v, s.warehouse, units)
    return p, v


def tiers(*pairs: tuple[int, int]) -> list[services.PriceTier]:
    return [services.PriceTier(min_quantity=q, amount_minor=a) for q, a in pairs]
