"""Property (decision 0007): on any catalog, the storefront (search and product page), the
cart, the quote and the checkout agree with ``catalog.rules`` and with each other on
whether a variant is for sale, from what quantity, and at what unit price.

Each catalog mixes what the rule looks at: active or inactive variants and products, an
active, inactive or missing store, prices in the buyer's currency (tiers from 1) or only
in another currency of the marketplace, MOQs, and quantities around them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fiera.accounts.roles import BUYER, SYSTEM
from fiera.catalog import rules
from fiera.catalog import selectors as catalog
from fiera.catalog.models import Price, Product, StockLevel, Variant
from fiera.common.errors import DomainError
from fiera.merchants.models import Store
from fiera.orders import selectors, services
from tests.orders import factories as f

pytestmark = pytest.mark.django_db

COUNTRY, CURRENCY, OTHER_CURRENCY = "IT", "EUR", "CHF"


class Rollback(Exception):
    pass


@dataclass(frozen=True)
class Spec:
    variant_active: bool
    product_active: bool
    store: str  # "active", "inactive" or "none"
    moq: int
    tiers: tuple[tuple[int, int], ...]  # in CURRENCY, ascending; () for no price there
    other_currency: bool  # also (or only) priced in OTHER_CURRENCY
    quantity: int


@st.composite
def tier_lists(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    if not draw(st.sampled_from([True, True, False])):
        return ()
    above = sorted(draw(st.sets(st.integers(2, 9), max_size=3)))
    amounts = sorted(draw(st.lists(st.integers(1, 5000), min_size=1 + len(above))), reverse=True)
    return tuple(zip([1, *above], amounts, strict=False))


mostly = st.sampled_from([True, True, True, False])  # most variants pass most conditions
specs = st.builds(
    Spec,
    variant_active=mostly,
    product_active=mostly,
    store=st.sampled_from(["active", "active", "active", "inactive", "none"]),
    moq=st.integers(1, 5),
    tiers=tier_lists(),
    other_currency=st.booleans(),
    quantity=st.integers(1, 10),
)


def _build(market, spec: Spec) -> tuple[Product, Variant]:
    owner = f.merchant()
    if spec.store != "none":
        Store.objects.create(
            merchant=owner,
            marketplace=market,
            slug=f"{owner.slug}-store",
            name="Store",
            is_active=spec.store == "active",
        )
    product = Product.objects.create(
        merchant=owner,
        slug="p",
        name_it="Prodotto",
        name_en="Product",
        name_zh="产品",
        hs_code="620520",
        is_active=spec.product_active,
    )
    variant = Variant.objects.create(
        product=product,
        merchant=owner,
        sku=f"SKU-{owner.pk}",
        min_order_quantity=spec.moq,
        is_active=spec.variant_active,
    )
    rows = [(CURRENCY, q, a) for q, a in spec.tiers]
    if spec.other_currency:
        rows.append((OTHER_CURRENCY, 1, 777))
    Price.objects.bulk_create(
        Price(
            variant=variant,
            merchant=owner,
            marketplace=market,
            currency=currency,
            min_quantity=quantity,
            amount_minor=amount,
        )
        for currency, quantity, amount in rows
    )
    StockLevel.objects.create(
        variant=variant,
        warehouse=f.warehouse(merchant_obj=owner),
        merchant=owner,
        units_on_hand=100,
    )
    return product, variant


def _expected(spec: Spec) -> tuple[object, ...]:
    """What catalog.rules says a buyer asking for ``spec.quantity`` units gets."""
    if not rules.is_sellable(
        variant_active=spec.variant_active,
        product_active=spec.product_active,
        store_active=None if spec.store == "none" else spec.store == "active",
        tier_quantities=[q for q, _ in spec.tiers],
    ):
        return ("variant_unavailable",)
    if spec.quantity < rules.order_minimum(min_order_quantity=spec.moq):
        return ("below_minimum_order",)
    return ("ok", rules.unit_price_minor(spec.tiers, spec.quantity))


def _cart(market, variant: Variant, quantity: int) -> tuple[object, ...]:
    try:
        cart = services.cart_line_set(
            buyer_id=f.user().pk,
            marketplace_slug=market.slug,
            variant_id=variant.pk,
            quantity=quantity,
            now=f.NOW,
            country=COUNTRY,
            actor_role=BUYER,
        )
    except DomainError as exc:
        return (exc.code,)
    (line,) = cart.lines
    assert line.problem == "", line.problem  # what the cart takes, it does not flag
    assert line.min_order_quantity == variant.min_order_quantity
    return ("ok", line.unit_price_minor)


def _quote(market, variant: Variant, quantity: int) -> tuple[object, ...]:
    try:
        quote = selectors.checkout_quote(
            buyer_id=None,
            marketplace_slug=market.slug,
            country=COUNTRY,
            lines=[(variant.pk, quantity)],
            now=f.NOW,
        )
    except DomainError as exc:
        return (exc.code,)
    (group,) = quote.groups
    (line,) = group.lines
    return ("ok", line.unit_price_minor)


def _checkout(market, variant: Variant, quantity: int) -> tuple[object, ...]:
    try:
        result = services.checkout_submit(
            buyer_id=f.user().pk,
            marketplace_slug=market.slug,
            country=COUNTRY,
            lines=[(variant.pk, quantity)],
            shipping_address=f.address(COUNTRY),
            payment_method="cod",
            now=f.NOW,
            actor_role=SYSTEM,
        )
    except DomainError as exc:
        return (exc.code,)
    (order,) = result.orders
    (line,) = order.lines
    assert line.quantity == quantity
    return ("ok", line.unit_price_minor)


def _storefront(market, product: Product, variant: Variant, spec: Spec) -> bool:
    """Whether the search and the product page list the variant (they must agree), with
    the tiers and minimum the rule gives."""
    page = catalog.product_search(
        marketplace_id=market.pk, currency=CURRENCY, merchant_id=product.merchant_id
    )
    in_search = [card.product_id for card in page.items] == [product.pk]
    try:
        detail = catalog.product_detail(
            marketplace_id=market.pk, currency=CURRENCY, product_id=product.pk
        )
    except catalog.ProductNotFound:
        on_page = False
    else:
        (option,) = detail.variants
        assert option.variant_id == variant.pk
        assert tuple((t.min_quantity, t.amount_minor) for t in option.tiers) == spec.tiers
        assert option.min_order_quantity == rules.order_minimum(min_order_quantity=spec.moq)
        headline = rules.minimum_unit_price_minor(spec.tiers, min_order_quantity=spec.moq)
        assert page.items[0].from_price_minor == headline  # the price at the MOQ
        assert detail.from_price_minor == headline
        assert option.order_tiers[0][0] == rules.order_minimum(min_order_quantity=spec.moq)
        on_page = True
    assert in_search == on_page
    return on_page


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(catalog_specs=st.lists(specs, min_size=1, max_size=4))
@example(  # priced only in another currency of the marketplace: the cart took it
    catalog_specs=[Spec(True, True, "active", 1, (), True, 1)]
)
@example(  # an MOQ above the quantity, tiers below and above it
    catalog_specs=[Spec(True, True, "active", 4, ((1, 900), (3, 800), (6, 700)), False, 3)]
)
def test_storefront_cart_quote_and_checkout_agree_with_the_rule(catalog_specs):
    try:
        with transaction.atomic():
            market = f.marketplace(countries={COUNTRY: CURRENCY, "CH": OTHER_CURRENCY})
            built = [(spec, *_build(market, spec)) for spec in catalog_specs]
            for spec, product, variant in built:
                expected = _expected(spec)
                listed = _storefront(market, product, variant, spec)
                assert listed == (expected[0] != "variant_unavailable"), spec
                for path in (_cart, _quote, _checkout):
                    assert path(market, variant, spec.quantity) == expected, (path, spec)
            raise Rollback
    except Rollback:
        pass
