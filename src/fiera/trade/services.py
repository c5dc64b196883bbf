"""Writes of the trade app: buyer companies and their members, supplier profiles and their
verifications, inquiries and their threads. Each function is one use case in one
transaction; ``actor_id``/``actor_role`` say who acts (``SYSTEM`` for the demo builder)."""

from __future__ import annotations

import calendar
import io
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils.translation import gettext_lazy as _

from fiera.accounts.roles import BUYER, MERCHANT, OPERATOR, SYSTEM
from fiera.accounts.selectors import user_ids_by_username, user_role_get
from fiera.catalog import rules
from fiera.catalog.reservations import checkout_variants_priced
from fiera.catalog.selectors import category_list, product_detail, product_origins
from fiera.common.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from fiera.common.images import image_prepare
from fiera.common.reference import country, country_name
from fiera.common.trade_terms import (
    InvalidTerms,
    incoterm_check,
    lead_time_check,
    payment_terms_check,
)
from fiera.marketplaces.selectors import marketplace_get, marketplace_get_by_id
from fiera.merchants.selectors import authorize, store_list_for_merchant
from fiera.orders.selectors import EscrowedOrder, address_list
from fiera.orders.services import (
    AgreedLine,
    OrderNotEscrowed,
    order_escrow_lock,
    order_escrow_refund,
    order_escrow_release,
    order_place_agreed,
)
from fiera.partners.selectors import partner_get
from fiera.payments.selectors import escrows_held
from fiera.trade import events, selectors
from fiera.trade.models import (
    LIVE_APPLICATION_STATUSES,
    ApplicationStatus,
    BuyerCompany,
    BuyerMember,
    Dispute,
    DisputeMessage,
    DisputeReason,
    DisputeSide,
    DisputeStatus,
    EmployeesBand,
    Inquiry,
    InquiryMessage,
    InquiryStatus,
    MemberRole,
    MessageSide,
    Pavilion,
    PavilionApplication,
    Quote,
    QuoteStatus,
    QuoteVersion,
    Rfq,
    RfqMatch,
    RfqStatus,
    RfqUnit,
    SupplierProfile,
    SupplierVerification,
    VerificationKind,
)
from fiera.trade.search import supplier_search_document
from fiera.trade.selectors import (
    DISPUTE_WINDOW_DAYS,
    ApplicationInfo,
    ApplicationNotFound,
    AssuranceInfo,
    CompanyInfo,
    DisputeInfo,
    DisputeNotFound,
    InquiryThread,
    PavilionInfo,
    QuoteInfo,
    RfqDetail,
    RfqNotFound,
    SupplierInfo,
    VerificationInfo,
    application_info,
    assurance_info,
    company_info,
    dispute_access,
    dispute_get,
    dispute_until,
    inquiry_access,
    inquiry_thread,
    order_side,
    pavilion_get,
    pavilion_reviewer_check,
    quote_access,
    quote_infos,
    rfq_access,
    rfq_detail,
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
    who = events.parties(merchant_id=merchant_id, buyer_id=actor_id, company_id=company_id)
    events.InquirySent(
        marketplace_id=market.id,
        buyer_id=actor_id,
        company_id=company_id,
        buyer_country=who.buyer_country,
        inquiry_id=inquiry.pk,
        merchant_id=merchant_id,
        merchant_country=who.merchant_country,
        region=who.region,
        product_id=product_id,
        quantity=quantity,
        sent_at=now.isoformat(),
    ).publish(now=now)
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


# --- trade assurance: confirm receipt, disputes, release ---


class NotEscrowHeld(Conflict):
    code = "escrow_not_held"
    message_template = _(
        "The payment of this order is not held by trade assurance any more (it was released "
        "to the supplier or refunded), or it is not paid yet."
    )


class DisputeOpenNoRelease(Conflict):
    code = "dispute_open"
    message_template = _(
        "A dispute is open on this order: the payment stays held until an operator decides it."
    )


class DisputeWindowClosed(Conflict):
    code = "dispute_window_closed"
    message_template = _(
        "Disputes are opened within %(days)s days of delivery; this order's window closed on "
        "%(until)s."
    )


class AlreadyDisputed(Conflict):
    code = "already_disputed"
    message_template = _("This order already has a dispute; add to its thread instead.")


class DisputeDecided(Conflict):
    code = "dispute_decided"
    message_template = _("This dispute has been decided already.")


class NotShippedYet(Conflict):
    code = "order_not_shipped"
    message_template = _(
        "This order has not shipped yet: confirm receipt or open a dispute once the supplier "
        "ships it (until then you may cancel it)."
    )


class OnlyTheBuyer(PermissionDenied):
    code = "buyer_only"
    message_template = _("Only the buyer of this order can do this.")


class InvalidDisputeReason(InvalidInput):
    code = "invalid_dispute_reason"
    message_template = _(
        "Choose the reason: not received, not as described, damaged, quantity short or other."
    )


class InvalidOutcome(InvalidInput):
    code = "invalid_outcome"
    message_template = _(
        "Decide the dispute as upheld (refund the buyer) or rejected (pay the supplier)."
    )


class MessageEmpty(InvalidInput):
    code = "message_empty"
    message_template = _("Write a message or attach a file.")


def _locked_order(
    *, number: str, actor_id: int, actor_role: str, now: datetime
) -> tuple[EscrowedOrder, str]:
    """The order locked for the transaction and the actor's side (others 404), refused
    when it is not under trade assurance (409)."""
    try:
        facts = order_escrow_lock(number=number, now=now)
    except NotFound:
        facts = None
    side = order_side(facts, actor_id=actor_id, actor_role=actor_role, number=number)
    assert facts is not None
    if not facts.escrowed:
        raise OrderNotEscrowed(f"order {number} is not under trade assurance")
    return facts, side


def _open_dispute_of(number: str) -> bool:
    return Dispute.objects.filter(order_number=number, status=DisputeStatus.OPEN).exists()


@transaction.atomic
def receipt_confirm(
    *, actor_id: int, actor_role: str, order_number: str, now: datetime
) -> AssuranceInfo:
    """The buyer confirms the goods arrived: the held payment is released to the supplier's
    payable through the ledger (settlement pays it out) and a shipped order becomes
    delivered. Only its buyer (supplier staff and operators 403, anyone else 404), after
    shipment (409 ``order_not_shipped``), while held (409 ``escrow_not_held``; confirming
    a released one again answers it as it is) and with no open dispute (409
    ``dispute_open``). Serialised per order by the order's row lock."""
    facts, side = _locked_order(
        number=order_number, actor_id=actor_id, actor_role=actor_role, now=now
    )
    if side != DisputeSide.BUYER:
        raise OnlyTheBuyer(f"a {side} does not confirm receipt")
    if facts.status not in ("shipped", "delivered"):
        raise NotShippedYet(f"order {order_number} is {facts.status}")
    if facts.escrow_status == "released":
        return assurance_info(facts, side=side, now=now)
    if facts.escrow_status != "held":
        raise NotEscrowHeld(f"escrow of {order_number} is {facts.escrow_status or 'not paid'}")
    if _open_dispute_of(order_number):
        raise DisputeOpenNoRelease(f"order {order_number} has an open dispute")
    released = order_escrow_release(number=order_number, actor_id=actor_id, now=now)
    return assurance_info(released, side=side, now=now)


@transaction.atomic
def dispute_open(
    *,
    actor_id: int,
    actor_role: str,
    order_number: str,
    reason: str,
    statement: str,
    now: datetime,
) -> DisputeInfo:
    """The buyer disputes an order whose payment is held, within 30 days of delivery (of
    shipment when delivery was never recorded): ``reason`` one of not_received,
    not_as_described, damaged, quantity_short, other, and a plain-text statement. One per
    order (409 ``already_disputed``); outside the window 409 ``dispute_window_closed``; not
    held 409 ``escrow_not_held``; only the buyer (403; others 404). While it is open
    nothing releases the payment."""
    if reason not in DisputeReason.values:
        raise InvalidDisputeReason(f"reason {reason!r}")
    text = _text(statement, field="statement", limit=MAX_MESSAGE, label=str(_("Statement")))
    facts, side = _locked_order(
        number=order_number, actor_id=actor_id, actor_role=actor_role, now=now
    )
    if side != DisputeSide.BUYER:
        raise OnlyTheBuyer(f"a {side} does not open a dispute")
    if Dispute.objects.filter(order_number=order_number).exists():
        raise AlreadyDisputed(f"order {order_number} has a dispute")
    if facts.status not in ("shipped", "delivered"):
        raise NotShippedYet(f"order {order_number} is {facts.status}")
    if facts.escrow_status != "held" or facts.escrow_amount is None:
        raise NotEscrowHeld(f"escrow of {order_number} is {facts.escrow_status or 'not paid'}")
    until = dispute_until(facts)
    if until is None or now > until:
        raise DisputeWindowClosed(
            f"window closed at {until}",
            days=DISPUTE_WINDOW_DAYS,
            until=until.date().isoformat() if until else "",
        )
    dispute = Dispute.objects.create(
        order_id=facts.order_id,
        order_number=order_number,
        buyer_id=facts.buyer_id,
        merchant_id=facts.merchant_id,
        amount_minor=facts.escrow_amount.amount_minor,
        currency=facts.escrow_amount.currency,
        reason=reason,
        statement=text,
        opened_at=now,
        last_message_at=now,
    )
    return dispute_get(actor_id=actor_id, actor_role=actor_role, dispute_id=dispute.pk)


@transaction.atomic
def dispute_message_add(
    *,
    actor_id: int,
    actor_role: str,
    dispute_id: int,
    body: str = "",
    evidence: IO[bytes] | bytes | None = None,
    evidence_name: str = "",
    now: datetime,
) -> DisputeInfo:
    """The buyer, the supplier's staff (any role) or an operator write in the dispute's
    thread, with or without one evidence file (a PDF or a picture of at most 5 MB, as for
    supplier verifications: 422 ``evidence_refused``). Others 404; a decided dispute 409
    ``dispute_decided``; neither text nor file 422 ``message_empty``."""
    dispute = Dispute.objects.select_for_update().filter(pk=dispute_id).first()
    side = dispute_access(dispute, actor_id=actor_id, actor_role=actor_role, dispute_id=dispute_id)
    assert dispute is not None
    if dispute.status != DisputeStatus.OPEN:
        raise DisputeDecided(f"dispute {dispute_id} is {dispute.status}")
    if not isinstance(body, str):
        body = ""
    text = body.replace("\x00", "").strip()
    if len(text) > MAX_MESSAGE:
        raise TextTooLong("body", field=str(_("Message")), limit=MAX_MESSAGE)
    if not text and evidence is None:
        raise MessageEmpty("neither text nor evidence")
    DisputeMessage.objects.create(
        dispute=dispute,
        author_id=actor_id,
        side=side,
        body=text,
        evidence=evidence_file(evidence, evidence_name) if evidence is not None else "",
        created_at=now,
    )
    Dispute.objects.filter(pk=dispute.pk).update(last_message_at=now)
    return dispute_get(actor_id=actor_id, actor_role=actor_role, dispute_id=dispute_id)


UPHELD = "upheld"
REJECTED = "rejected"


def dispute_decide(
    *,
    actor_id: int,
    actor_role: str,
    dispute_id: int,
    outcome: str,
    reason: str,
    now: datetime,
) -> DisputeInfo:
    """An operator decides an open dispute with a written reason: ``upheld`` voids the hold
        (the buyer's wallet has the money available again) and refunds the order in full,
        without putting its shipped goods back in stock; ``rejected`` releases the hold to the
        supplier. One transaction: the order row is locked first (as confirm and open do), then
        the dispute. Only operators (403); a decided dispute 409 ``dispute_decided``; a payment
    no longer held (the merchant refunded the order meanwhile) 409 ``escrow_not_held``."""
    if actor_role not in (OPERATOR, SYSTEM):
        raise OperatorsOnly("only operators decide disputes")
    if outcome not in (UPHELD, REJECTED):
        raise InvalidOutcome(f"outcome {outcome!r}")
    text = _text(reason, field="reason", limit=MAX_MESSAGE, label=str(_("Reason")))
    number = Dispute.objects.filter(pk=dispute_id).values_list("order_number", flat=True).first()
    if number is None:
        raise DisputeNotFound(f"no dispute {dispute_id}")
    with transaction.atomic():
        facts = order_escrow_lock(number=number, now=now)
        dispute = Dispute.objects.select_for_update().get(pk=dispute_id)
        if dispute.status != DisputeStatus.OPEN:
            raise DisputeDecided(f"dispute {dispute_id} is {dispute.status}")
        if facts.escrow_status != "held":
            # the merchant refunded the order in full meanwhile: nothing left to decide on
            raise NotEscrowHeld(f"escrow of {number} is {facts.escrow_status}")
        if outcome == UPHELD:
            order_escrow_refund(
                number=number,
                actor_id=actor_id if actor_role == OPERATOR else None,
                reason=f"dispute {dispute_id} upheld: {text}"[:300],
                now=now,
            )
        else:
            order_escrow_release(number=number, actor_id=actor_id, now=now)
        dispute.status = DisputeStatus.UPHELD if outcome == UPHELD else DisputeStatus.REJECTED
        dispute.decided_at = now
        dispute.decided_by_id = actor_id if actor_role == OPERATOR else None
        dispute.decision_reason = text
        dispute.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    return dispute_get(actor_id=actor_id, actor_role=actor_role, dispute_id=dispute_id)


def escrows_release_due(
    *,
    now: datetime,
    limit: int = 1000,
    batch: int = 100,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Release the held payments of orders delivered more than
    ``FIERA_TRADE_ASSURANCE_RELEASE_DAYS`` before ``now`` that the buyer neither confirmed
    nor disputed (the periodic job: Celery beat hourly, ``fiera trade release-due``). Pages
    through the holds still held (``payments.selectors.escrows_held``), then releases each
    in its own short transaction under the order's row lock, re-checking it there (a
    dispute opened or a confirm committed meanwhile wins). ``progress(1)`` per release.
    Returns how many were released."""
    days = int(settings.FIERA_TRADE_ASSURANCE_RELEASE_DAYS)
    cutoff = now - timedelta(days=days)
    released = 0
    after = 0
    while released < limit:
        held = escrows_held(prefix="order:", after_id=after, limit=batch)
        if not held:
            break
        after = held[-1][0]
        for _id, reference in held:
            if released >= limit:
                break
            number = reference.removeprefix("order:")
            with transaction.atomic():
                try:
                    facts = order_escrow_lock(number=number, now=now)
                except NotFound:
                    continue
                if (
                    not facts.escrowed
                    or facts.escrow_status != "held"
                    or facts.delivered_at is None
                    or facts.delivered_at > cutoff
                    or _open_dispute_of(number)
                ):
                    continue
                order_escrow_release(number=number, actor_id=None, now=now)
            released += 1
            if progress is not None:
                progress(1)
    return released


# --- RFQs and quotes ---

RFQ_MATCH_LIMIT = 20  # suppliers an RFQ is matched to at most
RFQ_MAX_DAYS = 90  # the farthest deadline
QUOTE_MAX_VALID_DAYS = 180  # the farthest validity
QUOTE_PAYMENT_DAYS = 7  # an accepted quote's order is paid within this many days
MAX_QUOTE_QUANTITY = 999  # an order line's limit (orders.models.MAX_LINE_QUANTITY)
MAX_PRICE_MINOR = 10**12
MAX_NOTE = 2000
MAX_DESCRIPTION = 4000
QUOTE_QUOTA_LOCK_CLASS = 0x7471  # the advisory-lock namespace of the quote quota


class QuoteQuota(DomainError):
    status = 429
    code = "quote_quota"
    message_template = _(
        "Your company has sent %(limit)s quotes this month, the most allowed; you can quote "
        "again from the 1st of next month."
    )


class MoqNotMet(InvalidInput):
    code = "moq_not_met"
    message_template = _(
        "%(sku)s is sold from %(min_order_quantity)s units; quote at least that many."
    )


class QuoteRevisedTwice(Conflict):
    code = "quote_revised_twice"
    message_template = _(
        "A quote may be revised only once, and this one was revised already; withdraw it "
        "if its terms no longer hold."
    )


class QuoteExpired(Conflict):
    code = "quote_expired"
    message_template = _(
        "This quote is no longer valid (its validity ended); ask the supplier for a new one."
    )


class QuoteNotLive(Conflict):
    code = "quote_not_live"
    message_template = _("This quote is %(status)s and can no longer change.")


class QuoteExists(Conflict):
    code = "quote_exists"
    message_template = _(
        "Your company has quoted on this request already; revise that quote instead."
    )


class RfqNotOpen(Conflict):
    code = "rfq_not_open"
    message_template = _("This request for quotation is %(status)s and takes no more action.")


class RfqDeadlinePassed(Conflict):
    code = "rfq_deadline_passed"
    message_template = _("The deadline of this request for quotation has passed.")


class UnknownCategory(InvalidInput):
    code = "unknown_category"
    message_template = _("Choose a category from the list.")


class DeadlineRefused(InvalidInput):
    code = "rfq_deadline_invalid"
    message_template = _("The deadline must be between one hour and %(days)s days from now.")


class ValidityRefused(InvalidInput):
    code = "quote_validity_invalid"
    message_template = _(
        "The quote must be valid until a time between now and %(days)s days from now."
    )


class VariantNotQuotable(InvalidInput):
    code = "variant_not_quotable"
    message_template = _(
        "Choose one of your own products that is for sale on this marketplace in %(currency)s."
    )


class QuoteTermsRefused(InvalidInput):
    code = "invalid_trade_terms"
    message_template = _(
        "Check the terms: an Incoterm 2020 rule (e.g. FOB, CIF, DAP), payment by trade "
        "assurance or in advance, and a lead time of 0 to 365 days."
    )


class ShipToNeeded(InvalidInput):
    code = "ship_to_needed"
    message_template = _(
        "Give a delivery address in %(country)s, or save one in your address book first."
    )


class QuoteNeedsManager(PermissionDenied):
    code = "quote_needs_manager"
    message_template = _("Only the supplier's owners and managers can send or change quotes.")


class RfqReadOnly(PermissionDenied):
    code = "operator_read_only"
    message_template = _("Operators may read RFQs and quotes for moderation but not act on them.")


class BuyerDecides(PermissionDenied):
    code = "buyer_decides"
    message_template = _("Only the buyer who posted the request accepts or declines its quotes.")


def _range(value: object, *, low: int, high: int, field: str) -> int:
    if type(value) is not int or not low <= value <= high:
        raise InvalidInput(
            f"{field} {value!r}",
            message=_("%(field)s must be a whole number from %(low)s to %(high)s."),
            field=field,
            low=low,
            high=high,
        )
    return value


def _match_suppliers(
    *, marketplace_id: int, currency: str, category_id: int, destination: str, now: datetime
) -> list[int]:
    """The merchants an RFQ goes to: a supplier profile and at least one product for sale
    on the marketplace (``catalog.rules``) in the category or its subcategories; ranked by
    verification level, then whether the destination is one of their main markets, then
    how many such products, then merchant id; at most ``RFQ_MATCH_LIMIT``. One query
    across catalog, merchants and trade tables (a documented cross-app read, like the
    storefront's search)."""
    tree: dict[int | None, list[int]] = {}
    for c in category_list():
        tree.setdefault(c.parent_id, []).append(c.id)
    wanted, todo = [], [category_id]
    while todo:
        current = todo.pop()
        wanted.append(current)
        todo.extend(tree.get(current, []))
    marks = ", ".join(["%s"] * len(wanted))
    sql = (
        "SELECT v.merchant_id, COUNT(DISTINCT p.id) FROM catalog_variant v "
        f"{rules.sellable_joins()} "
        f"JOIN {SupplierProfile._meta.db_table} sp ON sp.merchant_id = v.merchant_id "
        f"WHERE p.category_id IN ({marks}) GROUP BY v.merchant_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [marketplace_id, currency, *wanted])
        listings = {int(r[0]): int(r[1]) for r in cursor.fetchall()}
    if not listings:
        return []
    levels = selectors.supplier_levels(listings, now=now)
    markets = dict(
        SupplierProfile.objects.filter(merchant_id__in=listings).values_list(
            "merchant_id", "main_markets"
        )
    )
    ranked = sorted(
        listings,
        key=lambda m: (
            -selectors.LEVELS.index(levels[m]),
            destination not in (markets.get(m) or "").split(","),
            -listings[m],
            m,
        ),
    )
    return ranked[:RFQ_MATCH_LIMIT]


@transaction.atomic
def rfq_post(
    *,
    actor_id: int,
    actor_role: str,
    marketplace_slug: str,
    category_id: int,
    product: str,
    quantity: int,
    unit: str = RfqUnit.PIECE,
    target_unit_price_minor: int | None = None,
    destination_country: str,
    deadline: datetime,
    description: str = "",
    now: datetime,
) -> RfqDetail:
    """A business buyer posts a request for quotation on a B2B trade marketplace: what
    (free text and a catalog category), how many of what unit, an optional target unit
    price in the marketplace's currency (minor units), where to, and until when quotes are
    taken (1 hour to 90 days). It is matched at once to up to ``RFQ_MATCH_LIMIT``
    suppliers (``_match_suppliers``), who alone see it; it may match none."""
    _require_buyer(actor_role)
    market = marketplace_get(slug=marketplace_slug)
    if market.kind != "b2b_trade":
        raise NotTradeMarketplace(f"{marketplace_slug} is {market.kind}")
    if not any(c.id == category_id for c in category_list()):
        raise UnknownCategory(f"category {category_id}")
    what = _text(product, field="product", limit=MAX_SUBJECT, label=str(_("Product")))
    quantity = _range(quantity, low=1, high=MAX_QUANTITY, field=str(_("Quantity")))
    if unit not in RfqUnit.values:
        raise InvalidInput(f"unit {unit}", message=_("Choose a unit from the list."))
    if target_unit_price_minor is not None:
        _range(target_unit_price_minor, low=1, high=MAX_PRICE_MINOR, field=str(_("Target price")))
    code = country(destination_country).code
    if not now + timedelta(hours=1) <= deadline <= now + timedelta(days=RFQ_MAX_DAYS):
        raise DeadlineRefused(f"deadline {deadline}", days=RFQ_MAX_DAYS)
    about = (description or "").replace("\r\n", "\n").strip()
    if len(about) > MAX_DESCRIPTION:
        raise TextTooLong("description", field=str(_("Description")), limit=MAX_DESCRIPTION)
    company_id = (
        BuyerMember.objects.filter(user_id=actor_id).values_list("company_id", flat=True).first()
    )
    rfq = Rfq.objects.create(
        buyer_id=actor_id,
        company_id=company_id,
        marketplace_id=market.id,
        category_id=category_id,
        product=what,
        quantity=quantity,
        unit=unit,
        target_unit_price_minor=target_unit_price_minor,
        currency=market.default_currency,
        destination_country=code,
        deadline=deadline,
        description=about,
        created_at=now,
    )
    matched = _match_suppliers(
        marketplace_id=market.id,
        currency=market.default_currency,
        category_id=category_id,
        destination=code,
        now=now,
    )
    RfqMatch.objects.bulk_create(
        [
            RfqMatch(rfq=rfq, merchant_id=m, rank=i, created_at=now)
            for i, m in enumerate(matched, start=1)
        ]
    )
    events.RfqPosted(
        marketplace_id=market.id,
        buyer_id=actor_id,
        company_id=company_id,
        buyer_country=events.buyer_country(buyer_id=actor_id, company_id=company_id),
        rfq_id=rfq.pk,
        category_id=category_id,
        destination_country=code,
        quantity=quantity,
        unit=str(unit),
        currency=market.default_currency,
        target_unit_price_minor=target_unit_price_minor,
        matched=len(matched),
        posted_at=now.isoformat(),
    ).publish(now=now)
    return rfq_detail(rfq_id=rfq.pk, actor_id=actor_id, actor_role=actor_role, now=now)


def _rfq_for_buyer(*, rfq_id: int, actor_id: int, actor_role: str) -> Rfq:
    rfq = Rfq.objects.select_for_update().filter(pk=rfq_id).first()
    side, _merchant = rfq_access(rfq, actor_id=actor_id, actor_role=actor_role, rfq_id=rfq_id)
    assert rfq is not None
    if side == "operator":
        raise RfqReadOnly("operators do not act on RFQs")
    if side != "buyer":
        raise BuyerDecides("suppliers do not decide")
    return rfq


def _decline_live(rfq_id: int, *, now: datetime, keep: int | None = None) -> None:
    live = Quote.objects.filter(rfq_id=rfq_id, status__in=selectors.LIVE_QUOTES)
    if keep is not None:
        live = live.exclude(pk=keep)
    live.update(status=QuoteStatus.DECLINED, decided_at=now, updated_at=now)


def _not_open(rfq: Rfq) -> RfqNotOpen:
    return RfqNotOpen(
        f"rfq {rfq.pk} is {rfq.status}", status=str(RfqStatus(rfq.status).label).lower()
    )


@transaction.atomic
def rfq_close(*, actor_id: int, actor_role: str, rfq_id: int, now: datetime) -> RfqDetail:
    """The buyer closes an open RFQ (no award); its live quotes are declined. 409 when it
    is not open; suppliers 403, operators 403, anyone else 404."""
    rfq = _rfq_for_buyer(rfq_id=rfq_id, actor_id=actor_id, actor_role=actor_role)
    if rfq.status != RfqStatus.OPEN:
        raise _not_open(rfq)
    rfq.status = RfqStatus.CLOSED
    rfq.closed_at = now
    rfq.save(update_fields=["status", "closed_at"])
    _decline_live(rfq.pk, now=now)
    return rfq_detail(rfq_id=rfq_id, actor_id=actor_id, actor_role=actor_role, now=now)


@transaction.atomic
def rfq_mark_read(*, actor_id: int, actor_role: str, rfq_id: int, now: datetime) -> RfqDetail:
    """The reader's side has seen the RFQ: the buyer's count of new quotes drops to 0, a
    matched supplier's "new" mark goes (operators change nothing). Returns the RFQ."""
    rfq = Rfq.objects.filter(pk=rfq_id).first()
    side, merchant_id = rfq_access(rfq, actor_id=actor_id, actor_role=actor_role, rfq_id=rfq_id)
    if side == "buyer":
        Rfq.objects.filter(pk=rfq_id, buyer_unread__gt=0).update(buyer_unread=0)
    elif side == "supplier" and merchant_id is not None:
        RfqMatch.objects.filter(
            rfq_id=rfq_id, merchant_id=merchant_id, supplier_unread=True
        ).update(supplier_unread=False)
    return rfq_detail(rfq_id=rfq_id, actor_id=actor_id, actor_role=actor_role, now=now)


def _lock_quote_quota(merchant_id: int) -> None:
    """Serialise one supplier's quote sends until the transaction ends (as the inquiry
    quota, decision 0015: an advisory lock on PostgreSQL; SQLite serialises writers)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", [QUOTE_QUOTA_LOCK_CLASS, merchant_id % 2**31]
        )


def _month_start(now: datetime) -> datetime:
    utc = now.astimezone(UTC)
    return utc.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _quote_terms(
    *,
    rfq: Rfq,
    merchant_id: int,
    variant_id: int,
    unit_price_minor: int,
    quantity: int,
    incoterm: str,
    incoterm_place: str,
    payment_terms: str,
    lead_time_days: int,
    valid_until: datetime,
    note: str,
    now: datetime,
) -> dict[str, object]:
    """The checked fields of a quote version (``QuoteVersion`` columns but ``quote``,
    ``number``, ``author``)."""
    priced = checkout_variants_priced(
        marketplace_id=rfq.marketplace_id, currency=rfq.currency, variant_ids=[variant_id]
    ).get(variant_id)
    if priced is None or priced.merchant_id != merchant_id:
        raise VariantNotQuotable(f"variant {variant_id} not quotable", currency=rfq.currency)
    _range(unit_price_minor, low=1, high=MAX_PRICE_MINOR, field=str(_("Unit price")))
    _range(quantity, low=1, high=MAX_QUOTE_QUANTITY, field=str(_("Quantity")))
    minimum = rules.order_minimum(min_order_quantity=priced.min_order_quantity)
    if quantity < minimum:
        raise MoqNotMet(
            f"{priced.sku}: {quantity} < {minimum}",
            sku=priced.sku,
            min_order_quantity=minimum,
        )
    try:
        term = incoterm_check(incoterm)
        pay = payment_terms_check(payment_terms)
        lead = lead_time_check(lead_time_days)
    except InvalidTerms as exc:
        raise QuoteTermsRefused(exc.detail) from exc
    place = (incoterm_place or "").strip()
    if len(place) > 80:
        raise TextTooLong("incoterm_place", field=str(_("Place")), limit=80)
    text = (note or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_NOTE:
        raise TextTooLong("note", field=str(_("Note")), limit=MAX_NOTE)
    if not now < valid_until <= now + timedelta(days=QUOTE_MAX_VALID_DAYS):
        raise ValidityRefused(f"valid until {valid_until}", days=QUOTE_MAX_VALID_DAYS)
    return {
        "variant_id": variant_id,
        "product_id": priced.product_id,
        "sku": priced.sku,
        "product_name": (priced.name_en or priced.name_it)[:200],
        "unit_price_minor": unit_price_minor,
        "currency": rfq.currency,
        "quantity": quantity,
        "incoterm": term,
        "incoterm_place": place,
        "payment_terms": pay,
        "lead_time_days": lead,
        "valid_until": valid_until,
        "note": text,
    }


def _require_quote_editor(*, merchant_id: int, actor_id: int) -> None:
    try:
        authorize(merchant_id=merchant_id, actor_id=actor_id, actor_role=MERCHANT, roles=EDITORS)
    except PermissionDenied as exc:
        raise QuoteNeedsManager("clerks do not quote") from exc


@transaction.atomic
def quote_submit(
    *,
    actor_id: int,
    actor_role: str,
    rfq_id: int,
    variant_id: int,
    unit_price_minor: int,
    quantity: int,
    incoterm: str,
    incoterm_place: str = "",
    payment_terms: str,
    lead_time_days: int,
    valid_until: datetime,
    note: str = "",
    now: datetime,
) -> QuoteInfo:
    """A matched supplier's owner or manager answers an open RFQ before its deadline with a
    quote (version 1): one of its own variants for sale on the RFQ's marketplace, a unit
    price in the RFQ's currency, a quantity meeting the variant's MOQ (422 ``moq_not_met``,
    ``catalog.rules``) and at most 999, the Incoterm and place, payment terms, lead time
    and validity. One quote per supplier and RFQ (409 ``quote_exists``); at most
    ``FIERA_TRADE_QUOTES_PER_MONTH`` new quotes per supplier per calendar month, UTC (429
    ``quote_quota``; revisions do not count), serialised per supplier. Clerks 403, other
    merchants and buyers 404."""
    rfq = Rfq.objects.filter(pk=rfq_id).first()
    side, merchant_id = rfq_access(rfq, actor_id=actor_id, actor_role=actor_role, rfq_id=rfq_id)
    assert rfq is not None
    if side == "operator":
        raise RfqReadOnly("operators do not quote")
    if side != "supplier" or merchant_id is None:
        raise RfqNotFound(f"rfq {rfq_id}: buyers do not quote")
    _require_quote_editor(merchant_id=merchant_id, actor_id=actor_id)
    if rfq.status != RfqStatus.OPEN:
        raise _not_open(rfq)
    if rfq.deadline <= now:
        raise RfqDeadlinePassed(f"rfq {rfq_id} deadline {rfq.deadline}")
    terms = _quote_terms(
        rfq=rfq,
        merchant_id=merchant_id,
        variant_id=variant_id,
        unit_price_minor=unit_price_minor,
        quantity=quantity,
        incoterm=incoterm,
        incoterm_place=incoterm_place,
        payment_terms=payment_terms,
        lead_time_days=lead_time_days,
        valid_until=valid_until,
        note=note,
        now=now,
    )
    _lock_quote_quota(merchant_id)
    if Quote.objects.filter(rfq_id=rfq_id, merchant_id=merchant_id).exists():
        raise QuoteExists(f"merchant {merchant_id} quoted on rfq {rfq_id}")
    limit = int(settings.FIERA_TRADE_QUOTES_PER_MONTH)
    start = _month_start(now)
    if Quote.objects.filter(merchant_id=merchant_id, created_at__gte=start).count() >= limit:
        raise QuoteQuota(f"{limit} quotes since {start}", limit=limit)
    quote = Quote.objects.create(
        rfq_id=rfq_id,
        merchant_id=merchant_id,
        valid_until=valid_until,
        created_at=now,
        updated_at=now,
    )
    QuoteVersion.objects.create(quote=quote, number=1, author_id=actor_id, created_at=now, **terms)
    Rfq.objects.filter(pk=rfq_id).update(buyer_unread=F("buyer_unread") + 1)
    who = events.parties(merchant_id=merchant_id, buyer_id=rfq.buyer_id, company_id=rfq.company_id)
    events.QuoteSent(
        marketplace_id=rfq.marketplace_id,
        buyer_id=rfq.buyer_id,
        company_id=rfq.company_id,
        buyer_country=who.buyer_country,
        quote_id=quote.pk,
        rfq_id=rfq_id,
        merchant_id=merchant_id,
        merchant_country=who.merchant_country,
        region=who.region,
        currency=rfq.currency,
        unit_price_minor=unit_price_minor,
        quantity=quantity,
        value_minor=unit_price_minor * quantity,
        sent_at=now.isoformat(),
    ).publish(now=now)
    return quote_infos([quote], now=now)[0]


def _quote_for_supplier(*, quote_id: int, actor_id: int, actor_role: str) -> Quote:
    quote = Quote.objects.select_for_update().select_related("rfq").filter(pk=quote_id).first()
    side = quote_access(quote, actor_id=actor_id, actor_role=actor_role, quote_id=quote_id)
    assert quote is not None
    if side == "operator":
        raise RfqReadOnly("operators do not quote")
    if side != "supplier":
        raise QuoteNeedsManager("buyers do not change quotes")
    _require_quote_editor(merchant_id=quote.merchant_id, actor_id=actor_id)
    return quote


def _live(quote: Quote, *, now: datetime) -> None:
    if quote.status == QuoteStatus.EXPIRED or (
        quote.status in selectors.LIVE_QUOTES and quote.valid_until <= now
    ):
        raise QuoteExpired(f"quote {quote.pk} valid until {quote.valid_until}")
    if quote.status not in selectors.LIVE_QUOTES:
        raise QuoteNotLive(
            f"quote {quote.pk} is {quote.status}",
            status=str(QuoteStatus(quote.status).label).lower(),
        )


@transaction.atomic
def quote_revise(
    *,
    actor_id: int,
    actor_role: str,
    quote_id: int,
    variant_id: int,
    unit_price_minor: int,
    quantity: int,
    incoterm: str,
    incoterm_place: str = "",
    payment_terms: str,
    lead_time_days: int,
    valid_until: datetime,
    note: str = "",
    now: datetime,
) -> QuoteInfo:
    """The supplier's owner or manager sends version 2 of a live quote while the RFQ is
    open (the same checks as ``quote_submit``; the deadline does not apply, so a buyer may
    negotiate after it). One revision only: a second is 409 ``quote_revised_twice``. A
    quote past its validity is 409 ``quote_expired``."""
    quote = _quote_for_supplier(quote_id=quote_id, actor_id=actor_id, actor_role=actor_role)
    rfq = quote.rfq
    if quote.version >= 2:
        raise QuoteRevisedTwice(f"quote {quote_id} is at version {quote.version}")
    _live(quote, now=now)
    if rfq.status != RfqStatus.OPEN:
        raise _not_open(rfq)
    terms = _quote_terms(
        rfq=rfq,
        merchant_id=quote.merchant_id,
        variant_id=variant_id,
        unit_price_minor=unit_price_minor,
        quantity=quantity,
        incoterm=incoterm,
        incoterm_place=incoterm_place,
        payment_terms=payment_terms,
        lead_time_days=lead_time_days,
        valid_until=valid_until,
        note=note,
        now=now,
    )
    QuoteVersion.objects.create(quote=quote, number=2, author_id=actor_id, created_at=now, **terms)
    quote.version = 2
    quote.status = QuoteStatus.REVISED
    quote.valid_until = valid_until
    quote.updated_at = now
    quote.save(update_fields=["version", "status", "valid_until", "updated_at"])
    Rfq.objects.filter(pk=rfq.pk).update(buyer_unread=F("buyer_unread") + 1)
    return quote_infos([quote], now=now)[0]


@transaction.atomic
def quote_withdraw(*, actor_id: int, actor_role: str, quote_id: int, now: datetime) -> QuoteInfo:
    """The supplier's owner or manager withdraws a live quote (409 once decided)."""
    quote = _quote_for_supplier(quote_id=quote_id, actor_id=actor_id, actor_role=actor_role)
    if quote.status not in selectors.LIVE_QUOTES:
        _live(quote, now=now)
    quote.status = QuoteStatus.WITHDRAWN
    quote.decided_at = now
    quote.updated_at = now
    quote.save(update_fields=["status", "decided_at", "updated_at"])
    return quote_infos([quote], now=now)[0]


def _quote_for_buyer(*, quote_id: int, actor_id: int, actor_role: str) -> Quote:
    quote = Quote.objects.select_for_update().select_related("rfq").filter(pk=quote_id).first()
    side = quote_access(quote, actor_id=actor_id, actor_role=actor_role, quote_id=quote_id)
    assert quote is not None
    if side == "operator":
        raise RfqReadOnly("operators do not decide")
    if side != "buyer":
        raise BuyerDecides("suppliers do not decide")
    return quote


@transaction.atomic
def quote_decline(*, actor_id: int, actor_role: str, quote_id: int, now: datetime) -> QuoteInfo:
    """The RFQ's buyer declines a live quote (409 once decided or expired)."""
    quote = _quote_for_buyer(quote_id=quote_id, actor_id=actor_id, actor_role=actor_role)
    if quote.status not in selectors.LIVE_QUOTES:
        _live(quote, now=now)
    quote.status = QuoteStatus.DECLINED
    quote.decided_at = now
    quote.updated_at = now
    quote.save(update_fields=["status", "decided_at", "updated_at"])
    return quote_infos([quote], now=now)[0]


def _ship_to(
    *, buyer_id: int, destination: str, address: Mapping[str, str] | None
) -> dict[str, str]:
    if address:
        return {**{k: str(v or "") for k, v in address.items()}, "country": destination}
    for saved in address_list(buyer_id=buyer_id, actor_role=BUYER):
        if saved.country == destination:
            return {
                "name": saved.name,
                "line1": saved.line1,
                "line2": saved.line2,
                "city": saved.city,
                "postal_code": saved.postal_code,
                "country": saved.country,
                "phone": saved.phone,
            }
    raise ShipToNeeded(f"no saved address in {destination}", country=country_name(destination))


@transaction.atomic
def quote_accept(
    *,
    actor_id: int,
    actor_role: str,
    quote_id: int,
    shipping_address: Mapping[str, str] | None = None,
    now: datetime,
) -> QuoteInfo:
    """The RFQ's buyer accepts the latest version of a live quote while it is valid and the
    RFQ open: ``orders.services.order_place_agreed`` places the order with the supplier at
    the quoted unit price (a "contract" line), Incoterm and place, payment terms, lead time
    and the quote's reference, taking the stock (409 ``out_of_stock``), unpaid with
    "wallet_later" due in ``QUOTE_PAYMENT_DAYS`` days. Shipped to ``shipping_address`` (in
    the RFQ's destination country) or the buyer's first saved address there (422
    ``ship_to_needed``). The RFQ becomes ``awarded`` and its other live quotes
    ``declined``, all in one transaction. Idempotent: accepting the accepted quote again
    answers it as it is (same order). An expired quote 409 ``quote_expired``; another
    decided quote 409; an RFQ no longer open 409; suppliers 403; another buyer 404."""
    quote = _quote_for_buyer(quote_id=quote_id, actor_id=actor_id, actor_role=actor_role)
    if quote.status == QuoteStatus.ACCEPTED:
        return quote_infos([quote], now=now)[0]
    rfq = Rfq.objects.select_for_update().get(pk=quote.rfq_id)
    _live(quote, now=now)
    if rfq.status != RfqStatus.OPEN:
        raise _not_open(rfq)
    version = QuoteVersion.objects.get(quote_id=quote.pk, number=quote.version)
    placed = order_place_agreed(
        buyer_id=rfq.buyer_id,
        actor_role=BUYER,
        marketplace_id=rfq.marketplace_id,
        merchant_id=quote.merchant_id,
        currency=version.currency,
        lines=[
            AgreedLine(
                variant_id=int(version.variant_id),
                quantity=version.quantity,
                unit_price_minor=int(version.unit_price_minor),
            )
        ],
        shipping_address=_ship_to(
            buyer_id=rfq.buyer_id, destination=rfq.destination_country, address=shipping_address
        ),
        incoterm=version.incoterm,
        incoterm_place=version.incoterm_place,
        payment_terms=version.payment_terms,
        lead_time_days=version.lead_time_days,
        quote_ref=quote.ref,
        payment_due_at=now + timedelta(days=QUOTE_PAYMENT_DAYS),
        now=now,
    )
    quote.status = QuoteStatus.ACCEPTED
    quote.decided_at = now
    quote.updated_at = now
    quote.order_number = placed.orders[0].number
    quote.save(update_fields=["status", "decided_at", "updated_at", "order_number"])
    _decline_live(rfq.pk, now=now, keep=quote.pk)
    rfq.status = RfqStatus.AWARDED
    rfq.closed_at = now
    rfq.save(update_fields=["status", "closed_at"])
    order = placed.orders[0]
    who = events.parties(
        merchant_id=quote.merchant_id, buyer_id=rfq.buyer_id, company_id=rfq.company_id
    )
    events.QuoteAccepted(
        marketplace_id=rfq.marketplace_id,
        buyer_id=rfq.buyer_id,
        company_id=rfq.company_id,
        buyer_country=who.buyer_country,
        quote_id=quote.pk,
        rfq_id=rfq.pk,
        merchant_id=quote.merchant_id,
        merchant_country=who.merchant_country,
        region=who.region,
        order_id=order.order_id,
        order_number=order.number,
        currency=version.currency,
        value_minor=int(version.unit_price_minor) * version.quantity,
        accepted_at=now.isoformat(),
    ).publish(now=now)
    return quote_infos([quote], now=now)[0]


@transaction.atomic
def rfqs_expire(*, now: datetime) -> tuple[int, int]:
    """The periodic expiry (Celery beat, ``fiera trade expire-rfqs``): live quotes past
    their validity become ``expired``; then open RFQs past their deadline with no live,
    still valid quote become ``expired`` (an RFQ stays open after its deadline while a
    quote may still be accepted). Two UPDATEs and a subquery; idempotent. Returns (RFQs,
    quotes) expired."""
    quotes = Quote.objects.filter(status__in=selectors.LIVE_QUOTES, valid_until__lte=now).update(
        status=QuoteStatus.EXPIRED, decided_at=now, updated_at=now
    )
    still_live = Quote.objects.filter(
        rfq_id=OuterRef("pk"), status__in=selectors.LIVE_QUOTES, valid_until__gt=now
    )
    rfqs = (
        Rfq.objects.filter(status=RfqStatus.OPEN, deadline__lte=now)
        .exclude(Exists(still_live))
        .update(status=RfqStatus.EXPIRED, closed_at=now)
    )
    return rfqs, quotes


# --- pavilions ------------------------------------------------------------------------------


MAX_MOTIVATION = 1000
MAX_REASON = 500
QUOTA_FULL_REASON = "quota full"


class PavilionSlugTaken(Conflict):
    code = "pavilion_slug_taken"
    message_template = _("A pavilion with the short name %(slug)s already exists.")


class PavilionClosed(Conflict):
    code = "pavilion_closed"
    message_template = _("This pavilion is not accepting applications at the moment.")


class PavilionNeedsStore(InvalidInput):
    code = "pavilion_needs_store"
    message_template = _(
        "Open your shop on %(marketplace)s first: a pavilion shows companies of that marketplace."
    )


class PavilionNeedsProfile(InvalidInput):
    code = "pavilion_needs_supplier_profile"
    message_template = _(
        "Fill in your supplier profile first: buyers read it from the pavilion's page."
    )


class PavilionNoProducts(InvalidInput):
    code = "pavilion_no_products"
    message_template = _(
        "Add your products to the catalog first: only companies whose products are made in "
        "%(country)s can apply."
    )


class PavilionOriginMismatch(InvalidInput):
    code = "pavilion_origin_mismatch"
    message_template = _(
        "Only companies whose products are made in %(country)s can apply: %(count)s of your "
        "active products have another country of origin (%(others)s). Correct their origin "
        "or deactivate them, then apply again."
    )


class ApplicationExists(Conflict):
    code = "pavilion_application_exists"
    message_template = _(
        "Your company already has an application to this pavilion (%(status)s); withdraw it "
        "before applying again."
    )


class ApplicationDecided(Conflict):
    code = "pavilion_application_decided"
    message_template = _("This application is %(status)s: it can no longer be changed.")


class ReasonRequired(InvalidInput):
    code = "pavilion_reason_required"
    message_template = _("Say why the application is rejected: the company will read it.")


def _add_months(when: datetime, months: int) -> datetime:
    """``when`` plus whole calendar months (the 31st becomes the month's last day)."""
    index = when.month - 1 + months
    year, month = when.year + index // 12, index % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


@transaction.atomic
def pavilion_create(
    *,
    actor_id: int | None,
    actor_role: str,
    slug: str,
    name_it: str,
    name_en: str,
    name_zh: str,
    marketplace_slug: str,
    partner_id: int,
    country_code: str,
    quota: int,
    sponsorship_months: int = 24,
    intro_it: str = "",
    intro_en: str = "",
    intro_zh: str = "",
    name_es: str = "",
    intro_es: str = "",
    category_slugs: Sequence[str] = (),
    is_open: bool = True,
    now: datetime,
) -> PavilionInfo:
    """Operators open a pavilion on a B2B trade marketplace, run by a partner, for the
    products of one country of origin, with a quota of sponsored companies (1-100,000)
    each sponsored for ``sponsorship_months`` (1-120) from its admission. The Spanish
    name and introduction are optional (English is shown where they are empty)."""
    _require_operator(actor_role)
    clean_slug = (slug or "").strip().lower()
    if (
        not clean_slug
        or not all(c.isalnum() or c == "-" for c in clean_slug)
        or len(clean_slug) > 60
    ):
        raise InvalidInput(
            f"slug {slug!r}",
            message=_("The short name is 1-60 lowercase letters, digits and hyphens."),
        )
    if Pavilion.objects.filter(slug=clean_slug).exists():
        raise PavilionSlugTaken(f"{clean_slug} exists", slug=clean_slug)
    market = marketplace_get(slug=marketplace_slug)
    if market.kind != "b2b_trade":
        raise InvalidInput(
            f"{marketplace_slug} is {market.kind}",
            message=_("A pavilion belongs to a B2B trade marketplace."),
        )
    partner_get(partner_id=partner_id, actor_id=None, actor_role=SYSTEM)  # 404 when unknown
    if not 1 <= quota <= 100_000:
        raise InvalidInput(
            f"quota {quota}", message=_("The quota is between 1 and 100,000 companies.")
        )
    if not 1 <= sponsorship_months <= 120:
        raise InvalidInput(
            f"months {sponsorship_months}",
            message=_("The sponsorship lasts between 1 and 120 months."),
        )
    names = {
        f"name_{lang}": _text(value, field=f"name_{lang}", limit=120, label=str(_("Name")))
        for lang, value in (("it", name_it), ("en", name_en), ("zh", name_zh))
    }
    if (name_es or "").strip():
        names["name_es"] = _text(name_es, field="name_es", limit=120, label=str(_("Name")))
    intros = {}
    for lang, value in (("it", intro_it), ("en", intro_en), ("zh", intro_zh), ("es", intro_es)):
        value = (value or "").strip()
        if len(value) > 2000:
            raise TextTooLong(f"intro_{lang}", field=str(_("Introduction")), limit=2000)
        intros[f"intro_{lang}"] = value
    known = {c.slug: c.id for c in category_list()}
    unknown = [s for s in category_slugs if s not in known]
    if unknown:
        raise InvalidInput(
            f"categories {unknown}",
            message=_("Unknown categories: %(slugs)s."),
            slugs=", ".join(unknown),
        )
    pavilion = Pavilion.objects.create(
        slug=clean_slug,
        **names,
        **intros,
        marketplace_id=market.id,
        partner_id=partner_id,
        country=country(country_code).code,
        quota=quota,
        sponsorship_months=sponsorship_months,
        is_open=is_open,
        created_at=now,
    )
    pavilion.featured_categories.set([known[s] for s in dict.fromkeys(category_slugs)])
    return pavilion_get(slug=pavilion.slug)


@transaction.atomic
def pavilion_open_set(
    *, actor_id: int | None, actor_role: str, slug: str, is_open: bool
) -> PavilionInfo:
    """The pavilion's reviewers open or close it to new applications (those already in
    stay where they are)."""
    pavilion = pavilion_get(slug=slug)
    pavilion_reviewer_check(pavilion=pavilion, actor_id=actor_id, actor_role=actor_role)
    Pavilion.objects.filter(pk=pavilion.id).update(is_open=is_open)
    return pavilion_get(slug=slug)


def _locked_pavilion(pavilion_id: int) -> Pavilion:
    """The pavilion row, locked until the transaction ends: every change of its seats
    (admission, withdrawal, end of sponsorship, promotion from the waiting list) takes this
    lock first, so ``admitted_count`` is read and written by one transaction at a time
    (SQLite's immediate transactions serialise writers anyway, decision 0004)."""
    return Pavilion.objects.select_for_update().get(pk=pavilion_id)


def _admit(pavilion: Pavilion, application: PavilionApplication, *, now: datetime) -> None:
    application.status = ApplicationStatus.ADMITTED
    application.admitted_at = now
    application.sponsorship_ends_at = _add_months(now, pavilion.sponsorship_months)
    application.reason = ""
    application.save(update_fields=["status", "admitted_at", "sponsorship_ends_at", "reason"])
    Pavilion.objects.filter(pk=pavilion.pk).update(admitted_count=F("admitted_count") + 1)
    pavilion.admitted_count += 1


def _fill_from_waitlist(pavilion: Pavilion, *, now: datetime) -> list[int]:
    """Admit the waiting list in its order while seats are free (the pavilion is locked).
    A waitlisted company was judged admissible by a reviewer; only the quota kept it out,
    so it is promoted automatically (decision 0020). The ids promoted."""
    promoted = []
    while pavilion.admitted_count < pavilion.quota:
        first = (
            PavilionApplication.objects.select_for_update()
            .filter(pavilion_id=pavilion.pk, status=ApplicationStatus.WAITLISTED)
            .order_by("waitlisted_at", "id")
            .first()
        )
        if first is None:
            break
        _admit(pavilion, first, now=now)
        promoted.append(first.pk)
    return promoted


def _leave(
    pavilion: Pavilion, application: PavilionApplication, *, status: str, now: datetime
) -> None:
    was_admitted = application.status == ApplicationStatus.ADMITTED
    application.status = status
    application.closed_at = now
    application.save(update_fields=["status", "closed_at"])
    if was_admitted:
        Pavilion.objects.filter(pk=pavilion.pk).update(admitted_count=F("admitted_count") - 1)
        pavilion.admitted_count -= 1
        _fill_from_waitlist(pavilion, now=now)


@transaction.atomic
def pavilion_apply(
    *,
    actor_id: int | None,
    actor_role: str,
    slug: str,
    merchant_id: int,
    motivation: str,
    now: datetime,
) -> ApplicationInfo:
    """A merchant's owner or manager applies for a pavilion with a short motivation (at
    most 1,000 characters). The pavilion must be open (409); the company needs an active
    store on the pavilion's marketplace, a supplier profile and active products, every one
    of them made in the pavilion's country (422 otherwise); one live application per
    company and pavilion (409). Clerks 403, another merchant's staff 404; operators (and
    ``SYSTEM``) may apply on a company's behalf."""
    authorize(merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role, roles=EDITORS)
    found = pavilion_get(slug=slug)
    pavilion = _locked_pavilion(found.id)
    if not pavilion.is_open:
        raise PavilionClosed(f"{slug} is closed")
    stores = store_list_for_merchant(merchant_id=merchant_id, actor_role=SYSTEM)
    if not any(s.marketplace_id == pavilion.marketplace_id and s.is_active for s in stores):
        market = marketplace_get_by_id(marketplace_id=pavilion.marketplace_id)
        raise PavilionNeedsStore(f"no store on {market.slug}", marketplace=market.name)
    if not SupplierProfile.objects.filter(merchant_id=merchant_id).exists():
        raise PavilionNeedsProfile(f"merchant {merchant_id} has no supplier profile")
    origins = product_origins(merchant_id=merchant_id)
    country_label = country_name(pavilion.country)
    if not origins:
        raise PavilionNoProducts(f"merchant {merchant_id} has no products", country=country_label)
    others = {code: n for code, n in origins.items() if code != pavilion.country}
    if others:
        raise PavilionOriginMismatch(
            f"merchant {merchant_id} origins {origins}",
            country=country_label,
            count=sum(others.values()),
            others=", ".join(country_name(c) for c in sorted(others)),
        )
    text = _text(motivation, field="motivation", limit=MAX_MOTIVATION, label=str(_("Motivation")))
    live = (
        PavilionApplication.objects.filter(
            pavilion_id=pavilion.pk, merchant_id=merchant_id, status__in=LIVE_APPLICATION_STATUSES
        )
        .values_list("status", flat=True)
        .first()
    )
    if live is not None:
        raise ApplicationExists(
            f"{merchant_id} already {live}", status=str(ApplicationStatus(live).label)
        )
    application = PavilionApplication.objects.create(
        pavilion_id=pavilion.pk,
        merchant_id=merchant_id,
        applicant_id=actor_id if actor_role == MERCHANT else None,
        motivation=text,
        created_at=now,
    )
    return application_info(application.pk)


@transaction.atomic
def application_decide(
    *,
    actor_id: int | None,
    actor_role: str,
    application_id: int,
    admit: bool,
    reason: str = "",
    now: datetime,
) -> ApplicationInfo:
    """A reviewer (the owner partner's staff, or an operator) admits or rejects a pending
    or waitlisted application. Admitting takes a seat when one is free (the sponsorship
    runs ``sponsorship_months`` from now); when the quota is full the application is
    waitlisted instead, with the reason "quota full", and admitted automatically when a
    seat frees. Rejecting needs a reason, shown to the company. The pavilion row is locked
    first, so simultaneous admissions never pass the quota."""
    row = PavilionApplication.objects.filter(pk=application_id).values("pavilion_id").first()
    if row is None:
        raise ApplicationNotFound(f"no application {application_id}")
    found = pavilion_get(
        slug=Pavilion.objects.values_list("slug", flat=True).get(pk=row["pavilion_id"])
    )
    pavilion_reviewer_check(pavilion=found, actor_id=actor_id, actor_role=actor_role)
    pavilion = _locked_pavilion(found.id)
    application = PavilionApplication.objects.select_for_update().get(pk=application_id)
    if application.status not in (ApplicationStatus.PENDING, ApplicationStatus.WAITLISTED):
        raise ApplicationDecided(
            f"application {application_id} is {application.status}",
            status=str(ApplicationStatus(application.status).label).lower(),
        )
    application.decided_at = now
    application.reviewed_by_id = actor_id if actor_role != SYSTEM else None
    if not admit:
        text = (reason or "").replace("\r\n", "\n").strip()
        if not text:
            raise ReasonRequired("rejection without reason")
        if len(text) > MAX_REASON:
            raise TextTooLong("reason", field=str(_("Reason")), limit=MAX_REASON)
        application.status = ApplicationStatus.REJECTED
        application.reason = text
        application.closed_at = now
        application.save(
            update_fields=["status", "reason", "closed_at", "decided_at", "reviewed_by"]
        )
    elif pavilion.admitted_count < pavilion.quota:
        application.save(update_fields=["decided_at", "reviewed_by"])
        _admit(pavilion, application, now=now)
    elif application.status == ApplicationStatus.PENDING:
        application.status = ApplicationStatus.WAITLISTED
        application.waitlisted_at = now
        application.reason = QUOTA_FULL_REASON
        application.save(
            update_fields=["status", "waitlisted_at", "reason", "decided_at", "reviewed_by"]
        )
    return application_info(application_id)


@transaction.atomic
def application_withdraw(
    *, actor_id: int, actor_role: str, application_id: int, now: datetime
) -> ApplicationInfo:
    """The company's owner or manager withdraws its live application (pending, waitlisted
    or admitted: leaving ends the sponsorship now and the first waitlisted company takes the
    seat). Clerks 403, others 404; a closed application 409."""
    row = (
        PavilionApplication.objects.filter(pk=application_id)
        .values("pavilion_id", "merchant_id")
        .first()
    )
    if row is None:
        raise ApplicationNotFound(f"no application {application_id}")
    try:
        authorize(
            merchant_id=row["merchant_id"], actor_id=actor_id, actor_role=actor_role, roles=EDITORS
        )
    except NotFound as exc:
        raise ApplicationNotFound(f"application {application_id} is not the actor's") from exc
    pavilion = _locked_pavilion(row["pavilion_id"])
    application = PavilionApplication.objects.select_for_update().get(pk=application_id)
    if application.status not in LIVE_APPLICATION_STATUSES:
        raise ApplicationDecided(
            f"application {application_id} is {application.status}",
            status=str(ApplicationStatus(application.status).label).lower(),
        )
    _leave(pavilion, application, status=ApplicationStatus.WITHDRAWN, now=now)
    return application_info(application_id)


def pavilion_sponsorships_end(*, now: datetime, limit: int = 10_000) -> int:
    """End every sponsorship whose period is over (``sponsorship_ends_at <= now``) and give
    each freed seat to the waiting list; one short transaction per pavilion, its row locked.
    Idempotent; Celery beat runs it hourly (``fiera.trade.pavilion_sponsorships_end``) and
    ``fiera trade pavilions-expire`` by hand. How many ended."""
    ended = 0
    due = (
        PavilionApplication.objects.filter(
            status=ApplicationStatus.ADMITTED, sponsorship_ends_at__lte=now
        )
        .order_by()
        .values_list("pavilion_id", flat=True)
        .distinct()
    )
    for pavilion_id in sorted(set(due)):
        with transaction.atomic():
            pavilion = _locked_pavilion(pavilion_id)
            rows = list(
                PavilionApplication.objects.select_for_update()
                .filter(
                    pavilion_id=pavilion_id,
                    status=ApplicationStatus.ADMITTED,
                    sponsorship_ends_at__lte=now,
                )
                .order_by("sponsorship_ends_at", "id")[: max(limit - ended, 0)]
            )
            for application in rows:
                application.status = ApplicationStatus.ENDED
                application.closed_at = application.sponsorship_ends_at
                application.save(update_fields=["status", "closed_at"])
            if rows:
                Pavilion.objects.filter(pk=pavilion_id).update(
                    admitted_count=F("admitted_count") - len(rows)
                )
                pavilion.admitted_count -= len(rows)
                _fill_from_waitlist(pavilion, now=now)
            ended += len(rows)
        if ended >= limit:
            break
    return ended
