"""B2B listing terms (lead time, Incoterm and place, payment terms, HS code) and sample
offers: the services, the console API with its denials, the public product API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fiera.accounts.roles import MERCHANT, OPERATOR
from fiera.accounts.services import token_issue
from fiera.catalog import rules, selectors, services
from fiera.catalog.models import Product, Variant
from fiera.common.trade_terms import InvalidTerms
from fiera.merchants.selectors import StaffRoleTooLow
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


def _trade_shop() -> f.Shop:
    mp = f.marketplace(
        "trade", kind="b2b_trade", default_currency="USD", countries={}, worldwide=True
    )
    return f.shop(mp)


def _set(actor: Any, product_id: int, role: str = MERCHANT, **terms: Any) -> Product:
    values: dict[str, Any] = {
        "lead_time_days": 25,
        "incoterm": "fob",
        "incoterm_place": "  Genova  ",
        "payment_terms": "assurance",
    }
    values.update(terms)
    return services.listing_terms_set(
        actor_user_id=actor.pk, actor_role=role, product_id=product_id, **values
    )


def test_owner_and_manager_set_terms_clerks_and_others_cannot() -> None:
    s = _trade_shop()
    product, _variant = f.listed_product(s, currency="USD")
    saved = _set(s.owner, product.pk, hs_code="0901.21")
    assert (saved.incoterm, saved.incoterm_place, saved.payment_terms, saved.lead_time_days) == (
        "FOB",
        "Genova",
        "assurance",
        25,
    )
    assert saved.hs_code == "090121"
    manager = f.staff(s.merchant, role="manager")
    assert _set(manager, product.pk, incoterm="EXW", incoterm_place="Modena").incoterm == "EXW"
    clerk = f.staff(s.merchant, role="clerk")
    with pytest.raises(StaffRoleTooLow):
        _set(clerk, product.pk)
    other = f.shop(s.marketplace)
    with pytest.raises(services.ProductNotFound):
        _set(other.owner, product.pk)
    with pytest.raises(services.NotCatalogEditor):
        _set(f.user("buyer"), product.pk, role="buyer")
    operator = f.user("operator")
    cleared = _set(
        operator, product.pk, role=OPERATOR, lead_time_days=None, incoterm="", incoterm_place=""
    )
    assert (cleared.incoterm, cleared.lead_time_days) == ("", None)


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"incoterm": "FOX"}, "incoterm"),
        ({"incoterm_place": ""}, "incoterm_place"),
        ({"incoterm": "", "incoterm_place": "Genova"}, "incoterm"),
        ({"incoterm_place": "x" * 81}, "incoterm_place"),
        ({"payment_terms": "credit"}, "payment_terms"),
        ({"lead_time_days": 366}, "lead_time_days"),
        ({"lead_time_days": -1}, "lead_time_days"),
    ],
)
def test_bad_terms_are_422_with_a_message_that_says_what_to_enter(
    terms: dict[str, Any], field: str
) -> None:
    s = _trade_shop()
    product, _variant = f.listed_product(s, currency="USD")
    with pytest.raises(InvalidTerms) as refused:
        _set(s.owner, product.pk, **terms)
    assert refused.value.status == 422 and refused.value.params["field"] == field
    assert refused.value.message() != InvalidTerms.message_template


def test_sample_offer_rules() -> None:
    s = _trade_shop()
    _product, variant = f.listed_product(s, currency="USD")
    offered = services.variant_sample_set(
        actor_user_id=s.owner.pk,
        actor_role=MERCHANT,
        variant_id=variant.pk,
        sample_units=2,
        sample_price_minor=2500,
        currency="usd",
    )
    assert (offered.sample_units, offered.sample_price_minor, offered.sample_currency) == (
        2,
        2500,
        "USD",
    )
    for bad in (
        {"sample_units": 3, "sample_price_minor": 100, "currency": "USD"},
        {"sample_units": 1, "sample_price_minor": 0, "currency": "USD"},
        {"sample_units": 1, "sample_price_minor": 100, "currency": "XX"},
    ):
        with pytest.raises(services.InvalidSampleOffer):
            services.variant_sample_set(
                actor_user_id=s.owner.pk, actor_role=MERCHANT, variant_id=variant.pk, **bad
            )
    clerk = f.staff(s.merchant, role="clerk")
    with pytest.raises(StaffRoleTooLow):
        services.variant_sample_set(
            actor_user_id=clerk.pk, actor_role=MERCHANT, variant_id=variant.pk, sample_units=0
        )
    withdrawn = services.variant_sample_set(
        actor_user_id=s.owner.pk, actor_role=MERCHANT, variant_id=variant.pk, sample_units=0
    )
    assert (withdrawn.sample_price_minor, withdrawn.sample_currency) == (None, "")


def test_the_product_page_reads_terms_and_samples_by_the_one_rule() -> None:
    s = _trade_shop()
    product, variant = f.listed_product(s, currency="USD", amount_minor=900)
    _set(s.owner, product.pk)
    Variant.objects.filter(pk=variant.pk).update(
        sample_units=1, sample_price_minor=1500, sample_currency="USD"
    )
    detail = selectors.product_detail(
        marketplace_id=s.marketplace.pk, currency="USD", product_id=product.pk
    )
    assert (detail.incoterm, detail.incoterm_place, detail.lead_time_days) == ("FOB", "Genova", 25)
    assert detail.incoterm_name == "Free on Board"
    [option] = detail.variants
    python = rules.sample_unit_price_minor(
        sample_units=1, sample_price_minor=1500, sample_currency="USD", currency="USD"
    )
    assert option.sample_price_minor == python == 1500 and option.sample_units == 1
    assert (
        rules.sample_unit_price_minor(
            sample_units=1, sample_price_minor=1500, sample_currency="USD", currency="EUR"
        )
        is None
    )
    assert rules.sample_quantity_allowed(1, sample_units=1)
    assert not rules.sample_quantity_allowed(2, sample_units=1)
    assert not rules.sample_quantity_allowed(0, sample_units=2)


def _h(user: Any, language: str = "en") -> dict[str, str]:
    return {
        "HTTP_AUTHORIZATION": f"Bearer {token_issue(user_id=user.pk).key}",
        "HTTP_ACCEPT_LANGUAGE": language,
    }


def test_console_api_and_denials(client: Client) -> None:
    s = _trade_shop()
    product, variant = f.listed_product(s, currency="USD")
    url = f"/api/v1/products/{product.pk}/listing-terms"
    body = {
        "lead_time_days": 30,
        "incoterm": "CIF",
        "incoterm_place": "Shanghai",
        "payment_terms": "advance",
        "hs_code": "090121",
    }
    ok = client.put(url, body, content_type="application/json", **_h(s.owner))
    assert ok.status_code == 200, ok.content
    assert ok.json()["incoterm"] == "CIF" and ok.json()["lead_time_days"] == 30
    clerk = f.staff(s.merchant, role="clerk")
    assert client.put(url, body, content_type="application/json", **_h(clerk)).status_code == 403
    other = f.shop(s.marketplace)
    assert (
        client.put(url, body, content_type="application/json", **_h(other.owner)).status_code == 404
    )
    buyer = f.user("buyer")
    assert client.put(url, body, content_type="application/json", **_h(buyer)).status_code == 403
    assert client.put(url, body, content_type="application/json").status_code == 401
    bad = client.put(
        url, dict(body, incoterm="FOX"), content_type="application/json", **_h(s.owner, "it")
    )
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_trade_terms"
    assert "Incoterms 2020" in bad.json()["detail"] and "FOB" in bad.json()["detail"]
    sample_url = f"/api/v1/variants/{variant.pk}/sample"
    offer = {"sample_units": 2, "sample_price_minor": 1999, "currency": "USD"}
    made = client.put(sample_url, offer, content_type="application/json", **_h(s.owner))
    assert made.status_code == 200 and made.json()["sample_price_minor"] == 1999
    assert (
        client.put(sample_url, offer, content_type="application/json", **_h(clerk)).status_code
        == 403
    )
    assert (
        client.put(
            sample_url, offer, content_type="application/json", **_h(other.owner)
        ).status_code
        == 404
    )
    too_many = client.put(
        sample_url, dict(offer, sample_units=5), content_type="application/json", **_h(s.owner)
    )
    assert too_many.status_code == 422 and too_many.json()["error"] == "invalid_sample_offer"
    public = client.get(f"/api/v1/marketplaces/trade/products/{product.pk}?country=US").json()
    assert public["incoterm"] == "CIF" and public["incoterm_place"] == "Shanghai"
    assert public["payment_terms"] == "advance" and public["lead_time_days"] == 30
    assert public["variants"][0]["sample_price_minor"] == 1999
