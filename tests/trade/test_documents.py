"""Trade documents: the proforma invoice, commercial invoice and packing list of a B2B order
as PDF (fiera.trade.documents). The PDFs are read back with pypdf and their text checked:
HS code, Incoterm and place, origin, totals, seller and buyer, weights, the language; and
the denials (other buyer, other merchant, anonymous, a shop order, before shipment)."""

from __future__ import annotations

import io
import re
import sys
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from fiera.accounts.services import token_issue
from fiera.catalog.models import Product, Variant
from fiera.orders import services as orders
from fiera.orders.models import Order
from fiera.orders.selectors import trade_documents_available
from fiera.trade import documents, selectors, services
from tests.catalog import factories as f
from tests.trade.factories import NOW, World
from tests.web.test_pages_translated import TRANSLATED

pytestmark = pytest.mark.django_db
API = "/api/v1/trade/orders"
ADDRESS = {
    "name": "Miller Fine Foods receiving",
    "line1": "500 Harbor Blvd",
    "city": "Newark",
    "postal_code": "07114",
    "country": "US",
    "phone": "+1 973 555 0100",
}


def _text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def _h(user: Any, language: str = "en") -> dict[str, str]:
    return {
        "HTTP_AUTHORIZATION": f"Bearer {token_issue(user_id=user.pk).key}",
        "HTTP_ACCEPT_LANGUAGE": language,
    }


@dataclass
class Deal:
    world: World
    number: str
    variant: Variant


def _stock_up(world: World) -> Variant:
    Product.objects.filter(pk=world.product.pk).update(
        hs_code="15091020",
        origin_country="IT",
        name_it="Olio extravergine di oliva 5 l",
        name_zh="特级初榨橄榄油 5 升",
    )
    variant = Variant.objects.get(product=world.product)
    Variant.objects.filter(pk=variant.pk).update(weight_grams=4600)
    f.stock(variant, f.warehouse(world.supplier), 1000)
    return variant


def _order(world: World, variant: Variant, *, quantity: int = 10, terms: bool = True) -> str:
    result = orders.checkout_submit(
        buyer_id=world.buyer.pk,
        marketplace_slug=world.market.slug,
        country="US",
        lines=[(variant.pk, quantity)],
        shipping_address=ADDRESS,
        payment_method="cod",
        now=NOW,
        actor_role="buyer",
    )
    number = result.orders[0].number
    if terms:
        Order.objects.filter(number=number).update(
            incoterm="FOB",
            incoterm_place="Genova",
            payment_terms="assurance",
            lead_time_days=30,
            quote_ref="Q-2026-0042",
        )
    return number


@pytest.fixture
def deal(world: World) -> Deal:
    services.company_create(
        actor_id=world.buyer.pk,
        actor_role="buyer",
        legal_name="Miller Fine Foods LLC",
        country_code="US",
        registration_number="DE-7712345",
        website="",
        now=NOW,
    )
    variant = _stock_up(world)
    return Deal(world=world, number=_order(world, variant), variant=variant)


def _ship(deal: Deal) -> None:
    orders.order_ship(
        actor_id=deal.world.owner.pk,
        actor_role="merchant",
        number=deal.number,
        carrier="DHL",
        tracking_number="JD014600006281",
        now=NOW,
    )


def _document(deal: Deal, kind: str, user: Any = None, language: str | None = None) -> Any:
    who = user or deal.world.buyer
    return selectors.order_document(
        actor_id=who.pk, actor_role=who.role, number=deal.number, kind=kind, language=language
    )


def test_which_documents_an_order_has() -> None:
    b2b = "b2b_trade"
    assert trade_documents_available(marketplace_kind=b2b, status="placed", shipped_at=None) == (
        "proforma",
    )
    assert trade_documents_available(marketplace_kind=b2b, status="paid", shipped_at=None) == (
        "proforma",
    )
    assert trade_documents_available(marketplace_kind=b2b, status="shipped", shipped_at=NOW) == (
        "proforma",
        "invoice",
        "packing-list",
    )
    assert (
        trade_documents_available(marketplace_kind=b2b, status="cancelled", shipped_at=None) == ()
    )
    shop = "b2c_domestic"
    assert trade_documents_available(marketplace_kind=shop, status="shipped", shipped_at=NOW) == ()


def test_proforma_in_english_prints_the_terms_the_goods_and_the_parties(deal: Deal) -> None:
    document = _document(deal, "proforma", language="en")
    assert document.number == f"PI-{deal.number}"
    assert document.filename == f"proforma-{deal.number}-en.pdf"
    text = _text(document.pdf)
    supplier = deal.world.supplier
    for expected in (
        "Proforma invoice",
        f"PI-{deal.number}",
        "Q-2026-0042",
        "15091020",  # HS code
        "FOB Genova",
        "Free on Board",
        "Incoterms® 2020",
        "Trade assurance",
        "30 days",
        "Italy",  # origin
        "Extra virgin olive oil 5 l",
        "$420.00",  # 10 x USD 42.00, total
        "USD",
        supplier.legal_name,
        supplier.vat_number,
        "Miller Fine Foods LLC",
        "DE-7712345",
        "Newark",
        "United States",
        "Awaiting payment",
    ):
        assert expected in text, expected
    assert "Paid on" not in text


def test_a_paid_order_keeps_its_proforma_marked_paid(deal: Deal) -> None:
    Order.objects.filter(number=deal.number).update(status="paid", paid_at=NOW)
    text = _text(_document(deal, "proforma", language="en").pdf)
    assert "Paid on Nov 20, 2026" in text
    assert "Awaiting payment" not in text


def test_proforma_in_chinese_uses_the_cjk_font_and_chinese_names(deal: Deal) -> None:
    document = _document(deal, "proforma", language="zh")
    assert document.language == "zh-hans"
    assert document.filename.endswith("-zh.pdf")
    text = _text(document.pdf)
    for expected in ("形式发票", "特级初榨橄榄油", "意大利", "15091020", "FOB Genova", "US$420.00"):
        assert expected in text, expected


def test_the_readers_language_is_the_default(deal: Deal) -> None:
    with translation.override("it"):
        document = _document(deal, "proforma")
    assert document.language == "it"
    text = _text(document.pdf)
    for expected in ("Fattura proforma", "Olio extravergine", "Italia", "420,00", "30 giorni"):
        assert expected in text, expected


def test_invoice_and_packing_list_once_shipped(deal: Deal) -> None:
    _ship(deal)
    invoice = _text(_document(deal, "invoice", user=deal.world.clerk, language="en").pdf)
    for expected in (
        "Commercial invoice",
        f"CI-{deal.number}",
        "15091020",
        "FOB Genova",
        "Country of origin of the goods: Italy",
        "$420.00",
        "DHL JD014600006281",
        "Miller Fine Foods LLC",
    ):
        assert expected in invoice, expected
    packing = _text(_document(deal, "packing-list", user=deal.world.operator, language="en").pdf)
    for expected in ("Packing list", f"PL-{deal.number}", "4.600", "Total net weight (kg) 46.000"):
        assert expected in packing, expected
    assert "$" not in packing  # no prices on a packing list


def test_before_shipment_the_invoice_and_packing_list_answer_409(
    client: Client, deal: Deal
) -> None:
    for kind in ("invoice", "packing-list"):
        answer = client.get(f"{API}/{deal.number}/documents/{kind}", **_h(deal.world.buyer))
        assert answer.status_code == 409
        body = answer.json()
        assert body["error"] == "trade_document_not_yet"
        assert "once the order ships" in body["detail"]


def test_api_answers_the_pdf_with_a_filename(client: Client, deal: Deal) -> None:
    answer = client.get(
        f"{API}/{deal.number}/documents/proforma?lang=en", **_h(deal.world.buyer, "it")
    )
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == (
        f'attachment; filename="proforma-{deal.number}-en.pdf"'
    )
    assert "Proforma invoice" in _text(answer.content)
    # without ?lang the reader's language
    italian = client.get(f"{API}/{deal.number}/documents/proforma", **_h(deal.world.buyer, "it"))
    assert italian["Content-Language"] == "it"


def test_who_gets_the_documents(client: Client, deal: Deal) -> None:
    w = deal.world
    url = f"{API}/{deal.number}/documents/proforma"
    for user in (w.buyer, w.owner, w.manager, w.clerk, w.operator):
        assert client.get(url, **_h(user)).status_code == 200, user.username
    for user in (w.other_buyer, w.other_owner):
        denied = client.get(url, **_h(user))
        assert denied.status_code == 404
        assert denied.json()["error"] == "order_not_found"
    assert client.get(url).status_code == 401
    partner = f.user("partner")
    assert client.get(url, **_h(partner)).status_code == 404


def test_bad_requests_say_what_to_do(client: Client, deal: Deal) -> None:
    base = f"{API}/{deal.number}/documents"
    assert client.get(f"{base}/receipt", **_h(deal.world.buyer)).status_code == 422
    assert client.get(f"{base}/proforma?lang=fr", **_h(deal.world.buyer)).status_code == 422
    assert client.get(f"{API}/no-such-order/documents/proforma", **_h(deal.world.buyer)).json()[
        "error"
    ] == ("order_not_found")
    with pytest.raises(Exception, match="kind"):
        _document(deal, "receipt")


def test_a_shop_order_has_no_trade_documents(client: Client, world: World) -> None:
    shop = f.marketplace(slug="shop-us", kind="b2c_domestic", countries={"US": "USD"})
    f.store(world.supplier, shop)
    variant = Variant.objects.get(product=world.product)
    f.price(variant, shop, 1500, currency="USD")
    f.stock(variant, f.warehouse(world.supplier), 50)
    result = orders.checkout_submit(
        buyer_id=world.buyer.pk,
        marketplace_slug="shop-us",
        country="US",
        lines=[(variant.pk, 1)],
        shipping_address=ADDRESS,
        payment_method="cod",
        now=NOW,
        actor_role="buyer",
    )
    number = result.orders[0].number
    answer = client.get(f"{API}/{number}/documents/proforma", **_h(world.buyer))
    assert answer.status_code == 404
    assert answer.json()["error"] == "trade_documents_b2b_only"
    assert "B2B trade marketplace" in answer.json()["detail"]


def test_a_cancelled_order_has_no_documents(client: Client, deal: Deal) -> None:
    orders.order_cancel(
        actor_id=deal.world.buyer.pk,
        actor_role="buyer",
        number=deal.number,
        reason="changed plans",
        now=NOW,
    )
    answer = client.get(f"{API}/{deal.number}/documents/proforma", **_h(deal.world.buyer))
    assert answer.status_code == 409
    assert answer.json()["error"] == "trade_documents_order_cancelled"


def test_an_order_without_terms_or_company_still_prints(world: World) -> None:
    variant = _stock_up(world)
    number = _order(world, variant, quantity=2, terms=False)
    document = selectors.order_document(
        actor_id=world.buyer.pk,
        actor_role="buyer",
        number=number,
        kind="proforma",
        language="en",
    )
    text = _text(document.pdf)
    assert "not agreed" in text
    assert world.buyer.username in text  # no company: the person
    assert "$84.00" in text


def test_nothing_is_fetched_while_drawing() -> None:
    fetcher = documents._fetcher()
    pdf = documents.pdf_from_html(
        '<html><head><link rel="stylesheet" href="https://cdn.example.com/x.css">'
        '<style>@font-face { font-family: X; src: url("https://fonts.example.com/x.woff2"); }'
        "</style></head><body><p>Offline</p>"
        '<img src="http://example.com/logo.png"><img src="file:///etc/hostname"></body></html>',
        fetcher=fetcher,
    )
    assert "Offline" in _text(pdf)
    assert set(fetcher.refused) >= {
        "https://cdn.example.com/x.css",
        "https://fonts.example.com/x.woff2",
        "http://example.com/logo.png",
        "file:///etc/hostname",
    }


def test_without_weasyprint_the_documents_are_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(documents.DocumentsUnavailable) as caught:
        documents.pdf_from_html("<p>x</p>")
    assert caught.value.status == 503


def test_the_order_pages_link_the_documents(client: Client, deal: Deal) -> None:
    w = deal.world
    client.force_login(w.buyer)
    page = client.get(f"/account/orders/{deal.number}/").content.decode()
    assert f"/trade/orders/{deal.number}/documents/proforma.pdf" in page
    assert "packing-list.pdf" not in page
    pdf = client.get(f"/trade/orders/{deal.number}/documents/proforma.pdf?lang=en")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    early = client.get(f"/trade/orders/{deal.number}/documents/invoice.pdf")
    assert early.status_code == 409
    assert "once the order ships" in early.content.decode()
    _ship(deal)
    client.force_login(w.clerk)
    console = client.get(f"/console/orders/{deal.number}/").content.decode()
    for kind in ("proforma", "invoice", "packing-list"):
        assert f"/trade/orders/{deal.number}/documents/{kind}.pdf" in console
    client.force_login(w.other_buyer)
    assert client.get(f"/trade/orders/{deal.number}/documents/invoice.pdf").status_code == 404


@pytest.mark.parametrize("language", TRANSLATED)
def test_pages_and_documents_read_in_italian_and_chinese(
    client: Client, deal: Deal, language: str
) -> None:
    from tests.web.test_pages_translated import english_left

    _ship(deal)
    client.cookies["django_language"] = language
    client.force_login(deal.world.buyer)
    page = client.get(f"/account/orders/{deal.number}/", HTTP_ACCEPT_LANGUAGE=language)
    assert english_left(page.content.decode(), language) == []
    short = "zh" if language.startswith("zh") else language
    for kind in ("proforma", "invoice", "packing-list"):
        text = _text(_document(deal, kind, language=short).pdf)
        assert english_left(text, language) == [], kind


def test_the_proforma_of_an_accepted_quote_prints_the_revised_terms(world: World) -> None:
    """From the RFQ to the paper: a quote revised once (CIF Boston, 38.00 for 250) and
    accepted places an order whose proforma prints the revision's terms and the quote's
    reference, not the listing's price or the first version's terms."""
    from tests.trade.rfq_world import ADDRESS as SHIP_TO
    from tests.trade.rfq_world import post, quote, rfq_world

    rw = rfq_world(world)
    Product.objects.filter(pk=world.product.pk).update(hs_code="15091020", origin_country="IT")
    rfq_id = post(rw).rfq.id
    first = quote(rw, rfq_id)
    services.quote_revise(
        actor_id=world.owner.pk,
        actor_role="merchant",
        quote_id=first.id,
        variant_id=rw.variant.pk,
        unit_price_minor=3800,
        quantity=250,
        incoterm="CIF",
        incoterm_place="Boston",
        payment_terms="assurance",
        lead_time_days=30,
        valid_until=NOW + timedelta(days=20),
        now=NOW + timedelta(hours=1),
    )
    accepted = services.quote_accept(
        actor_id=world.buyer.pk,
        actor_role="buyer",
        quote_id=first.id,
        shipping_address=SHIP_TO,
        now=NOW + timedelta(hours=2),
    )
    assert accepted.ref.endswith("-v2")
    document = selectors.order_document(
        actor_id=world.buyer.pk,
        actor_role="buyer",
        number=accepted.order_number,
        kind="proforma",
        language="en",
    )
    text = _text(document.pdf)
    for expected in (
        f"PI-{accepted.order_number}",
        accepted.ref,
        "CIF Boston",
        "Cost, Insurance and Freight",
        "15091020",
        "Italy",
        "$38.00",
        "$9,500.00",  # 250 x 38.00, the contract price
        "Trade assurance",
        "30 days",
        "Awaiting payment",
    ):
        assert expected in text, expected
    assert "FOB Genova" not in text and "$42.00" not in text
    supplier_copy = selectors.order_document(
        actor_id=world.clerk.pk,
        actor_role="merchant",
        number=accepted.order_number,
        kind="proforma",
        language="it",
    )
    assert accepted.ref in _text(supplier_copy.pdf)
