from __future__ import annotations

from typing import Any

import pytest

from fiera.partners.selectors import PartnerInfo
from tests.merchants.factories import load_sectors, make_user
from tests.partners.factories import make_partner, make_partner_user


@pytest.fixture
def sectors(db: None) -> None:
    load_sectors()


@pytest.fixture
def partner(db: None) -> PartnerInfo:
    return make_partner(slug="camera-lombardia", name="Camera Lombardia")


@pytest.fixture
def other_partner(db: None) -> PartnerInfo:
    return make_partner(slug="banca-sud", name="Banca del Sud", type="bank", region_codes=["IT-72"])


@pytest.fixture
def admin_user(partner: PartnerInfo) -> Any:
    return make_partner_user(partner, "admin")


@pytest.fixture
def staff_user(partner: PartnerInfo) -> Any:
    return make_partner_user(partner, "staff")


@pytest.fixture
def operator(db: None) -> Any:
    return make_user("operator")
