"""The demo's trade search (decision 0019): two foreign olive-oil makers of the demo
(``fiera.demo.abroad``: Almazara Sierra Sur, Spain; Kalamata Grove, Greece) also sell on
the trade marketplace, with USD tier prices from their list price and a supplier profile,
so that the search's country-of-origin filter narrows something (the Italian suppliers'
listings are all of Italian origin) and "olio"/"olive oil"/"橄榄油" finds suppliers from three
countries. Idempotent: a maker already on the trade marketplace is left as it is."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from fiera.accounts.roles import SYSTEM
from fiera.catalog.models import Price, Variant
from fiera.demo.prices import convert_eur, percent_of
from fiera.marketplaces.models import Marketplace
from fiera.merchants.models import Merchant, Store
from fiera.trade.services import supplier_profile_save

MAKERS = (
    (
        "Almazara Sierra Sur",
        "Almazara en Jaén: aceite de oliva virgen extra picual y hojiblanca a granel y envasado.",
        "Frantoio a Jaén: olio extravergine picual e hojiblanca, sfuso e confezionato.",
        "Mill in Jaén: picual and hojiblanca extra virgin olive oil, bulk and bottled.",
        "哈恩的榨油厂。皮夸尔和霍希布兰卡特级初榨橄榄油。散装与瓶装。",
    ),
    (
        "Kalamata Grove",
        "",
        "Olio extravergine di Kalamata DOP e miele di timo, anche a marchio del cliente.",
        "Kalamata PDO extra virgin olive oil and thyme honey, also under private label.",
        "卡拉马塔原产地特级初榨橄榄油和百里香蜂蜜。可贴牌。",
    ),
)
# (min quantity, percent of the list price): the demo's trade tiers (demo.build MARKETPLACES)
TIERS = ((1, 100), (10, 92), (50, 85), (100, 80))


def build_trade_search(*, now: datetime) -> str:
    market = Marketplace.objects.filter(kind="b2b_trade", is_active=True).order_by("pk").first()
    if market is None:
        return "trade search   no trade marketplace"
    added = 0
    with transaction.atomic():
        for name, _es, it, en, zh in MAKERS:
            merchant = Merchant.objects.filter(display_name=name).first()
            if (
                merchant is None
                or Store.objects.filter(merchant=merchant, marketplace=market).exists()
            ):
                continue
            shop = Store.objects.filter(merchant=merchant).order_by("pk").first()
            Store.objects.create(  # its logo and words from its consumer store
                merchant=merchant,
                marketplace=market,
                slug=merchant.slug,
                name=name,
                logo=shop.logo if shop else "",
                description_it=shop.description_it if shop else "",
                description_en=shop.description_en if shop else "",
                description_zh=shop.description_zh if shop else "",
            )
            for variant in Variant.objects.filter(merchant_id=merchant.pk, is_active=True):
                first = (
                    Price.objects.filter(variant=variant, currency="EUR", min_quantity=1).first()
                    or Price.objects.filter(variant=variant, min_quantity=1).first()
                )
                if first is None:
                    continue
                eur = first.amount_minor if first.currency == "EUR" else 1500
                usd = convert_eur(eur, market.default_currency).amount_minor
                Price.objects.bulk_create(
                    Price(
                        variant=variant,
                        merchant_id=merchant.pk,
                        marketplace=market,
                        currency=market.default_currency,
                        amount_minor=percent_of(usd, pct, market.default_currency),
                        min_quantity=min_q,
                    )
                    for min_q, pct in TIERS
                )
            supplier_profile_save(
                actor_id=None,
                actor_role=SYSTEM,
                merchant_id=merchant.pk,
                capabilities_it=it,
                capabilities_en=en,
                capabilities_zh=zh,
                main_markets=["US", "DE", "CN"],
                now=now,
            )
            added += 1
    return f"trade search   {added} foreign makers also on {market.slug} (origin filter)"
