"""The locale switch changes the whole interface: Italian, Simplified Chinese and Spanish
catalogs.

Pages are requested the three ways a visitor picks a language (the ``django_language``
cookie the switch sets, the browser's ``Accept-Language``, the switch's POST itself) and
must show the translated strings instead of the English ones. The catalogs themselves
are checked too: every entry translated, none fuzzy, placeholders kept, and the
committed ``.mo`` files compiled from the ``.po`` files beside them.
"""

from __future__ import annotations

import gettext
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client
from django.urls import reverse

from fiera.accounts.models import User
from fiera.catalog.models import Price, Product, StockLevel, Variant, Warehouse
from fiera.marketplaces import services as marketplace_services
from fiera.merchants.models import Merchant, Store

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
CATALOGS = {"it": LOCALE_DIR / "it", "zh-hans": LOCALE_DIR / "zh_Hans", "es": LOCALE_DIR / "es"}
TRANSLATED = ["it", "zh-hans", "es"]
_seq = itertools.count(1)


# -- a small world: one marketplace, one maker with one product, one buyer ---------------


@dataclass
class World:
    slug: str
    product_id: int
    variant_id: int
    buyer: User


@pytest.fixture
def world(db: None) -> World:
    n = next(_seq)
    market = marketplace_services.marketplace_create(
        slug=f"piazza-{n}",
        name="Piazza",
        kind="b2c_domestic",
        languages=["it", "en", "zh-hans", "es"],
        default_language="it",
        default_currency="EUR",
        countries={"IT": "EUR"},
        actor_role="operator",
    )
    maker = Merchant.objects.create(
        slug=f"maker-{n}",
        legal_name=f"Bottega {n} S.r.l.",
        display_name=f"Bottega {n}",
        vat_number=f"IT{n:011d}",
    )
    Store.objects.create(
        merchant=maker, marketplace_id=market.id, slug=f"bottega-{n}", name="Bottega"
    )
    product = Product.objects.create(
        merchant=maker,
        slug=f"sciarpa-{n}",
        name_it="Sciarpa di lana",
        name_en="Wool scarf",
        name_zh="羊毛围巾",
        hs_code="611710",
    )
    variant = Variant.objects.create(product=product, merchant=maker, sku=f"SC-{n}", label="M")
    Price.objects.create(
        variant=variant,
        merchant=maker,
        marketplace_id=market.id,
        currency="EUR",
        amount_minor=2500,
        min_quantity=1,
    )
    warehouse = Warehouse.objects.create(merchant=maker, code=f"wh-{n}", name="Magazzino")
    StockLevel.objects.create(variant=variant, warehouse=warehouse, merchant=maker, units_on_hand=5)
    buyer = User.objects.create(
        username=f"buyer{n}", role="buyer", buyer_kind="consumer", password="!"
    )
    return World(market.slug, product.pk, variant.pk, buyer)


def _client(language: str) -> Client:
    """A visitor whose locale switch is set to ``language`` (the switch's cookie)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _shows(html: str, present: list[str], absent: list[str]) -> None:
    for text in present:
        assert text in html, f"{text!r} missing"
    for text in absent:
        assert text not in html, f"{text!r} is still in English"


# what each page must say, per language -------------------------------------------------

HOME = {
    "it": ["Produttori italiani, acquirenti in tutto il mondo", "Accedi", "B2C nazionale"],
    "zh-hans": ["行销全球", "登录", "B2C 国内"],
    "es": ["Fabricantes italianos, compradores de todo el mundo", "Iniciar sesión", "B2C nacional"],
}
HOME_EN = ["Italian makers, buyers worldwide", "Sign in", "B2C domestic"]

LOGIN = {
    "it": ["Nome utente", "Accedi"],
    "zh-hans": ["用户名", "密码", "登录"],
    "es": ["Nombre de usuario", "Contraseña", "Iniciar sesión"],
}
LOGIN_EN = ["Username", "Sign in"]

STOREFRONT = {
    "it": ["Nuovi arrivi", "Cerca prodotti", "Carrello", "Negozi", "Prezzi in EUR"],
    "zh-hans": ["新品上架", "搜索商品", "购物车", "店铺", "以 EUR 计价"],
    "es": ["Novedades", "Buscar productos", "Carrito", "Tiendas", "Precios en EUR"],
}
STOREFRONT_EN = ["New arrivals", "Search products", "Cart", "Prices in EUR"]

PRODUCT = {
    "it": ["Aggiungi al carrello", "Varianti e prezzi", "5 disponibili", "Sciarpa di lana"],
    "zh-hans": ["加入购物车", "规格与价格", "现货 5 件", "羊毛围巾"],
    # the product has no Spanish name (merchants' own content): its English one is shown
    "es": ["Añadir al carrito", "Variantes y precios", "5 disponibles", "Wool scarf"],
}
PRODUCT_EN = ["Add to cart", "Variants and prices", "5 available", "Wool scarf"]

CART = {
    "it": [
        "Aggiunto al carrello.",
        "Il tuo carrello",
        "Aggiorna le quantità",
        "Procedi all'acquisto",
        "I miei ordini",
        "Esci",
    ],
    "zh-hans": ["已加入购物车。", "我的购物车", "更新数量", "去结算", "我的订单", "退出登录"],
    "es": [
        "Añadido al carrito.",
        "Tu carrito",
        "Actualizar las cantidades",
        "Tramitar el pedido",
        "Mis pedidos",
        "Cerrar sesión",
    ],
}
CART_EN = ["Added to your cart.", "Your cart", "Update quantities", "Check out", "My orders"]


@pytest.mark.parametrize("language", TRANSLATED)
def test_home_page_is_translated(world: World, language: str) -> None:
    html = _html(_client(language), reverse("web:home"))
    assert f'<html lang="{language}">' in html
    _shows(html, HOME[language], HOME_EN)


def test_english_stays_the_default(world: World) -> None:
    html = _html(Client(), reverse("web:home"))
    _shows(html, HOME_EN, HOME["it"] + HOME["zh-hans"] + HOME["es"])


@pytest.mark.parametrize(
    ("accept_language", "language"),
    [
        ("it-IT,it;q=0.9,en;q=0.5", "it"),
        ("zh-CN,zh;q=0.9", "zh-hans"),
        ("es-ES,es;q=0.9", "es"),
    ],
)
def test_browser_language_picks_the_catalog(
    world: World, accept_language: str, language: str
) -> None:
    response = Client().get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE=accept_language)
    html = response.content.decode()
    _shows(html, LOGIN[language], LOGIN_EN)


@pytest.mark.parametrize("language", TRANSLATED)
def test_locale_switch_post_translates_the_next_page(world: World, language: str) -> None:
    client = Client()
    storefront = reverse("catalog:storefront_home", args=[world.slug])
    response = client.post(reverse("set_language"), {"language": language, "next": storefront})
    assert response.status_code == 302
    assert response["Location"] == storefront
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    _shows(_html(client, storefront), STOREFRONT[language], STOREFRONT_EN)


@pytest.mark.parametrize("language", TRANSLATED)
def test_login_page_is_translated(world: World, language: str) -> None:
    html = _html(_client(language), reverse("web:login"))
    _shows(html, LOGIN[language], LOGIN_EN)


@pytest.mark.parametrize("language", TRANSLATED)
def test_login_error_is_translated(world: World, language: str) -> None:
    response = _client(language).post(
        reverse("web:login"), {"username": "nobody", "password": "wrong"}
    )
    expected = {
        "it": "Nome utente o password errati.",
        "zh-hans": "用户名或密码错误。",
        "es": "Nombre de usuario o contraseña incorrectos.",
    }
    _shows(response.content.decode(), [expected[language]], ["Wrong username or password."])


@pytest.mark.parametrize("language", TRANSLATED)
def test_storefront_and_product_pages_are_translated(world: World, language: str) -> None:
    client = _client(language)
    storefront = _html(client, reverse("catalog:storefront_home", args=[world.slug]))
    _shows(storefront, STOREFRONT[language], STOREFRONT_EN)
    product = _html(client, reverse("catalog:product", args=[world.slug, world.product_id]))
    _shows(product, PRODUCT[language], [t for t in PRODUCT_EN if t not in PRODUCT[language]])


@pytest.mark.parametrize("language", TRANSLATED)
def test_cart_of_a_signed_in_buyer_is_translated(world: World, language: str) -> None:
    client = _client(language)
    client.force_login(world.buyer)
    response = client.post(
        reverse("orders:cart_add", args=[world.slug]),
        {"variant_id": world.variant_id, "quantity": 2},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("orders:cart", args=[world.slug])
    _shows(response.content.decode(), CART[language], CART_EN)


@pytest.mark.parametrize(
    ("language", "problem"),
    [
        ("it", "solo 5 disponibili"),
        ("zh-hans", "仅剩 5 件"),
        ("es", "solo quedan 5 disponibles"),
    ],
)
def test_cart_line_problem_is_translated(world: World, language: str, problem: str) -> None:
    client = _client(language)
    client.force_login(world.buyer)
    cart = reverse("orders:cart", args=[world.slug])
    client.post(reverse("orders:cart_add", args=[world.slug]), {"variant_id": world.variant_id})
    client.post(cart, {f"qty-{world.variant_id}": "9", "action": "update"})
    _shows(_html(client, cart), [problem], ["only 5 in stock"])


def test_spanish_is_offered_by_the_switch_the_cookie_and_the_browser(world: World) -> None:
    """Spanish is an interface language whether or not its catalog has landed: the switch
    lists it, its POST sets the cookie, and the cookie and Accept-Language pick it."""
    home = reverse("web:home")
    html = _html(Client(), home)
    assert '<option value="es">español</option>' in html
    client = Client()
    response = client.post(reverse("set_language"), {"language": "es", "next": home})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    response = client.get(home)
    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in response.content.decode()
    browser = Client().get(home, HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9,en;q=0.5")
    assert browser["Content-Language"] == "es"


# -- the catalogs themselves ---------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{\{\s*\w+\s*\}\}")


@dataclass(frozen=True)
class Entry:
    """One .po entry: ``ids`` is (msgid,) or (msgid, msgid_plural); ``strings`` its forms;
    ``context`` its msgctxt ("" for none: the same msgid may have several contexts)."""

    ids: tuple[str, ...]
    strings: tuple[str, ...]
    plural: bool
    fuzzy: bool
    context: str = ""


def _as_tuple(value: object) -> tuple[str, ...]:
    if isinstance(value, (tuple, list)):
        return tuple(str(item or "") for item in value)
    return (str(value or ""),)


def _catalog(language: str) -> Catalog:
    with (CATALOGS[language] / "LC_MESSAGES" / "django.po").open("rb") as po:
        return read_po(po)


def _entries(language: str) -> list[Entry]:
    return [
        Entry(
            _as_tuple(m.id),
            _as_tuple(m.string),
            bool(m.pluralizable),
            bool(m.fuzzy),
            str(m.context or ""),
        )
        for m in _catalog(language)
        if m.id
    ]


@pytest.mark.parametrize("language", sorted(CATALOGS))
def test_every_entry_is_translated_and_none_is_fuzzy(language: str) -> None:
    entries = _entries(language)
    assert len(entries) > 300
    assert [e.ids for e in entries if not all(e.strings)] == []
    assert [e.ids for e in entries if e.fuzzy] == []


@pytest.mark.parametrize("language", sorted(CATALOGS))
def test_translations_keep_the_placeholders(language: str) -> None:
    for entry in _entries(language):
        wanted = set(_PLACEHOLDER.findall(entry.ids[-1]))
        allowed = wanted | set(_PLACEHOLDER.findall(entry.ids[0]))
        for string in entry.strings:
            # A singular form may drop the count ("one order"); it may not invent names.
            assert set(_PLACEHOLDER.findall(string)) <= allowed, (entry.ids, string)
        # The only (or the last, "many") form names every placeholder.
        assert set(_PLACEHOLDER.findall(entry.strings[-1])) == wanted, entry


@pytest.mark.parametrize(
    ("language", "plurals"),
    [("it", 2), ("zh-hans", 1), ("es", 2)],
)
def test_plural_forms_match_the_language(language: str, plurals: int) -> None:
    assert _catalog(language).num_plurals == plurals
    for entry in _entries(language):
        if entry.plural:
            assert len(entry.strings) == plurals, entry.ids


@pytest.mark.parametrize("language", sorted(CATALOGS))
def test_compiled_catalog_matches_the_po_file(language: str) -> None:
    """The committed .mo is what Django reads: it must hold every .po translation."""
    with (CATALOGS[language] / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for entry in _entries(language):
        context = entry.context
        if entry.plural:
            singular, plural = entry.ids
            for n, expected in enumerate(entry.strings):
                count = 1 if n == 0 else 2
                got = (
                    compiled.npgettext(context, singular, plural, count)
                    if context
                    else compiled.ngettext(singular, plural, count)
                )
                assert got == expected, (context, entry.ids)
        elif context:
            assert compiled.pgettext(context, entry.ids[0]) == entry.strings[0], entry.ids
        else:
            assert compiled.gettext(entry.ids[0]) == entry.strings[0], entry.ids
