from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fiera.accounts.roles import SYSTEM
from fiera.merchants.models import Merchant
from fiera.orders import services as order_services
from fiera.orders.models import Order
from fiera.orders.selectors import merchant_sales
from fiera.partners import services
from fiera.partners.selectors import PartnerInfo, lead_get, staff_list
from tests.merchants.factories import italian_vat, make_merchant, make_user, wrong_check_digit
from tests.orders import factories as f
from tests.partners.factories import NOW, make_lead

pytestmark = pytest.mark.django_db


def _attributed_seller(partner: PartnerInfo) -> tuple[Any, Any]:
    """A merchant brought by ``partner`` with one product on a marketplace, and a buyer."""
    market = f.marketplace(slug="piazza")
    maker = Merchant.objects.get(pk=make_merchant().id)  # a real partita IVA
    item = f.sku(market=market, merchant_obj=maker, price_minor=2_500, stock=20, name="Olio")
    lead = make_lead(partner, "documents", vat_number=maker.vat_number)
    services.lead_go_live(
        partner_id=partner.id,
        lead_id=lead.id,
        merchant_id=maker.pk,
        now=NOW,
        actor_id=None,
        actor_role=SYSTEM,
    )
    return item, f.user()


def _sell(item: Any, buyer: Any, quantity: int, *, paid: bool = True) -> Order:
    result = order_services.checkout_submit(
        buyer_id=buyer.pk,
        marketplace_slug="piazza",
        country="IT",
        lines=[(item.id, quantity)],
        shipping_address=f.address(),
        payment_method="cod",
        now=timezone.now(),
        actor_role=SYSTEM,
    )
    order = Order.objects.get(number=result.orders[0].number, merchant=item.merchant)
    if paid:
        Order.objects.filter(pk=order.pk).update(status="paid", paid_at=timezone.now())
    return order


def test_merchant_sales_sums_paid_orders_per_currency(partner: PartnerInfo) -> None:
    item, buyer = _attributed_seller(partner)
    _sell(item, buyer, 2)
    _sell(item, buyer, 1)
    _sell(item, buyer, 5, paid=False)  # placed, never paid: not a sale
    now = timezone.now()
    sales = merchant_sales(
        merchant_ids=[item.merchant.pk, 10**9], since=now - timedelta(days=1), until=now
    )
    assert list(sales) == [item.merchant.pk]
    assert sales[item.merchant.pk].orders == 2
    assert [(m.amount_minor, m.currency) for m in sales[item.merchant.pk].sales] == [(7_500, "EUR")]
    later = merchant_sales(merchant_ids=[item.merchant.pk], since=now, until=now + timedelta(1))
    assert later == {}


def test_partner_page_shows_merchants_sales_and_funnel(
    client: Client, partner: PartnerInfo, staff_user: Any
) -> None:
    item, buyer = _attributed_seller(partner)
    _sell(item, buyer, 2)
    make_lead(partner)
    client.force_login(staff_user)
    assert client.get(reverse("web:partner_home")).url == reverse(
        "web:partner_page", args=[partner.slug]
    )
    html = client.get(reverse("web:partner_page", args=[partner.slug])).content.decode()
    assert item.merchant.display_name in html
    assert "€50.00" in html  # 2 x 25.00 EUR, in English
    assert "Lead conversion" in html and "50% of leads went live (1 of 2)." in html
    client.cookies["django_language"] = "it"
    html = client.get(reverse("web:partner_page", args=[partner.slug])).content.decode()
    assert "50,00" in html and "Conversione dei contatti" in html


def test_partner_pages_refuse_others(
    client: Client, partner: PartnerInfo, other_partner: PartnerInfo, staff_user: Any
) -> None:
    pages = [
        reverse("web:partner_page", args=[other_partner.slug]),
        reverse("partners:lead_list", args=[other_partner.slug]),
        reverse("partners:lead_detail", args=[other_partner.slug, 1]),
    ]
    for url in pages:
        assert client.get(url).status_code == 302  # sign in first
    client.force_login(staff_user)
    for url in pages:
        assert client.get(url).status_code == 404, url
    theirs = make_lead(other_partner)
    mine = reverse("partners:lead_detail", args=[partner.slug, theirs.id])
    assert client.get(mine).status_code == 404
    assert client.get(reverse("partners:coverage")).status_code == 403
    for role in ("buyer", "merchant"):
        client.force_login(make_user(role))
        assert client.get(reverse("web:partner_page", args=[partner.slug])).status_code == 403
        assert client.get(reverse("web:partner_home")).status_code == 403
        assert client.get(reverse("partners:coverage")).status_code == 403


def test_register_and_move_a_lead_from_the_pages(
    client: Client, partner: PartnerInfo, staff_user: Any
) -> None:
    client.force_login(staff_user)
    client.cookies["django_language"] = "it"
    new = reverse("partners:lead_new", args=[partner.slug])
    form = {"firm_name": "Vetreria Blu", "vat_number": wrong_check_digit(italian_vat())}
    bad = client.post(new, {**form, "region_code": "IT-25"})
    assert bad.status_code == 422
    assert "cifra di controllo" in bad.content.decode()  # the VAT error, in Italian
    vat = italian_vat()
    done = client.post(new, {**form, "vat_number": vat, "region_code": "IT-23"})
    assert done.status_code == 302
    lead_id = int(done.url.rstrip("/").rsplit("/", 1)[1])
    move = reverse("partners:lead_move", args=[partner.slug, lead_id])
    skip = client.post(move, {"action": "advance", "stage": "documents"}, follow=True)
    assert "non può passare" in skip.content.decode()  # 409 as a message, in Italian
    client.post(move, {"action": "advance", "stage": "contacted"})
    client.post(move, {"action": "advance", "stage": "documents"})
    detail = client.get(reverse("partners:lead_detail", args=[partner.slug, lead_id]))
    assert "Negozio online" in detail.content.decode()  # the go-live button
    client.post(move, {"action": "go_live", "merchant_id": "abc"})
    live = client.post(
        move,
        {"action": "go_live", "municipality_code": "007003", "ateco_code": "14.21.10"},
        follow=True,
    )
    assert live.status_code == 200
    info = lead_get(partner_id=partner.id, lead_id=lead_id, actor_id=None, actor_role=SYSTEM)
    assert info.stage == "store_live" and info.merchant_id is not None
    assert client.post(move, {"action": "dance"}).status_code == 404


def test_leads_list_filters_and_pages(
    client: Client, partner: PartnerInfo, staff_user: Any
) -> None:
    make_lead(partner, firm_name="Lombarda S.r.l.")
    make_lead(partner, "contacted", firm_name="Emiliana S.r.l.", region_code="IT-45")
    client.force_login(staff_user)
    url = reverse("partners:lead_list", args=[partner.slug])
    html = client.get(url).content.decode()
    assert "Lombarda" in html and "Emiliana" in html
    html = client.get(url, {"region": "IT-45"}).content.decode()
    assert "Lombarda" not in html and "Emiliana" in html
    html = client.get(url, {"stage": "new", "region": "nope", "page": "x"}).content.decode()
    assert "Lombarda" in html and "Emiliana" not in html


def test_coverage_page_names_the_uncovered_regions(
    client: Client, partner: PartnerInfo, operator: Any
) -> None:
    client.force_login(operator)
    html = client.get(reverse("partners:coverage")).content.decode()
    assert "2 of 20 regions have an active partner." in html
    assert "No partner in:" in html and "Sardegna" in html
    assert html.count('class="tile level-') == 20
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("partners:coverage")).content.decode()
    assert "合作伙伴覆盖" in html
    listing = client.get(reverse("web:partner_home")).content.decode()
    assert partner.name in listing


def test_pages_read_a_fixed_number_of_statements(
    client: Client, partner: PartnerInfo, staff_user: Any, operator: Any
) -> None:
    """The partner page, the leads list and the coverage page cost the same number of SQL
    statements with one company and lead as with many (no query per row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    page = reverse("web:partner_page", args=[partner.slug])
    leads = reverse("partners:lead_list", args=[partner.slug])
    cover = reverse("partners:coverage")
    _attributed_seller(partner)
    make_lead(partner)
    client.force_login(staff_user)
    few = (cost(page), cost(leads))
    client.force_login(operator)
    few_cover = cost(cover)
    for _ in range(4):
        merchant = make_merchant()
        lead = make_lead(partner, "documents", vat_number=merchant.vat_number)
        services.lead_go_live(
            partner_id=partner.id,
            lead_id=lead.id,
            merchant_id=merchant.id,
            now=NOW,
            actor_id=None,
            actor_role=SYSTEM,
        )
        make_lead(partner, region_code="IT-45")
    client.force_login(staff_user)
    assert (cost(page), cost(leads)) == few
    client.force_login(operator)
    assert cost(cover) == few_cover
    # the partner page: 17 since it lists the pavilions the partner runs (one query)
    assert few[0] <= 17 and few[1] <= 12 and few_cover <= 5, (few, few_cover)


def test_lead_page_names_the_sector_and_history(
    client: Client, partner: PartnerInfo, staff_user: Any, sectors: None
) -> None:
    lead = make_lead(partner, "contacted", sector_slug="food-wine", actor_id=staff_user.pk)
    client.force_login(staff_user)
    html = client.get(reverse("partners:lead_detail", args=[partner.slug, lead.id])).content
    text = html.decode()
    assert "Food &amp; wine" in text and "food-wine" not in text.split("<main>")[1]
    assert "Documents received" in text and "Close as lost" in text  # the next step's buttons
    assert staff_user.username in text  # who registered it, in the history


def test_partner_admin_manages_staff_from_the_page(
    client: Client, partner: PartnerInfo, admin_user: Any, staff_user: Any
) -> None:
    page = reverse("web:partner_page", args=[partner.slug])
    change = reverse("partners:staff_change", args=[partner.slug])
    client.force_login(staff_user)  # plain staff: no form, and a post is refused
    assert "Add to the staff" not in client.get(page).content.decode()
    newcomer = make_user("partner")
    assert client.post(change, {"action": "add", "username": newcomer.username}).status_code == 403
    client.force_login(admin_user)
    client.cookies["django_language"] = "it"
    assert "Aggiungi al personale" in client.get(page).content.decode()
    done = client.post(change, {"action": "add", "username": newcomer.username}, follow=True)
    assert f"{newcomer.username} fa ora parte del personale." in done.content.decode()
    buyer = make_user("buyer")
    refused = client.post(change, {"action": "add", "username": buyer.username}, follow=True)
    assert "non ha un account partner" in refused.content.decode()
    last = client.post(change, {"action": "remove", "user_id": admin_user.pk}, follow=True)
    assert "almeno un amministratore" in last.content.decode()
    client.post(change, {"action": "remove", "user_id": newcomer.pk})
    names = [
        s.username for s in staff_list(partner_id=partner.id, actor_id=None, actor_role=SYSTEM)
    ]
    assert newcomer.username not in names
    assert client.post(change, {"action": "remove", "user_id": "x"}).status_code == 404


def test_lead_texts_are_plain_text_on_every_partner_page(
    client: Client, partner: PartnerInfo, staff_user: Any, operator: Any
) -> None:
    """What partner staff type (the firm, its contact, a lost lead's reason) is shown as
    text: the lead list, the lead page, the partner page and the operators' coverage."""
    lead = make_lead(
        partner, firm_name="<script>alert(1)</script> S.r.l.", contact_name="<b>Anna</b>"
    )
    services.lead_lose(
        partner_id=partner.id,
        lead_id=lead.id,
        reason="Chose <i>another</i> platform",
        now=NOW,
        actor_id=None,
        actor_role=SYSTEM,
    )
    make_lead(partner, firm_name="<img src=x onerror=alert(2)> S.p.A.")
    client.force_login(staff_user)
    pages = [
        reverse("partners:lead_list", args=[partner.slug]) + "?stage=lost",
        reverse("partners:lead_list", args=[partner.slug]),
        reverse("partners:lead_detail", args=[partner.slug, lead.id]),
        reverse("web:partner_page", args=[partner.slug]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        for raw in ("<script>alert(1)", "<b>Anna", "<i>another", "<img src=x"):
            assert raw not in html, (url, raw)
    detail = client.get(pages[2]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; S.r.l." in detail
    assert "&lt;b&gt;Anna&lt;/b&gt;" in detail and "Chose &lt;i&gt;another&lt;/i&gt;" in detail
    assert "&lt;img src=x onerror=alert(2)&gt;" in client.get(pages[1]).content.decode()
    client.force_login(operator)
    assert "<script>alert(1)" not in client.get(reverse("partners:coverage")).content.decode()
