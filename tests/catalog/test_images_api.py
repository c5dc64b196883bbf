"""The product pictures' HTTP contract: multipart upload, list, order, delete, denials."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from fiera.accounts.models import User
from fiera.accounts.services import token_issue
from fiera.catalog.models import ProductImage
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_root(settings: Any, tmp_path: Path) -> None:
    """This test's pictures only, so it can count the files it leaves."""
    settings.MEDIA_ROOT = tmp_path / "media"


API = "/api/v1"


def _client(user: User | None = None, language: str = "en") -> Client:
    headers = {"Accept-Language": language}
    if user is not None:
        headers["Authorization"] = f"Bearer {token_issue(user_id=user.pk).key}"
    return Client(headers=headers)


def _file(fmt: str = "PNG", name: str = "p.png", data: bytes | None = None) -> io.BytesIO:
    if data is None:
        out = io.BytesIO()
        Image.new("RGB", (400, 300), (30, 90, 60)).save(out, format=fmt)
        data = out.getvalue()
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def _upload(client: Client, product_id: int, **fields: Any) -> Any:
    body = {"image": _file(), **fields}
    return client.post(f"{API}/products/{product_id}/images", data=body)


def test_upload_list_order_delete() -> None:
    shop = f.shop()
    product, _ = f.listed_product(shop)
    owner = _client(shop.owner)
    first = _upload(owner, product.pk, alt_text="Front")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["position"] == 0
    assert (body["width"], body["height"], body["alt_text"]) == (400, 300, "Front")
    assert body["url"].startswith("/media/products/") and body["url"].endswith(".webp")
    assert body["thumbnail_url"].startswith("/media/products/thumbs/")
    second = _upload(owner, product.pk).json()
    listed = owner.get(f"{API}/products/{product.pk}/images").json()
    assert [i["id"] for i in listed] == [body["id"], second["id"]]
    ordered = owner.put(
        f"{API}/products/{product.pk}/images/order",
        data={"image_ids": [second["id"], body["id"]]},
        content_type="application/json",
    )
    assert ordered.status_code == 200
    assert [(i["id"], i["position"]) for i in ordered.json()] == [
        (second["id"], 0),
        (body["id"], 1),
    ]
    # the storefront's cards carry the cover
    search = Client().get(f"{API}/marketplaces/{shop.marketplace.slug}/products").json()
    assert search["items"][0]["cover_thumbnail_url"] == second["thumbnail_url"]
    # and the public product its pictures, the cover first
    detail = Client().get(f"{API}/marketplaces/{shop.marketplace.slug}/products/{product.pk}")
    assert [i["id"] for i in detail.json()["images"]] == [second["id"], body["id"]]
    gone = owner.delete(f"{API}/products/{product.pk}/images/{second['id']}")
    assert gone.status_code == 204
    assert [i["id"] for i in owner.get(f"{API}/products/{product.pk}/images").json()] == [
        body["id"]
    ]


def test_bad_files_are_422_in_the_readers_language() -> None:
    shop = f.shop()
    product, _ = f.listed_product(shop)
    italian = _client(shop.owner, "it")
    answer = italian.post(
        f"{API}/products/{product.pk}/images",
        data={"image": _file(name="notes.txt", data=b"just some text")},
    )
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "image_unreadable"
    assert "JPEG, PNG" in body["detail"] and "immagine" in body["detail"].lower()
    bomb = io.BytesIO()
    Image.new("1", (8000, 6000)).save(bomb, format="PNG")
    answer = italian.post(
        f"{API}/products/{product.pk}/images",
        data={"image": _file(name="bomb.png", data=bomb.getvalue())},
    )
    assert answer.status_code == 422
    assert answer.json()["error"] == "image_too_many_pixels"
    missing = _client(shop.owner).post(f"{API}/products/{product.pk}/images", data={})
    assert missing.status_code == 422
    wrong_order = _client(shop.owner).put(
        f"{API}/products/{product.pk}/images/order",
        data={"image_ids": [1, 2]},
        content_type="application/json",
    )
    assert wrong_order.status_code == 422
    assert wrong_order.json()["error"] == "invalid_image_order"
    assert not ProductImage.objects.exists()


def test_denials() -> None:
    shop = f.shop()
    product, _ = f.listed_product(shop)
    image = _upload(_client(shop.owner), product.pk).json()
    images = f"{API}/products/{product.pk}/images"
    one = f"{images}/{image['id']}"
    order = {"image_ids": [image["id"]]}
    # not signed in
    anonymous = _client()
    assert anonymous.get(images).status_code == 401
    assert _upload(anonymous, product.pk).status_code == 401
    assert anonymous.delete(one).status_code == 401
    # a buyer
    buyer = _client(f.user("buyer"))
    assert buyer.get(images).status_code == 403
    assert _upload(buyer, product.pk).status_code == 403
    assert buyer.delete(one).status_code == 403
    # another merchant's staff: the product does not exist for them
    stranger = _client(f.shop().owner)
    assert stranger.get(images).status_code == 404
    assert _upload(stranger, product.pk).status_code == 404
    assert stranger.delete(one).status_code == 404
    put = stranger.put(f"{images}/order", data=order, content_type="application/json")
    assert put.status_code == 404
    # a picture of another product through this product's address
    other, _ = f.listed_product(shop)
    assert (
        _client(shop.owner).delete(f"{API}/products/{other.pk}/images/{image['id']}").status_code
        == 404
    )
    assert ProductImage.objects.count() == 1


def test_a_large_photo_uploads_and_a_too_large_one_is_refused_in_words() -> None:
    import os

    shop = f.shop()
    product, _ = f.listed_product(shop)
    owner = _client(shop.owner)
    noise = Image.frombytes("RGB", (1800, 1400), os.urandom(1800 * 1400 * 3))
    photo = io.BytesIO()
    noise.save(photo, format="JPEG", quality=98)
    assert 3_000_000 < len(photo.getvalue()) < 10 * 1024 * 1024  # above Django's 2.5 MB
    answer = owner.post(
        f"{API}/products/{product.pk}/images",
        data={"image": _file(name="photo.jpg", data=photo.getvalue())},
    )
    assert answer.status_code == 201, answer.content
    assert max(answer.json()["width"], answer.json()["height"]) == 1600
    huge = photo.getvalue() + b"\0" * (10 * 1024 * 1024)
    answer = owner.post(
        f"{API}/products/{product.pk}/images", data={"image": _file(name="big.jpg", data=huge)}
    )
    assert answer.status_code == 422
    assert answer.json()["error"] == "image_too_large"
