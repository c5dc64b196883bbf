"""The wallet statement as the buyer reads it (one line per payment, refund, top-up, QR
payment: the ledger legs of one event grouped, with shops and orders), the payment detail
page and API (the owner and operators only), and the QR result page (shop, bill number,
both amounts, the dated reference rate) in English and Italian."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from babel.dates import format_skeleton
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fiera.accounts.roles import SYSTEM
from fiera.common.money import Money
from fiera.payments import selectors, services
from fiera.payments.services import ChargePart
from fiera.payments.templatetags.payments_tags import rate_day_text
from tests.payments.factories import (
    NOW,
    bearer,
    funded_wallet,
    make_buyer,
    make_merchant,
    make_rates,
    make_user,
    pilot_outlet,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_ok")]
API = "/api/v1"


@pytest.fixture(autouse=True)
def _rates() -> None:
    make_rates()


def _checkout(
    buyer: Any, parts: list[ChargePart], *, ref: str, currency: str = "CNY", at: Any = NOW
) -> services.Charge:
    return services.wallet_charge_for_checkout(
        buyer_id=buyer.pk,
        checkout_reference=ref,
        amount=Money(sum(p.amount_minor for p in parts), currency),
        parts=parts,
        now=at,
    )


def _refund(order: str, amount_minor: int, ref: str, at: Any, currency: str = "CNY") -> None:
    services.wallet_refund(
        payment_reference=order,
        amount=Money(amount_minor, currency),
        refund_reference=ref,
        now=at,
        actor_role=SYSTEM,
    )


def _qr_pay(buyer: Any, outlet: Any, amount_minor: int, request_id: str, **kw: Any) -> Any:
    payload = selectors.outlet_qr(
        outlet_id=outlet.id, amount_minor=amount_minor, actor_role=SYSTEM, **kw
    ).payload
    return services.qr_payment_submit(
        user_id=buyer.pk,
        payload=payload,
        request_id=request_id,
        amount_minor=None,
        wallet_currency="CNY",
        now=NOW,
        actor_role="buyer",
    )


def _statement(buyer: Any, limit: int = 20, offset: int = 0, currency: str = "CNY") -> Any:
    return selectors.wallet_statement(
        owner_id=buyer.pk,
        currency=currency,
        limit=limit,
        offset=offset,
        actor_id=buyer.pk,
        actor_role="buyer",
    )


def test_a_converted_checkout_is_one_payment_of_its_total_naming_shops_and_orders() -> None:
    buyer = make_buyer()
    funded_wallet(buyer, 500_000)
    tea, silk = make_merchant(name="Casa del Tè"), make_merchant(name="Seteria Como")
    _checkout(
        buyer,
        [ChargePart(tea.pk, 158_000, "2025-000101"), ChargePart(silk.pk, 42_000, "2025-000102")],
        ref="checkout:2721",
        at=NOW + timedelta(minutes=1),
    )
    statement = _statement(buyer)
    payment, top_up = statement.lines
    assert statement.count == 2
    assert (payment.event, payment.label) == ("payment", "Payment")
    assert payment.amount == Money(-200_000, "CNY")  # the total, mark-up included
    assert payment.balance_after == Money(300_000, "CNY")
    assert payment.payment_reference == "checkout:2721"
    assert [(o.number, o.shop, o.paid.amount_minor) for o in payment.orders] == [
        ("2025-000101", "Casa del Tè", 158_000),
        ("2025-000102", "Seteria Como", 42_000),
    ]
    assert payment.shops == ("Casa del Tè", "Seteria Como")
    assert len(payment.transfer_ids) == 2  # the conversion and the mark-up legs
    assert (top_up.event, top_up.amount, top_up.balance_after) == (
        "top_up",
        Money(500_000, "CNY"),
        Money(500_000, "CNY"),
    )


def test_a_checkout_in_the_settlement_currency_is_one_line_for_all_its_orders() -> None:
    buyer = make_buyer()
    funded_wallet(buyer, 10_000, currency="EUR")
    a, b = make_merchant(name="Bottega A"), make_merchant(name="Bottega B")
    _checkout(
        buyer,
        [ChargePart(a.pk, 1_200, "E-1"), ChargePart(b.pk, 800, "E-2")],
        ref="checkout:1",
        currency="EUR",
        at=NOW + timedelta(minutes=1),
    )
    statement = _statement(buyer, currency="EUR")
    assert statement.count == 2 and len(statement.lines) == 2
    line = statement.lines[0]
    assert line.amount == Money(-2_000, "EUR") and line.code == "payment"
    assert [o.number for o in line.orders] == ["E-1", "E-2"]


def test_refunds_qr_payments_and_paging_count_events_not_transfers() -> None:
    buyer = make_buyer()
    funded_wallet(buyer, 900_000)
    shop = make_merchant(name="Casa del Tè")
    outlet = pilot_outlet(make_merchant(name="Rete Postale"), name="Ufficio Cordusio")
    for i in range(3):
        _checkout(
            buyer,
            [ChargePart(shop.pk, 10_000 * (i + 1), f"2025-00020{i}")],
            ref=f"checkout:{i}",
            at=NOW + timedelta(minutes=i + 1),
        )
    _refund("2025-000200", 4_000, "r-part", NOW + timedelta(minutes=10))  # partial
    _refund("2025-000200", 6_000, "r-rest", NOW + timedelta(minutes=11))  # the rest: full
    _refund("2025-000201", 20_000, "r-full", NOW + timedelta(minutes=12))  # full at once
    qr = _qr_pay(buyer, outlet, 1_250, "qr-1")
    assert qr.status == "S"
    everything = _statement(buyer, limit=200)
    events = [line.event for line in everything.lines]
    expected = ["qr_payment", "refund", "refund", "refund", "payment", "payment", "payment"]
    assert events == [*expected, "top_up"]
    assert everything.count == len(everything.lines) == 8
    qr_line, full, rest, part = everything.lines[:4]
    assert qr_line.outlet_name == "Ufficio Cordusio" and qr_line.shops == ("Rete Postale",)
    assert qr_line.qr_request_id == "qr-1" and not qr_line.orders
    assert qr_line.amount == Money(-qr.payment.paid.amount_minor, "CNY")
    assert (part.amount, rest.amount, full.amount) == (
        Money(4_000, "CNY"),
        Money(6_000, "CNY"),
        Money(20_000, "CNY"),
    )
    assert [o.number for o in part.orders] == ["2025-000200"] and part.label == "Refund"
    # Balances after each line walk back exactly.
    lines = everything.lines
    for newer, older in itertools.pairwise(lines):
        assert older.balance_after.amount_minor == (
            newer.balance_after.amount_minor - newer.amount.amount_minor
        )
    # Pages of events: no line lost or repeated at the page edges.
    paged = [line for offset in range(0, 8, 3) for line in _statement(buyer, 3, offset).lines]
    assert [line.transfer_ids for line in paged] == [line.transfer_ids for line in lines]


def test_the_statement_reads_a_constant_number_of_queries(
    django_assert_max_num_queries: Any,
) -> None:
    buyer = make_buyer()
    funded_wallet(buyer, 9_000_000)
    shops = [make_merchant(name=f"Shop {i}") for i in range(5)]
    for i in range(30):
        _checkout(
            buyer,
            [
                ChargePart(shops[i % 5].pk, 1_000, f"Q-{i}-a"),
                ChargePart(shops[0].pk, 500, f"Q-{i}-b"),
            ],
            ref=f"checkout:q{i}",
            at=NOW + timedelta(minutes=i + 1),
        )
        if i % 4 == 0:
            _refund(f"Q-{i}-a", 300, f"qr-{i}", NOW + timedelta(minutes=i + 1, seconds=30))
    with django_assert_max_num_queries(14):
        first = _statement(buyer, limit=20)
    with django_assert_max_num_queries(14):
        second = _statement(buyer, limit=20, offset=20)
    assert first.count == 30 + 8 + 1 and len(first.lines) == 20
    assert len(second.lines) == 19 and second.lines[-1].event == "top_up"


# --- pages ---------------------------------------------------------------------------------


@pytest.fixture
def paid(client: Client) -> tuple[Client, Any, Any]:
    buyer = make_buyer()
    funded_wallet(buyer, 500_000)
    tea = make_merchant(name="Casa del Tè")
    _checkout(
        buyer,
        [ChargePart(tea.pk, 158_000, "2025-000101")],
        ref="checkout:2721",
        at=NOW + timedelta(minutes=1),
    )
    client.force_login(buyer)
    return client, buyer, tea


def test_the_wallet_page_shows_one_payment_with_its_shop_and_order(
    paid: tuple[Client, Any, Any],
) -> None:
    client, _, _ = paid
    html = client.get(reverse("payments:wallet") + "?currency=CNY").content.decode()
    assert "-CN¥1,580.00" in html
    assert "Casa del Tè" in html and "order 2025-000101" in html
    assert reverse("orders:order_detail", args=["2025-000101"]) in html
    assert reverse("payments:wallet_payment", args=["checkout:2721"]) in html
    assert "FX mark-up" not in html and "checkout:2721</span>" not in html
    assert "converted at the reference rate" not in html
    it = client.get(reverse("payments:wallet"), HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Pagamento" in it and "ordine 2025-000101" in it


def test_the_payment_detail_page_shows_orders_and_the_dated_conversion(
    paid: tuple[Client, Any, Any],
) -> None:
    client, _, _ = paid
    url = reverse("payments:wallet_payment", args=["checkout:2721"])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "CN¥1,580.00" in html and "Casa del Tè" in html and "2025-000101" in html
    assert "1 EUR = 7.8 CNY" in html
    day = format_skeleton("yMMMMd", NOW.date(), locale="en")  # an old rate: never "today's"
    assert f"reference rate of {day}" in html and "today&#x27;s" not in html
    assert "FX mark-up" in html and "€" in html  # the merchant's side, in EUR
    it = client.get(url, HTTP_ACCEPT_LANGUAGE="it").content.decode()
    day_it = format_skeleton("yMMMMd", NOW.date(), locale="it")
    assert f"tasso di riferimento del {day_it}" in it and "7,8" in it


def test_only_the_payer_and_operators_see_a_payment(paid: tuple[Client, Any, Any]) -> None:
    _, buyer, _ = paid
    url = reverse("payments:wallet_payment", args=["checkout:2721"])
    other = Client()
    other.force_login(make_buyer())
    assert other.get(url).status_code == 404
    assert other.get(reverse("payments:wallet_payment", args=["checkout:nope"])).status_code == 404
    operator = Client()
    operator.force_login(make_user("operator"))
    assert operator.get(url).status_code == 200
    merchant = Client()
    merchant.force_login(make_user("merchant"))
    assert merchant.get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the sign-in page
    with pytest.raises(services.PaymentNotFound):
        selectors.wallet_payment_get(
            reference="checkout:2721", actor_id=buyer.pk + 10_000, actor_role="buyer"
        )


def test_the_qr_result_page_shows_shop_bill_both_amounts_and_the_dated_rate(
    client: Client,
) -> None:
    today = timezone.localdate()
    old = today - timedelta(days=3)
    make_rates(on=old)
    buyer = make_buyer()
    funded_wallet(buyer, 50_000, now=timezone.now())
    client.force_login(buyer)
    outlet = pilot_outlet(make_merchant(name="Rete Postale"), name="Ufficio Cordusio")
    payload = selectors.outlet_qr(
        outlet_id=outlet.id, amount_minor=1_250, bill_number="INV-0042", actor_role=SYSTEM
    ).payload
    form = {"payload": payload, "request_id": "bill-1", "wallet_currency": "CNY"}
    html = client.post(reverse("payments:wallet_pay"), form, follow=True).content.decode()
    assert "INV-0042" in html and "Rete Postale" in html and "Ufficio Cordusio" in html
    assert "€12.50" in html and "CN¥97.99" in html and "1 EUR = 7.8 CNY" in html
    day_en = format_skeleton("MMMMd" if old.year == today.year else "yMMMMd", old, locale="en")
    assert f"reference rate of {day_en}" in html and "today&#x27;s reference rate" not in html
    url = reverse("payments:qr_payment", args=["bill-1"])
    it = client.get(url, HTTP_ACCEPT_LANGUAGE="it").content.decode()
    day_it = format_skeleton("MMMMd" if old.year == today.year else "yMMMMd", old, locale="it")
    assert f"tasso di riferimento del {day_it}" in it and "12,50" in it and "INV-0042" in it
    # With today's rate published, the page says so.
    make_rates(on=today)
    form = form | {"request_id": "bill-2"}
    html = client.post(reverse("payments:wallet_pay"), form, follow=True).content.decode()
    assert "today&#x27;s reference rate" in html


def test_rate_day_text() -> None:
    today = NOW.date()
    assert rate_day_text(today, today=today) == "today's reference rate"
    assert rate_day_text(today - timedelta(days=1), today=today) == "reference rate of February 28"
    assert rate_day_text(None) == ""


# --- API -----------------------------------------------------------------------------------


def test_the_api_statement_and_payment_detail(paid: tuple[Client, Any, Any]) -> None:
    client, buyer, tea = paid
    body = client.get(API + "/wallets/CNY/statement", **bearer(buyer)).json()
    assert body["count"] == 2
    line = body["lines"][0]
    assert line["event"] == "payment" and line["amount"]["amount_minor"] == -158_000
    assert line["payment_reference"] == "checkout:2721" and len(line["transfer_ids"]) == 2
    assert line["orders"] == [
        {
            "number": "2025-000101",
            "merchant_id": tea.pk,
            "shop": "Casa del Tè",
            "paid": line["orders"][0]["paid"],
            "credit": line["orders"][0]["credit"],
        }
    ]
    assert line["code"] == "fx_sell" and line["transfer_id"] == line["transfer_ids"][0]
    detail = client.get(API + "/wallets/payments/checkout:2721", **bearer(buyer))
    assert detail.status_code == 200
    data = detail.json()
    assert data["paid"]["amount_minor"] == 158_000 and data["rate"] == "7.8"
    assert data["rate_date"] == NOW.date().isoformat()
    assert data["mid_paid"]["amount_minor"] + data["spread"]["amount_minor"] == 158_000
    assert [o["number"] for o in data["orders"]] == ["2025-000101"]
    stranger = client.get(API + "/wallets/payments/checkout:2721", **bearer(make_buyer()))
    assert stranger.status_code == 404 and stranger.json()["error"] == "payment_not_found"
    operator = client.get(API + "/wallets/payments/checkout:2721", **bearer(make_user("operator")))
    assert operator.status_code == 200
    assert Client().get(API + "/wallets/payments/checkout:2721").status_code == 401


def test_the_wallet_page_reads_a_constant_number_of_queries(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    buyer = make_buyer()
    funded_wallet(buyer, 900_000)
    shop = make_merchant(name="Casa del Tè")
    outlet = pilot_outlet(make_merchant(name="Rete Postale"))
    for i in range(25):
        _checkout(
            buyer,
            [ChargePart(shop.pk, 1_000, f"W-{i}")],
            ref=f"checkout:w{i}",
            at=NOW + timedelta(minutes=i + 1),
        )
    for i in range(6):
        _qr_pay(buyer, outlet, 500 + i, f"qr-w{i}")
    client.force_login(buyer)
    with django_assert_max_num_queries(24):  # 22 measured; 25 events, 6 QR payments
        page = client.get(reverse("payments:wallet") + "?currency=CNY")
    html = page.content.decode()
    assert page.status_code == 200 and "Page 1 of 2" in html and "W-24" in html
