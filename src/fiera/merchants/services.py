"""Writes of merchants: register a company, update its profile, verify it, open stores
on marketplaces, manage staff.

Authorization: API callers pass ``actor_id``/``actor_role`` (the signed-in user). Operators
may do everything; merchant staff act on their own company by staff role (owner/manager
manage the profile and stores, the owner manages staff); other roles get 403.
In-process callers (CLI, demo builder) pass ``accounts.roles.SYSTEM``; there is no default.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

import ateco
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext_lazy
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.it import iva

from fiera.accounts.roles import MERCHANT as MERCHANT_ROLE
from fiera.accounts.roles import SYSTEM
from fiera.accounts.selectors import user_role_get
from fiera.common import images
from fiera.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied, not_one_of
from fiera.common.events import publish
from fiera.common.reference import italian_municipality, italian_region
from fiera.marketplaces.selectors import marketplace_get_by_id
from fiera.merchants.models import (
    CompanySize,
    Merchant,
    Sector,
    StaffMembership,
    StaffRole,
    Store,
    VerificationLevel,
)
from fiera.merchants.selectors import (
    MANAGING_ROLES,
    OPERATOR_ROLE,
    OWNER_ONLY,
    MerchantInfo,
    MerchantNotFound,
    StaffInfo,
    StoreInfo,
    StoreNotFound,
    authorize,
    merchant_get,
    staff_list,
    store_get_by_id,
)

ATECO_EDITION = "2025"
ATECO_PREVIOUS_EDITION = "2022"  # ATECO 2007, 2022 update: in force until 2024-12-31
ATECO_EXAMPLE = "14.21.10"  # mass-produced outerwear; "14.13.10" in ATECO 2007


class VatTaken(Conflict):
    code = "vat_taken"
    message_template = gettext_lazy("A company with this VAT number is already registered.")


class InvalidVat(InvalidInput):
    code = "invalid_vat"
    message_template = gettext_lazy("This is not a valid Italian VAT number (partita IVA).")


class InvalidAteco(InvalidInput):
    code = "invalid_ateco"
    message_template = gettext_lazy("This is not a valid ATECO activity code.")


class InvalidLocation(InvalidInput):
    code = "invalid_location"
    message_template = gettext_lazy("The address's region or municipality is not valid.")


class UnknownSector(InvalidInput):
    code = "unknown_sector"
    message_template = gettext_lazy("This sector does not exist.")


class OperatorOnly(PermissionDenied):
    code = "operator_only"
    message_template = gettext_lazy("Only a Fiera operator can do this.")


class StoreExists(Conflict):
    code = "store_exists"
    message_template = gettext_lazy("This company already has a shop on this marketplace.")


class StoreSlugTaken(Conflict):
    code = "store_slug_taken"
    message_template = gettext_lazy("Another shop already uses this short name.")


class MarketplaceClosed(InvalidInput):
    code = "marketplace_inactive"
    message_template = gettext_lazy("This marketplace is not open to new shops.")


class UserNotFound(NotFound):
    code = "user_not_found"
    message_template = gettext_lazy("There is no user with this name.")


class NotAMerchantUser(InvalidInput):
    code = "user_not_merchant"
    message_template = gettext_lazy("This user does not have a merchant account.")


class AlreadyStaff(Conflict):
    code = "staff_exists"
    message_template = gettext_lazy("This user already works for the company.")


class StaffNotFound(NotFound):
    code = "staff_not_found"
    message_template = gettext_lazy("This user is not staff of the company.")


class LastOwner(Conflict):
    code = "last_owner"
    message_template = gettext_lazy("A company keeps at least one owner; name another owner first.")


# --- checks -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Location:
    region_code: str
    municipality_code: str
    town: str


def check_vat_number(raw: str) -> str:
    """Validate an EU VAT id and return it normalised ("IT" + 11 digits for Italy).

    An Italian number may come with or without the "IT" prefix; its check digit and
    province office code are verified. Other EU numbers must carry their country prefix
    (EL for Greece) and pass python-stdnum's check for that country. No network call.
    """
    text = "".join(str(raw).split()).upper().replace("-", "").replace(".", "")
    if not text:
        raise InvalidVat("the VAT number is required")
    italian = text.isdigit() or text.startswith("IT")
    if italian:
        try:
            return "IT" + iva.validate(text)
        except InvalidChecksum:
            raise InvalidVat(
                f"the Italian VAT number {raw!r} has a wrong check digit (the 11th digit)",
                message=gettext_lazy(
                    "The VAT number %(value)s has a wrong check digit (the last one): check it "
                    "for typing errors."
                ),
                value=str(raw),
            ) from None
        except InvalidLength:
            raise InvalidVat(f"an Italian VAT number has 11 digits; {raw!r} does not") from None
        except InvalidComponent:
            raise InvalidVat(
                f"the Italian VAT number {raw!r} has an unknown provincial office code "
                "(digits 8 to 10)"
            ) from None
        except (InvalidFormat, ValidationError):
            raise InvalidVat(f"{raw!r} is not an Italian VAT number (11 digits)") from None
    prefix = text[:2].lower()
    if prefix not in eu_vat.MEMBER_STATES:
        raise InvalidVat(
            f"{raw!r} is not an EU VAT number: start with the country prefix, e.g. IT, DE, FR"
        )
    try:
        return str(eu_vat.validate(text))
    except InvalidChecksum:
        raise InvalidVat(f"the VAT number {raw!r} has a wrong check digit") from None
    except ValidationError:
        raise InvalidVat(f"{raw!r} is not a valid {text[:2]} VAT number") from None


def check_location(*, region_code: str, municipality_code: str) -> Location:
    """The region (ISO 3166-2:IT) and a municipality (ISTAT code) inside it."""
    try:
        region = italian_region(region_code)
    except InvalidInput as exc:
        raise InvalidLocation(exc.detail, message=exc.message()) from None
    try:
        municipality = italian_municipality(municipality_code)
    except InvalidInput as exc:
        raise InvalidLocation(exc.detail, message=exc.message()) from None
    if municipality.region_code != region.code:
        raise InvalidLocation(
            f"{municipality.name} ({municipality.province}) is not in {region.name}",
            message=gettext_lazy("%(municipality)s is not in %(region)s."),
            municipality=f"{municipality.name} ({municipality.province})",
            region=region.name,
        )
    return Location(region.code, municipality.istat_code, municipality.name)


def check_ateco_code(code: str) -> str:
    """An ATECO 2025 activity code (division "14" down to subcategory "14.21.10", dotted
    or compact "142110"), returned in its canonical dotted form. Sections (letters) are
    too broad.

    A code of the previous edition (ATECO 2007, 2022 update) that ATECO 2025 renumbered
    is refused, naming the 2025 codes that ISTAT's correspondence table maps it to
    (``suggestions``): the choice between them is the company's, never guessed here.
    """
    text = str(code).strip()
    node = ateco.lookup(text, edition=ATECO_EDITION) if text else None
    if node is not None and node.level != "section":
        return str(node.code)
    old = ateco.lookup(text, edition=ATECO_PREVIOUS_EDITION) if text else None
    if old is not None and old.level != "section":
        targets = list(ateco.map_code(old.code, ATECO_PREVIOUS_EDITION, ATECO_EDITION).targets)
        shown = ", ".join(targets[:8]) + (
            f" and {len(targets) - 8} more" if len(targets) > 8 else ""
        )
        raise InvalidAteco(
            f"{old.code} is an ATECO 2007 code; since 2025 companies use ATECO 2025"
            + (f", where it became {shown}" if targets else ""),
            message=gettext_lazy(
                "%(value)s is an ATECO 2007 code; since 2025 companies use ATECO 2025 codes, "
                "such as %(shown)s."
            )
            if targets
            else None,
            suggestions=targets,
            value=str(old.code),
            shown=shown,
        )
    raise InvalidAteco(
        f"{code!r} is not an ATECO 2025 activity code (e.g. {ATECO_EXAMPLE} or 20.42)",
        message=gettext_lazy(
            "%(value)s is not an ATECO 2025 activity code (such as %(example)s or 20.42)."
        ),
        value=str(code),
        example=ATECO_EXAMPLE,
    )


def _check_size(size: str) -> str:
    if size not in CompanySize.values:
        raise not_one_of("size", CompanySize.values)
    return size


def _check_sectors(sector_slugs: Sequence[str]) -> list[Sector]:
    wanted = list(dict.fromkeys(sector_slugs))
    sectors = list(Sector.objects.filter(slug__in=wanted))
    unknown = sorted(set(wanted) - {s.slug for s in sectors})
    if unknown:
        raise UnknownSector(
            f"unknown sector(s): {', '.join(unknown)}",
            message=gettext_lazy("Unknown sector: %(sectors)s."),
            sectors=unknown,
        )
    return sectors


def _check_name(value: str, what: str, max_length: int) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(
            f"the {what} is required",
            message=gettext_lazy("%(field)s: this field is required."),
            field=what,
        )
    if len(value) > max_length:
        raise InvalidInput(
            f"the {what} has at most {max_length} characters",
            message=gettext_lazy("%(field)s: at most %(max_length)s characters."),
            field=what,
            max_length=max_length,
        )
    return value


def _require_operator(actor_role: str) -> None:
    if actor_role not in (OPERATOR_ROLE, SYSTEM):
        raise OperatorOnly("only an operator may do this")


def _check_merchant_user(user_id: int) -> None:
    role = user_role_get(user_id=user_id)
    if role is None:
        raise UserNotFound(f"no active user {user_id}")
    if role != MERCHANT_ROLE:
        raise NotAMerchantUser(
            f"user {user_id} has the role {role}; only merchant accounts can be staff"
        )


def _unique_slug(existing: QuerySet[Merchant] | QuerySet[Store], text: str, max_length: int) -> str:
    """A slug of ``text`` not among ``existing`` slugs ("bottega", then "bottega-2" ...)."""
    base = slugify(text)[: max_length - 4].strip("-") or "merchant"
    taken = set(existing.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# --- merchants --------------------------------------------------------------------------


def merchant_register(
    *,
    legal_name: str,
    display_name: str,
    vat_number: str,
    region_code: str,
    municipality_code: str,
    size: str,
    ateco_code: str,
    sector_slugs: Sequence[str],
    owner_user_id: int | None = None,
    description: str = "",
    actor_role: str,
) -> MerchantInfo:
    """Register a company, in one transaction, with its owner as staff if given.

    The VAT id is validated and stored normalised (see ``check_vat_number``); a VAT id
    already registered raises ``VatTaken`` (409). The town is the municipality's name.
    The slug is derived from ``display_name`` and made unique. Publishes
    ``merchants.merchant.registered``.
    """
    _require_operator(actor_role)
    legal_name = _check_name(legal_name, "legal name", 200)
    display_name = _check_name(display_name, "display name", 120)
    vat = check_vat_number(vat_number)
    location = check_location(region_code=region_code, municipality_code=municipality_code)
    ateco_canonical = check_ateco_code(ateco_code)
    _check_size(size)
    sectors = _check_sectors(sector_slugs)
    if owner_user_id is not None:
        _check_merchant_user(owner_user_id)
    if Merchant.objects.filter(vat_number=vat).exists():
        raise VatTaken(f"a merchant with the VAT number {vat} is already registered")
    for _attempt in range(3):
        slug = _unique_slug(Merchant.objects.all(), display_name, 80)
        try:
            with transaction.atomic():
                merchant = Merchant.objects.create(
                    slug=slug,
                    legal_name=legal_name,
                    display_name=display_name,
                    vat_number=vat,
                    country="IT",
                    region_code=location.region_code,
                    municipality_code=location.municipality_code,
                    town=location.town,
                    size=size,
                    ateco_code=ateco_canonical,
                    description=description.strip(),
                )
                merchant.sectors.set(sectors)
                if owner_user_id is not None:
                    StaffMembership.objects.create(
                        user_id=owner_user_id, merchant=merchant, role=StaffRole.OWNER
                    )
                publish(
                    "merchants.merchant.registered",
                    {
                        "merchant_id": merchant.pk,
                        "region_code": merchant.region_code,
                        "size": merchant.size,
                        "sector_slugs": sorted(s.slug for s in sectors),
                    },
                )
        except IntegrityError:
            if Merchant.objects.filter(vat_number=vat).exists():
                raise VatTaken(
                    f"a merchant with the VAT number {vat} is already registered"
                ) from None
            continue  # the slug was taken meanwhile: try the next one
        return merchant_get(merchant_id=merchant.pk)
    raise Conflict(f"could not find a free slug for {display_name!r}; try again")


def merchant_update(
    *,
    merchant_id: int,
    actor_id: int | None = None,
    actor_role: str,
    legal_name: str | None = None,
    display_name: str | None = None,
    description: str | None = None,
    size: str | None = None,
    ateco_code: str | None = None,
    sector_slugs: Sequence[str] | None = None,
    region_code: str | None = None,
    municipality_code: str | None = None,
) -> MerchantInfo:
    """Change profile fields; None leaves a field as it is. The VAT id and slug never
    change. Region and municipality change together. Owners, managers and operators."""
    authorize(
        merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role, roles=MANAGING_ROLES
    )
    changes: dict[str, object] = {}
    if legal_name is not None:
        changes["legal_name"] = _check_name(legal_name, "legal name", 200)
    if display_name is not None:
        changes["display_name"] = _check_name(display_name, "display name", 120)
    if description is not None:
        changes["description"] = description.strip()
    if size is not None:
        changes["size"] = _check_size(size)
    if ateco_code is not None:
        changes["ateco_code"] = check_ateco_code(ateco_code)
    if (region_code is None) != (municipality_code is None):
        raise InvalidLocation("change the region and the municipality together")
    if region_code is not None and municipality_code is not None:
        location = check_location(region_code=region_code, municipality_code=municipality_code)
        changes.update(
            region_code=location.region_code,
            municipality_code=location.municipality_code,
            town=location.town,
        )
    sectors = _check_sectors(sector_slugs) if sector_slugs is not None else None
    with transaction.atomic():
        merchant = Merchant.objects.select_for_update().filter(pk=merchant_id).first()
        if merchant is None:
            raise MerchantNotFound(f"no merchant {merchant_id}")
        for field, value in changes.items():
            setattr(merchant, field, value)
        if changes:
            merchant.save(update_fields=list(changes))
        if sectors is not None:
            merchant.sectors.set(sectors)
    return merchant_get(merchant_id=merchant_id)


def merchant_verify(*, merchant_id: int, level: str, actor_role: str) -> MerchantInfo:
    """Set the verification level (operators only). Publishes ``merchants.merchant.verified``
    when the level changes; setting the current level again is a no-op."""
    _require_operator(actor_role)
    if level not in VerificationLevel.values:
        raise not_one_of("level", VerificationLevel.values)
    with transaction.atomic():
        merchant = (
            Merchant.objects.select_for_update()
            .filter(pk=merchant_id)
            .only("id", "verification_level")
            .first()
        )
        if merchant is None:
            raise MerchantNotFound(f"no merchant {merchant_id}")
        if merchant.verification_level != level:
            previous = merchant.verification_level
            merchant.verification_level = level
            merchant.save(update_fields=["verification_level"])
            publish(
                "merchants.merchant.verified",
                {"merchant_id": merchant_id, "level": level, "previous_level": previous},
            )
    return merchant_get(merchant_id=merchant_id)


# --- stores -----------------------------------------------------------------------------


def store_open(
    *,
    merchant_id: int,
    marketplace_id: int,
    name: str,
    slug: str | None = None,
    actor_id: int | None = None,
    actor_role: str,
) -> StoreInfo:
    """Open the merchant's flagship store on an active marketplace: one per marketplace
    (``StoreExists``, 409). Without ``slug`` one is derived from ``name`` and made unique
    on the marketplace; a given slug already used there raises ``StoreSlugTaken`` (409).
    Owners, managers and operators."""
    authorize(
        merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role, roles=MANAGING_ROLES
    )
    name = _check_name(name, "store name", 120)
    if slug is not None:
        slug = slug.strip()
        if not slug or slugify(slug) != slug or len(slug) > 80:
            raise InvalidInput(
                f"{slug!r} is not a slug (lower-case letters, digits, hyphens, at most 80)"
            )
    marketplace = marketplace_get_by_id(marketplace_id=marketplace_id)
    if not marketplace.is_active:
        raise MarketplaceClosed(f"the marketplace {marketplace.name} is not open")
    if not Merchant.objects.filter(pk=merchant_id).exists():
        raise MerchantNotFound(f"no merchant {merchant_id}")
    if Store.objects.filter(merchant_id=merchant_id, marketplace_id=marketplace_id).exists():
        raise StoreExists(f"the merchant already has a store on {marketplace.name}")
    chosen = slug or _unique_slug(Store.objects.filter(marketplace_id=marketplace_id), name, 80)
    try:
        with transaction.atomic():
            store = Store.objects.create(
                merchant_id=merchant_id, marketplace_id=marketplace_id, slug=chosen, name=name
            )
    except IntegrityError:
        if Store.objects.filter(merchant_id=merchant_id, marketplace_id=marketplace_id).exists():
            raise StoreExists(f"the merchant already has a store on {marketplace.name}") from None
        raise StoreSlugTaken(
            f"the store address {chosen!r} is taken on {marketplace.name}; choose another"
        ) from None
    return store_get_by_id(store_id=store.pk)


def store_set_active(
    *,
    store_id: int,
    is_active: bool,
    merchant_id: int | None = None,
    actor_id: int | None = None,
    actor_role: str,
) -> StoreInfo:
    """Open or close a store to buyers. With ``merchant_id`` the store must belong to it
    (else ``StoreNotFound``). Owners, managers and operators."""
    store = Store.objects.filter(pk=store_id).only("id", "merchant_id", "is_active").first()
    if store is None or (merchant_id is not None and store.merchant_id != merchant_id):
        raise StoreNotFound(f"no store {store_id}")
    authorize(
        merchant_id=store.merchant_id,
        actor_id=actor_id,
        actor_role=actor_role,
        roles=MANAGING_ROLES,
    )
    if store.is_active != is_active:
        Store.objects.filter(pk=store_id).update(is_active=is_active)
    return store_get_by_id(store_id=store_id)


# --- staff ------------------------------------------------------------------------------


def staff_add(
    *,
    merchant_id: int,
    user_id: int,
    role: str,
    actor_id: int | None = None,
    actor_role: str,
) -> list[StaffInfo]:
    """Make a merchant account staff of the company with ``role``; returns the staff list.
    The user must have the account role "merchant". Owners and operators."""
    authorize(merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role, roles=OWNER_ONLY)
    if role not in StaffRole.values:
        raise not_one_of("role", StaffRole.values)
    if not Merchant.objects.filter(pk=merchant_id).exists():
        raise MerchantNotFound(f"no merchant {merchant_id}")
    _check_merchant_user(user_id)
    try:
        with transaction.atomic():
            StaffMembership.objects.create(user_id=user_id, merchant_id=merchant_id, role=role)
    except IntegrityError:
        raise AlreadyStaff(f"user {user_id} is already staff of this merchant") from None
    return staff_list(merchant_id=merchant_id, actor_role=SYSTEM)


def staff_remove(
    *,
    merchant_id: int,
    user_id: int,
    actor_id: int | None = None,
    actor_role: str,
) -> list[StaffInfo]:
    """Remove a staff member; the last owner cannot be removed (``LastOwner``, 409).
    Owners and operators. Locks the merchant's memberships while checking."""
    authorize(merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role, roles=OWNER_ONLY)
    with transaction.atomic():
        memberships = list(
            StaffMembership.objects.select_for_update()
            .filter(merchant_id=merchant_id)
            .only("id", "user_id", "role")
        )
        target = next((m for m in memberships if m.user_id == user_id), None)
        if target is None:
            raise StaffNotFound(f"user {user_id} is not staff of this merchant")
        owners = [m for m in memberships if m.role == StaffRole.OWNER]
        if target.role == StaffRole.OWNER and len(owners) == 1:
            raise LastOwner("a company keeps at least one owner; add another owner first")
        target.delete()
    return staff_list(merchant_id=merchant_id, actor_role=SYSTEM)


# --- store logo and descriptions ---------------------------------------------------------

MAX_STORE_DESCRIPTION = 5_000


def _store_for_edit(
    *, store_id: int, merchant_id: int | None, actor_id: int | None, actor_role: str
) -> Store:
    """The store, for its owners, managers and operators; ``StoreNotFound`` when it is not
    ``merchant_id``'s (if given)."""
    store = Store.objects.filter(pk=store_id).only("id", "merchant_id", "logo").first()
    if store is None or (merchant_id is not None and store.merchant_id != merchant_id):
        raise StoreNotFound(f"no store {store_id}")
    authorize(
        merchant_id=store.merchant_id,
        actor_id=actor_id,
        actor_role=actor_role,
        roles=MANAGING_ROLES,
    )
    return store


def _delete_logo_later(name: str) -> None:
    """Delete a replaced logo's file after the commit, unless another store shares it."""
    if not name:
        return

    def delete() -> None:
        if not Store.objects.filter(logo=name).exists():
            default_storage.delete(name)

    transaction.on_commit(delete)


def store_logo_set(
    *,
    store_id: int,
    upload: IO[bytes] | bytes,
    merchant_id: int | None = None,
    actor_id: int | None = None,
    actor_role: str,
) -> StoreInfo:
    """Give the store a logo: the upload is checked and re-encoded like a product picture
    (``fiera.common.images``: JPEG, PNG or WebP, at most 10 MB, EXIF dropped), made to fit
    400 x 400 and stored through the default storage; the previous logo's file is deleted
    after the commit. Owners, managers and operators."""
    _store_for_edit(
        store_id=store_id, merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role
    )
    prepared = images.image_prepare(upload, max_edge=images.LOGO_EDGE, thumb_edge=64)
    name = default_storage.save(
        f"stores/logos/{store_id}-{uuid.uuid4().hex}.{prepared.extension}",
        ContentFile(prepared.data),
    )
    try:
        with transaction.atomic():
            store = Store.objects.select_for_update().only("id", "logo").get(pk=store_id)
            previous = store.logo.name or ""
            Store.objects.filter(pk=store_id).update(logo=name)
            _delete_logo_later(previous)
    except BaseException:
        default_storage.delete(name)
        raise
    return store_get_by_id(store_id=store_id)


def store_logo_delete(
    *,
    store_id: int,
    merchant_id: int | None = None,
    actor_id: int | None = None,
    actor_role: str,
) -> StoreInfo:
    """Remove the store's logo (pages show its initial instead). Owners, managers and
    operators."""
    with transaction.atomic():
        store = _store_for_edit(
            store_id=store_id, merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role
        )
        previous = store.logo.name or ""
        Store.objects.filter(pk=store_id).update(logo="")
        _delete_logo_later(previous)
    return store_get_by_id(store_id=store_id)


def _store_description(value: str, field: Promise) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise InvalidInput(
            "a store description contains a NUL character",
            message=gettext_lazy("%(field)s: remove the NUL character."),
            field=field,
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            "a store description is not valid Unicode text",
            message=gettext_lazy("%(field)s: this is not valid text."),
            field=field,
        ) from None
    if len(text) > MAX_STORE_DESCRIPTION:
        raise InvalidInput(
            f"a store description has at most {MAX_STORE_DESCRIPTION} characters",
            message=gettext_lazy("%(field)s: at most %(max_length)s characters."),
            field=field,
            max_length=MAX_STORE_DESCRIPTION,
        )
    return text


def store_describe(
    *,
    store_id: int,
    description_it: str | None = None,
    description_en: str | None = None,
    description_zh: str | None = None,
    merchant_id: int | None = None,
    actor_id: int | None = None,
    actor_role: str,
) -> StoreInfo:
    """Set the store's descriptions (Italian, English, Chinese; plain text, at most 5,000
    characters each); ``None`` leaves one as it is. Pages show the reader's language, then
    English. Owners, managers and operators."""
    changes: dict[str, str] = {}
    for key, value, field in (
        ("description_it", description_it, gettext_lazy("Italian description")),
        ("description_en", description_en, gettext_lazy("English description")),
        ("description_zh", description_zh, gettext_lazy("Chinese description")),
    ):
        if value is not None:
            changes[key] = _store_description(value, field)
    with transaction.atomic():
        _store_for_edit(
            store_id=store_id, merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role
        )
        if changes:
            Store.objects.filter(pk=store_id).update(**changes)
    return store_get_by_id(store_id=store_id)
