"""Reads of the catalog: the storefront (search, product page) and the console.

Listing rule: a product is listed on a marketplace in a currency when at least one of
its variants is for sale there (``fiera.catalog.rules``: active variant and product, an
active store of the merchant, a price in that currency from quantity 1, decision 0007).
Only variants for sale show.
Units available are the most units one active warehouse of the merchant holds: checkout
(``fiera.catalog.reservations``) serves each order line from a single warehouse, so that
is the largest quantity one line can get.

Hot paths. ``product_search`` and ``product_detail`` run a fixed number of raw SQL
statements whatever the number of results, and join the merchants app's tables
``merchants_store`` (active store on the marketplace, its slug),
``merchants_merchant`` (display name, region) and ``merchants_merchant_sectors`` /
``merchants_sector`` (sector filter) in the same statement, read-only: going through
``merchants.selectors`` would cost a query per filter and break the single plan.
A page of search results takes one more query, for the products' cover pictures.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from fiera.accounts.selectors import user_summaries
from fiera.catalog import rules, search
from fiera.catalog.models import (
    Category,
    Price,
    Product,
    ProductImage,
    StockLevel,
    StockMovement,
    StockMovementKind,
    Variant,
    Warehouse,
)
from fiera.catalog.services import (
    PriceTier,
    ProductNotFound,
    check_catalog_editor,
    check_merchant_editor,
)
from fiera.common import trade_terms
from fiera.common.errors import InvalidInput, NotFound, not_one_of
from fiera.common.money import Money
from fiera.common.reference import Region, is_country, italian_region
from fiera.common.reference import country as country_info
from fiera.marketplaces import selectors as marketplace_selectors


class DestinationNotServed(NotFound):
    code = "country_not_served"
    message_template = gettext_lazy("This marketplace does not ship to that country.")


Sort = Literal["relevance", "price_asc", "price_desc", "newest"]
SORTS: tuple[str, ...] = ("relevance", "price_asc", "price_desc", "newest")
MAX_PAGE = 100
COUNT_LIMIT = 1000  # product_search counts at most this many results ("1,000+")


@cache
def region_name(code: str) -> str:
    """The name of an Italian region code ("IT-25" -> "Lombardia"); "" when unknown."""
    if not code:
        return ""
    try:
        region: Region = italian_region(code)
    except InvalidInput:
        return ""
    return region.name


def country_name(code: str) -> str:
    return country_info(code).name if code and is_country(code) else code


# storefront dataclasses -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductCard:
    """A product as a search result. ``from_price_minor`` is the lowest unit price at the
    minimum order among its listed variants (``rules.minimum_unit_price_sql``: the price
    at the MOQ, one a buyer can pay), in ``currency``."""

    product_id: int
    slug: str
    name_it: str
    name_en: str
    name_zh: str
    merchant_id: int
    merchant_name: str
    region_code: str
    region_name: str
    store_slug: str
    from_price_minor: int
    currency: str
    in_stock: bool
    cover: ProductImageInfo | None = None  # the first picture; None: the page shows a placeholder

    @property
    def id(self) -> int:
        return self.product_id

    @property
    def from_price(self) -> Money:
        return Money(self.from_price_minor, self.currency)


class _PageNavigation:
    """Previous/next paging for ``items`` out of ``total`` (SearchPage, ConsolePage, StockPage)."""

    __slots__ = ()
    items: list[Any]
    total: int
    limit: int
    offset: int

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total

    @property
    def previous_offset(self) -> int:
        return max(self.offset - self.limit, 0)

    @property
    def next_offset(self) -> int:
        return self.offset + self.limit


@dataclass(frozen=True, slots=True)
class SearchPage(_PageNavigation):
    """``total`` is exact when ``total_exact``; otherwise there are more than ``total``
    (``product_search`` counts up to ``COUNT_LIMIT`` or just past the page, whichever is
    further)."""

    items: list[ProductCard]
    total: int
    limit: int
    offset: int
    currency: str
    total_exact: bool = True

    @property
    def has_next(self) -> bool:
        return not self.total_exact or self.offset + len(self.items) < self.total


@dataclass(frozen=True, slots=True)
class MerchantRef:
    id: int
    slug: str
    display_name: str
    region_code: str
    region_name: str
    town: str


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    id: int
    slug: str
    parent_id: int | None
    name_it: str
    name_en: str
    name_zh: str
    name_es: str = ""  # empty: not translated, the English name is shown


@dataclass(frozen=True, slots=True)
class VariantOption:
    """A listed variant on the product page: its price tiers (by quantity) and stock."""

    variant_id: int
    sku: str
    label: str
    attributes: dict[str, Any]
    min_order_quantity: int
    weight_grams: int
    currency: str
    tiers: tuple[PriceTier, ...]
    units_available: int
    # --- listing terms --- the sample offer in ``currency`` (``rules.sample_price_sql``)
    sample_price_minor: int | None = None
    sample_units: int = 0

    @property
    def offers_samples(self) -> bool:
        return self.sample_price_minor is not None

    @property
    def unit_price_minor(self) -> int:
        return self.tiers[0].amount_minor

    @property
    def in_stock(self) -> bool:
        return self.units_available > 0

    def unit_price_minor_for(self, quantity: int) -> int:
        return unit_price_for(self.tiers, quantity)

    @property
    def minimum_unit_price_minor(self) -> int:
        """The unit price at the minimum order (the MOQ): the headline price."""
        return self.unit_price_minor_for(self.min_order_quantity)

    @property
    def order_tiers(self) -> list[tuple[int, int | None, int]]:
        """``(from, to or None, amount_minor)`` from the minimum order up
        (``rules.tiers_from_minimum``): the tier table a buyer can order from."""
        return rules.tiers_from_minimum(
            [(t.min_quantity, t.amount_minor) for t in self.tiers],
            min_order_quantity=self.min_order_quantity,
        )


@dataclass(frozen=True, slots=True)
class ProductDetail:
    product_id: int
    slug: str
    name_it: str
    name_en: str
    name_zh: str
    description_it: str
    description_en: str
    description_zh: str
    hs_code: str
    origin_country: str
    origin_country_name: str
    category: CategoryInfo | None
    merchant: MerchantRef
    store_slug: str
    store_name: str
    currency: str
    variants: list[VariantOption]
    # The pictures, in order (the public API's product; the product page reads the gallery).
    images: tuple[ProductImageInfo, ...] = ()
    # --- listing terms --- (``common.trade_terms``; blank / None: not set)
    lead_time_days: int | None = None
    incoterm: str = ""
    incoterm_place: str = ""
    payment_terms: str = ""

    @property
    def has_trade_terms(self) -> bool:
        return bool(self.incoterm or self.payment_terms or self.lead_time_days is not None)

    @property
    def incoterm_name(self) -> str:
        return trade_terms.incoterm_name(self.incoterm) if self.incoterm else ""

    @property
    def payment_terms_name(self) -> str:
        return trade_terms.payment_terms_name(self.payment_terms) if self.payment_terms else ""

    @property
    def offers_samples(self) -> bool:
        return any(v.offers_samples for v in self.variants)

    @property
    def id(self) -> int:
        return self.product_id

    @property
    def from_price_minor(self) -> int:
        """The lowest unit price at a variant's minimum order (as the search card's)."""
        return min(v.minimum_unit_price_minor for v in self.variants)

    @property
    def in_stock(self) -> bool:
        return any(v.in_stock for v in self.variants)


def unit_price_for(tiers: Sequence[PriceTier], quantity: int) -> int:
    """The unit price of the highest tier whose ``min_quantity`` <= ``quantity``
    (``catalog.rules.unit_price_minor``); the first tier's below it."""
    price = rules.unit_price_minor([(t.min_quantity, t.amount_minor) for t in tiers], quantity)
    return tiers[0].amount_minor if price is None else price


# raw SQL helpers ------------------------------------------------------------------------

_UNITS_SQL = (
    "(SELECT COALESCE(MAX(sl.units_on_hand), 0) FROM catalog_stocklevel sl "
    "JOIN catalog_warehouse w ON w.id = sl.warehouse_id "
    "WHERE sl.variant_id = {variant} AND w.is_active = TRUE)"
)
_HAS_STOCK_SQL = (
    "(CASE WHEN EXISTS (SELECT 1 FROM catalog_stocklevel sl "
    "JOIN catalog_warehouse w ON w.id = sl.warehouse_id "
    "WHERE sl.variant_id = {variant} AND sl.units_on_hand > 0 AND w.is_active = TRUE) "
    "THEN 1 ELSE 0 END)"
)
_CATEGORY_TREE_SQL = (
    "p.category_id IN (WITH RECURSIVE tree(id) AS ("
    "SELECT id FROM catalog_category WHERE slug = %s "
    "UNION ALL SELECT c.id FROM catalog_category c JOIN tree ON c.parent_id = tree.id"
    ") SELECT id FROM tree)"
)
_SECTOR_SQL = (
    "EXISTS (SELECT 1 FROM merchants_merchant_sectors ms "
    "JOIN merchants_sector sc ON sc.id = ms.sector_id "
    "WHERE ms.merchant_id = p.merchant_id AND sc.slug = %s)"
)


_NEWEST_PER_MERCHANT_SQL = (  # placeholders: marketplace id, currency, limit
    "SELECT ranked.id FROM (SELECT p2.id AS id, p2.created_at AS created_at, ROW_NUMBER() "
    "OVER (PARTITION BY p2.merchant_id ORDER BY p2.created_at DESC, p2.id DESC) AS merchant_rank "
    "FROM catalog_variant v2 "
    + rules.sellable_joins(variant="v2", product="p2", store="s2", price="pr2")
    + " GROUP BY p2.id, p2.merchant_id, p2.created_at) ranked WHERE ranked.merchant_rank = 1 "
    "ORDER BY ranked.created_at DESC, ranked.id DESC LIMIT %s"
)


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


# storefront -------------------------------------------------------------------------------


def merchant_set_sql(alias: str = "p") -> str:
    """``alias.merchant_id`` in a set of ids given as ONE parameter (``merchant_set_param``),
    whatever its size: an array on PostgreSQL, a JSON list on SQLite (a placeholder per id
    would pass SQLite's limit of 32,766 variables)."""
    if connection.vendor == "postgresql":
        return f"{alias}.merchant_id = ANY(%s::bigint[])"
    return f"{alias}.merchant_id IN (SELECT value FROM json_each(%s))"


def merchant_set_param(merchant_ids: Iterable[int]) -> Any:
    ids = sorted({int(i) for i in merchant_ids})
    return ids if connection.vendor == "postgresql" else json.dumps(ids)


@contextmanager
def _without_jit(active: bool) -> Iterator[None]:
    """PostgreSQL: no JIT compilation for the statements inside (``SET LOCAL``: to the end
    of this transaction, or of the caller's when it runs inside one). A search's plan is
    costed for the marketplace's million rows, past ``jit_above_cost``, and compiling it
    took 300-450 ms for statements that then ran in 25-200 ms (decision 0020)."""
    if not active or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


# SQLite: a company set with at least this many active listings is a filter, not the driver
SET_DRIVES_BELOW = 20_000


def _many_listings(merchants: Any) -> bool:
    """On SQLite, whether the company set (``merchant_set_param``) lists at least
    ``SET_DRIVES_BELOW`` active products (a bounded count over the merchant index)."""
    if connection.vendor != "sqlite":
        return False
    rows = _fetch(
        "SELECT COUNT(*) FROM (SELECT 1 FROM catalog_product p WHERE p.is_active = TRUE AND "
        f"{merchant_set_sql()} LIMIT %s) t",
        [merchants, SET_DRIVES_BELOW],
    )
    return int(rows[0][0]) >= SET_DRIVES_BELOW


def product_search(
    *,
    marketplace_id: int,
    currency: str,
    q: str | None = None,
    category_slug: str | None = None,
    region_code: str | None = None,
    sector: str | None = None,
    merchant_id: int | None = None,
    min_price_minor: int | None = None,
    max_price_minor: int | None = None,
    in_stock_only: bool = False,
    product_ids: Sequence[int] | None = None,
    merchant_ids: Sequence[int] | None = None,
    sort: str = "relevance",
    limit: int = 24,
    offset: int = 0,
) -> SearchPage:
    """Products listed on ``marketplace_id`` in ``currency`` that match every filter.

    ``q`` is full-text over names and descriptions in it/en/zh (see fiera.catalog.search);
    ``category_slug`` includes its subcategories; ``sector`` is a merchants sector slug;
    prices filter the from-price (minor units, inclusive); ``product_ids`` keeps only those
    products (see ``new_arrivals``); ``merchant_ids`` only those merchants' products, any
    number of them in one parameter (a pavilion's admitted companies).
    Sorts: "relevance" (names above categories above descriptions, then newest; newest
    first without ``q``), "price_asc", "price_desc", "newest". ``limit`` is capped at 100.
    ``total`` counts up to ``COUNT_LIMIT`` (or just past the page), see ``SearchPage``.
    One SQL statement (a second one only when ``offset`` is past the end).
    """
    if sort not in SORTS:
        raise not_one_of("sort", SORTS)
    limit = min(max(int(limit), 1), MAX_PAGE)
    offset = max(int(offset), 0)
    match = search.text_match(connection.vendor, q)

    where: list[str] = []  # the rule's joins keep only what is for sale (catalog.rules)
    where_params: list[Any] = []
    where.extend(match.where)
    where_params.extend(match.where_params)
    if category_slug:
        where.append(_CATEGORY_TREE_SQL)
        where_params.append(category_slug)
    if region_code:
        where.append("m.region_code = %s")
        where_params.append(region_code)
    if sector:
        where.append(_SECTOR_SQL)
        where_params.append(sector)
    if merchant_id is not None:
        where.append("p.merchant_id = %s")
        where_params.append(merchant_id)
    if product_ids is not None:
        ids = [int(i) for i in product_ids] or [0]  # no id matches 0
        where.append(f"p.id IN ({', '.join(['%s'] * len(ids))})")
        where_params.extend(ids)
    if merchant_ids is not None:
        merchants = merchant_set_param(merchant_ids)
        # SQLite: a set holding many listings must not drive (its companies' every listing
        # read and sorted); the newest-first index or the text index drives instead, with
        # the set as a filter (``+``). PostgreSQL plans the set from its statistics.
        plus = "+" if _many_listings(merchants) else ""
        where.append(plus + merchant_set_sql())
        where_params.append(merchants)
        drive, drive_params = text_candidates(q) if plus else ("", [])
        if drive:  # the text index's rowids, not a scan of the table (see text_candidates)
            where.append(drive)
            where_params.extend(drive_params)
    if sort == "relevance" and match.empty:  # no text to rank by: newest first
        sort = "newest"
    # The products of the page first (lean: ids, score, from-price only where a sort or a
    # filter needs it), then the cards of that page alone; the count stops at
    # ``count_limit`` (a bounded count: "1,000+ products").
    # Sellable products as a set (not correlated per product): every engine computes it
    # once, from the prices of this marketplace and currency, whatever its statistics.
    sell = rules.sellable_joins(variant="sv", product="sp", store="ss", price="spr")
    sell_params: list[Any] = [marketplace_id, currency]
    priced = sort in ("price_asc", "price_desc") or (
        min_price_minor is not None or max_price_minor is not None
    )
    # A set of companies (a pavilion's), no price to compute: each candidate is probed for
    # sale instead (a correlated EXISTS over the same rule's joins: a few key lookups), since
    # the set costs the whole marketplace however few the companies (decision 0020).
    probe = merchant_ids is not None and not in_stock_only and not priced
    if probe:
        where.append(
            f"EXISTS (SELECT 1 FROM catalog_variant sv {sell} "
            f"WHERE sv.merchant_id = p.merchant_id AND sv.product_id = p.id)"
        )
        where_params.extend(sell_params)
    elif in_stock_only:
        where.append(
            f"(p.merchant_id, p.id) IN (SELECT sv.merchant_id, sv.product_id "
            f"FROM catalog_variant sv {sell} "  # _HAS_STOCK_SQL as a join: one pass
            f"JOIN catalog_stocklevel ssl ON ssl.merchant_id = sv.merchant_id "
            f"AND ssl.variant_id = sv.id AND ssl.units_on_hand > 0 "
            f"JOIN catalog_warehouse sw ON sw.merchant_id = ssl.merchant_id "
            f"AND sw.id = ssl.warehouse_id AND sw.is_active = TRUE)"
        )
        where_params.extend(sell_params)
    elif not priced:
        where.append(
            f"(p.merchant_id, p.id) IN (SELECT sv.merchant_id, sv.product_id "
            f"FROM catalog_variant sv {sell})"
        )
        where_params.extend(sell_params)
    price_join = (
        f"JOIN (SELECT sv.merchant_id AS merchant_id, sv.product_id AS product_id, "
        f"MIN({rules.minimum_unit_price_sql(variant='sv', price='spr')}) AS from_price "
        f"FROM catalog_variant sv {sell} GROUP BY sv.merchant_id, sv.product_id) fp "
        f"ON fp.merchant_id = p.merchant_id AND fp.product_id = p.id "
    )
    price_where: list[str] = []
    price_params: list[Any] = []
    if min_price_minor is not None:
        price_where.append("fp.from_price >= %s")
        price_params.append(int(min_price_minor))
    if max_price_minor is not None:
        price_where.append("fp.from_price <= %s")
        price_params.append(int(max_price_minor))

    # SQLite, with words: few products match, their from-prices one by one (the variants
    # of each, in written order) rather than every product's from-price in one grouping.
    # (PostgreSQL plans the grouping as hash joins, faster there than the probes.)
    per_product_price = priced and not match.empty and connection.vendor == "sqlite"
    sell_in_order = sell.replace("JOIN ", "CROSS JOIN ")
    product_price = (
        f"(SELECT MIN({rules.minimum_unit_price_sql(variant='sv', price='spr')}) "
        f"FROM catalog_variant sv {sell_in_order} "
        f"WHERE sv.merchant_id = p.merchant_id AND sv.product_id = p.id)"
    )

    def hits(*, scored: bool) -> tuple[str, list[Any]]:
        score, score_params = (match.score, match.score_params) if scored else ("0", [])
        if per_product_price:
            inner = (
                f"SELECT p.id AS id, p.created_at AS created_at, {score} AS score, "
                f"{product_price} AS from_price FROM catalog_product p "
                f"JOIN merchants_merchant m ON m.id = p.merchant_id {match.join} "
                f"WHERE p.is_active = TRUE" + "".join(f" AND {w}" for w in where)
            )
            outer = ["fp.from_price IS NOT NULL", *price_where]
            return (
                f"SELECT * FROM ({inner}) fp WHERE {' AND '.join(outer)}",
                [*score_params, *sell_params, *match.join_params, *where_params, *price_params],
            )
        sql = (
            f"SELECT p.id AS id, p.created_at AS created_at, {score} AS score, "
            f"{'fp.from_price' if priced else '0'} AS from_price FROM catalog_product p "
            f"JOIN merchants_merchant m ON m.id = p.merchant_id {match.join} "
            f"{price_join if priced else ''}"
            f"WHERE p.is_active = TRUE"
            + "".join(f" AND {w}" for w in [*where, *(price_where if priced else [])])
        )
        params = [*score_params, *match.join_params, *(sell_params if priced else [])]
        return sql, [*params, *where_params, *(price_params if priced else [])]

    order = {
        "relevance": "{a}.score DESC, {a}.created_at DESC, {a}.id DESC",
        "price_asc": "{a}.from_price ASC, {a}.id ASC",
        "price_desc": "{a}.from_price DESC, {a}.id DESC",
        "newest": "{a}.created_at DESC, {a}.id DESC",
    }[sort]
    # One list of hits for the page and the count, computed once (MATERIALIZED: planned
    # once too); except newest first on PostgreSQL, or with the per-candidate probe, where the
    # page and the count each walk the newest-first index and stop early (NOT MATERIALIZED:
    # inlined in both).
    hits_sql, hits_params = hits(scored=sort == "relevance")
    early_stop = sort == "newest" and (connection.vendor == "postgresql" or probe)
    materialized = "NOT MATERIALIZED" if early_stop else "MATERIALIZED"
    with_hits = f"WITH hits AS {materialized} ({hits_sql}) "
    count_limit = max(COUNT_LIMIT, offset + limit) + 1
    counted_sql = "SELECT COUNT(*) FROM (SELECT 1 FROM hits hc LIMIT %s) t"
    card_joins, join = rules.sellable_joins(store="s"), "JOIN"
    if connection.vendor == "sqlite":  # the page's few rows first, in the order written
        card_joins, join = card_joins.replace("JOIN ", "CROSS JOIN "), "CROSS JOIN"
    sql = (
        f"{with_hits}"
        f"SELECT p.id, p.slug, p.name_it, p.name_en, p.name_zh, p.merchant_id, "
        f"m.display_name, m.region_code, s.slug, "
        f"MIN({rules.minimum_unit_price_sql(variant='v', price='pr')}) AS from_price_minor, "
        f"MAX({_HAS_STOCK_SQL.format(variant='v.id')}) AS in_stock, pg.score, "
        f"({counted_sql}) AS total "
        f"FROM (SELECT h.id, h.created_at, h.score, h.from_price FROM hits h "
        f"ORDER BY {order.format(a='h')} LIMIT %s OFFSET %s) pg "
        f"{join} catalog_variant v ON v.product_id = pg.id {card_joins} "
        f"{join} merchants_merchant m ON m.id = p.merchant_id "
        f"GROUP BY pg.id, pg.created_at, pg.score, pg.from_price, p.id, p.slug, p.name_it, "
        f"p.name_en, p.name_zh, p.merchant_id, m.display_name, m.region_code, s.slug "
        f"ORDER BY {order.format(a='pg')}"
    )
    with _without_jit(merchant_ids is not None):
        rows = _fetch(sql, [*hits_params, count_limit, limit, offset, marketplace_id, currency])
        if rows:
            counted = int(rows[0][12])
        elif offset:
            counted = int(_fetch(with_hits + counted_sql, [*hits_params, count_limit])[0][0])
        else:
            counted = 0
    total_exact = counted < count_limit
    total = counted if total_exact else count_limit - 1
    items = [
        ProductCard(
            product_id=int(r[0]),
            slug=r[1],
            name_it=r[2],
            name_en=r[3],
            name_zh=r[4],
            merchant_id=int(r[5]),
            merchant_name=r[6],
            region_code=r[7] or "",
            region_name=region_name(r[7] or ""),
            store_slug=r[8],
            from_price_minor=int(r[9]),
            currency=currency,
            in_stock=bool(r[10]),
        )
        for r in rows
    ]
    items = with_covers(items)
    return SearchPage(
        items=items,
        total=total,
        limit=limit,
        offset=offset,
        currency=currency,
        total_exact=total_exact,
    )


def with_covers(cards: list[ProductCard]) -> list[ProductCard]:
    """The cards with their cover pictures (one query; none for an empty list)."""
    covers = product_covers(product_ids=[c.product_id for c in cards])
    return [replace(c, cover=covers.get(c.product_id)) for c in cards]


def new_arrivals(*, marketplace_id: int, currency: str, limit: int = 8) -> SearchPage:
    """The newest product for sale (``catalog.rules``) of each of the ``limit`` merchants
    that added one last, newest first: new arrivals that do not all come from the one
    merchant who uploaded a catalog last. One query for the ids (each merchant's newest
    product for sale, ranked in one pass over what is for sale), then ``product_search``
    for the cards."""
    limit = min(max(int(limit), 1), MAX_PAGE)
    ids = [int(r[0]) for r in _fetch(_NEWEST_PER_MERCHANT_SQL, [marketplace_id, currency, limit])]
    if not ids:
        return SearchPage(items=[], total=0, limit=limit, offset=0, currency=currency)
    return product_search(
        marketplace_id=marketplace_id,
        currency=currency,
        product_ids=ids,
        sort="newest",
        limit=limit,
    )


def _tiers_by_variant(
    rows: Iterable[tuple[Any, ...]], variant_col: int, qty_col: int, amount_col: int
) -> dict[int, list[PriceTier]]:
    tiers: dict[int, list[PriceTier]] = {}
    for r in rows:
        tiers.setdefault(int(r[variant_col]), []).append(
            PriceTier(min_quantity=int(r[qty_col]), amount_minor=int(r[amount_col]))
        )
    return tiers


def product_detail(*, marketplace_id: int, currency: str, product_id: int) -> ProductDetail:
    """The product page: variants listed in ``currency`` with tiers and units available.

    Raises ``ProductNotFound`` (404) when the product is not listed on the marketplace
    in that currency (inactive, no active store, no priced active variant). Two queries.
    """
    head = _fetch(
        "SELECT p.id, p.slug, p.name_it, p.name_en, p.name_zh, p.description_it, "
        "p.description_en, p.description_zh, p.hs_code, p.origin_country, "
        "c.id, c.slug, c.parent_id, c.name_it, c.name_en, c.name_zh, "
        "m.id, m.slug, m.display_name, m.region_code, m.town, s.slug, s.name, "
        "p.lead_time_days, p.incoterm, p.incoterm_place, p.payment_terms, c.name_es "
        "FROM catalog_product p "
        "JOIN merchants_store s ON s.merchant_id = p.merchant_id "
        "AND s.marketplace_id = %s AND s.is_active = TRUE "
        "JOIN merchants_merchant m ON m.id = p.merchant_id "
        "LEFT JOIN catalog_category c ON c.id = p.category_id "
        "WHERE p.id = %s AND p.is_active = TRUE",
        [marketplace_id, product_id],
    )
    not_found = ProductNotFound(f"product {product_id} is not sold on this marketplace")
    if not head:
        raise not_found
    h = head[0]
    rows = _fetch(
        "SELECT v.id, v.sku, v.label, v.attributes, v.min_order_quantity, v.weight_grams, "
        "pr.min_quantity, pr.amount_minor, "
        f"{_UNITS_SQL.format(variant='v.id')} AS units, "
        f"{rules.sample_price_sql()} AS sample_price, v.sample_units "
        f"FROM catalog_variant v {rules.sellable_joins(every_tier=True)} "
        "WHERE v.product_id = %s "
        "ORDER BY v.id, pr.min_quantity",
        [marketplace_id, currency, product_id],
    )
    if not rows:
        raise not_found
    tiers = _tiers_by_variant(rows, 0, 6, 7)
    seen: dict[int, VariantOption] = {}
    for r in rows:
        variant_id = int(r[0])
        if variant_id in seen:
            continue
        seen[variant_id] = VariantOption(
            variant_id=variant_id,
            sku=r[1],
            label=r[2],
            attributes=_json(r[3]),
            min_order_quantity=int(r[4]),
            weight_grams=int(r[5]),
            currency=currency,
            tiers=tuple(tiers[variant_id]),
            units_available=int(r[8]),
            sample_price_minor=None if r[9] is None else int(r[9]),
            sample_units=int(r[10]),
        )
    category = (
        CategoryInfo(
            id=int(h[10]),
            slug=h[11],
            parent_id=h[12],
            name_it=h[13],
            name_en=h[14],
            name_zh=h[15],
            name_es=h[27] or "",
        )
        if h[10] is not None
        else None
    )
    return ProductDetail(
        product_id=int(h[0]),
        slug=h[1],
        name_it=h[2],
        name_en=h[3],
        name_zh=h[4],
        description_it=h[5],
        description_en=h[6],
        description_zh=h[7],
        hs_code=h[8],
        origin_country=h[9],
        origin_country_name=country_name(h[9]),
        category=category,
        merchant=MerchantRef(
            id=int(h[16]),
            slug=h[17],
            display_name=h[18],
            region_code=h[19] or "",
            region_name=region_name(h[19] or ""),
            town=h[20] or "",
        ),
        store_slug=h[21],
        store_name=h[22],
        currency=currency,
        variants=list(seen.values()),
        lead_time_days=None if h[23] is None else int(h[23]),
        incoterm=h[24],
        incoterm_place=h[25],
        payment_terms=h[26],
    )


def _json(value: Any) -> dict[str, Any]:
    """A JSON column read by raw SQL: a dict on PostgreSQL, text on SQLite."""
    if isinstance(value, dict):
        return value
    if not value:
        return {}
    loaded = json.loads(value)
    return loaded if isinstance(loaded, dict) else {}


def storefront_currency(*, marketplace_slug: str, country: str | None) -> tuple[int, str]:
    """(marketplace id, currency) for a visitor of an active marketplace shipping to
    ``country`` (its default currency without one). Raises ``MarketplaceNotFound`` (404,
    also for an inactive marketplace) or ``DestinationNotServed`` (404: the marketplace
    has no storefront for that destination)."""
    marketplace = marketplace_selectors.marketplace_get(slug=marketplace_slug)
    if not marketplace.is_active:
        raise marketplace_selectors.MarketplaceNotFound(f"no marketplace {marketplace_slug!r}")
    if not country:
        return marketplace.id, marketplace.default_currency
    try:
        currency = marketplace_selectors.marketplace_currency_for(
            marketplace_id=marketplace.id, country=country
        )
    except marketplace_selectors.CountryNotServed as exc:
        raise DestinationNotServed(exc.detail) from None
    return marketplace.id, currency


def shop_product_search(
    *, marketplace_slug: str, country: str | None, **filters: Any
) -> SearchPage:
    """``product_search`` for the public API: the marketplace by slug, the currency by
    the destination ``country`` (see ``storefront_currency``)."""
    marketplace_id, currency = storefront_currency(
        marketplace_slug=marketplace_slug, country=country
    )
    return product_search(marketplace_id=marketplace_id, currency=currency, **filters)


def shop_product_detail(
    *, marketplace_slug: str, country: str | None, product_id: int
) -> ProductDetail:
    """``product_detail`` for the public API (see ``shop_product_search``), with the
    product's pictures (one more query)."""
    marketplace_id, currency = storefront_currency(
        marketplace_slug=marketplace_slug, country=country
    )
    detail = product_detail(marketplace_id=marketplace_id, currency=currency, product_id=product_id)
    return replace(detail, images=tuple(product_gallery(product_id=detail.product_id)))


@dataclass(frozen=True, slots=True)
class CategoryCount:
    """A top-level category and how many products are for sale in it (subcategories
    included, as the search's category filter counts them)."""

    id: int
    slug: str
    name_it: str
    name_en: str
    name_zh: str
    products: int
    name_es: str = ""


def category_counts(*, marketplace_id: int, currency: str) -> list[CategoryCount]:
    """The top-level categories with products for sale on ``marketplace_id`` in
    ``currency`` (``catalog.rules``), most products first; categories with none are left
    out. One query."""
    rows = _fetch(
        "WITH RECURSIVE tree(id, root_id) AS ("
        "SELECT id, id FROM catalog_category WHERE parent_id IS NULL "
        "UNION ALL SELECT c.id, tree.root_id FROM catalog_category c "
        "JOIN tree ON c.parent_id = tree.id) "
        "SELECT r.id, r.slug, r.name_it, r.name_en, r.name_zh, COUNT(DISTINCT p.id) AS n, "
        "r.name_es "
        f"FROM catalog_variant v {rules.sellable_joins()} "
        "JOIN tree ON tree.id = p.category_id "
        "JOIN catalog_category r ON r.id = tree.root_id "
        "GROUP BY r.id, r.slug, r.name_it, r.name_en, r.name_zh, r.name_es "
        "ORDER BY n DESC, r.slug",
        [marketplace_id, currency],
    )
    return [
        CategoryCount(
            id=int(r[0]),
            slug=r[1],
            name_it=r[2],
            name_en=r[3],
            name_zh=r[4],
            products=int(r[5]),
            name_es=r[6] or "",
        )
        for r in rows
    ]


def category_list() -> list[CategoryInfo]:
    """Every category, parents before children within slug order (one query)."""
    return [
        CategoryInfo(
            id=c.pk,
            slug=c.slug,
            parent_id=c.parent_id,
            name_it=c.name_it,
            name_en=c.name_en,
            name_zh=c.name_zh,
            name_es=c.name_es,
        )
        for c in Category.objects.order_by("slug")
    ]


# console ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConsoleProductRow:
    product_id: int
    slug: str
    name_it: str
    name_en: str
    name_zh: str
    category_slug: str
    hs_code: str
    origin_country: str
    is_active: bool
    variant_count: int
    units_on_hand: int
    category_name_it: str = ""  # the category's names (``|localized:"category_name"``)
    category_name_en: str = ""
    category_name_zh: str = ""
    category_name_es: str = ""

    @property
    def id(self) -> int:
        return self.product_id


@dataclass(frozen=True, slots=True)
class ConsolePage(_PageNavigation):
    items: list[Any]
    total: int
    limit: int
    offset: int


def _check_console(*, actor_user_id: int, actor_role: str, merchant_id: int) -> None:
    check_merchant_editor(
        actor_user_id=actor_user_id, actor_role=actor_role, merchant_id=merchant_id
    )


def console_product_list(
    *,
    actor_user_id: int,
    actor_role: str,
    merchant_id: int,
    q: str | None = None,
    is_active: bool | None = None,
    category_slug: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> ConsolePage:
    """The merchant's products, newest first, active or not, with variant counts and
    units on hand; ``q`` matches names (any language), slug or a variant's SKU;
    ``is_active`` keeps the products for sale (True) or hidden (False); ``category_slug``
    the products of that category or of its subcategories. Two queries (count and page)."""
    _check_console(actor_user_id=actor_user_id, actor_role=actor_role, merchant_id=merchant_id)
    limit = min(max(int(limit), 1), MAX_PAGE)
    offset = max(int(offset), 0)
    qs = Product.objects.filter(merchant_id=merchant_id)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    if category_slug:
        qs = qs.filter(Q(category__slug=category_slug) | Q(category__parent__slug=category_slug))
    if q and q.strip():
        term = q.strip()
        qs = qs.filter(
            Q(name_it__icontains=term)
            | Q(name_en__icontains=term)
            | Q(name_zh__icontains=term)
            | Q(slug__icontains=term)
            | Q(
                pk__in=Variant.objects.filter(merchant_id=merchant_id, sku__icontains=term).values(
                    "product_id"
                )
            )
        )
    total = qs.count()
    variants = (
        Variant.objects.filter(product=OuterRef("pk"))
        .order_by()
        .values("product")
        .annotate(n=Count("pk"))
        .values("n")
    )
    units = (
        StockLevel.objects.filter(variant__product=OuterRef("pk"))
        .order_by()
        .values("variant__product")
        .annotate(n=Sum("units_on_hand"))
        .values("n")
    )
    rows = (
        qs.annotate(
            variant_count=Coalesce(Subquery(variants, output_field=IntegerField()), Value(0)),
            units=Coalesce(Subquery(units, output_field=IntegerField()), Value(0)),
        )
        .select_related("category")
        .order_by("-created_at", "-pk")[offset : offset + limit]
    )
    items = [
        ConsoleProductRow(
            product_id=p.pk,
            slug=p.slug,
            name_it=p.name_it,
            name_en=p.name_en,
            name_zh=p.name_zh,
            category_slug=p.category.slug if p.category else "",
            hs_code=p.hs_code,
            origin_country=p.origin_country,
            is_active=p.is_active,
            variant_count=int(p.variant_count),
            units_on_hand=int(p.units),
            category_name_it=p.category.name_it if p.category else "",
            category_name_en=p.category.name_en if p.category else "",
            category_name_zh=p.category.name_zh if p.category else "",
            category_name_es=p.category.name_es if p.category else "",
        )
        for p in rows
    ]
    return ConsolePage(items=items, total=total, limit=limit, offset=offset)


@dataclass(frozen=True, slots=True)
class ConsolePrice:
    marketplace_id: int
    currency: str
    min_quantity: int
    amount_minor: int
    # the marketplace, for its (localized) name; None if it is gone
    marketplace: marketplace_selectors.MarketplaceInfo | None = None


@dataclass(frozen=True, slots=True)
class ConsoleVariant:
    variant_id: int
    sku: str
    label: str
    min_order_quantity: int
    weight_grams: int
    is_active: bool
    prices: list[ConsolePrice]
    units_on_hand: int
    # --- listing terms --- the sample offer (``catalog.rules``; 0 units: none)
    sample_units: int = 0
    sample_price_minor: int | None = None
    sample_currency: str = ""


@dataclass(frozen=True, slots=True)
class ConsoleProduct:
    product_id: int
    merchant_id: int
    slug: str
    name_it: str
    name_en: str
    name_zh: str
    description_it: str
    description_en: str
    description_zh: str
    category_slug: str
    hs_code: str
    origin_country: str
    is_active: bool
    variants: list[ConsoleVariant]
    # --- listing terms ---
    lead_time_days: int | None = None
    incoterm: str = ""
    incoterm_place: str = ""
    payment_terms: str = ""

    @property
    def id(self) -> int:
        return self.product_id


def console_product_get(*, actor_user_id: int, actor_role: str, product_id: int) -> ConsoleProduct:
    """One of the actor's products with every variant, price (with its marketplace) and
    stock total (5 queries after the permission check: product, variants, prices,
    marketplaces and their countries). Another merchant's product is ``ProductNotFound``."""
    product = Product.objects.select_related("category").filter(pk=product_id).first()
    not_found = ProductNotFound(f"no product {product_id}")
    if product is None:
        raise not_found
    check_catalog_editor(
        actor_user_id=actor_user_id,
        actor_role=actor_role,
        merchant_id=product.merchant_id,
        not_found=not_found,
    )
    variants = (
        Variant.objects.filter(product=product)
        .annotate(units=Coalesce(Sum("stock_levels__units_on_hand"), Value(0)))
        .prefetch_related(
            Prefetch(
                "prices",
                queryset=Price.objects.order_by("marketplace_id", "currency", "min_quantity"),
            )
        )
        .order_by("pk")
    )
    marketplaces = marketplace_selectors.marketplace_infos_by_id(
        marketplace_ids={p.marketplace_id for v in variants for p in v.prices.all()}
    )
    return ConsoleProduct(
        product_id=product.pk,
        merchant_id=product.merchant_id,
        slug=product.slug,
        name_it=product.name_it,
        name_en=product.name_en,
        name_zh=product.name_zh,
        description_it=product.description_it,
        description_en=product.description_en,
        description_zh=product.description_zh,
        category_slug=product.category.slug if product.category else "",
        hs_code=product.hs_code,
        origin_country=product.origin_country,
        is_active=product.is_active,
        lead_time_days=product.lead_time_days,
        incoterm=product.incoterm,
        incoterm_place=product.incoterm_place,
        payment_terms=product.payment_terms,
        variants=[
            ConsoleVariant(
                variant_id=v.pk,
                sku=v.sku,
                label=v.label,
                min_order_quantity=v.min_order_quantity,
                weight_grams=v.weight_grams,
                is_active=v.is_active,
                sample_units=v.sample_units,
                sample_price_minor=v.sample_price_minor,
                sample_currency=v.sample_currency,
                prices=[
                    ConsolePrice(
                        marketplace_id=p.marketplace_id,
                        currency=p.currency,
                        min_quantity=p.min_quantity,
                        amount_minor=p.amount_minor,
                        marketplace=marketplaces.get(p.marketplace_id),
                    )
                    for p in v.prices.all()
                ],
                units_on_hand=int(v.units),
            )
            for v in variants
        ],
    )


@dataclass(frozen=True, slots=True)
class WarehouseInfo:
    id: int
    code: str
    name: str
    country: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class StockRow:
    """One variant with its units per warehouse (``levels`` follows the page's
    ``warehouses`` order; a warehouse without a level row counts 0)."""

    variant_id: int
    sku: str
    label: str
    product_id: int
    name_it: str
    name_en: str
    name_zh: str
    levels: list[tuple[WarehouseInfo, int]]
    total_units: int


@dataclass(frozen=True, slots=True)
class StockPage(_PageNavigation):
    warehouses: list[WarehouseInfo]
    items: list[StockRow]
    total: int
    limit: int
    offset: int
    low_stock_threshold: int


def warehouse_list(*, actor_user_id: int, actor_role: str, merchant_id: int) -> list[WarehouseInfo]:
    _check_console(actor_user_id=actor_user_id, actor_role=actor_role, merchant_id=merchant_id)
    return _warehouses(merchant_id)


def _warehouses(merchant_id: int) -> list[WarehouseInfo]:
    return [
        WarehouseInfo(id=w.pk, code=w.code, name=w.name, country=w.country, is_active=w.is_active)
        for w in Warehouse.objects.filter(merchant_id=merchant_id).order_by("pk")
    ]


def _variants_with_totals(merchant_id: int) -> Any:  # QuerySet[Variant] + total_units
    """The merchant's variants with ``total_units``: units on hand over active warehouses."""
    return Variant.objects.filter(merchant_id=merchant_id).annotate(
        total_units=Coalesce(
            Sum(
                "stock_levels__units_on_hand",
                filter=Q(stock_levels__warehouse__is_active=True),
            ),
            Value(0),
        )
    )


LOW_STOCK_UNITS = 5  # a variant with this many units or fewer (all warehouses) is low


def low_stock_count(
    *, actor_user_id: int, actor_role: str, merchant_id: int, threshold: int = LOW_STOCK_UNITS
) -> int:
    """How many of the merchant's variants are low on stock: the rows that
    ``console_stock_list(low_stock_only=True)`` lists (one query)."""
    _check_console(actor_user_id=actor_user_id, actor_role=actor_role, merchant_id=merchant_id)
    return _variants_with_totals(merchant_id).filter(total_units__lte=threshold).count()


def console_stock_list(
    *,
    actor_user_id: int,
    actor_role: str,
    merchant_id: int,
    low_stock_only: bool = False,
    low_stock_threshold: int = LOW_STOCK_UNITS,
    q: str | None = None,
    warehouse_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> StockPage:
    """Stock per variant per warehouse of the merchant. ``low_stock_only`` keeps the
    variants whose total over active warehouses is at most ``low_stock_threshold``;
    ``warehouse_id`` (one of the merchant's, else ignored) shows only that warehouse's
    column. Four queries whatever the page size (warehouses, count, variants, levels)."""
    _check_console(actor_user_id=actor_user_id, actor_role=actor_role, merchant_id=merchant_id)
    limit = min(max(int(limit), 1), MAX_PAGE)
    offset = max(int(offset), 0)
    warehouses = _warehouses(merchant_id)
    if warehouse_id is not None and any(w.id == warehouse_id for w in warehouses):
        warehouses = [w for w in warehouses if w.id == warehouse_id]
    qs = _variants_with_totals(merchant_id)
    if q and q.strip():
        term = q.strip()
        qs = qs.filter(
            Q(sku__icontains=term)
            | Q(label__icontains=term)
            | Q(product__name_en__icontains=term)
            | Q(product__name_it__icontains=term)
            | Q(product__name_zh__icontains=term)
        )
    if low_stock_only:
        qs = qs.filter(total_units__lte=low_stock_threshold)
    total = qs.count()
    variants = list(
        qs.select_related("product").order_by("product_id", "pk")[offset : offset + limit]
    )
    units: dict[tuple[int, int], int] = {
        (variant_id, warehouse_id): on_hand
        for variant_id, warehouse_id, on_hand in StockLevel.objects.filter(
            variant_id__in=[v.pk for v in variants]
        ).values_list("variant_id", "warehouse_id", "units_on_hand")
    }
    items = [
        StockRow(
            variant_id=v.pk,
            sku=v.sku,
            label=v.label,
            product_id=v.product_id,
            name_it=v.product.name_it,
            name_en=v.product.name_en,
            name_zh=v.product.name_zh,
            levels=[(w, units.get((v.pk, w.id), 0)) for w in warehouses],
            total_units=int(v.total_units),
        )
        for v in variants
    ]
    return StockPage(
        warehouses=warehouses,
        items=items,
        total=total,
        limit=limit,
        offset=offset,
        low_stock_threshold=low_stock_threshold,
    )


def movement_kinds() -> list[tuple[str, str]]:
    """(value, label) of every kind of recorded stock movement."""
    return [(str(value), str(label)) for value, label in StockMovementKind.choices]


@dataclass(frozen=True, slots=True)
class MovementRow:
    """One recorded stock change (``StockMovement``): a count, an adjustment or units an
    order gave back. ``id`` and ``created_at`` are its place in the newest-first order."""

    id: int
    variant_id: int
    sku: str
    warehouse_id: int
    warehouse_code: str
    warehouse_name: str
    kind: str
    delta: int
    units_after: int
    reason: str
    actor_username: str
    created_at: Any
    # the reason as stored: a platform reason's code and reference ("fiera:<code>:<ref>"),
    # for a caller that links it (``reason`` is what a person reads)
    stored_reason: str = ""


def stock_movement_list(
    *,
    actor_user_id: int,
    actor_role: str,
    merchant_id: int,
    warehouse_id: int | None = None,
    kinds: Sequence[str] | None = None,
    before: tuple[Any, int] | None = None,
    limit: int = 20,
) -> list[MovementRow]:
    """The merchant's latest stock movements, newest first (``created_at``, then id), one
    query plus the people's names. ``before=(moment, id)`` keeps the rows that come after
    that place in this order (keyset paging: created before ``moment``, or at it with a
    smaller id); ``kinds`` keeps those kinds (``StockMovementKind`` values)."""
    _check_console(actor_user_id=actor_user_id, actor_role=actor_role, merchant_id=merchant_id)
    qs = StockMovement.objects.filter(merchant_id=merchant_id)
    if warehouse_id is not None:
        qs = qs.filter(warehouse_id=warehouse_id)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    if before is not None:
        moment, last_id = before
        qs = qs.filter(Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=last_id))
    rows = list(
        qs.select_related("variant", "warehouse").order_by("-created_at", "-pk")[
            : min(max(limit, 1), MAX_PAGE + 1)
        ]
    )
    people = user_summaries(user_ids={m.actor_id for m in rows if m.actor_id is not None})
    return [
        MovementRow(
            id=m.pk,
            variant_id=m.variant_id,
            sku=m.variant.sku,
            warehouse_id=m.warehouse_id,
            warehouse_code=m.warehouse.code,
            warehouse_name=m.warehouse.name,
            kind=m.kind,
            delta=m.delta,
            units_after=m.units_after,
            reason=movement_reason_text(m.reason),
            actor_username=people[m.actor_id].username if m.actor_id in people else "",
            created_at=m.created_at,
            stored_reason=m.reason,
        )
        for m in rows
    ]


# Reasons the platform writes (not a person): "fiera:<code>:<reference>", shown translated.
SYSTEM_REASONS = {
    "flash-set-aside": gettext_lazy("Set aside for a flash sale of the festival %(reference)s"),
    "flash-returned": gettext_lazy("Back from flash sale %(reference)s, now closed"),
    "order-cancelled": gettext_lazy("Back from order %(reference)s, cancelled"),
    "order-refunded": gettext_lazy("Back from order %(reference)s, refunded in full"),
    "order-unpaid": gettext_lazy("Back from order %(reference)s, not paid in time"),
}


def system_reason(code: str, reference: object) -> str:
    """The stored form of a reason the platform writes (see ``movement_reason_text``)."""
    if code not in SYSTEM_REASONS:
        raise ValueError(f"unknown system reason {code!r}")
    return f"fiera:{code}:{reference}"


def movement_reason_text(reason: str) -> str:
    """A movement's reason as a person reads it: what staff typed, as typed; a reason the
    platform wrote (``system_reason``), in the reader's language."""
    if reason.startswith("fiera:"):
        _prefix, code, reference = [*reason.split(":", 2), "", ""][:3]
        template = SYSTEM_REASONS.get(code)
        if template is not None:
            return str(template) % {"reference": reference}
    return reason


# product images ---------------------------------------------------------------------------


def media_url(name: str) -> str:
    """The URL of a stored file (default storage), or "" for no file."""
    return str(default_storage.url(name)) if name else ""


@dataclass(frozen=True, slots=True)
class ProductImageInfo:
    """A picture of a product; ``image``/``thumbnail`` are storage names, the ``*_url``
    properties their URLs (the filesystem's /media/... or the bucket's)."""

    image_id: int
    product_id: int
    image: str
    thumbnail: str
    width: int
    height: int
    position: int
    alt_text: str

    @property
    def id(self) -> int:
        return self.image_id

    @property
    def url(self) -> str:
        return media_url(self.image)

    @property
    def thumbnail_url(self) -> str:
        return media_url(self.thumbnail or self.image)


def _image_infos(product_ids: Sequence[int]) -> list[ProductImageInfo]:
    if not product_ids:
        return []
    rows = ProductImage.objects.filter(product_id__in=list(product_ids)).order_by(
        "product_id", "position", "id"
    )
    infos = [
        ProductImageInfo(
            image_id=r[0],
            product_id=r[1],
            image=r[2] or "",
            thumbnail=r[3] or "",
            width=r[4],
            height=r[5],
            position=r[6],
            alt_text=r[7],
        )
        for r in rows.values_list(
            "id", "product_id", "image", "thumbnail", "width", "height", "position", "alt_text"
        )
    ]
    return infos


def product_covers(*, product_ids: Sequence[int]) -> dict[int, ProductImageInfo]:
    """Each product's cover (its first picture), by product id; products without a
    picture are left out. One query."""
    covers: dict[int, ProductImageInfo] = {}
    for info in _image_infos(product_ids):
        covers.setdefault(info.product_id, info)
    return covers


def product_gallery(*, product_id: int) -> list[ProductImageInfo]:
    """The product's pictures in order, for its page (public: the caller has checked the
    product is listed, e.g. with ``product_detail``). One query."""
    return _image_infos([product_id])


def product_image_list(
    *, actor_user_id: int, actor_role: str, product_id: int
) -> list[ProductImageInfo]:
    """The pictures of one of the actor's products, in order (the console, the API).
    Another merchant's product is ``ProductNotFound``."""
    merchant_id = Product.objects.filter(pk=product_id).values_list("merchant_id", flat=True)
    found = merchant_id.first()
    not_found = ProductNotFound(f"no product {product_id}")
    if found is None:
        raise not_found
    check_catalog_editor(
        actor_user_id=actor_user_id,
        actor_role=actor_role,
        merchant_id=int(found),
        not_found=not_found,
    )
    return _image_infos([product_id])


def variant_categories(*, variant_ids: Iterable[int]) -> dict[int, int | None]:
    """The category id of each variant's product (None when uncategorised), in ONE query;
    unknown ids are left out."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    return dict(Variant.objects.filter(pk__in=ids).values_list("id", "product__category_id"))


@dataclass(frozen=True, slots=True)
class VariantProductRef:
    """A variant's product, enough to name it and link to its page (festival pages)."""

    variant_id: int
    product_id: int
    sku: str
    label: str
    name_it: str
    name_en: str
    name_zh: str


def variant_products(*, variant_ids: Iterable[int]) -> dict[int, VariantProductRef]:
    """Each variant's product id and names, in ONE query; unknown ids are left out."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    rows = Variant.objects.filter(pk__in=ids).values_list(
        "id",
        "product_id",
        "sku",
        "label",
        "product__name_it",
        "product__name_en",
        "product__name_zh",
    )
    return {row[0]: VariantProductRef(*row) for row in rows}


def variants_for_sale(
    *, marketplace_id: int, currency: str, variant_ids: Iterable[int]
) -> set[int]:
    """Which of ``variant_ids`` are for sale on ``marketplace_id`` in ``currency`` (the
    rule of ``catalog.rules``: active, the merchant's store open there, a price), so that a
    page links each to a product page that shows it. One query."""
    ids = sorted(set(variant_ids))
    if not ids:
        return set()
    marks = ", ".join(["%s"] * len(ids))
    rows = _fetch(
        f"SELECT v.id FROM catalog_variant v {rules.sellable_joins()} WHERE v.id IN ({marks})",
        [marketplace_id, currency, *ids],
    )
    return {int(row[0]) for row in rows}


# --- trade documents ---


@dataclass(frozen=True, slots=True)
class VariantTradeFacts:
    """What customs papers print of a variant: its product's HS code and country of origin
    (ISO 3166-1 alpha-2) and its weight in grams (0: not recorded)."""

    variant_id: int
    hs_code: str
    origin_country: str
    weight_grams: int


def variant_trade_facts(*, variant_ids: Iterable[int]) -> dict[int, VariantTradeFacts]:
    """HS code, origin and weight of each variant, in ONE query; unknown ids are left out."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    rows = Variant.objects.filter(pk__in=ids).values_list(
        "id", "product__hs_code", "product__origin_country", "weight_grams"
    )
    return {
        int(row[0]): VariantTradeFacts(
            variant_id=int(row[0]),
            hs_code=str(row[1]),
            origin_country=str(row[2]),
            weight_grams=int(row[3]),
        )
        for row in rows
    }


# --- pavilions (trade): origin of a merchant's products, listings per merchant ---------------


def product_origins(*, merchant_id: int) -> dict[str, int]:
    """The merchant's active products by country of origin (ISO 3166-1), e.g.
    ``{"IT": 12, "FR": 1}``. One grouped query."""
    rows = (
        Product.objects.filter(merchant_id=merchant_id, is_active=True)
        .order_by()
        .values("origin_country")
        .annotate(n=Count("pk"))
    )
    return {str(r["origin_country"]): int(r["n"]) for r in rows}


def listed_product_counts(
    *, marketplace_id: int, currency: str, merchant_ids: Iterable[int]
) -> dict[int, int]:
    """How many products each of ``merchant_ids`` lists for sale on the marketplace in
    ``currency`` (the sellability rule of ``catalog.rules``); merchants with none are absent.
    One grouped query."""
    ids = sorted({int(i) for i in merchant_ids})
    if not ids:
        return {}
    rows = _fetch(
        f"SELECT v.merchant_id, COUNT(DISTINCT v.product_id) FROM catalog_variant v "
        f"{rules.sellable_joins()} WHERE {merchant_set_sql('v')} GROUP BY v.merchant_id",
        [marketplace_id, currency, merchant_set_param(ids)],
    )
    return {int(r[0]): int(r[1]) for r in rows}


# --- trade search ---
# The storefront's search engine for other apps' searches over the catalog (the trade
# marketplace's listing and supplier search, fiera.trade.search): the same documents,
# FTS structures, matching and score, never a second engine.

TextMatch = search.TextMatch
CATEGORY_TREE_SQL = _CATEGORY_TREE_SQL  # one placeholder: the category slug; alias ``p``


_PG_CATEGORY_SUBQUERY = (
    "ARRAY(SELECT cn.id FROM catalog_category cn WHERE (' ' || cn.search_names || ' ') LIKE %s)"
)


def text_match(q: str | None, *, alias: str = "p", category_alias: str = "sc") -> TextMatch:
    """SQL fragments restricting ``catalog_product`` rows (``alias``) to those matching
    ``q`` on this connection's vendor, with their score (see ``catalog.search``).

    On PostgreSQL each term's matching categories (a few dozen rows) are read first and
    given as a literal id array: the planner then estimates the term's ``category_id =
    ANY(...)`` branch from the real ids, not as a quarter of the table (an InitPlan's
    unknown array), which made it hash every listing for sale even for a word that
    matches nothing."""
    match = search.text_match(connection.vendor, q, alias=alias, category_alias=category_alias)
    if connection.vendor != "postgresql" or _PG_CATEGORY_SUBQUERY not in " ".join(match.where):
        return match
    where_params: list[Any] = []
    params = iter(match.where_params)
    for clause in match.where:
        for _ in range(clause.count("%s")):
            value = next(params)
            if isinstance(value, str) and value.startswith("% ") and value.endswith("%"):
                rows = _fetch(
                    "SELECT id FROM catalog_category WHERE (' ' || search_names || ' ') LIKE %s",
                    [value],
                )
                value = [int(r[0]) for r in rows]
            where_params.append(value)
    match.where = [w.replace(_PG_CATEGORY_SUBQUERY, "%s::bigint[]") for w in match.where]
    match.where_params = where_params
    return match


def text_candidates(q: str | None, *, alias: str = "p") -> tuple[str, list[Any]]:
    """On SQLite, a condition ANDed beside ``text_match``'s that lets the text index drive
    the plan: ``alias.id IN`` the products whose document has the query's first term or
    whose category's name has it (the first term's own condition, as one rowid list that
    SQLite's planner reads first, where the OR of the two makes it scan the table). The
    condition is implied by ``text_match``'s, so it changes no result. ``("", [])`` on
    other vendors and for a query without terms."""
    terms = search.query_terms(q)
    if connection.vendor != "sqlite" or not terms or search.without_words(q):
        return "", []
    term = terms[0]
    return (
        f"{alias}.id IN (SELECT rowid FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} "
        f"MATCH %s UNION ALL SELECT cp.id FROM catalog_product cp WHERE cp.category_id IN "
        f"(SELECT cn.id FROM catalog_category cn WHERE (' ' || cn.search_names || ' ') "
        f"LIKE %s))",
        [f'"{term.text}"' + ("*" if term.prefix else ""), term.like_pattern()],
    )


def search_document(texts: Iterable[str | None]) -> str:
    """The normalized search document of ``texts`` (case, accents, CJK pieces folded as
    the catalog's documents are), for documents other apps store."""
    return search.document(texts)


def search_terms(q: str | None) -> list[tuple[str, bool]]:
    """The terms of a query as (normalized text, matches as a word prefix); a query with
    text but no word gives ``[("", False)]``, which matches nothing."""
    if search.without_words(q):
        return [("", False)]
    return [(t.text, t.prefix) for t in search.query_terms(q)]


def category_exists(*, slug: str) -> bool:
    return Category.objects.filter(slug=slug).exists()
