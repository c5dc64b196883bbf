from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage

from fiera.accounts.roles import SYSTEM
from fiera.common.errors import DomainError
from fiera.trade import selectors, services
from tests.trade.factories import NOW, PDF, World, business_buyer, inquire, png_bytes

pytestmark = pytest.mark.django_db


def _code(exc: pytest.ExceptionInfo[DomainError]) -> tuple[int, str]:
    return exc.value.status, exc.value.code


# --- companies ------------------------------------------------------------------------------


def test_a_buyer_creates_a_company_and_is_its_admin(world: World) -> None:
    info = services.company_create(
        actor_id=world.buyer.pk,
        actor_role="buyer",
        legal_name="Acme Imports LLC",
        country_code="us",
        registration_number="12 345 678",
        website="https://acme.example",
        now=NOW,
    )
    assert (info.country, info.registration_number, info.verified) == ("US", "12345678", False)
    assert [(m.user_id, m.role) for m in info.members] == [(world.buyer.pk, "admin")]
    assert selectors.company_of_user(user_id=world.buyer.pk) == info


def test_company_denials(world: World) -> None:
    make = {"legal_name": "Acme", "registration_number": "X1", "now": NOW}
    with pytest.raises(DomainError) as exc:
        services.company_create(
            actor_id=world.owner.pk, actor_role="merchant", country_code="US", **make
        )
    assert _code(exc) == (403, "buyers_only")
    with pytest.raises(DomainError) as exc:
        services.company_create(
            actor_id=world.buyer.pk, actor_role="buyer", country_code="XX", **make
        )
    assert exc.value.status == 422
    services.company_create(actor_id=world.buyer.pk, actor_role="buyer", country_code="US", **make)
    with pytest.raises(DomainError) as exc:
        services.company_create(
            actor_id=world.buyer.pk, actor_role="buyer", country_code="DE", **make
        )
    assert _code(exc) == (409, "already_in_company")
    with pytest.raises(DomainError) as exc:
        services.company_create(
            actor_id=world.other_buyer.pk, actor_role="buyer", country_code="US", **make
        )
    assert _code(exc) == (409, "registration_taken")
    assert "X1" in exc.value.message()


def test_members_and_verification(world: World) -> None:
    company = services.company_create(
        actor_id=world.buyer.pk,
        actor_role="buyer",
        legal_name="Acme",
        country_code="US",
        registration_number="A1",
        now=NOW,
    )
    colleague = business_buyer()
    added = services.company_member_add(
        actor_id=world.buyer.pk,
        actor_role="buyer",
        company_id=company.id,
        username=colleague.username,
        role="member",
    )
    assert {m.username for m in added.members} == {world.buyer.username, colleague.username}
    with pytest.raises(DomainError) as exc:  # a member is no admin
        services.company_member_add(
            actor_id=colleague.pk,
            actor_role="buyer",
            company_id=company.id,
            username=world.other_buyer.username,
            role="member",
        )
    assert _code(exc) == (403, "company_admin_only")
    with pytest.raises(DomainError) as exc:  # an outsider sees no company
        services.company_member_add(
            actor_id=world.other_buyer.pk,
            actor_role="buyer",
            company_id=company.id,
            username=world.other_buyer.username,
            role="member",
        )
    assert _code(exc) == (404, "company_not_found")
    with pytest.raises(DomainError) as exc:
        services.company_member_add(
            actor_id=world.buyer.pk,
            actor_role="buyer",
            company_id=company.id,
            username=world.owner.username,
            role="member",
        )
    assert _code(exc) == (422, "unknown_buyer")
    with pytest.raises(DomainError) as exc:
        services.company_verify(
            actor_id=world.buyer.pk,
            actor_role="buyer",
            company_id=company.id,
            verified=True,
            now=NOW,
        )
    assert _code(exc) == (403, "operators_only")
    done = services.company_verify(
        actor_id=world.operator.pk,
        actor_role="operator",
        company_id=company.id,
        verified=True,
        now=NOW,
    )
    assert done.verified and done.verified_at == NOW


# --- suppliers ------------------------------------------------------------------------------


def test_profile_editors_are_owners_and_managers(world: World) -> None:
    info = services.supplier_profile_save(
        actor_id=world.manager.pk,
        actor_role="merchant",
        merchant_id=world.supplier.pk,
        capabilities_zh="自有品牌",
        main_markets=["us", "CN", "US"],
        year_established=1962,
        employees_band="10-49",
        export_share_pct=65,
        now=NOW,
    )
    assert info.main_markets == ("US", "CN")
    assert info.capabilities("zh-hans") == "自有品牌"
    with pytest.raises(DomainError) as exc:
        services.supplier_profile_save(
            actor_id=world.clerk.pk, actor_role="merchant", merchant_id=world.supplier.pk, now=NOW
        )
    assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        services.supplier_profile_save(
            actor_id=world.other_owner.pk,
            actor_role="merchant",
            merchant_id=world.supplier.pk,
            now=NOW,
        )
    assert exc.value.status == 404
    with pytest.raises(DomainError) as exc:
        services.supplier_profile_save(
            actor_id=world.owner.pk,
            actor_role="merchant",
            merchant_id=world.supplier.pk,
            export_share_pct=101,
            now=NOW,
        )
    assert exc.value.status == 422


def _verify(world: World, kind: str, days: int, *, checked: int = 0, body: str = "") -> None:
    services.verification_add(
        actor_id=world.operator.pk,
        actor_role="operator",
        merchant_id=world.supplier.pk,
        kind=kind,
        inspection_body=body,
        evidence=PDF,
        evidence_name="licence.pdf",
        checked_at=NOW + timedelta(days=checked),
        expires_at=NOW + timedelta(days=days),
    )


def test_the_effective_level_ignores_expired_checks(world: World) -> None:
    assert selectors.supplier_get(merchant_id=world.supplier.pk, now=NOW).level == "none"
    _verify(world, "licence", 365)
    _verify(world, "audit", 30, body="Bureau Veritas")
    info = selectors.supplier_get(merchant_id=world.supplier.pk, now=NOW + timedelta(days=1))
    assert (info.level, info.level_body) == ("audit", "Bureau Veritas")
    assert info.level_expires_at == NOW + timedelta(days=30)
    later = selectors.supplier_get(merchant_id=world.supplier.pk, now=NOW + timedelta(days=30))
    assert later.level == "licence"  # the audit lapsed at its expiry (exclusive)
    gone = selectors.supplier_get(merchant_id=world.supplier.pk, now=NOW + timedelta(days=400))
    assert gone.level == "none" and len(gone.verifications) == 2
    assert [s.merchant_id for s in selectors.supplier_list(now=NOW, level="audit")] == [
        world.supplier.pk
    ]


def test_verification_rules_and_evidence(world: World) -> None:
    with pytest.raises(DomainError) as exc:
        _verify(world, "audit", 30)
    assert _code(exc) == (422, "audit_needs_body")
    with pytest.raises(DomainError) as exc:
        _verify(world, "licence", 1, checked=2)
    assert _code(exc) == (422, "expiry_not_after_check")
    with pytest.raises(DomainError) as exc:
        services.verification_add(
            actor_id=world.owner.pk,
            actor_role="merchant",
            merchant_id=world.supplier.pk,
            kind="licence",
            evidence=PDF,
            evidence_name="x.pdf",
            checked_at=NOW,
            expires_at=NOW + timedelta(days=1),
        )
    assert _code(exc) == (403, "operators_only")
    for bad in (b"MZ\x90\x00 not a document", b"%PDF-" + b"0" * (5 * 1024 * 1024)):
        with pytest.raises(DomainError) as exc:
            services.verification_add(
                actor_id=None,
                actor_role=SYSTEM,
                merchant_id=world.supplier.pk,
                kind="licence",
                evidence=bad,
                evidence_name="x.exe",
                checked_at=NOW,
                expires_at=NOW + timedelta(days=1),
            )
        assert _code(exc) == (422, "evidence_refused")
    pic = services.verification_add(
        actor_id=None,
        actor_role=SYSTEM,
        merchant_id=world.supplier.pk,
        kind="licence",
        evidence=png_bytes(),
        evidence_name="scan.png",
        checked_at=NOW,
        expires_at=NOW + timedelta(days=1),
    )
    assert pic.evidence.endswith(".webp") and default_storage.exists(pic.evidence)


# --- inquiries ------------------------------------------------------------------------------


def test_an_inquiry_thread_between_buyer_and_supplier(world: World) -> None:
    thread = inquire(world)
    iid = thread.inquiry.id
    assert thread.side == "buyer" and thread.inquiry.status == "open"
    assert selectors.unread_count(actor_id=world.owner.pk, actor_role="merchant") == 1
    assert selectors.unread_count(actor_id=world.buyer.pk, actor_role="buyer") == 0
    answer = services.inquiry_reply(
        actor_id=world.clerk.pk,
        actor_role="merchant",
        inquiry_id=iid,
        body="USD 40 a can at 2,000.",
        now=NOW,
    )
    assert answer.side == "supplier" and answer.inquiry.status == "answered"
    assert [m.side for m in answer.messages] == ["buyer", "supplier"]
    assert selectors.unread_count(actor_id=world.buyer.pk, actor_role="buyer") == 1
    assert selectors.unread_count(actor_id=world.owner.pk, actor_role="merchant") == 0
    services.inquiry_mark_read(actor_id=world.buyer.pk, actor_role="buyer", inquiry_id=iid)
    assert selectors.unread_count(actor_id=world.buyer.pk, actor_role="buyer") == 0
    inbox = selectors.inquiry_list(actor_id=world.manager.pk, actor_role="merchant")
    assert [i.id for i in inbox] == [iid]
    assert selectors.inquiry_list(actor_id=world.other_owner.pk, actor_role="merchant") == []
    assert selectors.inquiry_list(actor_id=world.other_buyer.pk, actor_role="buyer") == []
    moderated = selectors.inquiry_thread(
        inquiry_id=iid, actor_id=world.operator.pk, actor_role="operator"
    )
    assert moderated.side == "operator" and len(moderated.messages) == 2


def test_nobody_else_sees_or_writes_in_a_thread(world: World) -> None:
    iid = inquire(world).inquiry.id
    for actor, role in ((world.other_buyer, "buyer"), (world.other_owner, "merchant")):
        with pytest.raises(DomainError) as exc:
            selectors.inquiry_thread(inquiry_id=iid, actor_id=actor.pk, actor_role=role)
        assert _code(exc) == (404, "inquiry_not_found")
        with pytest.raises(DomainError) as exc:
            services.inquiry_reply(
                actor_id=actor.pk, actor_role=role, inquiry_id=iid, body="hi", now=NOW
            )
        assert exc.value.status == 404
    with pytest.raises(DomainError) as exc:
        services.inquiry_reply(
            actor_id=world.operator.pk, actor_role="operator", inquiry_id=iid, body="hi", now=NOW
        )
    assert _code(exc) == (403, "operator_read_only")


def test_closing(world: World) -> None:
    iid = inquire(world).inquiry.id
    with pytest.raises(DomainError) as exc:
        services.inquiry_close(
            actor_id=world.clerk.pk, actor_role="merchant", inquiry_id=iid, now=NOW
        )
    assert _code(exc) == (403, "close_needs_manager")
    closed = services.inquiry_close(
        actor_id=world.owner.pk, actor_role="merchant", inquiry_id=iid, now=NOW
    )
    assert closed.inquiry.status == "closed"
    with pytest.raises(DomainError) as exc:
        services.inquiry_reply(
            actor_id=world.buyer.pk, actor_role="buyer", inquiry_id=iid, body="one more", now=NOW
        )
    assert _code(exc) == (409, "inquiry_closed")
    with pytest.raises(DomainError) as exc:
        services.inquiry_close(actor_id=world.buyer.pk, actor_role="buyer", inquiry_id=iid, now=NOW)
    assert _code(exc) == (409, "inquiry_closed")


def test_inquiry_input_rules(world: World) -> None:
    cases = [
        ({"product_id": world.other_product.pk}, (422, "product_not_of_supplier")),
        ({"marketplace_slug": world.shop_market.slug}, (422, "not_trade_marketplace")),
        ({"message": "   "}, (422, "text_empty")),
        ({"message": "x" * 4001}, (422, "text_too_long")),
        ({"quantity": 0}, (422, "invalid")),
        ({"actor_role": "merchant", "actor_id": world.owner.pk}, (403, "buyers_only")),
    ]
    for overrides, expected in cases:
        with pytest.raises(DomainError) as exc:
            inquire(world, **overrides)
        assert _code(exc) == expected, overrides
    assert "4000" in str(_text_error(world).message())
    without_product = inquire(world, product_id=None)
    assert without_product.inquiry.product_id is None


def _text_error(world: World) -> DomainError:
    try:
        inquire(world, message="x" * 4001)
    except DomainError as exc:
        return exc
    raise AssertionError("no error")


def test_the_daily_quota(world: World, settings: object) -> None:
    settings.FIERA_TRADE_INQUIRIES_PER_DAY = 2  # type: ignore[attr-defined]
    inquire(world)
    inquire(world, now=NOW + timedelta(hours=1))
    with pytest.raises(DomainError) as exc:
        inquire(world, now=NOW + timedelta(hours=2))
    assert _code(exc) == (429, "inquiry_quota")
    inquire(world, buyer=world.other_buyer, now=NOW + timedelta(hours=2))  # per buyer
    inquire(world, now=NOW + timedelta(days=1, minutes=1))  # the first one left the window


def test_the_company_is_recorded_on_the_inquiry(world: World) -> None:
    company = services.company_create(
        actor_id=world.buyer.pk,
        actor_role="buyer",
        legal_name="Acme",
        country_code="US",
        registration_number="A1",
        now=NOW,
    )
    assert inquire(world).inquiry.company_id == company.id
