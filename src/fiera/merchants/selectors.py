"""Reads of merchants, stores and staff. Other apps get frozen dataclasses, never models.

Tenant rule: a merchant's staff sees only its own merchant; another company's id looks
unknown (``NotMerchantStaff`` is a 404). Operators see every merchant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, overload

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy

from fiera.accounts.roles import MERCHANT, SYSTEM
from fiera.accounts.roles import OPERATOR as OPERATOR_ROLE
from fiera.accounts.selectors import user_summaries
from fiera.common.errors import InvalidInput, NotFound, PermissionDenied
from fiera.common.reference import italian_region
from fiera.marketplaces.selectors import MarketplaceInfo, marketplace_infos
from fiera.merchants.models import (
    CompanySize,
    Merchant,
    Sector,
    StaffMembership,
    StaffRole,
    Store,
    VerificationLevel,
)

MANAGING_ROLES: frozenset[str] = frozenset({StaffRole.OWNER, StaffRole.MANAGER})
OWNER_ONLY: frozenset[str] = frozenset({StaffRole.OWNER})


class MerchantNotFound(NotFound):
    code = "merchant_not_found"
    message_template = gettext_lazy("This company does not exist.")


class NotMerchantStaff(MerchantNotFound):
    """The user is not staff of this merchant: to them the merchant does not exist."""

    message_template = gettext_lazy("This company does not exist.")


class StaffRoleTooLow(PermissionDenied):
    code = "staff_role"
    message_template = gettext_lazy("Your role in this company does not allow this.")


class NotAllowed(PermissionDenied):
    """The user's account role (buyer, partner ...) may not use merchant data at all."""

    code = "forbidden_role"
    message_template = gettext_lazy("Company data is for merchant staff and operators.")


class StoreNotFound(NotFound):
    code = "store_not_found"
    message_template = gettext_lazy("This shop does not exist.")


@dataclass(frozen=True, slots=True)
class SectorInfo:
    slug: str
    name: str  # in English
    ateco_codes: tuple[str, ...]
    name_it: str = ""  # empty: not translated, ``name`` is shown
    name_zh: str = ""
    name_es: str = ""


@dataclass(frozen=True, slots=True)
class MerchantInfo:
    id: int
    slug: str
    legal_name: str
    display_name: str
    vat_number: str  # normalised: "IT" + 11 digits, or another EU prefix + compact number
    country: str
    region_code: str  # ISO 3166-2:IT
    region_name: str
    municipality_code: str  # ISTAT, six digits
    town: str
    size: str
    size_label: str
    ateco_code: str  # ATECO 2025
    sectors: tuple[SectorInfo, ...]
    verification_level: str
    verification_label: str
    description: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class MerchantSummary:
    id: int
    slug: str
    display_name: str
    region_code: str
    region_name: str
    town: str


@dataclass(frozen=True, slots=True)
class StoreInfo:
    id: int
    merchant_id: int
    marketplace_id: int
    slug: str
    name: str
    is_active: bool
    merchant_slug: str
    merchant_display_name: str
    merchant_region_code: str
    merchant_region_name: str
    merchant_town: str
    logo: str = ""  # the storage name of the logo ("" without one); ``logo_url`` for pages
    description_it: str = ""
    description_en: str = ""
    description_zh: str = ""
    is_featured: bool = False

    @property
    def logo_url(self) -> str:
        """The logo's URL in the default storage, or "" when the store has none."""
        if not self.logo:
            return ""
        from django.core.files.storage import default_storage

        return str(default_storage.url(self.logo))


@dataclass(frozen=True, slots=True)
class StaffInfo:
    user_id: int
    username: str
    full_name: str
    role: str
    role_label: str


def region_name(code: str) -> str:
    """The region's name, or "" for a blank or unknown code (never raises)."""
    if not code:
        return ""
    try:
        return italian_region(code).name
    except InvalidInput:
        return ""


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _sectors_prefetch() -> Prefetch[Any]:
    return Prefetch("sectors", queryset=Sector.objects.order_by("name"))


def merchant_info(merchant: Merchant) -> MerchantInfo:
    """``MerchantInfo`` for a merchant fetched with its sectors prefetched."""
    return MerchantInfo(
        id=merchant.pk,
        slug=merchant.slug,
        legal_name=merchant.legal_name,
        display_name=merchant.display_name,
        vat_number=merchant.vat_number,
        country=merchant.country,
        region_code=merchant.region_code,
        region_name=region_name(merchant.region_code),
        municipality_code=merchant.municipality_code,
        town=merchant.town,
        size=merchant.size,
        size_label=_label(CompanySize, merchant.size),
        ateco_code=merchant.ateco_code,
        sectors=tuple(
            SectorInfo(
                slug=s.slug,
                name=s.name,
                ateco_codes=tuple(s.ateco_codes),
                name_it=s.name_it,
                name_zh=s.name_zh,
                name_es=s.name_es,
            )
            for s in merchant.sectors.all()
        ),
        verification_level=merchant.verification_level,
        verification_label=_label(VerificationLevel, merchant.verification_level),
        description=merchant.description,
        created_at=merchant.created_at,
    )


def _store_info(store: Store) -> StoreInfo:
    merchant = store.merchant
    return StoreInfo(
        id=store.pk,
        merchant_id=store.merchant_id,
        marketplace_id=store.marketplace_id,
        slug=store.slug,
        name=store.name,
        is_active=store.is_active,
        merchant_slug=merchant.slug,
        merchant_display_name=merchant.display_name,
        merchant_region_code=merchant.region_code,
        merchant_region_name=region_name(merchant.region_code),
        merchant_town=merchant.town,
        logo=store.logo.name or "",
        description_it=store.description_it,
        description_en=store.description_en,
        description_zh=store.description_zh,
        is_featured=store.is_featured,
    )


def _stores() -> QuerySet[Store]:
    return Store.objects.select_related("merchant").only(
        "id",
        "merchant_id",
        "marketplace_id",
        "slug",
        "name",
        "is_active",
        "logo",
        "description_it",
        "description_en",
        "description_zh",
        "is_featured",
        "merchant__slug",
        "merchant__display_name",
        "merchant__region_code",
        "merchant__town",
    )


# --- sectors ---------------------------------------------------------------------------


def sector_list() -> list[SectorInfo]:
    return [
        SectorInfo(
            slug=s.slug,
            name=s.name,
            ateco_codes=tuple(s.ateco_codes),
            name_it=s.name_it,
            name_zh=s.name_zh,
            name_es=s.name_es,
        )
        for s in Sector.objects.order_by("name")
    ]


# --- staff and authorization ------------------------------------------------------------


def merchant_ids_for_user(*, user_id: int) -> list[int]:
    """The merchants the user is staff of, by id (one query; empty for non-staff)."""
    return list(
        StaffMembership.objects.filter(user_id=user_id)
        .order_by("merchant_id")
        .values_list("merchant_id", flat=True)
    )


def staff_role_of(*, user_id: int, merchant_id: int) -> str | None:
    """The user's staff role in the merchant, or None when not staff (one query)."""
    return (
        StaffMembership.objects.filter(user_id=user_id, merchant_id=merchant_id)
        .values_list("role", flat=True)
        .first()
    )


def staff_require(*, user_id: int, merchant_id: int, roles: frozenset[str] | None = None) -> None:
    """Check that the user is staff of the merchant, with one of ``roles`` if given.

    Raises ``NotMerchantStaff`` (404, code "merchant_not_found": another company's id must
    look unknown) or ``StaffRoleTooLow`` (403, code "staff_role"). One query.
    """
    role = staff_role_of(user_id=user_id, merchant_id=merchant_id)
    if role is None:
        raise NotMerchantStaff(f"no merchant {merchant_id}")
    if roles is not None and role not in roles:
        allowed = " or ".join(sorted(roles))
        raise StaffRoleTooLow(f"this needs the staff role {allowed}; yours is {role}")


def authorize(
    *,
    merchant_id: int,
    actor_id: int | None,
    actor_role: str,
    roles: frozenset[str] | None = None,
) -> None:
    """Authorize an actor on a merchant: operators and ``SYSTEM`` (CLI, demo builder)
    always, merchant staff by ``roles``. Any other role (buyer, partner, learner, or
    an unknown one) gets ``NotAllowed`` (403).
    """
    if actor_role in (OPERATOR_ROLE, SYSTEM):
        return
    if actor_role != MERCHANT or actor_id is None:
        raise NotAllowed("only operators and merchant staff may do this")
    staff_require(user_id=actor_id, merchant_id=merchant_id, roles=roles)


def staff_list(
    *, merchant_id: int, actor_id: int | None = None, actor_role: str
) -> list[StaffInfo]:
    """The merchant's staff, owners first, with their usernames (two queries: the
    memberships, then the people through ``accounts.selectors``). Staff of the merchant
    and operators (see ``authorize``)."""
    authorize(merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role)
    order: dict[str, int] = {StaffRole.OWNER: 0, StaffRole.MANAGER: 1, StaffRole.CLERK: 2}
    rows = list(StaffMembership.objects.filter(merchant_id=merchant_id).values("user_id", "role"))
    people = user_summaries(user_ids=[row["user_id"] for row in rows])
    staff = [
        StaffInfo(
            user_id=row["user_id"],
            username=people[row["user_id"]].username,
            full_name=people[row["user_id"]].full_name,
            role=row["role"],
            role_label=_label(StaffRole, row["role"]),
        )
        for row in rows
    ]
    return sorted(staff, key=lambda s: (order.get(s.role, 9), s.username))


# --- merchants --------------------------------------------------------------------------


def merchant_get(*, merchant_id: int) -> MerchantInfo:
    """The merchant with its sectors (two queries); no authorization: callers check."""
    found = Merchant.objects.prefetch_related(_sectors_prefetch()).filter(pk=merchant_id).first()
    if found is None:
        raise MerchantNotFound(f"no merchant {merchant_id}")
    return merchant_info(found)


def merchant_get_for(*, merchant_id: int, actor_id: int | None, actor_role: str) -> MerchantInfo:
    """The merchant as the actor may see it: operators any, staff only their own
    (others get ``NotMerchantStaff``, 404), other account roles ``NotAllowed`` (403)."""
    authorize(merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role)
    return merchant_get(merchant_id=merchant_id)


def merchant_summaries(*, merchant_ids: Iterable[int]) -> dict[int, MerchantSummary]:
    """Display data of many merchants in ONE query; unknown ids are left out."""
    ids = set(merchant_ids)
    if not ids:
        return {}
    rows = Merchant.objects.filter(pk__in=ids).values(
        "id", "slug", "display_name", "region_code", "town"
    )
    return {
        row["id"]: MerchantSummary(
            id=row["id"],
            slug=row["slug"],
            display_name=row["display_name"],
            region_code=row["region_code"],
            region_name=region_name(row["region_code"]),
            town=row["town"],
        )
        for row in rows
    }


_MAX_OFFSET = 2**62


class MerchantListing(Sequence[MerchantInfo]):
    """A lazy, sliceable list of merchants: ``len()`` counts in SQL, a slice fetches one
    page (two queries: merchants, then their sectors). Made for ninja's ``@paginate``."""

    def __init__(self, queryset: QuerySet[Merchant]) -> None:
        self._queryset = queryset

    def __len__(self) -> int:
        return self._queryset.count()

    @overload
    def __getitem__(self, index: int) -> MerchantInfo: ...

    @overload
    def __getitem__(self, index: slice) -> list[MerchantInfo]: ...

    def __getitem__(self, index: int | slice) -> MerchantInfo | list[MerchantInfo]:
        if isinstance(index, slice):
            if (index.start or 0) >= _MAX_OFFSET:  # past any real list; SQL would overflow
                return []
            stop = None if index.stop is None else min(index.stop, _MAX_OFFSET)
            page = self._queryset.prefetch_related(_sectors_prefetch())[index.start : stop]
            return [merchant_info(m) for m in page]
        return merchant_info(self._queryset.prefetch_related(_sectors_prefetch())[index])


def merchant_list(
    *,
    actor_id: int | None = None,
    actor_role: str,
    region_code: str | None = None,
    sector_slug: str | None = None,
    size: str | None = None,
    search: str | None = None,
) -> MerchantListing:
    """Merchants by display name, filtered by region (ISO 3166-2:IT), sector slug, size
    and a name search. Operators and ``SYSTEM`` see all; merchant staff only their own
    companies; other roles get ``NotAllowed`` (403)."""
    qs = Merchant.objects.order_by("display_name", "id")
    if actor_role not in (OPERATOR_ROLE, SYSTEM):
        if actor_role != MERCHANT or actor_id is None:
            raise NotAllowed("only operators and merchant staff may list merchants")
        qs = qs.filter(staff__user_id=actor_id)
    if region_code:
        qs = qs.filter(region_code=region_code)
    if sector_slug:
        qs = qs.filter(sectors__slug=sector_slug)
    if size:
        qs = qs.filter(size=size)
    if search:
        qs = qs.filter(display_name__icontains=search)
    return MerchantListing(qs)


# --- stores -----------------------------------------------------------------------------


def store_get(*, marketplace_id: int, slug: str) -> StoreInfo:
    """The store with this slug on the marketplace, active or not (``is_active`` says;
    storefronts hide inactive ones). One query. Raises ``StoreNotFound``."""
    found = _stores().filter(marketplace_id=marketplace_id, slug=slug).first()
    if found is None:
        raise StoreNotFound(f"no store {slug!r} on this marketplace")
    return _store_info(found)


def store_get_by_id(*, store_id: int) -> StoreInfo:
    found = _stores().filter(pk=store_id).first()
    if found is None:
        raise StoreNotFound(f"no store {store_id}")
    return _store_info(found)


def store_list(
    *, marketplace_id: int, active_only: bool = True, featured_only: bool = False
) -> list[StoreInfo]:
    """The stores on a marketplace, by name (one query); ``featured_only``: those the
    marketplace features (``Store.is_featured``)."""
    qs = _stores().filter(marketplace_id=marketplace_id).order_by("name", "id")
    if active_only:
        qs = qs.filter(is_active=True)
    if featured_only:
        qs = qs.filter(is_featured=True)
    return [_store_info(s) for s in qs]


@dataclass(frozen=True, slots=True)
class StorePage:
    """One page of a marketplace's active stores, by name."""

    items: list[StoreInfo]
    total: int
    limit: int
    offset: int

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total


def store_page(*, marketplace_id: int, limit: int = 24, offset: int = 0) -> StorePage:
    """``limit`` active stores of a marketplace from ``offset``, by name, and how many
    there are (two queries)."""
    limit = min(max(int(limit), 1), 100)
    offset = max(int(offset), 0)
    qs = _stores().filter(marketplace_id=marketplace_id, is_active=True)
    items = [_store_info(s) for s in qs.order_by("name", "id")[offset : offset + limit]]
    return StorePage(items=items, total=qs.count(), limit=limit, offset=offset)


def store_list_for_merchant(
    *, merchant_id: int, actor_id: int | None = None, actor_role: str
) -> list[StoreInfo]:
    """All the merchant's stores (one per marketplace, active or not), in marketplace
    order. Staff of the merchant and operators (see ``authorize``)."""
    authorize(merchant_id=merchant_id, actor_id=actor_id, actor_role=actor_role)
    qs = _stores().filter(merchant_id=merchant_id).order_by("marketplace_id")
    return [_store_info(s) for s in qs]


# --- merchant console -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConsoleStore:
    store: StoreInfo
    marketplace: MarketplaceInfo


@dataclass(frozen=True, slots=True)
class ConsoleOverview:
    """What the merchant console home shows a staff member about one of their companies."""

    merchant: MerchantInfo
    my_role: str
    can_manage: bool  # owner or manager: may open stores and edit the profile
    companies: list[MerchantSummary]  # every company the user is staff of, for a switcher
    stores: list[ConsoleStore]
    staff: list[StaffInfo]
    open_marketplaces: list[MarketplaceInfo]  # active marketplaces without a store yet
    my_role_label: str = ""  # ``my_role`` in the active language ("Titolare")


class NoCompany(NotFound):
    code = "no_company"
    message_template = gettext_lazy("Your account is not staff of any company yet.")


def console_overview(*, user_id: int, merchant_id: int | None = None) -> ConsoleOverview:
    """The console home of a staff member: ``merchant_id`` if they are staff of it
    (else ``NotMerchantStaff``, 404), or their first company. ``NoCompany`` when the user
    is staff of none. About seven queries."""
    memberships = dict(
        StaffMembership.objects.filter(user_id=user_id)
        .order_by("merchant_id")
        .values_list("merchant_id", "role")
    )
    if not memberships:
        raise NoCompany("your account is not linked to a company yet")
    if merchant_id is None:
        merchant_id = next(iter(memberships))
    elif merchant_id not in memberships:
        raise NotMerchantStaff(f"no merchant {merchant_id}")
    role = memberships[merchant_id]
    summaries = merchant_summaries(merchant_ids=memberships)
    stores = store_list_for_merchant(merchant_id=merchant_id, actor_role=SYSTEM)
    marketplaces = {m.id: m for m in marketplace_infos(active_only=False)}
    with_store = {s.marketplace_id for s in stores}
    return ConsoleOverview(
        merchant=merchant_get(merchant_id=merchant_id),
        my_role=role,
        my_role_label=_label(StaffRole, role),
        can_manage=role in MANAGING_ROLES,
        companies=sorted(summaries.values(), key=lambda m: (m.display_name, m.id)),
        stores=[
            ConsoleStore(store=s, marketplace=marketplaces[s.marketplace_id])
            for s in stores
            if s.marketplace_id in marketplaces
        ],
        staff=staff_list(merchant_id=merchant_id, actor_role=SYSTEM),
        open_marketplaces=[
            m for m in marketplaces.values() if m.is_active and m.id not in with_store
        ],
    )


def merchant_countries(*, merchant_ids: Iterable[int]) -> dict[int, str]:
    """The country (ISO 3166-1 alpha-2) of each merchant, in ONE query; unknown ids are
    left out."""
    ids = set(merchant_ids)
    if not ids:
        return {}
    return dict(Merchant.objects.filter(pk__in=ids).values_list("id", "country"))


# --- core (analytics) ---


def merchant_places(*, merchant_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """The (country, region code) of each merchant (region "" outside Italy or unknown),
    in ONE query; unknown ids are left out."""
    ids = set(merchant_ids)
    if not ids:
        return {}
    return {
        int(pk): (str(country), str(region))
        for pk, country, region in Merchant.objects.filter(pk__in=ids).values_list(
            "id", "country", "region_code"
        )
    }


def merchants_per_region(*, merchant_ids: Iterable[int] | None = None) -> dict[str, int]:
    """How many merchants each region code has (all merchants, or those of
    ``merchant_ids``); ONE aggregate query; "" counts those without a region."""
    from django.db.models import Count

    qs = Merchant.objects.all()
    if merchant_ids is not None:
        qs = qs.filter(pk__in=set(merchant_ids))
    return {
        str(row["region_code"]): int(row["n"])
        for row in qs.order_by().values("region_code").annotate(n=Count("pk"))
    }
