"""Pavilions: creation, applications (origin rule, one live application), review (admit,
reject with a reason, waitlist when the quota is full), withdrawal and the end of
sponsorships promoting the waiting list, the live figures, the search inside the pavilion,
the periodic job and the CLI."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction

from fiera.accounts.roles import SYSTEM
from fiera.cli import main
from fiera.common.errors import InvalidInput, NotFound, PermissionDenied
from fiera.trade import selectors, services
from fiera.trade.models import Inquiry, Pavilion, PavilionApplication, Quote, Rfq
from fiera.trade.tasks import pavilion_sponsorships_end
from tests.catalog import factories as f
from tests.trade.factories import NOW, inquire
from tests.trade.pavilion_factories import (
    PavilionWorld,
    apply,
    decide,
    make_pavilion_world,
    paid_order,
    supplier,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pw() -> PavilionWorld:
    return make_pavilion_world(quota=2)


def test_create_pavilion(pw: PavilionWorld) -> None:
    p = pw.pavilion
    assert (p.quota, p.admitted, p.seats_left, p.country, p.currency) == (2, 0, 2, "IT", "USD")
    assert p.partner_name == "ICE Agenzia"
    assert [c.slug for c in p.featured] == ["food"]
    assert p.name("zh-hans") == "意大利制造馆" and p.name("it").startswith("Padiglione")
    assert selectors.pavilion_list()[0].slug == p.slug
    with pytest.raises(services.PavilionSlugTaken):
        services.pavilion_create(
            actor_id=None,
            actor_role=SYSTEM,
            slug=p.slug,
            name_it="a",
            name_en="b",
            name_zh="c",
            marketplace_slug="trade",
            partner_id=pw.partner.id,
            country_code="IT",
            quota=1,
            now=NOW,
        )


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"quota": 0}, "invalid_input"),
        ({"sponsorship_months": 0}, "invalid_input"),
        ({"marketplace_slug": "shop"}, "invalid_input"),
        ({"category_slugs": ["nope"]}, "invalid_input"),
        ({"slug": "Bad slug!"}, "invalid_input"),
    ],
)
def test_create_refuses_bad_input(pw: PavilionWorld, change: dict[str, Any], code: str) -> None:
    values: dict[str, Any] = {
        "actor_id": None,
        "actor_role": SYSTEM,
        "slug": "second",
        "name_it": "a",
        "name_en": "b",
        "name_zh": "c",
        "marketplace_slug": "trade",
        "partner_id": pw.partner.id,
        "country_code": "IT",
        "quota": 3,
        "now": NOW,
    }
    values.update(change)
    with pytest.raises(InvalidInput):
        services.pavilion_create(**values)


def test_only_operators_create(pw: PavilionWorld) -> None:
    with pytest.raises(PermissionDenied):
        services.pavilion_create(
            actor_id=pw.reviewer.pk,
            actor_role="partner",
            slug="x",
            name_it="a",
            name_en="b",
            name_zh="c",
            marketplace_slug="trade",
            partner_id=pw.partner.id,
            country_code="IT",
            quota=1,
            now=NOW,
        )


def test_apply_admit_reject_and_waitlist(pw: PavilionWorld) -> None:
    w = pw.trade
    first = apply(pw, w.supplier, w.owner)
    assert first.status == "pending" and first.is_live
    second_m, second_o = supplier(w, region="IT-52")
    third_m, third_o = supplier(w, region="IT-45")
    fourth_m, fourth_o = supplier(w)
    second, third, fourth = (
        apply(pw, second_m, second_o),
        apply(pw, third_m, third_o),
        apply(pw, fourth_m, fourth_o),
    )
    admitted = decide(pw, first.id)
    assert admitted.status == "admitted"
    assert admitted.sponsorship_ends_at == NOW.replace(year=NOW.year + 2)
    rejected = decide(pw, fourth.id, admit=False, reason="Not an exporter yet.")
    assert (rejected.status, rejected.reason_text) == ("rejected", "Not an exporter yet.")
    assert decide(pw, second.id).status == "admitted"
    waitlisted = decide(pw, third.id)  # the quota of 2 is full
    assert waitlisted.status == "waitlisted"
    assert waitlisted.reason == services.QUOTA_FULL_REASON
    assert "full" in waitlisted.reason_text
    assert waitlisted.waitlist_position == 1
    assert selectors.pavilion_get(slug=pw.pavilion.slug).admitted == 2
    # admitting a waitlisted company while full leaves it waiting
    assert decide(pw, third.id).status == "waitlisted"
    with pytest.raises(services.ApplicationDecided):
        decide(pw, first.id, admit=False, reason="x")
    with pytest.raises(services.ReasonRequired):
        decide(pw, third.id, admit=False, reason="  ")
    groups = selectors.pavilion_companies(pavilion_id=pw.pavilion.id)
    assert [g.region_code for g in groups] == ["IT-25", "IT-52"]  # Lombardia, Toscana
    listing = selectors.application_list(
        slug=pw.pavilion.slug, actor_id=pw.reviewer.pk, actor_role="partner"
    )
    assert [a.status for a in listing] == ["waitlisted", "admitted", "admitted", "rejected"]


def test_withdrawal_promotes_the_waiting_list(pw: PavilionWorld) -> None:
    w = pw.trade
    apps = []
    for region in ("IT-25", "IT-52", "IT-45"):
        m, o = supplier(w, region=region)
        apps.append((apply(pw, m, o), o))
    for app, _o in apps:
        decide(pw, app.id)
    (a1, o1), (_a2, _o2), (a3, _o3) = apps
    assert selectors.application_info(a3.id).status == "waitlisted"
    later = NOW + timedelta(days=10)
    gone = services.application_withdraw(
        actor_id=o1.pk, actor_role="merchant", application_id=a1.id, now=later
    )
    assert gone.status == "withdrawn"
    promoted = selectors.application_info(a3.id)
    assert promoted.status == "admitted" and promoted.admitted_at == later
    assert promoted.sponsorship_ends_at == later.replace(year=later.year + 2)
    assert selectors.pavilion_get(slug=pw.pavilion.slug).admitted == 2
    with pytest.raises(services.ApplicationDecided):
        services.application_withdraw(
            actor_id=o1.pk, actor_role="merchant", application_id=a1.id, now=later
        )
    # a new application after withdrawing is allowed
    assert apply(pw, *_merchant_of(a1), now=later).status == "pending"


def _merchant_of(app: Any) -> tuple[Any, Any]:
    from fiera.merchants.models import Merchant, StaffMembership

    merchant = Merchant.objects.get(pk=app.merchant_id)
    owner = StaffMembership.objects.filter(merchant=merchant, role="owner").first().user
    return merchant, owner


def test_sponsorships_end_and_the_job(pw: PavilionWorld) -> None:
    w = pw.trade
    m1, o1 = supplier(w)
    m2, o2 = supplier(w)
    m3, o3 = supplier(w)
    a1 = apply(pw, m1, o1)
    decide(pw, a1.id, now=NOW)
    a2 = apply(pw, m2, o2)
    decide(pw, a2.id, now=NOW + timedelta(days=30))
    a3 = apply(pw, m3, o3)
    decide(pw, a3.id)
    assert services.pavilion_sponsorships_end(now=NOW + timedelta(days=700)) == 0
    after = NOW + timedelta(days=731)
    assert services.pavilion_sponsorships_end(now=after) == 1
    assert selectors.application_info(a1.id).status == "ended"
    assert selectors.application_info(a3.id).status == "admitted"
    assert services.pavilion_sponsorships_end(now=after) == 0  # idempotent
    # the Celery task runs it at the real clock's now: these sponsorships end in 2028+
    assert pavilion_sponsorships_end.apply().get() == 0
    assert Pavilion.objects.get(pk=pw.pavilion.id).admitted_count == 2


def test_origin_store_and_one_live_application(pw: PavilionWorld) -> None:
    w = pw.trade
    mixed, mixed_owner = supplier(w)
    f.product(mixed, origin_country="CN")
    with pytest.raises(services.PavilionOriginMismatch) as err:
        apply(pw, mixed, mixed_owner)
    assert err.value.status == 422 and "1" in err.value.message()
    bare = f.merchant()
    f.store(bare, w.market)
    with pytest.raises(services.PavilionNeedsProfile):
        apply(pw, bare, f.staff(bare))
    services.supplier_profile_save(
        actor_id=None, actor_role=SYSTEM, merchant_id=bare.pk, capabilities_en="x", now=NOW
    )
    with pytest.raises(services.PavilionNoProducts):
        apply(pw, bare, f.staff(bare))
    shopless = f.merchant()
    f.product(shopless)
    with pytest.raises(services.PavilionNeedsStore):
        apply(pw, shopless, f.staff(shopless))
    apply(pw, w.supplier, w.owner)
    with pytest.raises(services.ApplicationExists):
        apply(pw, w.supplier, w.manager)
    with transaction.atomic(), pytest.raises(IntegrityError):
        PavilionApplication.objects.create(
            pavilion_id=pw.pavilion.id,
            merchant=w.supplier,
            applicant=w.owner,
            motivation="again",
            created_at=NOW,
        )


def test_closed_pavilion_refuses_applications(pw: PavilionWorld) -> None:
    closed = services.pavilion_open_set(
        actor_id=pw.reviewer.pk, actor_role="partner", slug=pw.pavilion.slug, is_open=False
    )
    assert not closed.is_open
    with pytest.raises(services.PavilionClosed):
        apply(pw, pw.trade.supplier, pw.trade.owner)


def test_denials(pw: PavilionWorld) -> None:
    w = pw.trade
    with pytest.raises(PermissionDenied):  # clerks do not apply
        apply(pw, w.supplier, w.clerk)
    with pytest.raises(NotFound):  # another merchant's owner
        apply(pw, w.supplier, w.other_owner)
    with pytest.raises(PermissionDenied):
        services.pavilion_apply(
            actor_id=w.buyer.pk,
            actor_role="buyer",
            slug=pw.pavilion.slug,
            merchant_id=w.supplier.pk,
            motivation="x",
            now=NOW,
        )
    app = apply(pw, w.supplier, w.owner)
    for actor, role in ((pw.outsider, "partner"), (w.owner, "merchant"), (w.buyer, "buyer")):
        with pytest.raises(selectors.PavilionReviewersOnly):
            services.application_decide(
                actor_id=actor.pk, actor_role=role, application_id=app.id, admit=True, now=NOW
            )
        with pytest.raises(selectors.PavilionReviewersOnly):
            selectors.application_list(slug=pw.pavilion.slug, actor_id=actor.pk, actor_role=role)
        with pytest.raises(selectors.PavilionReviewersOnly):
            services.pavilion_open_set(
                actor_id=actor.pk, actor_role=role, slug=pw.pavilion.slug, is_open=False
            )
    with pytest.raises(PermissionDenied):
        services.application_withdraw(
            actor_id=w.clerk.pk, actor_role="merchant", application_id=app.id, now=NOW
        )
    with pytest.raises(NotFound):
        services.application_withdraw(
            actor_id=w.other_owner.pk, actor_role="merchant", application_id=app.id, now=NOW
        )
    # operators review too
    done = services.application_decide(
        actor_id=f.user("operator").pk,
        actor_role="operator",
        application_id=app.id,
        admit=True,
        now=NOW,
    )
    assert done.status == "admitted"
    mine = selectors.merchant_applications(
        merchant_id=w.supplier.pk, actor_id=w.clerk.pk, actor_role="merchant"
    )
    assert [a.id for a in mine] == [app.id]


def test_live_figures_count_since_admission(pw: PavilionWorld) -> None:
    w = pw.trade
    app = apply(pw, w.supplier, w.owner)
    admitted_at = NOW + timedelta(days=1)
    decide(pw, app.id, now=admitted_at)
    before = admitted_at - timedelta(hours=1)
    paid_order(w.supplier, w.market, total_minor=10_000, paid_at=before)  # before: not counted
    paid_order(w.supplier, w.market, total_minor=25_000, paid_at=admitted_at, country="DE")
    paid_order(
        w.supplier, w.market, total_minor=5_000, paid_at=admitted_at, country="JP", currency="EUR"
    )
    paid_order(w.other, w.market, total_minor=99_000, paid_at=admitted_at)  # not admitted
    inquiry = inquire(w, now=admitted_at + timedelta(hours=1))
    later = admitted_at + timedelta(days=1)
    # quotes to buyers' RFQs: the one sent after the admission counts, not the one before
    company_id = Inquiry.objects.get(pk=inquiry.inquiry.id).company_id
    category = f.category("olive-oil")
    for sent_at in (before, admitted_at + timedelta(hours=2)):
        rfq = Rfq.objects.create(
            buyer=w.buyer,
            company_id=company_id,
            marketplace=w.market,
            category=category,
            product="Olive oil in 5 l tins",
            quantity=500,
            currency="USD",
            destination_country="DE",
            deadline=later,
            created_at=sent_at,
        )
        Quote.objects.create(
            rfq=rfq,
            merchant_id=w.supplier.pk,
            valid_until=later,
            created_at=sent_at,
            updated_at=sent_at,
        )
    stats = selectors.pavilion_stats(slug=pw.pavilion.slug, now=later)
    assert (stats.quota, stats.admitted, stats.waitlisted, stats.pending) == (2, 1, 0, 0)
    assert stats.listings == 1
    assert stats.inquiries == 1
    assert stats.quotes == 1
    assert stats.deals == 2
    assert (stats.deal_value.amount_minor, stats.deal_value.currency) == (25_000, "USD")
    assert stats.buyer_countries == ("DE", "JP")
    cache.clear()
    assert selectors.pavilion_stats_cached(slug=pw.pavilion.slug, now=later) == stats
    assert selectors.pavilion_stats_cached(slug=pw.pavilion.slug, now=later).at == later
    cache.clear()


def test_search_inside_the_pavilion(pw: PavilionWorld) -> None:
    w = pw.trade
    decide(pw, apply(pw, w.supplier, w.owner).id)
    found = selectors.pavilion_listing_search(pavilion=pw.pavilion)
    assert [c.product_id for c in found.items] == [w.product.pk]
    assert selectors.pavilion_listing_search(pavilion=pw.pavilion, q="wool").items == []
    empty = services.pavilion_create(
        actor_id=None,
        actor_role=SYSTEM,
        slug="empty",
        name_it="a",
        name_en="b",
        name_zh="c",
        marketplace_slug="trade",
        partner_id=pw.partner.id,
        country_code="IT",
        quota=1,
        now=NOW,
    )
    assert selectors.pavilion_listing_search(pavilion=empty).items == []


def test_search_inside_the_pavilion_reaches_every_listing_of_its_companies(
    pw: PavilionWorld,
) -> None:
    """A pavilion of 950 companies lists tens of thousands of products: the search inside it
    restricts by company, not to a capped list of their newest products, so an older
    listing is still found and the total counts them all."""
    from fiera.catalog.models import Price, Product, Variant

    w = pw.trade
    decide(pw, apply(pw, w.supplier, w.owner).id)
    newer = Product.objects.bulk_create(
        Product(
            merchant_id=w.supplier.pk,
            slug=f"tin-{n}",
            name_it=f"Latta {n}",
            name_en=f"Tin {n}",
            name_zh=f"罐{n}",
            hs_code="150910",
        )
        for n in range(5001)
    )
    variants = Variant.objects.bulk_create(
        Variant(product=p, merchant_id=p.merchant_id, sku=f"TIN-{p.pk}") for p in newer
    )
    Price.objects.bulk_create(
        Price(
            variant=v,
            merchant_id=v.merchant_id,
            marketplace=w.market,
            currency="USD",
            amount_minor=900,
            min_quantity=1,
        )
        for v in variants
    )
    oldest = selectors.pavilion_listing_search(pavilion=pw.pavilion, q="olive")
    assert [c.product_id for c in oldest.items] == [w.product.pk]
    every = selectors.pavilion_listing_search(pavilion=pw.pavilion, limit=12, offset=5000)
    assert [c.product_id for c in every.items] == [newer[0].pk, w.product.pk]


def test_cli_prints_the_figures(pw: PavilionWorld, capsys: pytest.CaptureFixture[str]) -> None:
    decide(pw, apply(pw, pw.trade.supplier, pw.trade.owner).id)
    assert main(["trade", "pavilion", pw.pavilion.slug]) == 0
    out = capsys.readouterr().out
    assert "quota            2" in out and "admitted         1 (1 seats left)" in out
    assert main(["trade", "pavilion", "nope"]) == 2
    assert main(["trade", "pavilions-expire"]) == 0
    assert "0 sponsorships ended" in capsys.readouterr().out


def test_the_figures_cost_the_same_few_queries_whatever_the_companies(
    pw: PavilionWorld, django_assert_max_num_queries: Any
) -> None:
    """The stats are a fixed handful of grouped queries (not one per company), and the
    polled path reads the cache: no query at all within ``STATS_SECONDS``."""
    w = pw.trade
    for _ in range(6):
        merchant, owner = supplier(w)
        decide(pw, apply(pw, merchant, owner).id)
    with django_assert_max_num_queries(11):
        stats = selectors.pavilion_stats(slug=pw.pavilion.slug, now=NOW)
    assert stats.admitted == 2 and stats.waitlisted == 4
    cache.clear()
    selectors.pavilion_stats_cached(slug=pw.pavilion.slug, now=NOW)
    with django_assert_max_num_queries(0):
        selectors.pavilion_stats_cached(slug=pw.pavilion.slug, now=NOW)
    cache.clear()
