"""Demo festivals: last year's and this year's 11.11 with a day of orders each, and a
festival running now with approved merchants, festival prices and flash sales.

Two steps, called from ``fiera.demo.build``:

- ``draft_festival_orders`` (during the order history): when, where, by whom and from
  which merchant country the festival orders are placed; the history's own drafting
  writes them (stock, CBEC limits and the order state machine as for every other demo
  order). This year's 11.11 has more orders than last year's, and a peak in the first
  minutes after midnight (Asia/Shanghai). The 11.11s sell on the Chinese and the
  Southeast Asian marketplaces to buyers of all their countries, from merchants of 14
  countries (``fiera.demo.abroad``) in proportions by GMV (``ELEVEN_ELEVEN_SHARES``), so
  the ranking by merchant country has Italy in its top ten, not alone at the top.
- ``build_festivals`` (after the stock and the FX rates exist): the festivals, the running
  festival's participations, prices and flash sales through ``fiera.festivals.services``
  (actor SYSTEM), then ``festival_retally`` of each, so the rankings, growth and live pages
  show the orders.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from fiera.accounts.roles import SYSTEM
from fiera.festivals import services as festivals
from fiera.festivals.models import Festival
from fiera.festivals.tallies import festival_retally

if TYPE_CHECKING:
    from fiera.demo.build import DemoMerchant

T = TypeVar("T")

SHANGHAI = ZoneInfo("Asia/Shanghai")
# China's cross-border and domestic B2C marketplaces and the Southeast Asian one (its VND
# orders convert with the demo's VND rates, fiera.demo.fxrates: the ECB publishes none).
FESTIVAL_MARKETPLACES = ("crossborder-cn", "flagship-cn", "sea")
# Each 11.11's share of the festival orders by merchant country (fiera.demo.abroad): Japan,
# Korea and the infant formula and wine countries lead, as on China's cross-border
# platforms; Italy grows from the bottom half of the top ten to its middle.
ELEVEN_ELEVEN_SHARES: dict[str, dict[str, float]] = {
    "last": {
        "JP": 17, "KR": 15, "US": 12, "AU": 11, "FR": 9, "DE": 7, "NL": 7, "NZ": 6,
        "IT": 4.5, "CH": 4, "GB": 4, "ES": 2, "GR": 1, "PT": 1,
    },
    "this": {
        "JP": 15, "KR": 13, "US": 10, "AU": 10, "FR": 9, "IT": 8.5, "DE": 6, "NL": 6,
        "NZ": 5, "CH": 4, "GB": 4, "ES": 3, "GR": 2, "PT": 2,
    },
}  # fmt: skip
# What festival buyers put in a basket: no line dearer than this (a dining table or a gold
# necklace sells on other days), so one order does not make a country's ranking.
FESTIVAL_MAX_UNIT_EUR_CENTS = 25_000
RUNNING_SLUG = "italia-week"
# (marketplace, currency, merchants taking part, flash sales) of the festival running now:
# China's cross-border marketplace in CNY, and Singapore's shoppers on "sea" in SGD
RUNNING_OFFERS: tuple[tuple[str, str, int, int], ...] = (
    ("crossborder-cn", "CNY", 10, 8),
    ("sea", "SGD", 3, 3),
)
FLASH_QUANTITIES = (20, 30, 40, 50, 80, 100, 150, 200)


def double_eleven(now: datetime) -> tuple[datetime, datetime]:
    """Starts (UTC) of the last 11.11 (Asia/Shanghai) that ended before ``now``, and of
    the one a year before it."""
    local = now.astimezone(SHANGHAI)
    start = datetime(local.year, 11, 11, tzinfo=SHANGHAI)
    if start + timedelta(days=1) > now:
        start = start.replace(year=start.year - 1)
    return start, start.replace(year=start.year - 1)


def slug_of(start: datetime) -> str:
    return f"double-11-{start.astimezone(SHANGHAI).year}"


def running_window(now: datetime) -> tuple[datetime, datetime, datetime]:
    """(warm-up, start, end) of the festival running at ``now``."""
    starts = (now - timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    return starts - timedelta(days=1), starts, starts + timedelta(days=4)


def _day_offset(rng: random.Random, peak_share: float) -> timedelta:
    """When in a festival day an order is placed: ``peak_share`` of them in the first
    minutes after midnight, the rest over the day with an evening rise."""
    if rng.random() < peak_share:
        return timedelta(seconds=min(rng.expovariate(1 / 180), 3_599))
    weights = [3, 2, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5] + [6] * 8 + [8] * 4
    hour = rng.choices(range(24), weights=weights)[0]
    return timedelta(hours=hour, seconds=rng.randint(0, 3_599))


class CountryMix:
    """Draws the merchant country of a festival's next order so that each country's GMV
    follows its share: the country furthest below its share of the GMV so far (ties drawn).
    Orders already drafted in the window count too (``add``)."""

    def __init__(self, shares: Mapping[str, float]) -> None:
        self.shares = dict(shares)
        self.gmv: dict[str, int] = dict.fromkeys(shares, 0)

    def add(self, country: str, eur_cents: int) -> None:
        self.gmv[country] = self.gmv.get(country, 0) + eur_cents

    def pick(self, rng: random.Random, available: Collection[str]) -> str | None:
        options = sorted(c for c in available if c in self.shares)
        if not options:
            return None
        total = sum(self.gmv.values()) + 1
        weight = sum(self.shares[c] for c in options)
        return max(
            options,
            key=lambda c: (self.shares[c] * total / weight - self.gmv.get(c, 0), rng.random()),
        )


def edition_windows(now: datetime) -> dict[str, tuple[datetime, datetime]]:
    """[start, end) of last year's 11.11, this year's and the festival running now."""
    this_year, last_year = double_eleven(now)
    _warmup, running_start, running_end = running_window(now)
    return {
        "last": (last_year, last_year + timedelta(days=1) - timedelta(seconds=1)),
        "this": (this_year, this_year + timedelta(days=1) - timedelta(seconds=1)),
        "running": (running_start, running_end),
    }


def _shuffled(rng: random.Random, items: Sequence[T], total: int) -> list[T | None]:
    """``total`` slots: each of ``items`` once (shuffled), then ``None`` (draw freely)."""
    first: list[T | None] = list(items)
    rng.shuffle(first)
    return (first + [None] * total)[:total]


def draft_festival_orders(
    rng: random.Random,
    now: datetime,
    buyers: Sequence[T],
    markets_for: Callable[[T], tuple[list[str], list[int]]],
    scale: int,
    *,
    country_of: Callable[[T], str],
    sellers: Mapping[str, Collection[str]],
    drafted: Iterable[tuple[datetime, str, str, int]],
    draft: Callable[[T, str, datetime, str, bool], list[tuple[str, int]]],
) -> int:
    """Draft the festival orders; returns how many orders were made.

    About ``scale // 3`` checkouts on last year's 11.11, ``scale // 2`` on this year's and
    a few in the festival running now (``scale`` is the history's order target), at times
    drawn by ``_day_offset`` (a peak after midnight, Asia/Shanghai).

    ``sellers``: the merchant countries selling on each marketplace. ``drafted``: (placed
    at, marketplace slug, merchant country, EUR cents) of the orders drafted already (they
    count for their festival). ``draft(buyer, slug, placed_at, merchant country, simple)``
    drafts one checkout from merchants of that country (one line when ``simple``) and
    returns (merchant country, EUR cents) of the orders it made (none when nothing fitted:
    stock, the CBEC allowance); it is tried again with one line, then by two other buyers
    of the same country. On the 11.11s the merchant country follows ``ELEVEN_ELEVEN_SHARES``
    by GMV (``CountryMix``), every country selling there and every buyer country at least
    once; the running Italia Week sells Italian goods to buyers of every country.
    """
    windows = edition_windows(now)
    mixes = {
        "last": CountryMix(ELEVEN_ELEVEN_SHARES["last"]),
        "this": CountryMix(ELEVEN_ELEVEN_SHARES["this"]),
        "running": CountryMix({"IT": 1}),
    }
    for placed_at, slug, country, eur_cents in drafted:
        for edition, (start, end) in windows.items():
            if slug in FESTIVAL_MARKETPLACES and start <= placed_at < end:
                mixes[edition].add(country, eur_cents)
    eligible: list[tuple[T, list[str], list[int]]] = []
    for buyer in buyers:
        slugs, weights = markets_for(buyer)
        kept = [(s, w) for s, w in zip(slugs, weights, strict=True) if s in FESTIVAL_MARKETPLACES]
        if kept:
            eligible.append((buyer, [s for s, _ in kept], [w for _, w in kept]))
    if not eligible:
        return 0
    by_country: dict[str, list[tuple[T, list[str], list[int]]]] = {}
    for entry in eligible:
        by_country.setdefault(country_of(entry[0]), []).append(entry)
    made = 0

    def one(edition: str, at: datetime, buyer_country: str | None, seller: str | None) -> None:
        nonlocal made
        mix = mixes[edition]
        fits = by_country[buyer_country] if buyer_country is not None else eligible
        if seller is not None:  # a buyer on a marketplace where the seller's country sells
            fits = [e for e in fits if any(seller in sellers.get(s, ()) for s in e[1])] or [
                e for e in eligible if any(seller in sellers.get(s, ()) for s in e[1])
            ]
        if not fits:
            return
        buyer, slugs, weights = rng.choice(fits)
        slug = rng.choices(slugs, weights=weights)[0]
        if seller is not None and seller not in sellers.get(slug, ()):
            slug = next(s for s in slugs if seller in sellers.get(s, ()))
        country = seller or mix.pick(rng, sellers.get(slug, ()))
        if country is None:
            return
        peers = [e[0] for e in by_country[country_of(buyer)] if slug in e[1]]
        for retry in range(4):
            who = buyer if retry < 2 else rng.choice(peers)
            orders = draft(who, slug, at, country, retry > 0)
            if orders:
                for seller_country, eur_cents in orders:
                    mix.add(seller_country, eur_cents)
                made += len(orders)
                return

    def edition_orders(edition: str, count: int, at: Callable[[], datetime]) -> None:
        countries = sorted({c for s in FESTIVAL_MARKETPLACES for c in sellers.get(s, ())})
        countries = [c for c in countries if c in mixes[edition].shares]
        for buyer_country, seller in zip(
            _shuffled(rng, sorted(by_country), count),
            _shuffled(rng, countries, count),
            strict=True,
        ):
            one(edition, at(), buyer_country, seller)

    this_year, last_year = double_eleven(now)
    running_start = windows["running"][0]
    edition_orders("last", max(90, scale // 3), lambda: last_year + _day_offset(rng, 0.10))
    edition_orders("this", max(140, scale // 2), lambda: this_year + _day_offset(rng, 0.18))
    span = max((now - timedelta(minutes=10) - running_start).total_seconds(), 1)
    edition_orders(
        "running",
        max(14, scale // 100),
        lambda: running_start + timedelta(seconds=rng.uniform(0, span)),
    )
    return made


def build_festivals(
    *, now: datetime, seed: int, merchants: Sequence[DemoMerchant]
) -> tuple[str, dict[str, Any]]:
    """The three festivals, the running one's participations, prices and flash sales, and
    their tallies. Returns the summary line and what was made (for tests and notes)."""
    rng = random.Random(seed * 1_111)
    this_year, last_year = double_eleven(now)
    made: dict[str, Any] = {"slugs": [], "participants": 0, "prices": 0, "flash_sales": 0}
    # kept from an earlier run (``fiera demo --keep``): only their tallies are rebuilt
    existing = set(Festival.objects.values_list("slug", flat=True))
    previous: str | None = None
    for start in (last_year, this_year):
        year = start.astimezone(SHANGHAI).year
        if slug_of(start) in existing:
            previous = slug_of(start)
            made["slugs"].append(previous)
            continue
        festival = festivals.festival_create(
            actor_id=None,
            actor_role=SYSTEM,
            slug=slug_of(start),
            name=f"11.11 Singles' Day {year}",
            name_it=f"11.11 Festa dei single {year}",
            name_zh=f"{year} 双十一",
            description=(
                "China's biggest shopping day: Italian brands and makers from 13 more "
                "countries at festival prices, in China and Southeast Asia."
            ),
            description_it=(
                "Il più grande giorno di shopping in Cina: marchi italiani e aziende di altri "
                "13 paesi a prezzi di festa, in Cina e nel Sud-est asiatico."
            ),
            description_zh="中国最大的购物节：意大利品牌与来自另外13个国家的商家，在中国和东南亚同享节日价。",  # noqa: RUF001
            name_es=f"11.11 Día del Soltero {year}",
            description_es=(
                "El mayor día de compras de China: marcas italianas y empresas de otros 13 "
                "países a precios de fiesta, en China y el Sudeste Asiático."
            ),
            marketplace_slugs=FESTIVAL_MARKETPLACES,
            warmup_starts_at=start - timedelta(days=10),
            starts_at=start,
            ends_at=start + timedelta(days=1) - timedelta(seconds=1),
            baseline_festival_slug=previous,
            is_published=True,
            now=start - timedelta(days=30),
        )
        previous = festival.slug
        made["slugs"].append(festival.slug)
    warmup, starts, ends = running_window(now)
    if RUNNING_SLUG in existing:
        made["slugs"].append(RUNNING_SLUG)
    else:
        _create_running(rng, now, warmup, starts, ends, merchants, made)
    counted = 0
    for slug in made["slugs"]:
        report = festival_retally(
            festival_id=Festival.objects.get(slug=slug).pk, now=now, actor_role=SYSTEM
        )
        counted += report.orders_counted
    made["orders_counted"] = counted
    line = (
        f"festivals      {', '.join(made['slugs'])} ({counted} orders tallied); "
        f"{RUNNING_SLUG} runs now: {made['participants']} merchants, "
        f"{made['prices']} festival prices, {made['flash_sales']} flash sales"
    )
    return line, made


def _create_running(
    rng: random.Random,
    now: datetime,
    warmup: datetime,
    starts: datetime,
    ends: datetime,
    merchants: Sequence[DemoMerchant],
    made: dict[str, Any],
) -> None:
    festivals.festival_create(
        actor_id=None,
        actor_role=SYSTEM,
        slug=RUNNING_SLUG,
        name="Italia Week",
        name_it="Settimana Italia",
        name_zh="意大利周",
        description="Four days of Italian brands: festival prices and flash sales.",
        description_it="Quattro giorni di marchi italiani: prezzi speciali e vendite lampo.",
        description_zh="意大利品牌四天特惠，节日价与限时秒杀。",  # noqa: RUF001
        name_es="Semana Italia",
        description_es="Cuatro días de marcas italianas: precios de fiesta y ofertas relámpago.",
        marketplace_slugs=FESTIVAL_MARKETPLACES,
        warmup_starts_at=warmup,
        starts_at=starts,
        ends_at=ends,
        is_published=True,
        now=warmup - timedelta(days=7),
    )
    made["slugs"].append(RUNNING_SLUG)
    joined: set[int] = set()
    for market, currency, n_merchants, n_sales in RUNNING_OFFERS:
        offers = _running_offers(
            rng, now, starts, ends, merchants, (market, currency, n_merchants, n_sales), joined
        )
        for key, value in offers.items():
            made[key] += value


def _running_offers(
    rng: random.Random,
    now: datetime,
    starts: datetime,
    ends: datetime,
    merchants: Sequence[DemoMerchant],
    offer: tuple[str, str, int, int],
    joined: set[int],
) -> dict[str, int]:
    """On one marketplace and currency (``RUNNING_OFFERS``): approved participations of the
    most popular Italian merchants selling there (each merchant applies once: ``joined``),
    festival prices on some of their variants (80 % of list) and the flash sales (60 %)."""
    market, currency, n_merchants, n_sales = offer
    pool = [
        m
        for m in merchants
        if market in m.marketplaces and m.variants and m.country == "IT" and m.id not in joined
    ]
    pool.sort(key=lambda m: (-m.popularity, m.id))
    chosen = pool[:n_merchants]
    prices = 0
    candidates: list[tuple[DemoMerchant, Any, int]] = []
    for merchant in chosen:
        joined.add(merchant.id)
        participation = festivals.participation_apply(
            actor_id=None,
            actor_role=SYSTEM,
            festival_slug=RUNNING_SLUG,
            merchant_id=merchant.id,
            pitch="Our bestsellers at festival prices.",
            now=starts - timedelta(days=5),
        )
        festivals.participation_decide(
            actor_id=None,
            actor_role=SYSTEM,
            festival_slug=RUNNING_SLUG,
            participation_id=participation.pk,
            approve=True,
            note="Welcome to Italia Week.",
            now=starts - timedelta(days=4),
        )
        offered = [v for v in merchant.variants if v.prices.get((market, currency))]
        for variant in rng.sample(offered, k=min(len(offered), 3)):
            list_minor = variant.prices[(market, currency)][0][1]
            if list_minor < 10:
                continue
            festivals.festival_price_set(
                actor_id=None,
                actor_role=SYSTEM,
                festival_slug=RUNNING_SLUG,
                merchant_id=merchant.id,
                variant_id=variant.id,
                currency=currency,
                price_minor=list_minor * 80 // 100,
                now=now,
            )
            prices += 1
        candidates.extend(
            (merchant, v, v.prices[(market, currency)][0][1])
            for v in offered
            if v.units >= FLASH_QUANTITIES[0] and v.prices[(market, currency)][0][1] >= 10
        )
    flash = 0
    rng.shuffle(candidates)
    used: set[int] = set()
    for merchant, variant, list_minor in candidates:
        if flash >= n_sales:
            break
        if variant.id in used:
            continue
        used.add(variant.id)
        quantity = min(FLASH_QUANTITIES[flash % len(FLASH_QUANTITIES)], variant.units)
        # half have started with the festival; the others start later today, two hours apart
        if flash % 2 == 0:
            sale_starts = starts
        else:
            sale_starts = now.replace(minute=0, second=0, microsecond=0) + timedelta(
                hours=1 + flash
            )
        festivals.flash_sale_create(
            actor_id=None,
            actor_role=SYSTEM,
            festival_slug=RUNNING_SLUG,
            merchant_id=merchant.id,
            variant_id=variant.id,
            warehouse_id=merchant.warehouse_id,
            currency=currency,
            price_minor=max(1, list_minor * 60 // 100),
            quantity=quantity,
            per_buyer_limit=2,
            bucket_count=8,
            starts_at=sale_starts,
            # those running since the start last the festival; the later ones six hours
            ends_at=ends if sale_starts == starts else min(sale_starts + timedelta(hours=6), ends),
            now=now,
        )
        variant.units -= quantity
        flash += 1
    return {"participants": len(chosen), "prices": prices, "flash_sales": flash}
