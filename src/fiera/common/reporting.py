"""The GMV arithmetic that the festival tallies and the analytics rollups share (pure: no
database), so that the two can never disagree (docs/decisions/0026-analytics-rollups.md).

- An order's total is converted to US cents at a recorded rate (USD per unit of its
  currency), Decimal, rounded half-even, never float (``to_usd_minor``).
- Per category: the USD total is split over the order's lines' categories in proportion to
  the line amounts (incl. tax), the shares adding up exactly (``split``); the order itself
  counts once, in its lowest category id (``NO_CATEGORY`` = 0 for lines without one).
- A refund lowers the order to (total - refunded) at the RECORDED rate, proportionally per
  category, never raising it; a cancellation or a full refund takes it all off, the order
  and its units too (``reduced``, ``order_counted``, ``order_lowered``).
- What to add to the cells to go from one state of an order to the next: ``as_delta``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from fiera.common.money import currency_exponent

REPORTING_CURRENCY = "USD"
NO_CATEGORY = 0  # the category id of lines whose product has none


def to_usd_minor(amount_minor: int, currency: str, rate: Decimal) -> int:
    """``amount_minor`` of ``currency`` in US cents at ``rate`` (USD per unit), half-even."""
    shift = currency_exponent(REPORTING_CURRENCY) - currency_exponent(currency)
    value = (Decimal(amount_minor) * rate).scaleb(shift)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def split(total: int, weights: Sequence[tuple[int, int]]) -> dict[int, int]:
    """``total`` shared over keys in proportion to their weights (cumulative half-even
    rounding, so the shares add up to ``total`` exactly); keys in the order given."""
    weight_sum = sum(w for _, w in weights)
    shares: dict[int, int] = {}
    if weight_sum == 0:
        for i, (key, _) in enumerate(weights):
            shares[key] = total if i == 0 else 0
        return shares
    cumulative, given = 0, 0
    for key, weight in weights:
        cumulative += weight
        upto = int(
            (Decimal(total) * cumulative / weight_sum).quantize(
                Decimal(1), rounding=ROUND_HALF_EVEN
            )
        )
        shares[key] = upto - given
        given = upto
    return shares


@dataclass(frozen=True, slots=True)
class Counted:
    """What one order counts for: per category [usd_minor, units], and whether it still
    counts as an order."""

    categories: dict[int, tuple[int, int]]
    counts_order: bool

    @property
    def gmv(self) -> int:
        return sum(v for v, _ in self.categories.values())

    @property
    def units(self) -> int:
        return sum(u for _, u in self.categories.values())

    def as_json(self) -> dict[str, list[int]]:
        """``categories`` as stored (category id as a string -> [usd_minor, units])."""
        return {str(k): [v, u] for k, (v, u) in self.categories.items()}

    @classmethod
    def from_json(cls, data: dict[str, list[int]], *, counts_order: bool) -> Counted:
        return cls(
            {int(k): (int(v[0]), int(v[1])) for k, v in data.items()}, counts_order=counts_order
        )


def reduced(counted: Counted, *, target_usd: int, fully: bool) -> Counted:
    """``counted`` lowered to ``target_usd`` (never raised), proportionally per category;
    ``fully`` (cancelled or refunded in full) takes everything off, orders and units too."""
    if fully:
        return Counted(dict.fromkeys(counted.categories, (0, 0)), counts_order=False)
    target = min(target_usd, counted.gmv)
    keys = sorted(counted.categories)
    shares = split(target, [(cat, counted.categories[cat][0]) for cat in keys])
    return Counted(
        {cat: (shares[cat], counted.categories[cat][1]) for cat in keys},
        counts_order=counted.counts_order,
    )


def order_counted(
    *,
    total_minor: int,
    refunded_minor: int,
    currency: str,
    rate: Decimal,
    lines: Iterable[tuple[int, int, int]],
    fully_refunded: bool = False,
) -> Counted:
    """What an order counts for at ``rate``: its USD total split over its lines'
    categories (lines as (category_id or NO_CATEGORY, quantity, amount_minor incl. tax)),
    then lowered by what was refunded (all of it when ``fully_refunded`` or nothing is
    left)."""
    weights: dict[int, int] = defaultdict(int)
    units: dict[int, int] = defaultdict(int)
    for category, quantity, amount in lines:
        weights[category] += amount
        units[category] += quantity
    if not weights:
        weights[NO_CATEGORY] = 0
    keys = sorted(weights)
    shares = split(to_usd_minor(total_minor, currency, rate), [(k, weights[k]) for k in keys])
    counted = Counted({k: (shares[k], units[k]) for k in keys}, counts_order=True)
    if refunded_minor or fully_refunded:
        counted = order_lowered(
            counted,
            total_minor=total_minor,
            refunded_minor=refunded_minor,
            currency=currency,
            rate=rate,
            fully=fully_refunded,
        )
    return counted


def order_lowered(
    counted: Counted,
    *,
    total_minor: int,
    refunded_minor: int,
    currency: str,
    rate: Decimal,
    fully: bool,
) -> Counted:
    """``counted`` after a cancellation (``fully``) or a refund that leaves (total -
    refunded) at the recorded ``rate``; a refund of everything takes it off entirely."""
    remaining = total_minor - refunded_minor
    if fully or remaining <= 0:
        return reduced(counted, target_usd=0, fully=True)
    return reduced(counted, target_usd=to_usd_minor(remaining, currency, rate), fully=False)


def as_delta(new: Counted, old: Counted | None) -> dict[int, tuple[int, int, int]]:
    """Per category: (orders, units, usd) to add to go from ``old`` to ``new`` (the order
    counts once, in its lowest category); categories with nothing to add are left out."""
    lowest = min(new.categories) if new.categories else NO_CATEGORY
    delta: dict[int, tuple[int, int, int]] = {}
    for cat, (usd, units) in new.categories.items():
        old_usd, old_units = old.categories.get(cat, (0, 0)) if old else (0, 0)
        old_orders = 1 if old and old.counts_order and cat == lowest else 0
        new_orders = 1 if new.counts_order and cat == lowest else 0
        d = (new_orders - old_orders, units - old_units, usd - old_usd)
        if d != (0, 0, 0):
            delta[cat] = d
    return delta


@dataclass(frozen=True, slots=True)
class PlacedOrder:
    """One order of an ``orders.checkout.placed`` payload as GMV counting reads it: amounts
    in minor units of ``currency``, lines as (variant_id, quantity, amount_minor incl. tax)."""

    order_id: int
    merchant_id: int
    marketplace_id: int
    buyer_country: str
    currency: str
    total_minor: int
    placed_at: datetime
    lines: tuple[tuple[int, int, int], ...]


def placed_orders(payload: dict[str, Any]) -> list[PlacedOrder]:
    """The orders of an ``orders.checkout.placed`` payload (``CheckoutResult.as_json()``):
    what the festival tallies and the analytics rollups both count, read one way."""
    placed_at = datetime.fromisoformat(str(payload["placed_at"]))
    if placed_at.tzinfo is None:  # stored as UTC without an offset
        placed_at = placed_at.replace(tzinfo=UTC)
    return [
        PlacedOrder(
            order_id=int(o["order_id"]),
            merchant_id=int(o["merchant_id"]),
            marketplace_id=int(payload["marketplace_id"]),
            buyer_country=str(payload["country"]),
            currency=str(o["currency"]),
            total_minor=int(o["total_minor"]),
            placed_at=placed_at,
            lines=tuple(
                (
                    int(line["variant_id"]),
                    int(line["quantity"]),
                    int(line["line_total_minor"]) + int(line.get("tax_minor", 0)),
                )
                for line in o["lines"]
            ),
        )
        for o in payload["orders"]
    ]
