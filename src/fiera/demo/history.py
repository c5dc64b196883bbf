"""Demo payment history, so that settlement can be shown: the wallet-paid checkouts of the
last ``HISTORY_DAYS`` past days are charged through the payments services at the moment
they were paid, demo buyers pay by QR at the pilot post offices on those days, and the
daily settlement runs for each of those days (oldest first). An operator then sees runs,
statements and fees at /settlement/.

Each buyer who paid with the wallet gets a wallet in the checkout's currency, topped up the
day before the first payment (a request id per buyer and currency). Only checkouts in a
wallet currency (``FIERA_WALLET_CURRENCIES``) whose orders were neither cancelled nor
refunded are charged. Idempotent: charges are keyed by checkout, QR payments by a request
id per day and buyer, and settlement by merchant and day.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from tqdm import tqdm

from fiera.accounts.models import User
from fiera.accounts.roles import SYSTEM
from fiera.common.money import Money
from fiera.orders.models import Order
from fiera.payments import selectors
from fiera.payments import services as payments
from fiera.payments.models import Outlet

HISTORY_DAYS = 7
QR_BUYERS = ("buyer", "buyer-cbec", "buyer-sg", "buyer-b2b")
QR_AMOUNTS_EUR_CENTS = (350, 1_280, 2_500, 4_990, 8_700, 12_000)
FUNDING_LIMIT_MAJOR = 20_000  # what the simulated funding source approves at once


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
        if paid_at is None or cancelled is not None or refunded or currency not in currencies:
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
    (rounded up, plus a margin); the QR payers get a margin in their own currency."""
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
                request_id=f"demo-history-{seed}-{user_id}-{currency}-{part}",
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
    bar = _bar(progress, "payments", len(charges), "checkout")
    for charge in charges:
        payments.wallet_charge_for_checkout(
            buyer_id=charge.buyer_id,
            checkout_reference=f"checkout:{charge.checkout_id}",
            amount=Money(charge.total_minor, charge.currency),
            parts=charge.parts,
            now=charge.paid_at,
        )
        bar.update(1)
    bar.close()
    pilots = list(
        Outlet.objects.filter(status="pilot").order_by("code").values_list("pk", flat=True)
    )
    qr_paid = 0
    day_list = [first_day + timedelta(days=n) for n in range(days)]
    if pilots and qr_users:
        bar = _bar(progress, "qr", len(day_list), "day")
        for day in day_list:
            for index in range(rng.randint(2, 4)):
                name = rng.choice(sorted(qr_users))
                user_id, currency = qr_users[name]
                amount = rng.choice(QR_AMOUNTS_EUR_CENTS)
                qr = selectors.outlet_qr(
                    outlet_id=rng.choice(pilots),
                    amount_minor=amount,
                    bill_number=f"B{day:%m%d}{index:02d}",
                    actor_role=SYSTEM,
                )
                moment = datetime.combine(day, time(8), tzinfo=UTC) + timedelta(
                    minutes=rng.randint(0, 600)
                )
                result = payments.qr_payment_submit(
                    user_id=user_id,
                    payload=qr.payload,
                    request_id=f"demo-qr-{seed}-{day:%Y%m%d}-{index}",
                    now=moment,
                    wallet_currency=currency,
                    actor_role=SYSTEM,
                )
                qr_paid += result.status == "S"
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
        f"checkouts, {qr_paid} QR payments, {fees} fees (see /settlement/)"
    )
