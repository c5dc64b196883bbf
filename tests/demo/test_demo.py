"""The demo world keeps the invariants the rest of Fiera relies on."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime

import pytest
from django.contrib.auth import authenticate
from django.db.models import Sum
from stdnum.fr import tva as fr_tva
from stdnum.it import iva

from fiera.accounts.models import Role, User
from fiera.catalog.models import Category, Price, Product, StockLevel, Variant
from fiera.common.money import Money
from fiera.common.reference import italian_municipality, italian_regions
from fiera.demo.abroad import COUNTRIES, MAKERS, tax_number_is_valid
from fiera.demo.build import DEMO_PASSWORD, MARKETPLACES, build_demo
from fiera.demo.prices import convert_eur, percent_of
from fiera.marketplaces.models import Marketplace
from fiera.merchants.models import Merchant, StaffMembership, StaffRole, Store
from fiera.orders.models import (
    Checkout,
    CrossBorderAllowance,
    CrossBorderRegime,
    Order,
    OrderLine,
    OrderStatus,
    Refund,
    Shipment,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def world(_world: list[str], db: None) -> list[str]:
    return _world


def test_four_marketplaces_with_their_countries_and_currencies(world: list[str]) -> None:
    found = {
        m.slug: (
            m.kind,
            m.worldwide,
            m.default_currency,
            dict(m.countries.values_list("country", "currency")),
        )
        for m in Marketplace.objects.prefetch_related("countries")
    }
    assert found == {
        "flagship-cn": ("b2c_domestic", False, "CNY", {"CN": "CNY"}),
        "crossborder-cn": ("b2c_cross_border", False, "CNY", {"CN": "CNY"}),
        "trade": ("b2b_trade", True, "USD", {}),
        "sea": (
            "regional",
            False,
            "SGD",
            {"ID": "IDR", "MY": "MYR", "PH": "PHP", "SG": "SGD", "TH": "THB", "VN": "VND"},
        ),
    }
    assert CrossBorderRegime.objects.filter(
        marketplace__slug="crossborder-cn", destination_country="CN"
    ).exists()


def test_merchants_cover_all_regions_with_valid_vat_location_and_ateco(world: list[str]) -> None:
    from fiera.demo.outlets import OPERATOR_SLUG

    merchants = list(
        Merchant.objects.exclude(slug=OPERATOR_SLUG)
        .filter(country="IT")
        .prefetch_related("sectors")
    )
    assert len(merchants) == 20  # the 20 makers; the post-office operator comes on top
    assert {m.region_code for m in merchants} == {r.code for r in italian_regions()}
    for merchant in merchants:
        assert merchant.vat_number.startswith("IT")
        assert iva.is_valid(merchant.vat_number[2:]), merchant.vat_number
        municipality = italian_municipality(merchant.municipality_code)
        assert municipality.region_code == merchant.region_code
        assert municipality.name == merchant.town
        sectors = list(merchant.sectors.all())
        assert sectors
        codes = [code for sector in sectors for code in sector.ateco_codes]
        assert any(merchant.ateco_code.startswith(code) for code in codes), merchant.ateco_code
        assert merchant.legal_name.startswith(merchant.display_name)
        assert merchant.legal_name.rsplit(" ", 1)[-1] in {
            "S.r.l.",
            "S.r.l.s.",
            "S.p.A.",
            "S.n.c.",
            "S.a.s.",
        }
    assert len({m.vat_number for m in merchants}) == 20
    stores = Counter(Store.objects.values_list("merchant_id", flat=True))
    assert all(1 <= stores[m.pk] <= 4 for m in merchants)


def test_makers_from_thirteen_other_countries_with_valid_tax_numbers(world: list[str]) -> None:
    abroad = list(Merchant.objects.exclude(country="IT").prefetch_related("sectors"))
    per_country = Counter(m.country for m in abroad)
    assert len(per_country) == 13 and set(per_country) <= set(COUNTRIES)
    assert len(set(per_country.values())) >= 3  # from one to four makers a country
    assert len(abroad) == len(MAKERS) == len({m.vat_number for m in abroad})
    for merchant in abroad:
        assert tax_number_is_valid(merchant.country, merchant.vat_number), merchant.vat_number
        assert merchant.region_code == merchant.municipality_code == ""
        assert merchant.town and merchant.legal_name.startswith(merchant.display_name)
        assert list(merchant.sectors.all())
    products = Product.objects.filter(merchant__in=abroad)
    assert products.count() == sum(len(m.items) for m in MAKERS)
    for product in products.select_related("merchant"):
        assert product.origin_country == product.merchant.country
        assert product.name_it and product.name_en and product.name_zh
        country = COUNTRIES[product.merchant.country]
        assert country.name.en in product.description_en
        assert country.name.zh in product.description_zh
    stores = Store.objects.filter(merchant__in=abroad)
    assert {s.marketplace.slug for s in stores.select_related("marketplace")} == {
        "crossborder-cn",
        "flagship-cn",
        "sea",
        "trade",  # two olive-oil makers sell to business buyers too (demo.trade_search)
    }
    for store in stores.select_related("merchant"):
        country = COUNTRIES[store.merchant.country]
        assert country.made_in.en in store.description_en, store.description_en
        assert "Italy" not in store.description_en
    french = Merchant.objects.get(display_name="Maison Lavandière")
    assert french.vat_number.startswith("FR") and fr_tva.is_valid(french.vat_number)
    assert StockLevel.objects.filter(merchant__in=abroad, units_on_hand__gt=0).exists()


def test_products_speak_three_languages_with_hs_codes(world: list[str]) -> None:
    products = list(Product.objects.all())
    assert len(products) >= 20 * 5
    for product in products:
        assert product.name_it and product.name_en and product.name_zh
        assert product.description_it and product.description_en and product.description_zh
        assert len(product.hs_code) == 6 and product.hs_code.isdigit()
        assert product.category_id is not None
    assert Category.objects.filter(parent__isnull=True).count() >= 5
    olive = [p for p in products if p.hs_code == "150920"]
    assert all("olive oil" in p.name_en and "橄榄油" in p.name_zh for p in olive)


def test_every_store_prices_its_variants_in_each_marketplace_currency(world: list[str]) -> None:
    currencies = {
        spec.slug: set(spec.countries.values()) or {spec.default_currency} for spec in MARKETPLACES
    }
    prices: dict[tuple[int, str], dict[str, list[tuple[int, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for variant_id, slug, currency, amount, min_quantity in Price.objects.values_list(
        "variant_id", "marketplace__slug", "currency", "amount_minor", "min_quantity"
    ):
        Money(amount, currency)  # a real ISO currency with an integer amount
        assert amount > 0
        prices[(variant_id, slug)][currency].append((min_quantity, amount))
    variants = defaultdict(list)
    for variant_id, merchant_id in Variant.objects.values_list("id", "merchant_id"):
        variants[merchant_id].append(variant_id)
    stores = list(Store.objects.values_list("merchant_id", "marketplace__slug"))
    assert stores
    for merchant_id, slug in stores:
        for variant_id in variants[merchant_id]:
            by_currency = prices[(variant_id, slug)]
            assert set(by_currency) == currencies[slug], (variant_id, slug)
            for tiers in by_currency.values():
                tiers.sort()
                assert tiers[0][0] == 1
                assert [a for _, a in tiers] == sorted((a for _, a in tiers), reverse=True)
                if slug == "trade":
                    assert [q for q, _ in tiers] == [1, 10, 50, 100]


def test_demo_rates_convert_exactly_with_iso_exponents() -> None:
    assert convert_eur(1990, "CNY") == Money(15500, "CNY")  # 19.90 EUR x 7.80 = 155.22 -> 155
    assert convert_eur(1990, "VND") == Money(547_000, "VND")  # no minor unit, 1,000 steps
    assert convert_eur(1990, "IDR").amount_minor % 100_000 == 0
    assert convert_eur(1990, "USD") == Money(2150, "USD")  # 21.492 -> 21.50
    assert percent_of(10_000, 85, "USD") == 8500


def test_orders_add_up_and_follow_the_state_machine(world: list[str]) -> None:
    orders = list(Order.objects.all())
    assert len(orders) >= 100
    assert {o.status for o in orders} >= {
        OrderStatus.DELIVERED,
        OrderStatus.SHIPPED,
        OrderStatus.CANCELLED,
    }
    line_sums = {
        row["order_id"]: row
        for row in OrderLine.objects.values("order_id").annotate(
            goods=Sum("line_total_minor"), tax=Sum("tax_minor")
        )
    }
    for line in OrderLine.objects.all():
        assert line.line_total_minor == line.unit_price_minor * line.quantity > 0
    shipments = Counter(Shipment.objects.values_list("order_id", flat=True))
    refunds: defaultdict[int, int] = defaultdict(int)
    for order_id, amount in Refund.objects.values_list("order_id", "amount_minor"):
        refunds[order_id] += amount
    for order in orders:
        sums = line_sums[order.pk]
        assert order.subtotal_minor == sums["goods"]
        assert order.tax_minor == sums["tax"]
        assert order.total_minor == order.subtotal_minor + order.tax_minor
        assert order.refunded_minor == refunds[order.pk] <= order.total_minor
        assert order.placed_at <= NOW
        if order.status in {OrderStatus.PLACED, OrderStatus.CANCELLED}:
            assert order.shipped_at is None and shipments[order.pk] == 0
        if order.status == OrderStatus.CANCELLED:
            assert order.cancelled_at is not None and order.cancelled_at >= order.placed_at
        if order.status in {OrderStatus.SHIPPED, OrderStatus.DELIVERED}:
            assert order.shipped_at is not None and order.shipped_at >= order.placed_at
            assert shipments[order.pk] >= 1
        if order.status == OrderStatus.DELIVERED:
            assert order.delivered_at is not None and order.shipped_at is not None
            assert order.delivered_at >= order.shipped_at
            assert order.paid_at is not None
        if order.status == OrderStatus.REFUNDED:
            assert order.refunded_minor == order.total_minor and order.refunded_at is not None
    for checkout in Checkout.objects.prefetch_related("orders"):
        parts = list(checkout.orders.all())
        assert len(parts) == checkout.order_count
        assert checkout.subtotal_minor == sum(o.subtotal_minor for o in parts)
        assert checkout.total_minor == sum(o.total_minor for o in parts)
        assert {o.currency for o in parts} == {checkout.currency}
    tracking = list(Shipment.objects.values_list("carrier", "tracking_number"))
    assert len(tracking) == len(set(tracking))


def test_cross_border_orders_pay_tax_within_the_allowance(world: list[str]) -> None:
    regime = CrossBorderRegime.objects.get(marketplace__slug="crossborder-cn")
    cross = Order.objects.filter(marketplace__slug="crossborder-cn")
    assert cross.exists()
    used: Counter[tuple[int, int]] = Counter()
    for order in cross:
        assert order.tax_minor > 0 and order.cross_border_year == order.placed_at.year
        assert order.subtotal_minor <= regime.per_order_limit_minor
        if order.status != OrderStatus.CANCELLED and order.cancelled_at is None:
            used[(order.buyer_id, order.cross_border_year)] += order.subtotal_minor
    stored = {(a.buyer_id, a.year): a.used_minor for a in CrossBorderAllowance.objects.all()}
    assert stored == {key: value for key, value in used.items() if value}
    assert all(value <= regime.annual_limit_minor for value in stored.values())
    assert (
        not Order.objects.exclude(marketplace__slug="crossborder-cn")
        .filter(tax_minor__gt=0)
        .exists()
    )


def test_stock_is_never_negative_and_reflects_the_orders(world: list[str]) -> None:
    levels = list(StockLevel.objects.all())
    assert len(levels) == Variant.objects.count()
    assert all(level.units_on_hand >= 0 for level in levels)
    sold = OrderLine.objects.exclude(order__status=OrderStatus.CANCELLED).aggregate(
        units=Sum("quantity")
    )["units"]
    assert sold and sold > 0


def test_demo_logins_authenticate_with_their_roles(world: list[str]) -> None:
    logins = ("operator", "merchant", "buyer", "buyer-sg", "buyer-b2b")
    # Hashing is slow by design: check two logins, and that all five share the one hash.
    for username in ("operator", "buyer"):
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None, username
    assert authenticate(username="buyer", password="wrong-password") is None
    assert (
        len(set(User.objects.filter(username__in=logins).values_list("password", flat=True))) == 1
    )
    assert User.objects.filter(username__in=logins, is_active=True).count() == 5
    operator = User.objects.get(username="operator")
    assert operator.role == Role.OPERATOR and operator.business_unit == "ICE Digital"
    assert operator.is_staff and operator.is_superuser
    assert User.objects.filter(is_superuser=True).count() == 1
    assert User.objects.get(username="buyer").country == "CN"
    assert User.objects.get(username="buyer-sg").country == "SG"
    b2b = User.objects.get(username="buyer-b2b")
    assert (b2b.country, b2b.buyer_kind) == ("US", "business")
    owner = StaffMembership.objects.get(user__username="merchant")
    assert owner.role == StaffRole.OWNER
    assert StockLevel.objects.filter(merchant_id=owner.merchant_id, units_on_hand__gt=0).exists()
    for username in ("buyer", "buyer-sg", "buyer-b2b"):
        assert Order.objects.filter(buyer__username=username).exists(), username
    assert User.objects.filter(role=Role.BUYER).count() >= 30
    assert any("operator" in line for line in world)


@pytest.mark.django_db
def test_same_seed_same_world_and_reset_replaces_it() -> None:
    build_demo(merchants=20, seed=9, now=NOW, progress=False, outlets=False)
    first = list(Merchant.objects.order_by("vat_number").values_list("vat_number", "legal_name"))
    names = sorted(Product.objects.values_list("name_en", flat=True))
    build_demo(merchants=20, seed=9, now=NOW, progress=False, outlets=False)
    assert (
        list(Merchant.objects.order_by("vat_number").values_list("vat_number", "legal_name"))
        == first
    )
    assert sorted(Product.objects.values_list("name_en", flat=True)) == names
    assert Marketplace.objects.count() == 4
    assert User.objects.filter(username="operator").count() == 1


@pytest.mark.django_db
def test_keep_adds_merchants_next_to_the_existing_world() -> None:
    build_demo(merchants=20, seed=3, now=NOW, progress=False, outlets=False)
    build_demo(merchants=6, seed=4, reset=False, now=NOW, progress=False, outlets=False)
    assert Merchant.objects.filter(country="IT").count() == 26
    assert Merchant.objects.exclude(country="IT").count() == len(MAKERS)  # not twice
    assert Marketplace.objects.count() == 4
    assert User.objects.filter(username="buyer").count() == 1


def test_the_post_office_network_and_fx_rates_are_part_of_the_demo(world: list[str]) -> None:
    from fiera.payments.models import FxRate, Outlet

    assert Outlet.objects.filter(status="pilot").count() == 4
    assert Outlet.objects.filter(status="planned").count() == 12_800
    assert Outlet.objects.values("municipality_code").distinct().count() > 7_000
    assert FxRate.objects.filter(quote="CNY").count() > 200  # a year of ECB working days
    assert any("outlets" in line for line in world)


def test_the_readme_buyer_keeps_the_allowance_and_a_second_buyer_is_near_the_limit(
    world: list[str],
) -> None:
    regime = CrossBorderRegime.objects.get(marketplace__slug="crossborder-cn")
    limit = regime.annual_limit_minor

    def used(username: str) -> int:
        row = CrossBorderAllowance.objects.filter(
            buyer__username=username, year=NOW.year, currency="CNY"
        ).first()
        return row.used_minor if row else 0

    assert limit - used("buyer") >= limit * 80 // 100  # a visitor's checkouts go through
    left = limit - used("buyer-cbec")
    assert 0 <= left < 40_000  # less than CNY 400 left: the rule refuses most checkouts
    assert User.objects.get(username="buyer-cbec").country == "CN"
    assert any(line.strip().startswith("buyer-cbec") for line in world)


def test_demo_wallets_follow_the_buyers_profile(world: list[str]) -> None:
    from fiera.payments.models import Wallet

    def currencies(username: str) -> set[str]:
        return set(
            Wallet.objects.filter(user__username=username).values_list("currency", flat=True)
        )

    assert currencies("buyer-sg") == {"SGD"}
    assert currencies("buyer") == {"CNY"}
    assert "USD" in currencies("buyer-b2b")


def test_past_days_have_payments_settled_into_runs_with_fees(world: list[str]) -> None:
    from fiera.payments.models import Payment, QrPayment, SettlementRun

    runs = SettlementRun.objects.all()
    days = set(runs.values_list("day", flat=True))
    assert days and max(days) < NOW.date() and len(days) >= 3
    assert runs.filter(fees_minor__gt=0, payout_minor__gt=0).exists()
    assert QrPayment.objects.filter(status="S").count() >= 7
    assert Payment.objects.filter(kind="checkout").exists()
    # Every payment of a past day is in a run (a statement line), none left unsettled.
    assert not Payment.objects.filter(settlement_run__isnull=True).exists()
    for run in runs:
        assert run.payments_count == Payment.objects.filter(settlement_run=run).count()
        assert run.net_minor == run.gross_minor - run.refunds_minor - run.fees_minor + (
            run.carried_in_minor
        )
    assert any(line.strip().startswith("settlement") and "runs" in line for line in world)


def test_the_summary_ends_with_the_logins_after_every_step(world: list[str]) -> None:
    """The last lines a person reads after `fiera demo` are who can sign in; what every
    step built (outlets, rates, wallets, settlement) comes before them, not after."""
    sign_in = next(i for i, line in enumerate(world) if line.startswith("Sign in at /login/"))
    before = "\n".join(world[:sign_in])
    for step in ("outlets:", "fx rates", "wallets", "settlement"):
        assert step in before, step
    after = world[sign_in + 1 :]
    assert after and all(line.startswith("  ") for line in after)
    assert any("buyer" in line for line in after)


def test_every_product_has_a_picture_and_every_store_a_logo(world: list[str]) -> None:
    from pathlib import Path

    from django.conf import settings
    from django.core.files.storage import default_storage

    from fiera.catalog.models import ProductImage

    assert not Product.objects.filter(images__isnull=True).exists()
    assert ProductImage.objects.count() == Product.objects.count()
    names = set(ProductImage.objects.values_list("image", flat=True))
    assert 1 < len(names) < Product.objects.count()  # a bounded set of shared files
    for name in names:
        assert default_storage.exists(name)
        assert Path(default_storage.path(name)).is_relative_to(Path(settings.MEDIA_ROOT))
    stores = list(Store.objects.values("logo", "description_en", "description_it", "is_featured"))
    assert all(s["logo"] and s["description_en"] and s["description_it"] for s in stores)
    featured = Counter(
        Store.objects.filter(is_featured=True).values_list("marketplace__slug", flat=True)
    )
    assert featured and all(1 <= n <= 6 for n in featured.values())
    assert any("pictures" in line for line in world)


# --- a9: issue 9's demo, in the whole demo world ---


def test_the_whole_demo_has_the_b2b_trade_world_of_issue_9(world: list[str]) -> None:
    """`fiera demo` as a whole (not each trade step on a world of its own): buyer companies
    from many countries, inquiries, RFQs with quotes in every state, orders in escrow, a
    dispute, a pavilion with admitted and waitlisted companies, partners with leads in every
    stage; the pavilion's landing page shows its companies and figures."""
    from django.test import Client
    from django.utils.html import escape

    from fiera.partners.models import Lead, LeadStage
    from fiera.payments.models import Escrow, EscrowStatus
    from fiera.trade.models import (
        BuyerCompany,
        Dispute,
        Inquiry,
        Pavilion,
        PavilionApplication,
        Quote,
        QuoteStatus,
        Rfq,
    )

    countries = set(BuyerCompany.objects.values_list("country", flat=True))
    assert len(countries) >= 8, countries
    assert Inquiry.objects.count() >= 10
    assert len(set(Rfq.objects.values_list("destination_country", flat=True))) >= 5
    assert set(Quote.objects.values_list("status", flat=True)) == set(QuoteStatus.values)
    escrows = Counter(Escrow.objects.values_list("status", flat=True))
    assert escrows[EscrowStatus.HELD] and escrows[EscrowStatus.RELEASED], escrows
    assert Dispute.objects.exists()
    stages = Counter(Lead.objects.values_list("stage", flat=True))
    assert set(stages) == set(LeadStage.values), stages
    statuses = Counter(PavilionApplication.objects.values_list("status", flat=True))
    assert statuses["admitted"] and statuses["waitlisted"], statuses
    full = Pavilion.objects.filter(admitted_count__gt=0).order_by("-admitted_count").first()
    assert full is not None
    page = Client().get(f"/trade/pavilions/{full.slug}/")
    assert page.status_code == 200
    html = page.content.decode()
    admitted = PavilionApplication.objects.filter(pavilion=full, status="admitted").first()
    assert admitted is not None and escape(admitted.merchant.display_name) in html
