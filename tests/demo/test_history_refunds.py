"""The demo's payment history replays refunds (in part, in full, in two steps) through the
orders refund service on past days: wallets get the money back, settlement shows them, and
running the history again refunds nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.demo.history import build_payment_history
from fiera.orders.models import Order, OrderStatus, Refund
from fiera.payments import selectors
from fiera.payments.models import Payment, PaymentRefund, SettlementRun

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def world(_world: list[str], db: None) -> list[str]:
    return _world


def test_past_days_have_partial_and_full_refunds_settled(world: list[str]) -> None:
    refunds = list(PaymentRefund.objects.select_related("payment"))
    assert len(refunds) >= 2  # the small world has few wallet orders not yet shipped
    assert any(r.paid_minor < r.payment.paid_minor for r in refunds)  # in part
    assert any(r.payment.refunded_paid_minor == r.payment.paid_minor for r in refunds)  # whole
    payment_ids = [r.payment_id for r in refunds]
    assert len(set(payment_ids)) < len(payment_ids)  # one order refunded in two steps
    # The orders say so too, through the orders app's own refund records.
    numbers = {r.payment.reference for r in refunds}
    orders = Order.objects.filter(number__in=numbers)
    assert all(o.refunded_minor > 0 for o in orders)
    assert orders.filter(status=OrderStatus.REFUNDED).exists()
    assert Refund.objects.filter(order__number__in=numbers).count() == len(refunds)
    # Every refund is of a past day and in a settlement run.
    assert all(r.created_at < NOW.replace(hour=0) for r in refunds)
    assert all(r.settlement_run_id is not None for r in refunds)
    assert SettlementRun.objects.filter(refunds_count__gt=0).exists()
    assert any("refunds" in line for line in world if line.strip().startswith("settlement"))
    # The buyer's statement has a refund line naming the order.
    payment = refunds[0].payment
    statement = selectors.wallet_statement(
        owner_id=payment.payer_id, currency=payment.paid_currency, limit=200, actor_role=SYSTEM
    )
    lines = [line for line in statement.lines if line.event == "refund"]
    assert any(payment.reference in [o.number for o in line.orders] for line in lines)


def test_the_history_run_again_refunds_nothing_twice(world: list[str]) -> None:
    before = (PaymentRefund.objects.count(), Payment.objects.count())
    build_payment_history(now=NOW, seed=5, progress=False)
    assert (PaymentRefund.objects.count(), Payment.objects.count()) == before
