"""Demo reference rates for the currencies the ECB does not publish (the Vietnamese dong),
so that every currency of the demo's marketplaces converts: the "sea" marketplace sells in
IDR, MYR, PHP, SGD, THB and VND, and a festival's tallies convert each order to US dollars
(``fiera.festivals.tallies``) at the reference rate of its day.

The ECB's euro rates come from the bundled offline history (``fx_rates_import_bundled``).
For VND the demo writes, on each day the ECB published a USD rate, EUR->VND = (ECB
EUR->USD of that day) x (a VND-per-USD figure interpolated between the round anchors
below, close to the State Bank of Vietnam's central rates of those dates). They are DATA
of the demo, marked ``source="DEMO"`` so nobody takes them for ECB figures, computed in
exact integer arithmetic and never fetched from the network. Idempotent: a (quote, date)
already stored is left alone.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from fiera.payments.models import FxRate

SOURCE = "DEMO"
# VND per 1 USD on each date; linear in between, flat outside.
VND_PER_USD: tuple[tuple[date, int], ...] = (
    (date(2024, 1, 1), 24_300),
    (date(2025, 1, 1), 25_450),
    (date(2025, 7, 1), 26_150),
    (date(2026, 1, 1), 26_300),
    (date(2026, 7, 1), 26_400),
    (date(2027, 1, 1), 26_500),
)


def vnd_per_usd(on: date) -> int:
    """The anchor figure for ``on`` (whole dong), linear between the anchors."""
    if on <= VND_PER_USD[0][0]:
        return VND_PER_USD[0][1]
    for (d0, v0), (d1, v1) in pairwise(VND_PER_USD):
        if d0 <= on <= d1:
            span, into = (d1 - d0).days, (on - d0).days
            return v0 + ((v1 - v0) * into * 2 + span) // (2 * span)  # half up
    return VND_PER_USD[-1][1]


def demo_fx_rates_load(*, since: date, until: date) -> int:
    """Store the EUR->VND rates of the days in [since, until] that have an ECB USD rate
    and no VND rate yet; returns how many were stored."""
    usd = dict(
        FxRate.objects.filter(quote="USD", date__gte=since, date__lte=until).values_list(
            "date", "rate_e9"
        )
    )
    present = set(
        FxRate.objects.filter(quote="VND", date__gte=since, date__lte=until).values_list(
            "date", flat=True
        )
    )
    rows = [
        # rate_e9 is 10**-9 units: EUR->USD (e9) x VND per USD, rounded to whole 10**-3 dong
        FxRate(
            base="EUR",
            quote="VND",
            date=day,
            rate_e9=(usd_e9 * vnd_per_usd(day) + 500_000) // 1_000_000 * 1_000_000,
            source=SOURCE,
        )
        for day, usd_e9 in sorted(usd.items())
        if day not in present
    ]
    FxRate.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
