"""The demo's country pavilions: "Made in Italy", run by Agenzia Export Nord (the trade
agency of the partners demo, whose staff log in as ``partner`` and ``partner-staff``), with
a small quota so that it is full: admitted companies from several regions (admitted months
ago, so their inquiries and B2B orders since then show in the live results), a waiting
list, rejected applications with their reasons and one under review; and a second pavilion,
"Sapori d'Italia", open with seats left. Everything goes through ``fiera.trade.services``;
the ``merchant`` login's company applies as itself, the others through the platform on
their behalf (as an agency registers the firms it sponsors)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

from django.db import transaction

from fiera.accounts.roles import MERCHANT, SYSTEM
from fiera.catalog.models import Product
from fiera.merchants.models import Merchant, StaffMembership, Store
from fiera.partners.models import Partner
from fiera.trade.models import Pavilion, PavilionApplication, SupplierProfile
from fiera.trade.services import (
    application_decide,
    pavilion_apply,
    pavilion_create,
    supplier_profile_save,
)

TRADE = "trade"
OWNER_PARTNER = "agenzia-export-nord"
QUOTA = 6

MOTIVATIONS = (
    "Family business for three generations; we export to 14 countries and want to reach "
    "more importers in Asia.",
    "We make everything in our own workshop and would like buyers to find us among Italian "
    "producers.",
    "Our export department speaks English and Chinese; samples ship within a week.",
    "Certified supply chain, private label available, MOQ from 200 units.",
)
REJECTIONS = (
    "Your catalog has no English descriptions yet; add them and apply again.",
    "The pavilion sponsors manufacturers: your company resells products of other makers.",
)


def reset_pavilions() -> None:
    """Empty the pavilion tables: before the partners are rebuilt (a pavilion's owner is a
    partner) and before the pavilions are."""
    PavilionApplication.objects.all().delete()
    Pavilion.objects.all().delete()


def _candidates(market_id: int) -> list[int]:
    """Merchants with an active store on the trade marketplace whose active products are
    all made in Italy, spread over the regions (round robin by region), the ``merchant``
    login's company first."""
    on_market = set(
        Store.objects.filter(marketplace_id=market_id, is_active=True).values_list(
            "merchant_id", flat=True
        )
    )
    foreign = set(
        Product.objects.filter(is_active=True)
        .exclude(origin_country="IT")
        .values_list("merchant_id", flat=True)
    )
    with_products = set(
        Product.objects.filter(is_active=True).values_list("merchant_id", flat=True)
    )
    ok = sorted((on_market & with_products) - foreign)
    profiled = set(
        SupplierProfile.objects.filter(merchant_id__in=ok).values_list("merchant_id", flat=True)
    )
    regions: dict[str, list[int]] = {}
    for mid, region in Merchant.objects.filter(pk__in=ok).values_list("pk", "region_code"):
        regions.setdefault(region, []).append(mid)
    for ids in regions.values():  # suppliers with a profile first inside each region
        ids.sort(key=lambda i: (i not in profiled, i))
    spread: list[int] = []
    while any(regions.values()):
        for region in sorted(regions):
            if regions[region]:
                spread.append(regions[region].pop(0))
    own = (
        StaffMembership.objects.filter(user__username="merchant", role__in=("owner", "manager"))
        .values_list("merchant_id", "user_id")
        .first()
    )
    if own is not None and own[0] in ok:
        spread = [own[0], *[i for i in spread if i != own[0]]]
    return spread


def _apply(
    slug: str, merchant_id: int, motivation: str, own: tuple[int, int] | None, now: datetime
) -> int:
    if not SupplierProfile.objects.filter(merchant_id=merchant_id).exists():
        supplier_profile_save(
            actor_id=None,
            actor_role=SYSTEM,
            merchant_id=merchant_id,
            capabilities_it="Produzione propria in Italia, marchio privato su richiesta.",
            capabilities_en="Own production in Italy, private label on request.",
            capabilities_zh="意大利自有工厂生产，可按需提供贴牌服务。",  # noqa: RUF001
            main_markets=["US", "DE", "CN"],
            now=now,
        )
    actor_id, role = (own[1], MERCHANT) if own and own[0] == merchant_id else (None, SYSTEM)
    return pavilion_apply(
        actor_id=actor_id,
        actor_role=role,
        slug=slug,
        merchant_id=merchant_id,
        motivation=motivation,
        now=now,
    ).id


def _featured(merchant_ids: list[int]) -> list[str]:
    """The categories most of these companies' products are in (at most four)."""
    rows = Product.objects.filter(
        merchant_id__in=merchant_ids, is_active=True, category__isnull=False
    ).values_list("category__slug", flat=True)
    return [slug for slug, _n in Counter(rows).most_common(4)]


def build_pavilions(*, now: datetime, seed: int) -> str:
    """Build the pavilions; returns the summary line ``fiera demo`` prints."""
    rng = random.Random(seed * 6151 + 3)
    from fiera.marketplaces.models import Marketplace

    market = Marketplace.objects.filter(slug=TRADE).first()
    partner = Partner.objects.filter(slug=OWNER_PARTNER).first()
    if market is None or partner is None:
        return "pavilions      skipped: no trade marketplace or no trade-agency partner"
    with transaction.atomic():
        reset_pavilions()
        candidates = _candidates(market.pk)
        own = (
            StaffMembership.objects.filter(user__username="merchant", role__in=("owner", "manager"))
            .values_list("merchant_id", "user_id")
            .first()
        )
        opened = now - timedelta(days=200)
        italy = pavilion_create(
            actor_id=None,
            actor_role=SYSTEM,
            slug="made-in-italy",
            name_it="Padiglione Italia",
            name_en="Made in Italy Pavilion",
            name_zh="意大利制造国家馆",
            intro_it="Le aziende italiane sponsorizzate da Agenzia Export Nord per 24 mesi "
            "di adesione premium: prodotti fatti in Italia, pronti per l'export.",
            intro_en="Italian companies sponsored by Agenzia Export Nord for 24 months of "
            "premium membership: products made in Italy, ready for export.",
            intro_zh="由 Agenzia Export Nord 赞助 24 个月高级会员资格的意大利企业："  # noqa: RUF001
            "意大利制造，随时出口。",  # noqa: RUF001
            name_es="Pabellón Italia",
            intro_es="Empresas italianas patrocinadas por Agenzia Export Nord durante 24 meses "
            "de membresía premium: productos hechos en Italia, listos para exportar.",
            marketplace_slug=TRADE,
            partner_id=partner.pk,
            country_code="IT",
            quota=QUOTA,
            sponsorship_months=24,
            category_slugs=_featured(candidates[:20]),
            now=opened,
        )
        counts = Counter[str]()
        # QUOTA admitted (four to five months ago), three waitlisted, two rejected, two pending
        plan = ["admit"] * QUOTA + ["admit"] * 3 + ["reject"] * 2 + ["pending"] * 2
        for n, (merchant_id, decision) in enumerate(zip(candidates, plan, strict=False)):
            applied = opened + timedelta(days=5 + n * 2, hours=rng.randint(0, 8))
            app_id = _apply(
                italy.slug, merchant_id, MOTIVATIONS[n % len(MOTIVATIONS)], own, applied
            )
            if decision == "pending":
                counts["pending"] += 1
                continue
            info = application_decide(
                actor_id=None,
                actor_role=SYSTEM,
                application_id=app_id,
                admit=decision == "admit",
                reason="" if decision == "admit" else REJECTIONS[counts["rejected"] % 2],
                now=applied + timedelta(days=rng.randint(3, 9)),
            )
            counts[info.status] += 1
        food = pavilion_create(
            actor_id=None,
            actor_role=SYSTEM,
            slug="sapori-d-italia",
            name_it="Sapori d'Italia",
            name_en="Flavours of Italy",
            name_zh="意大利风味馆",
            intro_it="Agroalimentare italiano per importatori e distributori: candidature aperte.",
            intro_en="Italian food and drink for importers and distributors: applications open.",
            intro_zh="面向进口商和经销商的意大利食品饮料：现已开放申请。",  # noqa: RUF001
            name_es="Sabores de Italia",
            intro_es="Alimentación y bebidas italianas para importadores y distribuidores: "
            "solicitudes abiertas.",
            marketplace_slug=TRADE,
            partner_id=partner.pk,
            country_code="IT",
            quota=40,
            sponsorship_months=12,
            category_slugs=_featured(candidates[-10:]),
            now=now - timedelta(days=60),
        )
        second = 0
        for n, merchant_id in enumerate(candidates[len(plan) : len(plan) + 3]):
            applied = now - timedelta(days=50 - n * 5)
            app_id = _apply(food.slug, merchant_id, MOTIVATIONS[(n + 1) % 4], own, applied)
            if n < 2:
                application_decide(
                    actor_id=None,
                    actor_role=SYSTEM,
                    application_id=app_id,
                    admit=True,
                    now=applied + timedelta(days=4),
                )
            second += 1
    return (
        f"pavilions      2 pavilions: {italy.name_en} (quota {QUOTA}: {counts['admitted']} "
        f"admitted, {counts['waitlisted']} waitlisted, {counts['rejected']} rejected, "
        f"{counts['pending']} under review), {food.name_en} ({second} applications, open)"
    )
