"""Builders for marketplaces, through the service (so every factory row is valid)."""

from __future__ import annotations

from itertools import count
from typing import Any

from fiera.accounts.roles import SYSTEM
from fiera.marketplaces.selectors import MarketplaceInfo
from fiera.marketplaces.services import marketplace_create

_seq = count(1)


def make_marketplace(**overrides: Any) -> MarketplaceInfo:
    n = next(_seq)
    values: dict[str, Any] = {
        "slug": f"market-{n}",
        "name": f"Market {n}",
        "kind": "b2c_cross_border",
        "languages": ["it", "en"],
        "default_language": "en",
        "default_currency": "EUR",
        "worldwide": False,
        "countries": {"IT": "EUR", "CH": "CHF", "DE": "EUR"},
        "actor_role": SYSTEM,
    }
    values.update(overrides)
    if values["worldwide"] and "countries" not in overrides:
        values["countries"] = {}
    return marketplace_create(**values)
