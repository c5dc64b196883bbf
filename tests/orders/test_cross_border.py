"""Cross-border (CBEC) checkout: per-order and yearly limits, tax per line computed the
customs way, rates as data. Expected numbers are worked out by hand in the comments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.orders import selectors, services
from fiera.orders.models import CrossBorderAllowance, CrossBorderRegime, DutyRate, OrderLine
from fiera.orders.pricing import cbec_line_tax_minor
from tests.orders import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def market():
    market = f.cross_border_market()
    services.cross_border_rates_load(marketplace_id=market.pk, now=f.NOW)
    return market


def place(buyer, market, lines, **kwargs):
    params = {
        "buyer_id": buyer.pk,
        "marketplace_slug": market.slug,
        "country": "CN",
        "lines": lines,
        "shipping_address": f.address("CN", city="Shanghai", postal_code="200000"),
        "payment_method": "cod",
        "now": f.NOW,
        "actor_role": SYSTEM,
    }
    params.update(kwargs)
    return services.checkout_submit(**params)


def test_the_shipped_china_rates_load_idempotently(market):
    services.cross_border_rates_load(marketplace_id=market.pk, now=f.NOW)
    regime = CrossBorderRegime.objects.get(marketplace=market, destination_country="CN")
    assert (regime.currency, regime.per_order_limit_minor, regime.annual_limit_minor) == (
        "CNY",
        500000,
        2600000,
    )
    assert regime.tax_share == Decimal("0.70")
    assert "2018" in regime.source
    rates = {r.hs_prefix: r for r in DutyRate.objects.filter(regime=regime)}
    assert len(rates) == DutyRate.objects.filter(regime=regime).count()  # no duplicates
    assert rates[""].vat_rate == Decimal("0.13")
    assert rates["1509"].vat_rate == Decimal("0.09")
    assert rates["3304"].consumption_tax_rate == Decimal("0.15")


def test_tax_per_line_hand_computed(market):
    buyer = f.user()
    shirt = f.sku(market=market, price_minor=10000, hs_code="620520")  # general goods, 13%
    oil = f.sku(market=market, price_minor=10000, hs_code="150910")  # olive oil, 9%
    cream = f.sku(market=market, price_minor=10000, hs_code="330499")  # cosmetics, CT 15%
    wine = f.sku(market=market, price_minor=10000, hs_code="220421")  # wine, CT 10%
    result = place(buyer, market, [(shirt.id, 1), (oil.id, 1), (cream.id, 1), (wine.id, 1)])
    taxes = {line.sku: line.tax_minor for o in result.orders for line in o.lines}
    # 100.00 CNY x 13% x 70% = 9.10
    assert taxes[shirt.variant.sku] == 910
    # 100.00 x 9% x 70% = 6.30
    assert taxes[oil.variant.sku] == 630
    # CT = 10000 / 0.85 x 0.15 = 1764.7059; VAT = (10000 + 1764.7059) x 0.13 = 1529.4118
    # (1764.7059 + 1529.4118) x 0.70 = 2305.88 -> 2306 fen
    assert taxes[cream.variant.sku] == 2306
    # CT = 10000 / 0.9 x 0.1 = 1111.1111; VAT = 11111.1111 x 0.13 = 1444.4444
    # (1111.1111 + 1444.4444) x 0.70 = 1788.89 -> 1789 fen
    assert taxes[wine.variant.sku] == 1789
    assert result.tax_minor == 910 + 630 + 2306 + 1789
    assert result.total_minor == result.subtotal_minor + result.tax_minor == 40000 + 5635
    stored = OrderLine.objects.get(sku=cream.variant.sku)
    assert stored.tax_minor == 2306
    assert stored.order.tax_minor == 2306  # one merchant per sku here: its order's tax
    assert len(result.orders) == 4


def test_tax_is_rounded_once_per_line_half_up(market):
    # 5.00 CNY x 0.091 = 0.455 -> 0.46 (half up), and on 3 units 15.00 x 0.091 = 1.365 -> 1.37
    # (rounded per line, not per unit: 3 x 0.46 would be 1.38)
    cheap = f.sku(market=market, price_minor=500, hs_code="620520")
    result = place(f.user(), market, [(cheap.id, 3)])
    assert result.orders[0].lines[0].tax_minor == 137
    assert (
        cbec_line_tax_minor(
            goods_minor=500,
            currency="CNY",
            vat_rate=Decimal("0.13"),
            consumption_tax_rate=Decimal("0"),
            tax_share=Decimal("0.70"),
        )
        == 46
    )


def test_per_order_limit_is_5000_cny_of_goods_per_merchant_order(market):
    buyer = f.user()
    at_limit = f.sku(market=market, price_minor=500000)
    over = f.sku(market=market, price_minor=500001)
    assert place(buyer, market, [(at_limit.id, 1)]).subtotal_minor == 500000
    with pytest.raises(services.InvalidInput) as excinfo:
        place(f.user(), market, [(over.id, 1)])
    assert excinfo.value.code == "cross_border_order_limit"
    assert excinfo.value.status == 422
    assert over.stock() == 100
    # two merchants, 3,000 CNY each: two orders, each within the limit
    a = f.sku(market=market, price_minor=300000)
    b = f.sku(market=market, price_minor=300000)
    assert len(place(f.user(), market, [(a.id, 1), (b.id, 1)]).orders) == 2


def test_annual_limit_counts_the_calendar_year_of_now(market):
    buyer = f.user()
    item = f.sku(market=market, price_minor=100000, stock=1000)  # 1,000 CNY
    CrossBorderAllowance.objects.create(
        buyer=buyer, year=2026, currency="CNY", used_minor=2500000, updated_at=f.NOW
    )
    CrossBorderAllowance.objects.create(
        buyer=buyer, year=2025, currency="CNY", used_minor=2600000, updated_at=f.NOW
    )
    place(buyer, market, [(item.id, 1)])  # 25,000 + 1,000 = 26,000: exactly the limit
    assert CrossBorderAllowance.objects.get(buyer=buyer, year=2026).used_minor == 2600000
    cent = f.sku(market=market, price_minor=1)
    with pytest.raises(services.InvalidInput) as excinfo:
        place(buyer, market, [(cent.id, 1)])
    assert excinfo.value.code == "cross_border_annual_limit"
    assert excinfo.value.extra["left_minor"] == 0
    assert "0.00 CNY is left for 2026" in excinfo.value.detail
    assert cent.stock() == 100


def test_annual_limit_detail_says_how_much_is_left(market):
    buyer = f.user()
    CrossBorderAllowance.objects.create(
        buyer=buyer, year=2026, currency="CNY", used_minor=2400000, updated_at=f.NOW
    )
    item = f.sku(market=market, price_minor=200001)
    with pytest.raises(services.InvalidInput) as excinfo:
        place(buyer, market, [(item.id, 1)])
    assert excinfo.value.extra["left_minor"] == 200000
    assert "2000.00 CNY is left" in excinfo.value.detail
    assert CrossBorderAllowance.objects.get(buyer=buyer).used_minor == 2400000


def test_first_checkout_of_the_year_creates_the_allowance_and_cancel_gives_it_back(market):
    buyer = f.user()
    item = f.sku(market=market, price_minor=120000)
    result = place(buyer, market, [(item.id, 2)])
    allowance = CrossBorderAllowance.objects.get(buyer=buyer, year=2026)
    assert allowance.used_minor == 240000
    services.order_cancel(
        actor_id=buyer.pk, actor_role="buyer", number=result.orders[0].number, now=f.NOW
    )
    allowance.refresh_from_db()
    assert allowance.used_minor == 0


def test_longest_prefix_and_latest_valid_rate_win(market):
    regime = CrossBorderRegime.objects.get(marketplace=market)
    services.cross_border_regime_set(
        marketplace_id=market.pk,
        destination_country="CN",
        currency="CNY",
        per_order_limit_minor=500000,
        annual_limit_minor=2600000,
        tax_share="0.70",
        rates=[
            services.DutyRateIn("330499", Decimal("0.13"), Decimal("0"), date(2019, 4, 1)),
            services.DutyRateIn("3304", Decimal("0.13"), Decimal("0.10"), date(2027, 1, 1)),
        ],
        now=f.NOW,
        actor_role=SYSTEM,
    )
    assert CrossBorderRegime.objects.get().pk == regime.pk
    exempt = f.sku(market=market, price_minor=10000, hs_code="330499")
    taxed = f.sku(market=market, price_minor=10000, hs_code="330410")
    result = place(f.user(), market, [(exempt.id, 1), (taxed.id, 1)])
    taxes = {line.sku: line.tax_minor for o in result.orders for line in o.lines}
    assert taxes[exempt.variant.sku] == 910  # the 6-digit prefix: VAT only
    assert taxes[taxed.variant.sku] == 2306  # 3304 from 2019 (the 2027 row is not valid yet)


def test_no_regime_for_the_destination_means_no_cbec_tax():
    market = f.marketplace(kind="b2c_cross_border", countries={"HK": "HKD"}, default_currency="HKD")
    item = f.sku(market=market, currency="HKD", price_minor=10000)
    result = place(f.user(), market, [(item.id, 1)], country="HK", shipping_address=f.address("HK"))
    assert result.tax_minor == 0
    assert not CrossBorderAllowance.objects.exists()


def test_quote_shows_tax_and_allowance_without_reserving(market):
    buyer = f.user()
    CrossBorderAllowance.objects.create(
        buyer=buyer, year=2026, currency="CNY", used_minor=1000000, updated_at=f.NOW
    )
    cream = f.sku(market=market, price_minor=10000, hs_code="330499", stock=5)
    quote = selectors.checkout_quote(
        buyer_id=buyer.pk,
        marketplace_slug=market.slug,
        country="CN",
        lines=[(cream.id, 2)],
        now=f.NOW,
    )
    # 200.00 CNY of cosmetics: 20000 x 0.70 x 0.28 / 0.85 = 4611.76 -> 4612
    assert (quote.subtotal_minor, quote.tax_minor, quote.total_minor) == (20000, 4612, 24612)
    assert quote.cross_border is not None
    assert quote.cross_border.annual_left_minor == 1600000
    assert quote.groups[0].lines[0].units_available == 5
    assert cream.stock() == 5
    placed = place(buyer, market, [(cream.id, 2)])
    assert placed.tax_minor == quote.tax_minor


def test_regime_rules_are_validated(market):
    base = {
        "marketplace_id": market.pk,
        "destination_country": "CN",
        "currency": "CNY",
        "per_order_limit_minor": 1,
        "annual_limit_minor": 1,
        "tax_share": "0.7",
        "now": f.NOW,
        "actor_role": SYSTEM,
    }
    for bad in (
        {"destination_country": "XX"},
        {"currency": "ZZZ"},
        {"per_order_limit_minor": 0},
        {"tax_share": "1.5"},
        {"rates": [services.DutyRateIn("33a", Decimal("0.1"), Decimal("0"), date(2020, 1, 1))]},
        {"rates": [services.DutyRateIn("33", Decimal("1"), Decimal("0"), date(2020, 1, 1))]},
    ):
        with pytest.raises(services.InvalidInput):
            services.cross_border_regime_set(**{**base, **bad})
    with pytest.raises(services.PermissionDenied):
        services.cross_border_regime_set(**{**base, "actor_role": "merchant"})
