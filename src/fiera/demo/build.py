"""The demo world: four marketplaces, Italian merchants from all 20 regions, their
catalog in Italian, English and Chinese, buyers from many countries and a year of orders.

``build_demo`` is what ``fiera demo`` runs (after migrating). It is a loader, not domain
logic: it sits outside the app layers, writes most rows with ``bulk_create`` and reuses
the domain's checks where they matter (``marketplace_create`` for the marketplaces,
``check_vat_number`` / ``check_location`` / ``check_ateco_code`` for every merchant,
``cross_border_rates_load`` and the CBEC tax arithmetic of ``fiera.orders.pricing`` for
cross-border orders). Everything runs in ONE transaction: a failure leaves nothing behind.

Repeatable: the same ``seed`` and ``merchants`` give the same world (names, VAT numbers,
products, prices, orders); only timestamps move with ``now``.

Invariants the demo keeps (tests/demo checks them): every VAT number has a valid check
digit; every store's variants have a positive price in each currency of its marketplace;
order totals are the sum of their lines (plus CBEC tax); stock levels are the initial
stock minus the units of every order that still holds goods, never below zero; order
states and timestamps follow the orders state machine (placed -> shipped -> delivered
-> refunded for cash on delivery, cancelled before shipping).
"""

from __future__ import annotations

import random
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from stdnum import luhn
from tqdm import tqdm

from fiera.accounts.models import BuyerKind, Role, User
from fiera.accounts.roles import SYSTEM
from fiera.catalog.models import Category, Price, Product, StockLevel, Variant, Warehouse
from fiera.common.reference import Municipality, italian_region, municipalities_in_region
from fiera.demo import vocabulary as vocab
from fiera.demo.abroad import build_abroad
from fiera.demo.academy import build_academy
from fiera.demo.academy_alumni import build_academy_alumni
from fiera.demo.academy_certificates import build_academy_certificates
from fiera.demo.academy_exams import build_academy_exams
from fiera.demo.analytics import build_analytics
from fiera.demo.assurance import build_assurance
from fiera.demo.documents import build_documents
from fiera.demo.festivals import (
    FESTIVAL_MAX_UNIT_EUR_CENTS,
    build_festivals,
    double_eleven,
    draft_festival_orders,
)
from fiera.demo.fxrates import demo_fx_rates_load
from fiera.demo.history import HISTORY_DAYS, build_payment_history
from fiera.demo.listing import build_listing
from fiera.demo.media import build_media
from fiera.demo.outlets import build_outlets
from fiera.demo.partners import build_partners
from fiera.demo.pavilions import build_pavilions, reset_pavilions
from fiera.demo.paylater import build_pay_later
from fiera.demo.prices import convert_eur, eur_cents, percent_of
from fiera.demo.rfqs import build_rfqs
from fiera.demo.trade import build_trade
from fiera.demo.trade_search import build_trade_search
from fiera.demo.wallets import build_wallets
from fiera.marketplaces.models import Marketplace
from fiera.marketplaces.services import marketplace_create
from fiera.merchants.models import (
    CompanySize,
    Merchant,
    Sector,
    StaffMembership,
    StaffRole,
    Store,
    VerificationLevel,
)
from fiera.merchants.services import check_ateco_code, check_location, check_vat_number
from fiera.orders.models import (
    Checkout,
    CrossBorderAllowance,
    Order,
    OrderLine,
    OrderStatus,
    Refund,
    Shipment,
)
from fiera.orders.payment import payment_methods
from fiera.orders.pricing import RegimeRates, cbec_line_tax_minor, cross_border_regime_for
from fiera.orders.services import cross_border_rates_load
from fiera.payments.services import fx_rates_import_bundled

DEMO_PASSWORD = "fiera-demo"  # noqa: S105 - the published password of the demo logins
# The README's "buyer" (China) keeps at least 80 % of this year's CBEC allowance free, so
# its cross-border checkouts go through; NEAR_LIMIT_BUYER shows the limit instead, with
# less than NEAR_LIMIT_LEFT_MINOR (CNY 400) of it left.
BUYER_ALLOWANCE_USED_PERCENT = 20
NEAR_LIMIT_BUYER = "buyer-cbec"
NEAR_LIMIT_LEFT_MINOR = 40_000
OPERATOR_BUSINESS_UNIT = "ICE Digital"
HISTORY_WALLET_CHECKOUTS = 9  # by the README's buyers on the payment history's days

T = TypeVar("T")


# --- the four marketplaces ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MarketplaceSpec:
    slug: str
    name: str  # English; name_it / name_zh / name_es below
    name_it: str
    name_zh: str
    name_es: str
    kind: str
    default_currency: str
    languages: tuple[str, ...]
    default_language: str
    countries: dict[str, str]  # empty = worldwide
    price_percent: int  # of the EUR list price (domestic China includes duties and VAT)
    store_weight: int  # how many merchants open a store there
    tiers: tuple[tuple[int, int], ...] = ((1, 100),)  # (min quantity, percent of list)


MARKETPLACES: tuple[MarketplaceSpec, ...] = (
    MarketplaceSpec(
        slug="flagship-cn",
        name="Italia Flagship China",
        name_it="Italia Flagship Cina",
        name_zh="意大利官方旗舰商城",
        name_es="Italia Flagship China",
        kind="b2c_domestic",
        default_currency="CNY",
        languages=("zh-hans", "en", "it"),
        default_language="zh-hans",
        countries={"CN": "CNY"},
        price_percent=112,
        store_weight=15,
    ),
    MarketplaceSpec(
        slug="crossborder-cn",
        name="Italia Cross-Border China",
        name_it="Italia Transfrontaliero Cina",
        name_zh="意大利跨境商城",
        name_es="Italia Transfronterizo China",
        kind="b2c_cross_border",
        default_currency="CNY",
        languages=("zh-hans", "en", "it"),
        default_language="zh-hans",
        countries={"CN": "CNY"},
        price_percent=100,
        store_weight=35,
    ),
    MarketplaceSpec(
        slug="trade",
        name="Italia Trade",
        name_it="Italia Ingrosso",
        name_zh="意大利批发商城",
        name_es="Italia Mayorista",
        kind="b2b_trade",
        default_currency="USD",
        languages=("en", "it", "zh-hans", "es"),
        default_language="en",
        countries={},
        price_percent=60,  # wholesale
        store_weight=30,
        tiers=((1, 100), (10, 92), (50, 85), (100, 80)),
    ),
    MarketplaceSpec(
        slug="sea",
        name="Italia Southeast Asia",
        name_it="Italia Sud-est asiatico",
        name_zh="意大利东南亚商城",
        name_es="Italia Sudeste Asiático",
        kind="regional",
        default_currency="SGD",
        languages=("en", "zh-hans"),
        default_language="en",
        countries={"ID": "IDR", "MY": "MYR", "PH": "PHP", "SG": "SGD", "TH": "THB", "VN": "VND"},
        price_percent=100,
        store_weight=20,
    ),
)
SEA_COUNTRIES = frozenset(MARKETPLACES[3].countries)
_TYPES = {t.key: t for t in vocab.PRODUCT_TYPES}
_CATEGORY_NAMES_EN = {
    slug: names.en.lower()
    for _root, (_names, children) in vocab.CATEGORY_TREE.items()
    for slug, names in children
}


# --- in-memory world ----------------------------------------------------------------------


@dataclass(slots=True)
class DemoVariant:
    id: int
    merchant_id: int
    sku: str
    label: str
    name_it: str
    name_en: str
    name_zh: str
    hs_code: str
    min_order_quantity: int
    units: int  # stock on hand, decremented as the order history is written
    prices: dict[tuple[str, str], tuple[tuple[int, int], ...]] = field(default_factory=dict)

    def unit_price(self, slug: str, currency: str, quantity: int) -> int | None:
        found: int | None = None
        for min_quantity, amount in self.prices.get((slug, currency), ()):
            if min_quantity <= quantity:
                found = amount
        return found


@dataclass(slots=True)
class DemoMerchant:
    id: int
    slug: str
    display_name: str
    profile: vocab.Profile
    product_types: tuple[str, ...]
    region_code: str
    town: str
    size: str
    marketplaces: list[str]  # slugs where it has a store
    popularity: float
    warehouse_id: int = 0
    variants: list[DemoVariant] = field(default_factory=list)
    country: str = "IT"  # ISO 3166-1 of the company (fiera.demo.abroad for the others)


@dataclass(slots=True)
class DemoBuyer:
    id: int
    username: str
    name: str
    country: str
    kind: str


@dataclass
class World:
    rng: random.Random
    now: datetime
    progress: bool | None
    marketplaces: dict[str, Marketplace] = field(default_factory=dict)
    merchants: list[DemoMerchant] = field(default_factory=list)
    buyers: list[DemoBuyer] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    owned_merchant: DemoMerchant | None = None
    timings: dict[str, float] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)


# --- helpers ------------------------------------------------------------------------------


def _bar(world: World, desc: str, total: int, unit: str) -> tqdm[Any]:
    """A progress bar on stderr; hidden when stderr is not a terminal (tests, pipes)."""
    disable = None if world.progress is None else not world.progress
    return tqdm(total=total, desc=f"{desc:<10}", unit=unit, disable=disable, leave=True)


def _bar_iter(world: World, desc: str, items: Sequence[T], unit: str) -> Iterator[T]:
    bar = _bar(world, desc, len(items), unit)
    for item in items:
        yield item
        bar.update(1)
    bar.close()


@contextmanager
def _stage(world: World, name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    world.timings[name] = time.perf_counter() - started


def _weighted(rng: random.Random, items: Sequence[T], weights: Sequence[float]) -> T:
    return rng.choices(items, weights=weights, k=1)[0]


def _weighted_sample(
    rng: random.Random, items: Sequence[T], weights: Sequence[float], k: int
) -> list[T]:
    """``k`` distinct items, each draw weighted (without replacement)."""
    pool = list(zip(items, weights, strict=True))
    chosen: list[T] = []
    while pool and len(chosen) < k:
        pick = rng.choices(range(len(pool)), weights=[w for _, w in pool], k=1)[0]
        chosen.append(pool.pop(pick)[0])
    return chosen


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _bulk(model: type[models.Model], rows: list[Any], batch_size: int = 2000) -> list[Any]:
    return model.objects.bulk_create(rows, batch_size=batch_size)  # type: ignore[attr-defined]


def _bulk_bar(
    world: World, desc: str, model: type[models.Model], rows: list[Any], batch_size: int = 2000
) -> list[Any]:
    """``bulk_create`` in batches with a progress bar over the rows written."""
    bar = _bar(world, desc, len(rows), "row")
    created: list[Any] = []
    for start in range(0, len(rows), batch_size):
        created.extend(_bulk(model, rows[start : start + batch_size], batch_size))
        bar.update(min(batch_size, len(rows) - start))
    bar.close()
    return created


# --- reset --------------------------------------------------------------------------------

# The demo owns these tables outright; every table that points into them is reset too.
_RESET_ROOTS = (
    "accounts.User",
    "marketplaces.Marketplace",
    "merchants.Merchant",
    "catalog.Category",
    "common.OutboxMessage",
    "festivals.Festival",
    "sessions.Session",
)


def _reset_models() -> list[type[models.Model]]:
    """The models to empty, referrers before the tables they point to.

    Starts from ``_RESET_ROOTS`` and adds every model (auto-created many-to-many tables
    included) with a foreign key into the set, until nothing changes. Reference tables
    nothing demo-owned points into (sectors, content types, permissions) are kept.
    """
    every = list(apps.get_models(include_auto_created=True))
    chosen: set[type[models.Model]] = {
        apps.get_model(label) for label in _RESET_ROOTS if apps.is_installed(_app_of(label))
    }
    changed = True
    while changed:
        changed = False
        for model in every:
            if model in chosen:
                continue
            if any(
                f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model in chosen
                for f in model._meta.concrete_fields
            ):
                chosen.add(model)
                changed = True
    ordered: list[type[models.Model]] = []
    remaining = sorted(chosen, key=lambda m: m._meta.label)
    while remaining:
        for model in remaining:
            referrers = [
                other
                for other in remaining
                if other is not model
                and any(
                    f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model is model
                    for f in other._meta.concrete_fields
                )
            ]
            if not referrers:
                ordered.append(model)
                remaining.remove(model)
                break
        else:  # a cycle (deferred foreign keys make the order irrelevant inside it)
            ordered.extend(remaining)
            break
    return ordered


def _app_of(label: str) -> str:
    app_label = label.split(".", 1)[0]
    return {"sessions": "django.contrib.sessions"}.get(app_label, f"fiera.{app_label}")


def demo_reset(
    progress: Callable[[list[type[models.Model]]], Iterable[type[models.Model]]] = iter,
) -> dict[str, int]:
    """Empty every demo-owned table (users, marketplaces, merchants, catalog, orders and
    what refers to them) in one go, inside the caller's transaction. Returns rows per table.
    """
    deleted: dict[str, int] = {}
    with connection.cursor() as cursor:
        for model in progress(_reset_models()):
            table = model._meta.db_table
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
            deleted[table] = max(cursor.rowcount, 0)
    return deleted


# --- stage 1: reference data --------------------------------------------------------------


def _stage_reference(world: World) -> None:
    bar = _bar(world, "reference", 4, "step")
    existing = {s.slug for s in Sector.objects.all()}
    Sector.objects.bulk_create(
        Sector(
            slug=seed.slug,
            name=seed.name,
            name_it=seed.name_it,
            name_zh=seed.name_zh,
            name_es=seed.name_es,
            ateco_codes=list(seed.ateco_codes),
        )
        for seed in vocab.SECTOR_SEEDS
        if seed.slug not in existing
    )
    for seed in vocab.SECTOR_SEEDS:  # the migration's rows have no translated names
        Sector.objects.filter(slug=seed.slug, name_it="").update(name_it=seed.name_it)
        Sector.objects.filter(slug=seed.slug, name_zh="").update(name_zh=seed.name_zh)
        Sector.objects.filter(slug=seed.slug, name_es="").update(name_es=seed.name_es)
    for spec in MARKETPLACES:
        found = Marketplace.objects.filter(slug=spec.slug).first()
        if found is None:
            marketplace_create(
                slug=spec.slug,
                name=spec.name,
                name_it=spec.name_it,
                name_zh=spec.name_zh,
                name_es=spec.name_es,
                kind=spec.kind,
                languages=list(spec.languages),
                default_language=spec.default_language,
                default_currency=spec.default_currency,
                worldwide=not spec.countries,
                countries=spec.countries,
                actor_role=SYSTEM,
            )
            found = Marketplace.objects.get(slug=spec.slug)
        elif not found.name_es:  # made before marketplaces had Spanish names
            Marketplace.objects.filter(pk=found.pk).update(name_es=spec.name_es)
            found.name_es = spec.name_es
        world.marketplaces[spec.slug] = found
    bar.update(2)
    cross_border_rates_load(marketplace_id=world.marketplaces["crossborder-cn"].pk, now=world.now)
    bar.update(1)

    present = set(Category.objects.values_list("slug", flat=True))
    roots = [
        Category(
            slug=slug,
            name_it=names.it,
            name_en=names.en,
            name_zh=names.zh,
            name_es=vocab.CATEGORY_NAMES_ES[slug],
        )
        for slug, (names, _children) in vocab.CATEGORY_TREE.items()
        if slug not in present
    ]
    _bulk(Category, roots)
    root_ids = dict(Category.objects.filter(parent__isnull=True).values_list("slug", "pk"))
    children = [
        Category(
            slug=slug,
            parent_id=root_ids[root],
            name_it=names.it,
            name_en=names.en,
            name_zh=names.zh,
            name_es=vocab.CATEGORY_NAMES_ES[slug],
        )
        for root, (_names, kids) in vocab.CATEGORY_TREE.items()
        for slug, names in kids
        if slug not in present
    ]
    _bulk(Category, children)
    for slug, name_es in vocab.CATEGORY_NAMES_ES.items():  # made before Spanish names
        Category.objects.filter(slug=slug, name_es="").update(name_es=name_es)
    bar.update(1)
    bar.close()


# --- stage 2: merchants -------------------------------------------------------------------


def _region_plan(rng: random.Random, count: int) -> list[str]:
    """Region codes for ``count`` merchants: every region at least once (when count >= 20),
    the rest in proportion to the regions' share of Italian GDP (largest remainder)."""
    codes = sorted(vocab.REGION_WEIGHTS)
    for code in codes:
        italian_region(code)
    weights = [vocab.REGION_WEIGHTS[c] for c in codes]
    if count < len(codes):
        plan = _weighted_sample(rng, codes, weights, count)
    else:
        rest = count - len(codes)
        total = sum(weights)
        shares = [rest * w // total for w in weights]
        order = sorted(range(len(codes)), key=lambda i: (-(rest * weights[i] % total), i))
        for i in order[: rest - sum(shares)]:
            shares[i] += 1
        plan = [code for code, share in zip(codes, shares, strict=True) for _ in range(1 + share)]
    rng.shuffle(plan)
    return plan


def _vat_number(rng: random.Random, taken: set[str]) -> str:
    """A fresh Italian VAT number: 7-digit company number, provincial office (001-100),
    Luhn check digit; validated by the merchants app's own check."""
    while True:
        body = f"{rng.randint(1, 9_999_999):07d}{rng.randint(1, 100):03d}"
        vat = check_vat_number(body + luhn.calc_check_digit(body))
        if vat not in taken:
            taken.add(vat)
            return vat


def _company_name(rng: random.Random, profile: vocab.Profile, town: str) -> tuple[str, str]:
    """A company name and the trade word it carries ("Pastificio")."""
    word = rng.choice(profile.activity_words)
    surname = rng.choice(vocab.SURNAMES)
    other = rng.choice(vocab.SURNAMES)
    patterns = (
        (f"{word} {surname}", 30),
        (f"{surname} {word}", 20),
        (f"{word} {surname} & Figli", 12),
        (f"{surname} & {other}" if other != surname else f"{surname} & C.", 10),
        (f"{word} di {town}" if len(town) <= 30 else f"{word} {surname}", 10),
        (f"{word} {surname} {rng.choice(('1898', '1921', '1948', '1956', '1962', '1975'))}", 6),
    )
    return _weighted(rng, [p for p, _ in patterns], [w for _, w in patterns]), word


def _legal_form(rng: random.Random, size: str, profile: vocab.Profile) -> str:
    if size == CompanySize.LARGE:
        forms = vocab.LEGAL_FORMS_LARGE
    elif profile.key in {"food", "wine"} and rng.random() < 0.2:
        return "Società Agricola S.r.l."
    else:
        forms = vocab.LEGAL_FORMS_SME
    return _weighted(rng, [f for f, _ in forms], [w for _, w in forms])


def _stage_merchants(world: World, count: int) -> None:
    rng = world.rng
    taken_vat = set(Merchant.objects.values_list("vat_number", flat=True))
    taken_slugs = set(Merchant.objects.values_list("slug", flat=True))
    taken_names: set[str] = set(Merchant.objects.values_list("display_name", flat=True))
    sectors = dict(Sector.objects.values_list("slug", "pk"))
    sector_codes = {s.slug: s.ateco_codes for s in vocab.SECTOR_SEEDS}
    profiles = vocab.PROFILES
    slugs = [m.slug for m in MARKETPLACES]
    store_weights = [m.store_weight for m in MARKETPLACES]
    rows: list[Merchant] = []
    plans: list[tuple[vocab.Profile, list[str], float, tuple[str, ...]]] = []
    bar = _bar(world, "merchants", count, "merchant")
    for region_code in _region_plan(rng, count):
        bonus = vocab.REGION_PROFILE_BONUS.get(region_code, {})
        profile = _weighted(rng, profiles, [p.weight + bonus.get(p.key, 0) for p in profiles])
        municipality: Municipality = rng.choice(municipalities_in_region(region_code))
        location = check_location(
            region_code=region_code, municipality_code=municipality.istat_code
        )
        size = CompanySize.LARGE if rng.random() < 0.12 else CompanySize.SME
        for _attempt in range(20):
            display, word = _company_name(rng, profile, location.town)
            if display not in taken_names:
                break
        else:
            display = f"{display} {location.town}"
        taken_names.add(display)
        slug = base = slugify(display)[:70] or "azienda"
        n = 2
        while slug in taken_slugs:
            slug, n = f"{base}-{n}", n + 1
        taken_slugs.add(slug)
        main_codes = sector_codes[profile.sectors[0]]
        ateco = rng.choice(
            [c for c in profile.ateco_codes if any(c.startswith(p) for p in main_codes)]
            or list(profile.ateco_codes)
        )
        verification = _weighted(
            rng,
            [VerificationLevel.AUDITED, VerificationLevel.REGISTERED, VerificationLevel.UNVERIFIED],
            [45, 45, 10] if size == CompanySize.LARGE else [20, 58, 22],
        )
        year_in_name = re.search(r"(1[89][0-9]{2})$", display)
        founded = int(year_in_name.group(1)) if year_in_name else rng.randint(1890, 2019)
        region_en, _zh = vocab.REGION_NAMES[region_code]
        product_types = vocab.ACTIVITY_FOCUS.get(word, profile.product_types)
        made = list(
            dict.fromkeys(_CATEGORY_NAMES_EN[_TYPES[key].category] for key in product_types)
        )
        made = rng.sample(made, min(3, len(made)))
        words = made[0] if len(made) == 1 else ", ".join(made[:-1]) + " and " + made[-1]
        rows.append(
            Merchant(
                slug=slug,
                legal_name=f"{display} {_legal_form(rng, size, profile)}",
                display_name=display,
                vat_number=_vat_number(rng, taken_vat),
                country="IT",
                region_code=location.region_code,
                municipality_code=location.municipality_code,
                town=location.town,
                size=size,
                ateco_code=check_ateco_code(ateco),
                verification_level=verification,
                description=(
                    f"{display} makes {words} in {location.town} ({municipality.province}, "
                    f"{region_en}) and has done so since {founded}."
                ),
            )
        )
        n_stores = _weighted(rng, [1, 2, 3, 4], [35, 35, 20, 10])
        if size == CompanySize.LARGE:
            n_stores = min(4, n_stores + 1)
        plans.append(
            (
                profile,
                _weighted_sample(rng, slugs, store_weights, n_stores),
                rng.paretovariate(1.3),
                product_types,
            )
        )
        bar.update(1)
    bar.close()
    created = _bulk(Merchant, rows)
    through = Merchant.sectors.through
    _bulk(
        through,
        [
            through(merchant_id=m.pk, sector_id=sectors[s])
            for m, (profile, *_rest) in zip(created, plans, strict=True)
            for s in profile.sectors
        ],
    )
    stores: list[Store] = []
    warehouses: list[Warehouse] = []
    for merchant, (profile, market_slugs, popularity, product_types) in zip(
        created, plans, strict=True
    ):
        world.merchants.append(
            DemoMerchant(
                id=merchant.pk,
                slug=merchant.slug,
                display_name=merchant.display_name,
                profile=profile,
                product_types=product_types,
                region_code=merchant.region_code,
                town=merchant.town,
                size=merchant.size,
                marketplaces=[s for s in slugs if s in market_slugs],
                popularity=popularity,
            )
        )
        for slug in market_slugs:
            stores.append(
                Store(
                    merchant_id=merchant.pk,
                    marketplace=world.marketplaces[slug],
                    slug=merchant.slug,
                    name=merchant.display_name,  # "official store" is said by the page
                )
            )
        warehouses.append(
            Warehouse(
                merchant_id=merchant.pk,
                code="main",
                name=f"Magazzino di {merchant.town}"[:120],
                country="IT",
            )
        )
    _bulk(Store, stores)
    for demo, warehouse in zip(
        world.merchants[-len(created) :], _bulk(Warehouse, warehouses), strict=True
    ):
        demo.warehouse_id = warehouse.pk
    world.counts.update(
        merchants=len(created),
        stores=len(stores),
        warehouses=len(warehouses),
        regions=len({m.region_code for m in created}),
    )


# --- stage 3: users -----------------------------------------------------------------------


def _stage_users(world: World, count: int) -> str:
    """The demo logins and ``count`` bulk buyers; returns the one password hash they share
    (hashing is deliberately slow: it is done once)."""
    rng = world.rng
    password_hash = make_password(DEMO_PASSWORD)
    taken = set(User.objects.values_list("username", flat=True))
    joined_base = world.now - timedelta(days=900)

    def fixed(username: str, **fields: Any) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                password=password_hash,
                email=f"{username}@example.com",
                date_joined=joined_base,
                **fields,
            )
            user.save()
        world.logins.append((username, str(fields.get("role", ""))))
        taken.add(username)
        return user

    fixed(
        "operator",
        role=Role.OPERATOR,
        business_unit=OPERATOR_BUSINESS_UNIT,
        is_staff=True,
        is_superuser=True,
        first_name="Chiara",
        last_name="Ferretti",
        country="IT",
        preferred_language="it",
    )
    fixed(
        "merchant",
        role=Role.MERCHANT,
        first_name="Giulia",
        last_name="Bellini",
        country="IT",
        preferred_language="it",
    )
    specials = [
        fixed(
            "buyer",
            role=Role.BUYER,
            buyer_kind=BuyerKind.CONSUMER,
            country="CN",
            first_name="Fang",
            last_name="Wang",
            preferred_language="zh-hans",
        ),
        fixed(
            NEAR_LIMIT_BUYER,
            role=Role.BUYER,
            buyer_kind=BuyerKind.CONSUMER,
            country="CN",
            first_name="Na",
            last_name="Li",
            preferred_language="zh-hans",
        ),
        fixed(
            "buyer-sg",
            role=Role.BUYER,
            buyer_kind=BuyerKind.CONSUMER,
            country="SG",
            first_name="Wei Ling",
            last_name="Tan",
            preferred_language="en",
        ),
        fixed(
            "buyer-b2b",
            role=Role.BUYER,
            buyer_kind=BuyerKind.BUSINESS,
            country="US",
            first_name="James",
            last_name="Miller",
            preferred_language="en",
        ),
    ]
    world.buyers.extend(
        DemoBuyer(u.pk, u.username, f"{u.first_name} {u.last_name}", u.country, u.buyer_kind)
        for u in specials
    )
    countries = sorted(vocab.BUYER_COUNTRIES)
    weights = [vocab.BUYER_COUNTRIES[c][0] for c in countries]
    rows: list[User] = []
    bar = _bar(world, "buyers", count, "buyer")
    for _ in range(count):
        country = _weighted(rng, countries, weights)
        _weight, business_percent, firsts, lasts = vocab.BUYER_COUNTRIES[country]
        first, last = rng.choice(firsts), rng.choice(lasts)
        kind = BuyerKind.BUSINESS if rng.randrange(100) < business_percent else BuyerKind.CONSUMER
        base = f"{_ascii(first)}.{_ascii(last)}"[:130] or "buyer"
        username, n = base, 2
        while username in taken:
            username, n = f"{base}{n}", n + 1
        taken.add(username)
        rows.append(
            User(
                username=username,
                password=password_hash,
                email=f"{username}@example.com",
                first_name=first,
                last_name=last,
                role=Role.BUYER,
                buyer_kind=kind,
                country=country,
                preferred_language="zh-hans" if country == "CN" else "en",
                date_joined=world.now - timedelta(days=rng.randint(370, 900)),
            )
        )
        bar.update(1)
    bar.close()
    for user in _bulk(User, rows):
        world.buyers.append(
            DemoBuyer(
                user.pk,
                user.username,
                f"{user.first_name} {user.last_name}",
                user.country,
                user.buyer_kind,
            )
        )
    world.counts.update(buyers=len(world.buyers))
    return password_hash


# --- stage 4: catalog ---------------------------------------------------------------------


@dataclass(slots=True)
class _ProductPlan:
    merchant: DemoMerchant
    product: Product
    type_: vocab.ProductType
    base_eur_cents: int
    options: list[vocab.VariantOption]


def _product_names(rng: random.Random, type_: vocab.ProductType) -> tuple[str, str, str, str]:
    """(it, en, zh, hs_code) for one product of ``type_``."""
    qualifier = rng.choice(type_.qualifiers)
    hs_code = qualifier.hs_code or type_.hs_code
    if "{}" in qualifier.it:
        noun_it = type_.name.it
        if not qualifier.it.startswith("{}"):  # "Crema di {}": tartufo, not Tartufo
            noun_it = noun_it[:1].lower() + noun_it[1:]
        name_it = qualifier.it.format(noun_it)
        name_en = qualifier.en.format(type_.name.en)
        name_zh = qualifier.zh.format(type_.name.zh)
    else:  # a wine: the appellation is the name, the vintage follows
        vintage = (
            "" if type_.key == "sparkling" and rng.random() < 0.5 else f" {rng.randint(2015, 2023)}"
        )
        extra_it = " Brut" if not vintage and type_.key == "sparkling" else vintage
        name_it, name_en, name_zh = (
            qualifier.it + extra_it,
            qualifier.en + extra_it,
            qualifier.zh + extra_it,
        )
    if type_.with_collection and rng.random() < 0.6:
        collection = rng.choice(vocab.COLLECTIONS)
        name_it = f"{name_it} \N{EN DASH} {collection.it}"
        name_en = f"{collection.en} {name_en}"
        name_zh = f"{collection.zh}系列{name_zh}"
    return _capital(name_it), _capital(name_en), name_zh, hs_code


def _category_root(category_slug: str) -> str:
    return category_slug.split("-", 1)[0]


def _stage_catalog(world: World) -> None:
    rng = world.rng
    category_ids = dict(Category.objects.values_list("slug", "pk"))
    types = _TYPES
    specs = {m.slug: m for m in MARKETPLACES}
    plans: list[_ProductPlan] = []
    bar = _bar(world, "catalog", len(world.merchants), "merchant")
    for merchant in world.merchants:
        count = rng.randint(18, 40) if merchant.size == CompanySize.LARGE else rng.randint(5, 16)
        used_slugs: set[str] = set()
        region_en, region_zh = vocab.REGION_NAMES[merchant.region_code]
        used_names: set[str] = set()
        for _ in range(count):
            for _attempt in range(4):  # prefer a product the merchant does not list yet
                type_ = types[rng.choice(merchant.product_types)]
                name_it, name_en, name_zh, hs_code = _product_names(rng, type_)
                if name_en not in used_names:
                    break
            used_names.add(name_en)
            slug = base = slugify(name_en)[:110] or "product"
            n = 2
            while slug in used_slugs:
                slug, n = f"{base}-{n}", n + 1
            used_slugs.add(slug)
            pitch = vocab.PITCHES[_category_root(type_.category)]
            low, high = type_.price_eur_cents
            base_cents = rng.randint(low, high) * merchant.profile.price_percent // 100
            base_cents = max(100, (base_cents // 100) * 100 - 10)  # list prices end in ,90
            scheme = vocab.VARIANT_SCHEMES[type_.variants]
            k = min(len(scheme), _weighted(rng, [1, 2, 3, 4], [30, 30, 25, 15]))
            picks = sorted(rng.sample(range(len(scheme)), k))
            plans.append(
                _ProductPlan(
                    merchant=merchant,
                    type_=type_,
                    base_eur_cents=base_cents,
                    options=[scheme[i] for i in picks],
                    product=Product(
                        merchant_id=merchant.id,
                        slug=slug,
                        category_id=category_ids.get(type_.category),
                        name_it=name_it,
                        name_en=name_en,
                        name_zh=name_zh,
                        description_it=(
                            f"{name_it}. Prodotto da {merchant.display_name} a {merchant.town} "
                            f"({italian_region(merchant.region_code).name}). {pitch.it}"
                        ),
                        description_en=(
                            f"{name_en}. Made by {merchant.display_name} in {merchant.town} "
                            f"({region_en}, Italy). {pitch.en}"
                        ),
                        description_zh=(
                            f"{name_zh}。由意大利{region_zh}{merchant.town}的"
                            f"{merchant.display_name}出品。{pitch.zh}"
                        ),
                        hs_code=hs_code,
                        origin_country="IT",
                    ),
                )
            )
        bar.update(1)
    bar.close()
    products = _bulk_bar(world, "products", Product, [p.product for p in plans], 1000)

    variant_rows: list[Variant] = []
    demo_variants: list[DemoVariant] = []
    price_rows: list[Price] = []
    for plan, product in zip(plans, products, strict=True):
        merchant = plan.merchant
        trade_only = merchant.marketplaces == ["trade"]
        moq = rng.choice((6, 10, 12, 24, 50)) if trade_only else 1
        prefix = "".join(ch for ch in plan.type_.key.upper() if ch.isalpha())[:4]
        for index, (label, attributes, price_percent, weight_percent) in enumerate(
            plan.options, start=1
        ):
            sku = f"{prefix}-{product.pk:05d}-{index:02d}"
            eur = max(10, plan.base_eur_cents * price_percent // 100)
            units = (
                rng.randint(150, 2500) if "trade" in merchant.marketplaces else rng.randint(8, 400)
            )
            if rng.random() < 0.04:
                units = 0
            demo = DemoVariant(
                id=0,
                merchant_id=merchant.id,
                sku=sku,
                label=label,
                name_it=product.name_it,
                name_en=product.name_en,
                name_zh=product.name_zh,
                hs_code=product.hs_code,
                min_order_quantity=moq,
                units=units,
            )
            for slug in merchant.marketplaces:
                spec = specs[slug]
                currencies = sorted(set(spec.countries.values())) or [spec.default_currency]
                for currency in currencies:
                    list_price = convert_eur(eur * spec.price_percent // 100 or 1, currency)
                    demo.prices[(slug, currency)] = tuple(
                        (min_q, percent_of(list_price.amount_minor, pct, currency))
                        for min_q, pct in spec.tiers
                    )
            merchant.variants.append(demo)
            demo_variants.append(demo)
            variant_rows.append(
                Variant(
                    product_id=product.pk,
                    merchant_id=merchant.id,
                    sku=sku,
                    label=label,
                    attributes=attributes,
                    weight_grams=max(1, plan.type_.weight_grams * weight_percent // 100),
                    min_order_quantity=moq,
                )
            )
    variants = _bulk_bar(world, "variants", Variant, variant_rows)
    for demo, variant in zip(demo_variants, variants, strict=True):
        demo.id = variant.pk
        for (slug, currency), tiers in demo.prices.items():
            price_rows.extend(
                Price(
                    variant_id=variant.pk,
                    merchant_id=demo.merchant_id,
                    marketplace_id=world.marketplaces[slug].pk,
                    currency=currency,
                    amount_minor=amount,
                    min_quantity=min_q,
                )
                for min_q, amount in tiers
            )
    _bulk_bar(world, "prices", Price, price_rows, 5000)
    world.counts.update(
        products=len(products),
        variants=len(variant_rows),
        prices=len(price_rows),
        categories=Category.objects.count(),
    )


def _stage_staff(world: World) -> None:
    """The "merchant" login owns the best-stocked company with a cross-border China store."""
    candidates = [
        m for m in world.merchants if "crossborder-cn" in m.marketplaces
    ] or world.merchants
    owned = max(candidates, key=lambda m: (len(m.variants), -m.id))
    for variant in owned.variants:
        variant.units = max(variant.units, 60)
    world.owned_merchant = owned
    user = User.objects.get(username="merchant")
    StaffMembership.objects.get_or_create(
        user=user, merchant_id=owned.id, defaults={"role": StaffRole.OWNER}
    )


# --- stage 5: order history ---------------------------------------------------------------


def _s10(prefix: str, serial: int, country: str) -> str:
    """A UPU S10 item identifier (e.g. CP123456785IT) with its check digit."""
    digits = f"{serial % 100_000_000:08d}"
    total = sum(int(d) * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    check = 0 if check == 10 else 5 if check == 11 else check
    return f"{prefix}{digits}{check}{country}"


def _tracking(carrier: str, serial: int) -> str:
    if carrier == "Poste Italiane":
        return _s10("CP", serial, "IT")
    if carrier == "EMS":
        return _s10("EE", serial, "IT")
    if carrier == "DHL Express":
        body = 100_000_000 + serial % 900_000_000
        return f"{body:09d}{body % 7}"
    if carrier == "SF Express":
        return f"SF{1_300_000_000_000 + serial:013d}"
    if carrier == "JD Logistics":
        return f"JDVA{20_000_000_000 + serial:011d}"
    if carrier == "UPS":
        return f"1ZE3W41766{40_000_000 + serial:08d}"
    if carrier == "FedEx":
        return f"{770_000_000_000 + serial:012d}"
    return f"NVSG{5_000_000_000 + serial:010d}"


def _festival_days(now: datetime) -> list[datetime]:
    """The last 6.18 before ``now`` (China's other big shopping day: the 11.11s and their
    orders are fiera.demo.festivals')."""
    days = []
    for month, day in ((6, 18),):
        moment = now.replace(month=month, day=day, hour=0, minute=0, second=0, microsecond=0)
        if moment > now:
            moment = moment.replace(year=moment.year - 1)
        days.append(moment)
    return days


@dataclass(slots=True)
class _OrderDraft:
    merchant: DemoMerchant
    lines: list[tuple[DemoVariant, int, int, int]]  # variant, quantity, unit price, tax
    order: Order | None = None
    shipments: list[Shipment] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)

    @property
    def subtotal(self) -> int:
        return sum(q * unit for _, q, unit, _ in self.lines)

    @property
    def tax(self) -> int:
        return sum(tax for *_, tax in self.lines)


def _marketplaces_for(buyer: DemoBuyer) -> tuple[list[str], list[int]]:
    if buyer.kind == BuyerKind.BUSINESS:
        return ["trade"], [1]
    if buyer.country == "CN":
        return ["crossborder-cn", "flagship-cn"], [65, 35]
    if buyer.country in SEA_COUNTRIES:
        return ["sea"], [1]
    return [], []


def _quantity(rng: random.Random, slug: str, variant: DemoVariant) -> int:
    if slug == "trade":
        wanted = rng.choice((10, 12, 20, 24, 36, 50, 60, 100, 120, 200))
        return max(wanted, variant.min_order_quantity)
    return _weighted(rng, [1, 2, 3], [76, 19, 5])


class _Serials:
    """Tracking-number serials per carrier, starting past those of earlier runs."""

    def __init__(self, rng: random.Random, already: int) -> None:
        self.next: dict[str, int] = defaultdict(lambda: rng.randint(1_000_000, 9_000_000) + already)

    def take(self, carrier: str) -> str:
        self.next[carrier] += 1
        return _tracking(carrier, self.next[carrier])


def _stage_orders(world: World, target_orders: int) -> None:
    rng = world.rng
    now = world.now
    specs = {m.slug: m for m in MARKETPLACES}
    by_marketplace: dict[str, list[DemoMerchant]] = defaultdict(list)
    for merchant in world.merchants:
        for slug in merchant.marketplaces:
            if merchant.variants:
                by_marketplace[slug].append(merchant)
    regime: RegimeRates | None = cross_border_regime_for(
        marketplace_id=world.marketplaces["crossborder-cn"].pk, country="CN"
    )
    methods = payment_methods()
    # paid at checkout; the orders paid after it are fiera.demo.paylater's
    # (trade assurance is B2B only: fiera.demo.assurance places those)
    prepaid = [
        m.code
        for m in methods
        if not m.collects_on_delivery and m.code not in ("wallet_later", "assurance")
    ]
    cod = [m.code for m in methods if m.collects_on_delivery] or ["cod"]
    festivals = _festival_days(now)
    allowance: Counter[tuple[int, int]] = Counter(
        {
            (a.buyer_id, a.year): a.used_minor
            for a in CrossBorderAllowance.objects.filter(currency="CNY")
        }
    )
    serials = _Serials(rng, Shipment.objects.count())
    buyers_who_order = [
        b for b in world.buyers if _marketplaces_for(b)[0] and b.username != NEAR_LIMIT_BUYER
    ]
    specials = [b for b in world.buyers if b.username in {"buyer", "buyer-sg", "buyer-b2b"}]
    drafts: list[tuple[Checkout, list[_OrderDraft]]] = []

    def allowance_cap(buyer: DemoBuyer, year: int) -> int:
        """How much of the yearly CBEC allowance the demo may use up for ``buyer``: the
        README's ``buyer`` keeps most of this year's allowance for the visitor."""
        assert regime is not None
        if buyer.username == "buyer" and year == now.year:
            return regime.annual_limit_minor * BUYER_ALLOWANCE_USED_PERCENT // 100
        return regime.annual_limit_minor

    def attempt(
        buyer: DemoBuyer,
        slug: str,
        placed_at: datetime,
        n_merchants: int,
        n_lines: int | None,
        country: str | None = None,
        festival: bool = False,
        pay_with: str | None = None,
    ) -> int:
        """Draft one checkout of ``buyer`` on ``slug`` at ``placed_at`` (from merchants of
        ``country`` when given; a ``festival`` basket holds no line dearer than
        ``FESTIVAL_MAX_UNIT_EUR_CENTS``; paid by ``pay_with`` when given, else a method
        drawn); returns the orders made (0 when nothing fitted: stock, prices, the CBEC
        limits)."""
        spec = specs[slug]
        currency = spec.countries.get(buyer.country, spec.default_currency)
        dearest = convert_eur(FESTIVAL_MAX_UNIT_EUR_CENTS, currency).amount_minor
        pool = by_marketplace.get(slug, [])
        if country is not None:
            pool = [m for m in pool if m.country == country]
        if not pool:
            return 0
        chosen = _weighted_sample(rng, pool, [m.popularity for m in pool], n_merchants)
        groups: list[_OrderDraft] = []
        taken: Counter[int] = Counter()
        for merchant in chosen:
            draft = _OrderDraft(merchant=merchant, lines=[])
            for _ in range(n_lines or _weighted(rng, [1, 2, 3], [60, 28, 12])):
                variant = rng.choice(merchant.variants)
                quantity = _quantity(rng, slug, variant)
                unit = variant.unit_price(slug, currency, quantity)
                if unit is None or any(v is variant for v, *_ in draft.lines):
                    continue
                if festival and unit > dearest:
                    continue
                if variant.units - taken[variant.id] < quantity:
                    continue
                tax = 0
                if regime is not None and slug == "crossborder-cn":
                    rate = regime.rate_for(variant.hs_code, placed_at.date())
                    tax = cbec_line_tax_minor(
                        goods_minor=unit * quantity,
                        currency=currency,
                        vat_rate=rate.vat_rate,
                        consumption_tax_rate=rate.consumption_tax_rate,
                        tax_share=regime.tax_share,
                    )
                    if draft.subtotal + unit * quantity > regime.per_order_limit_minor:
                        continue
                draft.lines.append((variant, quantity, unit, tax))
                taken[variant.id] += quantity
            if draft.lines:
                groups.append(draft)
        if not groups:
            return 0
        cross_border = slug == "crossborder-cn" and regime is not None
        subtotal = sum(g.subtotal for g in groups)
        year = placed_at.year
        if cross_border and allowance[(buyer.id, year)] + subtotal > allowance_cap(buyer, year):
            return 0
        method = pay_with or (
            rng.choice(prepaid) if prepaid and rng.random() < 0.5 else rng.choice(cod)
        )
        paid_upfront = method in prepaid
        checkout = Checkout(
            buyer_id=buyer.id,
            marketplace_id=world.marketplaces[slug].pk,
            country=buyer.country,
            currency=currency,
            subtotal_minor=subtotal,
            tax_minor=sum(g.tax for g in groups),
            total_minor=subtotal + sum(g.tax for g in groups),
            payment_method=method,
            cross_border=cross_border,
            order_count=len(groups),
            placed_at=placed_at,
        )
        city, postal_code, street = rng.choice(vocab.ADDRESSES[buyer.country])
        phone = f"{vocab.PHONE_PREFIXES[buyer.country]}{rng.randint(1_000_000, 9_999_999)}"
        line1 = street.format(n=rng.randint(1, 480))
        for draft in groups:
            order = Order(
                buyer_id=buyer.id,
                merchant_id=draft.merchant.id,
                marketplace_id=checkout.marketplace_id,
                status=OrderStatus.PLACED,
                currency=currency,
                subtotal_minor=draft.subtotal,
                tax_minor=draft.tax,
                total_minor=draft.subtotal + draft.tax,
                payment_method=method,
                cross_border_year=year if cross_border else None,
                ship_name=buyer.name,
                ship_line1=line1,
                ship_city=city,
                ship_postal_code=postal_code,
                ship_country=buyer.country,
                ship_phone=phone,
                placed_at=placed_at,
                paid_at=placed_at + timedelta(seconds=rng.randint(5, 90)) if paid_upfront else None,
            )
            draft.order = order
            released = _order_story(rng, now, slug, order, draft, serials, paid_upfront)
            if not released:
                for variant, quantity, _unit, _tax in draft.lines:
                    variant.units -= quantity
                if cross_border:
                    allowance[(buyer.id, year)] += draft.subtotal
        drafts.append((checkout, groups))
        return len(groups)

    made = 0
    attempts = 0
    bar = _bar(world, "orders", target_orders, "order")
    while made < target_orders and attempts < target_orders * 4:
        attempts += 1
        buyer = (
            specials[attempts % len(specials)] if attempts <= 24 else rng.choice(buyers_who_order)
        )
        slugs, weights = _marketplaces_for(buyer)
        if not slugs:
            continue
        slug = _weighted(rng, slugs, weights)
        if rng.random() < 0.08:
            placed_at = rng.choice(festivals) + timedelta(seconds=rng.randint(0, 86_399))
        else:
            placed_at = now - timedelta(
                days=365 * rng.random() ** 1.5, seconds=rng.randint(60, 3600)
            )
        placed_at = min(placed_at, now - timedelta(minutes=5))
        n_merchants = _weighted(rng, [1, 2, 3], [85, 12, 3])
        count = attempt(buyer, slug, placed_at, n_merchants, None)
        made += count
        bar.update(count)
    # The payment history (fiera.demo.history) charges and refunds the wallet checkouts of
    # the last HISTORY_DAYS days: the README's buyers place a few, so that even a small
    # demo has some (each on one of the full days before today).
    history_start = now - timedelta(days=HISTORY_DAYS + 1)
    placed_before = Order.objects.filter(  # by an earlier run (--keep): not again
        buyer_id__in=[b.id for b in specials], payment_method="wallet", placed_at__gte=history_start
    ).exists()
    for index in range(0 if placed_before else HISTORY_WALLET_CHECKOUTS):
        buyer = specials[index % len(specials)]
        slugs, weights = _marketplaces_for(buyer)
        placed_at = now - timedelta(days=rng.uniform(1.5, HISTORY_DAYS - 0.5))
        wallet = "wallet" if "wallet" in prepaid else None
        made += attempt(buyer, _weighted(rng, slugs, weights), placed_at, 1, None, pay_with=wallet)
    # The festivals' days (fiera.demo.festivals): last year's and this year's 11.11 and the
    # festival running now, drafted like every other order.
    slug_by_id = {m.pk: slug for slug, m in world.marketplaces.items()}

    def festival_draft(
        buyer: DemoBuyer, slug: str, placed_at: datetime, country: str, simple: bool
    ) -> list[tuple[str, int]]:
        before = len(drafts)
        n_merchants = 1 if simple else _weighted(rng, [1, 2], [90, 10])
        attempt(buyer, slug, placed_at, n_merchants, 1 if simple else None, country, True)
        return [
            (group.merchant.country, eur_cents(group.subtotal, checkout.currency))
            for checkout, groups in drafts[before:]
            for group in groups
        ]

    made += draft_festival_orders(
        rng,
        now,
        buyers_who_order,
        _marketplaces_for,
        target_orders,
        country_of=lambda b: b.country,
        sellers={s: {m.country for m in pool} for s, pool in by_marketplace.items()},
        drafted=[
            (c.placed_at, slug_by_id[c.marketplace_id], g.merchant.country,
             eur_cents(g.subtotal, c.currency))
            for c, groups in drafts
            for g in groups
        ],
        draft=festival_draft,
    )  # fmt: skip
    bar.update(made - bar.n)
    # The second Chinese consumer has spent this year's allowance almost to the limit, so a
    # visitor signed in as them sees a cross-border checkout refused by the CBEC rule.
    near = next((b for b in world.buyers if b.username == NEAR_LIMIT_BUYER), None)
    year_start = now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if near is not None and regime is not None:
        for _ in range(400):
            left = regime.annual_limit_minor - allowance[(near.id, now.year)]
            if left < NEAR_LIMIT_LEFT_MINOR:
                break
            span = max((now - year_start).total_seconds() - 600, 1)
            placed_at = year_start + timedelta(seconds=rng.uniform(0, span))
            made += attempt(near, "crossborder-cn", placed_at, 1, 1)
    bar.close()
    _write_orders(world, drafts, allowance)


def _order_story(
    rng: random.Random,
    now: datetime,
    slug: str,
    order: Order,
    draft: _OrderDraft,
    serials: _Serials,
    paid_upfront: bool,
) -> bool:
    """Move ``order`` along the state machine as far as ``now`` allows; record its
    shipments and refunds. Returns True when its goods went back to stock (cancelled
    before shipping)."""
    placed = order.placed_at
    ship_at = placed + timedelta(hours=rng.uniform(4, 168 if slug == "trade" else 72))
    transit_days = {"flagship-cn": (1, 4), "crossborder-cn": (5, 14), "sea": (4, 12)}.get(
        slug, (5, 25)
    )
    deliver_at = ship_at + timedelta(days=rng.uniform(*transit_days))
    roll = rng.random()
    if roll < 0.06:  # cancelled before shipping
        cancel_at = min(placed + timedelta(minutes=rng.randint(10, 1440)), now)
        if cancel_at < ship_at:
            order.cancelled_at = cancel_at
            if paid_upfront:  # a paid order cancelled is refunded in full
                order.status = OrderStatus.REFUNDED
                order.refunded_at = cancel_at
                order.refunded_minor = order.total_minor
                draft.refunds.append(
                    _refund(order, order.total_minor, "Cancelled by the buyer", cancel_at)
                )
            else:
                order.status = OrderStatus.CANCELLED
            return True
    if ship_at > now:
        order.status = OrderStatus.PAID if paid_upfront else OrderStatus.PLACED
        return False
    order.status = OrderStatus.SHIPPED
    order.shipped_at = ship_at
    carrier = rng.choice(vocab.CARRIERS[slug])
    packages = 2 if len(draft.lines) > 1 and rng.random() < 0.15 else 1
    for index in range(packages):
        draft.shipments.append(
            Shipment(
                merchant_id=order.merchant_id,
                carrier=carrier,
                tracking_number=serials.take(carrier),
                shipped_at=min(ship_at + timedelta(hours=30 * index), now),
            )
        )
    if deliver_at > now:
        return False
    order.status = OrderStatus.DELIVERED
    order.delivered_at = deliver_at
    if order.paid_at is None:  # cash on delivery: collected by the courier
        order.paid_at = deliver_at
    for shipment in draft.shipments:
        shipment.delivered_at = deliver_at
    refund_at = deliver_at + timedelta(days=rng.uniform(1, 12))
    if refund_at > now:
        return False
    if roll > 0.965:  # refunded in full
        order.status = OrderStatus.REFUNDED
        order.refunded_at = refund_at
        order.refunded_minor = order.total_minor
        draft.refunds.append(
            _refund(order, order.total_minor, rng.choice(vocab.REFUND_REASONS), refund_at)
        )
    elif roll > 0.94 and order.total_minor > 1:  # part refunded, stays delivered
        _variant, quantity, unit, tax = draft.lines[0]
        amount = min(order.total_minor - 1, unit + tax // quantity)
        order.refunded_minor = amount
        draft.refunds.append(_refund(order, amount, rng.choice(vocab.REFUND_REASONS), refund_at))
    return False


def _refund(order: Order, amount_minor: int, reason: str, at: datetime) -> Refund:
    return Refund(
        merchant_id=order.merchant_id,
        amount_minor=amount_minor,
        currency=order.currency,
        reason=reason,
        created_at=at,
    )


def _write_orders(
    world: World,
    drafts: list[tuple[Checkout, list[_OrderDraft]]],
    allowance: Counter[tuple[int, int]],
) -> None:
    """Insert checkouts in time order (so ids and order numbers grow with time), then
    orders, lines, shipments, refunds and the buyers' CBEC allowances."""
    drafts.sort(key=lambda item: item[0].placed_at)
    checkouts = _bulk(Checkout, [c for c, _ in drafts])
    orders: list[Order] = []
    for checkout, groups in zip(checkouts, (g for _, g in drafts), strict=True):
        for index, draft in enumerate(groups, start=1):
            assert draft.order is not None
            draft.order.checkout_id = checkout.pk
            draft.order.number = f"F{checkout.pk:06d}-{index}"
            orders.append(draft.order)
    _bulk(Order, orders)
    lines: list[OrderLine] = []
    shipments: list[Shipment] = []
    refunds: list[Refund] = []
    warehouses = {m.id: m.warehouse_id for m in world.merchants}
    for _, groups in drafts:
        for draft in groups:
            assert draft.order is not None
            order_id = draft.order.pk
            for variant, quantity, unit, tax in draft.lines:
                lines.append(
                    OrderLine(
                        order_id=order_id,
                        merchant_id=variant.merchant_id,
                        variant_id=variant.id,
                        warehouse_id=warehouses[variant.merchant_id],
                        sku=variant.sku,
                        label=variant.label,
                        name_it=variant.name_it,
                        name_en=variant.name_en,
                        name_zh=variant.name_zh,
                        hs_code=variant.hs_code,
                        quantity=quantity,
                        unit_price_minor=unit,
                        line_total_minor=unit * quantity,
                        tax_minor=tax,
                    )
                )
            for shipment in draft.shipments:
                shipment.order_id = order_id
                shipments.append(shipment)
            for refund in draft.refunds:
                refund.order_id = order_id
                refunds.append(refund)
    _bulk_bar(world, "lines", OrderLine, lines)
    _bulk(Shipment, shipments)
    _bulk(Refund, refunds)
    existing = {
        (a.buyer_id, a.year): a for a in CrossBorderAllowance.objects.filter(currency="CNY")
    }
    for key, row in existing.items():
        row.used_minor = allowance[key]
        row.updated_at = world.now
    CrossBorderAllowance.objects.bulk_update(list(existing.values()), ["used_minor", "updated_at"])
    _bulk(
        CrossBorderAllowance,
        [
            CrossBorderAllowance(
                buyer_id=buyer_id,
                year=year,
                currency="CNY",
                used_minor=used,
                updated_at=world.now,
            )
            for (buyer_id, year), used in sorted(allowance.items())
            if used > 0 and (buyer_id, year) not in existing
        ],
    )
    statuses = Counter(o.status for o in orders)
    world.counts.update(
        checkouts=len(checkouts),
        orders=len(orders),
        order_lines=len(lines),
        shipments=len(shipments),
        refunds=len(refunds),
    )
    world.counts.update({f"orders_{status}": n for status, n in statuses.items()})


def _stage_stock(world: World) -> None:
    rows = [
        StockLevel(
            variant_id=variant.id,
            warehouse_id=merchant.warehouse_id,
            merchant_id=merchant.id,
            units_on_hand=variant.units,
        )
        for merchant in world.merchants
        for variant in merchant.variants
    ]
    assert all(row.units_on_hand >= 0 for row in rows)
    _bulk_bar(world, "stock", StockLevel, rows, 5000)
    world.counts.update(stock_levels=len(rows))


# --- entry point --------------------------------------------------------------------------


def build_demo(
    *,
    merchants: int = 400,
    seed: int = 11,
    reset: bool = True,
    now: datetime | None = None,
    progress: bool | None = None,
    outlets: bool = True,
) -> list[str]:
    """Build the demo world and return the summary lines ``fiera demo`` prints.

    ``reset`` empties the demo-owned tables first (see ``demo_reset``); without it the
    world is added next to what exists (marketplaces and logins are reused by slug and
    username). ``progress`` None shows tqdm bars only on a terminal. About 400 merchants,
    5,000 products and 3,000 orders take well under a minute on SQLite.
    """
    if merchants < 1:
        raise ValueError("the demo needs at least one merchant")
    started = time.perf_counter()
    world = World(rng=random.Random(seed), now=now or timezone.now(), progress=progress)
    with transaction.atomic():
        if reset:
            with _stage(world, "reset"):
                demo_reset(
                    lambda tables: _bar_iter(world, "reset", tables, "table"),
                )
        with _stage(world, "reference"):
            _stage_reference(world)
        with _stage(world, "merchants"):
            _stage_merchants(world, merchants)
        with _stage(world, "users"):
            _stage_users(world, max(30, merchants * 3 // 4 + 50))
        with _stage(world, "catalog"):
            _stage_catalog(world)
            _stage_staff(world)
        with _stage(world, "abroad"):
            # companies from 13 other countries, for the festivals' ranking by country
            world.merchants.extend(build_abroad(world, seed=seed))
        with _stage(world, "pictures"):
            pictures = build_media(seed=seed)
        with _stage(world, "orders"):
            _stage_orders(world, max(40, merchants * 8))
        with _stage(world, "stock"):
            _stage_stock(world)
    extra: list[str] = [
        f"  pictures       {pictures['product_images']} product pictures from "
        f"{pictures['picture_files']} drawn pictograms, {pictures['logos']} store logos and "
        f"descriptions, {pictures['featured_stores']} featured stores "
        f"({pictures['files_drawn']} files drawn in {world.timings['pictures']:.1f} s)"
    ]
    if outlets:
        # The post-office network (4 pilot outlets taking payments, 12,800 planned) and a
        # year of ECB reference rates from the bundled offline history.
        show = bool(world.progress) if world.progress is not None else sys.stderr.isatty()
        extra.append("  " + build_outlets(seed=seed, progress=show))
        # back to last year's 11.11, so the festivals' orders convert to US dollars
        since = min(world.now - timedelta(days=366), double_eleven(world.now)[1]).date()
        since -= timedelta(days=7)
        report = fx_rates_import_bundled(since=since, progress=show)
        rates = report.created + report.unchanged
        # and the VND the ECB does not publish (the sea marketplace's sixth currency)
        vnd = demo_fx_rates_load(since=since, until=world.now.date())
        extra.append(
            f"  fx rates       {rates} ECB reference rates since {since}, "
            f"{vnd} demo VND rates (fiera.demo.fxrates)"
        )
        # Wallets are topped up the day before the payment history starts; then the past
        # days' wallet checkouts and QR payments are paid and settled (fiera.demo.history).
        funded_at = world.now - timedelta(days=HISTORY_DAYS + 1)
        extra.append("  " + build_wallets(seed=seed, now=funded_at))
        extra.append("  " + build_payment_history(now=world.now, seed=seed, progress=show))
    # Orders paid after checkout (awaiting payment, cancelled unpaid): before the festivals,
    # whose tallies count them.
    extra.append("  " + build_pay_later(now=world.now))
    # The festivals (after the stock and the FX rates): their tallies count the orders.
    with _stage(world, "festivals"), transaction.atomic():
        line, _made = build_festivals(now=world.now, seed=seed, merchants=world.merchants)
    extra.append("  " + line)
    reset_pavilions()  # they belong to a partner: gone before the partners are rebuilt
    extra.append("  " + build_partners(now=world.now, seed=seed, password=DEMO_PASSWORD))
    extra.append("  " + build_trade(now=world.now, seed=seed, password=DEMO_PASSWORD))
    extra.append("  " + build_listing(now=world.now, seed=seed))
    extra.append("  " + build_assurance(now=world.now))
    extra.append("  " + build_rfqs(now=world.now, seed=seed, password=DEMO_PASSWORD))
    extra.append("  " + build_documents(now=world.now))
    extra.append("  " + build_pavilions(now=world.now, seed=seed))
    extra.append("  " + build_trade_search(now=world.now))
    # --- academy courses ---
    extra.append("  " + build_academy(now=world.now, seed=seed, password=DEMO_PASSWORD))
    # --- academy exams --- (after the courses' academy demo: it needs the masterclass cohort)
    extra.append("  " + build_academy_exams(now=world.now, seed=seed))
    # --- academy certificates --- (after the exams' demo: the passed learners get theirs)
    extra.append("  " + build_academy_certificates(now=world.now))
    # --- academy alumni --- (after the certificates: the alumni are the certified)
    extra.append("  " + build_academy_alumni(now=world.now, seed=seed))
    # --- core (analytics) --- (last: the rollups count every order the steps above wrote)
    extra.append("  " + build_analytics(now=world.now))
    # Planner statistics for the bulk-loaded tables: SQLite has none until ANALYZE, and a
    # PostgreSQL without autovacuum neither (the search plans on them, fiera.catalog.search).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return _summary(world, seed, time.perf_counter() - started, extra)


def _summary(world: World, seed: int, seconds: float, extra: list[str]) -> list[str]:
    """What was built (every step, ``extra`` included), then who can sign in: the last
    lines a person reads after ``fiera demo`` are the logins."""
    c = world.counts
    owned = world.owned_merchant
    statuses = ", ".join(f"{c[f'orders_{s}']} {s}" for s in OrderStatus.values if c[f"orders_{s}"])
    markets = ", ".join(
        f"{m.slug} ({m.kind}, {'/'.join(sorted(set(m.countries.values())) or [m.default_currency])})"  # noqa: E501
        for m in MARKETPLACES
    )
    lines = [
        f"Fiera demo world (seed {seed}) built in {seconds:.1f} s:",
        f"  marketplaces   {markets}",
        f"  merchants      {c['merchants']} in {c['regions']} regions"
        + (
            f" and {c['merchants_abroad']} from {c['countries_abroad']} other countries"
            if c["merchants_abroad"]
            else ""
        )
        + f", {c['stores']} stores, {c['warehouses']} warehouses",
        f"  catalog        {c['products']} products, {c['variants']} variants, "
        f"{c['prices']} prices, {c['categories']} categories, {c['stock_levels']} stock levels",
        f"  buyers         {c['buyers']}",
        f"  orders         {c['orders']} in {c['checkouts']} checkouts ({statuses}), "
        f"{c['order_lines']} lines, {c['shipments']} shipments, {c['refunds']} refunds",
        "  stages         "
        + ", ".join(f"{name} {secs:.1f} s" for name, secs in world.timings.items()),
        *extra,
        f"Sign in at /login/ (password {DEMO_PASSWORD!r} for all):",
    ]
    roles = {
        "operator": f"operator ({OPERATOR_BUSINESS_UNIT}), Django admin at /admin/",
        "merchant": f"owner of {owned.display_name}" if owned else "merchant staff",
        "buyer": "consumer in China (crossborder-cn, flagship-cn)",
        NEAR_LIMIT_BUYER: "consumer in China near the yearly CBEC limit (crossborder-cn)",
        "buyer-sg": "consumer in Singapore (sea)",
        "buyer-b2b": "business buyer in the United States (trade)",
    }
    lines.extend(f"  {username:<10} {roles.get(username, role)}" for username, role in world.logins)
    academy = {
        "partner": "admin of a partner organisation: /partners/",
        "learner": "founder in the masterclass (Spanish): /academy/my/, a certificate, the alumni",
        "teacher": "teacher of the masterclass: /academy/teach/, the gradebook",
    }
    present = set(User.objects.filter(username__in=academy).values_list("username", flat=True))
    lines.extend(f"  {name:<10} {text}" for name, text in academy.items() if name in present)
    return lines
