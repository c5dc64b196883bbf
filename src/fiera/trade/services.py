"""Writes of the trade app: buyer companies and their members, supplier profiles and their
verifications, inquiries and their threads. Each function is one use case in one
transaction; ``actor_id``/``actor_role`` say who acts (``SYSTEM`` for the demo builder)."""

from __future__ import annotations

import calendar
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
from fiera.catalog.selectors import category_list, product_detail, product_origins
from fiera.common.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from fiera.common.images import image_prepare
from fiera.common.reference import country, country_name
from fiera.marketplaces.selectors import marketplace_get, marketplace_get_by_id
from fiera.merchants.selectors import authorize, store_list_for_merchant
from fiera.partners.selectors import partner_get
from fiera.trade.models import (
    LIVE_APPLICATION_STATUSES,
    ApplicationStatus,
    BuyerCompany,
    BuyerMember,
    EmployeesBand,
    Inquiry,
    InquiryMessage,
    InquiryStatus,
    MemberRole,
    MessageSide,
    Pavilion,
    PavilionApplication,
    SupplierProfile,
    SupplierVerification,
    VerificationKind,
)
from fiera.trade.selectors import (
    ApplicationInfo,
    ApplicationNotFound,
    CompanyInfo,
    InquiryThread,
    PavilionInfo,
    SupplierInfo,
    VerificationInfo,
    application_info,
    company_info,
    inquiry_access,
    inquiry_thread,
    pavilion_get,
    pavilion_reviewer_check,
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
    category_slugs: Sequence[str] = (),
    is_open: bool = True,
    now: datetime,
) -> PavilionInfo:
    """Operators open a pavilion on a B2B trade marketplace, run by a partner, for the
    products of one country of origin, with a quota of sponsored companies (1-100,000)
    each sponsored for ``sponsorship_months`` (1-120) from its admission."""
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
    intros = {}
    for lang, value in (("it", intro_it), ("en", intro_en), ("zh", intro_zh)):
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
