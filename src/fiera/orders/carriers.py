"""Parcel carriers and their public tracking pages (data: ``orders/data/carriers.json``).

A shipment stores its carrier as text (the console stores the carrier's ``name``; the API
and older rows may hold an alias such as "DHL" or a carrier this list does not know).
``tracking_url`` finds the carrier by name, code or alias, ignoring case and spaces at the
ends, and answers the carrier's tracking page for the number; an unknown carrier answers
None, and pages show the number as plain text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

CARRIERS_PATH = Path(__file__).resolve().parent / "data" / "carriers.json"


@dataclass(frozen=True, slots=True)
class Carrier:
    code: str
    name: str
    tracking_url_template: str  # "https://...{number}..."
    aliases: tuple[str, ...] = ()

    def tracking_url(self, number: str) -> str:
        return self.tracking_url_template.replace("{number}", quote(number.strip(), safe=""))


@lru_cache(maxsize=1)
def carrier_list() -> tuple[Carrier, ...]:
    """The carriers of the data file, in its order (the console's select)."""
    data = json.loads(CARRIERS_PATH.read_text(encoding="utf-8"))
    return tuple(
        Carrier(
            code=row["code"],
            name=row["name"],
            tracking_url_template=row["tracking_url"],
            aliases=tuple(row.get("aliases", ())),
        )
        for row in data["carriers"]
    )


@lru_cache(maxsize=1)
def _by_key() -> dict[str, Carrier]:
    found: dict[str, Carrier] = {}
    for carrier in carrier_list():
        for key in (carrier.code, carrier.name, *carrier.aliases):
            found.setdefault(key.strip().casefold(), carrier)
    return found


def carrier_find(text: str) -> Carrier | None:
    """The carrier named ``text`` (its name, code or an alias; any case), or None."""
    return _by_key().get((text or "").strip().casefold())


def tracking_url(carrier: str, number: str) -> str | None:
    """The carrier's public tracking page for ``number``; None for an unknown carrier or
    an empty number."""
    found = carrier_find(carrier)
    if found is None or not (number or "").strip():
        return None
    return found.tracking_url(number)
