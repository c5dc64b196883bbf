"""The settlement statement names each payment's kind in the reader's language ("Checkout",
"Trade assurance", not the codes "checkout"/"escrow") and writes its FX rate as the language
writes numbers, every decimal kept ("7,8125" in Italian)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fiera.common.money import Money
from fiera.payments import services
from fiera.payments.models import Payment, SettlementRun
from tests.payments.factories import funded_wallet, make_buyer, make_merchant, make_rates, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ledger_ok")]


@pytest.mark.parametrize(
    ("language", "kind", "decimal_mark"), [("en", "Checkout", "."), ("it", "Cassa", ",")]
)
def test_the_statement_names_the_kind_and_writes_the_rate_for_the_reader(
    language: str, kind: str, decimal_mark: str
) -> None:
    yesterday = timezone.now() - timedelta(days=1)
    make_rates(on=yesterday.date())
    buyer, merchant = make_buyer(), make_merchant(name="Ceramiche Rossi")
    funded_wallet(buyer, 100_000, "CNY")
    services.wallet_charge_for_checkout(
        buyer_id=buyer.pk,
        checkout_reference="co-1",
        amount=Money(50_000, "CNY"),
        parts=[services.ChargePart(merchant.pk, 50_000, "F1-1")],
        now=yesterday,
    )
    services.settlement_run(day=yesterday.date(), now=timezone.now(), actor_role="operator")
    payment = Payment.objects.get()
    assert payment.rate, "a converted payment records its rate"
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(make_user("operator"))
    run = SettlementRun.objects.get()
    html = client.get(reverse("payments:settlement_run_detail", args=[run.pk])).content.decode()
    badge = re.search(r'<span class="badge">([^<]*)</span>', html)
    assert badge is not None and badge.group(1) == kind
    whole, _, decimals = payment.rate.partition(".")
    assert f"{whole}{decimal_mark}{decimals.rstrip('0')}" in html, payment.rate


def test_every_payment_kind_has_a_translated_name() -> None:
    from django.utils import translation

    from fiera.payments.models import PaymentKind
    from fiera.payments.selectors import SettlementLine

    for code in PaymentKind.values:
        line = SettlementLine(
            kind="payment",
            reference="r",
            payment_kind=code,
            created_at=timezone.now(),
            amount=Money(1, "EUR"),
            fee=Money(0, "EUR"),
            paid=Money(1, "EUR"),
            rate="",
        )
        with translation.override("it"):
            italian = line.payment_kind_label
        assert italian and italian != code


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Settled "),
        ("it", "Liquidata la giornata del "),
        ("zh-hans", "已结算 "),
        ("es", "Liquidado el día "),
    ],
)
def test_running_a_day_says_so_with_the_day_as_the_language_writes_it(
    language: str, said: str
) -> None:
    from babel.dates import format_date

    from fiera.common.reference import babel_locale

    yesterday = (timezone.now() - timedelta(days=1)).date()
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(make_user("operator"))
    page = client.post(
        reverse("payments:settlement_run"), {"day": yesterday.isoformat()}, follow=True
    )
    from django.utils import translation

    with translation.override(language):
        day = format_date(yesterday, "medium", locale=babel_locale())
    html = page.content.decode()
    assert said + day in html, html[:3000]
    assert "(s)" not in html
