"""Demo payment history, so that settlement can be shown: the wallet-paid checkouts of the
last ``HISTORY_DAYS`` past days are charged through the payments services at the moment
they were paid, demo buyers pay by QR at the pilot post offices on those days, and the
daily settlement runs for each of those days (oldest first). A few of the charged orders
are refunded on those days through the orders app's refund service (which gives the money
back to the wallet at the payment's rate): some in part, some in full, one in two steps.
Everything is booked in time order, so a wallet's statement reads like a real one. An
operator then sees runs, statements, refunds and fees at /settlement/.

Each buyer who paid with the wallet gets a wallet in the checkout's currency, topped up the
day before the first payment (a request id per buyer and currency). Only checkouts in a
wallet currency (``FIERA_WALLET_CURRENCIES``) whose orders were neither cancelled nor
refunded before they were charged are charged. Idempotent: charges are keyed by checkout,
QR payments by a request id per day and buyer, refunds are made only on orders nothing
was refunded on yet, and settlement by merchant and day.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from tqdm import tqdm

from fiera.accounts.models import User
from fiera.accounts.roles import OPERATOR, SYSTEM
from fiera.common.money import Money
from fiera.orders import services as orders
from fiera.orders.models import Order, OrderStatus
from fiera.payments import selectors
from fiera.payments import services as payments
from fiera.payments.models import Outlet, Payment

HISTORY_DAYS = 7
QR_BUYERS = ("buyer", "buyer-cbec", "buyer-sg", "buyer-b2b")
QR_AMOUNTS_EUR_CENTS = (350, 1_280, 2_500, 4_990, 8_700, 12_000)
FUNDING_LIMIT_MAJOR = 20_000  # what the simulated funding source approves at once
REFUNDS = (  # for a few charged orders: the share given back after each step
    ((1, 4), (1, 1)),  # a quarter, then the rest (first: a small demo shows both kinds)
    ((1, 3),),  # a third
    ((1, 1),),  # in full
    ((1, 2),),  # a half
    ((1, 1),),
)


@dataclass(slots=True)
class _Charge:
    checkout_id: int
    buyer_id: int
    currency: str
    paid_at: datetime
    parts: list[payments.ChargePart] = field(default_factory=list)

    @property
    def total_minor(self) -> int:
        return sum(p.amount_minor for p in self.parts)


def _charges(start: datetime, end: datetime) -> list[_Charge]:
    """The wallet checkouts placed in [start, end) that can be charged (see module doc)."""
    currencies = set(payments.wallet_currencies())
    rows = (
        Order.objects.filter(payment_method="wallet", placed_at__gte=start, placed_at__lt=end)
        .order_by("checkout_id", "number")
        .values_list(
            "checkout_id",
            "buyer_id",
            "merchant_id",
            "number",
            "total_minor",
            "currency",
            "paid_at",
            "cancelled_at",
            "refunded_minor",
        )
    )
    charged = set(
        Payment.objects.filter(reference__in=[row[3] for row in rows], kind="checkout").values_list(
            "reference", flat=True
        )
    )
    charges: dict[int, _Charge] = {}
    spoilt: set[int] = set()
    for (
        checkout_id,
        buyer_id,
        merchant_id,
        number,
        total,
        currency,
        paid_at,
        cancelled,
        refunded,
    ) in rows:
        refunded_first = refunded and number not in charged  # refunded before the history
        if paid_at is None or cancelled is not None or refunded_first or currency not in currencies:
            spoilt.add(checkout_id)
            continue
        charge = charges.setdefault(
            checkout_id, _Charge(checkout_id, buyer_id, currency, min(paid_at, end))
        )
        charge.parts.append(
            payments.ChargePart(merchant_id=merchant_id, amount_minor=total, reference=number)
        )
    return sorted(
        (c for c in charges.values() if c.checkout_id not in spoilt), key=lambda c: c.paid_at
    )


def _fund(
    charges: list[_Charge], qr_users: dict[str, tuple[int, str]], seed: int, at: datetime
) -> None:
    """Open and top up, at ``at``, a wallet per (buyer, currency) holding what they will pay
    (rounded up, plus a margin); the QR payers get a margin in their own currency. The same
    world funds nothing twice (request ids by buyer, currency and total)."""
    needed: dict[tuple[int, str], int] = defaultdict(int)
    for charge in charges:
        needed[(charge.buyer_id, charge.currency)] += charge.total_minor
    for user_id, currency in qr_users.values():
        needed[(user_id, currency)] += 0
    for (user_id, currency), amount_minor in sorted(needed.items()):
        step = Money.from_major(500, currency).amount_minor
        left = (amount_minor // step + 2) * step
        chunk = Money.from_major(FUNDING_LIMIT_MAJOR, currency).amount_minor
        payments.wallet_open(user_id=user_id, currency=currency, now=at, actor_role=SYSTEM)
        part = 0
        while left > 0:  # the (simulated) card takes at most FUNDING_LIMIT_MAJOR at once
            payments.wallet_top_up(
                user_id=user_id,
                amount_minor=min(left, chunk),
                currency=currency,
                funding_reference="demo card",
                # the total in the id: a rerun (``--keep``) that adds checkouts funds them
                # with a top-up of its own instead of reusing the first run's id
                request_id=f"demo-history-{seed}-{user_id}-{currency}-{amount_minor}-{part}",
                now=at,
                actor_role=SYSTEM,
            )
            left -= min(left, chunk)
            part += 1


def _bar(progress: bool, desc: str, total: int, unit: str) -> Any:
    return tqdm(total=total, desc=f"{desc:<10}", unit=unit, disable=not progress, leave=True)


def build_payment_history(
    *, now: datetime, seed: int, progress: bool, days: int = HISTORY_DAYS
) -> str:
    """Charge, pay by QR and settle the ``days`` full UTC days before ``now``; returns one
    summary line for ``fiera demo``."""
    rng = random.Random(f"history-{seed}")
    today = now.astimezone(UTC).date()
    first_day = today - timedelta(days=days)
    start = datetime.combine(first_day, time.min, tzinfo=UTC)
    end = datetime.combine(today, time.min, tzinfo=UTC)
    charges = _charges(start, end)
    from fiera.demo.wallets import DEMO_BUYERS

    users = dict(User.objects.filter(username__in=QR_BUYERS).values_list("username", "pk"))
    qr_users = {name: (users[name], DEMO_BUYERS[name]) for name in QR_BUYERS if name in users}
    _fund(charges, qr_users, seed, start - timedelta(hours=12))
    actions: list[tuple[datetime, int, Callable[[], object]]] = []
    for charge in charges:
        actions.append((charge.paid_at, len(actions), _charge_action(charge)))
    refunds = _refund_actions(charges, random.Random(f"history-refunds-{seed}"), end)
    actions += [(at, len(actions) + n, act) for n, (at, act) in enumerate(refunds)]
    pilots = list(
        Outlet.objects.filter(status="pilot").order_by("code").values_list("pk", flat=True)
    )
    qr_paid: list[bool] = []
    day_list = [first_day + timedelta(days=n) for n in range(days)]
    if pilots and qr_users:
        for day in day_list:
            for index in range(rng.randint(2, 4)):
                name = rng.choice(sorted(qr_users))
                user_id, currency = qr_users[name]
                amount = rng.choice(QR_AMOUNTS_EUR_CENTS)
                moment = datetime.combine(day, time(8), tzinfo=UTC) + timedelta(
                    minutes=rng.randint(0, 600)
                )
                act = _qr_action(
                    outlet_id=rng.choice(pilots),
                    amount=amount,
                    bill_number=f"B{day:%m%d}{index:02d}",
                    user_id=user_id,
                    currency=currency,
                    request_id=f"demo-qr-{seed}-{day:%Y%m%d}-{index}",
                    moment=moment,
                    paid=qr_paid,
                )
                actions.append((moment, len(actions), act))
    actions.sort(key=lambda item: (item[0], item[1]))
    bar = _bar(progress, "payments", len(actions), "payment")
    for _, _, act in actions:
        act()
        bar.update(1)
    bar.close()
    runs = 0
    fees_minor = 0
    bar = _bar(progress, "settlement", len(day_list), "day")
    for day in day_list:
        report = payments.settlement_run(day=day, now=now, actor_role=SYSTEM)
        runs += report.created
        fees_minor += sum(run.fees.amount_minor for run in report.runs)
        bar.update(1)
    bar.close()
    fees = Money(fees_minor, payments.settlement_currency())
    return (
        f"settlement     {runs} runs over the {days} days before today: {len(charges)} wallet "
        f"checkouts, {sum(qr_paid)} QR payments, {len(refunds)} refunds, {fees} fees "
        "(see /settlement/)"
    )


def _charge_action(charge: _Charge) -> Callable[[], object]:
    def act() -> object:
        return payments.wallet_charge_for_checkout(
            buyer_id=charge.buyer_id,
            checkout_reference=f"checkout:{charge.checkout_id}",
            amount=Money(charge.total_minor, charge.currency),
            parts=charge.parts,
            now=charge.paid_at,
        )

    return act


def _qr_action(
    *,
    outlet_id: int,
    amount: int,
    bill_number: str,
    user_id: int,
    currency: str,
    request_id: str,
    moment: datetime,
    paid: list[bool],
) -> Callable[[], object]:
    def act() -> object:
        qr = selectors.outlet_qr(
            outlet_id=outlet_id, amount_minor=amount, bill_number=bill_number, actor_role=SYSTEM
        )
        result = payments.qr_payment_submit(
            user_id=user_id,
            payload=qr.payload,
            request_id=request_id,
            now=moment,
            wallet_currency=currency,
            actor_role=SYSTEM,
        )
        paid.append(result.status == "S")
        return result

    return act


def _refund_actions(
    charges: list[_Charge], rng: random.Random, end: datetime
) -> list[tuple[datetime, Callable[[], object]]]:
    """Refunds of a few charged orders (``REFUNDS``), made by the demo operator through
    ``orders.services.order_refund`` some hours after the payment and before ``end``.
    The orders are drawn from the charged ones whatever their refunds, so a rerun draws
    the same; those something was already refunded on (by the earlier run) are left alone."""
    operator_id = (
        User.objects.filter(role=OPERATOR).order_by("pk").values_list("pk", flat=True).first()
    )
    numbers = {part.reference: (charge, part) for charge in charges for part in charge.parts}
    if operator_id is None or not numbers:
        return []
    candidates = sorted(
        Order.objects.filter(
            number__in=list(numbers),
            status__in=(OrderStatus.PAID, OrderStatus.DELIVERED, OrderStatus.REFUNDED),
            cross_border_year__isnull=True,  # the CBEC allowances stay as the demo set them
        ).values_list("number", "refunded_minor")
    )
    chosen = rng.sample(candidates, min(len(REFUNDS), len(candidates)))
    actions: list[tuple[datetime, Callable[[], object]]] = []
    for (number, refunded_minor), steps in zip(chosen, REFUNDS, strict=False):
        if refunded_minor:  # refunded by an earlier run
            continue
        charge, part = numbers[number]
        at = charge.paid_at
        given = 0
        for step, (num, den) in enumerate(steps):
            at = min(at + timedelta(hours=rng.randint(2, 20)), end - timedelta(minutes=5 - step))
            amount = part.amount_minor * num // den - given  # the shares add up
            given += amount
            if amount <= 0 or at <= charge.paid_at:
                continue
            actions.append((at, _refund_action(operator_id, number, amount, at, step)))
    return actions


def _refund_action(
    operator_id: int, number: str, amount_minor: int, at: datetime, step: int
) -> Callable[[], object]:
    def act() -> object:
        return orders.order_refund(
            actor_id=operator_id,
            actor_role=OPERATOR,
            number=number,
            amount_minor=amount_minor,
            reason="demo: goods returned" if step else "demo: goodwill refund",
            now=at,
        )

    return act
