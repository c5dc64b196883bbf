"""Order now, pay later ("wallet_later"): the checkout writes the orders placed with their
deadline, ``order_pay`` charges the wallet once, and ``orders_expire_unpaid`` cancels the
overdue ones as a cancel does (stock, flash-sale units, CBEC allowance and festival
tallies come back); cash-on-delivery orders never expire."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings

from fiera.accounts.roles import BUYER, MERCHANT, OPERATOR, SYSTEM
from fiera.cli import main
from fiera.common.models import OutboxMessage
from fiera.festivals.models import FlashSaleBucket
from fiera.orders import services
from fiera.orders.models import CrossBorderAllowance, Order, OrderStatus
from fiera.orders.payment import payment_method_label
from fiera.orders.tasks import expire_unpaid
from fiera.payments.services import InsufficientFunds, NoWallet
from tests.festivals.test_flash_checkout import festival, flash_sale, held, units_left
from tests.festivals.test_tallies import cells, deliver
from tests.festivals.test_tallies import festival as tally_festival
from tests.orders import factories as f
from tests.payments.factories import balance, funded_wallet, make_rates

pytestmark = pytest.mark.django_db

NOW = f.NOW
MINUTE = timedelta(minutes=1)


@pytest.fixture
def world():
    make_rates(on=NOW.date() - timedelta(days=1))
    market = f.marketplace()
    maker = f.merchant()
    item = f.sku(market=market, merchant_obj=maker, price_minor=2_500, stock=10)
    buyer = f.user()
    funded_wallet(buyer, 100_000, currency="EUR", now=NOW - timedelta(days=1))
    return {
        "market": market,
        "maker": maker,
        "item": item,
        "buyer": buyer,
        "staff": f.staff(merchant_obj=maker),
    }


def place(world, *, quantity=2, method="wallet_later", at=NOW, buyer=None, named=None):
    result = services.checkout_submit(
        buyer_id=(buyer or world["buyer"]).pk,
        marketplace_slug=world["market"].slug,
        country="IT",
        lines=[(world["item"].id, quantity)],
        shipping_address=f.address(),
        payment_method=method,
        now=at,
        actor_role=BUYER,
        flash_sale_ids=named,
    )
    return Order.objects.get(number=result.orders[0].number)


def pay(world, order, *, at=NOW + MINUTE, buyer=None, role=BUYER):
    return services.order_pay(
        buyer_id=(buyer or world["buyer"]).pk, number=order.number, now=at, actor_role=role
    )


def topics(number: str) -> list[str]:
    return [
        m.topic for m in OutboxMessage.objects.order_by("id") if m.payload.get("number") == number
    ]


# checkout ------------------------------------------------------------------------------


def test_checkout_places_the_order_with_its_deadline_and_takes_the_units(world):
    order = place(world)
    assert order.status == OrderStatus.PLACED
    assert order.payment_method == "wallet_later"
    assert order.payment_due_at == NOW + timedelta(minutes=30)
    assert order.paid_at is None and order.awaiting_payment
    assert world["item"].stock() == 8
    assert balance(world["buyer"], "EUR") == 100_000  # nothing charged yet
    assert topics(order.number) == []  # no orders.order.paid


def test_the_timeout_is_a_setting_and_shorter_for_flash_sale_lines(world):
    with override_settings(FIERA_PAYMENT_TIMEOUT_MINUTES=45):
        assert place(world).payment_due_at == NOW + timedelta(minutes=45)
    sale = flash_sale(festival(world["market"]), world["item"], quantity=10, limit=5)
    flashed = place(world, quantity=1, named={world["item"].id: sale.pk})
    assert flashed.lines.get().price_kind == "flash"
    assert flashed.payment_due_at == NOW + timedelta(minutes=15)


def test_cod_and_wallet_orders_have_no_deadline(world):
    assert place(world, method="cod").payment_due_at is None
    paid = place(world, method="wallet")
    assert (paid.status, paid.payment_due_at) == (OrderStatus.PAID, None)


def test_the_method_label_states_both_timeouts():
    assert payment_method_label("wallet_later") == (
        "Fiera wallet: pay within 30 minutes (15 for flash-sale items)"
    )
    with override_settings(FIERA_FLASH_PAYMENT_TIMEOUT_MINUTES=30):
        assert payment_method_label("wallet_later") == "Fiera wallet: pay within 30 minutes"


# paying ----------------------------------------------------------------------------------


def test_pay_charges_the_wallet_once_and_publishes_paid(world):
    order = place(world)
    paid = pay(world, order)
    assert paid.status == OrderStatus.PAID
    assert paid.paid_at == NOW + MINUTE
    assert balance(world["buyer"], "EUR") == 100_000 - 5_000
    assert topics(order.number) == ["orders.order.paid"]
    event = OutboxMessage.objects.get(topic="orders.order.paid")
    assert event.payload["payment_method"] == "wallet_later"
    assert event.payload["total_minor"] == 5_000 and event.payload["status"] == "paid"
    # paying again answers the order: no second charge, no second event
    again = pay(world, order, at=NOW + 2 * MINUTE)
    assert (again.status, again.paid_at) == (OrderStatus.PAID, NOW + MINUTE)
    assert balance(world["buyer"], "EUR") == 95_000
    assert topics(order.number) == ["orders.order.paid"]


def test_a_paid_order_ships_and_a_cancel_refunds_it_to_the_wallet(world):
    order = place(world)
    with pytest.raises(services.BadTransition) as refused:
        services.order_ship(
            actor_id=world["staff"].pk,
            actor_role=MERCHANT,
            number=order.number,
            carrier="BRT",
            tracking_number="T-1",
            now=NOW,
        )
    assert "not paid yet" in refused.value.message()
    pay(world, order)
    refunded = services.order_cancel(
        actor_id=world["buyer"].pk, actor_role=BUYER, number=order.number, now=NOW + 2 * MINUTE
    )
    assert refunded.status == OrderStatus.REFUNDED
    assert balance(world["buyer"], "EUR") == 100_000
    assert world["item"].stock() == 10


def test_pay_overdue_cancels_the_order_and_says_so(world):
    order = place(world)
    with pytest.raises(services.PaymentOverdue) as overdue:
        pay(world, order, at=NOW + timedelta(minutes=31))
    assert overdue.value.status == 409
    assert "cancelled" in overdue.value.message()
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.cancelled_unpaid
    assert world["item"].stock() == 10
    assert balance(world["buyer"], "EUR") == 100_000
    # asking again (after the expiry) is still the same answer
    with pytest.raises(services.PaymentOverdue):
        pay(world, order, at=NOW + timedelta(minutes=40))


def test_pay_exactly_at_the_deadline_is_in_time(world):
    order = place(world)
    assert pay(world, order, at=order.payment_due_at).status == OrderStatus.PAID


def test_too_little_money_or_no_wallet_is_refused_and_nothing_changes(world):
    order = place(world, quantity=2)
    poor = f.user()
    funded_wallet(poor, 1_000, currency="EUR", now=NOW - timedelta(days=1))
    poor_order = place(world, buyer=poor)
    with pytest.raises(InsufficientFunds):
        pay(world, poor_order, buyer=poor)
    assert Order.objects.get(pk=poor_order.pk).status == OrderStatus.PLACED
    assert balance(poor, "EUR") == 1_000
    walletless = f.user()
    their = place(world, buyer=walletless)
    with pytest.raises(NoWallet):
        pay(world, their, buyer=walletless)
    assert Order.objects.get(pk=their.pk).status == OrderStatus.PLACED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED


def test_only_the_buyer_pays_their_own_pay_later_order(world):
    order = place(world)
    with pytest.raises(services.OrderNotFound):
        pay(world, order, buyer=f.user())
    for role, who in ((MERCHANT, world["staff"]), (OPERATOR, f.user(role="operator"))):
        with pytest.raises(services.ActionNotAllowed):
            pay(world, order, buyer=who, role=role)
    cod = place(world, method="cod")
    with pytest.raises(services.OrderNotPayable):
        pay(world, cod)
    cancelled = place(world)
    services.order_cancel(
        actor_id=world["buyer"].pk, actor_role=BUYER, number=cancelled.number, now=NOW
    )
    with pytest.raises(services.BadTransition):
        pay(world, cancelled)
    assert balance(world["buyer"], "EUR") == 100_000


# expiry ----------------------------------------------------------------------------------


def test_expiry_cancels_only_overdue_unpaid_orders_and_never_cod(world):
    overdue = place(world, quantity=1)
    later = place(world, quantity=1, at=NOW + timedelta(minutes=20))
    paid = place(world, quantity=1)
    pay(world, paid)
    cod = place(world, quantity=1, method="cod", at=NOW - timedelta(days=30))
    assert world["item"].stock() == 6
    at = NOW + timedelta(minutes=31)
    assert services.orders_expire_unpaid(now=at) == 1
    statuses = {o.number: o.status for o in Order.objects.all()}
    assert statuses == {
        overdue.number: OrderStatus.CANCELLED,
        later.number: OrderStatus.PLACED,
        paid.number: OrderStatus.PAID,
        cod.number: OrderStatus.PLACED,
    }
    assert Order.objects.get(pk=overdue.pk).cancelled_at == at
    assert world["item"].stock() == 7
    event = OutboxMessage.objects.get(topic="orders.order.cancelled")
    assert (event.payload["number"], event.payload["reason"]) == (
        overdue.number,
        services.PAYMENT_TIMEOUT_REASON,
    )
    assert services.orders_expire_unpaid(now=at) == 0  # nothing twice
    assert services.orders_expire_unpaid(now=NOW + timedelta(days=365)) == 1  # `later`
    assert Order.objects.get(pk=cod.pk).status == OrderStatus.PLACED


def test_expiry_respects_its_limit_across_batches(world):
    for _ in range(5):
        place(world, quantity=1)
    seen: list[int] = []
    at = NOW + timedelta(hours=1)
    assert services.orders_expire_unpaid(now=at, limit=3, batch=2, progress=seen.append) == 3
    assert seen == [1, 1, 1]
    assert services.orders_expire_unpaid(now=at, batch=2) == 2
    assert world["item"].stock() == 10


def test_expiry_gives_flash_units_back_to_the_sale_and_the_buyer_limit(world):
    sale = flash_sale(festival(world["market"]), world["item"], quantity=4, limit=2)
    order = place(world, quantity=2, named={world["item"].id: sale.pk})
    assert (units_left(sale), held(sale, world["buyer"])) == (2, 2)
    assert services.orders_expire_unpaid(now=NOW + timedelta(minutes=16)) == 1
    assert (units_left(sale), held(sale, world["buyer"])) == (4, 0)
    assert sum(FlashSaleBucket.objects.values_list("units_sold", flat=True)) == 0
    assert world["item"].stock() == 10  # the flash units never came from the stock
    assert Order.objects.get(pk=order.pk).cancelled_unpaid


def test_expiry_takes_the_order_off_the_festival_tallies(world):
    fest = tally_festival([world["market"]])
    place(world, quantity=2)
    mark = deliver()
    assert sum(orders for orders, _, _ in cells(fest.pk).values()) == 1
    services.orders_expire_unpaid(now=NOW + timedelta(minutes=31))
    deliver(after=mark)
    assert cells(fest.pk) == {}


def test_expiry_gives_the_cross_border_allowance_back():
    market = f.cross_border_market()
    services.cross_border_rates_load(marketplace_id=market.pk, now=NOW)
    item = f.sku(market=market, price_minor=10_000, stock=5)
    buyer = f.user()
    services.checkout_submit(
        buyer_id=buyer.pk,
        marketplace_slug=market.slug,
        country="CN",
        lines=[(item.id, 2)],
        shipping_address=f.address("CN", city="Shanghai", postal_code="200000"),
        payment_method="wallet_later",
        now=NOW,
        actor_role=SYSTEM,
    )
    allowance = CrossBorderAllowance.objects.get(buyer=buyer)
    assert allowance.used_minor == 20_000
    assert services.orders_expire_unpaid(now=NOW + timedelta(minutes=31)) == 1
    allowance.refresh_from_db()
    assert allowance.used_minor == 0
    assert item.stock() == 5


def test_the_cli_and_the_celery_task_cancel_the_overdue_orders(world, capsys):
    place(world, quantity=1, at=NOW - timedelta(hours=2))
    place(world, quantity=1, at=NOW - timedelta(hours=2))
    assert main(["orders", "expire-unpaid", "--no-progress"]) == 0
    assert "2 unpaid orders cancelled" in capsys.readouterr().out
    place(world, quantity=1, at=NOW - timedelta(hours=2))
    assert expire_unpaid.delay().get() == 1
    assert main(["orders", "expire-unpaid", "--no-progress"]) == 0
    assert "0 unpaid orders cancelled" in capsys.readouterr().out
    assert main(["orders", "expire-unpaid", "--limit", "0"]) == 2


def test_celery_beat_runs_the_expiry_every_minute():
    from django.conf import settings

    from fiera.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["orders-expire-unpaid"]
    assert entry == {"task": "fiera.orders.expire_unpaid", "schedule": 60.0}
    app.loader.import_default_modules()
    assert app.tasks["fiera.orders.expire_unpaid"].name == expire_unpaid.name


def test_pay_takes_a_fixed_number_of_statements_whatever_the_lines(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    more = [f.sku(market=world["market"], merchant_obj=world["maker"]) for _ in range(2)]
    pay(world, place(world, quantity=1))  # the merchant's first sale opens its accounts
    counts = []
    for lines in ([(world["item"].id, 1)], [(world["item"].id, 1), *((s.id, 1) for s in more)]):
        number = (
            services.checkout_submit(
                buyer_id=world["buyer"].pk,
                marketplace_slug=world["market"].slug,
                country="IT",
                lines=lines,
                shipping_address=f.address(),
                payment_method="wallet_later",
                now=NOW,
                actor_role=BUYER,
            )
            .orders[0]
            .number
        )
        with CaptureQueriesContext(connection) as captured:
            services.order_pay(
                buyer_id=world["buyer"].pk, number=number, now=NOW + MINUTE, actor_role=BUYER
            )
        counts.append(len(captured))
    # lock, the wallet charge (four statements and its savepoint), the order UPDATE, the
    # outbox INSERT, the order read back with its lines, shipments and refunds
    assert counts[0] == counts[1] <= 15, counts


def test_a_converted_payment_records_its_rate_and_a_refund_goes_back_at_it():
    make_rates(on=NOW.date())
    market = f.marketplace(countries={"CN": "CNY"}, default_currency="CNY")
    item = f.sku(market=market, price_minor=6_000, stock=5)
    buyer = f.user()
    funded_wallet(buyer, 20_000, now=NOW)
    number = (
        services.checkout_submit(
            buyer_id=buyer.pk,
            marketplace_slug=market.slug,
            country="CN",
            lines=[(item.id, 1)],
            shipping_address=f.address("CN", city="Shanghai", postal_code="200000"),
            payment_method="wallet_later",
            now=NOW,
            actor_role=BUYER,
        )
        .orders[0]
        .number
    )
    services.order_pay(buyer_id=buyer.pk, number=number, now=NOW + MINUTE, actor_role=BUYER)
    assert balance(buyer) == 14_000
    paid = OutboxMessage.objects.get(topic="orders.order.paid").payload
    assert paid["fx"] is not None and paid["fx"]["credit_currency"] == "EUR"
    services.order_cancel(actor_id=buyer.pk, actor_role=BUYER, number=number, now=NOW + MINUTE)
    assert balance(buyer) == 20_000
    refunded = OutboxMessage.objects.get(topic="orders.order.refunded").payload
    assert refunded["fx"] == paid["fx"]
