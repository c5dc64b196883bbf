"""Reads of partners, their staff and leads, the coverage of the 20 regions and the
conversion of leads. Other apps and pages get frozen dataclasses, never models.

Who sees what: operators (and ``SYSTEM``) every partner; partner staff (accounts with the
``partner`` role and a ``PartnerStaff`` row) only their own partner, whose id or slug is
the only one that exists for them (another partner answers 404, ``PartnerNotFound``);
every other account role gets ``PartnersOnly`` (403).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import overload

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy

from fiera.accounts.roles import OPERATOR, PARTNER, SYSTEM
from fiera.accounts.selectors import user_summaries
from fiera.common.errors import NotFound, PermissionDenied
from fiera.common.reference import italian_regions
from fiera.merchants.selectors import merchant_summaries, region_name
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

PIPELINE: tuple[str, ...] = (
    LeadStage.NEW,
    LeadStage.CONTACTED,
    LeadStage.DOCUMENTS,
    LeadStage.STORE_LIVE,
)
"""The stages a lead moves through, in order; ``lost`` may end any of the first three."""


class PartnerNotFound(NotFound):
    code = "partner_not_found"
    message_template = gettext_lazy("This partner does not exist.")


class LeadNotFound(NotFound):
    code = "lead_not_found"
    message_template = gettext_lazy("This lead does not exist.")


class PartnersOnly(PermissionDenied):
    """The account's role (buyer, merchant, learner) may not see partner data at all."""

    code = "partners_only"
    message_template = gettext_lazy("Partner data is for partner staff and operators.")


class PartnerAdminOnly(PermissionDenied):
    code = "partner_admin_only"
    message_template = gettext_lazy("Only an administrator of this partner can do this.")


class OperatorOnly(PermissionDenied):
    code = "partners_operator_only"
    message_template = gettext_lazy("Only a Fiera operator can do this.")


@dataclass(frozen=True, slots=True)
class PartnerInfo:
    id: int
    slug: str
    name: str
    type: str
    type_label: str
    website: str
    is_active: bool
    region_codes: tuple[str, ...]  # ISO 3166-2:IT, sorted
    created_at: datetime

    @property
    def region_names(self) -> tuple[str, ...]:
        return tuple(region_name(code) for code in self.region_codes)


@dataclass(frozen=True, slots=True)
class StaffInfo:
    user_id: int
    username: str
    full_name: str
    role: str
    role_label: str


@dataclass(frozen=True, slots=True)
class LeadEventInfo:
    from_stage: str
    to_stage: str
    to_stage_label: str
    actor_username: str  # "" when the platform acted
    note: str
    at: datetime


@dataclass(frozen=True, slots=True)
class LeadInfo:
    id: int
    partner_id: int
    partner_slug: str
    firm_name: str
    vat_number: str
    region_code: str
    region_name: str
    sector_slug: str
    contact_name: str
    contact_email: str
    stage: str
    stage_label: str
    lost_reason: str
    merchant_id: int | None
    created_at: datetime
    stage_changed_at: datetime
    events: tuple[LeadEventInfo, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.stage in (LeadStage.NEW, LeadStage.CONTACTED, LeadStage.DOCUMENTS)

    @property
    def next_stage(self) -> str | None:
        """The stage ``lead_advance`` moves to (``store_live`` is ``lead_go_live``'s)."""
        if self.stage == LeadStage.NEW:
            return LeadStage.CONTACTED
        if self.stage == LeadStage.CONTACTED:
            return LeadStage.DOCUMENTS
        return None


@dataclass(frozen=True, slots=True)
class PartnerMerchant:
    """A merchant attributed to the partner: the lead that brought it, and when it went live."""

    merchant_id: int
    slug: str
    display_name: str
    region_code: str
    region_name: str
    town: str
    lead_id: int
    live_since: datetime


@dataclass(frozen=True, slots=True)
class StageCount:
    stage: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Conversion:
    """Leads per stage; ``rate`` is live / all leads (lost included), None with no leads."""

    stages: tuple[StageCount, ...]
    total: int
    live: int
    lost: int

    @property
    def rate(self) -> Decimal | None:
        if not self.total:
            return None
        return (Decimal(self.live) / Decimal(self.total)).quantize(Decimal("0.0001"))

    @property
    def open(self) -> int:
        return self.total - self.live - self.lost


@dataclass(frozen=True, slots=True)
class RegionCoverage:
    """One region: its active partners (names), open leads and live attributed merchants.

    ``level``: "none" (no active partner), "partners" (partners but no live merchant yet),
    "live" (at least one live merchant brought by a partner)."""

    region_code: str
    region_name: str
    partner_names: tuple[str, ...]
    open_leads: int
    live_merchants: int

    @property
    def partners(self) -> int:
        return len(self.partner_names)

    @property
    def level(self) -> str:
        if not self.partner_names:
            return "none"
        return "live" if self.live_merchants else "partners"


@dataclass(frozen=True, slots=True)
class Coverage:
    regions: tuple[RegionCoverage, ...]  # all 20, by name

    @property
    def uncovered(self) -> tuple[RegionCoverage, ...]:
        return tuple(r for r in self.regions if r.level == "none")

    @property
    def covered(self) -> int:
        return len(self.regions) - len(self.uncovered)


# --- authorization ----------------------------------------------------------------------


def partner_id_for_user(*, user_id: int) -> int | None:
    """The partner the user works for, or None (one query)."""
    return PartnerStaff.objects.filter(user_id=user_id).values_list("partner_id", flat=True).first()


def authorize(
    *, partner_id: int, actor_id: int | None, actor_role: str, admin: bool = False
) -> None:
    """Operators and ``SYSTEM`` always; partner staff on their own partner (with the
    ``admin`` staff role when ``admin``); another partner answers ``PartnerNotFound`` (404),
    any other account role ``PartnersOnly`` (403). One query for partner staff."""
    if actor_role in (OPERATOR, SYSTEM):
        return
    if actor_role != PARTNER or actor_id is None:
        raise PartnersOnly(f"the role {actor_role!r} may not use partner data")
    role = (
        PartnerStaff.objects.filter(user_id=actor_id, partner_id=partner_id)
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        raise PartnerNotFound(f"no partner {partner_id}")
    if admin and role != PartnerRole.ADMIN:
        raise PartnerAdminOnly(f"this needs the partner role admin; yours is {role}")


def require_operator(*, actor_role: str) -> None:
    if actor_role not in (OPERATOR, SYSTEM):
        raise OperatorOnly(f"only an operator may do this, not {actor_role!r}")


def _label(choices: type[PartnerType] | type[PartnerRole] | type[LeadStage], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


# --- partners ---------------------------------------------------------------------------


def _partner_info(partner: Partner, regions: Iterable[str]) -> PartnerInfo:
    return PartnerInfo(
        id=partner.pk,
        slug=partner.slug,
        name=partner.name,
        type=partner.type,
        type_label=_label(PartnerType, partner.type),
        website=partner.website,
        is_active=partner.is_active,
        region_codes=tuple(sorted(regions)),
        created_at=partner.created_at,
    )


def _regions_of(partner_ids: Iterable[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    rows = PartnerRegion.objects.filter(partner_id__in=list(partner_ids)).values_list(
        "partner_id", "region_code"
    )
    for partner_id, code in rows:
        found[partner_id].append(code)
    return found


def partner_id_for(*, slug: str, actor_id: int | None, actor_role: str) -> int:
    """The id of the partner with this slug, as the actor may see it (see ``authorize``):
    the role is checked before the lookup, so a buyer learns nothing about which slugs
    exist. Two queries for partner staff."""
    if actor_role not in (OPERATOR, SYSTEM, PARTNER):
        raise PartnersOnly(f"the role {actor_role!r} may not use partner data")
    found = Partner.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if found is None:
        raise PartnerNotFound(f"no partner {slug!r}")
    authorize(partner_id=int(found), actor_id=actor_id, actor_role=actor_role)
    return int(found)


def partner_get(*, partner_id: int, actor_id: int | None, actor_role: str) -> PartnerInfo:
    """The partner with its regions, as the actor may see it (see ``authorize``)."""
    authorize(partner_id=partner_id, actor_id=actor_id, actor_role=actor_role)
    partner = Partner.objects.filter(pk=partner_id).first()
    if partner is None:
        raise PartnerNotFound(f"no partner {partner_id}")
    return _partner_info(partner, _regions_of([partner.pk])[partner.pk])


def partner_list(*, actor_id: int | None, actor_role: str) -> list[PartnerInfo]:
    """Operators: every partner, by name; partner staff: their own (two queries)."""
    qs = Partner.objects.order_by("name", "id")
    if actor_role not in (OPERATOR, SYSTEM):
        if actor_role != PARTNER or actor_id is None:
            raise PartnersOnly(f"the role {actor_role!r} may not use partner data")
        qs = qs.filter(pk__in=PartnerStaff.objects.filter(user_id=actor_id).values("partner_id"))
    partners = list(qs)
    regions = _regions_of(p.pk for p in partners)
    return [_partner_info(p, regions[p.pk]) for p in partners]


def staff_list(*, partner_id: int, actor_id: int | None, actor_role: str) -> list[StaffInfo]:
    """The partner's staff, admins first, then by username (two queries)."""
    authorize(partner_id=partner_id, actor_id=actor_id, actor_role=actor_role)
    rows = list(PartnerStaff.objects.filter(partner_id=partner_id).values("user_id", "role"))
    people = user_summaries(user_ids=[row["user_id"] for row in rows])
    staff = [
        StaffInfo(
            user_id=row["user_id"],
            username=people[row["user_id"]].username,
            full_name=people[row["user_id"]].full_name,
            role=row["role"],
            role_label=_label(PartnerRole, row["role"]),
        )
        for row in rows
        if row["user_id"] in people
    ]
    return sorted(staff, key=lambda s: (s.role != PartnerRole.ADMIN, s.username))


# --- leads ------------------------------------------------------------------------------


def _lead_info(lead: Lead, slug: str, events: Sequence[LeadEventInfo] = ()) -> LeadInfo:
    return LeadInfo(
        id=lead.pk,
        partner_id=lead.partner_id,
        partner_slug=slug,
        firm_name=lead.firm_name,
        vat_number=lead.vat_number,
        region_code=lead.region_code,
        region_name=region_name(lead.region_code),
        sector_slug=lead.sector_slug,
        contact_name=lead.contact_name,
        contact_email=lead.contact_email,
        stage=lead.stage,
        stage_label=_label(LeadStage, lead.stage),
        lost_reason=lead.lost_reason,
        merchant_id=lead.merchant_id,
        created_at=lead.created_at,
        stage_changed_at=lead.stage_changed_at,
        events=tuple(events),
    )


_MAX_OFFSET = 2**62


class LeadListing(Sequence[LeadInfo]):
    """A lazy, sliceable list of leads: ``len()`` counts in SQL, a slice fetches one page in
    one query. Made for ninja's ``@paginate`` and Django's ``Paginator``."""

    def __init__(self, queryset: QuerySet[Lead]) -> None:
        self._queryset = queryset

    def __len__(self) -> int:
        return self._queryset.count()

    def count(self, value: object = None) -> int:
        """Django's Paginator counts with ``count()``: the rows, in SQL."""
        return len(self)

    @overload
    def __getitem__(self, index: int) -> LeadInfo: ...

    @overload
    def __getitem__(self, index: slice) -> list[LeadInfo]: ...

    def __getitem__(self, index: int | slice) -> LeadInfo | list[LeadInfo]:
        qs = self._queryset.select_related("partner")
        if isinstance(index, slice):
            if (index.start or 0) >= _MAX_OFFSET:
                return []
            stop = None if index.stop is None else min(index.stop, _MAX_OFFSET)
            return [_lead_info(lead, lead.partner.slug) for lead in qs[index.start : stop]]
        lead = qs[index]
        return _lead_info(lead, lead.partner.slug)


def lead_list(
    *,
    partner_id: int,
    actor_id: int | None,
    actor_role: str,
    stage: str | None = None,
    region_code: str | None = None,
) -> LeadListing:
    """The partner's leads, most recently moved first, filtered by stage and region
    (unknown values simply match nothing). Paged by slicing."""
    authorize(partner_id=partner_id, actor_id=actor_id, actor_role=actor_role)
    qs = Lead.objects.filter(partner_id=partner_id).order_by("-stage_changed_at", "-id")
    if stage:
        qs = qs.filter(stage=stage)
    if region_code:
        qs = qs.filter(region_code=region_code)
    return LeadListing(qs)


def lead_get(*, partner_id: int, lead_id: int, actor_id: int | None, actor_role: str) -> LeadInfo:
    """The lead with its history (three queries). A lead of another partner is unknown."""
    authorize(partner_id=partner_id, actor_id=actor_id, actor_role=actor_role)
    lead = Lead.objects.select_related("partner").filter(pk=lead_id, partner_id=partner_id).first()
    if lead is None:
        raise LeadNotFound(f"no lead {lead_id} of partner {partner_id}")
    rows = list(LeadEvent.objects.filter(lead_id=lead.pk).order_by("at", "id"))
    people = user_summaries(user_ids=[r.actor_id for r in rows if r.actor_id is not None])
    events = [
        LeadEventInfo(
            from_stage=r.from_stage,
            to_stage=r.to_stage,
            to_stage_label=_label(LeadStage, r.to_stage),
            actor_username=people[r.actor_id].username
            if r.actor_id is not None and r.actor_id in people
            else "",
            note=r.note,
            at=r.at,
        )
        for r in rows
    ]
    return _lead_info(lead, lead.partner.slug, events)


# --- merchants, conversion, coverage ----------------------------------------------------


def partner_merchants(
    *, partner_id: int, actor_id: int | None, actor_role: str
) -> list[PartnerMerchant]:
    """The merchants attributed to the partner (its live leads), by name. Three queries."""
    authorize(partner_id=partner_id, actor_id=actor_id, actor_role=actor_role)
    rows = list(
        Lead.objects.filter(partner_id=partner_id, stage=LeadStage.STORE_LIVE).values_list(
            "merchant_id", "pk", "stage_changed_at"
        )
    )
    summaries = merchant_summaries(merchant_ids=[m for m, _, _ in rows if m is not None])
    found = [
        PartnerMerchant(
            merchant_id=merchant_id,
            slug=summaries[merchant_id].slug,
            display_name=summaries[merchant_id].display_name,
            region_code=summaries[merchant_id].region_code,
            region_name=summaries[merchant_id].region_name,
            town=summaries[merchant_id].town,
            lead_id=lead_id,
            live_since=live_since,
        )
        for merchant_id, lead_id, live_since in rows
        if merchant_id in summaries
    ]
    return sorted(found, key=lambda m: (m.display_name.casefold(), m.merchant_id))


def partner_of_merchants(*, merchant_ids: Iterable[int]) -> dict[int, int]:
    """The partner each merchant is attributed to, by merchant id (absent: none). One query."""
    ids = list(set(merchant_ids))
    if not ids:
        return {}
    rows = Lead.objects.filter(merchant_id__in=ids).values_list("merchant_id", "partner_id")
    return {int(m): int(p) for m, p in rows if m is not None}


def conversion(*, partner_id: int, actor_id: int | None, actor_role: str) -> Conversion:
    """Leads per stage (the pipeline in order, then lost) and the share that went live.
    One aggregate query."""
    authorize(partner_id=partner_id, actor_id=actor_id, actor_role=actor_role)
    counts = Counter(
        {
            row["stage"]: row["n"]
            for row in Lead.objects.filter(partner_id=partner_id)
            .order_by()
            .values("stage")
            .annotate(n=Count("pk"))
        }
    )
    stages = tuple(
        StageCount(stage=s, label=_label(LeadStage, s), count=counts.get(s, 0))
        for s in (*PIPELINE, LeadStage.LOST)
    )
    return Conversion(
        stages=stages,
        total=sum(counts.values()),
        live=counts.get(LeadStage.STORE_LIVE, 0),
        lost=counts.get(LeadStage.LOST, 0),
    )


def coverage(*, actor_role: str) -> Coverage:
    """The 20 regions, each with its active partners, open leads and live merchants brought
    by partners. Operators only. Three queries, whatever the number of partners and leads."""
    require_operator(actor_role=actor_role)
    partners_by_region: dict[str, list[str]] = defaultdict(list)
    for code, name in (
        PartnerRegion.objects.filter(partner__is_active=True)
        .order_by("partner__name")
        .values_list("region_code", "partner__name")
    ):
        partners_by_region[code].append(name)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in (
        Lead.objects.order_by()
        .values("region_code")
        .annotate(
            open=Count("pk", filter=~Q(stage__in=[LeadStage.STORE_LIVE, LeadStage.LOST])),
            live=Count("pk", filter=Q(stage=LeadStage.STORE_LIVE)),
        )
    ):
        counts[row["region_code"]] = {"open": row["open"], "live": row["live"]}
    return Coverage(
        regions=tuple(
            RegionCoverage(
                region_code=r.code,
                region_name=r.name,
                partner_names=tuple(partners_by_region.get(r.code, ())),
                open_leads=counts.get(r.code, {}).get("open", 0),
                live_merchants=counts.get(r.code, {}).get("live", 0),
            )
            for r in italian_regions()
        )
    )
