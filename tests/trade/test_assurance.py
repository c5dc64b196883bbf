"""Trade assurance (decision 0016): a B2B order's payment is held in escrow, released to
the supplier on confirmed receipt (or by the periodic job), refunded on cancel or on an
upheld dispute; every movement through the ledger."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fiera.accounts.roles import BUYER, MERCHANT, OPERATOR, SYSTEM
from fiera.cli import main
from fiera.common.errors import NotFound, PermissionDenied
from fiera.common.money import Money
from fiera.orders import selectors as order_selectors
from fiera.orders import services as orders
from fiera.orders.models import Order
from fiera.orders.payment import payment_methods_for
from fiera.payments import selectors as pay
from fiera.payments.services import InsufficientFunds
from fiera.trade import selectors, services
from fiera.trade.models import Dispute
from fiera.trade.tasks import release_due
from tests.orders import factories as f
from tests.payments.factories import funded_wallet, merchant_balance, system_balance
from tests.trade.assurance_world import (
    DAY,
    NOW,
    PRICE,
    World,
    deliver,
    make_world,
    place,
    place_agreed,
    ship,
)
from tests.trade.factories import PDF, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ledger_ok() -> Iterator[None]:
    yield
    from fiera.ledger.selectors import ledger_verify

    report = ledger_verify(actor_role=SYSTEM)
    assert report.ok, report.summary()


@pytest.fixture
def world() -> World:
    return make_world()


def wallet(user: Any) -> pay.WalletInfo:
    return pay.wallet_get(owner_id=user.pk, currency="USD", actor_role=SYSTEM)


def escrow(order: Order) -> pay.EscrowInfo:
    return pay.escrow_get(reference=f"order:{order.number}", now=NOW)


def stock(world: World) -> int:
    return int(world.item.stock())


def confirm(world: World, order: Order, *, who: Any = None, role: str = BUYER, at: Any = None):
    return services.receipt_confirm(
        actor_id=(who or world.buyer).pk,
        actor_role=role,
        order_number=order.number,
        now=at or NOW + 4 * DAY,
    )


def dispute(
    world: World,
    order: Order,
    *,
    who: Any = None,
    role: str = BUYER,
    at: Any = None,
    reason: str = "damaged",
    statement: str = "Three cases arrived broken.",
):
    return services.dispute_open(
        actor_id=(who or world.buyer).pk,
        actor_role=role,
        order_number=order.number,
        reason=reason,
        statement=statement,
        now=at or NOW + 4 * DAY,
    )


def decide(world: World, dispute_id: int, outcome: str, *, who: Any = None, role: str = OPERATOR):
    return services.dispute_decide(
        actor_id=(who or world.operator).pk,
        actor_role=role,
        dispute_id=dispute_id,
        outcome=outcome,
        reason="The photos show the damage." if outcome == "upheld" else "Delivered as agreed.",
        now=NOW + 6 * DAY,
    )


# paying into escrow --------------------------------------------------------------------


def test_checkout_with_trade_assurance_holds_the_total(world: World) -> None:
    before = wallet(world.buyer)
    order = place(world)
    total = 2 * PRICE
    assert order.status == "paid" and order.paid_at is not None
    assert order.payment_terms == "assurance" and order.total_minor == total
    held = escrow(order)
    assert held.status == "held" and held.amount == Money(total, "USD")
    assert held.expires_at is None and held.merchant_id == world.maker.pk
    after = wallet(world.buyer)
    assert after.posted == before.posted  # reserved, not moved
    assert after.available.amount_minor == before.available.amount_minor - total
    assert system_balance("escrow", "USD") == 0
    assert merchant_balance(world.maker.pk) == 0  # nothing reaches the merchant yet
    shown = order_selectors.order_escrow(order, now=NOW)
    assert shown is not None and shown.status == "held"


def test_trade_assurance_is_offered_on_b2b_trade_only(world: World) -> None:
    assert "assurance" in [m.code for m in payment_methods_for(marketplace_kind="b2b_trade")]
    assert "assurance" not in [m.code for m in payment_methods_for(marketplace_kind="b2c_domestic")]
    with pytest.raises(orders.PaymentMethodNotOffered) as refused:
        place(world, market=world.shop, item=world.shop_item)
    assert refused.value.status == 422
    assert not Order.objects.filter(marketplace=world.shop).exists()


def test_not_enough_money_places_nothing(world: World) -> None:
    poor = f.user()
    funded_wallet(poor, 60_000, currency="USD", now=NOW - DAY)
    with pytest.raises(InsufficientFunds) as refused:
        place(world, buyer=poor)  # USD 1,000.00 > 600.00
    assert refused.value.status == 409
    assert not Order.objects.exists() and stock(world) == 100


def test_a_plain_wallet_order_is_not_escrowed(world: World) -> None:
    order = place(world, method="wallet")
    assert order.payment_terms == ""
    assert order_selectors.order_escrow(order) is None
    assert merchant_balance(world.maker.pk) > 0


def test_pay_later_order_under_assurance_terms_is_held_when_paid(world: World) -> None:
    order = place_agreed(world)
    assert order.status == "placed"
    assert order_selectors.order_escrow(order) is None  # nothing held yet
    paid = orders.order_pay(
        buyer_id=world.buyer.pk, number=order.number, now=NOW + DAY / 100, actor_role=BUYER
    )
    assert paid.status == "paid"
    assert escrow(order).status == "held"
    assert merchant_balance(world.maker.pk) == 0
    again = orders.order_pay(
        buyer_id=world.buyer.pk, number=order.number, now=NOW + DAY / 50, actor_role=BUYER
    )
    assert again.status == "paid"
    assert wallet(world.buyer).available.amount_minor == 5_000_000 - 2 * PRICE


# cancel and refund of a held payment ----------------------------------------------------


def test_cancel_before_shipment_refunds_the_escrow_and_restocks(world: World) -> None:
    order = place(world)
    assert stock(world) == 98
    cancelled = orders.order_cancel(
        actor_id=world.buyer.pk, actor_role=BUYER, number=order.number, now=NOW + DAY
    )
    assert cancelled.status == "refunded"
    assert escrow(order).status == "refunded"
    assert wallet(world.buyer).available.amount_minor == 5_000_000
    assert stock(world) == 100
    assert merchant_balance(world.maker.pk) == 0 and system_balance("escrow", "USD") == 0


def test_partial_refund_of_a_held_payment_is_refused(world: World) -> None:
    order = place(world)
    with pytest.raises(orders.AssuranceRefundPartial) as refused:
        orders.order_refund(
            actor_id=world.owner.pk,
            actor_role=MERCHANT,
            number=order.number,
            amount_minor=1_000,
            reason="",
            now=NOW + DAY,
        )
    assert refused.value.status == 409 and "dispute" in refused.value.message()
    assert escrow(order).status == "held"
    full = orders.order_refund(
        actor_id=world.owner.pk,
        actor_role=MERCHANT,
        number=order.number,
        amount_minor=order.total_minor,
        reason="out of stock",
        now=NOW + DAY,
    )
    assert full.status == "refunded" and escrow(order).status == "refunded"
    assert wallet(world.buyer).available.amount_minor == 5_000_000


def test_refund_after_release_comes_from_the_merchant(world: World) -> None:
    order = place(world)
    ship(world, order)
    confirm(world, order)
    credited = merchant_balance(world.maker.pk)
    assert credited > 0
    refunded = orders.order_refund(
        actor_id=world.owner.pk,
        actor_role=MERCHANT,
        number=order.number,
        amount_minor=PRICE,
        reason="one case short",
        now=NOW + 5 * DAY,
    )
    assert refunded.refunded_minor == PRICE
    assert wallet(world.buyer).posted.amount_minor == 5_000_000 - PRICE
    assert 0 < merchant_balance(world.maker.pk) < credited


# confirm receipt ---------------------------------------------------------------------------


def test_confirm_receipt_releases_to_the_merchant(world: World) -> None:
    order = place(world)
    ship(world, order)
    info = confirm(world, order)
    assert info.escrow_status == "released" and info.order_status == "delivered"
    assert not info.can_confirm and not info.can_dispute
    released = escrow(order)
    assert released.status == "released" and released.payment is not None
    # USD 1,000.00 at 1.05 USD per EUR, less the FX mark-up: the payable is in EUR
    assert 90_000 < merchant_balance(world.maker.pk) <= 95_239
    assert merchant_balance(world.maker.pk) == released.payment.credit.amount_minor
    assert wallet(world.buyer).posted.amount_minor == 5_000_000 - 2 * PRICE
    assert system_balance("escrow", "USD") == 0  # in and out again
    order.refresh_from_db()
    assert order.status == "delivered" and order.delivered_at == NOW + 4 * DAY
    again = confirm(world, order)  # idempotent
    assert again.escrow_status == "released"


def test_confirm_receipt_denials(world: World) -> None:
    order = place(world)
    with pytest.raises(services.NotShippedYet) as early:
        confirm(world, order)
    assert early.value.status == 409
    ship(world, order)
    with pytest.raises(services.OnlyTheBuyer):
        confirm(world, order, who=world.owner, role=MERCHANT)
    with pytest.raises(services.OnlyTheBuyer):
        confirm(world, order, who=world.operator, role=OPERATOR)
    with pytest.raises(NotFound):
        confirm(world, order, who=world.other_buyer)
    with pytest.raises(NotFound):
        confirm(world, order, who=world.other_owner, role=MERCHANT)
    plain = place(world, method="wallet")
    ship(world, plain)
    with pytest.raises(orders.OrderNotEscrowed) as not_escrowed:
        confirm(world, plain)
    assert not_escrowed.value.status == 409
    assert escrow(order).status == "held"


# disputes -----------------------------------------------------------------------------------


def test_dispute_blocks_release_and_an_upheld_one_refunds_without_restocking(world: World) -> None:
    order = place(world)
    ship(world, order)
    deliver(world, order)
    opened = dispute(world, order)
    assert opened.status == "open" and opened.reason == "damaged"
    assert opened.amount == Money(2 * PRICE, "USD") and opened.viewer_side == "buyer"
    with pytest.raises(services.DisputeOpenNoRelease) as blocked:
        confirm(world, order)
    assert blocked.value.status == 409
    # the release job does not touch it either, even long past the release day
    assert services.escrows_release_due(now=NOW + 90 * DAY) == 0
    # both sides write, with evidence
    services.dispute_message_add(
        actor_id=world.buyer.pk,
        actor_role=BUYER,
        dispute_id=opened.id,
        body="Photos attached.",
        evidence=png_bytes(),
        evidence_name="broken.png",
        now=NOW + 5 * DAY,
    )
    thread = services.dispute_message_add(
        actor_id=world.clerk.pk,
        actor_role=MERCHANT,
        dispute_id=opened.id,
        body="",
        evidence=PDF,
        evidence_name="packing-list.pdf",
        now=NOW + 5 * DAY,
    )
    assert [m.side for m in thread.messages] == ["buyer", "supplier"]
    assert thread.messages[1].evidence_name.endswith(".pdf")
    with pytest.raises(services.EvidenceRefused):
        services.dispute_message_add(
            actor_id=world.buyer.pk,
            actor_role=BUYER,
            dispute_id=opened.id,
            body="x",
            evidence=b"MZ not a picture",
            evidence_name="a.exe",
            now=NOW + 5 * DAY,
        )
    with pytest.raises(services.MessageEmpty):
        services.dispute_message_add(
            actor_id=world.buyer.pk,
            actor_role=BUYER,
            dispute_id=opened.id,
            body="  ",
            now=NOW + 5 * DAY,
        )
    stock_before = stock(world)
    with pytest.raises(services.OperatorsOnly):
        decide(world, opened.id, "upheld", who=world.owner, role=MERCHANT)
    decided = decide(world, opened.id, "upheld")
    assert decided.status == "upheld" and decided.decision_reason == "The photos show the damage."
    order.refresh_from_db()
    assert order.status == "refunded" and order.refunded_minor == order.total_minor
    assert escrow(order).status == "refunded"
    assert wallet(world.buyer).available.amount_minor == 5_000_000
    assert wallet(world.buyer).posted.amount_minor == 5_000_000
    assert merchant_balance(world.maker.pk) == 0
    assert stock(world) == stock_before  # shipped goods do not come back in stock
    with pytest.raises(services.DisputeDecided) as twice:
        decide(world, opened.id, "rejected")
    assert twice.value.status == 409
    with pytest.raises(services.DisputeDecided):
        services.dispute_message_add(
            actor_id=world.buyer.pk,
            actor_role=BUYER,
            dispute_id=opened.id,
            body="thanks",
            now=NOW + 7 * DAY,
        )


def test_a_rejected_dispute_releases_to_the_supplier(world: World) -> None:
    order = place(world)
    ship(world, order)
    opened = dispute(world, order, reason="not_received", at=NOW + 10 * DAY)  # never delivered
    decided = decide(world, opened.id, "rejected")
    assert decided.status == "rejected"
    assert escrow(order).status == "released"
    assert merchant_balance(world.maker.pk) > 0
    info = selectors.assurance_get(
        actor_id=world.buyer.pk, actor_role=BUYER, order_number=order.number, now=NOW + 7 * DAY
    )
    assert info.dispute_status == "rejected" and not info.can_confirm and not info.can_dispute


def test_dispute_denials(world: World) -> None:
    order = place(world)
    with pytest.raises(services.NotShippedYet):
        dispute(world, order)
    ship(world, order)
    deliver(world, order)
    with pytest.raises(services.DisputeWindowClosed) as late:
        dispute(world, order, at=NOW + 34 * DAY)  # delivered on day 3, window 30 days
    assert late.value.status == 409 and "30" in late.value.message()
    with pytest.raises(services.InvalidDisputeReason) as bad:
        dispute(world, order, reason="changed_my_mind")
    assert bad.value.status == 422
    with pytest.raises(services.TextEmpty):
        dispute(world, order, statement="   ")
    with pytest.raises(NotFound):
        dispute(world, order, who=world.other_buyer)
    with pytest.raises(services.OnlyTheBuyer):
        dispute(world, order, who=world.owner, role=MERCHANT)
    opened = dispute(world, order, at=NOW + 33 * DAY)  # the window's last day
    with pytest.raises(services.AlreadyDisputed) as again:
        dispute(world, order, at=NOW + 33 * DAY)
    assert again.value.status == 409
    plain = place(world, method="wallet")
    ship(world, plain)
    with pytest.raises(orders.OrderNotEscrowed):
        dispute(world, plain)
    released = place(world)
    ship(world, released)
    confirm(world, released)
    with pytest.raises(services.NotEscrowHeld) as gone:
        dispute(world, released)
    assert gone.value.status == 409
    assert Dispute.objects.count() == 1 and opened.id


def test_dispute_visibility(world: World) -> None:
    order = place(world)
    ship(world, order)
    opened = dispute(world, order)
    for who, role in ((world.buyer, BUYER), (world.clerk, MERCHANT), (world.operator, OPERATOR)):
        assert selectors.dispute_get(actor_id=who.pk, actor_role=role, dispute_id=opened.id).id
    for who, role in ((world.other_buyer, BUYER), (world.other_owner, MERCHANT)):
        with pytest.raises(selectors.DisputeNotFound):
            selectors.dispute_get(actor_id=who.pk, actor_role=role, dispute_id=opened.id)
        with pytest.raises(NotFound):
            selectors.assurance_get(
                actor_id=who.pk, actor_role=role, order_number=order.number, now=NOW
            )
        with pytest.raises(NotFound):
            services.dispute_message_add(
                actor_id=who.pk, actor_role=role, dispute_id=opened.id, body="hi", now=NOW
            )
    assert [d.id for d in selectors.dispute_list(actor_id=world.buyer.pk, actor_role=BUYER)] == [
        opened.id
    ]
    assert selectors.dispute_list(actor_id=world.other_buyer.pk, actor_role=BUYER) == []
    assert selectors.dispute_list(actor_id=world.other_owner.pk, actor_role=MERCHANT) == []
    assert len(selectors.dispute_list(actor_id=world.owner.pk, actor_role=MERCHANT)) == 1
    queue = selectors.dispute_list(actor_id=world.operator.pk, actor_role=OPERATOR, status="open")
    assert [d.id for d in queue] == [opened.id]
    with pytest.raises(PermissionDenied):
        selectors.dispute_list(actor_id=None, actor_role="anonymous")
    of_order = selectors.dispute_of_order(
        actor_id=world.owner.pk, actor_role=MERCHANT, order_number=order.number
    )
    assert of_order is not None and of_order.viewer_side == "supplier"


def test_decide_refuses_a_payment_already_refunded(world: World) -> None:
    order = place(world)
    ship(world, order)
    deliver(world, order)
    opened = dispute(world, order)
    orders.order_refund(
        actor_id=world.owner.pk,
        actor_role=MERCHANT,
        number=order.number,
        amount_minor=order.total_minor,
        reason="we agree",
        now=NOW + 5 * DAY,
    )
    with pytest.raises(services.NotEscrowHeld):
        decide(world, opened.id, "rejected")
    assert Dispute.objects.get().status == "open"


# the release job -----------------------------------------------------------------------------


def test_release_job_pays_out_undisputed_orders_after_the_release_days(
    world: World, settings: Any, capsys: Any
) -> None:
    settings.FIERA_TRADE_ASSURANCE_RELEASE_DAYS = 30
    due, recent, disputed, never_delivered = (place(world) for _ in range(4))
    for order in (due, recent, disputed, never_delivered):
        ship(world, order)
    deliver(world, due, at=NOW + 2 * DAY)
    deliver(world, recent, at=NOW + 10 * DAY)
    deliver(world, disputed, at=NOW + 2 * DAY)
    dispute(world, disputed)
    at = NOW + 33 * DAY  # 31 days after the first deliveries
    assert services.escrows_release_due(now=at) == 1
    assert escrow(due).status == "released"
    assert {escrow(o).status for o in (recent, disputed, never_delivered)} == {"held"}
    assert services.escrows_release_due(now=at) == 0  # nothing twice
    info = selectors.assurance_get(
        actor_id=world.buyer.pk, actor_role=BUYER, order_number=recent.number, now=at
    )
    assert info.release_due_at == NOW + 40 * DAY and info.can_confirm and info.can_dispute
    # by hand and as the Celery task, at the real clock's now (months after NOW)
    settings.FIERA_TRADE_ASSURANCE_RELEASE_DAYS = 365
    assert main(["trade", "release-due", "--no-progress"]) == 0
    assert "0 held payments released" in capsys.readouterr().out
    settings.FIERA_TRADE_ASSURANCE_RELEASE_DAYS = 30
    assert release_due() == 1
    assert escrow(recent).status == "released"
    assert main(["trade", "release-due", "--limit", "0"]) == 2


def test_an_agreed_order_paid_later_is_released_on_receipt(world: World) -> None:
    order = place_agreed(world)
    orders.order_pay(
        buyer_id=world.buyer.pk, number=order.number, now=NOW + DAY / 100, actor_role=BUYER
    )
    ship(world, order)
    info = confirm(world, order)
    assert info.escrow_status == "released" and merchant_balance(world.maker.pk) > 0
    with pytest.raises(NotFound):
        services.receipt_confirm(
            actor_id=world.buyer.pk, actor_role=BUYER, order_number="F999999-9", now=NOW
        )
