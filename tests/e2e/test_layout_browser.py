"""Layout in headless Chromium at desktop (1280 px) and phone (390 px) width (same Chromium
and skip rules as test_storefront_browser):

- forms sit on one line at their natural height: the settlement page's filter controls were
  90 px tall because the flex row stretched them to the height of its grid neighbour;
- the main pages of every role neither scroll sideways nor draw interactive elements or
  headings over each other, the storefront header stays on one row at 1280 px on the four
  demo marketplaces, and checkout's payment radios sit next to their labels. Screenshots of
  every page land in var/screenshots/ (not committed) for a person to look at."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.test_storefront_browser import browser  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_settlement_filter_controls_keep_their_height(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
    width: int,
) -> None:
    from fiera.accounts.models import User

    User.objects.create_user(
        username="ops", password="pw-for-layout", role="operator", business_unit="Payments desk"
    )
    base = live_server.url
    page = browser.new_page(locale="en-US", viewport={"width": width, "height": 800})
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "ops")
    page.fill("input[name=password]", "pw-for-layout")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/?$"))
    response = page.goto(f"{base}/settlement/")
    assert response is not None and response.status == 200
    for selector in ("#day", "#run-day", "form.searchbar button"):
        height = page.eval_on_selector(selector, "e => e.getBoundingClientRect().height")
        assert height < 60, f"{selector} is {height:.0f} px tall at {width} px"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at {width} px"
    page.close()


# The main pages ------------------------------------------------------------------------------

# Boxes of visible links, controls, labels and headings that overlap by more than 2 px each
# way (one containing the other is fine: a link around a heading, a label around its input);
# elements inside a wrapper that scrolls sideways on its own (wide tables on a phone) are
# left out, and so is the page's sideways overflow they cause inside their wrapper.
OVERLAP_JS = """() => {
  const scrolls = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && p.scrollWidth > p.clientWidth + 1)
        return true;
    }
    return false;
  };
  const name = el => {
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim();
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '') +
      ' "' + text.slice(0, 30).replace(/\\s+/g, ' ') + '"';
  };
  const boxes = [];
  const query = 'a, button, input:not([type=hidden]), select, textarea, label, summary, h1, h2, h3';
  for (const el of document.querySelectorAll(query)) {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none' || scrolls(el)) continue;
    const folded = el.closest('details:not([open])');  // laid out, yet not drawn
    if (folded && !(el.tagName === 'SUMMARY' && el.parentElement === folded)) continue;
    if (el.checkVisibility && !el.checkVisibility({visibilityProperty: true})) continue;
    for (const r of el.getClientRects()) {
      if (r.width >= 2 && r.height >= 2) boxes.push({el, r});
    }
  }
  const problems = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.el === b.el || a.el.contains(b.el) || b.el.contains(a.el)) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > 2 && h > 2) problems.push(name(a.el) + ' overlaps ' + name(b.el));
    }
  }
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.children.length === 0 && !scrolls(e))
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 3).map(name);
  return {
    wide,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    problems: [...new Set(problems)].slice(0, 10),
  };
}"""

HEADER_ROWS_JS = """() => {
  const bar = document.querySelector('header.topbar');
  const tops = [...bar.querySelectorAll('a, button, input:not([type=hidden]), select, summary')]
    .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
    .filter(el => !el.closest('details:not([open])') || el.tagName === 'SUMMARY')
    .map(el => el.getBoundingClientRect())
    .filter(r => r.width >= 2 && r.height >= 2)
    .map(r => r.top + r.height / 2);
  return Math.max(...tops) - Math.min(...tops);
}"""


def _sign_in(chromium: Any, base: str, username: str, width: int) -> Any:
    page = chromium.new_page(locale="en-US", viewport={"width": width, "height": 900})
    page.set_default_timeout(15_000)
    if username:
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "fiera-demo")
        with page.expect_navigation():
            page.click("button[type=submit]")
    return page


def _main_pages() -> dict[str, list[tuple[str, str]]]:
    """Per demo user ("" for a visitor), the (name, path) of the pages they open."""
    from django.urls import reverse

    from fiera.catalog.models import Product, Variant
    from fiera.festivals.models import Festival
    from fiera.marketplaces.models import Marketplace
    from fiera.merchants.models import StaffMembership, Store
    from fiera.orders.models import Order
    from tests.e2e.test_storefront_browser import _pick_product

    slug, product_id, product_name = _pick_product()
    store = Store.objects.filter(marketplace__slug=slug, is_active=True).order_by("id").first()
    merchant_id = StaffMembership.objects.get(user__username="merchant").merchant_id
    own = Product.objects.filter(merchant_id=merchant_id).order_by("id").first()
    order = Order.objects.filter(buyer__username="buyer").order_by("-id").first()
    assert store and own and order
    b2b = Variant.objects.filter(min_order_quantity__gt=1, is_active=True).first()
    visitor = [
        (f"home-{m.slug}", reverse("catalog:storefront_home", args=[m.slug]))
        for m in Marketplace.objects.filter(is_active=True).order_by("id")
    ]
    visitor += [
        ("search", reverse("catalog:search", args=[slug]) + "?q=" + product_name.split()[0]),
        ("product", reverse("catalog:product", args=[slug, product_id])),
        ("store", reverse("catalog:store", args=[slug, store.slug])),
        ("login", reverse("web:login")),
        ("home-stores-page-2", reverse("catalog:storefront_home", args=["sea"]) + "?page=2"),
    ]
    if b2b is not None:
        visitor.append(("product-b2b", reverse("catalog:product", args=["trade", b2b.product_id])))
    festival = Festival.objects.filter(is_published=True).order_by("-starts_at").first()
    festival_pages: dict[str, list[tuple[str, str]]] = {"": [], "merchant": [], "operator": []}
    if festival is not None:
        festival_pages = {
            "": [("festival", reverse("festivals:festival", args=[festival.slug]))],
            "merchant": [("console-festivals", reverse("festivals:console_festivals"))],
            "operator": [("festival-live", reverse("festivals:live", args=[festival.slug]))],
        }
    return {
        "": visitor + festival_pages[""],
        "buyer": [
            ("buyer-home", reverse("catalog:storefront_home", args=[slug])),
            ("cart", reverse("orders:cart", args=[slug])),
            ("checkout", reverse("orders:checkout", args=[slug])),
            ("my-orders", reverse("orders:my_orders")),
            ("order", reverse("orders:order_detail", args=[order.number])),
            ("wallet", reverse("payments:wallet")),
        ],
        "merchant": [
            ("merchant-home-trade", reverse("catalog:storefront_home", args=["trade"])),
            ("console", reverse("merchants:console_home")),
            ("console-products", reverse("catalog:console_products")),
            ("console-product", reverse("catalog:console_product_edit", args=[own.pk])),
            ("console-stock", reverse("catalog:console_stock")),
            ("console-orders", reverse("orders:console_orders")),
            ("outlets-merchant", reverse("payments:outlets")),
            *festival_pages["merchant"],
            ("analytics-merchant", reverse("analytics:dashboard")),  # --- pages (analytics) ---
        ],
        "operator": [
            ("settlement", reverse("payments:settlement_runs")),
            ("outlets", reverse("payments:outlets")),
            *festival_pages["operator"],
            # --- pages (analytics): its header (with the Analytics link) must not wrap ---
            ("operator-home", reverse("web:home")),
            ("analytics", reverse("analytics:dashboard") + "?period=last90"),
        ],
    }


@pytest.mark.parametrize("width", [1280, 390])
def test_main_pages_neither_overlap_nor_scroll_sideways(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
    width: int,
) -> None:
    from fiera import config
    from fiera.demo.build import build_demo
    from tests.e2e.test_storefront_browser import _pick_product

    build_demo(merchants=12, seed=5, reset=True, progress=False, outlets=False)
    pages = _main_pages()
    folder = config.VAR_DIR / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    problems: list[str] = []
    for username, visits in pages.items():
        page = _sign_in(browser, base, username, width)
        if username == "buyer":  # something in the cart, so the cart and checkout show lines
            slug, product_id, _ = _pick_product()
            page.goto(f"{base}/m/{slug}/p/{product_id}/")
            page.click("form[action$='/cart/add'] button[type=submit]")
            page.wait_for_url(re.compile(r"/cart/"))
        for name, path in visits:
            response = page.goto(base + path)
            assert response is not None and response.status == 200, (name, path)
            page.screenshot(path=str(folder / f"{width}-{name}.png"), full_page=True)
            found = page.evaluate(OVERLAP_JS)
            if found["overflow"] > 0:
                problems.append(
                    f"{name}: scrolls sideways by {found['overflow']} px ({found['wide']})"
                )
            problems += [f"{name}: {p}" for p in found["problems"]]
            if "home-" in name + "-" and width >= 1280:
                spread = page.evaluate(HEADER_ROWS_JS)
                if spread > 12:
                    problems.append(f"{name}: the header wraps ({spread:.0f} px between rows)")
            if name == "home-trade":  # the ship-to panel opens inside the screen
                page.click("details.shipto > summary")
                box = page.eval_on_selector(
                    "#nav-country",
                    "e => { const r = e.getBoundingClientRect(); "
                    "return [r.left, r.right, r.width, window.innerWidth]; }",
                )
                page.screenshot(path=str(folder / f"{width}-ship-to-open.png"))
                if box[2] < 100 or box[0] < 0 or box[1] > box[3]:
                    problems.append(f"ship-to: the country list is off screen or narrow: {box}")
            if name == "buyer-home":  # the account menu opens inside the screen
                page.click("details.account-menu > summary")
                box = page.eval_on_selector(
                    ".account-panel",
                    "e => { const r = e.getBoundingClientRect(); "
                    "return [r.left, r.right, r.width, window.innerWidth]; }",
                )
                page.screenshot(path=str(folder / f"{width}-account-menu-open.png"))
                if box[2] < 100 or box[0] < 0 or box[1] > box[3]:
                    problems.append(f"account menu: the panel is off screen or narrow: {box}")
                page.keyboard.press("Escape")
            if name == "checkout":
                for radio in page.query_selector_all("input[name=payment_method]"):
                    gap = radio.evaluate(
                        "r => { const l = r.closest('label') || "
                        "document.querySelector(`label[for='${r.id}']`); "
                        "const range = document.createRange(); "
                        "if (l.contains(r)) { range.setStartAfter(r); "
                        "range.setEnd(l, l.childNodes.length); } else range.selectNodeContents(l); "
                        "const a = r.getBoundingClientRect(), t = range.getBoundingClientRect(); "
                        "const across = Math.max(t.left - a.right, a.left - t.right); "
                        "const down = Math.abs((a.top + a.bottom) / 2 - (t.top + t.bottom) / 2); "
                        "return Math.max(across, down > a.height ? down : 0); }"
                    )
                    if gap > 16:
                        problems.append(f"checkout: a payment radio is {gap:.0f} px from its label")
        page.close()
    assert not problems, f"at {width} px:\n" + "\n".join(problems)


# One demo login per role (buyer-cbec: the longest buyer name), and a visitor.
HEADER_LOGINS = ["", "buyer-cbec", "merchant", "operator", "partner", "teacher"]


def test_the_storefront_header_keeps_one_row_for_every_role_and_language(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
) -> None:
    """At 1280 px the header of every demo marketplace stays on one row for every role's
    links in every interface language (the buyer's, the merchant's and the operator's links
    once pushed the header onto two rows on the cross-border and trade marketplaces); the
    role's links are one click away in the account menu."""
    from fiera.demo.build import build_demo
    from fiera.marketplaces.models import Marketplace

    build_demo(merchants=12, seed=5, reset=True, progress=False, outlets=False)
    slugs = list(
        Marketplace.objects.filter(is_active=True).order_by("id").values_list("slug", flat=True)
    )
    base = live_server.url
    problems: list[str] = []
    for username in HEADER_LOGINS:
        page = _sign_in(browser, base, username, 1280)
        for language in ("en", "it", "zh-hans", "es"):
            page.goto(f"{base}/m/{slugs[0]}/")
            with page.expect_navigation():
                page.select_option("#language", language)
            for slug in slugs:
                response = page.goto(f"{base}/m/{slug}/")
                assert response is not None and response.status == 200, (username, slug)
                spread = page.evaluate(HEADER_ROWS_JS)
                if spread > 12:
                    problems.append(
                        f"{username or 'visitor'} {language} /m/{slug}/: {spread:.0f} px"
                    )
            if username:  # the role's links, in the account menu
                page.click("details.account-menu > summary")
                links = page.eval_on_selector_all(
                    ".account-panel a", "links => links.filter(a => a.offsetParent).length"
                )
                if links < 1:
                    problems.append(f"{username} {language}: the account menu shows no link")
                page.keyboard.press("Escape")
        page.close()
    assert not problems, "the storefront header wraps at 1280 px:\n" + "\n".join(problems)


# The pages of the roles the main walk leaves out (trade, partners, academy) and pages of
# every role beyond the storefront, in the languages with the longest words (Italian and
# Spanish at desktop width) and the narrowest text (Chinese) on a phone.
ROLE_PAGES = {
    "": ["/", "/trade/search/", "/academy/", "/trade/pavilions/made-in-italy/", "/signup/"],
    "buyer-b2b": [
        "/",
        "/trade/search/",
        "/trade/inquiries/",
        "/trade/rfqs/",
        "/trade/company/",
        "/trade/pavilions/",
        "/account/addresses/",
    ],
    "merchant": ["/trade/rfqs/", "/console/pavilions/", "/academy/"],
    "operator": ["/", "/trade/disputes/", "/partners/", "/operator/partners/coverage/"],
    "partner": ["/partners/", "/trade/pavilions/"],
    "learner": ["/academy/", "/academy/my/", "/academy/workshops/"],
    "teacher": ["/academy/teach/"],
}
ROLE_PAGE_LANGUAGES = {1280: ["it", "es"], 390: ["zh-hans", "es"]}


@pytest.mark.parametrize("width", [1280, 390])
def test_every_roles_pages_fit_in_other_languages(
    browser: Any,  # noqa: F811 - the fixture imported above
    live_server: Any,
    width: int,
) -> None:
    from fiera.demo.build import build_demo

    build_demo(merchants=12, seed=5, reset=True, progress=False, outlets=False)
    base = live_server.url
    problems: list[str] = []
    for username, paths in ROLE_PAGES.items():
        page = _sign_in(browser, base, username, width)
        for language in ROLE_PAGE_LANGUAGES[width]:
            page.goto(f"{base}/")
            with page.expect_navigation():
                page.select_option("#language", language)
            for path in paths:
                response = page.goto(base + path)
                assert response is not None and response.status == 200, (username, path)
                where = f"{username or 'visitor'} {language} {path}"
                found = page.evaluate(OVERLAP_JS)
                if found["overflow"] > 0:
                    problems.append(f"{where}: scrolls sideways by {found['overflow']} px")
                problems += [f"{where}: {p}" for p in found["problems"]]
                if width >= 1280 and page.evaluate(HEADER_ROWS_JS) > 12:
                    problems.append(f"{where}: the header wraps")
        page.close()
    assert not problems, f"at {width} px:\n" + "\n".join(problems)
