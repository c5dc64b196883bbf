from __future__ import annotations

import dataclasses

import pytest

from fiera.marketplaces.selectors import (
    CountryNotServed,
    MarketplaceNotFound,
    marketplace_currency_for,
    marketplace_get,
    marketplace_get_by_id,
    marketplace_infos_by_id,
    marketplace_list,
    marketplace_shopping_context,
    shopping_session_key,
)
from tests.marketplaces.factories import make_marketplace

pytestmark = pytest.mark.django_db


def test_get_by_slug_and_id_return_frozen_dataclasses() -> None:
    made = make_marketplace(slug="asia", countries={"CN": "CNY", "HK": "HKD"})
    info = marketplace_get(slug="asia")
    assert info == marketplace_get_by_id(marketplace_id=made.id)
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.name = "changed"  # type: ignore[misc]


def test_unknown_marketplace_is_not_found() -> None:
    with pytest.raises(MarketplaceNotFound) as excinfo:
        marketplace_get(slug="nowhere")
    assert excinfo.value.code == "marketplace_not_found"
    assert excinfo.value.status == 404
    with pytest.raises(MarketplaceNotFound):
        marketplace_get_by_id(marketplace_id=987654)
    with pytest.raises(MarketplaceNotFound):
        marketplace_currency_for(marketplace_id=987654, country="IT")


def test_currency_for_listed_countries(django_assert_num_queries: object) -> None:
    info = make_marketplace(countries={"IT": "EUR", "CH": "CHF"})
    with django_assert_num_queries(1):  # type: ignore[operator]
        assert marketplace_currency_for(marketplace_id=info.id, country="CH") == "CHF"
    assert marketplace_currency_for(marketplace_id=info.id, country="it") == "EUR"


def test_currency_for_unserved_country_names_country_and_marketplace() -> None:
    info = make_marketplace(name="Alpine", countries={"IT": "EUR", "CH": "CHF"})
    with pytest.raises(CountryNotServed) as excinfo:
        marketplace_currency_for(marketplace_id=info.id, country="JP")
    assert excinfo.value.code == "country_not_served"
    assert excinfo.value.status == 422
    assert "JP" in excinfo.value.detail
    assert "Alpine" in excinfo.value.detail


def test_currency_for_worldwide_is_default_for_any_real_country() -> None:
    info = make_marketplace(worldwide=True, default_currency="USD")
    assert marketplace_currency_for(marketplace_id=info.id, country="JP") == "USD"
    assert marketplace_currency_for(marketplace_id=info.id, country="BR") == "USD"
    with pytest.raises(CountryNotServed):
        marketplace_currency_for(marketplace_id=info.id, country="XX")


def test_shopping_context_keeps_a_served_country() -> None:
    make_marketplace(slug="eu", countries={"IT": "EUR", "CH": "CHF"})
    context = marketplace_shopping_context(slug="eu", country="CH")
    assert (context.country, context.currency) == ("CH", "CHF")
    assert context.marketplace.slug == "eu"


def test_shopping_context_falls_back_to_first_country_alphabetically() -> None:
    make_marketplace(slug="eu", countries={"IT": "EUR", "CH": "CHF", "DE": "EUR"})
    for wanted in (None, "", "JP", "xx"):
        context = marketplace_shopping_context(slug="eu", country=wanted)
        assert (context.country, context.currency) == ("CH", "CHF")


def test_shopping_context_worldwide_defaults_to_us() -> None:
    make_marketplace(slug="world", worldwide=True, default_currency="EUR")
    assert marketplace_shopping_context(slug="world", country=None).country == "US"
    assert marketplace_shopping_context(slug="world", country="XX").country == "US"
    context = marketplace_shopping_context(slug="world", country="jp")
    assert (context.country, context.currency) == ("JP", "EUR")


def test_shopping_context_unknown_marketplace() -> None:
    with pytest.raises(MarketplaceNotFound):
        marketplace_shopping_context(slug="nope", country="IT")


def test_session_key() -> None:
    assert shopping_session_key("eu") == "shop:eu:country"


def test_list_hides_inactive_and_infos_by_id() -> None:
    active = make_marketplace()
    inactive = make_marketplace()
    from fiera.marketplaces.models import Marketplace

    Marketplace.objects.filter(pk=inactive.id).update(is_active=False)
    assert [m.pk for m in marketplace_list()] == [active.id]
    assert {m.pk for m in marketplace_list(active_only=False)} == {active.id, inactive.id}
    infos = marketplace_infos_by_id(marketplace_ids=[inactive.id, 424242])
    assert list(infos) == [inactive.id]
    assert infos[inactive.id].is_active is False


def test_get_is_one_query_with_sorted_countries(django_assert_num_queries: object) -> None:
    made = make_marketplace(slug="one-query", countries={"HK": "HKD", "CN": "CNY", "MO": "MOP"})
    with django_assert_num_queries(1):  # type: ignore[operator]
        info = marketplace_get(slug="one-query")
    assert list(info.countries.items()) == [("CN", "CNY"), ("HK", "HKD"), ("MO", "MOP")]
    assert info == made and info.languages == ("it", "en") and info.is_active is True
    with django_assert_num_queries(1):  # type: ignore[operator]
        assert marketplace_get_by_id(marketplace_id=made.id) == info


def test_a_worldwide_marketplace_has_no_countries() -> None:
    made = make_marketplace(slug="world", worldwide=True, default_currency="USD")
    info = marketplace_get(slug="world")
    assert (info.id, info.worldwide, info.countries) == (made.id, True, {})
