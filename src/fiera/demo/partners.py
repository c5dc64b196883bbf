"""The demo's partner network: ten partners of every kind across the regions (one inactive),
leads in every stage (lost ones with their reasons), and live stores attributed to partners
by attaching existing demo merchants. Four regions are deliberately left without an active
partner (Molise, Basilicata, Calabria, and Sardegna, whose cooperative is inactive), so the
coverage map has gaps to show. Everything goes through ``fiera.partners.services`` with
times spread over the last months. Logins: ``partner`` (admin of Agenzia Export Nord) and
``partner-staff`` (its staff)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.text import slugify
from stdnum import luhn

from fiera.accounts.models import User
from fiera.accounts.roles import PARTNER, SYSTEM
from fiera.accounts.services import user_create
from fiera.merchants.models import Merchant
from fiera.partners.models import Lead, LeadEvent, Partner, PartnerRegion, PartnerStaff
from fiera.partners.services import (
    lead_advance,
    lead_go_live,
    lead_lose,
    lead_register,
    partner_create,
    staff_add,
)


@dataclass(frozen=True)
class PartnerSeed:
    slug: str
    name: str
    type: str
    regions: tuple[str, ...]
    website: str
    active: bool = True
    leads: int = 8  # open and lost leads, besides the live ones
    live: int = 2  # demo merchants attached as live stores


PARTNERS: tuple[PartnerSeed, ...] = (
    PartnerSeed(
        "agenzia-export-nord",
        "Agenzia Export Nord",
        "trade_agency",
        ("IT-25", "IT-21", "IT-23"),
        "https://export-nord.example.org",
        leads=14,
        live=4,
    ),
    PartnerSeed(
        "studio-bianchi",
        "Studio Bianchi Consulting",
        "consultancy",
        ("IT-34", "IT-36"),
        "https://studiobianchi.example.org",
    ),
    PartnerSeed(
        "pixel-adriatico",
        "Pixel Adriatico",
        "digital_agency",
        ("IT-57", "IT-65"),
        "https://pixeladriatico.example.org",
    ),
    PartnerSeed(
        "banca-tirrenica",
        "Banca Tirrenica",
        "bank",
        ("IT-52", "IT-62"),
        "https://bancatirrenica.example.org",
        leads=10,
        live=3,
    ),
    PartnerSeed(
        "artigiani-emilia",
        "Associazione Artigiani Emilia-Liguria",
        "association",
        ("IT-45", "IT-42"),
        "https://artigiani-emilia.example.org",
    ),
    PartnerSeed(
        "consulenze-mezzogiorno",
        "Consulenze Mezzogiorno",
        "consultancy",
        ("IT-72", "IT-75"),
        "https://mezzogiorno.example.org",
        leads=9,
    ),
    PartnerSeed(
        "sicilia-digitale",
        "Sicilia Digitale",
        "digital_agency",
        ("IT-82",),
        "https://siciliadigitale.example.org",
        leads=6,
        live=1,
    ),
    PartnerSeed(
        "trentino-trade",
        "Trentino Trade",
        "trade_agency",
        ("IT-32",),
        "https://trentinotrade.example.org",
        leads=5,
        live=1,
    ),
    PartnerSeed(
        "banca-umbra",
        "Banca Popolare Umbra",
        "bank",
        ("IT-55",),
        "https://bancaumbra.example.org",
        leads=5,
        live=1,
    ),
    PartnerSeed(
        "cooperativa-sarda",
        "Cooperativa Sarda Export",
        "association",
        ("IT-88",),
        "https://coopsarda.example.org",
        active=False,
        leads=0,
        live=0,
    ),
)
UNCOVERED = ("IT-67", "IT-77", "IT-78", "IT-88")  # Molise, Basilicata, Calabria, Sardegna

SURNAMES = (
    "Rossi", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
    "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano",
    "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi",
)  # fmt: skip
TRADES = (
    ("Pastificio", "food-wine"), ("Oleificio", "food-wine"), ("Cantina", "wine-spirits"),
    ("Caseificio", "food-wine"), ("Maglificio", "fashion"), ("Calzaturificio", "fashion"),
    ("Pelletteria", "luxury"), ("Mobilificio", "design-furniture"),
    ("Ceramiche", "ceramics-glass"), ("Vetreria", "ceramics-glass"),
    ("Cosmetici", "cosmetics"), ("Occhialeria", "eyewear"),
)  # fmt: skip
FIRST_NAMES = ("Giulia", "Marco", "Francesca", "Luca", "Sara", "Matteo", "Elena", "Davide")
LOST_REASONS = (
    "chose to sell only in Italy for now",
    "documents not ready before the season",
    "signed with another marketplace",
    "the owner retired; the firm is closing",
)
# How the open and lost leads spread over the stages (weights).
STAGES = (("new", 3), ("contacted", 3), ("documents", 2), ("lost", 2))


def _vat(serial: int) -> str:
    """A valid partita IVA in a range the demo merchants do not use (company numbers
    9,000,000+), with a real provincial office code and the Luhn check digit."""
    body = f"{9_000_000 + serial:07d}{(serial % 100) + 1:03d}"
    return "IT" + body + luhn.calc_check_digit(body)


def _reset() -> None:
    """Empty the partner tables (demo-owned: the demo reset leaves partners themselves)."""
    LeadEvent.objects.all().delete()
    Lead.objects.all().delete()
    PartnerStaff.objects.all().delete()
    PartnerRegion.objects.all().delete()
    Partner.objects.all().delete()


def _login(username: str, password: str, first: str, last: str) -> User:
    found = User.objects.filter(username=username).first()
    if found is not None:
        return found
    return user_create(
        username=username,
        password=password,
        role=PARTNER,
        email=f"{username}@example.com",
        country="IT",
        first_name=first,
        last_name=last,
    )


def _walk(
    rng: random.Random,
    now: datetime,
    partner_id: int,
    actor_id: int | None,
    lead_id: int,
    stages: list[str],
    start: datetime,
    reason: str = "",
) -> None:
    """Move a lead through ``stages``, a few days to weeks apart, never past ``now``."""
    at = start
    for stage in stages:
        at += timedelta(days=rng.randint(3, 25), hours=rng.randint(1, 8))
        at = min(at, now - timedelta(hours=1))
        if stage == "lost":
            lead_lose(
                partner_id=partner_id,
                lead_id=lead_id,
                reason=reason,
                now=at,
                actor_id=actor_id,
                actor_role=SYSTEM,
            )
        else:
            lead_advance(
                partner_id=partner_id,
                lead_id=lead_id,
                to_stage=stage,
                now=at,
                actor_id=actor_id,
                actor_role=SYSTEM,
            )


def build_partners(*, now: datetime, seed: int, password: str) -> str:
    """Build the partner network; returns the summary line ``fiera demo`` prints."""
    rng = random.Random(seed * 7919 + 13)
    counts = {"new": 0, "contacted": 0, "documents": 0, "lost": 0, "store_live": 0}
    with transaction.atomic():
        _reset()
        taken_vats = set(Merchant.objects.values_list("vat_number", flat=True))
        attributed: set[int] = set()
        serial = 0
        admin = _login("partner", password, "Paola", "Galli")
        staff = _login("partner-staff", password, "Stefano", "Neri")
        for spec in PARTNERS:
            created_at = now - timedelta(days=rng.randint(300, 700))
            info = partner_create(
                slug=spec.slug,
                name=spec.name,
                type=spec.type,
                region_codes=list(spec.regions),
                website=spec.website,
                is_active=True,  # leads are registered while active; see below
                now=created_at,
                actor_role=SYSTEM,
            )
            actor_id: int | None = None
            if spec.slug == "agenzia-export-nord":
                for user, role in ((admin, "admin"), (staff, "staff")):
                    staff_add(
                        partner_id=info.id,
                        username=user.username,
                        role=role,
                        actor_id=None,
                        actor_role=SYSTEM,
                    )
                actor_id = staff.pk

            # live stores: demo merchants of the partner's regions, attached by VAT number
            candidates = list(
                Merchant.objects.filter(region_code__in=spec.regions, country="IT")
                .exclude(pk__in=attributed)
                .order_by("id")
                .values_list("id", "display_name", "legal_name", "vat_number", "region_code")
            )
            rng.shuffle(candidates)
            for merchant_id, display, legal, vat, region in candidates[: spec.live]:
                start = now - timedelta(days=rng.randint(90, 280))
                first = rng.choice(FIRST_NAMES)
                lead = lead_register(
                    partner_id=info.id,
                    firm_name=legal or display,
                    vat_number=vat,
                    region_code=region,
                    contact_name=f"{first} {rng.choice(SURNAMES)}",
                    contact_email=f"{first.lower()}@{slugify(display)[:30].strip('-')}.example.com",
                    now=start,
                    actor_id=actor_id,
                    actor_role=SYSTEM,
                )
                _walk(rng, now, info.id, actor_id, lead.id, ["contacted", "documents"], start)
                lead_go_live(
                    partner_id=info.id,
                    lead_id=lead.id,
                    merchant_id=merchant_id,
                    now=start + timedelta(days=60),
                    actor_id=actor_id,
                    actor_role=SYSTEM,
                )
                attributed.add(merchant_id)
                counts["store_live"] += 1
            # open and lost leads: firms not yet on Fiera; the main partner has every stage
            plan = [s for s, _ in STAGES] if spec.leads >= len(STAGES) else []
            plan += rng.choices(
                [s for s, _ in STAGES], weights=[w for _, w in STAGES], k=spec.leads - len(plan)
            )
            for target in plan:
                serial += 1
                vat = _vat(serial)
                while vat in taken_vats:
                    serial += 1
                    vat = _vat(serial)
                trade, sector = rng.choice(TRADES)
                surname = rng.choice(SURNAMES)
                first = rng.choice(FIRST_NAMES)
                start = now - timedelta(days=rng.randint(5, 120))
                lead = lead_register(
                    partner_id=info.id,
                    firm_name=f"{trade} {surname} S.r.l.",
                    vat_number=vat,
                    region_code=rng.choice(spec.regions),
                    sector_slug=sector,
                    contact_name=f"{first} {surname}",
                    contact_email=f"{first.lower()}.{slugify(surname)}@example.com",
                    now=start,
                    actor_id=actor_id,
                    actor_role=SYSTEM,
                )
                steps = {
                    "new": [],
                    "contacted": ["contacted"],
                    "documents": ["contacted", "documents"],
                    "lost": rng.choice([["lost"], ["contacted", "lost"]]),
                }[target]
                _walk(rng, now, info.id, actor_id, lead.id, steps, start, rng.choice(LOST_REASONS))
                counts[target] += 1
            if not spec.active:
                Partner.objects.filter(pk=info.id).update(is_active=False)
    total = sum(counts.values())
    stages = ", ".join(f"{n} {stage.replace('_', ' ')}" for stage, n in counts.items())
    return (
        f"partners       {len(PARTNERS)} partners, {total} leads ({stages}); "
        f"{len(UNCOVERED)} regions without an active partner; logins partner, partner-staff"
    )
