"""Small builders for the orders tests (rows of any app, straight through the ORM)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fiera.accounts.models import User
from fiera.catalog.models import Price, Product, StockLevel, Variant, Warehouse
from fiera.marketplaces.models import Marketplace, MarketplaceCountry
from fiera.merchants.models import Merchant, StaffMembership, Store

NOW = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def user(*, role: str = "buyer", username: str | None = None) -> User:
    n = _n()
    return User.objects.create(
        username=username or f"{role}{n}",
        role=role,
        buyer_kind="consumer" if role == "buyer" else "",
        business_unit="ops" if role == "operator" else "",
        is_staff=role == "operator",
        password="!",  # unusable: tests sign in with force_login
    )


def marketplace(
    *,
    slug: str | None = None,
    kind: str = "b2c_domestic",
    countries: dict[str, str] | None = None,
    worldwide: bool = False,
    default_currency: str = "EUR",
) -> Marketplace:
    n = _n()
    market = Marketplace.objects.create(
        slug=slug or f"market-{n}",
        name=f"Market {n}",
        kind=kind,
        worldwide=worldwide,
        default_currency=default_currency,
        languages=["en", "it"],
        default_language="en",
    )
    if not worldwide:
        for country, currency in (countries or {"IT": "EUR"}).items():
            MarketplaceCountry.objects.create(
                marketplace=market, country=country, currency=currency
            )
    return market


def cross_border_market(slug: str | None = None) -> Marketplace:
    return marketplace(
        slug=slug, kind="b2c_cross_border", countries={"CN": "CNY"}, default_currency="CNY"
    )


def merchant(*, slug: str | None = None) -> Merchant:
    n = _n()
    return Merchant.objects.create(
        slug=slug or f"maker-{n}",
        legal_name=f"Maker {n} S.r.l.",
        display_name=f"Maker {n}",
        vat_number=f"IT{n:011d}",
    )


def staff(*, merchant_obj: Merchant, user_obj: User | None = None, role: str = "owner") -> User:
    member = user_obj or user(role="merchant")
    StaffMembership.objects.create(user=member, merchant=merchant_obj, role=role)
    return member


def warehouse(*, merchant_obj: Merchant, code: str | None = None, active: bool = True) -> Warehouse:
    return Warehouse.objects.create(
        merchant=merchant_obj, code=code or f"wh-{_n()}", name="Main", is_active=active
    )


@dataclass
class Sku:
    """A variant ready to buy: its product, price rows and stock."""

    variant: Variant
    product: Product
    merchant: Merchant
    warehouse: Warehouse

    @property
    def id(self) -> int:
        return self.variant.pk

    def stock(self) -> int:
        return sum(
            StockLevel.objects.filter(variant=self.variant).values_list("units_on_hand", flat=True)
        )


def sku(
    *,
    market: Marketplace,
    merchant_obj: Merchant | None = None,
    price_minor: int = 1000,
    currency: str | None = None,
    stock: int = 100,
    moq: int = 1,
    tiers: list[tuple[int, int]] | None = None,
    hs_code: str = "620520",
    name: str | None = None,
    warehouse_obj: Warehouse | None = None,
) -> Sku:
    """A variant of a new product priced on ``market`` (one price row from 1, plus
    ``tiers`` (min_quantity, amount_minor)) with ``stock`` units in one warehouse."""
    n = _n()
    owner = merchant_obj or merchant()
    currency = currency or market.default_currency
    product = Product.objects.create(
        merchant=owner,
        slug=f"product-{n}",
        name_it=name or f"Prodotto {n}",
        name_en=name or f"Product {n}",
        name_zh=name or f"产品 {n}",
        hs_code=hs_code,
    )
    variant = Variant.objects.create(
        product=product, merchant=owner, sku=f"SKU-{n}", label="M", min_order_quantity=moq
    )
    rows: list[tuple[int, int]] = [(1, price_minor), *(tiers or [])]
    Price.objects.bulk_create(
        Price(
            variant=variant,
            merchant=owner,
            marketplace=market,
            currency=currency,
            amount_minor=amount,
            min_quantity=min_quantity,
        )
        for min_quantity, amount in rows
    )
    Store.objects.get_or_create(
        merchant=owner,
        marketplace=market,
        defaults={"slug": f"{owner.slug}-store", "name": f"{owner.display_name} store"},
    )
    where = warehouse_obj or warehouse(merchant_obj=owner)
    StockLevel.objects.create(variant=variant, warehouse=where, merchant=owner, units_on_hand=stock)
    return Sku(variant=variant, product=product, merchant=owner, warehouse=where)


def address(country: str = "IT", **overrides: Any) -> dict[str, str]:
    data = {
        "name": "Ada Rossi",
        "line1": "Via Roma 1",
        "line2": "",
        "city": "Torino",
        "postal_code": "10121",
        "country": country,
        "phone": "+39 011 000000",
    }
    data.update(overrides)
    return data
