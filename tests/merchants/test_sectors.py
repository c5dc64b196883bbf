from __future__ import annotations

import ateco
import pytest

from fiera.merchants.models import Sector
from fiera.merchants.selectors import sector_list
from tests.merchants.factories import load_sectors


@pytest.mark.django_db
def test_sector_migration_creates_named_sectors_with_real_ateco_codes(sectors: None) -> None:
    found = {s.slug: s for s in sector_list()}
    for slug in (
        "fashion",
        "luxury",
        "food-wine",
        "cosmetics",
        "design-furniture",
        "sport",
        "jewellery",
        "eyewear",
        "home-textiles",
        "wine-spirits",
    ):
        assert slug in found, slug
    for sector in found.values():
        assert sector.name and sector.name[0].isupper()
        assert sector.ateco_codes
        for code in sector.ateco_codes:
            node = ateco.lookup(code, edition="2025")
            assert node is not None, (sector.slug, code)
            assert node.code == code  # stored in canonical dotted form
            assert node.level in {"division", "group", "class", "category", "subcategory"}
    assert "20.42" in found["cosmetics"].ateco_codes  # profumi e cosmetici
    assert ateco.lookup(found["eyewear"].ateco_codes[-1], edition="2025").title == (
        "Fabbricazione di montature per occhiali"
    )


@pytest.mark.django_db
def test_sector_migration_is_idempotent(sectors: None) -> None:
    before = Sector.objects.count()
    load_sectors()
    assert Sector.objects.count() == before
