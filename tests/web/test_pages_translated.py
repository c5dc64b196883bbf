"""Every main page, signed in as each demo role, reads in Italian, in Chinese and in
Spanish: no English-only string of ours is left on it.

The known English strings are the catalog's own: every msgid of at least two words whose
translation in that language differs (single words such as "API" or "SKU" would hit by
chance), every choice label (order statuses, roles, company sizes...), the English names of
countries, marketplaces and sectors, and the payment methods. User data (product and shop
names, addresses) is not checked: only these known strings are looked for, in the text a
person sees (tags, scripts and styles stripped; titles, placeholders, labels and button
values kept).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from babel.messages.pofile import read_po
from django.db import models as django_models
from django.db import transaction
from django.test import Client
from django.urls import reverse

from fiera.accounts.models import User
from fiera.common.reference import babel_locale, countries
from fiera.demo import vocabulary
from fiera.demo.build import MARKETPLACES, build_demo
from fiera.orders.payment import payment_methods

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LOCALE_DIR = Path(__file__).resolve().parents[2] / "src" / "fiera" / "locale"
LANGUAGES = {"it": "it", "zh-hans": "zh_Hans", "es": "es"}
TRANSLATED = ["it", "zh-hans", "es"]
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
_LINKED = re.compile(r'href="(/wallet/paid/[^"?#]+/)"')
# Countries whose English name is also a city that addresses (user data) name.
_CITY_STATES = frozenset({"SG", "MC", "VA", "SM", "LU", "KW", "DJ", "PA", "GT", "MX", "HK", "MO"})


# --- the known English strings -------------------------------------------------------------


@cache
def _catalog(language: str) -> dict[str, str]:
    """msgid -> msgstr of our catalog for the language (plural forms: the singular)."""
    with (LOCALE_DIR / LANGUAGES[language] / "LC_MESSAGES" / "django.po").open("rb") as po:
        catalog = read_po(po)
    found: dict[str, str] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        msgstr = message.string[0] if isinstance(message.string, tuple) else message.string
        found[str(msgid)] = str(msgstr or "")
    return found


def _fragments(msgid: str) -> list[str]:
    """The literal parts of a msgid long enough to be told apart from chance: the whole
    msgid from two words, a part between placeholders from three ("at most" alone would
    hit ordinary text)."""
    text = " ".join(msgid.split())
    parts = _PLACEHOLDER.split(text)
    if len(parts) == 1:
        return [text] if len(_words(text)) >= 2 else []
    stripped = (part.strip(" .,:;·-()") for part in parts)
    return [part for part in stripped if len(_words(part)) >= 3]


def _words(text: str) -> list[str]:
    return [word for word in text.split() if any(c.isalpha() for c in word)]


def _choice_labels() -> dict[str, str]:
    """English label -> the TextChoices it belongs to, for every choice of every model."""
    from django.apps import apps
    from django.utils import translation

    labels: dict[str, str] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("fiera."):
            continue
        for model_field in model._meta.get_fields():
            choices = getattr(model_field, "choices", None)
            if not choices or not isinstance(model_field, django_models.Field):
                continue
            with translation.override("en"):
                for _value, label in choices:
                    labels[str(label)] = f"{model.__name__}.{model_field.name}"
    return labels


@cache
def known_english(language: str) -> dict[str, str]:
    """English string -> where it comes from, for strings that must not appear in
    ``language`` (they have a different translation there)."""
    catalog = _catalog(language)
    known: dict[str, str] = {}
    for msgid, msgstr in catalog.items():
        if not msgstr or msgstr == msgid:
            continue
        for fragment in _fragments(msgid):
            if fragment and fragment not in msgstr:
                known[fragment] = "catalog"
    for label, where in _choice_labels().items():
        if catalog.get(label) and catalog[label] != label:
            known[label] = where
    for method in payment_methods():
        label = str(method.label)
        if catalog.get(label) and catalog[label] != label:
            known[label] = "payment method"
    local = babel_locale(language).territories
    english = Locale.parse("en").territories
    local_names = "\n".join(str(local.get(c.code) or "") for c in countries())
    for country in countries():
        if country.code in _CITY_STATES:
            continue
        for name in {country.name, str(english.get(country.code) or country.name)}:
            # "Congo" is English, and also part of the Italian "Congo - Kinshasa"
            inside_local = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)").search(local_names)
            if len(name) > 3 and not inside_local:
                known[name] = f"country {country.code}"
    suffix = {"it": "it", "zh-hans": "zh", "es": "es"}[language]
    for spec in MARKETPLACES:
        if getattr(spec, f"name_{suffix}") != spec.name:
            known[spec.name] = "marketplace name"
    for seed in vocabulary.SECTOR_SEEDS:
        if getattr(seed, f"name_{suffix}") != seed.name:
            known[seed.name] = "sector name"
    return known


@cache
def _pattern(language: str) -> re.Pattern[str]:
    strings = sorted(known_english(language), key=len, reverse=True)
    alternatives = "|".join(re.escape(s) for s in strings)
    return re.compile(rf"(?<![\w&])(?:{alternatives})(?![\w])")


# --- visible text --------------------------------------------------------------------------


class _Text(HTMLParser):
    """The text a person reads or hears: element text without scripts, styles and
    templates, and the attributes shown or spoken (title, placeholder, alt, aria-label,
    a button's value). A textarea holds what a person typed (user data), so it is skipped."""

    SKIP = frozenset({"script", "style", "template", "noscript", "textarea"})
    SHOWN = ("title", "placeholder", "alt", "aria-label")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skipping += 1
            return
        values = dict(attrs)
        self.parts.extend(str(values[a]) for a in self.SHOWN if values.get(a))
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.parts.append(str(values["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(" ".join(part.split()) for part in parser.parts if part.strip())


def english_left(
    html: str, language: str, merchant_texts: frozenset[str] = frozenset()
) -> list[str]:
    """The known English strings in the text of ``html``; a line that is (part of) one of
    ``merchant_texts`` (merchants' own English texts) is not looked at."""
    known = known_english(language)
    lines = visible_text(html).splitlines()
    return sorted(
        {
            f"{match.group(0)!r} ({known[match.group(0)]}) in: {line[:120]}"
            for line in lines
            if not _merchant_text(line, merchant_texts)
            for match in _pattern(language).finditer(line)
        }
    )


# Languages in which merchants write no texts of their own (product names and descriptions,
# shop descriptions have it/en/zh columns): pages show the English ones, which may name
# countries and sectors in English.
MERCHANT_TEXTS_IN_ENGLISH = frozenset({"es"})


def merchant_texts_in_english() -> frozenset[str]:
    """The English descriptions of products and shops (whitespace folded)."""
    from django.apps import apps

    found: set[str] = set()
    for model in ("catalog.Product", "merchants.Store"):
        for text in apps.get_model(model).objects.values_list("description_en", flat=True):
            if text:
                found.add(" ".join(text.split()))
    return frozenset(found)


def _merchant_text(line: str, merchant_texts: frozenset[str]) -> bool:
    if not merchant_texts:
        return False
    shown = " ".join(line.split()).rstrip(" …").removesuffix("...").strip()
    return bool(shown) and any(shown in text for text in merchant_texts)


# --- the world and the pages ---------------------------------------------------------------


@pytest.fixture(scope="module")
def _world(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """One small demo world for the module, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        build_demo(merchants=12, seed=5, now=NOW, progress=False, outlets=True)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def world(_world: None, db: None) -> None:
    return None


def _first(model: str, **filters: Any) -> Any:
    from django.apps import apps

    return apps.get_model(model).objects.filter(**filters).order_by("pk").first()


def _pages(role: str) -> list[str]:
    """The main pages a user with this demo role opens."""
    pages = [reverse("web:home"), "/no-such-page/"]
    if role == "anonymous":
        return [
            *pages,
            reverse("web:login"),
            reverse("web:signup"),
            reverse("web:password_reset"),
            # --- pavilions: the list and a landing page (public) ---
            reverse("trade:pavilions"),
            reverse("trade:pavilion", args=["made-in-italy"]),
        ]
    if role == "buyer":
        buyer = User.objects.get(username="buyer")
        marketplace = _first("marketplaces.Marketplace", slug="crossborder-cn")
        store = _first("merchants.Store", marketplace=marketplace, is_active=True)
        price = _first("catalog.Price", marketplace_id=marketplace.pk)
        order = _first("orders.Order", buyer_id=buyer.pk)
        qr = _first("payments.QrPayment", user_id=buyer.pk)
        slug = marketplace.slug
        pages += [
            reverse("catalog:storefront_home", args=[slug]),
            reverse("catalog:storefront_home", args=["trade"]),  # ships to every country
            reverse("catalog:storefront_home", args=["sea"]),
            reverse("catalog:search", args=[slug]) + "?q=olio",
            reverse("catalog:store", args=[slug, store.slug]),
            reverse("orders:cart", args=[slug]),
            reverse("orders:checkout", args=[slug]),
            reverse("orders:my_orders"),
            reverse("orders:addresses"),
            reverse("payments:wallet"),
        ]
        if price is not None:
            variant = _first("catalog.Variant", pk=price.variant_id)
            pages.append(reverse("catalog:product", args=[slug, variant.product_id]))
        if order is not None:
            pages.append(reverse("orders:order_detail", args=[order.number]))
        if qr is not None:
            pages.append(reverse("payments:qr_payment", args=[qr.request_id]))
        festival = _first("festivals.Festival", is_published=True)
        if festival is not None:
            pages.append(reverse("festivals:festival", args=[festival.slug]))
        pages += [reverse("trade:inbox"), reverse("trade:company")]
        pages += [  # the trade search, both tabs, with filters
            reverse("trade:search") + "?q=olio&level=licence",
            reverse("trade:search") + "?tab=suppliers&q=olio&max_moq=100",
        ]
        supplier = _first("trade.SupplierProfile")
        if supplier is not None:  # the public profile with its verification badges
            pages.append(reverse("trade:supplier", args=[supplier.merchant_id]))
        pages += [reverse("trade:rfqs"), reverse("trade:rfq_new")]  # RFQs (decision 0017)
        return pages
    if role == "merchant":
        staff = _first("merchants.StaffMembership", user__username="merchant")
        product = _first("catalog.Product", merchant_id=staff.merchant_id)
        order = _first("orders.Order", merchant_id=staff.merchant_id)
        pages += [
            reverse("merchants:console_home"),
            reverse("catalog:console_products"),
            reverse("catalog:console_stock"),
            reverse("orders:console_orders"),
            reverse("orders:console_stock_movements"),
            reverse("festivals:console_festivals"),
        ]
        if product is not None:
            pages.append(reverse("catalog:console_product_edit", args=[product.pk]))
        if order is not None:
            pages.append(reverse("orders:console_order", args=[order.number]))
        pages += [reverse("trade:inbox"), reverse("trade:supplier_edit")]
        inquiry = _first("trade.Inquiry", merchant_id=staff.merchant_id)
        if inquiry is not None:
            pages.append(reverse("trade:thread", args=[inquiry.pk]))
        pages.append(reverse("trade:rfqs"))
        match = _first("trade.RfqMatch", merchant_id=staff.merchant_id)
        if match is not None:  # an RFQ for the merchant: its quote or the quote form
            pages.append(reverse("trade:rfq", args=[match.rfq_id]))
        pages.append(reverse("trade:console_pavilions"))  # --- pavilions ---
        pages.append(reverse("analytics:dashboard"))  # --- pages (analytics) ---
        return pages
    if role == "partner":  # the partner's page, its leads and a lead of each stage
        partner = _first("partners.Partner", slug="agenzia-export-nord")
        pages += [
            reverse("web:partner_page", args=[partner.slug]),
            reverse("partners:lead_list", args=[partner.slug]),
        ]
        for stage in ("new", "documents", "store_live", "lost"):
            lead = _first("partners.Lead", partner_id=partner.pk, stage=stage)
            if lead is not None:
                pages.append(reverse("partners:lead_detail", args=[partner.slug, lead.pk]))
        pages.append(reverse("trade:pavilion_review", args=["made-in-italy"]))  # pavilions
        pages += [  # --- pages (analytics) ---
            reverse("analytics:dashboard"),
            reverse("analytics:pavilion", args=["made-in-italy"]),
        ]
        return pages
    run = _first("payments.SettlementRun")
    outlet = _first("payments.Outlet")
    pages += [reverse("payments:outlets"), reverse("payments:settlement_runs")]
    if outlet is not None:
        pages.append(reverse("payments:outlet", args=[outlet.pk]))
    if run is not None:
        pages.append(reverse("payments:settlement_run_detail", args=[run.pk]))
    festival = _first("festivals.Festival")
    if festival is not None:
        pages.append(reverse("festivals:live", args=[festival.slug]))
    pages += [reverse("web:partner_home"), reverse("partners:coverage")]
    # trade assurance: the operators' dispute queue and an open dispute
    pages.append(reverse("trade:disputes") + "?status=open")
    dispute = _first("trade.Dispute", status="open")
    if dispute is not None:
        pages.append(reverse("trade:assurance", args=[dispute.order_number]))
    pages.append(reverse("trade:rfqs"))
    awarded = _first("trade.Rfq", status="awarded")
    if awarded is not None:  # the quotes side by side, read for moderation
        pages.append(reverse("trade:rfq", args=[awarded.pk]))
    pages += [  # --- pages (analytics): the dashboard, a year by week, a bad filter ---
        reverse("analytics:dashboard"),
        reverse("analytics:dashboard") + "?period=this_year&buyer_country=CN",
        reverse("analytics:dashboard") + "?period=custom&from=2026-11-02&to=2026-11-01",
        reverse("analytics:pavilion", args=["made-in-italy"]),
    ]
    return pages


def _client(role: str, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    if role != "anonymous":
        client.force_login(User.objects.get(username=role))
    return client


@pytest.mark.parametrize("language", TRANSLATED)
@pytest.mark.parametrize("role", ["anonymous", "buyer", "merchant", "operator", "partner"])
def test_no_english_left_on_the_main_pages(world: None, role: str, language: str) -> None:
    client = _client(role, language)
    if role == "buyer":  # a cart with goods: the cart, the quote and its cross-border terms
        price = _first("catalog.Price", marketplace__slug="crossborder-cn")
        client.post(
            reverse("orders:cart_add", args=["crossborder-cn"]),
            {"variant_id": price.variant_id, "quantity": "1"},
        )
    problems: list[str] = []
    merchant_texts = (
        merchant_texts_in_english() if language in MERCHANT_TEXTS_IN_ENGLISH else frozenset()
    )
    pages = _pages(role)
    for url in pages:
        response = client.get(url)
        assert response.status_code in {200, 404} or "analytics" in url, (url, response.status_code)
        assert response["Content-Language"].lower() == language, url
        html = response.content.decode()
        problems += [f"{url}: {hit}" for hit in english_left(html, language, merchant_texts)]
        if "Resolver404" in html:  # Django's class name, not a sentence
            problems.append(f"{url}: shows 'Resolver404'")
        # pages reached from these by a link: a wallet payment's detail
        for linked in _LINKED.findall(html)[:1]:
            if linked not in pages:
                pages.append(linked)
    assert not problems, "\n".join(problems)


def test_the_checker_finds_english_strings() -> None:
    """The net catches what it should: a translated msgid, a choice label, a country."""
    html = (
        "<p>Cash on delivery</p><span title='Cancelled'>x</span><td>Germany</td>"
        "<script>var x = 'Cash on delivery';</script>"
    )
    found = english_left(html, "it")
    assert len(found) == 3, found  # the script's copy is not shown
    assert [hit.split(" (")[0] for hit in found] == [
        "'Cancelled'",
        "'Cash on delivery'",
        "'Germany'",
    ]
    assert not english_left("<p>Contrassegno · Germania · 中国</p>", "it")
    # a merchant's own English text (no Spanish column) is not looked at; the rest is
    shop = "Made by Sartoria Blu in Firenze (Toscana, Italy). Sector: Fashion. We ship."
    html = "<p>Made by Sartoria Blu in Firenze (Toscana, Italy). Sector: Fashion. …</p>"
    assert not english_left(html, "it", frozenset({shop}))
    assert english_left("<p>Germany</p>" + html, "it", frozenset({shop})) == [
        "'Germany' (country DE) in: Germany"
    ]


def _template_messages() -> list[tuple[str, str | None, str]]:
    """(template, context, msgid) of every {% translate %} / {% blocktranslate %} in our
    templates, extracted the way makemessages does (templatize, then the gettext calls)."""
    import io

    from babel.messages.extract import extract_python
    from django.utils.translation.template import templatize

    keywords = {
        "gettext": None,
        "ngettext": (1, 2),
        "pgettext": ((1, "c"), 2),
        "npgettext": ((1, "c"), 2, 3),
    }
    found = []
    root = LOCALE_DIR.parent
    for path in sorted(root.glob("*/templates/**/*.*")):
        if path.suffix not in {".html", ".txt"}:  # pages and mails
            continue
        code = templatize(path.read_text(), origin=str(path)).encode()
        for _line, function, messages, _comments in extract_python(
            io.BytesIO(code), keywords, [], {}
        ):
            if isinstance(messages, str):
                messages = (messages,)
            context = messages[0] if str(function).startswith(("pgettext", "npgettext")) else None
            msgid = messages[1] if context is not None else messages[0]
            found.append((str(path.relative_to(root)), context, str(msgid)))
    return found


@cache
def _catalog_keys(language: str) -> dict[tuple[str | None, str], str]:
    with (LOCALE_DIR / LANGUAGES[language] / "LC_MESSAGES" / "django.po").open("rb") as po:
        catalog = read_po(po)
    keys: dict[tuple[str | None, str], str] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        msgstr = message.string[0] if isinstance(message.string, tuple) else message.string
        keys[(message.context, str(msgid))] = str(msgstr or "")
    return keys


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_template_string_has_a_translation(language: str) -> None:
    """A string wrapped in {% translate %} but missing from the catalog shows in English
    on every page; the page walk above only knows the catalog's strings, so this closes
    the gap."""
    catalog = _catalog_keys(language)
    missing = sorted(
        {
            f"{template}: {msgid!r}" + (f" (context {context!r})" if context else "")
            for template, context, msgid in _template_messages()
            if not catalog.get((context, msgid))
        }
    )
    assert not missing, f"{len(missing)} untranslated in {language}:\n" + "\n".join(missing)


@pytest.mark.parametrize(
    ("language", "share"), [("en", "70%"), ("it", "70%"), ("zh-hans", "70%"), ("es", "70%")]
)
def test_the_cross_border_share_reads_as_a_percentage(
    world: None, language: str, share: str
) -> None:
    client = _client("buyer", language)
    price = _first("catalog.Price", marketplace__slug="crossborder-cn")
    client.post(
        reverse("orders:cart_add", args=["crossborder-cn"]),
        {"variant_id": price.variant_id, "quantity": "1"},
    )
    text = visible_text(
        client.get(reverse("orders:checkout", args=["crossborder-cn"])).content.decode()
    )
    assert share in text, text
    assert "0.7" not in text and "0,7" not in text


_PYTHON_KEYWORDS: dict[str, Any] = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
}


def _python_messages() -> list[tuple[str, str | None, str]]:
    """(module, context, msgid) of every literal gettext call in our Python code."""
    from babel.messages.extract import extract_python

    found = []
    root = LOCALE_DIR.parent
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        with path.open("rb") as source:
            for _line, function, messages, _comments in extract_python(
                source, _PYTHON_KEYWORDS, [], {}
            ):
                if messages is None:
                    continue
                if isinstance(messages, str):
                    messages = (messages,)
                context = messages[0] if str(function).startswith("pgettext") else None
                msgid = messages[1] if context is not None else messages[0]
                if msgid:
                    found.append((str(path.relative_to(root)), context, str(msgid)))
    return found


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_python_string_has_a_translation(language: str) -> None:
    """Labels, choices, form fields and messages marked in Python read in the language."""
    catalog = _catalog_keys(language)
    missing = sorted(
        {
            f"{module}: {msgid!r}" + (f" (context {context!r})" if context else "")
            for module, context, msgid in _python_messages()
            if not catalog.get((context, msgid))
        }
    )
    assert not missing, f"{len(missing)} untranslated in {language}:\n" + "\n".join(missing)
