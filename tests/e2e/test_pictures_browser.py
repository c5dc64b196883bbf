"""Pictures in Chromium: a merchant uploads a product picture with the file input on a
390 px phone and sees its thumbnail; a visitor sees it as the product's cover on the store
page and in the product's gallery (served from /media/ under the CSP), the store's logo and
description, and a placeholder for a product without a picture; nothing scrolls sideways."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-pictures"
LOADED = "[...document.images].filter(i => i.complete && i.naturalWidth > 0).map(i => i.src)"


@pytest.fixture(autouse=True)
def _own_media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _fits(page: Any, where: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{where} scrolls sideways by {overflow} px"


def test_upload_then_see_it_on_the_storefront(
    browser: Any,  # noqa: F811
    live_server: Any,
    tmp_path: Path,
) -> None:
    from fiera.accounts.roles import MERCHANT
    from fiera.merchants import services as merchant_services
    from fiera.merchants.models import Store
    from tests.catalog import factories as f

    shop = f.shop(display_name="Frantoio Sole")
    shop.owner.set_password(PASSWORD)
    shop.owner.save()
    product, _ = f.listed_product(shop, name_en="Extra virgin olive oil")
    bare, _ = f.listed_product(shop, name_en="Balsamic vinegar")
    store = Store.objects.get(merchant=shop.merchant)
    logo = io.BytesIO()
    Image.new("RGB", (300, 300), (20, 90, 50)).save(logo, format="PNG")
    merchant_services.store_logo_set(
        store_id=store.pk, upload=logo.getvalue(), actor_id=shop.owner.pk, actor_role=MERCHANT
    )
    merchant_services.store_describe(
        store_id=store.pk,
        description_en="Olive oil pressed in Apulia since 1921.",
        actor_id=shop.owner.pk,
        actor_role=MERCHANT,
    )
    picture = tmp_path / "bottle.jpg"
    Image.new("RGB", (900, 1200), (200, 160, 40)).save(picture, format="JPEG")

    base = live_server.url
    phone = browser.new_page(locale="en-US", viewport={"width": 390, "height": 844})
    phone.set_default_timeout(15_000)
    phone.goto(f"{base}/login/")
    phone.fill("input[name=username]", shop.owner.username)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(re.compile(rf"^{re.escape(base)}/"))
    phone.goto(f"{base}/console/products/{product.pk}/")
    section = phone.locator("#images")
    assert "No picture yet" in section.inner_text()
    phone.set_input_files("#image-file", str(picture))
    phone.fill("#image-alt", "The 500 ml bottle")
    phone.click("#images button.primary")
    phone.wait_for_url(re.compile(r"#images$"))
    assert "Picture added." in phone.inner_text("body")
    thumbnail = phone.locator("#images img.thumb")
    assert thumbnail.count() == 1
    # The page is there before its pictures: wait for the thumbnail itself to load.
    phone.wait_for_function(
        "() => { const i = document.querySelector('#images img.thumb');"
        " return i !== null && i.complete && i.naturalWidth > 0; }"
    )
    assert "Cover" in section.inner_text()
    _fits(phone, "the console's product page")

    visitor = browser.new_page(locale="en-US", viewport={"width": 390, "height": 844})
    visitor.set_default_timeout(15_000)
    blocked: list[str] = []
    visitor.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else 0)
    visitor.goto(f"{base}/m/{shop.marketplace.slug}/store/{store.slug}/")
    visitor.wait_for_load_state("networkidle")
    text = (
        visitor.inner_text("main")
        if visitor.locator("main").count()
        else visitor.inner_text("body")
    )
    assert "Olive oil pressed in Apulia since 1921." in text
    loaded = visitor.evaluate(LOADED)
    assert any("/media/stores/logos/" in src for src in loaded)
    assert any("/media/products/thumbs/" in src for src in loaded)
    assert visitor.locator(".card .thumb-empty").count() == 1  # the vinegar's placeholder
    _fits(visitor, "the store page")

    visitor.goto(f"{base}/m/{shop.marketplace.slug}/p/{product.pk}/")
    visitor.wait_for_load_state("networkidle")
    gallery = visitor.locator(".gallery-main img")
    assert gallery.get_attribute("alt") == "The 500 ml bottle"
    visitor.wait_for_function(
        "() => { const i = document.querySelector('.gallery-main img');"
        " return i !== null && i.complete && i.naturalWidth > 0; }"
    )
    _fits(visitor, "the product page")
    visitor.goto(f"{base}/m/{shop.marketplace.slug}/p/{bare.pk}/")
    assert visitor.locator(".gallery .thumb-empty").count() == 1
    assert blocked == []
