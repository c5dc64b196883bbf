"""Trade-assurance escrow: a pending ledger transfer that delivery posts (and pays to the
merchant), a dispute voids, and a timeout expires."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.common.money import Money
from fiera.ledger import services as ledger
from fiera.payments import selectors, services
from tests.payments.factories import (
    NOW,
    funded_wallet,
    make_buyer,
    make_merchant,
    make_rates,
    merchant_balance,
    snapshot,
    system_balance,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_ok")]


def wallet(user: object, currency: str = "EUR") -> selectors.WalletInfo:
    return selectors.wallet_get(owner_id=user.pk, currency=currency, actor_role=SYSTEM)  # type: ignore[attr-defined]


def hold(
    buyer: object, merchant_id: int, amount: int = 30_000, currency: str = "EUR", **kw: object
) -> selectors.EscrowInfo:
    values: dict[str, object] = {
        "buyer_id": buyer.pk,  # type: ignore[attr-defined]
        "merchant_id": merchant_id,
        "reference": "b2b-order-1",
        "amount": Money(amount, currency),
        "timeout_seconds": 3600,
        "now": NOW,
    }
    values.update(kw)
    return services.escrow_hold(**values)  # type: ignore[arg-type]


def test_a_hold_reserves_without_moving() -> None:
    buyer, merchant = make_buyer(), make_merchant()
    funded_wallet(buyer, 50_000, "EUR")
    info = hold(buyer, merchant.pk)
    assert info.status == "held" and info.expires_at == NOW + timedelta(hours=1)
    balance = wallet(buyer)
    assert balance.posted.amount_minor == 50_000
    assert balance.available.amount_minor == 20_000
    assert balance.pending.amount_minor == -30_000
    assert system_balance("escrow", "EUR") == 0  # nothing posted yet


def test_release_posts_it_and_pays_the_merchant() -> None:
    buyer, merchant = make_buyer(), make_merchant()
    funded_wallet(buyer, 50_000, "EUR")
    hold(buyer, merchant.pk)
    info = services.escrow_release(reference="b2b-order-1", now=NOW + timedelta(minutes=5))
    assert info.status == "released" and info.payment is not None
    assert info.payment.kind == "escrow" and info.payment.credit == Money(30_000, "EUR")
    assert wallet(buyer).posted.amount_minor == 20_000
    assert wallet(buyer).available.amount_minor == 20_000
    assert merchant_balance(merchant.pk) == 30_000
    assert system_balance("escrow", "EUR") == 0
    before = snapshot()
    assert services.escrow_release(reference="b2b-order-1", now=NOW).status == "released"
    assert snapshot() == before
    with pytest.raises(services.EscrowResolved):
        services.escrow_refund(reference="b2b-order-1", now=NOW)


def test_release_of_a_cny_hold_converts_at_release() -> None:
    make_rates()
    buyer, merchant = make_buyer(), make_merchant()
    funded_wallet(buyer, 20_000, "CNY")
    hold(buyer, merchant.pk, 10_000, "CNY")
    info = services.escrow_release(reference="b2b-order-1", now=NOW)
    assert info.payment is not None
    assert info.payment.credit == Money(1_276, "EUR") and info.payment.rate == "7.8"
    assert merchant_balance(merchant.pk) == 1_276
    assert system_balance("fees", "CNY") == 50


def test_refund_voids_it() -> None:
    buyer, merchant = make_buyer(), make_merchant()
    funded_wallet(buyer, 50_000, "EUR")
    hold(buyer, merchant.pk)
    info = services.escrow_refund(reference="b2b-order-1", now=NOW)
    assert info.status == "refunded"
    assert wallet(buyer).available.amount_minor == 50_000
    assert merchant_balance(merchant.pk) == 0
    assert services.escrow_refund(reference="b2b-order-1", now=NOW).status == "refunded"
    with pytest.raises(services.EscrowResolved):
        services.escrow_release(reference="b2b-order-1", now=NOW)


def test_an_expired_hold_cannot_be_released_and_the_ledger_gives_it_back() -> None:
    buyer, merchant = make_buyer(), make_merchant()
    funded_wallet(buyer, 50_000, "EUR")
    hold(buyer, merchant.pk, timeout_seconds=60)
    later = NOW + timedelta(seconds=61)
    assert ledger.pending_expire(now=later) == 1
    assert wallet(buyer).available.amount_minor == 50_000
    before = snapshot()
    with pytest.raises(services.EscrowExpired) as excinfo:
        services.escrow_release(reference="b2b-order-1", now=later)
    assert excinfo.value.status == 409 and snapshot() == before
    assert selectors.escrow_get(reference="b2b-order-1", now=later).status == "expired"
    assert services.escrow_refund(reference="b2b-order-1", now=later).status == "expired"
    assert merchant_balance(merchant.pk) == 0


def test_holds_need_the_money_and_are_idempotent() -> None:
    buyer, merchant = make_buyer(), make_merchant()
    funded_wallet(buyer, 10_000, "EUR")
    before = snapshot()
    with pytest.raises(services.InsufficientFunds):
        hold(buyer, merchant.pk, 10_001)
    with pytest.raises(services.NoWallet):
        hold(buyer, merchant.pk, 100, "CNY")
    with pytest.raises(services.InvalidAmount):
        hold(buyer, merchant.pk, 100, timeout_seconds=-1)
    assert snapshot() == before
    first = hold(buyer, merchant.pk, 6_000)
    assert hold(buyer, merchant.pk, 6_000) == first
    with pytest.raises(services.RequestIdReused):
        hold(buyer, merchant.pk, 7_000)
    # a second hold on the rest of the money: the reservation counts
    with pytest.raises(services.InsufficientFunds):
        hold(buyer, merchant.pk, 4_001, reference="b2b-order-2")
    with pytest.raises(services.EscrowNotFound):
        services.escrow_release(reference="nope", now=NOW)
