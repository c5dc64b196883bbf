"""Funding sources behind a gateway: where top-up money comes from.

``FundingGateway`` is the port: ``charge(reference, amount)`` asks the outside world (a
bank, a card acquirer, Alipay+) for ``amount`` and answers a ``FundingResult``. The
``reference`` is Fiera's idempotency key towards the gateway: charging the same
reference twice must charge once (real acquirers take such a key), so a top-up whose
answer was lost can safely be driven again.

Two adapters ship: ``InMemoryFundingGateway``, the fake for tests (records charges,
declines or times out on demand), and ``SimulatedFundingGateway``, used by the demo and
the pages, which approves every charge up to a limit and declines above it. No real
money source is wired; a production adapter implements the same Protocol.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from fiera.common.money import Money


class FundingTimeout(Exception):
    """The gateway did not answer: whether it charged is unknown (drive it again)."""


@dataclass(frozen=True, slots=True)
class FundingResult:
    """``approved``: the money was taken (``gateway_reference`` names the charge there);
    otherwise ``decline_code`` (e.g. "over_limit") and ``detail`` say why."""

    approved: bool
    gateway_reference: str = ""
    decline_code: str = ""
    detail: str = ""


@runtime_checkable
class FundingGateway(Protocol):
    name: str

    def charge(self, reference: str, amount: Money) -> FundingResult:
        """Take ``amount`` from the funding source, once per ``reference``; may raise
        ``FundingTimeout`` when the outcome is unknown."""
        ...


class SimulatedFundingGateway:
    """Approves every charge up to ``limit_major`` major units of any currency (so CNY
    20,000.00 by default) and declines larger ones with "over_limit". Stateless and
    deterministic: the same reference gets the same gateway reference."""

    name = "simulated"

    def __init__(self, limit_major: int = 20_000) -> None:
        self.limit_major = limit_major

    def charge(self, reference: str, amount: Money) -> FundingResult:
        limit = Money.from_major(self.limit_major, amount.currency)
        if amount > limit:
            return FundingResult(
                approved=False,
                decline_code="over_limit",
                detail=f"the simulated funding source approves at most {limit} at once",
            )
        digest = hashlib.sha256(reference.encode()).hexdigest()[:16]
        return FundingResult(approved=True, gateway_reference=f"sim-{digest}")


@dataclass
class InMemoryFundingGateway:
    """The test fake. Charges are recorded in ``charges`` (reference -> Money), once per
    reference; ``decline`` makes the next charges fail with that code; ``timeouts`` makes
    the next that many calls raise ``FundingTimeout`` (after charging when
    ``timeout_after_charge``, as a lost answer would)."""

    name: str = "in-memory"
    decline: str = ""
    timeouts: int = 0
    timeout_after_charge: bool = False
    charges: dict[str, Money] = field(default_factory=dict)
    calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def charge(self, reference: str, amount: Money) -> FundingResult:
        with self._lock:
            self.calls += 1
            if self.timeouts and not self.timeout_after_charge:
                self.timeouts -= 1
                raise FundingTimeout(f"no answer for {reference}")
            if self.decline:
                return FundingResult(approved=False, decline_code=self.decline, detail="declined")
            previous = self.charges.setdefault(reference, amount)
            if previous != amount:
                return FundingResult(
                    approved=False, decline_code="reference_reused", detail="other amount"
                )
            if self.timeouts:
                self.timeouts -= 1
                raise FundingTimeout(f"the answer for {reference} was lost")
            return FundingResult(approved=True, gateway_reference=f"mem-{reference}")

    def total(self, currency: str) -> Money:
        return sum(
            (m for m in self.charges.values() if m.currency == currency), Money.zero(currency)
        )


_default: FundingGateway = SimulatedFundingGateway()


def funding_gateway() -> FundingGateway:
    """The gateway top-ups use when the caller names none (the simulated one unless
    ``set_funding_gateway`` installed another at start-up)."""
    return _default


def set_funding_gateway(gateway: FundingGateway) -> FundingGateway:
    """Install ``gateway`` as the default; returns the previous one (tests restore it)."""
    global _default
    previous, _default = _default, gateway
    return previous
