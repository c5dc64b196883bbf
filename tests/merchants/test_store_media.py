"""Store logos and descriptions: services, API contract and denials, console and store page."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from PIL import Image

from fiera.accounts.roles import MERCHANT, SYSTEM
from fiera.accounts.services import token_issue
from fiera.common import images
from fiera.common.errors import NotFound
from fiera.merchants import services
from fiera.merchants.models import Store
from fiera.merchants.selectors import StaffRoleTooLow, StoreNotFound
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_root(settings: Any, tmp_path: Path) -> None:
    """This test's pictures only, so it can count the files it leaves."""
    settings.MEDIA_ROOT = tmp_path / "media"


API = "/api/v1"


def _png(size: tuple[int, int] = (800, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 20, 60)).save(out, format="PNG")
    return out.getvalue()


def _file(data: bytes, name: str = "logo.png") -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def _store(shop: f.Shop) -> Store:
    return Store.objects.get(merchant=shop.merchant, marketplace=shop.marketplace)


def test_logo_set_replace_and_delete(django_capture_on_commit_callbacks: Any) -> None:
    shop = f.shop()
    store = _store(shop)
    actor = {"actor_id": shop.owner.pk, "actor_role": MERCHANT}
    info = services.store_logo_set(store_id=store.pk, upload=_png(), **actor)
    assert info.logo.startswith(f"stores/logos/{store.pk}-") and info.logo.endswith(".webp")
    with default_storage.open(info.logo) as stored, Image.open(stored) as logo:
        assert logo.format == "WEBP" and max(logo.size) == images.LOGO_EDGE
    assert info.logo_url == f"/media/{info.logo}"
    with django_capture_on_commit_callbacks(execute=True):
        again = services.store_logo_set(store_id=store.pk, upload=_png((64, 64)), **actor)
    assert not default_storage.exists(info.logo)  # the replaced file is gone
    with django_capture_on_commit_callbacks(execute=True):
        cleared = services.store_logo_delete(store_id=store.pk, **actor)
    assert cleared.logo == "" and cleared.logo_url == ""
    assert not default_storage.exists(again.logo)


def test_logo_refuses_bad_files_and_other_companies() -> None:
    shop = f.shop()
    store = _store(shop)
    actor = {"actor_id": shop.owner.pk, "actor_role": MERCHANT}
    with pytest.raises(images.ImageUnreadable):
        services.store_logo_set(store_id=store.pk, upload=b"<svg></svg>", **actor)
    stranger = {"actor_id": f.shop().owner.pk, "actor_role": MERCHANT}
    with pytest.raises(NotFound):  # another company's store looks unknown
        services.store_logo_set(store_id=store.pk, upload=_png(), **stranger)
    clerk = f.staff(shop.merchant, role="clerk")
    with pytest.raises(StaffRoleTooLow):
        services.store_describe(
            store_id=store.pk, description_en="x", actor_id=clerk.pk, actor_role=MERCHANT
        )
    with pytest.raises(StoreNotFound):
        services.store_describe(
            store_id=store.pk,
            merchant_id=store.merchant_id + 1000,
            description_en="x",
            actor_role=SYSTEM,
        )
    assert not Store.objects.get(pk=store.pk).logo


def test_descriptions() -> None:
    shop = f.shop()
    store = _store(shop)
    actor = {"actor_id": shop.owner.pk, "actor_role": MERCHANT}
    info = services.store_describe(
        store_id=store.pk, description_it=" Olio dal 1920 ", description_zh="百年油坊", **actor
    )
    assert (info.description_it, info.description_en, info.description_zh) == (
        "Olio dal 1920",
        "",
        "百年油坊",
    )
    info = services.store_describe(store_id=store.pk, description_en="Oil since 1920", **actor)
    assert info.description_it == "Olio dal 1920"  # None leaves it
    with pytest.raises(services.InvalidInput):
        services.store_describe(store_id=store.pk, description_en="x" * 5001, **actor)
    with pytest.raises(services.InvalidInput):
        services.store_describe(store_id=store.pk, description_en="a\x00b", **actor)


def test_api_contract_and_denials() -> None:
    shop = f.shop()
    store = _store(shop)
    base = f"{API}/merchants/{shop.merchant.pk}/stores/{store.pk}"

    def client(user: Any = None, language: str = "en") -> Client:
        headers = {"Accept-Language": language}
        if user is not None:
            headers["Authorization"] = f"Bearer {token_issue(user_id=user.pk).key}"
        return Client(headers=headers)

    owner = client(shop.owner)
    answer = owner.post(f"{base}/logo", data={"logo": _file(_png())})
    assert answer.status_code == 200, answer.content
    assert answer.json()["logo_url"].startswith("/media/stores/logos/")
    bad = client(shop.owner, "zh-hans").post(f"{base}/logo", data={"logo": _file(b"GIF89a")})
    assert bad.status_code == 422 and bad.json()["error"] == "image_unreadable"
    assert "JPEG" in bad.json()["detail"]
    described = owner.patch(
        f"{base}/description",
        data={"description_en": "Family oil mill", "description_zh": "家庭油坊"},
        content_type="application/json",
    )
    assert described.status_code == 200
    assert described.json()["description_zh"] == "家庭油坊"
    assert owner.delete(f"{base}/logo").json()["logo_url"] == ""
    # denials
    assert client().post(f"{base}/logo", data={"logo": _file(_png())}).status_code == 401
    buyer = client(f.user("buyer"))
    assert buyer.post(f"{base}/logo", data={"logo": _file(_png())}).status_code == 403
    stranger = client(f.shop().owner)
    assert stranger.post(f"{base}/logo", data={"logo": _file(_png())}).status_code == 404
    assert stranger.delete(f"{base}/logo").status_code == 404
    patched = stranger.patch(
        f"{base}/description", data={"description_en": "x"}, content_type="application/json"
    )
    assert patched.status_code == 404
    clerk = client(f.staff(shop.merchant, role="clerk"))
    assert clerk.delete(f"{base}/logo").status_code == 403
    wrong_merchant = f"{API}/merchants/{shop.merchant.pk + 999}/stores/{store.pk}/logo"
    assert owner.delete(wrong_merchant).status_code == 404


def test_console_and_store_page() -> None:
    shop = f.shop()
    store = _store(shop)
    client = Client()
    client.force_login(shop.owner)
    url = reverse("merchants:console_store_media", args=[store.pk])
    merchant = shop.merchant.pk
    done = client.post(url, {"merchant": merchant, "action": "logo", "logo": _file(_png())})
    assert done.status_code == 302
    client.post(
        url,
        {
            "merchant": merchant,
            "action": "describe",
            "description_en": "Oil since 1920",
            "description_it": "Olio dal 1920",
            "description_zh": "",
        },
    )
    home = client.get(reverse("merchants:console_home") + f"?merchant={merchant}")
    assert home.status_code == 200
    logo = Store.objects.get(pk=store.pk).logo.name
    assert f"/media/{logo}" in home.content.decode()
    page = Client().get(
        reverse("catalog:store", args=[shop.marketplace.slug, store.slug]),
        HTTP_ACCEPT_LANGUAGE="it",
    )
    text = page.content.decode()
    assert f"/media/{logo}" in text
    assert "Olio dal 1920" in text
    stranger = Client()
    stranger.force_login(f.shop().owner)
    assert stranger.post(url, {"action": "logo_delete"}).status_code == 404
