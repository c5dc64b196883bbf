"""The demo post-office network: idempotent, real municipalities, fast enough."""

from __future__ import annotations

import time

import pytest
from stdnum.it import iva

from fiera.accounts.roles import SYSTEM
from fiera.demo.outlets import OPERATOR_SLUG, build_outlets
from fiera.merchants.models import Merchant
from fiera.payments import selectors
from fiera.payments.models import Outlet, Terminal

pytestmark = pytest.mark.django_db


def test_small_network_is_idempotent() -> None:
    line = build_outlets(seed=11, pilot=4, rollout=300, progress=False)
    assert "4 pilot and 300 planned" in line
    assert "(304 created now)" in line
    operator = Merchant.objects.get(slug=OPERATOR_SLUG)
    assert iva.is_valid(operator.vat_number[2:])
    pilots = Outlet.objects.filter(merchant=operator, status="pilot")
    assert sorted(o.municipality_code for o in pilots) == ["015146", "027042", "048017", "058091"]
    assert all(o.opened_at is not None for o in pilots)
    assert Outlet.objects.filter(merchant=operator, status="planned").count() == 300
    assert Terminal.objects.filter(merchant=operator).count() == 304
    assert len({o.municipality_code for o in Outlet.objects.filter(status="planned")}) == 300

    again = build_outlets(seed=11, pilot=4, rollout=300, progress=False)
    assert "(0 created now)" in again
    assert Outlet.objects.count() == 304
    assert Merchant.objects.filter(slug=OPERATOR_SLUG).count() == 1


def test_full_network_is_built_well_under_twenty_seconds() -> None:
    started = time.perf_counter()
    build_outlets(seed=7, progress=False)
    elapsed = time.perf_counter() - started
    summary = selectors.outlet_rollout(actor_role=SYSTEM)
    assert summary.total == 12_804
    assert summary.by_status["planned"] == 12_800
    assert summary.by_status["pilot"] == 4
    assert len(summary.regions) == 20
    assert elapsed < 20, f"{elapsed:.1f} s"


@pytest.mark.usefixtures("ledger_ok")
def test_demo_wallets_let_the_buyer_pay_at_a_pilot_post_office() -> None:
    from datetime import UTC, datetime

    from fiera.demo.wallets import build_wallets
    from fiera.payments import services
    from tests.payments.factories import make_rates, make_user

    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    make_rates(on=now.date())
    buyer = make_user("buyer", username="buyer", country="CN")
    make_user("buyer", username="buyer-sg", country="SG")
    line = build_wallets(seed=11, now=now)
    assert "2 wallets of demo buyers (1 CNY, 1 SGD)" in line
    before = {w.user_id: w.posted for w in _wallets()}
    assert build_wallets(seed=11, now=now) == line  # nothing new the second time
    assert {w.user_id: w.posted for w in _wallets()} == before
    build_outlets(seed=11, pilot=1, rollout=0, progress=False)
    pilot = Outlet.objects.get(status="pilot")
    payload = selectors.outlet_qr(outlet_id=pilot.pk, amount_minor=2_000, actor_role=SYSTEM).payload
    result = services.qr_payment_submit(
        user_id=buyer.pk, payload=payload, request_id="demo-pay", now=now, actor_role=SYSTEM
    )
    assert result.status == "S"


def _wallets() -> list[selectors.WalletInfo]:
    from fiera.payments.models import Wallet

    return [selectors.wallet_info(w) for w in Wallet.objects.all()]
