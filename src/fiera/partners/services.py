"""Writes of partners: create and update partners (operators), add and remove their staff
(operators or the partner's admins), and move leads through the onboarding pipeline
(the partner's staff or operators): register, advance, go live, lose.

Each use case is one transaction. Stage changes are conditional UPDATEs on the stage the
caller saw (``... WHERE stage = from``), so two people moving the same lead at once cannot
both win: the loser gets ``StageConflict`` (409). Every change of stage writes a
``LeadEvent`` with the actor and the time ``now`` the caller passes.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy

from fiera.accounts.roles import MERCHANT, PARTNER, SYSTEM
from fiera.accounts.selectors import user_ids_by_username, user_role_get
from fiera.accounts.services import user_create
from fiera.common.errors import Conflict, InvalidInput, NotFound, not_one_of
from fiera.common.events import publish
from fiera.common.reference import italian_region
from fiera.merchants.selectors import merchant_get, sector_list
from fiera.merchants.services import VatTaken, check_vat_number, merchant_register
from fiera.partners.models import (
    Lead,
    LeadEvent,
    LeadStage,
    Partner,
    PartnerRegion,
    PartnerRole,
    PartnerStaff,
    PartnerType,
)
from fiera.partners.selectors import (
    LeadInfo,
    LeadNotFound,
    PartnerInfo,
    PartnerNotFound,
    StaffInfo,
    authorize,
    lead_get,
    partner_get,
    require_operator,
    staff_list,
)

RESERVED_SLUGS = frozenset({"coverage"})  # /partners/coverage is the coverage endpoint


class PartnerSlugTaken(Conflict):
    code = "partner_slug_taken"
    message_template = gettext_lazy("Another partner already uses this short name.")


class InvalidPartnerSlug(InvalidInput):
    code = "invalid_partner_slug"
    message_template = gettext_lazy(
        "Choose a short name of lowercase letters, digits and hyphens (at most 60)."
    )


class InvalidWebsite(InvalidInput):
    code = "invalid_website"
    message_template = gettext_lazy("The website must be an address starting with https://.")


class MissingValue(InvalidInput):
    code = "missing_value"
    message_template = gettext_lazy("%(field)s is required.")


class ValueTooLong(InvalidInput):
    code = "value_too_long"
    message_template = gettext_lazy("%(field)s is too long: at most %(max_length)s characters.")


class StaffUserNotFound(NotFound):
    code = "partner_user_not_found"
    message_template = gettext_lazy("There is no user with this name.")


class NotAPartnerUser(InvalidInput):
    code = "user_not_partner"
    message_template = gettext_lazy("This user does not have a partner account.")


class AlreadyPartnerStaff(Conflict):
    code = "partner_staff_exists"
    message_template = gettext_lazy("This user already works for a partner.")


class PartnerStaffNotFound(NotFound):
    code = "partner_staff_not_found"
    message_template = gettext_lazy("This user is not staff of the partner.")


class LastPartnerAdmin(Conflict):
    code = "last_partner_admin"
    message_template = gettext_lazy(
        "A partner keeps at least one administrator; name another administrator first."
    )


class NotItalianVat(InvalidInput):
    code = "lead_vat_not_italian"
    message_template = gettext_lazy("A lead is an Italian firm: give its partita IVA.")


class LeadExists(Conflict):
    code = "lead_exists"
    message_template = gettext_lazy(
        "This firm (VAT number %(vat_number)s) is already being onboarded by a partner."
    )


class PartnerInactive(Conflict):
    code = "partner_inactive"
    message_template = gettext_lazy("This partner is not active: it cannot register leads.")


class UnknownLeadSector(InvalidInput):
    code = "lead_unknown_sector"
    message_template = gettext_lazy("This sector does not exist.")


class StageConflict(Conflict):
    code = "lead_stage_conflict"
    message_template = gettext_lazy(
        "A lead in the stage “%(stage)s” cannot move to “%(to_stage)s”."
    )


class MerchantAttributed(Conflict):
    code = "merchant_attributed"
    message_template = gettext_lazy("This company has already been brought to Fiera by a partner.")


class MerchantVatMismatch(Conflict):
    code = "merchant_vat_mismatch"
    message_template = gettext_lazy(
        "This company's VAT number is not the lead's: attach the company the lead is about."
    )


class MerchantExists(Conflict):
    code = "lead_merchant_exists"
    message_template = gettext_lazy(
        "A company with this VAT number is already on Fiera: attach it by its id instead of "
        "creating it."
    )


class GoLiveDetailsMissing(InvalidInput):
    code = "lead_go_live_details"
    message_template = gettext_lazy(
        "To open the company on Fiera, give its municipality (ISTAT code) and ATECO activity "
        "code, or the id of the company already on Fiera."
    )


# --- checks -----------------------------------------------------------------------------


def _check_text(value: str, field: str, max_length: int, *, required: bool = True) -> str:
    text = " ".join(str(value).split())
    if required and not text:
        raise MissingValue(f"{field} is required", field=field)
    if len(text) > max_length:
        raise ValueTooLong(
            f"{field} has {len(text)} characters; at most {max_length}",
            field=field,
            max_length=max_length,
        )
    return text


def _check_type(type_: str) -> str:
    if type_ not in PartnerType.values:
        raise not_one_of("type", PartnerType.values)
    return type_


def _check_regions(region_codes: Sequence[str]) -> list[str]:
    """Distinct ISO 3166-2:IT codes, each one of the 20 regions (422 otherwise)."""
    return sorted({italian_region(str(code).strip().upper()).code for code in region_codes})


def _check_website(url: str) -> str:
    url = str(url).strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["https", "http"])(url)
    except DjangoValidationError:
        raise InvalidWebsite(f"{url!r} is not an http(s) address") from None
    if len(url) > 200:
        raise ValueTooLong("the website is too long", field="website", max_length=200)
    return url


def _check_slug(slug: str) -> str:
    text = str(slug).strip()
    if not text or len(text) > 60 or slugify(text) != text or text in RESERVED_SLUGS:
        raise InvalidPartnerSlug(f"{slug!r} is not a usable slug")
    return text


def check_lead_vat(raw: str) -> str:
    """An Italian partita IVA, normalised to "IT" + 11 digits; the check digit is verified
    (``merchants.services.check_vat_number``). Other EU VAT ids answer ``NotItalianVat``."""
    vat = check_vat_number(raw)
    if not vat.startswith("IT"):
        raise NotItalianVat(f"{raw!r} is not an Italian VAT number")
    return vat


def _check_sector(slug: str) -> str:
    slug = str(slug).strip()
    if not slug:
        return ""
    if slug not in {s.slug for s in sector_list()}:
        raise UnknownLeadSector(f"no sector {slug!r}")
    return slug


def _check_email(email: str) -> str:
    email = str(email).strip()
    if not email:
        return ""
    try:
        validate_email(email)
    except DjangoValidationError:
        raise InvalidInput(
            f"{email!r} is not an email address",
            message=gettext_lazy("%(value)s is not a valid email address."),
            value=email,
        ) from None
    return email


def _set_regions(partner_id: int, codes: list[str]) -> None:
    PartnerRegion.objects.filter(partner_id=partner_id).exclude(region_code__in=codes).delete()
    have = set(
        PartnerRegion.objects.filter(partner_id=partner_id).values_list("region_code", flat=True)
    )
    PartnerRegion.objects.bulk_create(
        PartnerRegion(partner_id=partner_id, region_code=c) for c in codes if c not in have
    )


# --- partners ---------------------------------------------------------------------------


def partner_create(
    *,
    slug: str,
    name: str,
    type: str,
    region_codes: Sequence[str],
    website: str = "",
    is_active: bool = True,
    now: datetime,
    actor_role: str,
) -> PartnerInfo:
    """Create a partner with the regions it covers (operators only)."""
    require_operator(actor_role=actor_role)
    slug = _check_slug(slug)
    name = _check_text(name, "name", 160)
    _check_type(type)
    regions = _check_regions(region_codes)
    website = _check_website(website)
    try:
        with transaction.atomic():
            partner = Partner.objects.create(
                slug=slug,
                name=name,
                type=type,
                website=website,
                is_active=is_active,
                created_at=now,
            )
            _set_regions(partner.pk, regions)
    except IntegrityError:
        raise PartnerSlugTaken(f"the slug {slug!r} is taken") from None
    return partner_get(partner_id=partner.pk, actor_id=None, actor_role=SYSTEM)


def partner_update(
    *,
    partner_id: int,
    actor_role: str,
    name: str | None = None,
    type: str | None = None,
    region_codes: Sequence[str] | None = None,
    website: str | None = None,
    is_active: bool | None = None,
) -> PartnerInfo:
    """Change a partner (operators only); ``None`` leaves a field as it is. Replacing the
    regions replaces them all."""
    require_operator(actor_role=actor_role)
    changes: dict[str, object] = {}
    if name is not None:
        changes["name"] = _check_text(name, "name", 160)
    if type is not None:
        changes["type"] = _check_type(type)
    if website is not None:
        changes["website"] = _check_website(website)
    if is_active is not None:
        changes["is_active"] = bool(is_active)
    regions = _check_regions(region_codes) if region_codes is not None else None
    with transaction.atomic():
        partner = Partner.objects.select_for_update().filter(pk=partner_id).first()
        if partner is None:
            raise PartnerNotFound(f"no partner {partner_id}")
        if changes:
            Partner.objects.filter(pk=partner.pk).update(**changes)
        if regions is not None:
            _set_regions(partner.pk, regions)
    return partner_get(partner_id=partner_id, actor_id=None, actor_role=SYSTEM)


# --- staff ------------------------------------------------------------------------------


def staff_add(
    *,
    partner_id: int,
    username: str,
    role: str,
    actor_id: int | None,
    actor_role: str,
) -> list[StaffInfo]:
    """Add an account with the ``partner`` role to the partner's staff (operators, or an
    admin of the partner). A person works for one partner at most."""
    authorize(partner_id=partner_id, actor_id=actor_id, actor_role=actor_role, admin=True)
    if role not in PartnerRole.values:
        raise not_one_of("role", PartnerRole.values)
    user_id = user_ids_by_username(usernames=[str(username)]).get(str(username))
    if user_id is None or user_role_get(user_id=user_id) is None:
        raise StaffUserNotFound(f"no active user {username!r}")
    if user_role_get(user_id=user_id) != PARTNER:
        raise NotAPartnerUser(f"{username!r} is not a partner account")
    try:
        with transaction.atomic():
            PartnerStaff.objects.create(partner_id=partner_id, user_id=user_id, role=role)
    except IntegrityError:
        raise AlreadyPartnerStaff(f"{username!r} already works for a partner") from None
    return staff_list(partner_id=partner_id, actor_id=None, actor_role=SYSTEM)


def staff_remove(
    *, partner_id: int, user_id: int, actor_id: int | None, actor_role: str
) -> list[StaffInfo]:
    """Remove a person from the partner's staff (operators, or an admin of the partner);
    the last admin stays (``LastPartnerAdmin``, 409)."""
    authorize(partner_id=partner_id, actor_id=actor_id, actor_role=actor_role, admin=True)
    with transaction.atomic():
        rows = list(
            PartnerStaff.objects.select_for_update()
            .filter(partner_id=partner_id)
            .values_list("user_id", "role")
        )
        roles = dict(rows)
        if user_id not in roles:
            raise PartnerStaffNotFound(f"user {user_id} is not staff of partner {partner_id}")
        admins = [u for u, r in rows if r == PartnerRole.ADMIN]
        if roles[user_id] == PartnerRole.ADMIN and admins == [user_id]:
            raise LastPartnerAdmin(f"user {user_id} is the last admin of partner {partner_id}")
        PartnerStaff.objects.filter(partner_id=partner_id, user_id=user_id).delete()
    return staff_list(partner_id=partner_id, actor_id=None, actor_role=SYSTEM)


# --- leads ------------------------------------------------------------------------------


def _event(
    lead_id: int, from_stage: str, to_stage: str, actor_id: int | None, note: str, at: datetime
) -> None:
    LeadEvent.objects.create(
        lead_id=lead_id,
        from_stage=from_stage,
        to_stage=to_stage,
        actor_id=actor_id,
        note=note,
        at=at,
    )


def lead_register(
    *,
    partner_id: int,
    firm_name: str,
    vat_number: str,
    region_code: str,
    sector_slug: str = "",
    contact_name: str = "",
    contact_email: str = "",
    now: datetime,
    actor_id: int | None,
    actor_role: str,
) -> LeadInfo:
    """Register a firm as a new lead of the partner (its staff or operators). The VAT
    number must be a valid partita IVA; a firm already open as a lead of any partner
    answers ``LeadExists`` (409). The partner must be active."""
    authorize(partner_id=partner_id, actor_id=actor_id, actor_role=actor_role)
    firm_name = _check_text(firm_name, "firm_name", 200)
    vat = check_lead_vat(vat_number)
    region = italian_region(str(region_code).strip().upper()).code
    sector = _check_sector(sector_slug)
    contact_name = _check_text(contact_name, "contact_name", 120, required=False)
    contact_email = _check_email(contact_email)
    with transaction.atomic():
        active = Partner.objects.filter(pk=partner_id).values_list("is_active", flat=True).first()
        if active is None:
            raise PartnerNotFound(f"no partner {partner_id}")
        if not active:
            raise PartnerInactive(f"partner {partner_id} is inactive")
        if Lead.objects.filter(vat_number=vat).exclude(stage=LeadStage.LOST).exists():
            raise LeadExists(f"an open lead for {vat} exists", vat_number=vat)
        try:
            with transaction.atomic():
                lead = Lead.objects.create(
                    partner_id=partner_id,
                    firm_name=firm_name,
                    vat_number=vat,
                    region_code=region,
                    sector_slug=sector,
                    contact_name=contact_name,
                    contact_email=contact_email,
                    stage=LeadStage.NEW,
                    created_at=now,
                    stage_changed_at=now,
                )
        except IntegrityError:
            raise LeadExists(f"an open lead for {vat} exists", vat_number=vat) from None
        _event(lead.pk, "", LeadStage.NEW, actor_id, "", now)
    return lead_get(partner_id=partner_id, lead_id=lead.pk, actor_id=None, actor_role=SYSTEM)


def _move(
    *,
    lead_id: int,
    partner_id: int,
    from_stages: Sequence[str],
    to_stage: str,
    now: datetime,
    actor_id: int | None,
    note: str = "",
    **fields: object,
) -> None:
    """Move the lead from one of ``from_stages`` to ``to_stage`` with one conditional
    UPDATE, and record the event. Call inside the use case's transaction."""
    current = (
        Lead.objects.filter(pk=lead_id, partner_id=partner_id)
        .values_list("stage", flat=True)
        .first()
    )
    if current is None:
        raise LeadNotFound(f"no lead {lead_id} of partner {partner_id}")
    updated = 0
    if current in from_stages:
        updated = Lead.objects.filter(pk=lead_id, stage=current).update(
            stage=to_stage, stage_changed_at=now, **fields
        )
    if not updated:
        raise StageConflict(
            f"lead {lead_id} is {current}; it cannot move to {to_stage}",
            stage=str(LeadStage(current).label) if current in LeadStage.values else current,
            to_stage=str(LeadStage(to_stage).label),
        )
    _event(lead_id, current, to_stage, actor_id, note, now)


def lead_advance(
    *,
    partner_id: int,
    lead_id: int,
    to_stage: str,
    now: datetime,
    actor_id: int | None,
    actor_role: str,
) -> LeadInfo:
    """Move a lead one step: new -> contacted -> documents. Anything else (a step skipped,
    backwards, out of ``lost`` or ``store_live``, or to ``store_live``, which is
    ``lead_go_live``'s) answers ``StageConflict`` (409)."""
    authorize(partner_id=partner_id, actor_id=actor_id, actor_role=actor_role)
    if to_stage not in LeadStage.values:
        raise not_one_of("stage", LeadStage.values)
    previous = {LeadStage.CONTACTED: [LeadStage.NEW], LeadStage.DOCUMENTS: [LeadStage.CONTACTED]}
    with transaction.atomic():
        _move(
            lead_id=lead_id,
            partner_id=partner_id,
            from_stages=previous.get(LeadStage(to_stage), []),
            to_stage=to_stage,
            now=now,
            actor_id=actor_id,
        )
    return lead_get(partner_id=partner_id, lead_id=lead_id, actor_id=None, actor_role=SYSTEM)


def lead_lose(
    *,
    partner_id: int,
    lead_id: int,
    reason: str,
    now: datetime,
    actor_id: int | None,
    actor_role: str,
) -> LeadInfo:
    """Close an open lead as lost, with the reason (required). A live or lost lead answers
    ``StageConflict`` (409). The firm may then be registered again, by any partner."""
    authorize(partner_id=partner_id, actor_id=actor_id, actor_role=actor_role)
    reason = _check_text(reason, "reason", 300)
    with transaction.atomic():
        _move(
            lead_id=lead_id,
            partner_id=partner_id,
            from_stages=[LeadStage.NEW, LeadStage.CONTACTED, LeadStage.DOCUMENTS],
            to_stage=LeadStage.LOST,
            now=now,
            actor_id=actor_id,
            note=reason,
            lost_reason=reason,
        )
    return lead_get(partner_id=partner_id, lead_id=lead_id, actor_id=None, actor_role=SYSTEM)


@dataclass(frozen=True, slots=True)
class GoLive:
    lead: LeadInfo
    merchant_id: int
    created: bool  # True: a new merchant; False: an existing one attached
    owner_username: str  # the new owner account ("" when none was created)


def _owner_username(base: str) -> str:
    """A free username for a new owner account: "pastificio-rossi-owner", then "-2" ..."""
    stem = (slugify(base)[:24].strip("-") or "owner") + "-owner"
    taken = user_ids_by_username(usernames=[stem, *(f"{stem}-{n}" for n in range(2, 50))])
    if stem not in taken:
        return stem
    free = [f"{stem}-{n}" for n in range(2, 50) if f"{stem}-{n}" not in taken]
    return free[0] if free else f"{stem}-{secrets.token_hex(4)}"


def lead_go_live(
    *,
    partner_id: int,
    lead_id: int,
    now: datetime,
    actor_id: int | None,
    actor_role: str,
    merchant_id: int | None = None,
    municipality_code: str = "",
    ateco_code: str = "",
    size: str = "sme",
) -> GoLive:
    """Move a lead in ``documents`` to ``store_live`` and attribute its firm, as a merchant,
    to the partner, in one transaction.

    With ``merchant_id``: attach that existing merchant, which must have the lead's VAT
    number (``MerchantVatMismatch``) and no partner yet (``MerchantAttributed``). Without:
    register the firm through ``merchants.services.merchant_register`` in the lead's region,
    with ``municipality_code`` (ISTAT) and ``ateco_code`` (both required, else
    ``GoLiveDetailsMissing``); when the lead has a contact email, a merchant account is
    opened for it as the owner (a random password: the owner sets one with "Forgot your
    password?"). A VAT number already registered answers ``MerchantExists`` (409).
    Publishes ``partners.lead.live``.
    """
    authorize(partner_id=partner_id, actor_id=actor_id, actor_role=actor_role)
    lead = lead_get(partner_id=partner_id, lead_id=lead_id, actor_id=None, actor_role=SYSTEM)
    if lead.stage != LeadStage.DOCUMENTS:
        raise StageConflict(
            f"lead {lead_id} is {lead.stage}; only a lead in documents goes live",
            stage=lead.stage_label,
            to_stage=str(LeadStage.STORE_LIVE.label),
        )
    owner_username = ""
    with transaction.atomic():
        if merchant_id is not None:
            merchant = merchant_get(merchant_id=merchant_id)
            if merchant.vat_number != lead.vat_number:
                raise MerchantVatMismatch(
                    f"merchant {merchant_id} has {merchant.vat_number}, the lead {lead.vat_number}"
                )
            created = False
        else:
            if not str(municipality_code).strip() or not str(ateco_code).strip():
                raise GoLiveDetailsMissing("municipality_code and ateco_code are required")
            owner_id = None
            if lead.contact_email:
                owner_username = _owner_username(lead.firm_name)
                names = lead.contact_name.split(" ", 1)
                owner_id = user_create(
                    username=owner_username,
                    password=secrets.token_urlsafe(24),
                    role=MERCHANT,
                    email=lead.contact_email,
                    country="IT",
                    first_name=names[0][:150],
                    last_name=names[1][:150] if len(names) > 1 else "",
                ).pk
            try:
                with transaction.atomic():
                    merchant = merchant_register(
                        legal_name=lead.firm_name,
                        display_name=lead.firm_name[:120],
                        vat_number=lead.vat_number,
                        region_code=lead.region_code,
                        municipality_code=str(municipality_code).strip(),
                        size=size,
                        ateco_code=str(ateco_code).strip(),
                        sector_slugs=[lead.sector_slug] if lead.sector_slug else [],
                        owner_user_id=owner_id,
                        actor_role=SYSTEM,
                    )
            except VatTaken:
                raise MerchantExists(f"a merchant with {lead.vat_number} exists") from None
            created = True
        if Lead.objects.filter(merchant_id=merchant.id).exists():
            raise MerchantAttributed(f"merchant {merchant.id} is attributed already")
        try:
            with transaction.atomic():
                _move(
                    lead_id=lead_id,
                    partner_id=partner_id,
                    from_stages=[LeadStage.DOCUMENTS],
                    to_stage=LeadStage.STORE_LIVE,
                    now=now,
                    actor_id=actor_id,
                    note=f"merchant {merchant.id}",
                    merchant_id=merchant.id,
                )
        except IntegrityError:
            raise MerchantAttributed(f"merchant {merchant.id} is attributed already") from None
        publish(
            "partners.lead.live",
            {
                "lead_id": lead_id,
                "partner_id": partner_id,
                "merchant_id": merchant.id,
                "created": created,
            },
            now=now,
        )
    return GoLive(
        lead=lead_get(partner_id=partner_id, lead_id=lead_id, actor_id=None, actor_role=SYSTEM),
        merchant_id=merchant.id,
        created=created,
        owner_username=owner_username,
    )
