"""RFQs and quotes (decision 0017): matching, who sees what, the quote quota, MOQ, one
revision, validity, acceptance into an agreed-terms order, and the periodic expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.common.errors import NotFound, PermissionDenied
from fiera.orders.models import Order, OrderLine
from fiera.orders.services import OutOfStock
from fiera.trade import selectors, services
from fiera.trade.models import Quote, Rfq, RfqMatch
from tests.catalog import factories as f
from tests.trade.factories import NOW, World, business_buyer
from tests.trade.rfq_world import ADDRESS, RfqWorld, post, quote, rfq_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def rw(world: World) -> RfqWorld:
    return rfq_world(world)


def test_posting_matches_suppliers_of_the_category_tree_ranked(rw: RfqWorld) -> None:
    services.verification_add(
        actor_id=None,
        actor_role=SYSTEM,
        merchant_id=rw.w.other.pk,
        kind="licence",
        evidence=b"%PDF-1.4 x",
        evidence_name="l.pdf",
        checked_at=NOW - timedelta(days=1),
        expires_at=NOW + timedelta(days=300),
    )
    detail = post(rw)
    assert detail.side == "buyer"
    assert detail.rfq.matched == 2
    ranked = list(
        RfqMatch.objects.filter(rfq_id=detail.rfq.id).values_list("merchant_id", flat=True)
    )
    assert ranked == [rw.w.other.pk, rw.w.supplier.pk]  # the verified one first
    # the subcategory only: the other supplier's product is filed under "food"
    only_oil = post(rw, category_id=rw.oil.pk)
    assert only_oil.rfq.matched == 1
    assert services.rfq_post is not None


def test_a_merchant_without_supplier_profile_or_b2b_listing_is_not_matched(rw: RfqWorld) -> None:
    loner = f.merchant()
    p = f.product(loner, category=rw.food)
    f.price(f.variant(p), rw.w.market, 100, currency="USD")
    f.store(loner, rw.w.market)
    assert post(rw).rfq.matched == 2


def test_posting_refusals(rw: RfqWorld) -> None:
    with pytest.raises(services.BuyersOnly):
        post(rw, buyer=rw.w.owner, actor_role="merchant")
    with pytest.raises(services.NotTradeMarketplace):
        post(rw, marketplace_slug="shop")
    with pytest.raises(services.UnknownCategory):
        post(rw, category_id=999_999)
    with pytest.raises(services.DeadlineRefused):
        post(rw, deadline=NOW + timedelta(minutes=5))
    with pytest.raises(services.DeadlineRefused):
        post(rw, deadline=NOW + timedelta(days=200))
    with pytest.raises(services.InvalidInput):
        post(rw, quantity=0)
    with pytest.raises(services.TextEmpty):
        post(rw, product="  ")


def test_who_sees_an_rfq(rw: RfqWorld) -> None:
    rfq_id = post(rw).rfq.id
    colleague = business_buyer()
    for user, role in ((colleague, "buyer"), (rw.w.other_buyer, "buyer")):
        with pytest.raises(selectors.RfqNotFound):
            selectors.rfq_detail(rfq_id=rfq_id, actor_id=user.pk, actor_role=role, now=NOW)
    outsider = f.staff(f.merchant(), role="owner")
    with pytest.raises(NotFound):
        selectors.rfq_detail(rfq_id=rfq_id, actor_id=outsider.pk, actor_role="merchant", now=NOW)
    seen = selectors.rfq_detail(
        rfq_id=rfq_id, actor_id=rw.w.clerk.pk, actor_role="merchant", now=NOW
    )
    assert seen.side == "supplier" and seen.rfq.target_unit_price_minor == 3900
    assert (
        selectors.rfq_detail(
            rfq_id=rfq_id, actor_id=rw.w.operator.pk, actor_role="operator", now=NOW
        ).side
        == "operator"
    )
    assert [r.id for r in selectors.rfq_list(actor_id=rw.w.buyer.pk, actor_role="buyer")] == [
        rfq_id
    ]
    assert selectors.rfq_list(actor_id=rw.w.other_buyer.pk, actor_role="buyer") == []
    assert [r.id for r in selectors.rfq_list(actor_id=rw.w.clerk.pk, actor_role="merchant")] == [
        rfq_id
    ]
    assert selectors.rfq_list(actor_id=outsider.pk, actor_role="merchant") == []
    assert len(selectors.rfq_list(actor_id=rw.w.operator.pk, actor_role="operator")) == 1


def test_a_supplier_sees_only_its_own_quote_the_buyer_all(rw: RfqWorld) -> None:
    rfq_id = post(rw).rfq.id
    quote(rw, rfq_id)
    quote(rw, rfq_id, user=rw.w.other_owner, variant_id=rw.other_variant.pk, quantity=5)
    mine = selectors.rfq_detail(
        rfq_id=rfq_id, actor_id=rw.w.clerk.pk, actor_role="merchant", now=NOW
    )
    assert [q.merchant_id for q in mine.quotes] == [rw.w.supplier.pk]
    theirs = selectors.rfq_detail(
        rfq_id=rfq_id, actor_id=rw.w.buyer.pk, actor_role="buyer", now=NOW
    )
    assert len(theirs.quotes) == 2 and theirs.rfq.unread == 2
    competing = Quote.objects.get(merchant_id=rw.w.other.pk)
    with pytest.raises(selectors.QuoteNotFound):
        selectors.quote_get(
            quote_id=competing.pk, actor_id=rw.w.owner.pk, actor_role="merchant", now=NOW
        )
    read = services.rfq_mark_read(
        actor_id=rw.w.buyer.pk, actor_role="buyer", rfq_id=rfq_id, now=NOW
    )
    assert read.rfq.unread == 0
    seen = services.rfq_mark_read(
        actor_id=rw.w.clerk.pk, actor_role="merchant", rfq_id=rfq_id, now=NOW
    )
    assert seen.rfq.unread == 0


def test_quote_refusals(rw: RfqWorld) -> None:
    rfq_id = post(rw).rfq.id
    with pytest.raises(services.QuoteNeedsManager):
        quote(rw, rfq_id, user=rw.w.clerk)
    with pytest.raises(services.MoqNotMet) as moq:
        quote(rw, rfq_id, quantity=9)
    assert moq.value.code == "moq_not_met" and moq.value.status == 422
    with pytest.raises(services.VariantNotQuotable):
        quote(rw, rfq_id, variant_id=rw.other_variant.pk)
    with pytest.raises(services.QuoteTermsRefused):
        quote(rw, rfq_id, incoterm="XYZ")
    with pytest.raises(services.ValidityRefused):
        quote(rw, rfq_id, valid_until=NOW - timedelta(days=1))
    with pytest.raises(services.RfqNotFound):
        quote(rw, rfq_id, user=rw.w.buyer, actor_role="buyer")
    with pytest.raises(services.RfqReadOnly):
        quote(rw, rfq_id, user=rw.w.operator, actor_role="operator")
    quote(rw, rfq_id)
    with pytest.raises(services.QuoteExists):
        quote(rw, rfq_id, user=rw.w.manager)
    with pytest.raises(services.RfqDeadlinePassed):
        quote(
            rw,
            rfq_id,
            user=rw.w.other_owner,
            variant_id=rw.other_variant.pk,
            now=NOW + timedelta(days=15),
            valid_until=NOW + timedelta(days=40),
        )


def test_monthly_quote_quota(rw: RfqWorld, settings: Any) -> None:
    settings.FIERA_TRADE_QUOTES_PER_MONTH = 2
    first, second, third = (post(rw).rfq.id for _ in range(3))
    quote(rw, first)
    quote(rw, second)
    with pytest.raises(services.QuoteQuota) as refused:
        quote(rw, third)
    assert refused.value.status == 429
    # next calendar month: a fresh allowance
    later = NOW.replace(month=12, day=1, hour=0)
    assert quote(rw, third, now=later, valid_until=later + timedelta(days=5)).version == 1


def test_one_revision_then_409(rw: RfqWorld) -> None:
    rfq_id = post(rw).rfq.id
    q = quote(rw, rfq_id)
    revised = services.quote_revise(
        actor_id=rw.w.manager.pk,
        actor_role="merchant",
        quote_id=q.id,
        variant_id=rw.variant.pk,
        unit_price_minor=3800,
        quantity=250,
        incoterm="CIF",
        incoterm_place="Boston",
        payment_terms="advance",
        lead_time_days=30,
        valid_until=NOW + timedelta(days=20),
        now=NOW + timedelta(hours=1),
    )
    assert revised.status == "revised" and revised.version == 2
    assert [v.unit_price_minor for v in revised.versions] == [4000, 3800]
    with pytest.raises(services.QuoteRevisedTwice) as twice:
        services.quote_revise(
            actor_id=rw.w.owner.pk,
            actor_role="merchant",
            quote_id=q.id,
            variant_id=rw.variant.pk,
            unit_price_minor=3700,
            quantity=250,
            incoterm="CIF",
            payment_terms="advance",
            lead_time_days=30,
            valid_until=NOW + timedelta(days=20),
            now=NOW + timedelta(hours=2),
        )
    assert twice.value.status == 409


def test_accept_places_an_agreed_order_and_awards(rw: RfqWorld) -> None:
    rfq_id = post(rw).rfq.id
    q = quote(rw, rfq_id)
    rival = quote(rw, rfq_id, user=rw.w.other_owner, variant_id=rw.other_variant.pk, quantity=5)
    with pytest.raises(services.BuyerDecides):
        services.quote_accept(actor_id=rw.w.owner.pk, actor_role="merchant", quote_id=q.id, now=NOW)
    with pytest.raises(selectors.QuoteNotFound):
        services.quote_accept(
            actor_id=rw.w.other_buyer.pk, actor_role="buyer", quote_id=q.id, now=NOW
        )
    with pytest.raises(services.ShipToNeeded):
        services.quote_accept(actor_id=rw.w.buyer.pk, actor_role="buyer", quote_id=q.id, now=NOW)
    done = services.quote_accept(
        actor_id=rw.w.buyer.pk,
        actor_role="buyer",
        quote_id=q.id,
        shipping_address=ADDRESS,
        now=NOW + timedelta(hours=1),
    )
    assert done.status == "accepted" and done.order_number
    order = Order.objects.get(number=done.order_number)
    assert (order.status, order.payment_method) == ("placed", "wallet_later")
    assert (order.incoterm, order.incoterm_place, order.payment_terms) == (
        "FOB",
        "Genova",
        "assurance",
    )
    assert order.lead_time_days == 21 and order.quote_ref == done.ref
    assert order.total_minor == 4000 * 200 and order.merchant_id == rw.w.supplier.pk
    assert order.payment_due_at == NOW + timedelta(hours=1) + timedelta(
        days=services.QUOTE_PAYMENT_DAYS
    )
    line = OrderLine.objects.get(order=order)
    assert (line.price_kind, line.unit_price_minor, line.quantity) == ("contract", 4000, 200)
    assert Rfq.objects.get(pk=rfq_id).status == "awarded"
    assert Quote.objects.get(pk=rival.id).status == "declined"
    again = services.quote_accept(
        actor_id=rw.w.buyer.pk, actor_role="buyer", quote_id=q.id, now=NOW
    )
    assert again.order_number == done.order_number  # idempotent
    assert Order.objects.filter(quote_ref=done.ref).count() == 1
    with pytest.raises(services.RfqNotOpen):
        quote(rw, rfq_id, user=rw.w.other_owner)


def test_accept_uses_a_saved_address_and_refuses_short_stock(rw: RfqWorld) -> None:
    from fiera.orders.services import address_create

    address_create(buyer_id=rw.w.buyer.pk, address=ADDRESS, now=NOW, actor_role="buyer")
    rfq_id = post(rw).rfq.id
    big = quote(rw, rfq_id, quantity=600)
    with pytest.raises(OutOfStock):
        services.quote_accept(actor_id=rw.w.buyer.pk, actor_role="buyer", quote_id=big.id, now=NOW)
    assert Quote.objects.get(pk=big.id).status == "submitted"
    services.quote_withdraw(actor_id=rw.w.owner.pk, actor_role="merchant", quote_id=big.id, now=NOW)
    with pytest.raises(services.QuoteNotLive):
        services.quote_accept(actor_id=rw.w.buyer.pk, actor_role="buyer", quote_id=big.id, now=NOW)


def test_expired_quote_cannot_be_accepted_and_the_job_expires(rw: RfqWorld) -> None:
    rfq_id = post(rw).rfq.id
    q = quote(rw, rfq_id, valid_until=NOW + timedelta(days=2))
    later = NOW + timedelta(days=3)
    with pytest.raises(services.QuoteExpired) as expired:
        services.quote_accept(
            actor_id=rw.w.buyer.pk,
            actor_role="buyer",
            quote_id=q.id,
            shipping_address=ADDRESS,
            now=later,
        )
    assert expired.value.status == 409
    assert services.rfqs_expire(now=later) == (0, 1)  # the deadline has not passed
    assert services.rfqs_expire(now=NOW + timedelta(days=15)) == (1, 0)
    assert Rfq.objects.get(pk=rfq_id).status == "expired"
    assert services.rfqs_expire(now=NOW + timedelta(days=16)) == (0, 0)


def test_an_rfq_past_its_deadline_stays_open_while_a_quote_is_valid(rw: RfqWorld) -> None:
    rfq_id = post(rw).rfq.id
    q = quote(rw, rfq_id, valid_until=NOW + timedelta(days=40))
    after = NOW + timedelta(days=20)
    assert services.rfqs_expire(now=after) == (0, 0)
    done = services.quote_accept(
        actor_id=rw.w.buyer.pk,
        actor_role="buyer",
        quote_id=q.id,
        shipping_address=ADDRESS,
        now=after,
    )
    assert done.status == "accepted"


def test_close_decline_and_operator_read_only(rw: RfqWorld) -> None:
    rfq_id = post(rw).rfq.id
    q = quote(rw, rfq_id)
    with pytest.raises(PermissionDenied):
        services.quote_decline(
            actor_id=rw.w.operator.pk, actor_role="operator", quote_id=q.id, now=NOW
        )
    declined = services.quote_decline(
        actor_id=rw.w.buyer.pk, actor_role="buyer", quote_id=q.id, now=NOW
    )
    assert declined.status == "declined"
    with pytest.raises(services.QuoteNotLive):
        services.quote_withdraw(
            actor_id=rw.w.owner.pk, actor_role="merchant", quote_id=q.id, now=NOW
        )
    with pytest.raises(services.BuyerDecides):
        services.rfq_close(actor_id=rw.w.owner.pk, actor_role="merchant", rfq_id=rfq_id, now=NOW)
    closed = services.rfq_close(actor_id=rw.w.buyer.pk, actor_role="buyer", rfq_id=rfq_id, now=NOW)
    assert closed.rfq.status == "closed"
    with pytest.raises(services.RfqNotOpen):
        services.rfq_close(actor_id=rw.w.buyer.pk, actor_role="buyer", rfq_id=rfq_id, now=NOW)


def test_the_cli_the_task_and_beat_expire(rw: RfqWorld, capsys: Any, settings: Any) -> None:
    from fiera.cli import main
    from fiera.trade.tasks import expire_rfqs

    assert settings.CELERY_BEAT_SCHEDULE["trade-expire-rfqs"]["task"] == "fiera.trade.expire_rfqs"
    rfq_id = post(rw, deadline=NOW + timedelta(days=1)).rfq.id
    quote(rw, rfq_id, valid_until=NOW + timedelta(days=2))
    assert main(["trade", "expire-rfqs"]) == 0  # the real clock is past both
    assert "1 RFQs and 1 quotes expired" in capsys.readouterr().out
    assert list(expire_rfqs.delay().get()) == [0, 0]
