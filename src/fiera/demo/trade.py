"""The demo's B2B trade: buyer companies from 12 countries (most verified by the operator),
supplier profiles for merchants with a store on the trade marketplace (and the ``merchant``
login's company) at every verification level, an expired audit and an expired licence
among them, and inquiries in every state (open, answered, closed) with their threads.
Everything goes through ``fiera.trade.services``; the trade tables are demo-owned and
emptied first, so a rebuild gives the same world."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from fiera.accounts.models import User
from fiera.accounts.roles import BUYER, MERCHANT, SYSTEM
from fiera.accounts.services import user_create
from fiera.catalog.models import Product
from fiera.marketplaces.models import Marketplace
from fiera.merchants.models import Merchant, StaffMembership, Store
from fiera.merchants.services import staff_add
from fiera.trade.models import (
    BuyerCompany,
    BuyerMember,
    Inquiry,
    InquiryMessage,
    SupplierProfile,
    SupplierVerification,
)
from fiera.trade.services import (
    ProductNotOfSupplier,
    company_create,
    company_verify,
    inquiry_close,
    inquiry_create,
    inquiry_reply,
    supplier_profile_save,
    verification_add,
)

TRADE = "trade"
SUPPLIERS = 12


@dataclass(frozen=True)
class CompanySpec:
    username: str
    first: str
    last: str
    country: str
    legal_name: str
    number: str
    website: str
    verified: bool


COMPANIES = (
    CompanySpec(
        "buyer-b2b",
        "James",
        "Miller",
        "US",
        "Miller Fine Foods Inc.",
        "84-1234567",
        "https://millerfinefoods.example",
        True,
    ),
    CompanySpec(
        "trade-de",
        "Katrin",
        "Vogel",
        "DE",
        "Vogel Feinkost GmbH",
        "DE298765432",
        "https://vogel-feinkost.example",
        True,
    ),
    CompanySpec(
        "trade-fr", "Julien", "Moreau", "FR", "Moreau Distribution SAS", "FR40123456789", "", True
    ),
    CompanySpec(
        "trade-gb",
        "Olivia",
        "Hughes",
        "GB",
        "Hughes & Sons Trading Ltd",
        "GB123456789",
        "https://hughes-trading.example",
        True,
    ),
    CompanySpec("trade-jp", "Haruto", "Sato", "JP", "Sato Boeki K.K.", "1234567890123", "", True),
    CompanySpec(
        "trade-cn", "Li", "Na", "CN", "上海意选贸易有限公司", "91310000MA1K4XXXX1", "", True
    ),
    CompanySpec(
        "trade-ae",
        "Omar",
        "Haddad",
        "AE",
        "Haddad General Trading LLC",
        "100234567800003",
        "",
        False,
    ),
    CompanySpec(
        "trade-br", "Lucas", "Pereira", "BR", "Pereira Importadora Ltda", "12345678000195", "", True
    ),
    CompanySpec(
        "trade-au",
        "Chloe",
        "Wilson",
        "AU",
        "Wilson Pantry Pty Ltd",
        "51824753556",
        "https://wilsonpantry.example",
        False,
    ),
    CompanySpec(
        "trade-ca", "Ethan", "Roy", "CA", "Roy Épicerie Fine Inc.", "123456789RT0001", "", True
    ),
    CompanySpec("trade-sg", "Mei", "Lim", "SG", "Lim Gourmet Pte Ltd", "201912345K", "", False),
    CompanySpec(
        "trade-za", "Thabo", "Nkosi", "ZA", "Nkosi Imports (Pty) Ltd", "2019/123456/07", "", True
    ),
)

CAPABILITIES = (
    (
        "Produzione conto terzi e private label; certificazioni BRC e IFS.",
        "Contract manufacturing and private label; BRC and IFS certified.",
        "代工生产及自有品牌；通过 BRC 和 IFS 认证。",  # noqa: RUF001
    ),
    (
        "Lotti minimi flessibili, spedizione in 10 giorni lavorativi.",
        "Flexible minimum lots, shipped within 10 working days.",
        "起订量灵活，10 个工作日内发货。",  # noqa: RUF001
    ),
    (
        "Etichette personalizzate in inglese e cinese; documenti per l'export.",
        "Custom labels in English and Chinese; export paperwork handled.",
        "可定制中英文标签；负责出口单证。",  # noqa: RUF001
    ),
)
BODIES = ("Bureau Veritas Italia", "SGS Italia", "TÜV Italia", "RINA Services")
# The verification plan per supplier, by position: (kind, days since check, days valid).
LEVELS = (
    (("licence", 200, 730), ("audit", 40, 365)),  # audited
    (("licence", 90, 730),),  # licence checked
    (("licence", 500, 730), ("audit", 420, 365)),  # audit expired: licence still counts
    (("licence", 800, 730),),  # licence expired: not verified
    (),  # never verified
    (("audit", 10, 365),),
)
QUESTIONS = (
    (
        "Quote for a 40' container",
        "Hello, could you quote a full 40' container, FOB Genoa? "
        "We distribute to delis on the East Coast.",
    ),
    (
        "Private label samples",
        "We would like two samples with our own label before ordering. "
        "Is that possible, and at what price?",
    ),
    (
        "Lead time for 1,200 units",
        "What is your lead time for 1,200 units, and can you ship CIF to our port?",
    ),
    (
        "Certificates for import",
        "Please send the certificates we need for import (origin, health) and your payment terms.",
    ),
)
ANSWERS = (
    "Thank you for asking. We can ship in three weeks; our price list for your quantity "
    "follows, with 30% in advance and the rest against documents.",
    "Yes, samples are possible: two units at list price, shipped by courier within a week.",
    "Our lead time is 15 working days; CIF is fine, we work with a forwarder in Genoa.",
)
FOLLOW_UPS = (
    "Thanks, that works for us. We will confirm the order next week.",
    "Could you do 5% less on the second container?",
)


def _reset() -> None:
    InquiryMessage.objects.all().delete()
    Inquiry.objects.all().delete()
    SupplierVerification.objects.all().delete()
    SupplierProfile.objects.all().delete()
    BuyerMember.objects.all().delete()
    BuyerCompany.objects.all().delete()


def _buyer(spec: CompanySpec, password: str) -> User:
    found = User.objects.filter(username=spec.username).first()
    if found is not None:
        return found
    return user_create(
        username=spec.username,
        password=password,
        role=BUYER,
        buyer_kind="business",
        email=f"{spec.username}@example.com",
        country=spec.country,
        first_name=spec.first,
        last_name=spec.last,
    )


def _evidence(kind: str, merchant_id: int) -> bytes:
    """A tiny, valid one-page PDF naming the check (the demo's evidence document)."""
    text = f"Fiera demo evidence: {kind} check of merchant {merchant_id}"
    stream = f"BT /F1 12 Tf 40 780 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _suppliers(market: Marketplace) -> list[int]:
    """The merchants with an active store on the trade marketplace (the ``merchant`` login's
    company first when it is one of them, or added in front)."""
    ids = list(
        Store.objects.filter(marketplace=market, is_active=True)
        .order_by("merchant_id")
        .values_list("merchant_id", flat=True)[:SUPPLIERS]
    )
    own = (
        StaffMembership.objects.filter(user__username="merchant")
        .values_list("merchant_id", flat=True)
        .first()
    )
    if own is not None:
        ids = [own, *[i for i in ids if i != own]][:SUPPLIERS]
    return ids


def _answerer(merchant_id: int, password: str) -> int:
    """A staff member who answers the merchant's inquiries: its first staff member, or a
    ``sales-<merchant slug>`` clerk account made for the demo (most demo companies have no
    staff login)."""
    found = (
        StaffMembership.objects.filter(merchant_id=merchant_id)
        .order_by("id")
        .values_list("user_id", flat=True)
        .first()
    )
    if found is not None:
        return int(found)
    slug = Merchant.objects.filter(pk=merchant_id).values_list("slug", flat=True).get()
    username = f"sales-{slug}"[:150]
    user = User.objects.filter(username=username).first() or user_create(
        username=username,
        password=password,
        role=MERCHANT,
        email=f"{username[:60]}@example.com",
        country="IT",
        first_name="Sales",
        last_name="Desk",
    )
    staff_add(merchant_id=merchant_id, user_id=user.pk, role="clerk", actor_role=SYSTEM)
    return int(user.pk)


def build_trade(*, now: datetime, seed: int, password: str) -> str:
    """Build the trade world; returns the summary line ``fiera demo`` prints."""
    rng = random.Random(seed * 104729 + 9)
    market = Marketplace.objects.filter(slug=TRADE).first()
    if market is None:
        return "trade          skipped: no trade marketplace"
    with transaction.atomic():
        _reset()
        buyers: list[User] = []
        verified = 0
        for n, spec in enumerate(COMPANIES):
            user = _buyer(spec, password)
            buyers.append(user)
            created = now - timedelta(days=300 - n * 17)
            company = company_create(
                actor_id=user.pk,
                actor_role=BUYER,
                legal_name=spec.legal_name,
                country_code=spec.country,
                registration_number=spec.number,
                website=spec.website,
                now=created,
            )
            if spec.verified:
                company_verify(
                    actor_id=None,
                    actor_role=SYSTEM,
                    company_id=company.id,
                    verified=True,
                    now=created + timedelta(days=3),
                )
                verified += 1
        suppliers = _suppliers(market)
        levels: dict[str, int] = {}
        for n, merchant_id in enumerate(suppliers):
            it, en, zh = CAPABILITIES[n % len(CAPABILITIES)]
            supplier_profile_save(
                actor_id=None,
                actor_role=SYSTEM,
                merchant_id=merchant_id,
                capabilities_it=it,
                capabilities_en=en,
                capabilities_zh=zh,
                main_markets=rng.sample(["US", "DE", "FR", "GB", "JP", "CN", "AE", "CA"], 3),
                year_established=rng.randint(1920, 2015),
                employees_band=rng.choice(["1-9", "10-49", "50-249"]),
                export_share_pct=rng.randint(10, 80),
                now=now - timedelta(days=60),
            )
            for kind, ago, valid in LEVELS[n % len(LEVELS)]:
                checked = now - timedelta(days=ago)
                verification_add(
                    actor_id=None,
                    actor_role=SYSTEM,
                    merchant_id=merchant_id,
                    kind=kind,
                    inspection_body=BODIES[n % len(BODIES)] if kind == "audit" else "",
                    evidence=_evidence(kind, merchant_id),
                    evidence_name=f"{kind}-{merchant_id}.pdf",
                    checked_at=checked,
                    expires_at=checked + timedelta(days=valid),
                )
            key = (
                "audit"
                if n % len(LEVELS) in (0, 5)
                else "licence"
                if n % len(LEVELS) in (1, 2)
                else "none"
            )
            levels[key] = levels.get(key, 0) + 1
        states = {"open": 0, "answered": 0, "closed": 0}
        for n, merchant_id in enumerate(suppliers):
            product = (
                Product.objects.filter(merchant_id=merchant_id, is_active=True)
                .order_by("id")
                .values_list("id", flat=True)
                .first()
            )
            answerer = _answerer(merchant_id, password)
            for k in range(3 if n == 0 else 2 if n < 6 else 1):
                # buyer-b2b asks the first three suppliers: one inquiry in each state
                buyer = buyers[0] if k == 0 and n < 3 else buyers[(n + 5 * k) % len(buyers)]
                subject, question = QUESTIONS[(n + k) % len(QUESTIONS)]
                at = now - timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 20))
                kwargs: dict[str, Any] = {
                    "actor_id": buyer.pk,
                    "actor_role": BUYER,
                    "marketplace_slug": TRADE,
                    "merchant_id": merchant_id,
                    "subject": subject,
                    "quantity": rng.choice([200, 500, 1200, 2400]),
                    "message": question,
                    "now": at,
                }
                try:
                    thread = inquiry_create(product_id=product, **kwargs)
                except ProductNotOfSupplier:  # the product is not sold on the trade market
                    thread = inquiry_create(product_id=None, **kwargs)
                state = ("open", "answered", "closed")[(n + k) % 3]
                if state != "open":
                    inquiry_reply(
                        actor_id=answerer,
                        actor_role="merchant",
                        inquiry_id=thread.inquiry.id,
                        body=ANSWERS[(n + k) % len(ANSWERS)],
                        now=at + timedelta(hours=5),
                    )
                    if state == "closed":
                        inquiry_reply(
                            actor_id=buyer.pk,
                            actor_role=BUYER,
                            inquiry_id=thread.inquiry.id,
                            body=FOLLOW_UPS[(n + k) % len(FOLLOW_UPS)],
                            now=at + timedelta(hours=20),
                        )
                        inquiry_close(
                            actor_id=buyer.pk,
                            actor_role=BUYER,
                            inquiry_id=thread.inquiry.id,
                            now=at + timedelta(days=1),
                        )
                states[state] += 1
    countries = len({c.country for c in COMPANIES})
    return (
        f"trade          {len(COMPANIES)} buyer companies from {countries} countries "
        f"({verified} verified), {len(suppliers)} suppliers "
        f"({', '.join(f'{v} {k}' for k, v in sorted(levels.items()))}), "
        f"{sum(states.values())} inquiries ({', '.join(f'{v} {k}' for k, v in states.items())})"
    )
