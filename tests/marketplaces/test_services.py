from __future__ import annotations

import pytest

from fiera.accounts.roles import SYSTEM
from fiera.common.errors import InvalidInput
from fiera.marketplaces.selectors import marketplace_get
from fiera.marketplaces.services import (
    MarketplaceIsWorldwide,
    MarketplaceSlugTaken,
    OperatorOnly,
    marketplace_country_set,
)
from tests.marketplaces.factories import make_marketplace

pytestmark = pytest.mark.django_db


def test_create_with_countries_returns_info_sorted_by_country() -> None:
    info = make_marketplace(
        slug="europa",
        name="Europa",
        countries={"FR": "EUR", "CH": "CHF", "DE": "EUR"},
        languages=["en", "it"],
    )
    assert info.slug == "europa"
    assert info.kind_label == "B2C cross-border"
    assert list(info.countries) == ["CH", "DE", "FR"]
    assert info.countries["CH"] == "CHF"
    assert info.languages == ("en", "it")
    assert info.currencies == ("EUR", "CHF")
    assert marketplace_get(slug="europa") == info


def test_create_worldwide() -> None:
    info = make_marketplace(worldwide=True, default_currency="USD")
    assert info.worldwide is True
    assert info.countries == {}
    assert info.default_currency == "USD"


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"default_currency": "EURO"}, "ISO 4217"),
        ({"default_currency": "XAU"}, "ISO 4217"),
        ({"countries": {"IT": "LIT"}}, "currency for IT"),
        ({"countries": {"XX": "EUR"}}, "ISO 3166"),
        ({"countries": {"ITA": "EUR"}}, "ISO 3166"),
        ({"languages": ["fr"], "default_language": "fr"}, "unsupported language"),
        ({"languages": []}, "at least one language"),
        ({"languages": ["it"], "default_language": "en"}, "default language"),
        ({"worldwide": True, "countries": {"IT": "EUR"}}, "worldwide"),
        ({"worldwide": False, "countries": {}}, "list the countries"),
        ({"kind": "flea_market"}, "kind must be"),
        ({"slug": "not a slug"}, "not a slug"),
        ({"name": "   "}, "name"),
    ],
)
def test_create_refuses_invalid_input(overrides: dict[str, object], fragment: str) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        make_marketplace(**overrides)
    assert fragment in excinfo.value.detail


def test_create_refuses_a_taken_slug() -> None:
    make_marketplace(slug="taken")
    with pytest.raises(MarketplaceSlugTaken) as excinfo:
        make_marketplace(slug="taken")
    assert excinfo.value.status == 409


def test_create_refuses_non_operators_but_allows_operators() -> None:
    with pytest.raises(OperatorOnly):
        make_marketplace(actor_role="buyer")
    assert make_marketplace(actor_role="operator").slug


def test_country_set_adds_and_replaces_idempotently() -> None:
    info = make_marketplace(countries={"IT": "EUR"})
    info = marketplace_country_set(
        marketplace_id=info.id, country="gb", currency="GBP", actor_role=SYSTEM
    )
    assert info.countries == {"GB": "GBP", "IT": "EUR"}
    info = marketplace_country_set(slug=info.slug, country="GB", currency="EUR", actor_role=SYSTEM)
    info = marketplace_country_set(slug=info.slug, country="GB", currency="EUR", actor_role=SYSTEM)
    assert info.countries == {"GB": "EUR", "IT": "EUR"}


def test_country_set_refuses_worldwide_bad_codes_and_non_operators() -> None:
    worldwide = make_marketplace(worldwide=True)
    with pytest.raises(MarketplaceIsWorldwide):
        marketplace_country_set(
            marketplace_id=worldwide.id, country="IT", currency="EUR", actor_role=SYSTEM
        )
    regional = make_marketplace()
    with pytest.raises(InvalidInput, match="ISO 3166"):
        marketplace_country_set(
            marketplace_id=regional.id, country="ZZ", currency="EUR", actor_role=SYSTEM
        )
    with pytest.raises(InvalidInput, match="ISO 4217"):
        marketplace_country_set(
            marketplace_id=regional.id, country="IT", currency="ZZZ", actor_role=SYSTEM
        )
    with pytest.raises(OperatorOnly):
        marketplace_country_set(
            marketplace_id=regional.id, country="IT", currency="EUR", actor_role="merchant"
        )
