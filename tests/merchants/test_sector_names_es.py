"""Spanish names of sectors (``name_es``): read by the selectors and the API, shown to
Spanish readers on the console; English where there is none."""

from __future__ import annotations

import pytest
from django.test import Client

from fiera.demo import vocabulary
from fiera.merchants.models import Sector
from fiera.merchants.selectors import merchant_get, sector_list
from tests.merchants.factories import make_merchant, make_user

pytestmark = pytest.mark.django_db


def test_selectors_and_api_carry_the_spanish_name(client: Client, sectors: None) -> None:
    Sector.objects.filter(slug="fashion").update(name_es="Moda española")
    found = {s.slug: s for s in sector_list()}
    assert found["fashion"].name_es == "Moda española"
    assert found["luxury"].name_es == ""  # the migration's rows have none
    body = {s["slug"]: s for s in client.get("/api/v1/sectors").json()}
    assert body["fashion"]["name_es"] == "Moda española"
    assert body["luxury"]["name_es"] == ""
    info = make_merchant(sector_slugs=["fashion"])
    assert [s.name_es for s in merchant_get(merchant_id=info.id).sectors] == ["Moda española"]


def test_the_console_names_the_sector_in_spanish_or_else_english(
    client: Client, sectors: None
) -> None:
    Sector.objects.filter(slug="fashion").update(name_es="Confección")
    owner = make_user("merchant")
    make_merchant(owner_user_id=owner.pk, sector_slugs=["fashion", "luxury"])
    client.force_login(owner)
    html = client.get("/console/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<span class="badge">Confección</span>' in html
    assert '<span class="badge">Luxury goods</span>' in html


def test_every_demo_sector_has_a_spanish_name() -> None:
    for seed in vocabulary.SECTOR_SEEDS:
        assert seed.name_es, seed.slug
