"""HS prefixes of cross-border duty rates are ASCII digits: fullwidth and Arabic-Indic digits pass
``str.isdigit()`` and were stored, where no HS code typed by a merchant could match them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.orders import services
from fiera.orders.models import DutyRate
from tests.orders import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("prefix", ["\uff13\uff13", "\u0663\u0663", "3\u00b2"])
def test_an_hs_prefix_in_other_digits_is_refused(prefix: str) -> None:
    market = f.cross_border_market()
    rate = services.DutyRateIn(prefix, Decimal("0.1"), Decimal("0"), date(2020, 1, 1))
    with pytest.raises(services.InvalidInput, match="must be up to 10 digits"):
        services.cross_border_regime_set(
            marketplace_id=market.pk,
            destination_country="CN",
            currency="CNY",
            per_order_limit_minor=500_000,
            annual_limit_minor=2_600_000,
            tax_share="0.7",
            rates=[rate],
            now=f.NOW,
            actor_role=SYSTEM,
        )
    assert not DutyRate.objects.filter(hs_prefix=prefix).exists()
