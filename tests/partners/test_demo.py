from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from django.contrib.auth import authenticate

from fiera.accounts.roles import OPERATOR, SYSTEM
from fiera.demo.partners import PARTNERS, UNCOVERED, build_partners
from fiera.partners import selectors
from fiera.partners.models import Lead, Partner, PartnerType
from tests.merchants.factories import make_merchant

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_the_demo_network_has_every_kind_every_stage_and_gaps(sectors: None) -> None:
    merchants = [
        make_merchant(region_code=code, municipality_code=town)
        for code, town in (("IT-25", "015146"), ("IT-25", "015146"), ("IT-52", "048017"))
    ]
    line = build_partners(now=NOW, seed=3, password="demo-pass-1")
    assert line.startswith("partners       10 partners")
    assert Partner.objects.count() == len(PARTNERS) >= 8
    assert set(Partner.objects.values_list("type", flat=True)) == set(PartnerType.values)
    stages = Counter(Lead.objects.values_list("stage", flat=True))
    assert set(stages) == {"new", "contacted", "documents", "store_live", "lost"}
    live = set(Lead.objects.filter(stage="store_live").values_list("merchant_id", flat=True))
    assert live == {m.id for m in merchants}  # the demo merchants of covered regions
    assert not Lead.objects.filter(stage="lost", lost_reason="").exists()
    found = selectors.coverage(actor_role=OPERATOR)
    assert {r.region_code for r in found.uncovered} == set(UNCOVERED)
    # the logins work and see their partner's leads in every stage
    user = authenticate(username="partner", password="demo-pass-1")
    assert user is not None and user.role == "partner"
    mine = selectors.partner_list(actor_id=user.pk, actor_role=user.role)
    assert [p.slug for p in mine] == ["agenzia-export-nord"]
    funnel = selectors.conversion(partner_id=mine[0].id, actor_id=user.pk, actor_role=user.role)
    assert all(s.count > 0 for s in funnel.stages)
    staff = selectors.staff_list(partner_id=mine[0].id, actor_id=None, actor_role=SYSTEM)
    assert [(s.username, s.role) for s in staff] == [
        ("partner", "admin"),
        ("partner-staff", "staff"),
    ]
    # building again replaces the network instead of adding to it
    build_partners(now=NOW, seed=3, password="demo-pass-1")
    assert Partner.objects.count() == len(PARTNERS)
    assert Counter(Lead.objects.values_list("stage", flat=True)) == stages
