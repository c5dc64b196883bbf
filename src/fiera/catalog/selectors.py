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
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from fiera.accounts.selectors import user_summaries
from fiera.catalog import rules, search
from fiera.catalog.models import (
    Category,
    Price,
    Product,
    StockLevel,
    StockMovement,
    Variant,
    Warehouse,
)
from fiera.catalog.services import (
    PriceTier,
    ProductNotFound,
    check_catalog_editor,
    check_merchant_editor,
)
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
    """A product as a search result. ``from_price_minor`` is the lowest unit price at
    quantity 1 among its listed variants, in ``currency``."""

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
    items: list[ProductCard]
    total: int
    limit: int
    offset: int
    currency: str


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

    @property
    def unit_price_minor(self) -> int:
        return self.tiers[0].amount_minor

    @property
    def in_stock(self) -> bool:
        return self.units_available > 0

    def unit_price_minor_for(self, quantity: int) -> int:
        return unit_price_for(self.tiers, quantity)


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

    @property
    def id(self) -> int:
        return self.product_id

    @property
    def from_price_minor(self) -> int:
        return min(v.unit_price_minor for v in self.variants)

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


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


# storefront -------------------------------------------------------------------------------


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
    sort: str = "relevance",
    limit: int = 24,
    offset: int = 0,
) -> SearchPage:
    """Products listed on ``marketplace_id`` in ``currency`` that match every filter.

    ``q`` is full-text over names and descriptions in it/en/zh (see fiera.catalog.search);
    ``category_slug`` includes its subcategories; ``sector`` is a merchants sector slug;
    prices filter the from-price (minor units, inclusive). Sorts: "relevance" (text rank,
    newest first without ``q``), "price_asc", "price_desc", "newest". ``limit`` is capped
    at 100. One SQL statement (a second one only when ``offset`` is past the end).
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
    having: list[str] = []
    having_params: list[Any] = []
    if min_price_minor is not None:
        having.append("MIN(pr.amount_minor) >= %s")
        having_params.append(int(min_price_minor))
    if max_price_minor is not None:
        having.append("MIN(pr.amount_minor) <= %s")
        having_params.append(int(max_price_minor))
    if in_stock_only:
        having.append(f"MAX({_HAS_STOCK_SQL.format(variant='v.id')}) = 1")

    order = {
        "relevance": "score DESC, p.created_at DESC, p.id DESC",
        "price_asc": "from_price_minor ASC, p.id ASC",
        "price_desc": "from_price_minor DESC, p.id DESC",
        "newest": "p.created_at DESC, p.id DESC",
    }[sort]
    score_group = ", fts.bm25_score" if match.join else ""
    body = (
        f"FROM catalog_variant v {rules.sellable_joins(store='s')} "
        f"JOIN merchants_merchant m ON m.id = p.merchant_id "
        f"{match.join} "
        + (f"WHERE {' AND '.join(where)} " if where else "")
        + f"GROUP BY p.id, p.slug, p.name_it, p.name_en, p.name_zh, p.merchant_id, p.created_at, "
        f"m.display_name, m.region_code, s.slug{score_group} "
        + (f"HAVING {' AND '.join(having)} " if having else "")
    )
    body_params = [marketplace_id, currency, *match.join_params, *where_params]
    sql = (
        f"SELECT p.id, p.slug, p.name_it, p.name_en, p.name_zh, p.merchant_id, "
        f"m.display_name, m.region_code, s.slug, MIN(pr.amount_minor) AS from_price_minor, "
        f"MAX({_HAS_STOCK_SQL.format(variant='v.id')}) AS in_stock, "
        f"{match.score} AS score, COUNT(*) OVER () AS total "
        f"{body} ORDER BY {order} LIMIT %s OFFSET %s"
    )
    rows = _fetch(sql, [*match.score_params, *body_params, *having_params, limit, offset])
    if rows:
        total = int(rows[0][12])
    elif offset:
        counted = _fetch(
            f"SELECT COUNT(*) FROM (SELECT p.id {body}) t", [*body_params, *having_params]
        )
        total = int(counted[0][0])
    else:
        total = 0
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
    return SearchPage(items=items, total=total, limit=limit, offset=offset, currency=currency)


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
        "m.id, m.slug, m.display_name, m.region_code, m.town, s.slug, s.name "
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
        f"{_UNITS_SQL.format(variant='v.id')} AS units "
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
        )
    category = (
        CategoryInfo(
            id=int(h[10]),
            slug=h[11],
            parent_id=h[12],
            name_it=h[13],
            name_en=h[14],
            name_zh=h[15],
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
    """``product_detail`` for the public API (see ``shop_product_search``)."""
    marketplace_id, currency = storefront_currency(
        marketplace_slug=marketplace_slug, country=country
    )
    return product_detail(marketplace_id=marketplace_id, currency=currency, product_id=product_id)


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
    limit: int = 50,
    offset: int = 0,
) -> ConsolePage:
    """The merchant's products, newest first, active or not, with variant counts and
    units on hand; ``q`` matches names (any language), slug or a variant's SKU.
    Two queries (count and page)."""
    _check_console(actor_user_id=actor_user_id, actor_role=actor_role, merchant_id=merchant_id)
    limit = min(max(int(limit), 1), MAX_PAGE)
    offset = max(int(offset), 0)
    qs = Product.objects.filter(merchant_id=merchant_id)
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

    @property
    def id(self) -> int:
        return self.product_id


def console_product_get(*, actor_user_id: int, actor_role: str, product_id: int) -> ConsoleProduct:
    """One of the actor's products with every variant, price and stock total (3 queries
    after the permission check). Another merchant's product is ``ProductNotFound``."""
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
        variants=[
            ConsoleVariant(
                variant_id=v.pk,
                sku=v.sku,
                label=v.label,
                min_order_quantity=v.min_order_quantity,
                weight_grams=v.weight_grams,
                is_active=v.is_active,
                prices=[
                    ConsolePrice(
                        marketplace_id=p.marketplace_id,
                        currency=p.currency,
                        min_quantity=p.min_quantity,
                        amount_minor=p.amount_minor,
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


def console_stock_list(
    *,
    actor_user_id: int,
    actor_role: str,
    merchant_id: int,
    low_stock_only: bool = False,
    low_stock_threshold: int = 5,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> StockPage:
    """Stock per variant per warehouse of the merchant. ``low_stock_only`` keeps the
    variants whose total over active warehouses is at most ``low_stock_threshold``.
    Four queries whatever the page size (warehouses, count, variants, levels)."""
    _check_console(actor_user_id=actor_user_id, actor_role=actor_role, merchant_id=merchant_id)
    limit = min(max(int(limit), 1), MAX_PAGE)
    offset = max(int(offset), 0)
    warehouses = _warehouses(merchant_id)
    qs = Variant.objects.filter(merchant_id=merchant_id).annotate(
        total_units=Coalesce(
            Sum(
                "stock_levels__units_on_hand",
                filter=Q(stock_levels__warehouse__is_active=True),
            ),
            Value(0),
        )
    )
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


@dataclass(frozen=True, slots=True)
class MovementRow:
    variant_id: int
    sku: str
    warehouse_code: str
    kind: str
    delta: int
    units_after: int
    reason: str
    actor_username: str
    created_at: Any


def stock_movement_list(
    *, actor_user_id: int, actor_role: str, merchant_id: int, limit: int = 20
) -> list[MovementRow]:
    """The merchant's latest stock movements, newest first (one query)."""
    _check_console(actor_user_id=actor_user_id, actor_role=actor_role, merchant_id=merchant_id)
    rows = (
        StockMovement.objects.filter(merchant_id=merchant_id)
        .select_related("variant", "warehouse")
        .order_by("-created_at", "-pk")[: min(max(limit, 1), MAX_PAGE)]
    )
    people = user_summaries(user_ids={m.actor_id for m in rows if m.actor_id is not None})
    return [
        MovementRow(
            variant_id=m.variant_id,
            sku=m.variant.sku,
            warehouse_code=m.warehouse.code,
            kind=m.kind,
            delta=m.delta,
            units_after=m.units_after,
            reason=m.reason,
            actor_username=people[m.actor_id].username if m.actor_id in people else "",
            created_at=m.created_at,
        )
        for m in rows
    ]
