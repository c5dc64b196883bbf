"""On an annual-limit refusal the checkout's summary keeps the "left of your yearly
allowance" line, with the amount the refusal names."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from fiera.accounts.roles import SYSTEM
from fiera.orders import services
from fiera.orders.models import CrossBorderAllowance
from tests.orders import factories as f

pytestmark = pytest.mark.django_db


def test_refused_checkout_summary_says_what_is_left_of_the_allowance(client):
    market = f.cross_border_market(slug="kuajing")
    services.cross_border_rates_load(marketplace_id=market.pk, now=f.NOW)
    item = f.sku(market=market, price_minor=200_001, stock=5)
    buyer = f.user()
    CrossBorderAllowance.objects.create(
        buyer=buyer,
        year=timezone.now().year,
        currency="CNY",
        used_minor=2_400_000,
        updated_at=f.NOW,
    )
    services.cart_line_set(
        buyer_id=buyer.pk,
        marketplace_slug="kuajing",
        variant_id=item.id,
        quantity=1,
        now=f.NOW,
        actor_role=SYSTEM,
    )
    client.force_login(buyer)
    page = client.get(reverse("orders:checkout", args=["kuajing"]))
    html = page.content.decode()
    assert 'data-rule="cross_border_annual_limit"' in html
    summary = html[html.index('id="summary-heading"') :]
    assert "Left of your yearly allowance" in summary
    assert "2,000.00" in summary  # CNY 26,000 - 24,000
    assert page.context["quote"].cross_border.annual_left_minor == 200_000
