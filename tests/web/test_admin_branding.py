"""The admin reads like the product: plural names a person would write, translated, and
Fiera's name instead of "Django administration"; every page carries Fiera's favicon."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import translation
from django.utils.functional import Promise

from tests.catalog import factories as f

pytestmark = pytest.mark.django_db

ABBREVIATIONS = ("Qr", "Api", "Fx")


def _registered() -> list[type]:
    return [model for model in admin.site._registry if model.__module__.startswith("fiera.")]


def test_every_admin_model_has_a_written_plural_translated() -> None:
    assert len(_registered()) > 20
    for model in _registered():
        opts = model._meta
        singular, plural = str(opts.verbose_name), str(opts.verbose_name_plural)
        assert not (singular.endswith("y") and plural == singular + "s"), (model, plural)
        for word in ABBREVIATIONS:
            assert not re.search(rf"\b{word}\b", plural, re.IGNORECASE) or word.upper() in plural
        # written in the model's Meta with gettext_lazy, not derived from the class name
        assert isinstance(opts.original_attrs.get("verbose_name"), Promise), model
        assert isinstance(opts.original_attrs.get("verbose_name_plural"), Promise), model


def test_plural_names_are_translated() -> None:
    from fiera.marketplaces.models import MarketplaceCountry
    from fiera.payments.models import QrPayment

    with translation.override("it"):
        assert str(MarketplaceCountry._meta.verbose_name_plural) == "paesi del marketplace"
        assert str(QrPayment._meta.verbose_name_plural) == "pagamenti QR"
    with translation.override("zh-hans"):
        assert str(QrPayment._meta.verbose_name_plural) == "扫码付款"


def _operator_client() -> Client:
    client = Client()
    client.force_login(f.user("operator", is_superuser=True))
    return client


def test_admin_index_shows_the_brand_and_the_written_plurals() -> None:
    page = _operator_client().get("/admin/").content.decode()
    assert "Fiera operations" in page
    assert "Django administration" not in page and "Django site admin" not in page
    for plural in ["Marketplace countries", "QR payments", "API tokens", "Outbox deliveries"]:
        assert plural in page
    for wrong in ["countrys", "Qr payments", "Api tokens", "deliverys"]:
        assert wrong not in page
    assert 'rel="icon" href="/static/web/favicon.svg"' in page


def test_admin_login_page_is_branded_in_italian() -> None:
    page = Client().get("/admin/login/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Operazioni Fiera" in page
    assert "Django" not in page.split("<body", 1)[1].split("</header>", 1)[0]


def test_favicon_is_served_from_our_host() -> None:
    client = Client()
    assert finders.find("web/favicon.svg")
    home = client.get("/").content.decode()
    match = re.search(r'<link rel="icon" href="([^"]+)"', home)
    assert match and match.group(1).startswith("/static/")
    icon = client.get(match.group(1))
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(icon.streaming_content)  # type: ignore[attr-defined]
    icon.close()
    redirect = client.get("/favicon.ico")
    assert redirect.status_code == 301 and redirect["Location"] == match.group(1)
    followed = client.get("/favicon.ico", follow=True)
    assert followed.status_code == 200
    followed.close()


def test_admin_index_in_italian_names_sections_and_models_in_italian() -> None:
    client = _operator_client()
    page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    for italian in ["Operazioni Fiera", "Catalogo", "Pagamenti QR", "Paesi del marketplace"]:
        assert italian in page
    for english in ["Catalog<", "QR payments", "Marketplace countries"]:
        assert english not in page
