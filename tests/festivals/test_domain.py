"""Festivals domain (fdomain): festivals, participation, festival prices, flash sales set
aside from stock and returned on close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation

from fiera.accounts.roles import BUYER, MERCHANT, OPERATOR, SYSTEM
from fiera.catalog import selectors as catalog_selectors
from fiera.catalog.models import StockLevel, StockMovement
from fiera.common.errors import InvalidInput, NotFound, PermissionDenied
from fiera.festivals import selectors, services
from fiera.festivals.models import FestivalPrice, FlashSale, FlashSaleBucket, ParticipationStatus
from tests.orders import factories as f

pytestmark = pytest.mark.django_db

NOW = f.NOW
H = timedelta(hours=1)


def make_festival(
    market,
    *,
    slug="double-11",
    published=True,
    warmup=NOW + H,
    start=NOW + 2 * H,
    end=NOW + 26 * H,
    **extra,
):
    return services.festival_create(
        actor_id=None,
        actor_role=SYSTEM,
        slug=slug,
        name="Double 11",
        marketplace_slugs=[market.slug],
        warmup_starts_at=warmup,
        starts_at=start,
        ends_at=end,
        is_published=published,
        now=NOW,
        **extra,
    )


@pytest.fixture
def world():
    market = f.marketplace()
    maker = f.merchant()
    staff = f.staff(merchant_obj=maker)
    item = f.sku(market=market, merchant_obj=maker, price_minor=1000, stock=50)
    other = f.merchant()
    other_staff = f.staff(merchant_obj=other)
    other_item = f.sku(market=market, merchant_obj=other, price_minor=1000, stock=50)
    operator = f.user(role="operator")
    festival = make_festival(market)
    return {
        "market": market,
        "maker": maker,
        "staff": staff,
        "item": item,
        "other": other,
        "other_staff": other_staff,
        "other_item": other_item,
        "operator": operator,
        "festival": festival,
    }


def approve(world, merchant=None, staff=None):
    merchant = merchant or world["maker"]
    staff = staff or world["staff"]
    p = services.participation_apply(
        actor_id=staff.pk,
        actor_role=MERCHANT,
        festival_slug="double-11",
        merchant_id=merchant.pk,
        pitch="we sell",
        now=NOW,
    )
    return services.participation_decide(
        actor_id=world["operator"].pk,
        actor_role=OPERATOR,
        festival_slug="double-11",
        participation_id=p.pk,
        approve=True,
        note="ok",
        now=NOW,
    )


def flash(world, **overrides):
    args = {
        "actor_id": world["staff"].pk,
        "actor_role": MERCHANT,
        "festival_slug": "double-11",
        "merchant_id": world["maker"].pk,
        "variant_id": world["item"].id,
        "warehouse_id": world["item"].warehouse.pk,
        "currency": "EUR",
        "price_minor": 500,
        "quantity": 20,
        "per_buyer_limit": 2,
        "starts_at": NOW + 2 * H,
        "ends_at": NOW + 3 * H,
        "now": NOW,
    }
    args.update(overrides)
    return services.flash_sale_create(**args)


# festivals ---------------------------------------------------------------------------------


def test_festival_create_validates(world):
    market = world["market"]
    with pytest.raises(services.FestivalSlugTaken):
        make_festival(market)
    with pytest.raises(services.InvalidFestival):
        make_festival(market, slug="x1", warmup=NOW + 3 * H)  # warm-up after start
    with pytest.raises(services.InvalidFestival):
        make_festival(market, slug="x2", end=NOW + 2 * H)  # starts == ends
    with pytest.raises(services.InvalidFestival):
        make_festival(market, slug="x3", timezone="Mars/Olympus")
    with pytest.raises(NotFound):
        make_festival(market, slug="x4", baseline_festival_slug="nope")
    with pytest.raises(PermissionDenied):
        services.festival_create(
            actor_id=1,
            actor_role=BUYER,
            slug="x5",
            name="n",
            marketplace_slugs=[market.slug],
            warmup_starts_at=NOW,
            starts_at=NOW,
            ends_at=NOW + H,
            now=NOW,
        )
    ok = make_festival(
        market,
        slug="x6",
        timezone="Europe/Rome",
        start=NOW + 30 * H,
        warmup=NOW + 29 * H,
        end=NOW + 40 * H,
        baseline_festival_slug="double-11",
    )
    assert ok.baseline_festival.slug == "double-11" and ok.timezone == "Europe/Rome"


def test_festival_update_and_phase(world):
    festival = services.festival_update(
        actor_id=None,
        actor_role=SYSTEM,
        slug="double-11",
        changes={"name_zh": "双十一", "is_published": False},
        now=NOW,
    )
    assert festival.name_zh == "双十一" and not festival.is_published
    with pytest.raises(services.InvalidFestival):
        services.festival_update(
            actor_id=None,
            actor_role=OPERATOR,
            slug="double-11",
            changes={"ends_at": NOW},
            now=NOW,
        )
    with pytest.raises(PermissionDenied):
        services.festival_update(
            actor_id=None, actor_role=MERCHANT, slug="double-11", changes={}, now=NOW
        )
    # unpublished: operators see it, others do not
    assert [x.slug for x in selectors.festival_list(actor_role=OPERATOR)] == ["double-11"]
    assert list(selectors.festival_list(actor_role=BUYER)) == []
    with pytest.raises(NotFound):
        selectors.festival_get(slug="double-11", actor_role=BUYER)
    phase = selectors.festival_phase
    assert phase(festival, now=NOW) == "upcoming"
    assert phase(festival, now=NOW + H) == "warm-up"
    assert phase(festival, now=NOW + 2 * H) == "live"
    assert phase(festival, now=NOW + 26 * H) == "ended"


# participation -----------------------------------------------------------------------------


def test_participation_flow(world):
    staff, maker = world["staff"], world["maker"]
    p = services.participation_apply(
        actor_id=staff.pk,
        actor_role=MERCHANT,
        festival_slug="double-11",
        merchant_id=maker.pk,
        pitch="hi",
        now=NOW,
    )
    assert p.status == ParticipationStatus.APPLIED
    with pytest.raises(services.ParticipationExists):
        services.participation_apply(
            actor_id=staff.pk,
            actor_role=MERCHANT,
            festival_slug="double-11",
            merchant_id=maker.pk,
            now=NOW,
        )
    # another company's staff cannot apply for it (404: looks unknown)
    with pytest.raises(NotFound):
        services.participation_apply(
            actor_id=world["other_staff"].pk,
            actor_role=MERCHANT,
            festival_slug="double-11",
            merchant_id=maker.pk,
            now=NOW,
        )
    with pytest.raises(PermissionDenied):
        services.participation_decide(
            actor_id=staff.pk,
            actor_role=MERCHANT,
            festival_slug="double-11",
            participation_id=p.pk,
            approve=True,
            now=NOW,
        )
    rejected = services.participation_decide(
        actor_id=world["operator"].pk,
        actor_role=OPERATOR,
        festival_slug="double-11",
        participation_id=p.pk,
        approve=False,
        note="not now",
        now=NOW,
    )
    assert rejected.status == "rejected" and rejected.decision_note == "not now"
    with pytest.raises(services.ParticipationState):
        services.participation_decide(
            actor_id=world["operator"].pk,
            actor_role=OPERATOR,
            festival_slug="double-11",
            participation_id=p.pk,
            approve=True,
            now=NOW,
        )
    again = services.participation_apply(
        actor_id=staff.pk,
        actor_role=MERCHANT,
        festival_slug="double-11",
        merchant_id=maker.pk,
        pitch="please",
        now=NOW,
    )
    assert again.pk == p.pk and again.status == "applied" and again.decided_at is None
    withdrawn = services.participation_withdraw(
        actor_id=staff.pk,
        actor_role=MERCHANT,
        festival_slug="double-11",
        participation_id=p.pk,
        now=NOW,
    )
    assert withdrawn.status == "withdrawn"
    with pytest.raises(NotFound):  # another company's staff
        services.participation_withdraw(
            actor_id=world["other_staff"].pk,
            actor_role=MERCHANT,
            festival_slug="double-11",
            participation_id=p.pk,
            now=NOW,
        )
    assert (
        services.participation_apply(
            actor_id=staff.pk,
            actor_role=MERCHANT,
            festival_slug="double-11",
            merchant_id=maker.pk,
            now=NOW,
        ).status
        == "applied"
    )
    mine = selectors.participation_list(
        actor_id=staff.pk, actor_role=MERCHANT, festival_slug="double-11"
    )
    assert [x.merchant_id for x in mine] == [maker.pk]
    theirs = selectors.participation_list(
        actor_id=world["other_staff"].pk, actor_role=MERCHANT, festival_slug="double-11"
    )
    assert list(theirs) == []


def test_cannot_apply_after_end(world):
    with pytest.raises(services.FestivalEnded):
        services.participation_apply(
            actor_id=world["staff"].pk,
            actor_role=MERCHANT,
            festival_slug="double-11",
            merchant_id=world["maker"].pk,
            now=NOW + 30 * H,
        )


# festival prices ---------------------------------------------------------------------------


def price(world, **overrides):
    args = {
        "actor_id": world["staff"].pk,
        "actor_role": MERCHANT,
        "festival_slug": "double-11",
        "merchant_id": world["maker"].pk,
        "variant_id": world["item"].id,
        "currency": "EUR",
        "price_minor": 800,
        "now": NOW,
    }
    args.update(overrides)
    return services.festival_price_set(**args)


def test_festival_price_rules(world):
    with pytest.raises(services.NotApprovedParticipant):
        price(world)
    approve(world)
    p = price(world)
    assert (p.price_minor, p.currency) == (800, "EUR")
    again = price(world, price_minor=700)
    assert again.pk == p.pk and FestivalPrice.objects.get().price_minor == 700
    with pytest.raises(services.PriceNotBelowList):
        price(world, price_minor=1000)
    with pytest.raises(InvalidInput):
        price(world, price_minor=0)
    with pytest.raises(services.VariantNotOffered):
        price(world, currency="USD")
    with pytest.raises(services.VariantNotOffered):  # another merchant's variant
        price(world, variant_id=world["other_item"].id)
    with pytest.raises(NotFound):  # staff of another merchant
        price(world, actor_id=world["other_staff"].pk)
    with pytest.raises(PermissionDenied):
        price(world, actor_id=f.user().pk, actor_role=BUYER)
    with pytest.raises(services.FestivalEnded):
        price(world, now=NOW + 26 * H)
    with pytest.raises(services.FestivalPriceNotFound):
        services.festival_price_delete(
            actor_id=world["other_staff"].pk,
            actor_role=MERCHANT,
            festival_slug="double-11",
            price_id=p.pk,
            now=NOW,
        )
    listed = selectors.festival_price_list(
        actor_id=world["other_staff"].pk, actor_role=MERCHANT, festival_slug="double-11"
    )
    assert list(listed) == []
    services.festival_price_delete(
        actor_id=world["staff"].pk,
        actor_role=MERCHANT,
        festival_slug="double-11",
        price_id=p.pk,
        now=NOW,
    )
    assert not FestivalPrice.objects.exists()


# flash sales -------------------------------------------------------------------------------


def level(world):
    return StockLevel.objects.get(variant=world["item"].variant).units_on_hand


def test_bucket_shares():
    assert services.bucket_shares(20, 8) == [3, 3, 3, 3, 2, 2, 2, 2]
    assert services.bucket_shares(3, 8) == [1, 1, 1]
    assert services.bucket_shares(64, 64) == [1] * 64
    assert sum(services.bucket_shares(1001, 7)) == 1001


def test_flash_sale_sets_aside_and_returns_stock(world):
    approve(world)
    sale = flash(world, quantity=20, bucket_count=8)
    assert level(world) == 30
    buckets = list(FlashSaleBucket.objects.filter(flash_sale=sale).order_by("number"))
    assert [b.units_left for b in buckets] == [3, 3, 3, 3, 2, 2, 2, 2]
    movement = StockMovement.objects.filter(variant=world["item"].variant).first()
    assert (movement.kind, movement.delta, movement.units_after) == ("adjust", -20, 30)
    assert movement.reason == "fiera:flash-set-aside:double-11"  # shown translated:
    with translation.override("it"):
        text = catalog_selectors.movement_reason_text(movement.reason)
    assert text == "Accantonate per una vendita lampo del festival double-11"
    views = selectors.flash_sale_list(actor_role=BUYER, festival_slug="double-11")
    assert [(v.units_left, v.units_sold) for v in views] == [(20, 0)]
    # running: refused
    with pytest.raises(services.FlashSaleRunning):
        services.flash_sale_close(
            actor_id=world["staff"].pk,
            actor_role=MERCHANT,
            flash_sale_id=sale.pk,
            now=NOW + 2 * H,
        )
    # some units were sold meanwhile (what the checkout does to a bucket)
    FlashSaleBucket.objects.filter(pk=buckets[0].pk).update(units_left=0, units_sold=3)
    with pytest.raises(NotFound):  # another company's staff
        services.flash_sale_close(
            actor_id=world["other_staff"].pk,
            actor_role=MERCHANT,
            flash_sale_id=sale.pk,
            now=NOW + 4 * H,
        )
    closed = services.flash_sale_close(
        actor_id=world["staff"].pk, actor_role=MERCHANT, flash_sale_id=sale.pk, now=NOW + 4 * H
    )
    assert closed.units_returned == 17 and closed.closed_at == NOW + 4 * H
    assert level(world) == 47
    assert not FlashSaleBucket.objects.filter(flash_sale=sale, units_left__gt=0).exists()
    back = StockMovement.objects.filter(variant=world["item"].variant).first()
    assert (back.delta, back.units_after) == (17, 47)
    # idempotent
    again = services.flash_sale_close(
        actor_id=None, actor_role=SYSTEM, flash_sale_id=sale.pk, now=NOW + 5 * H
    )
    assert again.units_returned == 17 and again.closed_at == NOW + 4 * H
    assert level(world) == 47
    assert StockMovement.objects.filter(variant=world["item"].variant).count() == 2


def test_cancel_before_start_and_close_ended(world):
    approve(world)
    early = flash(world, quantity=5, starts_at=NOW + 1 * H, ends_at=NOW + 2 * H)  # in warm-up
    later = flash(world, quantity=10, starts_at=NOW + 3 * H, ends_at=NOW + 4 * H)
    assert level(world) == 35
    cancelled = services.flash_sale_close(
        actor_id=world["operator"].pk, actor_role=OPERATOR, flash_sale_id=later.pk, now=NOW
    )
    assert cancelled.units_returned == 10 and level(world) == 45
    closed = services.flash_sales_close_ended(actor_role=SYSTEM, now=NOW + 2 * H)
    assert [s.pk for s in closed] == [early.pk]
    assert level(world) == 50
    assert services.flash_sales_close_ended(actor_role=SYSTEM, now=NOW + 30 * H) == []
    with pytest.raises(PermissionDenied):
        services.flash_sales_close_ended(actor_role=MERCHANT, now=NOW)


def test_flash_sale_refusals(world):
    with pytest.raises(services.NotApprovedParticipant):
        flash(world)
    approve(world)
    with pytest.raises(services.FlashSaleStockShort) as short:
        flash(world, quantity=51)
    assert short.value.status == 409 and short.value.params["units_on_hand"] == 50
    assert level(world) == 50 and not FlashSale.objects.exists()
    bad = [
        {"quantity": 0},
        {"per_buyer_limit": 0},
        {"bucket_count": 0},
        {"bucket_count": 65},
        {"price_minor": 0},
        {"starts_at": NOW},  # before the warm-up
        {"ends_at": NOW + 27 * H},  # after the festival
        {"starts_at": NOW + 3 * H, "ends_at": NOW + 3 * H},
    ]
    for overrides in bad:
        with pytest.raises(InvalidInput):
            flash(world, **overrides)
    with pytest.raises(services.VariantNotOffered):
        flash(world, variant_id=world["other_item"].id)
    with pytest.raises(NotFound):  # another merchant's warehouse
        flash(world, warehouse_id=world["other_item"].warehouse.pk)
    with pytest.raises(NotFound):  # staff of another merchant
        flash(world, actor_id=world["other_staff"].pk)
    with pytest.raises(PermissionDenied):
        flash(world, actor_id=f.user().pk, actor_role=BUYER)
    with pytest.raises(services.FestivalEnded):
        flash(world, now=NOW + 26 * H)
    assert level(world) == 50 and not FlashSale.objects.exists()


def test_withdraw_refused_with_open_flash_sales(world):
    p = approve(world)
    price(world)
    sale = flash(world)
    with pytest.raises(services.OpenFlashSales):
        services.participation_withdraw(
            actor_id=world["staff"].pk,
            actor_role=MERCHANT,
            festival_slug="double-11",
            participation_id=p.pk,
            now=NOW,
        )
    services.flash_sale_close(
        actor_id=world["staff"].pk, actor_role=MERCHANT, flash_sale_id=sale.pk, now=NOW
    )
    assert (
        services.participation_withdraw(
            actor_id=world["staff"].pk,
            actor_role=MERCHANT,
            festival_slug="double-11",
            participation_id=p.pk,
            now=NOW,
        ).status
        == "withdrawn"
    )


def test_merchant_flash_sales_scoped(world):
    approve(world)
    flash(world)
    mine = selectors.merchant_flash_sales(
        actor_id=world["staff"].pk, actor_role=MERCHANT, merchant_id=world["maker"].pk
    )
    assert len(mine) == 1 and mine[0].units_left == 20
    with pytest.raises(NotFound):
        selectors.merchant_flash_sales(
            actor_id=world["other_staff"].pk, actor_role=MERCHANT, merchant_id=world["maker"].pk
        )
    with pytest.raises(PermissionDenied):
        selectors.merchant_flash_sales(actor_id=1, actor_role=BUYER, merchant_id=world["maker"].pk)


def test_withdraw_drops_festival_prices(world):
    p = approve(world)
    price(world)
    assert FestivalPrice.objects.count() == 1
    services.participation_withdraw(
        actor_id=world["staff"].pk,
        actor_role=MERCHANT,
        festival_slug="double-11",
        participation_id=p.pk,
        now=NOW,
    )
    assert not FestivalPrice.objects.exists()


def test_festival_dates_that_would_leave_flash_sales_outside_are_refused(world):
    """Decision 0011: an open flash sale must stay within its festival's window (warm-up
    start .. end); a change of dates that breaks that is refused naming the flash sales,
    and nothing changes. Closed flash sales are not checked."""
    approve(world)
    early = flash(world, quantity=5, starts_at=NOW + 1 * H, ends_at=NOW + 2 * H)  # in warm-up
    late = flash(world, quantity=5, starts_at=NOW + 20 * H, ends_at=NOW + 26 * H)

    def move(**times):
        return services.festival_update(
            actor_id=world["operator"].pk,
            actor_role=OPERATOR,
            slug="double-11",
            changes=times,
            now=NOW,
        )

    with pytest.raises(services.FlashSalesOutsideFestival) as caught:
        move(ends_at=NOW + 25 * H)  # the late sale ends after it
    assert caught.value.status == 409
    assert caught.value.extra["flash_sale_ids"] == [late.pk]
    with translation.override("it"):
        message = caught.value.message()
    assert f"#{late.pk}" in message and "nuove date" in message
    with pytest.raises(services.FlashSalesOutsideFestival) as caught:
        # warm-up later than the early sale's start, and the end before the late one's
        move(warmup_starts_at=NOW + 90 * timedelta(minutes=1), ends_at=NOW + 24 * H)
    assert caught.value.extra["flash_sale_ids"] == [early.pk, late.pk]
    festival = selectors.festival_get(slug="double-11", actor_role=OPERATOR)
    assert (festival.warmup_starts_at, festival.ends_at) == (NOW + H, NOW + 26 * H)  # unchanged
    # dates that still hold both are fine
    assert move(ends_at=NOW + 30 * H).ends_at == NOW + 30 * H
    # once the late sale is closed (cancelled before it starts) it no longer holds the dates
    services.flash_sale_close(
        actor_id=world["operator"].pk, actor_role=OPERATOR, flash_sale_id=late.pk, now=NOW
    )
    assert move(ends_at=NOW + 10 * H).ends_at == NOW + 10 * H
