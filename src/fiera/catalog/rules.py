"""The one rule for what is for sale where, at what unit price, from what quantity.

Decision 0007 (docs/decisions/0007-one-sellability-rule.md). Every read that answers
"can a buyer order this variant here" (the storefront search and product page, the cart,
the quote, the checkout) uses the SQL twin below or the Python twin beside it, so they
cannot disagree:

- **For sale**: a variant is for sale on a marketplace in a currency when the variant and
  its product are active, its merchant has an active store on that marketplace, and it
  has a price there in that currency from quantity 1 (``FIRST_TIER_QUANTITY``).
- **Tiers start at 1**: the price rows of one (variant, marketplace, currency) are tiers
  by ``min_quantity``, and the first is always 1. The database guarantees it (catalog
  migration 0006: a row from more than 1 unit needs the row from 1; deleting the row
  from 1 deletes its tiers), so "has a price in that currency" and "has a price from 1"
  are the same set of variants, and no tier ever raises the minimum.
- **Unit price** for a quantity: the tier with the greatest ``min_quantity`` <= quantity.
- **Minimum**: the variant's ``min_order_quantity`` (MOQ), nothing else.
- **Headline price**: the unit price at the minimum (the price a buyer can actually pay
  for the fewest units they may order); the storefront's "from" price and the product
  page's headline use it, and its tier table starts at the minimum.
- **Samples** (B2B listings): a variant for sale in a currency offers samples there when
  it has ``sample_units`` 1 or 2 (``MAX_SAMPLE_UNITS``) and its ``sample_currency`` is
  that currency; a sample line holds 1 to ``sample_units`` units at
  ``sample_price_minor`` each, outside the MOQ and the tiers (``sample_unit_price_minor``,
  ``sample_price_sql``, ``sample_quantity_allowed``).

Pure: no Django, no queries. The table names are the catalog's and the merchants app's
(``merchants_store``, read-only in a documented hot path, docs/architecture.md "Hot paths").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

FIRST_TIER_QUANTITY = 1
MAX_SAMPLE_UNITS = 2  # a sample line holds at most this many units (the variant may say 1)

VARIANT_TABLE = "catalog_variant"
PRODUCT_TABLE = "catalog_product"
PRICE_TABLE = "catalog_price"
STORE_TABLE = "merchants_store"  # the merchants app's table (no model import across apps)


# SQL twin -----------------------------------------------------------------------------------


def sellable_joins(
    *,
    variant: str = "v",
    product: str = "p",
    store: str = "st",
    price: str = "pr",
    every_tier: bool = False,
    any_currency: bool = False,
) -> str:
    """The JOIN clauses that keep, of ``FROM catalog_variant <variant>``, the rows for sale
    (the rule above), joined to their product, their merchant's store and their price.

    Placeholders, in this order: the marketplace id, then the currency (none with
    ``any_currency``: a price in any currency of the marketplace, one row per currency).
    ``price`` is the tier from 1 (one row per variant and currency), or every tier of the
    currency with ``every_tier`` (ascending ``min_quantity`` is the caller's ORDER BY):
    since tiers start at 1 in the database, both keep the same variants.
    """
    currency = "" if any_currency else f" AND {price}.currency = %s"
    tier = "" if every_tier else f" AND {price}.min_quantity = {FIRST_TIER_QUANTITY}"
    return (
        # the merchant too: the product's key is (merchant_id, id) on PostgreSQL (decision
        # 0008), so the join is a key lookup, not a scan of the key index
        f"JOIN {PRODUCT_TABLE} {product} ON {product}.merchant_id = {variant}.merchant_id "
        f"AND {product}.id = {variant}.product_id "
        f"AND {product}.is_active = TRUE AND {variant}.is_active = TRUE "
        f"JOIN {STORE_TABLE} {store} ON {store}.merchant_id = {variant}.merchant_id "
        f"AND {store}.marketplace_id = %s AND {store}.is_active = TRUE "
        f"JOIN {PRICE_TABLE} {price} ON {price}.variant_id = {variant}.id "
        f"AND {price}.marketplace_id = {store}.marketplace_id{currency}{tier}"
    )


def minimum_unit_price_sql(*, variant: str = "v", price: str = "pr") -> str:
    """A SQL expression: minor units per unit at the variant's minimum order (the tier
    with the greatest ``min_quantity`` <= its MOQ), for ``price``, the tier from 1 that
    ``sellable_joins()`` joined (not ``every_tier``). No placeholders; a variant with an
    MOQ of 1 reads no further row, the others one index probe."""
    return (
        f"(CASE WHEN {variant}.min_order_quantity <= {FIRST_TIER_QUANTITY} "
        f"THEN {price}.amount_minor ELSE (SELECT t.amount_minor FROM {PRICE_TABLE} t "
        f"WHERE t.merchant_id = {variant}.merchant_id AND t.variant_id = {variant}.id "
        f"AND t.marketplace_id = {price}.marketplace_id AND t.currency = {price}.currency "
        f"AND t.min_quantity <= {variant}.min_order_quantity "
        f"ORDER BY t.min_quantity DESC LIMIT 1) END)"
    )


def sample_price_sql(*, variant: str = "v", price: str = "pr") -> str:
    """A SQL expression: the sample's minor units per unit in ``price``'s currency, NULL
    when the variant offers no samples there (the rule above). No placeholders; reads only
    the variant's row and the price row ``sellable_joins()`` joined."""
    return (
        f"(CASE WHEN {variant}.sample_units > 0 AND {variant}.sample_currency = {price}.currency "
        f"THEN {variant}.sample_price_minor END)"
    )


# Python twin --------------------------------------------------------------------------------


def is_sellable(
    *,
    variant_active: bool,
    product_active: bool,
    store_active: bool | None,
    tier_quantities: Iterable[int],
) -> bool:
    """The rule above for one variant, marketplace and currency: ``store_active`` is None
    when the merchant has no store on the marketplace, ``tier_quantities`` the
    ``min_quantity`` of its price rows in that currency."""
    return (
        variant_active
        and product_active
        and bool(store_active)
        and FIRST_TIER_QUANTITY in set(tier_quantities)
    )


def unit_price_minor(tiers: Sequence[tuple[int, int]], quantity: int) -> int | None:
    """Minor units per unit for ``quantity``: the ``(min_quantity, amount_minor)`` tier
    with the greatest ``min_quantity`` <= ``quantity`` (``tiers`` ascending); None below
    the first tier (a quantity under 1, since tiers start at 1)."""
    price: int | None = None
    for min_quantity, amount_minor in tiers:
        if min_quantity > quantity:
            break
        price = amount_minor
    return price


def order_minimum(*, min_order_quantity: int) -> int:
    """The fewest units of a variant one order line (and a cart line) may hold: its MOQ.
    No price tier raises it, since tiers start at 1."""
    return max(min_order_quantity, FIRST_TIER_QUANTITY)


def minimum_unit_price_minor(
    tiers: Sequence[tuple[int, int]], *, min_order_quantity: int
) -> int | None:
    """Minor units per unit at the variant's minimum order (``order_minimum``): the
    headline and "from" price, the cheapest a buyer can actually pay for the fewest units
    they may order. None without tiers."""
    return unit_price_minor(tiers, order_minimum(min_order_quantity=min_order_quantity))


def tiers_from_minimum(
    tiers: Sequence[tuple[int, int]], *, min_order_quantity: int
) -> list[tuple[int, int | None, int]]:
    """The tiers a buyer can order, as ``(from_quantity, to_quantity, amount_minor)``
    rows (``to_quantity`` None for the last, open-ended one): the tier in force at the
    minimum starts at the minimum, tiers wholly below it are left out. ``tiers``
    ascending by ``min_quantity``."""
    minimum = order_minimum(min_order_quantity=min_order_quantity)
    starts: list[tuple[int, int]] = []
    for min_quantity, amount_minor in tiers:
        if min_quantity <= minimum:
            starts = [(minimum, amount_minor)]
        else:
            starts.append((min_quantity, amount_minor))
    return [
        (start, starts[i + 1][0] - 1 if i + 1 < len(starts) else None, amount)
        for i, (start, amount) in enumerate(starts)
    ]


def tiers_start_at_one(tier_quantities: Iterable[int]) -> bool:
    """What the database guarantees for one (variant, marketplace, currency): no rows, or
    a row from 1 among them."""
    quantities = set(tier_quantities)
    return not quantities or FIRST_TIER_QUANTITY in quantities


def sample_unit_price_minor(
    *, sample_units: int, sample_price_minor: int | None, sample_currency: str, currency: str
) -> int | None:
    """Minor units per sample unit of a variant for sale in ``currency``; None when it
    offers no samples in that currency (the SQL twin is ``sample_price_sql``)."""
    if sample_units <= 0 or sample_price_minor is None or sample_currency != currency:
        return None
    return sample_price_minor


def sample_quantity_allowed(quantity: int, *, sample_units: int) -> bool:
    """Whether a sample line may hold ``quantity`` units: 1 to the variant's
    ``sample_units`` (at most ``MAX_SAMPLE_UNITS``), whatever its MOQ."""
    return 1 <= quantity <= min(sample_units, MAX_SAMPLE_UNITS)
