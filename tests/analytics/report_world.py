"""A small world for the reports and the analytics API: an Italian merchant (Veneto) and a
French one selling on one marketplace, orders placed through the real checkout in March
2026 and February 2026, a festival around the March orders, a partner that brought the
Italian merchant, staff of each; then the festival's tallies and the analytics rebuilt
from the orders (``festival_retally``, ``analytics_rebuild``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fiera.accounts.roles import SYSTEM
from fiera.analytics.services import analytics_rebuild
from fiera.festivals.models import Festival
from fiera.festivals.tallies import festival_retally
from fiera.orders import services as orders
from fiera.partners.services import lead_go_live
from tests.merchants.factories import italian_vat
from tests.orders import factories as f
from tests.partners.factories import make_lead, make_partner, make_partner_user
from tests.payments.factories import make_rates

NOW = f.NOW  # 2026-03-10 09:30 UTC


@dataclass
class ReportWorld:
    market: Any
    italian: Any
    french: Any
    buyer: Any
    operator: Any
    it_staff: Any
    fr_staff: Any
    partner: Any
    partner_staff: Any
    other_partner: Any
    other_partner_staff: Any
    festival: Any


def place(world_market: Any, buyer: Any, lines: list[tuple[int, int]], *, at: Any, country: str):
    return orders.checkout_submit(
        buyer_id=buyer.pk,
        marketplace_slug=world_market.slug,
        country=country,
        lines=lines,
        shipping_address=f.address(country),
        payment_method="cod",
        now=at,
        actor_role=SYSTEM,
    )


def make_report_world() -> ReportWorld:
    make_rates(on=NOW.date() - timedelta(days=60))  # USD 1.05 per EUR from January on
    market = f.marketplace(countries={"IT": "EUR", "FR": "EUR"})
    italian, french = f.merchant(), f.merchant()
    italian.region_code = "IT-34"
    italian.vat_number = italian_vat()
    italian.save(update_fields=["region_code", "vat_number"])
    french.country = "FR"
    french.save(update_fields=["country"])
    it_item = f.sku(market=market, merchant_obj=italian, price_minor=2_500, stock=500)
    fr_item = f.sku(market=market, merchant_obj=french, price_minor=1_000, stock=500)
    buyer = f.user()
    place(market, buyer, [(it_item.id, 2), (fr_item.id, 1)], at=NOW, country="IT")
    place(market, buyer, [(it_item.id, 1)], at=NOW + timedelta(minutes=5), country="FR")
    place(market, buyer, [(fr_item.id, 3)], at=NOW - timedelta(days=30), country="IT")
    festival = Festival.objects.create(
        slug="spring-fest",
        name="Spring festival",
        name_it="Festa di primavera",
        warmup_starts_at=NOW - timedelta(hours=2),
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(hours=1),
        is_published=True,
        created_at=NOW - timedelta(days=1),
    )
    festival.marketplaces.set([market])
    festival_retally(festival_id=festival.pk, now=NOW + timedelta(hours=2), actor_role=SYSTEM)
    analytics_rebuild(since=None, actor_role=SYSTEM)
    partner = make_partner(slug="camera-veneto", name="Camera Veneto")
    lead = make_lead(partner, "documents", vat_number=italian.vat_number, region_code="IT-34")
    lead_go_live(
        partner_id=partner.id,
        lead_id=lead.id,
        merchant_id=italian.pk,
        now=NOW - timedelta(days=40),
        actor_id=None,
        actor_role=SYSTEM,
    )
    other = make_partner(slug="banca-sud", name="Banca del Sud", region_codes=["IT-72"])
    return ReportWorld(
        market=market,
        italian=italian,
        french=french,
        buyer=buyer,
        operator=f.user(role="operator"),
        it_staff=f.staff(merchant_obj=italian),
        fr_staff=f.staff(merchant_obj=french),
        partner=partner,
        partner_staff=make_partner_user(partner),
        other_partner=other,
        other_partner_staff=make_partner_user(other),
        festival=festival,
    )
