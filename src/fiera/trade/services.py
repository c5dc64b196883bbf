"""Writes of the trade app: buyer companies and their members, supplier profiles and their
verifications, inquiries and their threads. Each function is one use case in one
transaction; ``actor_id``/``actor_role`` say who acts (``SYSTEM`` for the demo builder)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from fiera.accounts.roles import BUYER, MERCHANT, OPERATOR, SYSTEM
from fiera.accounts.selectors import user_ids_by_username, user_role_get
from fiera.catalog.selectors import product_detail
from fiera.common.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from fiera.common.images import image_prepare
from fiera.common.reference import country
from fiera.marketplaces.selectors import marketplace_get
from fiera.merchants.selectors import authorize
from fiera.trade.models import (
    BuyerCompany,
    BuyerMember,
    EmployeesBand,
    Inquiry,
    InquiryMessage,
    InquiryStatus,
    MemberRole,
    MessageSide,
    SupplierProfile,
    SupplierVerification,
    VerificationKind,
)
from fiera.trade.search import supplier_search_document
from fiera.trade.selectors import (
    CompanyInfo,
    InquiryThread,
    SupplierInfo,
    VerificationInfo,
    company_info,
    inquiry_access,
    inquiry_thread,
    supplier_get,
    verification_info,
)

EDITORS = frozenset({"owner", "manager"})
MAX_MESSAGE = 4000
MAX_SUBJECT = 160
MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
MAX_QUANTITY = 100_000_000


# --- errors -------------------------------------------------------------------------------


class BuyersOnly(PermissionDenied):
    code = "buyers_only"
    message_template = _("Only business buyer accounts can do this.")


class OperatorsOnly(PermissionDenied):
    code = "operators_only"
    message_template = _("Only operators can do this.")


class AlreadyInCompany(Conflict):
    code = "already_in_company"
    message_template = _("This account already belongs to a buyer company.")


class RegistrationTaken(Conflict):
    code = "registration_taken"
    message_template = _(
        "A buyer company with registration number %(registration_number)s in %(country)s "
        "already exists."
    )


class CompanyNotFound(NotFound):
    code = "company_not_found"
    message_template = _("This buyer company does not exist.")


class CompanyAdminOnly(PermissionDenied):
    code = "company_admin_only"
    message_template = _("Only the company's admins can do this.")


class UnknownBuyer(InvalidInput):
    code = "unknown_buyer"
    message_template = _("%(username)s is not a buyer account.")


class SupplierNotFound(NotFound):
    code = "supplier_not_found"
    message_template = _("This supplier does not exist.")


class EvidenceRefused(InvalidInput):
    code = "evidence_refused"
    message_template = _(
        "The evidence must be a PDF or a picture (JPEG, PNG, WebP) of at most 5 MB."
    )


class AuditNeedsBody(InvalidInput):
    code = "audit_needs_body"
    message_template = _("An on-site audit names the inspection body that did it.")


class ExpiryNotAfterCheck(InvalidInput):
    code = "expiry_not_after_check"
    message_template = _("The expiry date must come after the date of the check.")


class NotTradeMarketplace(InvalidInput):
    code = "not_trade_marketplace"
    message_template = _("Inquiries are sent on a B2B trade marketplace only.")


class ProductNotOfSupplier(InvalidInput):
    code = "product_not_of_supplier"
    message_template = _("This product is not sold by this supplier on this marketplace.")


class TextEmpty(InvalidInput):
    code = "text_empty"
    message_template = _("%(field)s cannot be empty.")


class TextTooLong(InvalidInput):
    code = "text_too_long"
    message_template = _("%(field)s is too long: at most %(limit)s characters.")


class InquiryQuota(DomainError):
    status = 429
    code = "inquiry_quota"
    message_template = _(
        "You have opened %(limit)s inquiries in the last 24 hours, the most allowed; "
        "try again later."
    )


class InquiryClosed(Conflict):
    code = "inquiry_closed"
    message_template = _("This inquiry is closed; open a new one to write again.")


class ReadOnlyForOperators(PermissionDenied):
    code = "operator_read_only"
    message_template = _("Operators may read inquiries for moderation but not write in them.")


class CloseNeedsManager(PermissionDenied):
    code = "close_needs_manager"
    message_template = _("Only the supplier's owners and managers can close an inquiry.")


# --- checks -------------------------------------------------------------------------------


def _text(value: str, *, field: str, limit: int, label: str) -> str:
    cleaned = (value or "").replace("\r\n", "\n").strip()
    if not cleaned:
        raise TextEmpty(f"{field} is empty", field=label)
    if len(cleaned) > limit:
        raise TextTooLong(f"{field} has {len(cleaned)} characters", field=label, limit=limit)
    return cleaned


def _require_operator(actor_role: str) -> None:
    if actor_role not in (OPERATOR, SYSTEM):
        raise OperatorsOnly("operators only")


def _require_buyer(actor_role: str) -> None:
    if actor_role != BUYER:
        raise BuyersOnly(f"role {actor_role} is not a buyer")


# --- buyer companies ------------------------------------------------------------------------


@transaction.atomic
def company_create(
    *,
    actor_id: int,
    actor_role: str,
    legal_name: str,
    country_code: str,
    registration_number: str,
    website: str = "",
    now: datetime,
) -> CompanyInfo:
    """A buyer creates their company and becomes its admin. 409 when the buyer already
    belongs to a company or the (country, registration number) is taken."""
    _require_buyer(actor_role)
    name = _text(legal_name, field="legal_name", limit=200, label=str(_("Legal name")))
    number = (
        _text(
            registration_number,
            field="registration_number",
            limit=40,
            label=str(_("Registration number")),
        )
        .upper()
        .replace(" ", "")
    )
    code = country(country_code).code
    if BuyerMember.objects.filter(user_id=actor_id).exists():
        raise AlreadyInCompany(f"user {actor_id} already has a company")
    if BuyerCompany.objects.filter(country=code, registration_number=number).exists():
        raise RegistrationTaken(f"{code}/{number} exists", registration_number=number, country=code)
    company = BuyerCompany.objects.create(
        legal_name=name,
        country=code,
        registration_number=number,
        website=(website or "").strip(),
        created_at=now,
    )
    BuyerMember.objects.create(company=company, user_id=actor_id, role=MemberRole.ADMIN)
    return company_info(company)


def _company_for_admin(*, company_id: int, actor_id: int, actor_role: str) -> BuyerCompany:
    company = BuyerCompany.objects.select_for_update().filter(pk=company_id).first()
    if company is None:
        raise CompanyNotFound(f"no company {company_id}")
    if actor_role in (OPERATOR, SYSTEM):
        return company
    role = (
        BuyerMember.objects.filter(company_id=company_id, user_id=actor_id)
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        raise CompanyNotFound(f"user {actor_id} is not in company {company_id}")
    if role != MemberRole.ADMIN:
        raise CompanyAdminOnly("company admins only")
    return company


@transaction.atomic
def company_member_add(
    *, actor_id: int, actor_role: str, company_id: int, username: str, role: str
) -> CompanyInfo:
    """Add a buyer account to the company (its admins, or operators)."""
    company = _company_for_admin(company_id=company_id, actor_id=actor_id, actor_role=actor_role)
    if role not in MemberRole.values:
        raise InvalidInput(f"role {role}", message=_("Choose a role: admin or member."))
    user_id = user_ids_by_username(usernames=[username]).get(username)
    if user_id is None or user_role_get(user_id=user_id) != BUYER:
        raise UnknownBuyer(f"{username} is no buyer", username=username)
    if BuyerMember.objects.filter(user_id=user_id).exists():
        raise AlreadyInCompany(f"user {user_id} already has a company")
    BuyerMember.objects.create(company=company, user_id=user_id, role=role)
    return company_info(company)


@transaction.atomic
def company_verify(
    *, actor_id: int | None, actor_role: str, company_id: int, verified: bool, now: datetime
) -> CompanyInfo:
    """Operators mark a company verified (now, by them) or withdraw the mark."""
    _require_operator(actor_role)
    company = BuyerCompany.objects.select_for_update().filter(pk=company_id).first()
    if company is None:
        raise CompanyNotFound(f"no company {company_id}")
    company.verified_at = now if verified else None
    company.verified_by_id = actor_id if verified and actor_role == OPERATOR else None
    company.save(update_fields=["verified_at", "verified_by"])
    return company_info(company)


# --- supplier profiles ---------------------------------------------------------------------


def _markets(codes: Sequence[str]) -> str:
    seen: list[str] = []
    for raw in codes:
        code = country(raw.strip()).code
        if code not in seen:
            seen.append(code)
    return ",".join(seen[:30])


@transaction.atomic
def supplier_profile_save(
    *,
    actor_id: int | None,
    actor_role: str,
    merchant_id: int,
    capabilities_it: str = "",
    capabilities_en: str = "",
    capabilities_zh: str = "",
    main_markets: Sequence[str] = (),
    year_established: int | None = None,
    employees_band: str = "",
    export_share_pct: int | None = None,
    now: datetime,
) -> SupplierInfo:
    """Create or replace the merchant's supplier profile (its owners and managers, or
    operators; clerks 403, another merchant's staff 404)."""
    authorize(merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role, roles=EDITORS)
    texts = {}
    for field, value in (
        ("capabilities_it", capabilities_it),
        ("capabilities_en", capabilities_en),
        ("capabilities_zh", capabilities_zh),
    ):
        value = (value or "").strip()
        if len(value) > 4000:
            raise TextTooLong(field, field=str(_("Capabilities")), limit=4000)
        texts[field] = value
    if year_established is not None and not 1800 <= year_established <= now.year:
        raise InvalidInput(
            f"year {year_established}",
            message=_("The year established must be between 1800 and this year."),
        )
    if employees_band and employees_band not in EmployeesBand.values:
        raise InvalidInput(
            f"band {employees_band}",
            message=_("Choose an employees band: 1-9, 10-49, 50-249 or 250+."),
        )
    if export_share_pct is not None and not 0 <= export_share_pct <= 100:
        raise InvalidInput(
            f"share {export_share_pct}", message=_("The export share is a percentage, 0-100.")
        )
    SupplierProfile.objects.update_or_create(
        merchant_id=merchant_id,
        defaults={
            **texts,
            "main_markets": _markets(main_markets),
            "year_established": year_established,
            "employees_band": employees_band,
            "export_share_pct": export_share_pct,
            "updated_at": now,
            "search_document": supplier_search_document(merchant_id=merchant_id, **texts),
        },
    )
    return supplier_get(merchant_id=merchant_id, now=now)


def evidence_file(upload: IO[bytes] | bytes, name: str) -> ContentFile[bytes]:
    """The evidence as it is stored: a PDF as is (``%PDF-`` magic), a picture re-encoded
    without metadata; ``EvidenceRefused`` (422) for anything else, empty or over 5 MB."""
    data = upload if isinstance(upload, bytes) else upload.read(MAX_EVIDENCE_BYTES + 1)
    if len(data) > MAX_EVIDENCE_BYTES or not data:
        raise EvidenceRefused(f"evidence of {len(data)} bytes")
    stem = "".join(c for c in name.rsplit(".", 1)[0] if c.isalnum() or c in "-_")[:60] or "evidence"
    if data.startswith(b"%PDF-"):
        return ContentFile(data, name=f"{stem}.pdf")
    try:
        picture = image_prepare(io.BytesIO(data))
    except InvalidInput as exc:
        raise EvidenceRefused("evidence neither PDF nor picture") from exc
    return ContentFile(picture.data, name=f"{stem}.webp")


@transaction.atomic
def verification_add(
    *,
    actor_id: int | None,
    actor_role: str,
    merchant_id: int,
    kind: str,
    inspection_body: str = "",
    evidence: IO[bytes] | bytes,
    evidence_name: str,
    checked_at: datetime,
    expires_at: datetime,
) -> VerificationInfo:
    """Operators record a check of a supplier with its evidence (a PDF, or a picture that
    is re-encoded without metadata; at most 5 MB) and its expiry."""
    _require_operator(actor_role)
    if kind not in VerificationKind.values:
        raise InvalidInput(f"kind {kind}", message=_("Choose a verification: licence or audit."))
    body = (inspection_body or "").strip()[:120]
    if kind == VerificationKind.AUDIT and not body:
        raise AuditNeedsBody("audit without body")
    if expires_at <= checked_at:
        raise ExpiryNotAfterCheck("expiry before check")
    profile = SupplierProfile.objects.filter(merchant_id=merchant_id).first()
    if profile is None:
        raise SupplierNotFound(f"merchant {merchant_id} has no supplier profile")
    verification = SupplierVerification.objects.create(
        profile=profile,
        kind=kind,
        inspection_body=body,
        evidence=evidence_file(evidence, evidence_name),
        checked_at=checked_at,
        expires_at=expires_at,
        checked_by_id=actor_id if actor_role == OPERATOR else None,
    )
    return verification_info(verification)


# --- inquiries ------------------------------------------------------------------------------


QUOTA_LOCK_CLASS = 0x7472  # "tr": the advisory-lock namespace of the inquiry quota


def _lock_buyer_quota(buyer_id: int) -> None:
    """Serialise one buyer's inquiry sends until the transaction ends, so the quota count
    cannot be passed by simultaneous sends: a transaction-scoped advisory lock on
    PostgreSQL (keyed by the buyer id modulo 2^31; a rare collision only makes two buyers
    wait for each other); SQLite's immediate transactions serialise every writer already
    (decision 0004)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [QUOTA_LOCK_CLASS, buyer_id % 2**31])


@transaction.atomic
def inquiry_create(
    *,
    actor_id: int,
    actor_role: str,
    marketplace_slug: str,
    merchant_id: int,
    product_id: int | None = None,
    subject: str,
    quantity: int,
    message: str,
    now: datetime,
) -> InquiryThread:
    """A buyer asks a supplier (a merchant with a supplier profile) on a B2B trade
    marketplace, maybe about one of its products there. At most
    ``FIERA_TRADE_INQUIRIES_PER_DAY`` inquiries per buyer in any 24 hours (429)."""
    _require_buyer(actor_role)
    market = marketplace_get(slug=marketplace_slug)
    if market.kind != "b2b_trade":
        raise NotTradeMarketplace(f"{marketplace_slug} is {market.kind}")
    if not SupplierProfile.objects.filter(merchant_id=merchant_id).exists():
        raise SupplierNotFound(f"merchant {merchant_id} has no supplier profile")
    if product_id is not None:
        try:
            product = product_detail(
                marketplace_id=market.id, currency=market.default_currency, product_id=product_id
            )
        except NotFound as exc:
            raise ProductNotOfSupplier(f"product {product_id} not on {market.slug}") from exc
        if product.merchant.id != merchant_id:
            raise ProductNotOfSupplier(f"product {product_id} is not merchant {merchant_id}'s")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(
            f"quantity {quantity}",
            message=_("The quantity must be between 1 and %(limit)s."),
            limit=MAX_QUANTITY,
        )
    title = _text(subject, field="subject", limit=MAX_SUBJECT, label=str(_("Subject")))
    body = _text(message, field="message", limit=MAX_MESSAGE, label=str(_("Message")))
    limit = int(settings.FIERA_TRADE_INQUIRIES_PER_DAY)
    _lock_buyer_quota(actor_id)
    recent = Inquiry.objects.filter(buyer_id=actor_id, created_at__gt=now - timedelta(days=1))
    if recent.count() >= limit:
        raise InquiryQuota(f"{limit} inquiries in 24 h", limit=limit)
    company_id = (
        BuyerMember.objects.filter(user_id=actor_id).values_list("company_id", flat=True).first()
    )
    inquiry = Inquiry.objects.create(
        buyer_id=actor_id,
        company_id=company_id,
        merchant_id=merchant_id,
        marketplace_id=market.id,
        product_id=product_id,
        subject=title,
        quantity=quantity,
        supplier_unread=1,
        created_at=now,
        last_message_at=now,
    )
    InquiryMessage.objects.create(
        inquiry=inquiry, author_id=actor_id, side=MessageSide.BUYER, body=body, created_at=now
    )
    return inquiry_thread(inquiry_id=inquiry.pk, actor_id=actor_id, actor_role=actor_role)


@transaction.atomic
def inquiry_reply(
    *, actor_id: int, actor_role: str, inquiry_id: int, body: str, now: datetime
) -> InquiryThread:
    """The buyer or the supplier's staff (any role) write in the thread. Operators read
    only (403); anyone else 404; a closed inquiry 409. A supplier's answer makes an open
    inquiry ``answered``."""
    inquiry = Inquiry.objects.select_for_update().filter(pk=inquiry_id).first()
    side = inquiry_access(inquiry, actor_id=actor_id, actor_role=actor_role, inquiry_id=inquiry_id)
    assert inquiry is not None
    if side == "operator":
        raise ReadOnlyForOperators("operators do not write")
    if inquiry.status == InquiryStatus.CLOSED:
        raise InquiryClosed(f"inquiry {inquiry_id} closed")
    text = _text(body, field="body", limit=MAX_MESSAGE, label=str(_("Message")))
    InquiryMessage.objects.create(
        inquiry=inquiry, author_id=actor_id, side=side, body=text, created_at=now
    )
    if side == MessageSide.SUPPLIER:
        Inquiry.objects.filter(pk=inquiry.pk).update(
            buyer_unread=F("buyer_unread") + 1,
            supplier_unread=0,
            last_message_at=now,
            status=InquiryStatus.ANSWERED,
        )
    else:
        Inquiry.objects.filter(pk=inquiry.pk).update(
            supplier_unread=F("supplier_unread") + 1, buyer_unread=0, last_message_at=now
        )
    return inquiry_thread(inquiry_id=inquiry_id, actor_id=actor_id, actor_role=actor_role)


@transaction.atomic
def inquiry_mark_read(*, actor_id: int, actor_role: str, inquiry_id: int) -> InquiryThread:
    """The actor's side has read the thread: its unread count drops to 0 (operators
    reading for moderation change nothing). Returns the thread."""
    inquiry = Inquiry.objects.filter(pk=inquiry_id).first()
    side = inquiry_access(inquiry, actor_id=actor_id, actor_role=actor_role, inquiry_id=inquiry_id)
    if side == MessageSide.BUYER:
        Inquiry.objects.filter(pk=inquiry_id).update(buyer_unread=0)
    elif side == MessageSide.SUPPLIER:
        Inquiry.objects.filter(pk=inquiry_id).update(supplier_unread=0)
    return inquiry_thread(inquiry_id=inquiry_id, actor_id=actor_id, actor_role=actor_role)


@transaction.atomic
def inquiry_close(
    *, actor_id: int, actor_role: str, inquiry_id: int, now: datetime
) -> InquiryThread:
    """The buyer, or the supplier's owners and managers, close the inquiry (409 when it is
    closed already; clerks 403, operators 403, others 404)."""
    inquiry = Inquiry.objects.select_for_update().filter(pk=inquiry_id).first()
    side = inquiry_access(inquiry, actor_id=actor_id, actor_role=actor_role, inquiry_id=inquiry_id)
    assert inquiry is not None
    if side == "operator":
        raise ReadOnlyForOperators("operators do not close")
    if side == MessageSide.SUPPLIER:
        try:
            authorize(
                merchant_id=inquiry.merchant_id,
                actor_id=actor_id,
                actor_role=MERCHANT,
                roles=EDITORS,
            )
        except PermissionDenied as exc:
            raise CloseNeedsManager("clerks do not close") from exc
    if inquiry.status == InquiryStatus.CLOSED:
        raise InquiryClosed(f"inquiry {inquiry_id} closed")
    inquiry.status = InquiryStatus.CLOSED
    inquiry.closed_at = now
    inquiry.save(update_fields=["status", "closed_at"])
    return inquiry_thread(inquiry_id=inquiry_id, actor_id=actor_id, actor_role=actor_role)
