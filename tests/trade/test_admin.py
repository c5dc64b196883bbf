from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fiera.trade import services
from fiera.trade.admin import VerificationForm
from fiera.trade.models import BuyerCompany, SupplierProfile
from tests.catalog import factories as f
from tests.trade.factories import NOW, PDF, World

pytestmark = pytest.mark.django_db


def test_operators_verify_companies_with_the_admin_action(client: Client, world: World) -> None:
    company = services.company_create(
        actor_id=world.buyer.pk,
        actor_role="buyer",
        legal_name="Acme",
        country_code="US",
        registration_number="A1",
        now=NOW,
    )
    admin = f.user("operator", is_superuser=True)
    client.force_login(admin)
    answer = client.post(
        "/admin/trade/buyercompany/",
        {"action": "verify", "_selected_action": [company.id]},
    )
    assert answer.status_code == 302
    row = BuyerCompany.objects.get(pk=company.id)
    assert row.verified_at is not None and row.verified_by_id == admin.pk
    for path in (
        "/admin/trade/inquiry/",
        "/admin/trade/supplierprofile/",
        f"/admin/trade/buyercompany/{company.id}/change/",
    ):
        assert client.get(path).status_code == 200, path


def test_the_admin_checks_the_evidence_like_the_api(world: World) -> None:
    profile = SupplierProfile.objects.get(merchant_id=world.supplier.pk)
    data = {
        "kind": "licence",
        "inspection_body": "",
        "checked_at": "2026-01-01 00:00",
        "expires_at": "2027-01-01 00:00",
    }
    bad = VerificationForm(
        data,
        {"evidence": SimpleUploadedFile("x.exe", b"MZ\x90 not a document")},
        instance=None,
    )
    bad.instance.profile = profile
    assert not bad.is_valid() and "evidence" in bad.errors
    good = VerificationForm(data, {"evidence": SimpleUploadedFile("l.pdf", PDF)})
    good.instance.profile = profile
    assert good.is_valid(), good.errors
    saved = good.save()
    assert saved.evidence.name.endswith(".pdf")
