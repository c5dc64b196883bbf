"""Demo wallets: the demo buyers get a CNY wallet topped up through the payments services
(the simulated funding source), so that "buyer" can pay by QR at a pilot post office.

Idempotent: wallets are opened once, and each top-up has a request id derived from the
seed and the username, so running it again books nothing new.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from fiera.accounts.models import User
from fiera.accounts.roles import SYSTEM
from fiera.common.money import Money
from fiera.payments import services

DEMO_BUYERS = ("buyer", "buyer-sg", "buyer-b2b")
TOP_UP_MAJOR = (3_000, 5_000, 8_000)  # CNY, chosen per buyer with the seed


def build_wallets(*, seed: int, now: datetime | None = None) -> str:
    """Open a CNY wallet for each demo buyer that exists and top it up once (CNY 3,000 to
    8,000, by ``seed``); returns one summary line."""
    rng = random.Random(f"wallets-{seed}")
    moment = now or datetime.now(tz=UTC)
    users = dict(User.objects.filter(username__in=DEMO_BUYERS).values_list("username", "pk"))
    total = Money.zero("CNY")
    opened = 0
    for username in DEMO_BUYERS:
        amount = Money.from_major(rng.choice(TOP_UP_MAJOR), "CNY")
        user_id = users.get(username)
        if user_id is None:
            continue
        services.wallet_open(user_id=user_id, currency="CNY", now=moment, actor_role=SYSTEM)
        services.wallet_top_up(
            user_id=user_id,
            amount_minor=amount.amount_minor,
            currency="CNY",
            funding_reference="demo card",
            request_id=f"demo-{seed}-{username}",
            now=moment,
            actor_role=SYSTEM,
        )
        opened += 1
        total = total + amount
    return f"wallets        {opened} CNY wallets of demo buyers, {total} topped up"
