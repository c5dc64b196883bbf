"""Every domain error reaches people in their language: a stable ``code``, a message written
for people from the translated catalog (it, en, zh-Hans), the technical account kept apart
(``context``). The API keeps ``error`` as the code and answers ``detail`` in the request's
language (Accept-Language); pages show the same message."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

import fiera
from fiera.common.errors import DomainError
from fiera.orders import services as order_services
from fiera.orders.models import CrossBorderAllowance
from fiera.orders.pricing import CrossBorderAnnualLimit
from fiera.payments import emvco
from tests.orders import factories as f
from tests.payments.factories import (
    bearer,
    funded_wallet,
    make_buyer,
    make_rates,
    pilot_outlet,
    qr_for,
)

LANGUAGES = ("it", "en", "zh-hans")
# Errors whose raise sites word ``detail`` for people, translated (the number parser).
WORDED_WHEN_RAISED = {"InvalidNumber"}
BASES = {"DomainError", "InvalidInput", "NotFound", "PermissionDenied", "Unauthenticated"}


def _every_domain_error() -> list[type[DomainError]]:
    for module in pkgutil.walk_packages(fiera.__path__, "fiera."):
        name = module.name
        if ".migrations" in name or ".tests" in name or name in {"fiera.wsgi", "fiera.celery"}:
            continue
        importlib.import_module(name)
    found: list[type[DomainError]] = []
    todo: list[type[DomainError]] = [DomainError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [cls for cls in found if cls.__module__.startswith("fiera.")]


def test_every_domain_error_has_a_code_and_a_message_translated_into_it_and_zh() -> None:
    _check_every_domain_error(("it", "zh-hans"))


def test_every_domain_error_has_a_message_translated_into_spanish() -> None:
    _check_every_domain_error(("es",))


def _check_every_domain_error(languages: tuple[str, ...]) -> None:
    classes = _every_domain_error()
    assert len(classes) > 100
    problems = []
    for cls in classes:
        where = f"{cls.__module__}.{cls.__qualname__}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", cls.code or ""):
            problems.append(f"{where}: code {cls.code!r}")
        if cls.__name__ not in BASES | {"Conflict"} and "message_template" not in vars(cls):
            problems.append(f"{where}: no message_template of its own")
        with translation.override("en"):
            english = str(cls.message_template)
        for language in languages:
            with translation.override(language):
                text = str(cls.message_template)
                error = cls.__new__(cls)  # some take their own arguments
                DomainError.__init__(error, "technical detail")
                rendered = error.message()
            if text == english:
                problems.append(f"{where}: no {language} translation of {english!r}")
            if "%(" in rendered or (
                "technical detail" in rendered and cls.__name__ not in WORDED_WHEN_RAISED
            ):
                problems.append(f"{where}: {language} renders {rendered!r}")
    assert not problems, "\n".join(problems)


def test_a_message_fills_its_params_and_formats_money_per_language() -> None:
    error = CrossBorderAnnualLimit(
        "the yearly cross-border allowance is 26000.00 CNY; ...",
        left_minor=8700,
        limit_minor=2600000,
        year=2026,
        currency="CNY",
    )
    with translation.override("en"):
        english = error.message()
    with translation.override("zh-hans"):
        chinese = error.message()
    assert "CN¥26,000.00" in english and "CN¥87.00" in english and "2026" in english
    assert "26,000.00" in chinese and "87.00" in chinese and "额度" in chinese
    assert "CNY;" not in english  # the technical account stays out of the message
    assert error.as_payload()["context"].startswith("the yearly cross-border allowance")


def _post(client: Client, path: str, body: dict[str, Any], user: Any, language: str) -> Any:
    return client.post(
        "/api/v1" + path,
        json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
        **bearer(user),
    )


def _same_code_translated_detail(answers: dict[str, Any], status: int, code: str) -> dict:
    bodies = {language: response.json() for language, response in answers.items()}
    for language, response in answers.items():
        assert response.status_code == status, (language, response.content)
        assert bodies[language]["error"] == code
    details = {language: body["detail"] for language, body in bodies.items()}
    assert len(set(details.values())) == 3, details  # three languages, three wordings
    assert re.search(r"[\u4e00-\u9fff]", details["zh-hans"]), details
    assert not re.search(r"[\u4e00-\u9fff]", details["it"]), details
    return details


@pytest.fixture
def rates_today() -> None:
    make_rates(on=timezone.now().date())


@pytest.mark.django_db
def test_a_damaged_qr_code_says_so_in_the_readers_language(client: Client) -> None:
    buyer = make_buyer()
    payload = emvco.build(
        merchant_name="Rete Postale",
        merchant_city="Milano",
        country="IT",
        currency="EUR",
        mcc="9402",
        accounts=[emvco.fiera_account(merchant_id=1)],
        amount_minor=250,
    )
    broken = payload[:-4] + ("0000" if payload[-4:] != "0000" else "1111")
    answers = {
        language: _post(client, "/qr/parse", {"payload": broken}, buyer, language)
        for language in LANGUAGES
    }
    details = _same_code_translated_detail(answers, 422, "qr_crc_mismatch")
    assert details["en"] == "This QR code is damaged or was changed; ask the shop to show it again."
    assert details["it"].startswith("Questo codice QR è danneggiato")
    for detail in details.values():
        assert "CRC" not in detail and payload[-4:] not in detail
    body = answers["en"].json()
    assert body["context"].startswith("CRC mismatch: payload says")  # for developers
    assert (body["tag"], body["offset"]) == ("63", len(payload) - 8)


@pytest.mark.django_db
@pytest.mark.usefixtures("rates_today")
def test_a_qr_amount_mismatch_names_both_amounts_per_language(client: Client) -> None:
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 20_000)
    body = {"payload": qr_for(outlet, 1250), "amount_minor": 999, "request_id": "mm-1"}
    answers = {
        language: _post(client, "/qr-payments", body, buyer, language) for language in LANGUAGES
    }
    details = _same_code_translated_detail(answers, 422, "amount_mismatch")
    assert "€12.50" in details["en"] and "€9.99" in details["en"]
    assert "12,50" in details["it"] and "9,99" in details["it"]
    assert "minor units" not in details["en"]


@pytest.mark.django_db
@pytest.mark.usefixtures("rates_today")
def test_insufficient_wallet_funds_per_language(client: Client) -> None:
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 100)
    answers = {
        language: _post(
            client,
            "/qr-payments",
            {"payload": qr_for(outlet, 1250), "request_id": f"poor-{language}"},
            buyer,
            language,
        )
        for language in LANGUAGES
    }
    details = _same_code_translated_detail(answers, 409, "insufficient_funds")
    assert details["en"].startswith("Your wallet holds less than this payment")


@pytest.mark.django_db
def test_out_of_stock_per_language(client: Client) -> None:
    market = f.marketplace(slug="bottega")
    item = f.sku(market=market, price_minor=1250, stock=5)
    buyer = f.user()
    body = {
        "marketplace": market.slug,
        "country": "IT",
        "lines": [{"variant_id": item.id, "quantity": 6}],
        "shipping_address": f.address(),
        "payment_method": "cod",
    }
    answers = {
        language: _post(client, "/checkout", body, buyer, language) for language in LANGUAGES
    }
    details = _same_code_translated_detail(answers, 409, "out_of_stock")
    for detail in details.values():
        assert item.variant.sku in detail
    assert answers["it"].json()["skus"] == [item.variant.sku]


@pytest.mark.django_db
def test_the_cross_border_allowance_per_language(client: Client) -> None:
    market = f.cross_border_market()
    order_services.cross_border_rates_load(marketplace_id=market.pk, now=f.NOW)
    buyer = f.user()
    CrossBorderAllowance.objects.create(
        buyer=buyer,
        year=timezone.now().year,
        currency="CNY",
        used_minor=2_591_300,
        updated_at=timezone.now(),
    )
    item = f.sku(market=market, price_minor=100_000, stock=10)
    body = {
        "marketplace": market.slug,
        "country": "CN",
        "lines": [{"variant_id": item.id, "quantity": 1}],
        "shipping_address": f.address("CN", city="Shanghai", postal_code="200000"),
        "payment_method": "cod",
    }
    answers = {
        language: _post(client, "/checkout", body, buyer, language) for language in LANGUAGES
    }
    details = _same_code_translated_detail(answers, 422, "cross_border_annual_limit")
    assert "87.00" in details["en"] and "26,000.00" in details["en"]
    assert "87,00" in details["it"]
    assert answers["zh-hans"].json()["left_minor"] == 8700


@pytest.mark.django_db
def test_a_validation_error_per_language(client: Client) -> None:
    buyer = make_buyer()
    answers = {
        language: _post(client, "/qr/parse", {"payload": ["not", "text"]}, buyer, language)
        for language in LANGUAGES
    }
    details = _same_code_translated_detail(answers, 422, "invalid")
    for detail in details.values():
        assert "payload" in detail  # names the field
    assert answers["it"].json()["fields"][0]["loc"][-1] == "payload"


@pytest.mark.django_db
@pytest.mark.usefixtures("rates_today")
def test_the_wallet_page_shows_a_damaged_qr_code_in_italian(client: Client) -> None:
    buyer, outlet = make_buyer(), pilot_outlet()
    funded_wallet(buyer, 20_000)
    client.force_login(buyer)
    payload = qr_for(outlet, 100)
    broken = payload[:-4] + ("0000" if payload[-4:] != "0000" else "1111")
    page = client.post(
        reverse("payments:wallet_pay"),
        {"payload": broken, "request_id": "page-crc", "wallet_currency": "CNY"},
        HTTP_ACCEPT_LANGUAGE="it",
    )
    html = page.content.decode()
    assert page.status_code == 422
    assert "Questo codice QR è danneggiato o è stato modificato" in html
    assert "CRC" not in html


@pytest.mark.django_db
def test_a_check_raised_with_its_own_wording_names_the_value_per_language(client: Client) -> None:
    answers = {
        language: client.get(
            "/api/v1/reference/italian-regions/IT-99/municipalities",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        for language in LANGUAGES
    }
    details = _same_code_translated_detail(answers, 404, "region_not_found")
    assert details["en"] == "IT-99 is not an Italian region code (such as IT-25)."
    assert details["it"] == "IT-99 non è un codice di regione italiana (come IT-25)."


def test_checkout_quote_warnings_follow_the_language() -> None:
    from fiera.orders.pricing import gettext as pricing_gettext

    with translation.override("it"):
        text = pricing_gettext("%(sku)s: only %(count)d in stock") % {"sku": "A-1", "count": 3}
    assert text == "A-1: solo 3 disponibili"


def test_a_catalog_field_check_names_the_field_in_the_readers_language() -> None:
    from fiera.catalog import services as catalog_services
    from fiera.common.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        catalog_services._clean_name("  ", "the English name", required=True)
    with translation.override("it"):
        assert caught.value.message() == "Nome in inglese: campo obbligatorio."
    with translation.override("zh-hans"):
        assert caught.value.message() == "英文名称\uff1a此项为必填项。"  # full-width colon
    assert caught.value.detail == "the English name is required"


def test_a_value_outside_a_fixed_set_lists_the_choices_per_language() -> None:
    from fiera.common.errors import not_one_of

    error = not_one_of("size", ["micro", "small"])
    with translation.override("it"):
        assert error.message() == "size: scegli uno tra micro, small."
    with translation.override("en"):
        assert error.message() == "size: choose one of micro, small."
    assert error.as_payload()["error"] == "invalid"
