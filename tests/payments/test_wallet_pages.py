"""The wallet page (balances, paged statement, open, top-up, pay by QR with its result
page) and the operators' settlement pages; who may see them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fiera.accounts.roles import SYSTEM
from fiera.common.money import Money
from fiera.payments import services
from fiera.payments.services import PaymentTimeout, set_qr_fault
from tests.payments.factories import (
    balance,
    funded_wallet,
    make_buyer,
    make_merchant,
    make_rates,
    make_user,
    pilot_outlet,
    qr_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_ok")]


@pytest.fixture(autouse=True)
def _rates_today() -> None:
    make_rates(on=timezone.now().date())


@pytest.fixture
def buyer_client(client: Client) -> tuple[Client, Any]:
    buyer = make_buyer()
    client.force_login(buyer)
    return client, buyer


def test_an_empty_wallet_page_offers_to_open_one(buyer_client: tuple[Client, Any]) -> None:
    client, _ = buyer_client
    page = client.get(reverse("payments:wallet"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "My wallet" in html and "You have no wallet yet" in html
    opened = client.post(reverse("payments:wallet_open"), {"currency": "CNY"}, follow=True)
    assert "Your CNY wallet is open." in opened.content.decode()
    assert "Pay by QR code" in opened.content.decode()


def test_top_up_through_the_page(buyer_client: tuple[Client, Any]) -> None:
    client, buyer = buyer_client
    funded_wallet(buyer, 0)
    form = {"currency": "CNY", "amount": "500.00", "request_id": "page-1", "funding_reference": ""}
    done = client.post(reverse("payments:wallet_top_up"), form, follow=True)
    html = done.content.decode()
    assert "added to your wallet" in html and "Top-up" in html
    assert balance(buyer) == 50_000
    client.post(reverse("payments:wallet_top_up"), form)  # the same form again: no double
    assert balance(buyer) == 50_000
    bad = client.post(
        reverse("payments:wallet_top_up"),
        form | {"amount": "1.234", "request_id": "p2"},
        follow=True,
    )
    page = bad.content.decode()
    assert "this is not an amount in CNY; check the number of decimals" in page
    assert "has 2 decimal places" not in page  # the technical text stays out of the page
    too_much = client.post(
        reverse("payments:wallet_top_up"),
        form | {"amount": "20000.01", "request_id": "p3"},
        follow=True,
    )
    assert "refused the top-up; no money moved" in too_much.content.decode()
    assert balance(buyer) == 50_000


def test_the_statement_pages(buyer_client: tuple[Client, Any]) -> None:
    client, buyer = buyer_client
    funded_wallet(buyer, 0)
    for i in range(25):
        services.wallet_top_up(
            user_id=buyer.pk,
            amount_minor=100 + i,
            currency="CNY",
            funding_reference="card",
            request_id=f"r{i}",
            now=timezone.now() + timedelta(seconds=i),
            actor_role=SYSTEM,
        )
    first = client.get(reverse("payments:wallet") + "?currency=CNY").content.decode()
    assert "25 movements" in first and "Page 1 of 2" in first
    second = client.get(reverse("payments:wallet") + "?currency=CNY&page=2").content.decode()
    assert "Page 2 of 2" in second and "CN¥1.00" in second


def test_pay_by_qr_through_the_page(buyer_client: tuple[Client, Any]) -> None:
    client, buyer = buyer_client
    funded_wallet(buyer, 20_000)
    outlet = pilot_outlet(make_merchant(name="Rete Postale"))
    form = {"payload": qr_for(outlet, 1250), "request_id": "page-pay-1", "wallet_currency": "CNY"}
    done = client.post(reverse("payments:wallet_pay"), form, follow=True)
    html = done.content.decode()
    assert done.status_code == 200 and "You paid" in html and "€12.50" in html
    assert "CN¥97.99" in html and "1 EUR = 7.8 CNY" in html
    wallet_html = client.get(reverse("payments:wallet")).content.decode()
    assert "Recent QR payments" in wallet_html and "Paid" in wallet_html


def test_a_bad_qr_is_shown_on_the_wallet_page(buyer_client: tuple[Client, Any]) -> None:
    client, buyer = buyer_client
    funded_wallet(buyer, 20_000)
    outlet = pilot_outlet()
    bad = client.post(
        reverse("payments:wallet_pay"),
        {"payload": qr_for(outlet, 100)[:-1] + "Z", "request_id": "x-1", "wallet_currency": "CNY"},
    )
    assert bad.status_code == 422 and "not a valid payment code" in bad.content.decode()
    static = client.post(
        reverse("payments:wallet_pay"),
        {
            "payload": qr_for(outlet),
            "request_id": "x-2",
            "wallet_currency": "CNY",
            "amount": "3.00",
        },
        follow=True,
    )
    assert "You paid" in static.content.decode() and "€3.00" in static.content.decode()


def test_an_unknown_outcome_can_be_checked_again(buyer_client: tuple[Client, Any]) -> None:
    client, buyer = buyer_client
    funded_wallet(buyer, 20_000)
    outlet = pilot_outlet()

    def lose(stage: str) -> None:
        if stage == "committed":
            raise PaymentTimeout("lost")

    previous = set_qr_fault(lose)
    try:
        client.post(
            reverse("payments:wallet_pay"),
            {"payload": qr_for(outlet, 1250), "request_id": "u-1", "wallet_currency": "CNY"},
        )
    finally:
        set_qr_fault(previous)
    page = client.get(reverse("payments:qr_payment", args=["u-1"]))
    # the row committed: the stored answer is already S
    assert "You paid" in page.content.decode()
    checked = client.post(reverse("payments:qr_payment", args=["u-1"]))
    assert "You paid" in checked.content.decode()
    assert client.get(reverse("payments:qr_payment", args=["nope"])).status_code == 404


def test_only_buyers_have_a_wallet_page(client: Client) -> None:
    assert client.get(reverse("payments:wallet")).status_code == 302  # to sign in
    client.force_login(make_user("merchant"))
    assert client.get(reverse("payments:wallet")).status_code == 403
    assert client.post(reverse("payments:wallet_pay"), {}).status_code == 403


def test_settlement_pages_for_operators(client: Client) -> None:
    buyer, merchant = make_buyer(), make_merchant(name="Ceramiche Rossi")
    funded_wallet(buyer, 10_000, "EUR")
    yesterday = timezone.now() - timedelta(days=1)
    services.wallet_charge_for_checkout(
        buyer_id=buyer.pk,
        checkout_reference="co-1",
        amount=Money(5_000, "EUR"),
        parts=[services.ChargePart(merchant.pk, 5_000, "F1-1")],
        now=yesterday,
    )
    client.force_login(make_user("buyer"))
    assert client.get(reverse("payments:settlement_runs")).status_code == 403
    client.force_login(make_user("operator"))
    listing = client.get(reverse("payments:settlement_runs"))
    assert listing.status_code == 200 and "No settlement runs yet." in listing.content.decode()
    ran = client.post(
        reverse("payments:settlement_run"), {"day": yesterday.date().isoformat()}, follow=True
    )
    html = ran.content.decode()
    assert "1 new, 0 already settled" in html and "run(s)" not in html
    assert "Ceramiche Rossi" in html and "€49.40" in html
    from fiera.payments.models import SettlementRun

    run = SettlementRun.objects.get()
    statement = client.get(reverse("payments:settlement_run_detail", args=[run.pk]))
    assert statement.status_code == 200 and "F1-1" in statement.content.decode()
    assert client.get(reverse("payments:settlement_run_detail", args=[999])).status_code == 404
    today = client.post(
        reverse("payments:settlement_run"), {"day": timezone.now().date().isoformat()}, follow=True
    )
    assert "only after it has ended" in today.content.decode()
    assert client.get(reverse("payments:settlement_runs") + "?day=nope").status_code == 422
