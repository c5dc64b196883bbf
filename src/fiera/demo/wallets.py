"""Demo wallets: each demo buyer gets a wallet in the currency of their profile (the
Chinese consumers CNY, ``buyer-sg`` SGD, ``buyer-b2b`` USD) topped up through the payments
services (the simulated funding source), so that they can pay a checkout with the wallet
and pay by QR at a pilot post office.

Idempotent: wallets are opened once, and each top-up has a request id derived from the
seed and the username, so running it again books nothing new.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime

from fiera.accounts.models import User
from fiera.accounts.roles import SYSTEM
from fiera.common.money import Money
from fiera.payments import services

# username -> the wallet currency that follows the buyer's country
DEMO_BUYERS = {"buyer": "CNY", "buyer-cbec": "CNY", "buyer-sg": "SGD", "buyer-b2b": "USD"}
TOP_UP_MAJOR = {  # chosen per buyer with the seed
    "CNY": (3_000, 5_000, 8_000),
    "SGD": (600, 1_000, 1_500),
    "USD": (2_000, 5_000, 8_000),
}


def build_wallets(*, seed: int, now: datetime | None = None) -> str:
    """Open a wallet for each demo buyer that exists, in their currency, and top it up once
    (by ``seed``); returns one summary line."""
    rng = random.Random(f"wallets-{seed}")
    moment = now or datetime.now(tz=UTC)
    users = dict(User.objects.filter(username__in=DEMO_BUYERS).values_list("username", "pk"))
    totals: dict[str, Money] = {}
    opened: Counter[str] = Counter()
    for username, currency in DEMO_BUYERS.items():
        amount = Money.from_major(rng.choice(TOP_UP_MAJOR[currency]), currency)
        user_id = users.get(username)
        if user_id is None:
            continue
        services.wallet_open(user_id=user_id, currency=currency, now=moment, actor_role=SYSTEM)
        services.wallet_top_up(
            user_id=user_id,
            amount_minor=amount.amount_minor,
            currency=currency,
            funding_reference="demo card",
            request_id=f"demo-{seed}-{username}",
            now=moment,
            actor_role=SYSTEM,
        )
        opened[currency] += 1
        totals[currency] = totals.get(currency, Money.zero(currency)) + amount
    kinds = ", ".join(f"{n} {code}" for code, n in sorted(opened.items()))
    topped = ", ".join(str(totals[code]) for code in sorted(totals))
    count = sum(opened.values())
    return f"wallets        {count} wallets of demo buyers ({kinds}), {topped} topped up"
