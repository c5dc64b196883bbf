from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from fiera.accounts.roles import BUYER, MERCHANT, OPERATOR, PARTNER, SYSTEM
from fiera.common.errors import InvalidInput
from fiera.merchants.selectors import merchant_get
from fiera.merchants.selectors import staff_list as merchant_staff
from fiera.merchants.services import InvalidVat
from fiera.partners import selectors, services
from fiera.partners.models import Lead, LeadEvent
from fiera.partners.selectors import PartnerInfo
from tests.merchants.factories import italian_vat, make_merchant, make_user, wrong_check_digit
from tests.partners.factories import NOW, make_lead, make_partner

pytestmark = pytest.mark.django_db


# --- partners ---------------------------------------------------------------------------


def test_operator_creates_a_partner_with_regions() -> None:
    info = services.partner_create(
        slug="ice-agenzia",
        name="ICE Agenzia",
        type="trade_agency",
        region_codes=["it-62", "IT-25", "IT-25"],
        now=NOW,
        actor_role=OPERATOR,
    )
    assert info.region_codes == ("IT-25", "IT-62")
    assert info.region_names == ("Lombardia", "Lazio")
    assert info.type_label == "Trade agency"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("region_codes", ["IT-99"], "invalid"),
        ("type", "charity", "invalid"),
        ("slug", "Not A Slug", "invalid_partner_slug"),
        ("slug", "coverage", "invalid_partner_slug"),
        ("website", "ftp://x", "invalid_website"),
        ("name", "   ", "missing_value"),
    ],
)
def test_bad_partner_values_are_refused(field: str, value: Any, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        make_partner(**{field: value})
    assert caught.value.code == code
    assert caught.value.status == 422


def test_a_taken_slug_is_a_conflict(partner: PartnerInfo) -> None:
    with pytest.raises(services.PartnerSlugTaken):
        make_partner(slug=partner.slug)


@pytest.mark.parametrize("role", [PARTNER, MERCHANT, BUYER])
def test_only_operators_create_and_update_partners(role: str, partner: PartnerInfo) -> None:
    with pytest.raises(selectors.OperatorOnly):
        make_partner(actor_role=role)
    with pytest.raises(selectors.OperatorOnly):
        services.partner_update(partner_id=partner.id, name="x", actor_role=role)


def test_update_replaces_the_regions(partner: PartnerInfo) -> None:
    info = services.partner_update(
        partner_id=partner.id, region_codes=["IT-88"], is_active=False, actor_role=OPERATOR
    )
    assert info.region_codes == ("IT-88",) and not info.is_active
    with pytest.raises(selectors.PartnerNotFound):
        services.partner_update(partner_id=10**9, name="x", actor_role=OPERATOR)


# --- staff ------------------------------------------------------------------------------


def test_partner_admin_adds_and_removes_staff(partner: PartnerInfo, admin_user: Any) -> None:
    newcomer = make_user("partner")
    staff = services.staff_add(
        partner_id=partner.id,
        username=newcomer.username,
        role="staff",
        actor_id=admin_user.pk,
        actor_role=PARTNER,
    )
    assert {s.username for s in staff} == {admin_user.username, newcomer.username}
    assert staff[0].role == "admin"  # admins first
    staff = services.staff_remove(
        partner_id=partner.id, user_id=newcomer.pk, actor_id=admin_user.pk, actor_role=PARTNER
    )
    assert [s.username for s in staff] == [admin_user.username]


def test_plain_staff_may_not_manage_staff(partner: PartnerInfo, staff_user: Any) -> None:
    with pytest.raises(selectors.PartnerAdminOnly):
        services.staff_add(
            partner_id=partner.id,
            username=make_user("partner").username,
            role="staff",
            actor_id=staff_user.pk,
            actor_role=PARTNER,
        )


def test_staff_rules(partner: PartnerInfo, other_partner: PartnerInfo, admin_user: Any) -> None:
    def add(username: str, partner_id: int = partner.id) -> Any:
        return services.staff_add(
            partner_id=partner_id, username=username, role="staff", actor_id=None, actor_role=SYSTEM
        )

    with pytest.raises(services.StaffUserNotFound):
        add("nobody-here")
    with pytest.raises(services.NotAPartnerUser):
        add(make_user("merchant").username)
    with pytest.raises(services.AlreadyPartnerStaff):
        add(admin_user.username, other_partner.id)  # one partner per person
    with pytest.raises(InvalidInput):
        services.staff_add(
            partner_id=partner.id, username="x", role="boss", actor_id=None, actor_role=SYSTEM
        )
    with pytest.raises(services.LastPartnerAdmin):
        services.staff_remove(
            partner_id=partner.id, user_id=admin_user.pk, actor_id=None, actor_role=OPERATOR
        )
    with pytest.raises(services.PartnerStaffNotFound):
        services.staff_remove(
            partner_id=partner.id, user_id=10**9, actor_id=None, actor_role=OPERATOR
        )


# --- leads ------------------------------------------------------------------------------


def test_register_a_lead_normalises_the_vat_and_records_the_event(
    partner: PartnerInfo, staff_user: Any
) -> None:
    vat = italian_vat(prefix=False)
    lead = make_lead(partner, vat_number=vat, actor_id=staff_user.pk, actor_role=PARTNER)
    assert lead.vat_number == "IT" + vat
    assert lead.stage == "new" and lead.region_name == "Lombardia"
    assert [(e.from_stage, e.to_stage, e.actor_username) for e in lead.events] == [
        ("", "new", staff_user.username)
    ]


def test_lead_vat_is_checked(partner: PartnerInfo) -> None:
    with pytest.raises(InvalidVat) as caught:
        make_lead(partner, vat_number=wrong_check_digit(italian_vat()))
    assert "check digit" in caught.value.message()
    with pytest.raises(services.NotItalianVat):
        make_lead(partner, vat_number="DE136695976")  # a valid German VAT id
    with pytest.raises(InvalidInput):
        make_lead(partner, region_code="IT-00")
    with pytest.raises(services.UnknownLeadSector):
        make_lead(partner, sector_slug="no-such-sector")
    with pytest.raises(InvalidInput):
        make_lead(partner, contact_email="not-an-email")


def test_one_open_lead_per_firm(partner: PartnerInfo, other_partner: PartnerInfo) -> None:
    lead = make_lead(partner)
    with pytest.raises(services.LeadExists) as caught:
        make_lead(other_partner, vat_number=lead.vat_number)
    assert caught.value.status == 409
    services.lead_lose(
        partner_id=partner.id,
        lead_id=lead.id,
        reason="not interested",
        now=NOW,
        actor_id=None,
        actor_role=SYSTEM,
    )
    again = make_lead(other_partner, vat_number=lead.vat_number)  # a lost firm may come back
    assert again.stage == "new"


def test_an_inactive_partner_registers_no_lead(partner: PartnerInfo) -> None:
    services.partner_update(partner_id=partner.id, is_active=False, actor_role=OPERATOR)
    with pytest.raises(services.PartnerInactive):
        make_lead(partner)


def test_stages_move_one_step_at_a_time(partner: PartnerInfo, staff_user: Any) -> None:
    lead = make_lead(partner)
    move = {
        "partner_id": partner.id,
        "lead_id": lead.id,
        "now": NOW,
        "actor_id": staff_user.pk,
        "actor_role": PARTNER,
    }
    for wrong in ("documents", "store_live", "new", "lost"):
        with pytest.raises(services.StageConflict) as caught:
            services.lead_advance(to_stage=wrong, **move)
        assert caught.value.status == 409
    with pytest.raises(InvalidInput):
        services.lead_advance(to_stage="signed", **move)
    lead = services.lead_advance(to_stage="contacted", **move)
    with pytest.raises(services.StageConflict) as caught:
        services.lead_advance(to_stage="contacted", **move)
    assert "Contacted" in caught.value.message()
    lead = services.lead_advance(to_stage="documents", **move)
    assert [e.to_stage for e in lead.events] == ["new", "contacted", "documents"]
    assert lead.events[-1].actor_username == staff_user.username


def test_losing_needs_a_reason_and_ends_the_lead(partner: PartnerInfo) -> None:
    lead = make_lead(partner, "contacted")
    lose = {
        "partner_id": partner.id,
        "lead_id": lead.id,
        "now": NOW,
        "actor_id": None,
        "actor_role": SYSTEM,
    }
    with pytest.raises(services.MissingValue):
        services.lead_lose(reason="  ", **lose)
    lost = services.lead_lose(reason="chose another platform", **lose)
    assert lost.stage == "lost" and lost.lost_reason == "chose another platform"
    with pytest.raises(services.StageConflict):
        services.lead_lose(reason="again", **lose)
    with pytest.raises(services.StageConflict):
        services.lead_advance(to_stage="contacted", **lose)


def test_go_live_registers_the_company_with_its_owner(
    partner: PartnerInfo, staff_user: Any, sectors: None
) -> None:
    lead = make_lead(partner, "documents", sector_slug="food-wine", region_code="IT-75")
    result = services.lead_go_live(
        partner_id=partner.id,
        lead_id=lead.id,
        municipality_code="072006",  # Bari
        ateco_code="10.73.01",
        now=NOW + timedelta(days=5),
        actor_id=staff_user.pk,
        actor_role=PARTNER,
    )
    assert result.created and result.lead.stage == "store_live"
    merchant = merchant_get(merchant_id=result.merchant_id)
    assert merchant.vat_number == lead.vat_number and merchant.region_code == "IT-75"
    assert [s.slug for s in merchant.sectors] == ["food-wine"]
    owners = merchant_staff(merchant_id=merchant.id, actor_role=SYSTEM)
    assert [(o.username, o.role) for o in owners] == [(result.owner_username, "owner")]
    assert result.lead.events[-1].note == f"merchant {merchant.id}"
    found = selectors.partner_merchants(partner_id=partner.id, actor_id=None, actor_role=SYSTEM)
    assert [m.merchant_id for m in found] == [merchant.id]
    assert selectors.partner_of_merchants(merchant_ids=[merchant.id, 10**9]) == {
        merchant.id: partner.id
    }


def test_go_live_needs_the_documents_stage_and_details(partner: PartnerInfo) -> None:
    early = make_lead(partner, "contacted")
    live = {"partner_id": partner.id, "now": NOW, "actor_id": None, "actor_role": SYSTEM}
    with pytest.raises(services.StageConflict):
        services.lead_go_live(
            lead_id=early.id, municipality_code="015146", ateco_code="14.21.10", **live
        )
    ready = make_lead(partner, "documents")
    with pytest.raises(services.GoLiveDetailsMissing) as caught:
        services.lead_go_live(lead_id=ready.id, **live)
    assert caught.value.status == 422
    with pytest.raises(InvalidInput):  # merchants' own checks: an unknown municipality
        services.lead_go_live(
            lead_id=ready.id, municipality_code="999999", ateco_code="14.21.10", **live
        )
    assert (
        selectors.lead_get(
            partner_id=partner.id, lead_id=ready.id, actor_id=None, actor_role=SYSTEM
        ).stage
        == "documents"
    )


def test_go_live_attaches_an_existing_company_once(
    partner: PartnerInfo, other_partner: PartnerInfo
) -> None:
    merchant = make_merchant()
    lead = make_lead(partner, "documents", vat_number=merchant.vat_number)
    live = {"partner_id": partner.id, "now": NOW, "actor_id": None, "actor_role": SYSTEM}
    with pytest.raises(services.MerchantExists):  # already on Fiera: attach it instead
        services.lead_go_live(
            lead_id=lead.id, municipality_code="015146", ateco_code="14.21.10", **live
        )
    with pytest.raises(services.MerchantVatMismatch):
        services.lead_go_live(lead_id=lead.id, merchant_id=make_merchant().id, **live)
    result = services.lead_go_live(lead_id=lead.id, merchant_id=merchant.id, **live)
    assert not result.created and result.owner_username == ""
    assert result.lead.merchant_id == merchant.id
    # the same company cannot be attributed twice: lose the lead, register it elsewhere
    services.partner_update(
        partner_id=other_partner.id, region_codes=["IT-25"], actor_role=OPERATOR
    )
    with pytest.raises(services.LeadExists):
        make_lead(other_partner, vat_number=merchant.vat_number)


def test_the_database_attributes_a_company_to_one_lead(
    partner: PartnerInfo, other_partner: PartnerInfo
) -> None:
    """An open lead for a live firm's VAT cannot exist (one open lead per firm), so the
    unique merchant column is the last guard: the database itself refuses a second lead."""
    merchant = make_merchant()
    first = make_lead(partner, "documents", vat_number=merchant.vat_number)
    services.lead_go_live(
        partner_id=partner.id,
        lead_id=first.id,
        merchant_id=merchant.id,
        now=NOW,
        actor_id=None,
        actor_role=SYSTEM,
    )
    second = make_lead(other_partner, "documents")
    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=second.id).update(stage="store_live", merchant_id=merchant.id)
    with pytest.raises(IntegrityError), transaction.atomic():  # live without a company
        Lead.objects.filter(pk=second.id).update(stage="store_live")


# --- who sees what ----------------------------------------------------------------------


def test_partner_staff_see_only_their_partner(
    partner: PartnerInfo, other_partner: PartnerInfo, staff_user: Any
) -> None:
    theirs = make_lead(other_partner, region_code="IT-72")
    me = {"actor_id": staff_user.pk, "actor_role": PARTNER}
    assert [p.slug for p in selectors.partner_list(**me)] == [partner.slug]
    with pytest.raises(selectors.PartnerNotFound):
        selectors.partner_get(partner_id=other_partner.id, **me)
    with pytest.raises(selectors.PartnerNotFound):
        selectors.lead_list(partner_id=other_partner.id, **me)
    with pytest.raises(selectors.LeadNotFound):  # another partner's lead under my partner's id
        selectors.lead_get(partner_id=partner.id, lead_id=theirs.id, **me)
    with pytest.raises(selectors.PartnerNotFound):
        services.lead_advance(
            partner_id=other_partner.id, lead_id=theirs.id, to_stage="contacted", now=NOW, **me
        )
    with pytest.raises(selectors.PartnerNotFound):
        selectors.partner_id_for(slug=other_partner.slug, **me)
    with pytest.raises(selectors.OperatorOnly):
        selectors.coverage(actor_role=PARTNER)


@pytest.mark.parametrize("role", [BUYER, MERCHANT, "learner", "", "System"])
def test_other_roles_are_refused(role: str, partner: PartnerInfo) -> None:
    user = make_user(role) if role in (BUYER, MERCHANT, "learner") else None
    actor = {"actor_id": user.pk if user else 1, "actor_role": role}
    with pytest.raises(selectors.PartnersOnly):
        selectors.partner_list(**actor)
    with pytest.raises(selectors.PartnersOnly):
        selectors.partner_id_for(slug=partner.slug, **actor)
    with pytest.raises(selectors.PartnersOnly):
        make_lead(partner, **actor)
    assert LeadEvent.objects.count() == 0


# --- lists, conversion, coverage ---------------------------------------------------------


def test_lead_list_filters_and_pages(partner: PartnerInfo) -> None:
    make_lead(partner, region_code="IT-45")
    make_lead(partner, "contacted")
    make_lead(partner, "documents")
    listing = selectors.lead_list(partner_id=partner.id, actor_id=None, actor_role=SYSTEM)
    assert len(listing) == 3 and len(listing[0:2]) == 2
    by_stage = selectors.lead_list(
        partner_id=partner.id, stage="contacted", actor_id=None, actor_role=SYSTEM
    )
    assert [lead.stage for lead in by_stage[0:10]] == ["contacted"]
    by_region = selectors.lead_list(
        partner_id=partner.id, region_code="IT-45", actor_id=None, actor_role=SYSTEM
    )
    assert [lead.region_code for lead in by_region[0:10]] == ["IT-45"]


def test_conversion_counts_every_stage(partner: PartnerInfo) -> None:
    empty = selectors.conversion(partner_id=partner.id, actor_id=None, actor_role=SYSTEM)
    assert empty.total == 0 and empty.rate is None
    for stage in ("new", "new", "contacted", "documents"):
        make_lead(partner, stage)
    merchant = make_merchant()
    live = make_lead(partner, "documents", vat_number=merchant.vat_number)
    services.lead_go_live(
        partner_id=partner.id,
        lead_id=live.id,
        merchant_id=merchant.id,
        now=NOW,
        actor_id=None,
        actor_role=SYSTEM,
    )
    lost = make_lead(partner)
    services.lead_lose(
        partner_id=partner.id,
        lead_id=lost.id,
        reason="closed",
        now=NOW,
        actor_id=None,
        actor_role=SYSTEM,
    )
    c = selectors.conversion(partner_id=partner.id, actor_id=None, actor_role=SYSTEM)
    assert [(s.stage, s.count) for s in c.stages] == [
        ("new", 2),
        ("contacted", 1),
        ("documents", 1),
        ("store_live", 1),
        ("lost", 1),
    ]
    assert (c.total, c.live, c.lost, c.open) == (6, 1, 1, 4)
    assert str(c.rate) == "0.1667"


def test_coverage_names_the_regions_without_partners(
    partner: PartnerInfo, other_partner: PartnerInfo
) -> None:
    make_partner(slug="dormant", region_codes=["IT-88"], is_active=False)  # inactive: no cover
    merchant = make_merchant()
    live = make_lead(partner, "documents", vat_number=merchant.vat_number)
    services.lead_go_live(
        partner_id=partner.id,
        lead_id=live.id,
        merchant_id=merchant.id,
        now=NOW,
        actor_id=None,
        actor_role=SYSTEM,
    )
    make_lead(other_partner, region_code="IT-72")
    found = selectors.coverage(actor_role=OPERATOR)
    by_code = {r.region_code: r for r in found.regions}
    assert len(found.regions) == 20
    assert by_code["IT-25"].level == "live" and by_code["IT-25"].live_merchants == 1
    assert by_code["IT-72"].level == "partners" and by_code["IT-72"].open_leads == 1
    assert by_code["IT-72"].partner_names == ("Banca del Sud",)
    assert by_code["IT-88"].level == "none"
    assert found.covered == 3  # IT-25, IT-45, IT-72
    assert "Sardegna" in {r.region_name for r in found.uncovered}
