"""Writes of the festivals app: festivals (operators), participation (merchants apply,
operators decide), festival prices and flash sales (approved merchants).

Every service takes the actor (``actor_id``, ``actor_role``, keyword-only, no default) and
``now``; each owns its transaction. Merchant staff act only for their own merchants
(``merchants.selectors.authorize``: another company's id answers 404 as if unknown);
operators and ``SYSTEM`` act for any.

Flash sales set their ``quantity`` aside from the warehouse's stock when created (through
``catalog.services.stock_set_aside``, in the same transaction, audited as a stock movement)
and split it over ``FlashSaleBucket`` rows; closing one puts what is left in the buckets back
(``catalog.services.stock_return``) exactly once.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy

from fiera.accounts.roles import OPERATOR, SYSTEM
from fiera.catalog import reservations
from fiera.catalog import selectors as catalog_selectors
from fiera.catalog import services as catalog_services
from fiera.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from fiera.festivals.models import (
    Festival,
    FestivalPrice,
    FlashSale,
    FlashSaleBucket,
    Participation,
    ParticipationStatus,
)
from fiera.marketplaces import selectors as marketplace_selectors
from fiera.merchants import selectors as merchant_selectors

MAX_BUCKETS = 64
DEFAULT_BUCKETS = 8
MAX_UNITS = 1_000_000_000
MAX_PRICE_MINOR = 10**15
MAX_NAME = 120
MAX_TEXT = 4000
WRITERS = merchant_selectors.MANAGING_ROLES  # owners and managers of the merchant


# errors ------------------------------------------------------------------------------------


class FestivalNotFound(NotFound):
    code = "festival_not_found"
    message_template = gettext_lazy("This festival does not exist.")


class FestivalOperatorsOnly(PermissionDenied):
    code = "operators_only"
    message_template = gettext_lazy("Only a Fiera operator can do this.")


class FestivalSlugTaken(Conflict):
    code = "festival_slug_taken"
    message_template = gettext_lazy("Another festival already uses this short name.")


class InvalidFestival(InvalidInput):
    code = "invalid_festival"
    message_template = gettext_lazy("The festival's details are not valid.")


class ParticipationNotFound(NotFound):
    code = "participation_not_found"
    message_template = gettext_lazy("This application to the festival does not exist.")


class ParticipationExists(Conflict):
    code = "participation_exists"
    message_template = gettext_lazy(
        "This company has already applied to the festival (status: %(status)s)."
    )


class ParticipationState(Conflict):
    code = "participation_state"
    message_template = gettext_lazy(
        "This cannot be done to an application in the state %(status)s."
    )


class NotApprovedParticipant(PermissionDenied):
    code = "not_approved_participant"
    message_template = gettext_lazy(
        "Only companies approved to take part in this festival can do this."
    )


class FestivalEnded(Conflict):
    code = "festival_ended"
    message_template = gettext_lazy("This festival has ended.")


class VariantNotOffered(InvalidInput):
    code = "variant_not_offered"
    message_template = gettext_lazy(
        "This variant is not for sale in %(currency)s on any marketplace of the festival."
    )


class PriceNotBelowList(InvalidInput):
    code = "price_not_below_list"
    message_template = gettext_lazy(
        "A festival price must be below the list price (%(list_price)s)."
    )


class FestivalPriceNotFound(NotFound):
    code = "festival_price_not_found"
    message_template = gettext_lazy("This festival price does not exist.")


class FlashSaleNotFound(NotFound):
    code = "flash_sale_not_found"
    message_template = gettext_lazy("This flash sale does not exist.")


class InvalidFlashSale(InvalidInput):
    code = "invalid_flash_sale"
    message_template = gettext_lazy("The flash sale's details are not valid.")


class FlashSaleStockShort(Conflict):
    code = "flash_sale_stock_short"
    message_template = gettext_lazy(
        "Only %(units_on_hand)s units are on hand in this warehouse; %(quantity)s cannot be "
        "set aside for the flash sale."
    )


class FlashSaleRunning(Conflict):
    code = "flash_sale_running"
    message_template = gettext_lazy(
        "A flash sale cannot be closed while it runs: close it before it starts or after it ends."
    )


class OpenFlashSales(Conflict):
    code = "open_flash_sales"
    message_template = gettext_lazy(
        "Close this company's %(count)s flash sales in the festival before withdrawing."
    )


class FlashSalesOutsideFestival(Conflict):
    code = "flash_sales_outside_festival"
    message_template = gettext_lazy(
        "These flash sales would fall outside the festival's new dates: %(flash_sales)s. "
        "Close them, or choose dates that still hold them."
    )


# helpers -----------------------------------------------------------------------------------


def _invalid(
    detail: str, message: Any, cls: type[InvalidInput] = InvalidFestival, **params: Any
) -> InvalidInput:
    return cls(detail, message=message, **params)


def _operator(actor_role: str) -> None:
    if actor_role not in (OPERATOR, SYSTEM):
        raise FestivalOperatorsOnly(f"role {actor_role!r} may not manage festivals")


def _authorize_merchant(*, actor_id: int | None, actor_role: str, merchant_id: int) -> None:
    """Operators and SYSTEM for any merchant; merchant owners and managers for their own
    (another company's id: 404); any other role 403."""
    merchant_selectors.authorize(
        merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role, roles=WRITERS
    )
    if actor_role in (OPERATOR, SYSTEM) and not merchant_selectors.merchant_summaries(
        merchant_ids=[merchant_id]
    ):
        raise merchant_selectors.MerchantNotFound(f"no merchant {merchant_id}")


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise _invalid(
            f"{field} has no time zone offset",
            gettext_lazy("%(field)s: give the time with its time zone offset."),
            field=field,
        )
    return value


def _text(value: str | None, field: str, *, max_length: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise _invalid(
            f"{field} is required", gettext_lazy("%(field)s: this is required."), field=field
        )
    if len(text) > max_length or "\x00" in text:
        raise _invalid(
            f"{field} is longer than {max_length} characters",
            gettext_lazy("%(field)s: at most %(max_length)s characters."),
            field=field,
            max_length=max_length,
        )
    return text


def _timezone(name: str) -> str:
    clean = (name or "").strip()
    try:
        if not clean or clean not in zoneinfo.available_timezones():
            raise ValueError(clean)
        zoneinfo.ZoneInfo(clean)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise _invalid(
            f"{name!r} is not an IANA time zone",
            gettext_lazy('%(value)s is not a time zone name such as "Asia/Shanghai".'),
            value=str(name)[:64],
        ) from None
    return clean


def _check_window(warmup_starts_at: datetime, starts_at: datetime, ends_at: datetime) -> None:
    _aware(warmup_starts_at, "warmup_starts_at")
    _aware(starts_at, "starts_at")
    _aware(ends_at, "ends_at")
    if not warmup_starts_at <= starts_at < ends_at:
        raise _invalid(
            "the window must satisfy warmup_starts_at <= starts_at < ends_at",
            gettext_lazy(
                "The warm-up must start no later than the festival, and the festival must "
                "start before it ends."
            ),
        )


def _marketplace_ids(slugs: Sequence[str]) -> list[int]:
    if not slugs:
        raise _invalid(
            "a festival needs at least one marketplace",
            gettext_lazy("Choose at least one marketplace for the festival."),
        )
    return sorted({marketplace_selectors.marketplace_get(slug=slug).id for slug in slugs})


def _festival(slug: str, *, lock: bool = False) -> Festival:
    qs = Festival.objects.select_for_update() if lock else Festival.objects
    festival = qs.filter(slug=slug).first()
    if festival is None:
        raise FestivalNotFound(f"no festival {slug!r}")
    return festival


def _visible_festival(slug: str, actor_role: str, *, lock: bool = False) -> Festival:
    festival = _festival(slug, lock=lock)
    if not festival.is_published and actor_role not in (OPERATOR, SYSTEM):
        raise FestivalNotFound(f"festival {slug!r} is not published")
    return festival


def _baseline(slug: str | None, *, festival_slug: str, starts_at: datetime) -> Festival | None:
    if not slug:
        return None
    baseline = Festival.objects.filter(slug=slug).first()
    if baseline is None:
        raise FestivalNotFound(f"no baseline festival {slug!r}")
    if baseline.slug == festival_slug or baseline.starts_at >= starts_at:
        raise _invalid(
            f"baseline {slug!r} does not start before the festival",
            gettext_lazy("The previous edition must start before this festival."),
        )
    return baseline


def _not_ended(festival: Festival, now: datetime) -> None:
    if now >= festival.ends_at:
        raise FestivalEnded(f"festival {festival.slug!r} ended at {festival.ends_at.isoformat()}")


def _approved(festival: Festival, merchant_id: int) -> None:
    if not Participation.objects.filter(
        festival=festival, merchant_id=merchant_id, status=ParticipationStatus.APPROVED
    ).exists():
        raise NotApprovedParticipant(
            f"merchant {merchant_id} is not approved in festival {festival.slug!r}"
        )


# festivals (operators) ---------------------------------------------------------------------


def festival_create(
    *,
    actor_id: int | None,
    actor_role: str,
    slug: str,
    name: str,
    marketplace_slugs: Sequence[str],
    warmup_starts_at: datetime,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str = "Asia/Shanghai",
    name_it: str = "",
    name_zh: str = "",
    description: str = "",
    description_it: str = "",
    description_zh: str = "",
    name_es: str = "",
    description_es: str = "",
    baseline_festival_slug: str | None = None,
    is_published: bool = False,
    now: datetime,
) -> Festival:
    """A festival (operators). Times are stored in UTC; ``timezone`` is the IANA zone its
    pages show them in. ``FestivalSlugTaken`` (409) when the slug is used."""
    _operator(actor_role)
    clean_slug = (slug or "").strip()
    if not clean_slug or slugify(clean_slug) != clean_slug or len(clean_slug) > 64:
        raise _invalid(
            f"{slug!r} is not a slug",
            gettext_lazy(
                "%(value)s is not a valid short name: up to 64 lower-case letters, digits and "
                "hyphens."
            ),
            value=str(slug)[:64],
        )
    _check_window(warmup_starts_at, starts_at, ends_at)
    fields = {
        "name": _text(name, "name", max_length=MAX_NAME, required=True),
        "name_it": _text(name_it, "name_it", max_length=MAX_NAME),
        "name_zh": _text(name_zh, "name_zh", max_length=MAX_NAME),
        "description": _text(description, "description", max_length=MAX_TEXT),
        "description_it": _text(description_it, "description_it", max_length=MAX_TEXT),
        "description_zh": _text(description_zh, "description_zh", max_length=MAX_TEXT),
        "name_es": _text(name_es, "name_es", max_length=MAX_NAME),
        "description_es": _text(description_es, "description_es", max_length=MAX_TEXT),
        "timezone": _timezone(timezone),
    }
    marketplace_ids = _marketplace_ids(marketplace_slugs)
    baseline = _baseline(baseline_festival_slug, festival_slug=clean_slug, starts_at=starts_at)
    try:
        with transaction.atomic():
            festival = Festival.objects.create(
                slug=clean_slug,
                warmup_starts_at=warmup_starts_at,
                starts_at=starts_at,
                ends_at=ends_at,
                baseline_festival=baseline,
                is_published=bool(is_published),
                created_at=now,
                **fields,
            )
            festival.marketplaces.set(marketplace_ids)
    except IntegrityError:
        raise FestivalSlugTaken(f"festival {clean_slug!r} exists") from None
    return festival


_TEXT_FIELDS = {
    "name": MAX_NAME,
    "name_it": MAX_NAME,
    "name_zh": MAX_NAME,
    "description": MAX_TEXT,
    "description_it": MAX_TEXT,
    "description_zh": MAX_TEXT,
    "name_es": MAX_NAME,
    "description_es": MAX_TEXT,
}


def _check_flash_sales_inside(festival: Festival) -> None:
    """``FlashSalesOutsideFestival`` (409, naming them) when an open flash sale of the
    festival would no longer lie in its window (warm-up start .. end, the rule
    ``flash_sale_create`` applies). Closed flash sales are over and are not checked. Call
    holding the festival's row lock (``flash_sale_create`` takes it too)."""
    outside = list(
        FlashSale.objects.filter(festival=festival, closed_at__isnull=True)
        .filter(Q(starts_at__lt=festival.warmup_starts_at) | Q(ends_at__gt=festival.ends_at))
        .order_by("starts_at", "id")
        .values_list("id", flat=True)
    )
    if outside:
        names = ", ".join(f"#{sale_id}" for sale_id in outside)
        raise FlashSalesOutsideFestival(
            f"open flash sales {names} would lie outside the festival's window",
            flash_sales=names,
            flash_sale_ids=outside,
        )


def festival_update(
    *,
    actor_id: int | None,
    actor_role: str,
    slug: str,
    changes: dict[str, Any],
    now: datetime,
) -> Festival:
    """Change a festival (operators). ``changes`` holds only what changes, among the text
    fields, ``timezone``, ``marketplace_slugs``, the three times, ``baseline_festival_slug``
    (None or "" removes it) and ``is_published``. The whole window is checked again."""
    _operator(actor_role)
    allowed = {
        *_TEXT_FIELDS,
        "timezone",
        "marketplace_slugs",
        "warmup_starts_at",
        "starts_at",
        "ends_at",
        "baseline_festival_slug",
        "is_published",
    }
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValueError(f"festival_update: unknown fields {unknown}")
    with transaction.atomic():
        festival = _festival(slug, lock=True)
        for field, max_length in _TEXT_FIELDS.items():
            if field in changes:
                value = _text(
                    changes[field], field, max_length=max_length, required=field == "name"
                )
                setattr(festival, field, value)
        if "timezone" in changes:
            festival.timezone = _timezone(changes["timezone"])
        for field in ("warmup_starts_at", "starts_at", "ends_at"):
            if changes.get(field) is not None:
                setattr(festival, field, changes[field])
        _check_window(festival.warmup_starts_at, festival.starts_at, festival.ends_at)
        _check_flash_sales_inside(festival)
        if "baseline_festival_slug" in changes:
            festival.baseline_festival = _baseline(
                changes["baseline_festival_slug"],
                festival_slug=festival.slug,
                starts_at=festival.starts_at,
            )
        elif festival.baseline_festival is not None:
            _baseline(
                festival.baseline_festival.slug,
                festival_slug=festival.slug,
                starts_at=festival.starts_at,
            )
        if changes.get("is_published") is not None:
            festival.is_published = bool(changes["is_published"])
        festival.save()
        if changes.get("marketplace_slugs") is not None:
            festival.marketplaces.set(_marketplace_ids(changes["marketplace_slugs"]))
        return festival


# participation -----------------------------------------------------------------------------


def participation_apply(
    *,
    actor_id: int | None,
    actor_role: str,
    festival_slug: str,
    merchant_id: int,
    pitch: str = "",
    now: datetime,
) -> Participation:
    """A merchant (its owners or managers) applies to a published festival that has not
    ended. Applying again after a withdrawal or a rejection re-opens the application;
    while one is applied or approved: ``ParticipationExists`` (409)."""
    _authorize_merchant(actor_id=actor_id, actor_role=actor_role, merchant_id=merchant_id)
    clean_pitch = _text(pitch, "pitch", max_length=MAX_TEXT)
    with transaction.atomic():
        festival = _visible_festival(festival_slug, actor_role)
        _not_ended(festival, now)
        existing = (
            Participation.objects.select_for_update()
            .filter(festival=festival, merchant_id=merchant_id)
            .first()
        )
        if existing is not None:
            if existing.status in (ParticipationStatus.APPLIED, ParticipationStatus.APPROVED):
                raise ParticipationExists(
                    f"merchant {merchant_id} is {existing.status} in {festival.slug!r}",
                    status=existing.status,
                )
            existing.status = ParticipationStatus.APPLIED
            existing.pitch = clean_pitch
            existing.applied_at = now
            existing.decided_at = None
            existing.decided_by = None
            existing.decision_note = ""
            existing.save()
            return existing
        try:
            with transaction.atomic():
                return Participation.objects.create(
                    festival=festival,
                    merchant_id=merchant_id,
                    pitch=clean_pitch,
                    applied_at=now,
                )
        except IntegrityError:
            raise ParticipationExists(
                f"merchant {merchant_id} applied meanwhile", status=ParticipationStatus.APPLIED
            ) from None


def _participation(festival_slug: str, participation_id: int) -> Participation:
    participation = (
        Participation.objects.select_for_update()
        .select_related("festival")
        .filter(pk=participation_id, festival__slug=festival_slug)
        .first()
    )
    if participation is None:
        raise ParticipationNotFound(f"no participation {participation_id} in {festival_slug!r}")
    return participation


def participation_withdraw(
    *,
    actor_id: int | None,
    actor_role: str,
    festival_slug: str,
    participation_id: int,
    now: datetime,
) -> Participation:
    """The merchant withdraws its application (applied or approved); its festival prices
    in the festival are deleted. Refused (409 ``open_flash_sales``) while it has flash sales
    in the festival that are not closed."""
    with transaction.atomic():
        participation = _participation(festival_slug, participation_id)
        try:
            _authorize_merchant(
                actor_id=actor_id, actor_role=actor_role, merchant_id=participation.merchant_id
            )
        except NotFound:
            raise ParticipationNotFound(f"no participation {participation_id}") from None
        if participation.status not in (
            ParticipationStatus.APPLIED,
            ParticipationStatus.APPROVED,
        ):
            raise ParticipationState(
                f"participation is {participation.status}", status=participation.status
            )
        open_sales = FlashSale.objects.filter(
            merchant_id=participation.merchant_id,
            festival_id=participation.festival_id,
            closed_at__isnull=True,
        ).count()
        if open_sales:
            raise OpenFlashSales(f"{open_sales} flash sales still open", count=open_sales)
        participation.status = ParticipationStatus.WITHDRAWN
        participation.save(update_fields=["status"])
        # its festival prices stop applying (the checkout reads prices, not participation)
        FestivalPrice.objects.filter(
            merchant_id=participation.merchant_id, festival_id=participation.festival_id
        ).delete()
        return participation


def participation_decide(
    *,
    actor_id: int | None,
    actor_role: str,
    festival_slug: str,
    participation_id: int,
    approve: bool,
    note: str = "",
    now: datetime,
) -> Participation:
    """An operator approves or rejects an application that is ``applied``; anything else:
    ``ParticipationState`` (409)."""
    _operator(actor_role)
    clean_note = _text(note, "note", max_length=MAX_TEXT)
    with transaction.atomic():
        participation = _participation(festival_slug, participation_id)
        if participation.status != ParticipationStatus.APPLIED:
            raise ParticipationState(
                f"participation is {participation.status}", status=participation.status
            )
        participation.status = (
            ParticipationStatus.APPROVED if approve else ParticipationStatus.REJECTED
        )
        participation.decision_note = clean_note
        participation.decided_at = now
        participation.decided_by_id = actor_id if actor_role == OPERATOR else None
        participation.save()
        return participation


# festival prices ---------------------------------------------------------------------------


def _offered_price(
    festival: Festival, *, variant_id: int, currency: str
) -> tuple[int, reservations.PricedVariant] | None:
    """(marketplace id, the variant priced there) for the first festival marketplace that
    sells the variant in ``currency``."""
    for marketplace_id in sorted(festival.marketplaces.values_list("id", flat=True)):
        priced = reservations.checkout_variants_priced(
            marketplace_id=marketplace_id, currency=currency, variant_ids=[variant_id]
        )
        if variant_id in priced:
            return marketplace_id, priced[variant_id]
    return None


def _merchant_writes(
    *,
    actor_id: int | None,
    actor_role: str,
    festival_slug: str,
    merchant_id: int,
    now: datetime,
    lock: bool = False,
) -> Festival:
    _authorize_merchant(actor_id=actor_id, actor_role=actor_role, merchant_id=merchant_id)
    festival = _visible_festival(festival_slug, actor_role, lock=lock)
    _approved(festival, merchant_id)
    _not_ended(festival, now)
    return festival


def festival_price_set(
    *,
    actor_id: int | None,
    actor_role: str,
    festival_slug: str,
    merchant_id: int,
    variant_id: int,
    currency: str,
    price_minor: int,
    now: datetime,
) -> FestivalPrice:
    """Set (create or replace) the festival price of the merchant's variant in ``currency``.

    The merchant must be approved in the festival, which must not have ended; the variant
    must be the merchant's and for sale in ``currency`` on one of the festival's
    marketplaces (``VariantNotOffered``, 422), and the price above 0 and below its list
    price there at its minimum order (``PriceNotBelowList``, 422)."""
    clean_currency = (currency or "").strip().upper()
    if type(price_minor) is not int or not 0 < price_minor <= MAX_PRICE_MINOR:
        raise _invalid(
            f"price_minor {price_minor!r} is not a positive amount",
            gettext_lazy("The price must be more than zero."),
            cls=InvalidInput,
        )
    with transaction.atomic():
        festival = _merchant_writes(
            actor_id=actor_id,
            actor_role=actor_role,
            festival_slug=festival_slug,
            merchant_id=merchant_id,
            now=now,
        )
        offered = _offered_price(festival, variant_id=variant_id, currency=clean_currency)
        if offered is None or offered[1].merchant_id != merchant_id:
            raise VariantNotOffered(
                f"variant {variant_id} of merchant {merchant_id} is not for sale in "
                f"{clean_currency} on festival {festival.slug!r}'s marketplaces",
                currency=clean_currency,
            )
        priced = offered[1]
        list_minor = priced.unit_price_minor(priced.order_minimum) or priced.tiers[0][1]
        if price_minor >= list_minor:
            raise PriceNotBelowList(
                f"{price_minor} is not below the list price {list_minor} {clean_currency}",
                list_price_minor=list_minor,
                currency=clean_currency,
            )
        price, created = FestivalPrice.objects.select_for_update().get_or_create(
            merchant_id=merchant_id,
            festival=festival,
            variant_id=variant_id,
            currency=clean_currency,
            defaults={"price_minor": price_minor, "created_at": now},
        )
        if not created and price.price_minor != price_minor:
            price.price_minor = price_minor
            price.save(update_fields=["price_minor"])
        return price


def festival_price_delete(
    *,
    actor_id: int | None,
    actor_role: str,
    festival_slug: str,
    price_id: int,
    now: datetime,
) -> None:
    """Remove a festival price (the merchant approved in a festival not yet ended)."""
    with transaction.atomic():
        price = (
            FestivalPrice.objects.select_related("festival")
            .filter(pk=price_id, festival__slug=festival_slug)
            .first()
        )
        if price is None:
            raise FestivalPriceNotFound(f"no festival price {price_id}")
        try:
            _authorize_merchant(
                actor_id=actor_id, actor_role=actor_role, merchant_id=price.merchant_id
            )
        except NotFound:
            raise FestivalPriceNotFound(f"no festival price {price_id}") from None
        _approved(price.festival, price.merchant_id)
        _not_ended(price.festival, now)
        FestivalPrice.objects.filter(pk=price.pk, merchant_id=price.merchant_id).delete()


# flash sales -------------------------------------------------------------------------------


def bucket_shares(quantity: int, bucket_count: int) -> list[int]:
    """``quantity`` split over ``bucket_count`` buckets as evenly as possible (the first
    ones get one more); never a bucket of 0 (fewer buckets when units are fewer)."""
    count = max(1, min(bucket_count, quantity))
    base, extra = divmod(quantity, count)
    return [base + 1 if number < extra else base for number in range(count)]


def flash_sale_create(
    *,
    actor_id: int | None,
    actor_role: str,
    festival_slug: str,
    merchant_id: int,
    variant_id: int,
    warehouse_id: int,
    currency: str,
    price_minor: int,
    quantity: int,
    per_buyer_limit: int = 1,
    bucket_count: int = DEFAULT_BUCKETS,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
) -> FlashSale:
    """A flash sale of the merchant's variant (approved in a festival not yet ended):
    ``quantity`` units are set aside from ``warehouse_id``'s stock in this transaction
    (``FlashSaleStockShort``, 409, when it holds fewer) and split over buckets
    (``bucket_shares``: ``bucket_count`` 1..64, fewer when there are fewer units).

    ``starts_at`` lies in the festival window, warm-up included (announced then, sold from
    ``starts_at``); ``ends_at`` after it and no later than the festival's end. The variant
    must be for sale in ``currency`` on one of the festival's marketplaces."""
    clean_currency = (currency or "").strip().upper()
    checks = [
        (type(price_minor) is int and 0 < price_minor <= MAX_PRICE_MINOR, "price_minor"),
        (type(quantity) is int and 0 < quantity <= MAX_UNITS, "quantity"),
        (type(per_buyer_limit) is int and 1 <= per_buyer_limit <= MAX_UNITS, "per_buyer_limit"),
        (type(bucket_count) is int and 1 <= bucket_count <= MAX_BUCKETS, "bucket_count"),
    ]
    for ok, field in checks:
        if not ok:
            raise _invalid(
                f"{field} is out of range",
                gettext_lazy("%(field)s: the value is out of range."),
                cls=InvalidFlashSale,
                field=field,
            )
    _aware(starts_at, "starts_at")
    _aware(ends_at, "ends_at")
    with transaction.atomic():
        # The festival row locked: a concurrent change of its dates (festival_update,
        # which checks the open flash sales against them) waits for this one.
        festival = _merchant_writes(
            actor_id=actor_id,
            actor_role=actor_role,
            festival_slug=festival_slug,
            merchant_id=merchant_id,
            now=now,
            lock=True,
        )
        if not (festival.warmup_starts_at <= starts_at < ends_at <= festival.ends_at):
            raise _invalid(
                "the flash sale's window must lie within the festival's",
                gettext_lazy(
                    "A flash sale starts during the festival (the warm-up included) and ends "
                    "after it starts, no later than the festival ends."
                ),
                cls=InvalidFlashSale,
            )
        if ends_at <= now:
            raise _invalid(
                "the flash sale would end in the past",
                gettext_lazy("A flash sale must end in the future."),
                cls=InvalidFlashSale,
            )
        offered = _offered_price(festival, variant_id=variant_id, currency=clean_currency)
        if offered is None or offered[1].merchant_id != merchant_id:
            raise VariantNotOffered(
                f"variant {variant_id} of merchant {merchant_id} is not for sale in "
                f"{clean_currency} on festival {festival.slug!r}'s marketplaces",
                currency=clean_currency,
            )
        shares = bucket_shares(quantity, bucket_count)
        try:
            catalog_services.stock_set_aside(
                actor_role=SYSTEM,
                actor_user_id=actor_id,
                merchant_id=merchant_id,
                variant_id=variant_id,
                warehouse_id=warehouse_id,
                units=quantity,
                reason=catalog_selectors.system_reason("flash-set-aside", festival.slug),
            )
        except catalog_services.StockNegative as short:
            raise FlashSaleStockShort(
                f"warehouse {warehouse_id} holds too few units of variant {variant_id}",
                units_on_hand=short.params.get("units_on_hand", 0),
                quantity=quantity,
            ) from None
        sale = FlashSale.objects.create(
            merchant_id=merchant_id,
            festival=festival,
            variant_id=variant_id,
            warehouse_id=warehouse_id,
            currency=clean_currency,
            price_minor=price_minor,
            quantity=quantity,
            per_buyer_limit=per_buyer_limit,
            bucket_count=len(shares),
            starts_at=starts_at,
            ends_at=ends_at,
            created_at=now,
        )
        FlashSaleBucket.objects.bulk_create(
            FlashSaleBucket(
                merchant_id=merchant_id, flash_sale=sale, number=number, units_left=units
            )
            for number, units in enumerate(shares)
        )
        return sale


def flash_sale_close(
    *,
    actor_id: int | None,
    actor_role: str,
    flash_sale_id: int,
    now: datetime,
) -> FlashSale:
    """Close a flash sale: before it starts (a cancellation) or once it has ended, by the
    merchant's owners or managers, an operator or ``SYSTEM``; while it runs,
    ``FlashSaleRunning`` (409). The units left in its buckets go back to the warehouse's
    stock (a stock movement), ``closed_at`` and ``units_returned`` are set. Idempotent:
    closing a closed one returns it unchanged. The flash sale and its buckets are locked
    (FOR UPDATE) so a concurrent checkout cannot take a unit being returned."""
    with transaction.atomic():
        sale = FlashSale.objects.select_for_update().filter(pk=flash_sale_id).first()
        if sale is None:
            raise FlashSaleNotFound(f"no flash sale {flash_sale_id}")
        try:
            _authorize_merchant(
                actor_id=actor_id, actor_role=actor_role, merchant_id=sale.merchant_id
            )
        except NotFound:
            raise FlashSaleNotFound(f"no flash sale {flash_sale_id}") from None
        if sale.closed_at is not None:
            return sale
        if sale.starts_at <= now < sale.ends_at:
            raise FlashSaleRunning(f"flash sale {sale.pk} runs until {sale.ends_at.isoformat()}")
        return _close(sale, actor_id=actor_id, now=now)


def _close(sale: FlashSale, *, actor_id: int | None, now: datetime) -> FlashSale:
    buckets = FlashSaleBucket.objects.select_for_update().filter(
        merchant_id=sale.merchant_id, flash_sale=sale
    )
    left = sum(bucket.units_left for bucket in buckets)
    if left:
        FlashSaleBucket.objects.filter(merchant_id=sale.merchant_id, flash_sale=sale).update(
            units_left=0
        )
        catalog_services.stock_return(
            actor_role=SYSTEM,
            actor_user_id=actor_id,
            merchant_id=sale.merchant_id,
            variant_id=sale.variant_id,
            warehouse_id=sale.warehouse_id,
            units=left,
            reason=catalog_selectors.system_reason("flash-returned", sale.pk),
        )
    sale.closed_at = now
    sale.units_returned = left
    sale.save(update_fields=["closed_at", "units_returned"])
    return sale


def flash_sales_close_ended(*, actor_role: str, now: datetime) -> list[FlashSale]:
    """Close every flash sale that has ended and is still open (the periodic job; ``SYSTEM``
    or an operator), one transaction each. Returns those it closed."""
    _operator(actor_role)
    closed = []
    ids = list(
        FlashSale.objects.filter(closed_at__isnull=True, ends_at__lte=now)
        .order_by("ends_at", "id")
        .values_list("id", flat=True)
    )
    for sale_id in ids:
        with transaction.atomic():
            sale = (
                FlashSale.objects.select_for_update()
                .filter(pk=sale_id, closed_at__isnull=True)
                .first()
            )
            if sale is not None:
                closed.append(_close(sale, actor_id=None, now=now))
    return closed
