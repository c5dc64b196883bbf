"""The sales rollups: the order events' subscribers (filled in after the skeleton)."""

from __future__ import annotations


def register() -> None:
    """Subscribe to the order events (from ``AnalyticsConfig.ready``)."""
