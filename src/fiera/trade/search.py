"""Search of the B2B trade marketplace: listings (its products) and suppliers (merchants
with a supplier profile and a store on it), in it/en/zh, with filters, ranked and paged.
Decision 0019.

One engine: the text goes through the storefront's search (``catalog.selectors.text_match``:
the product documents, FTS5 on SQLite, the tsvector GIN index on PostgreSQL, the same
score), and what is for sale through ``catalog.rules`` (MOQ, tier price).

Filters
    ``category`` (a slug, subcategories included), ``region`` (the supplier's Italian
    region, ``merchants.Merchant.region_code``), ``max_moq`` (a variant for sale with a
    minimum order of at most N units), ``level`` (the supplier's verification level at
    ``now`` is at least ``licence`` or ``audit``), ``origin`` (the product's country of
    origin), ``merchant_ids`` (only these suppliers: a pavilion's search).

The verification level
    is computed at ``now`` in the query, never stored (decision 0015): a small aggregate
    over the verifications (a reference table of thousands of rows, indexed by profile)
    gives each verified merchant its level, ``checked_at <= now < expires_at``; the filter
    is ``merchant_id IN`` that set, which the catalog's (merchant_id, ...) keys serve.
    An expiry changes the results at the next search, with no job to run.

Ranking
    Listings: the text's score (names above category above descriptions), then the
    supplier's level, then newest. Without text: newest first (level, then newest, with
    a level filter that leaves few). Suppliers: a match in the supplier's own document
    (name, capabilities) scores 4 per term, having listings that match 2, then level,
    then how many listings match, then name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _

from fiera.catalog import rules
from fiera.catalog.selectors import (
    CATEGORY_TREE_SQL,
    category_exists,
    merchant_set_param,
    merchant_set_sql,
    region_name,
    search_document,
    search_terms,
    text_candidates,
    text_match,
)
from fiera.common.errors import InvalidInput, not_one_of
from fiera.common.reference import is_country, language_suffix
from fiera.marketplaces.selectors import MarketplaceInfo, MarketplaceNotFound, marketplace_get
from fiera.merchants.selectors import merchant_get
from fiera.trade.selectors import LEVEL_LABELS, LEVELS, trade_marketplace

MAX_LIMIT = 100
COUNT_LIMIT = 1000  # totals are counted up to this many ("1,000+"), as the storefront's
LEVEL_RANK = {"none": 0, "licence": 1, "audit": 2}


class UnknownCategory(InvalidInput):
    code = "unknown_category"
    message_template = _("There is no category %(slug)s; use a category slug from the list.")


class BadSearchFilter(InvalidInput):
    code = "invalid_filter"
    message_template = _("Check %(field)s: %(allowed)s.")


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """The filters of a trade search, checked (``search_filters`` builds it)."""

    category: str | None = None
    region: str | None = None
    max_moq: int | None = None
    level: str | None = None
    origin: str | None = None
    merchant_ids: tuple[int, ...] | None = None


def search_filters(
    *,
    category: str | None = None,
    region: str | None = None,
    max_moq: int | None = None,
    level: str | None = None,
    origin: str | None = None,
    merchant_ids: Sequence[int] | None = None,
) -> SearchFilters:
    """The filters checked: an unknown category, a region that is not an Italian region
    code, an MOQ below 1, a level other than licence/audit or an origin that is not an ISO
    country code each raise an ``InvalidInput`` (422) saying what is allowed."""
    if category and not category_exists(slug=category):
        raise UnknownCategory(f"category {category}", slug=category)
    if region and not region_name(region):
        raise BadSearchFilter(
            f"region {region}",
            field="region",
            allowed=_("an Italian region code, e.g. IT-25 (Lombardia)"),
        )
    if max_moq is not None and not 1 <= int(max_moq) <= 100_000_000:
        raise BadSearchFilter(
            f"max_moq {max_moq}", field="max_moq", allowed=_("a number of units from 1")
        )
    if level and level not in LEVELS[1:]:
        raise not_one_of("level", LEVELS[1:])
    if origin and not (len(origin) == 2 and origin.isupper() and is_country(origin)):
        raise BadSearchFilter(
            f"origin {origin}",
            field="origin",
            allowed=_("a country code (ISO 3166-1 alpha-2), e.g. IT"),
        )
    ids = None
    if merchant_ids is not None:
        ids = tuple(sorted({int(i) for i in merchant_ids}))
    return SearchFilters(
        category=category or None,
        region=region or None,
        max_moq=int(max_moq) if max_moq is not None else None,
        level=level or None,
        origin=origin or None,
        merchant_ids=ids,
    )


@dataclass(frozen=True, slots=True)
class ListingHit:
    product_id: int
    name_it: str
    name_en: str
    name_zh: str
    merchant_id: int
    supplier_name: str
    level: str
    level_label: str
    moq: int
    price_from_minor: int  # per unit at the minimum order (catalog.rules' headline price)
    currency: str
    origin_country: str
    region_code: str
    region_name: str

    def name(self, language: str) -> str:
        if language.startswith("zh") and self.name_zh:
            return self.name_zh
        if language.startswith("it") and self.name_it:
            return self.name_it
        return self.name_en or self.name_it or self.name_zh


@dataclass(frozen=True, slots=True)
class SupplierHit:
    merchant_id: int
    merchant_slug: str
    display_name: str
    level: str
    level_label: str
    region_code: str
    region_name: str
    # (slug, it, en, zh, es), most listed first
    categories: tuple[tuple[str, str, str, str, str], ...]
    listings: int  # listings for sale on the marketplace

    def category_names(self, language: str) -> list[str]:
        index = {"it": 1, "en": 2, "zh": 3, "es": 4}[language_suffix(language)]
        return [c[index] or c[2] for c in self.categories]


@dataclass(frozen=True, slots=True)
class TradeSearchPage:
    """``total`` is exact when ``total_exact``; otherwise there are more than ``total``."""

    items: list[Any]
    total: int
    limit: int
    offset: int
    currency: str
    total_exact: bool = True

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return not self.total_exact or self.offset + len(self.items) < self.total

    @property
    def previous_offset(self) -> int:
        return max(self.offset - self.limit, 0)

    @property
    def next_offset(self) -> int:
        return self.offset + self.limit


# --- SQL pieces -----------------------------------------------------------------------------


def _db_time(now: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(now)


# merchant_id -> level (1 licence, 2 audit) of the suppliers verified at ``now``; two
# placeholders: now, now
LEVELS_SQL = (
    "SELECT sp.merchant_id AS merchant_id, "
    "MAX(CASE WHEN tv.kind = 'audit' THEN 2 ELSE 1 END) AS level "
    "FROM trade_supplierprofile sp JOIN trade_supplierverification tv ON tv.profile_id = sp.id "
    "WHERE tv.checked_at <= %s AND tv.expires_at > %s GROUP BY sp.merchant_id"
)


def _product_filters(filters: SearchFilters, *, now: datetime) -> tuple[list[str], list[Any]]:
    """WHERE conditions on ``catalog_product p``. On SQLite the region and level sets are
    written ``+p.merchant_id IN (...)``: a fifth of the suppliers is a fifth of the listings, so the
    text index or the newest-first index should drive, not the merchant index (SQLite's
    planner otherwise reads every listing of those suppliers and sorts them)."""
    where: list[str] = []
    params: list[Any] = []
    plus = "+" if connection.vendor == "sqlite" else ""  # PostgreSQL plans the sets itself
    if filters.category:
        where.append(CATEGORY_TREE_SQL)
        params.append(filters.category)
    if filters.region:
        where.append(
            f"{plus}p.merchant_id IN (SELECT rm.id FROM merchants_merchant rm "
            "WHERE rm.region_code = %s)"
        )
        params.append(filters.region)
    if filters.origin:
        where.append("p.origin_country = %s")
        params.append(filters.origin)
    if filters.merchant_ids is not None:  # one parameter, whatever the number of ids
        where.append(merchant_set_sql("p"))
        params.append(merchant_set_param(filters.merchant_ids))
    if filters.level:
        where.append(
            f"{plus}p.merchant_id IN (SELECT lv.merchant_id FROM ({LEVELS_SQL}) lv "
            "WHERE lv.level >= %s)"
        )
        params.extend([_db_time(now), _db_time(now), LEVEL_RANK[filters.level]])
    return where, params


def _sellable(filters: SearchFilters, marketplace_id: int, currency: str) -> tuple[str, list[Any]]:
    """The product ``p`` has a variant for sale (``catalog.rules``; within the MOQ filter).

    Probed per candidate (a correlated EXISTS: four key lookups), not computed as the set
    of every product for sale: the text index or the newest-first index drives, and with
    a million listings the set would cost more than the candidates it filters (decision
    0019)."""
    sell = rules.sellable_joins(variant="sv", product="sp2", store="ss", price="spr")
    moq = " AND sv.min_order_quantity <= %s" if filters.max_moq is not None else ""
    params: list[Any] = [marketplace_id, currency]
    if filters.max_moq is not None:
        params.append(filters.max_moq)
    # (PostgreSQL's planner turns it into a semi-join and picks probes or one hash of the
    # listings for sale from its statistics; forcing probes, OFFSET 0, measured slower at 1M)
    return (
        f"EXISTS (SELECT 1 FROM catalog_variant sv {sell} "
        f"WHERE sv.merchant_id = p.merchant_id AND sv.product_id = p.id{moq})",
        params,
    )


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _bounds(limit: int, offset: int) -> tuple[int, int]:
    return min(max(int(limit), 1), MAX_LIMIT), max(int(offset), 0)


# --- listings -------------------------------------------------------------------------------


def listing_search(
    *,
    marketplace_id: int,
    currency: str,
    q: str | None = None,
    filters: SearchFilters | None = None,
    now: datetime,
    limit: int = 20,
    offset: int = 0,
) -> TradeSearchPage:
    """The marketplace's listings (products for sale in ``currency``) matching ``q`` in
    any of it/en/zh and every filter, ranked (module docstring); ``items`` are
    ``ListingHit``. ``filters.merchant_ids`` restricts to those suppliers (a pavilion).
    One SQL statement (a second only when ``offset`` is past the end)."""
    filters = filters or SearchFilters()
    limit, offset = _bounds(limit, offset)
    match = text_match(q)
    where, where_params = _product_filters(filters, now=now)
    sellable, sellable_params = _sellable(filters, marketplace_id, currency)
    drive, drive_params = text_candidates(q)
    where = [*match.where, *([drive] if drive else []), *where, sellable]
    scored = not match.empty
    score = match.score if scored else "0"
    hits = (
        f"SELECT p.id AS id, p.merchant_id AS merchant_id, p.created_at AS created_at, "
        f"{score} AS score FROM catalog_product p "
        f"{match.join if scored else ''} "
        f"WHERE p.is_active = TRUE" + "".join(f" AND {w}" for w in where)
    )
    hits_params = [
        *(match.score_params if scored else []),
        *match.where_params,
        *drive_params,
        *where_params,
        *sellable_params,
    ]
    level_join = f"LEFT JOIN ({LEVELS_SQL}) lv ON lv.merchant_id = h.merchant_id"
    level_params = [_db_time(now), _db_time(now)]
    if scored:
        order = "{a}.score DESC, {a}.level DESC, {a}.created_at DESC, {a}.id DESC"
    else:
        order = "{a}.created_at DESC, {a}.id DESC"
    # newest first on PostgreSQL: the page and the count each walk the newest-first index
    # and stop early (inlined); otherwise the hits are computed once (materialized)
    materialized = "MATERIALIZED" if scored else "NOT MATERIALIZED"
    count_limit = max(COUNT_LIMIT, offset + limit) + 1
    with_hits = f"WITH hits AS {materialized} ({hits}) "
    counted = "SELECT COUNT(*) FROM (SELECT 1 FROM hits hc LIMIT %s) t"
    cards, join = rules.sellable_joins(store="s"), "JOIN"
    if connection.vendor == "sqlite":  # the page's few rows first, in the order written
        cards, join = cards.replace("JOIN ", "CROSS JOIN "), "CROSS JOIN"
    # the level orders the hits when ranked by relevance (computed over them); the page's
    # rows read their supplier's level one by one (newest first walks the index alone)
    if scored:
        inner = (
            f"SELECT h.id, h.created_at, h.score, COALESCE(lv.level, 0) AS level FROM hits h "
            f"{level_join} ORDER BY "
            f"{order.format(a='h').replace('h.level', 'COALESCE(lv.level, 0)')} "
            f"LIMIT %s OFFSET %s"
        )
        inner_params = [*level_params, limit, offset]
    else:
        inner = (
            f"SELECT h.id, h.created_at, h.score, 0 AS level FROM hits h "
            f"ORDER BY {order.format(a='h')} LIMIT %s OFFSET %s"
        )
        inner_params = [limit, offset]
    level_of = (
        "(SELECT MAX(CASE WHEN tv.kind = 'audit' THEN 2 ELSE 1 END) "
        "FROM trade_supplierprofile sp JOIN trade_supplierverification tv "
        "ON tv.profile_id = sp.id WHERE sp.merchant_id = p.merchant_id "
        "AND tv.checked_at <= %s AND tv.expires_at > %s)"
    )
    sql = (
        f"{with_hits}"
        f"SELECT p.id, p.name_it, p.name_en, p.name_zh, p.merchant_id, m.display_name, "
        f"m.region_code, p.origin_country, {level_of}, MIN(v.min_order_quantity), "
        f"MIN({rules.minimum_unit_price_sql(variant='v', price='pr')}), ({counted}) "
        f"FROM ({inner}) pg "
        f"{join} catalog_variant v ON v.product_id = pg.id {cards} "
        f"{join} merchants_merchant m ON m.id = p.merchant_id "
        f"GROUP BY pg.id, pg.created_at, pg.score, pg.level, p.id, p.name_it, p.name_en, "
        f"p.name_zh, p.merchant_id, m.display_name, m.region_code, p.origin_country "
        f"ORDER BY {order.format(a='pg')}"
    )
    rows = _fetch(
        sql,
        [
            *hits_params,
            *level_params,
            count_limit,
            *inner_params,
            marketplace_id,
            currency,
        ],
    )
    if rows:
        total = int(rows[0][11])
    elif offset:
        total = int(_fetch(with_hits + counted, [*hits_params, count_limit])[0][0])
    else:
        total = 0
    names = {v: k for k, v in LEVEL_RANK.items()}
    items = []
    for r in rows:
        level = names[int(r[8] or 0)]
        items.append(
            ListingHit(
                product_id=int(r[0]),
                name_it=r[1],
                name_en=r[2],
                name_zh=r[3],
                merchant_id=int(r[4]),
                supplier_name=r[5],
                level=level,
                level_label=str(LEVEL_LABELS[level]),
                moq=int(r[9]),
                price_from_minor=int(r[10]),
                currency=currency,
                origin_country=r[7] or "",
                region_code=r[6] or "",
                region_name=region_name(r[6] or ""),
            )
        )
    exact = total < count_limit
    return TradeSearchPage(
        items=items,
        total=total if exact else count_limit - 1,
        limit=limit,
        offset=offset,
        currency=currency,
        total_exact=exact,
    )


# --- suppliers ------------------------------------------------------------------------------


def supplier_search_document(
    *, merchant_id: int, capabilities_it: str, capabilities_en: str, capabilities_zh: str
) -> str:
    """The supplier's search document: its display name and capabilities, normalized."""
    name = merchant_get(merchant_id=merchant_id).display_name
    return search_document([name, capabilities_it, capabilities_en, capabilities_zh])


def supplier_search(
    *,
    marketplace_id: int,
    currency: str,
    q: str | None = None,
    filters: SearchFilters | None = None,
    now: datetime,
    limit: int = 20,
    offset: int = 0,
) -> TradeSearchPage:
    """Merchants with a supplier profile and an active store on the marketplace that match
    ``q`` (in their name or capabilities, or through a listing that matches) and every
    filter (category, MOQ, origin: at least one listing for sale that satisfies them),
    ranked (module docstring); ``items`` are ``SupplierHit``. Two SQL statements."""
    filters = filters or SearchFilters()
    limit, offset = _bounds(limit, offset)
    match = text_match(q)
    where, where_params = _product_filters(filters, now=now)
    sellable, sellable_params = _sellable(filters, marketplace_id, currency)
    listing_filters = bool(filters.category or filters.origin or filters.max_moq is not None)
    drive, drive_params = text_candidates(q)
    # the merchants with a listing satisfying the listing filters and the text
    matching = (
        f"SELECT p.merchant_id AS merchant_id, COUNT(*) AS n FROM catalog_product p "
        f"{match.join} "
        f"WHERE p.is_active = TRUE"
        + "".join(
            f" AND {w}" for w in [*match.where, *([drive] if drive else []), *where, sellable]
        )
        + " GROUP BY p.merchant_id"
    )
    matching_params = [*match.where_params, *drive_params, *where_params, *sellable_params]
    terms = search_terms(q)
    doc = "(' ' || COALESCE(sp.search_document, '') || ' ')"
    doc_where = "(" + (" AND ".join(f"{doc} LIKE %s" for _t in terms) or "1 = 1") + ")"
    doc_params = [f"% {t}%" if prefix else f"% {t} %" for t, prefix in terms]
    score, score_params = "0", list[str]()
    conditions = ["st.marketplace_id = %s", "st.is_active = TRUE"]
    condition_params: list[Any] = []
    condition_params.append(marketplace_id)
    if terms:  # its own document matches (with a listing for the listing filters) or a listing
        score = (
            f"((CASE WHEN {doc_where} THEN 4 ELSE 0 END) "
            "+ (CASE WHEN mt.n IS NULL THEN 0 ELSE 2 END))"
        )
        score_params = doc_params
        own = f"({doc_where} AND mt.n IS NOT NULL)" if listing_filters else doc_where
        conditions.append(f"({own} OR mt.n IS NOT NULL)")
        condition_params.extend(doc_params)
        join_matching = f"LEFT JOIN ({matching}) mt ON mt.merchant_id = sp.merchant_id"
    elif listing_filters:
        join_matching = f"JOIN ({matching}) mt ON mt.merchant_id = sp.merchant_id"
    else:  # browse: no listing to count (the page's suppliers get their counts after)
        join_matching, matching_params = (
            "LEFT JOIN (SELECT 0 AS merchant_id, 0 AS n) mt ON 1 = 0",
            [],
        )
    if filters.region:
        conditions.append("m.region_code = %s")
        condition_params.append(filters.region)
    if filters.merchant_ids is not None:
        conditions.append(merchant_set_sql("sp"))
        condition_params.append(merchant_set_param(filters.merchant_ids))
    if filters.level:
        conditions.append("COALESCE(lv.level, 0) >= %s")
        condition_params.append(LEVEL_RANK[filters.level])
    found = (
        f"WITH found AS MATERIALIZED (SELECT sp.merchant_id AS merchant_id, m.slug AS slug, "
        f"m.display_name AS display_name, m.region_code AS region_code, "
        f"COALESCE(lv.level, 0) AS level, COALESCE(mt.n, 0) AS matched, {score} AS score "
        f"FROM trade_supplierprofile sp JOIN merchants_merchant m ON m.id = sp.merchant_id "
        f"JOIN merchants_store st ON st.merchant_id = sp.merchant_id "
        f"LEFT JOIN ({LEVELS_SQL}) lv ON lv.merchant_id = sp.merchant_id "
        f"{join_matching} WHERE {' AND '.join(conditions)}) "
    )
    found_params = [
        *score_params,
        _db_time(now),
        _db_time(now),
        *matching_params,
        *condition_params,
    ]
    order = "score DESC, level DESC, matched DESC, display_name ASC, merchant_id ASC"
    count_limit = max(COUNT_LIMIT, offset + limit) + 1
    counted = "SELECT COUNT(*) FROM (SELECT 1 FROM found fc LIMIT %s) t"
    rows = _fetch(
        f"{found}SELECT merchant_id, slug, display_name, region_code, level, ({counted}) "
        f"FROM found ORDER BY {order} LIMIT %s OFFSET %s",
        [*found_params, count_limit, limit, offset],
    )
    if rows:
        total = int(rows[0][5])
    elif offset:
        total = int(_fetch(found + counted, [*found_params, count_limit])[0][0])
    else:
        total = 0
    ids = [int(r[0]) for r in rows]
    stats = _supplier_stats(ids, marketplace_id=marketplace_id, currency=currency)
    names = {v: k for k, v in LEVEL_RANK.items()}
    items = []
    for r in rows:
        level = names[int(r[4] or 0)]
        listings, categories = stats.get(int(r[0]), (0, ()))
        items.append(
            SupplierHit(
                merchant_id=int(r[0]),
                merchant_slug=r[1],
                display_name=r[2],
                level=level,
                level_label=str(LEVEL_LABELS[level]),
                region_code=r[3] or "",
                region_name=region_name(r[3] or ""),
                categories=categories,
                listings=listings,
            )
        )
    exact = total < count_limit
    return TradeSearchPage(
        items=items,
        total=total if exact else count_limit - 1,
        limit=limit,
        offset=offset,
        currency=currency,
        total_exact=exact,
    )


def _supplier_stats(
    merchant_ids: list[int], *, marketplace_id: int, currency: str
) -> dict[int, tuple[int, tuple[tuple[str, str, str, str, str], ...]]]:
    """Per merchant of the page: its listings for sale and its three main categories."""
    if not merchant_ids:
        return {}
    marks = ", ".join(["%s"] * len(merchant_ids))
    sellable, sellable_params = _sellable(SearchFilters(), marketplace_id, currency)
    rows = _fetch(
        f"SELECT p.merchant_id, c.slug, c.name_it, c.name_en, c.name_zh, c.name_es, COUNT(*) "
        f"FROM catalog_product p LEFT JOIN catalog_category c ON c.id = p.category_id "
        f"WHERE p.merchant_id IN ({marks}) AND p.is_active = TRUE AND {sellable} "
        f"GROUP BY p.merchant_id, c.slug, c.name_it, c.name_en, c.name_zh, c.name_es",
        [*merchant_ids, *sellable_params],
    )
    out: dict[int, tuple[int, list[tuple[int, tuple[str, str, str, str, str]]]]] = {}
    for merchant_id, slug, it, en, zh, es, n in rows:
        total, cats = out.setdefault(int(merchant_id), (0, []))
        if slug:
            cats.append((int(n), (slug, it or "", en or "", zh or "", es or "")))
        out[int(merchant_id)] = (total + int(n), cats)
    return {
        m: (total, tuple(c for _n, c in sorted(cats, key=lambda x: (-x[0], x[1][0]))[:3]))
        for m, (total, cats) in out.items()
    }


# --- one entry for the API and the page -----------------------------------------------------

KINDS = ("listings", "suppliers")


def trade_market(*, slug: str | None = None) -> MarketplaceInfo:
    """The active B2B trade marketplace ``slug`` (404 for another kind), or the first."""
    if not slug:
        return trade_marketplace()
    found = marketplace_get(slug=slug)
    if found.kind != "b2b_trade" or not found.is_active:
        raise MarketplaceNotFound(f"{slug} is not an active b2b_trade marketplace")
    return found


def trade_search(
    *,
    kind: str,
    marketplace_slug: str | None = None,
    q: str | None = None,
    category: str | None = None,
    region: str | None = None,
    max_moq: int | None = None,
    level: str | None = None,
    origin: str | None = None,
    merchant_ids: Sequence[int] | None = None,
    now: datetime,
    limit: int = 20,
    offset: int = 0,
) -> TradeSearchPage:
    """``listing_search`` (kind "listings") or ``supplier_search`` ("suppliers") on the
    trade marketplace ``marketplace_slug`` (the first one without it), in its default
    currency, with the filters checked by ``search_filters``."""
    if kind not in KINDS:
        raise not_one_of("kind", KINDS)
    market = trade_market(slug=marketplace_slug)
    filters = search_filters(
        category=category,
        region=region,
        max_moq=max_moq,
        level=level,
        origin=origin,
        merchant_ids=merchant_ids,
    )
    run = listing_search if kind == "listings" else supplier_search
    return run(
        marketplace_id=market.id,
        currency=market.default_currency,
        q=q,
        filters=filters,
        now=now,
        limit=limit,
        offset=offset,
    )
