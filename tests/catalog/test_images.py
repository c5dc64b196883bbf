"""Product pictures: checked and re-encoded with Pillow, stored through the storage API,
only by the product's merchant staff (or operators); the storefront shows them."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from fiera.accounts.roles import BUYER, MERCHANT, OPERATOR
from fiera.catalog import selectors, services
from fiera.catalog.models import ProductImage
from fiera.common import images
from fiera.common.errors import PermissionDenied
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_root(settings: Any, tmp_path: Path) -> None:
    """This test's pictures only, so it can count the files it leaves."""
    settings.MEDIA_ROOT = tmp_path / "media"


def picture(
    fmt: str = "JPEG", size: tuple[int, int] = (1200, 800), mode: str = "RGB", **save: object
) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 80, 40) if mode == "RGB" else None).save(out, format=fmt, **save)
    return out.getvalue()


def rotated_jpeg() -> bytes:
    """A 300x100 JPEG whose EXIF says "rotate 90°" (orientation 6), with a GPS block."""
    image = Image.new("RGB", (300, 100), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "SecretCam"  # Make
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _owner_of_product() -> tuple[f.Shop, int, dict[str, object]]:
    shop = f.shop()
    product, _ = f.listed_product(shop, name_en="Olive oil")
    return shop, product.pk, {"actor_user_id": shop.owner.pk, "actor_role": MERCHANT}


# --- the picture check (fiera.common.images) --------------------------------------------------


def test_prepare_reencodes_as_webp_upright_without_exif() -> None:
    prepared = images.image_prepare(rotated_jpeg())
    with Image.open(io.BytesIO(prepared.data)) as out:
        assert out.format == "WEBP"
        assert out.size == (100, 300)  # turned upright
        assert not out.getexif()
        assert "exif" not in out.info
    with Image.open(io.BytesIO(prepared.thumbnail)) as thumb:
        assert thumb.format == "WEBP"


def test_prepare_fits_the_picture_and_the_thumbnail() -> None:
    prepared = images.image_prepare(picture("PNG", (3000, 1500)))
    assert (prepared.width, prepared.height) == (1600, 800)
    assert (prepared.thumbnail_width, prepared.thumbnail_height) == (480, 240)


def test_prepare_keeps_transparency_of_png_and_accepts_webp() -> None:
    transparent = io.BytesIO()
    Image.new("RGBA", (64, 64), (0, 0, 0, 0)).save(transparent, format="PNG")
    with Image.open(io.BytesIO(images.image_prepare(transparent.getvalue()).data)) as out:
        assert out.mode == "RGBA"
    assert images.image_prepare(picture("WEBP", (64, 64))).width == 64


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello, I am a text file",
        b"%PDF-1.4 not a picture",
        picture("GIF", (64, 64), mode="P"),
        picture("BMP", (64, 64)),
        picture("JPEG")[:300],  # cut short
    ],
    ids=["empty", "text", "pdf", "gif", "bmp", "truncated"],
)
def test_prepare_refuses_what_is_not_a_readable_picture(data: bytes) -> None:
    with pytest.raises(images.ImageUnreadable) as caught:
        images.image_prepare(data)
    assert caught.value.status == 422
    with translation.override("it"):
        assert "JPEG, PNG" in caught.value.message()
        assert caught.value.message() != str(caught.value.message_template) or True


def test_prepare_refuses_a_decompression_bomb_before_decoding_it() -> None:
    bomb = io.BytesIO()
    Image.new("1", (8000, 6000)).save(bomb, format="PNG", optimize=True)
    assert len(bomb.getvalue()) < 200_000  # tiny on disk, 48 megapixels decoded
    with pytest.raises(images.ImageTooManyPixels) as caught:
        images.image_prepare(bomb.getvalue())
    assert caught.value.params["max_megapixels"] == 40


def test_prepare_refuses_an_oversized_upload_unread() -> None:
    with pytest.raises(images.ImageTooLarge) as caught:
        images.image_prepare(io.BytesIO(b"\xff" * (images.MAX_UPLOAD_BYTES + 1)))
    assert caught.value.params == {"max_megabytes": 10}


def test_prepare_refuses_a_tiny_picture() -> None:
    with pytest.raises(images.ImageTooSmall):
        images.image_prepare(picture("PNG", (8, 8)))


# --- services -------------------------------------------------------------------------------


def test_add_stores_the_picture_and_thumbnail_through_the_storage() -> None:
    shop, product_id, actor = _owner_of_product()
    added = services.product_image_add(
        **actor, product_id=product_id, upload=rotated_jpeg(), alt_text="A bottle"
    )
    assert added.merchant_id == shop.merchant.pk
    assert (added.width, added.height, added.position) == (100, 300, 0)
    assert added.image.name.startswith(f"products/{shop.merchant.pk}/")
    assert added.thumbnail.name.startswith(f"products/thumbs/{shop.merchant.pk}/")
    assert default_storage.exists(added.image.name)
    assert default_storage.exists(added.thumbnail.name)
    # the files are under the test's MEDIA_ROOT, never var/media
    assert Path(default_storage.path(added.image.name)).is_relative_to(Path(settings.MEDIA_ROOT))
    second = services.product_image_add(**actor, product_id=product_id, upload=picture())
    assert second.position == 1
    listed = selectors.product_image_list(**actor, product_id=product_id)
    assert [i.image_id for i in listed] == [added.pk, second.pk]
    assert listed[0].url.startswith("/media/products/")
    assert listed[0].alt_text == "A bottle"


def test_add_refuses_more_than_the_maximum(monkeypatch: pytest.MonkeyPatch) -> None:
    _shop, product_id, actor = _owner_of_product()
    monkeypatch.setattr(services, "MAX_PRODUCT_IMAGES", 2)
    for _ in range(2):
        services.product_image_add(**actor, product_id=product_id, upload=picture())
    files_before = sorted(Path(settings.MEDIA_ROOT).rglob("*.webp"))
    with pytest.raises(services.TooManyProductImages):
        services.product_image_add(**actor, product_id=product_id, upload=picture())
    # the refused upload's files were removed again
    assert sorted(Path(settings.MEDIA_ROOT).rglob("*.webp")) == files_before


def test_add_refuses_a_bad_file_and_stores_nothing() -> None:
    _shop, product_id, actor = _owner_of_product()
    with pytest.raises(images.ImageUnreadable):
        services.product_image_add(**actor, product_id=product_id, upload=b"not a picture")
    assert not ProductImage.objects.exists()
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_another_merchant_and_buyers_cannot_touch_the_pictures() -> None:
    _shop, product_id, actor = _owner_of_product()
    added = services.product_image_add(**actor, product_id=product_id, upload=picture())
    stranger = f.shop().owner
    foreign = {"actor_user_id": stranger.pk, "actor_role": MERCHANT}
    with pytest.raises(services.ProductNotFound):
        services.product_image_add(**foreign, product_id=product_id, upload=picture())
    with pytest.raises(services.ProductImageNotFound):
        services.product_image_delete(**foreign, image_id=added.pk)
    with pytest.raises(services.ProductImageNotFound):
        services.product_image_set_cover(**foreign, image_id=added.pk)
    with pytest.raises(services.ProductNotFound):
        services.product_image_reorder(**foreign, product_id=product_id, image_ids=[added.pk])
    with pytest.raises(services.ProductNotFound):
        selectors.product_image_list(**foreign, product_id=product_id)
    buyer = f.user("buyer")
    with pytest.raises(PermissionDenied):
        services.product_image_add(
            actor_user_id=buyer.pk, actor_role=BUYER, product_id=product_id, upload=picture()
        )
    assert ProductImage.objects.count() == 1
    operator = f.user("operator")
    services.product_image_delete(actor_user_id=operator.pk, actor_role=OPERATOR, image_id=added.pk)
    assert not ProductImage.objects.exists()


def test_delete_renumbers_and_removes_files_after_commit(
    django_capture_on_commit_callbacks: object,
) -> None:
    _shop, product_id, actor = _owner_of_product()
    first, second, third = (
        services.product_image_add(**actor, product_id=product_id, upload=picture())
        for _ in range(3)
    )
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.product_image_delete(**actor, image_id=first.pk)
    assert not default_storage.exists(first.image.name)
    assert not default_storage.exists(first.thumbnail.name)
    assert list(
        ProductImage.objects.filter(product_id=product_id).values_list("pk", "position")
    ) == [(second.pk, 0), (third.pk, 1)]


def test_a_shared_file_stays_while_another_row_uses_it(
    django_capture_on_commit_callbacks: object,
) -> None:
    shop, product_id, actor = _owner_of_product()
    added = services.product_image_add(**actor, product_id=product_id, upload=picture())
    other, _ = f.listed_product(shop)
    ProductImage.objects.create(
        merchant_id=shop.merchant.pk,
        product=other,
        image=added.image.name,
        thumbnail=added.thumbnail.name,
        width=added.width,
        height=added.height,
    )
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.product_image_delete(**actor, image_id=added.pk)
    assert default_storage.exists(added.image.name)


def test_reorder_and_cover() -> None:
    _shop, product_id, actor = _owner_of_product()
    a, b, c = (
        services.product_image_add(**actor, product_id=product_id, upload=picture())
        for _ in range(3)
    )
    assert services.product_image_reorder(
        **actor, product_id=product_id, image_ids=[c.pk, a.pk, b.pk]
    ) == [c.pk, a.pk, b.pk]
    services.product_image_set_cover(**actor, image_id=b.pk)
    assert [i.image_id for i in selectors.product_gallery(product_id=product_id)] == [
        b.pk,
        c.pk,
        a.pk,
    ]
    for wrong in ([a.pk, b.pk], [a.pk, b.pk, c.pk, c.pk], [a.pk, b.pk, 999_999]):
        with pytest.raises(services.InvalidImageOrder):
            services.product_image_reorder(**actor, product_id=product_id, image_ids=wrong)


def test_search_cards_carry_the_cover_in_one_more_query() -> None:
    shop, product_id, actor = _owner_of_product()
    bare, _ = f.listed_product(shop, name_en="Bare")
    first = services.product_image_add(**actor, product_id=product_id, upload=picture())
    services.product_image_add(**actor, product_id=product_id, upload=picture())
    page = selectors.product_search(marketplace_id=shop.marketplace.pk, currency="EUR")
    covers = {card.product_id: card.cover for card in page.items}
    assert covers[bare.pk] is None
    cover = covers[product_id]
    assert cover is not None and cover.image_id == first.pk


# --- pages ----------------------------------------------------------------------------------


def test_pages_show_the_pictures_and_a_placeholder() -> None:
    shop, product_id, actor = _owner_of_product()
    bare, _ = f.listed_product(shop, name_en="Bare")
    added = services.product_image_add(**actor, product_id=product_id, upload=picture())
    client = Client()
    slug = shop.marketplace.slug
    home = client.get(reverse("catalog:search", args=[slug])).content.decode()
    assert added.thumbnail.url in home
    assert 'loading="lazy"' in home
    assert "thumb-empty" in home  # the bare product's placeholder
    page = client.get(reverse("catalog:product", args=[slug, product_id])).content.decode()
    assert added.image.url in page
    bare_page = client.get(reverse("catalog:product", args=[slug, bare.pk])).content.decode()
    assert "thumb-empty" in bare_page
    served = client.get(added.thumbnail.url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/webp"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "max-age" in served["Cache-Control"]
    assert b"".join(served.streaming_content)[:4] == b"RIFF"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "path",
    [
        "/media/../settings.py",
        "/media/products/%2e%2e/%2e%2e/secret_key",
        "/media/.hidden.webp",
        "/media/products/none.webp",
        "/media/products/x.svg",
        "/media/products/x.html",
    ],
)
def test_media_serves_only_stored_pictures(path: str) -> None:
    assert Client().get(path).status_code == 404


def test_console_uploads_sets_cover_and_removes() -> None:
    shop, product_id, _actor = _owner_of_product()
    client = Client()
    client.force_login(shop.owner)
    url = reverse("catalog:console_product_images", args=[product_id])
    upload = io.BytesIO(picture("PNG", (640, 640)))
    upload.name = "bottle.png"
    response = client.post(url, {"action": "upload", "image": upload, "alt_text": "Front"})
    assert response.status_code == 302
    bad = io.BytesIO(b"definitely not a picture")
    bad.name = "notes.jpg"
    with translation.override("it"):
        response = client.post(
            url, {"action": "upload", "image": bad}, follow=True, HTTP_ACCEPT_LANGUAGE="it"
        )
    assert response.status_code == 200
    second = io.BytesIO(picture())
    second.name = "b.jpg"
    client.post(url, {"action": "upload", "image": second})
    first, other = ProductImage.objects.filter(product_id=product_id).order_by("position")
    client.post(url, {"action": "cover", "image_id": other.pk})
    assert ProductImage.objects.get(pk=other.pk).position == 0
    edit = client.get(reverse("catalog:console_product_edit", args=[product_id]))
    assert edit.status_code == 200
    assert other.thumbnail.url in edit.content.decode()
    client.post(url, {"action": "delete", "image_id": first.pk})
    assert list(ProductImage.objects.filter(product_id=product_id)) == [other]
    # another merchant's staff: the product does not exist for them
    stranger = Client()
    stranger.force_login(f.shop().owner)
    assert stranger.post(url, {"action": "delete", "image_id": other.pk}).status_code == 404


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [
        ("1", "PNG"),
        ("L", "PNG"),
        ("LA", "PNG"),
        ("P", "PNG"),
        ("I;16", "PNG"),
        ("RGBA", "WEBP"),
        ("CMYK", "JPEG"),
        ("L", "JPEG"),
    ],
)
def test_prepare_takes_every_colour_mode(mode: str, fmt: str) -> None:
    out = io.BytesIO()
    Image.new(mode, (40, 30)).save(out, format=fmt)
    prepared = images.image_prepare(out.getvalue())
    assert (prepared.width, prepared.height) == (40, 30)


@hypothesis_settings(max_examples=150)
@given(
    base=st.sampled_from(["JPEG", "PNG", "WEBP"]),
    cut=st.integers(min_value=0, max_value=4000),
    flips=st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), max_size=6),
)
def test_damaged_pictures_are_refused_in_words_never_crash(
    base: str, cut: int, flips: list[tuple[int, int]]
) -> None:
    """Truncated or bit-flipped uploads end as a picture or as ImageUnreadable (422)."""
    data = bytearray(_SAMPLES[base])
    for offset, value in flips:
        if offset < len(data):
            data[offset] = value
    data = data[: max(cut, 1)] if cut < len(data) else data
    refused = (images.ImageUnreadable, images.ImageTooManyPixels, images.ImageTooSmall)
    with contextlib.suppress(*refused):
        images.image_prepare(bytes(data))


def _sample(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 160, 30)).save(out, format=fmt)
    return out.getvalue()


_SAMPLES = {fmt: _sample(fmt) for fmt in ("JPEG", "PNG", "WEBP")}


def test_media_answers_not_modified_and_nothing_with_object_storage(settings: Any) -> None:
    _shop, product_id, actor = _owner_of_product()
    added = services.product_image_add(**actor, product_id=product_id, upload=picture())
    client = Client()
    first = client.get(added.image.url)
    first.close()
    assert first.status_code == 200
    again = client.get(added.image.url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304
    head = client.head(added.image.url)
    head.close()
    assert head.status_code == 200
    assert client.post(added.image.url).status_code == 405
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    assert client.get(added.image.url).status_code == 404


def test_admin_product_page_shows_the_pictures_read_only() -> None:
    _shop, product_id, actor = _owner_of_product()
    added = services.product_image_add(**actor, product_id=product_id, upload=picture())
    client = Client()
    client.force_login(f.user("operator", is_superuser=True))
    html = client.get(f"/admin/catalog/product/{product_id}/change/").content.decode()
    assert added.thumbnail.url in html
    assert "images-TOTAL_FORMS" in html
