"""Catalog pages: the storefront of each marketplace (home, search, store, product,
destination country) and the merchant console's products and stock."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fiera.accounts.roles import MERCHANT as MERCHANT_ROLE
from fiera.catalog import forms as catalog_forms
from fiera.catalog import search as search_text
from fiera.catalog import selectors, services
from fiera.common.errors import DomainError, NotFound
from fiera.common.parsing import parse_id, parse_page
from fiera.common.reference import italian_regions, language_suffix
from fiera.marketplaces import selectors as marketplace_selectors
from fiera.marketplaces.selectors import ShoppingContext
from fiera.merchants import selectors as merchant_selectors

PAGE_SIZE = 24
CONSOLE_PAGE_SIZE = 25


# --- storefront ---------------------------------------------------------------------------


def _shopping(request: HttpRequest, slug: str) -> ShoppingContext:
    """The visitor's marketplace, destination country (from the session) and currency."""
    country = marketplace_selectors.shopping_country(
        request.session, slug, getattr(request.user, "country", None)
    )
    try:
        shopping = marketplace_selectors.marketplace_shopping_context(slug=slug, country=country)
    except DomainError:  # unknown marketplace, or one that ships nowhere yet
        raise Http404(_("No such marketplace.")) from None
    if not shopping.marketplace.is_active:
        raise Http404(_("No such marketplace."))
    return shopping


def _storefront(shopping: ShoppingContext, **extra: Any) -> dict[str, Any]:
    return {"marketplace": shopping.marketplace, "shopping": shopping, **extra}


def _category_choices() -> list[tuple[str, str]]:
    from django.utils.translation import get_language

    suffix = language_suffix(get_language())
    return [(c.slug, getattr(c, f"name_{suffix}") or c.name_en) for c in selectors.category_list()]


def _page_links(request: HttpRequest, page: Any, size: int) -> dict[str, str]:
    """Query strings of the previous and next pages, keeping the other parameters."""
    links: dict[str, str] = {}
    current = (page.offset // size) + 1
    for name, number, wanted in (
        ("previous_query", current - 1, page.has_previous),
        ("next_query", current + 1, page.has_next),
    ):
        if wanted:
            params: QueryDict = request.GET.copy()
            params["page"] = str(number)
            links[name] = params.urlencode()
    links["page_number"] = str(current)
    return links


HOME_STORES = 30  # stores per page of the home's store list
HOME_FEATURED_STORES = 6
HOME_NEW_ARRIVALS = 8  # the newest product of as many merchants


def storefront_home(request: HttpRequest, slug: str) -> HttpResponse:
    """The marketplace's front page: categories with how many products are for sale,
    featured stores and new arrivals from different merchants (on the first page), and
    the stores, a page at a time (``?page=``)."""
    shopping = _shopping(request, slug)
    marketplace = shopping.marketplace
    number = parse_page(request.GET.get("page"))
    stores = merchant_selectors.store_page(
        marketplace_id=marketplace.id, limit=HOME_STORES, offset=(number - 1) * HOME_STORES
    )
    first = number == 1
    context = {
        "categories": selectors.category_counts(
            marketplace_id=marketplace.id, currency=shopping.currency
        )
        if first
        else [],
        "featured_stores": merchant_selectors.store_list(
            marketplace_id=marketplace.id, featured_only=True
        )[:HOME_FEATURED_STORES]
        if first
        else [],
        "arrivals": selectors.new_arrivals(
            marketplace_id=marketplace.id, currency=shopping.currency, limit=HOME_NEW_ARRIVALS
        )
        if first
        else None,
        "stores": stores,
        **_page_links(request, stores, HOME_STORES),
    }
    return render(request, "catalog/storefront_home.html", _storefront(shopping, **context))


def search(request: HttpRequest, slug: str) -> HttpResponse:
    shopping = _shopping(request, slug)
    form = catalog_forms.SearchForm(
        request.GET or None,
        currency=shopping.currency,
        categories=_category_choices(),
        regions=[(r.code, r.name) for r in italian_regions()],
    )
    page = None
    links: dict[str, str] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        number = data.get("page") or 1
        if search_text.without_words(data.get("q")):
            messages.info(request, _("Type a word to search for: letters or digits."))
        page = selectors.product_search(
            marketplace_id=shopping.marketplace.id,
            currency=shopping.currency,
            q=data.get("q") or None,
            category_slug=data.get("category") or None,
            region_code=data.get("region") or None,
            min_price_minor=data.get("min_price_minor"),
            max_price_minor=data.get("max_price_minor"),
            in_stock_only=bool(data.get("in_stock")),
            sort=data.get("sort") or "relevance",
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
        )
        links = _page_links(request, page, PAGE_SIZE)
    elif not form.is_bound:
        page = selectors.product_search(
            marketplace_id=shopping.marketplace.id,
            currency=shopping.currency,
            sort="newest",
            limit=PAGE_SIZE,
        )
        links = _page_links(request, page, PAGE_SIZE)
    return render(
        request,
        "catalog/search.html",
        _storefront(shopping, form=form, page=page, **links),
        status=200 if page is not None else 400,
    )


def store(request: HttpRequest, slug: str, store_slug: str) -> HttpResponse:
    shopping = _shopping(request, slug)
    try:
        found = merchant_selectors.store_get(
            marketplace_id=shopping.marketplace.id, slug=store_slug
        )
    except NotFound:
        raise Http404(_("No such store.")) from None
    if not found.is_active:
        raise Http404(_("This store is closed."))
    number = parse_page(request.GET.get("page"))
    page = selectors.product_search(
        marketplace_id=shopping.marketplace.id,
        currency=shopping.currency,
        merchant_id=found.merchant_id,
        sort="newest",
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
    )
    return render(
        request,
        "catalog/store.html",
        _storefront(shopping, store=found, page=page, **_page_links(request, page, PAGE_SIZE)),
    )


def product(request: HttpRequest, slug: str, product_id: int) -> HttpResponse:
    shopping = _shopping(request, slug)
    try:
        detail = selectors.product_detail(
            marketplace_id=shopping.marketplace.id,
            currency=shopping.currency,
            product_id=product_id,
        )
    except NotFound:
        raise Http404(_("This product is not sold here.")) from None
    gallery = selectors.product_gallery(product_id=detail.product_id)
    return render(
        request, "catalog/product.html", _storefront(shopping, product=detail, gallery=gallery)
    )


@require_POST
def set_country(request: HttpRequest, slug: str) -> HttpResponse:
    """Keep the visitor's destination country for this marketplace in the session."""
    shopping = _shopping(request, slug)
    marketplace = shopping.marketplace
    wanted = (request.POST.get("country") or "").strip().upper()
    served = marketplace.worldwide or wanted in marketplace.countries
    if served:
        try:
            marketplace_selectors.resolve_country(marketplace, wanted)
        except DomainError:
            served = False
    if served:
        request.session[marketplace_selectors.shopping_session_key(slug)] = wanted
    else:
        messages.error(request, _("This marketplace does not ship to that country."))
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("catalog:storefront_home", args=[slug])
    return HttpResponseRedirect(target)


# --- merchant console ------------------------------------------------------------------


class _Console:
    """The signed-in merchant staff member and the company they work on."""

    def __init__(self, request: HttpRequest, merchant_id: int, companies: list[int]) -> None:
        self.user_id = int(request.user.pk or 0)
        self.role = MERCHANT_ROLE
        self.merchant_id = merchant_id
        self.companies = companies

    @property
    def actor(self) -> dict[str, Any]:
        return {"actor_user_id": self.user_id, "actor_role": self.role}

    def url(self, name: str, **params: Any) -> str:
        query = {"merchant": self.merchant_id, **{k: v for k, v in params.items() if v}}
        return f"{reverse(name)}?{urlencode(query)}"


def _console(request: HttpRequest) -> _Console | HttpResponse:
    """The console of merchant staff; a login redirect for visitors, 403 for others.

    A member of several companies picks one with ``?merchant=<id>`` (the first by id
    otherwise); an id that is not theirs is 404.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if getattr(request.user, "role", "") != MERCHANT_ROLE:
        raise PermissionDenied(_("The merchant console is for merchant staff."))
    companies = merchant_selectors.merchant_ids_for_user(user_id=int(request.user.pk or 0))
    if not companies:
        raise PermissionDenied(_("Your account is not staff of any company yet."))
    raw = request.POST.get("merchant") or request.GET.get("merchant") or ""
    if raw:
        chosen = parse_id(raw)
        if chosen is None or chosen not in companies:
            raise Http404(_("No such company."))
        return _Console(request, chosen, companies)
    return _Console(request, companies[0], companies)


def _language_suffix() -> str:
    from django.utils.translation import get_language

    return language_suffix(get_language())


def _local_name(obj: Any) -> str:
    """The ``name`` of a category or marketplace in the active language (English, or the
    plain ``name``, when it has none)."""
    suffix = _language_suffix()
    return str(
        getattr(obj, f"name_{suffix}", "")
        or getattr(obj, "name_en", "")
        or getattr(obj, "name", "")
    )


def _console_category_choices() -> list[tuple[str, str]]:
    """(slug, "Parent / Child") in the active language, sorted by that label."""
    categories = selectors.category_list()
    by_id = {c.id: c for c in categories}
    choices = []
    for c in categories:
        parent = by_id.get(c.parent_id) if c.parent_id is not None else None
        label = _local_name(c) if parent is None else f"{_local_name(parent)} / {_local_name(c)}"
        choices.append((c.slug, label))
    return sorted(choices, key=lambda choice: choice[1].casefold())


def _clean_text(raw: str | None) -> str:
    return (raw or "").replace("\x00", "").strip()[:200]


class _ProductFilters:
    """The products list's filters, read from a query string and written back (only
    these known fields, validated: never an address taken from the request)."""

    def __init__(self, query: QueryDict, categories: list[tuple[str, str]]) -> None:
        self.q = _clean_text(query.get("q"))
        status = query.get("status") or ""
        self.status = status if status in {"active", "hidden"} else ""
        category = query.get("category") or ""
        self.category = category if category in dict(categories) else ""
        self.page = parse_page(query.get("page"))

    @property
    def is_active(self) -> bool | None:
        return {"active": True, "hidden": False}.get(self.status)

    def params(self, *, page: bool = True) -> dict[str, Any]:
        return {
            "q": self.q,
            "status": self.status,
            "category": self.category,
            "page": self.page if page and self.page > 1 else None,
        }

    def query(self) -> str:
        """``q=…&status=…`` of the filters that are set (no leading ``?``)."""
        return urlencode({k: v for k, v in self.params().items() if v})


class _StockFilters:
    """The stock page's filters (search text, low stock only, warehouse, page), read
    from a query string and written back from known fields only."""

    def __init__(self, query: QueryDict) -> None:
        self.q = _clean_text(query.get("q"))
        self.low = query.get("low") == "1"
        self.warehouse_id = parse_id(query.get("warehouse") or "")
        self.page = parse_page(query.get("page"))

    def params(self) -> dict[str, Any]:
        return {
            "q": self.q,
            "low": "1" if self.low else None,
            "warehouse": self.warehouse_id,
            "page": self.page if self.page > 1 else None,
        }


def _summaries(console: _Console) -> list[Any]:
    summaries = merchant_selectors.merchant_summaries(merchant_ids=console.companies)
    return [summaries[i] for i in console.companies if i in summaries]


def _listings(console: _Console) -> list[tuple[str, str]]:
    """(value "marketplace_id:CUR", label) for each currency of each of its stores."""
    stores = merchant_selectors.store_list_for_merchant(
        merchant_id=console.merchant_id, actor_id=console.user_id, actor_role=console.role
    )
    infos = marketplace_selectors.marketplace_infos_by_id(
        marketplace_ids=[s.marketplace_id for s in stores]
    )
    choices = []
    for s in stores:
        info = infos.get(s.marketplace_id)
        if info is None:
            continue
        for currency in info.currencies:
            choices.append((f"{info.id}:{currency}", f"{_local_name(info)} · {currency}"))
    return choices


def _listing_currencies(listings: list[tuple[str, str]]) -> list[str]:
    """The currencies of the merchant's listings ("marketplace_id:CUR"), each once."""
    return list(dict.fromkeys(value.split(":", 1)[1] for value, _label in listings))


def _warehouse_choices(console: _Console) -> list[tuple[str, str]]:
    return [
        (str(w.id), f"{w.code} · {w.name}")
        for w in selectors.warehouse_list(**console.actor, merchant_id=console.merchant_id)
        if w.is_active
    ]


def _form_errors(form: Any, exc: DomainError) -> None:
    form.add_error(None, exc.message())


@require_http_methods(["GET", "POST"])
def console_products(request: HttpRequest) -> HttpResponse:
    console = _console(request)
    if isinstance(console, HttpResponse):
        return console
    categories = _console_category_choices()
    filters = _ProductFilters(request.GET, categories)
    listings = _listings(console)
    warehouses = _warehouse_choices(console)
    status = 200
    if request.method == "POST":
        form = catalog_forms.ProductLaunchForm(
            request.POST, categories=categories, listings=listings, warehouses=warehouses
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.product_launch(
                    **console.actor,
                    merchant_id=console.merchant_id,
                    name_en=data["name_en"],
                    name_it=data["name_it"],
                    name_zh=data["name_zh"],
                    description_en=data["description_en"],
                    description_it=data["description_it"],
                    description_zh=data["description_zh"],
                    hs_code=data["hs_code"],
                    origin_country=data["origin_country"],
                    category_slug=data["category"] or None,
                    sku=data["sku"],
                    label=data["label"],
                    marketplace_id=data["marketplace_id"],
                    currency=data["currency"],
                    amount_minor=data["amount_minor"],
                    warehouse_id=int(data["warehouse"]) if data.get("warehouse") else None,
                    units_on_hand=data.get("units") or 0,
                )
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Product created."))
                return HttpResponseRedirect(console.url("catalog:console_products", q=created.slug))
        status = 422
    else:
        form = catalog_forms.ProductLaunchForm(
            categories=categories, listings=listings, warehouses=warehouses
        )
    page = selectors.console_product_list(
        **console.actor,
        merchant_id=console.merchant_id,
        q=filters.q or None,
        is_active=filters.is_active,
        category_slug=filters.category or None,
        limit=CONSOLE_PAGE_SIZE,
        offset=(filters.page - 1) * CONSOLE_PAGE_SIZE,
    )
    return render(
        request,
        "catalog/console_products.html",
        {
            "console_section": "products",
            "console": console,
            "companies": _summaries(console),
            "page": page,
            "q": filters.q,
            "filters": filters,
            "filter_query": filters.query(),
            "categories": categories,
            "form": form,
            "has_listings": bool(listings),
            **_page_links(request, page, CONSOLE_PAGE_SIZE),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def console_product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    console = _console(request)
    if isinstance(console, HttpResponse):
        return console
    try:
        item = selectors.console_product_get(**console.actor, product_id=product_id)
    except NotFound:
        raise Http404(_("No such product.")) from None
    if item.merchant_id != console.merchant_id:
        console.merchant_id = item.merchant_id
    categories = _console_category_choices()
    filters = _ProductFilters(request.GET, categories)
    listings = _listings(console)
    edit_form = catalog_forms.ProductEditForm(
        categories=categories,
        initial={
            "name_en": item.name_en,
            "name_it": item.name_it,
            "name_zh": item.name_zh,
            "description_en": item.description_en,
            "description_it": item.description_it,
            "description_zh": item.description_zh,
            "hs_code": item.hs_code,
            "origin_country": item.origin_country,
            "category": item.category_slug,
            "is_active": item.is_active,
        },
    )
    variant_form = catalog_forms.VariantForm()
    price_form = catalog_forms.PriceForm(listings=listings)
    terms_form = catalog_forms.ListingTermsForm(
        initial={
            "lead_time_days": item.lead_time_days,
            "incoterm": item.incoterm,
            "incoterm_place": item.incoterm_place,
            "payment_terms": item.payment_terms,
        }
    )
    sample_form = catalog_forms.SampleOfferForm(currencies=_listing_currencies(listings))
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        done = _edit_action(request, console, item, action, categories, listings, filters)
        if isinstance(done, HttpResponse):
            return done
        status = 422
        if action == "product":
            edit_form = done
        elif action == "variant":
            variant_form = done
        elif action == "price":
            price_form = done
        elif action == "terms":
            terms_form = done
        elif action == "sample":
            sample_form = done
    return render(
        request,
        "catalog/console_product_edit.html",
        {
            "console_section": "products",
            "console": console,
            "item": item,
            "edit_form": edit_form,
            "variant_form": variant_form,
            "price_form": price_form,
            "terms_form": terms_form,
            "sample_form": sample_form,
            "images": selectors.product_image_list(**console.actor, product_id=item.product_id),
            "max_images": services.MAX_PRODUCT_IMAGES,
            "listings": dict(listings),
            "filters": filters,
            "filter_query": filters.query(),
            "list_url": console.url("catalog:console_products", **filters.params()),
        },
        status=status,
    )


def _edit_action(
    request: HttpRequest,
    console: _Console,
    item: selectors.ConsoleProduct,
    action: str | None,
    categories: list[tuple[str, str]],
    listings: list[tuple[str, str]],
    filters: _ProductFilters,
) -> Any:
    """Run one POSTed edit; a redirect when it worked, else the bound form with errors.

    Saved details go back to the products list as it was filtered; a variant or prices
    back to this page (the list's filters kept in its address)."""
    name = "catalog:console_product_edit"
    url = f"{reverse(name, args=[item.product_id])}?merchant={console.merchant_id}"
    if filters.query():
        url += f"&{filters.query()}"
    redirect = HttpResponseRedirect(url)
    form: Any
    try:
        if action == "product":
            form = catalog_forms.ProductEditForm(request.POST, categories=categories)
            if form.is_valid():
                data = form.cleaned_data
                services.product_update(
                    **console.actor,
                    product_id=item.product_id,
                    name_en=data["name_en"],
                    name_it=data["name_it"],
                    name_zh=data["name_zh"],
                    description_en=data["description_en"],
                    description_it=data["description_it"],
                    description_zh=data["description_zh"],
                    hs_code=data["hs_code"],
                    origin_country=data["origin_country"],
                    category_slug=data["category"] or "",
                    is_active=data["is_active"],
                )
                messages.success(request, _("Product saved."))
                return HttpResponseRedirect(
                    console.url("catalog:console_products", **filters.params())
                )
        elif action == "variant":
            form = catalog_forms.VariantForm(request.POST)
            if form.is_valid():
                services.variant_create(
                    **console.actor, product_id=item.product_id, **form.cleaned_data
                )
                messages.success(request, _("Variant added."))
                return redirect
        elif action == "price":
            form = catalog_forms.PriceForm(request.POST, listings=listings)
            if form.is_valid():
                data = form.cleaned_data
                if data["variant_id"] not in {v.variant_id for v in item.variants}:
                    raise Http404(_("No such variant."))
                services.price_set(
                    **console.actor,
                    variant_id=data["variant_id"],
                    marketplace_id=data["marketplace_id"],
                    currency=data["currency"],
                    tiers=[
                        services.PriceTier(min_quantity=q, amount_minor=a)
                        for q, a in data["parsed_tiers"]
                    ],
                )
                messages.success(request, _("Prices saved."))
                return redirect
        elif action == "terms":  # --- listing terms ---
            form = catalog_forms.ListingTermsForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                services.listing_terms_set(
                    **console.actor,
                    product_id=item.product_id,
                    lead_time_days=data["lead_time_days"],
                    incoterm=data["incoterm"],
                    incoterm_place=data["incoterm_place"],
                    payment_terms=data["payment_terms"],
                )
                messages.success(request, _("Trade terms saved."))
                return redirect
        elif action == "sample":
            form = catalog_forms.SampleOfferForm(
                request.POST, currencies=_listing_currencies(listings)
            )
            if form.is_valid():
                data = form.cleaned_data
                if data["variant_id"] not in {v.variant_id for v in item.variants}:
                    raise Http404(_("No such variant."))
                services.variant_sample_set(
                    **console.actor,
                    variant_id=data["variant_id"],
                    sample_units=data["sample_units"],
                    sample_price_minor=data["sample_price_minor"],
                    currency=data["currency"],
                )
                messages.success(request, _("Sample offer saved."))
                return redirect
        else:
            raise Http404(_("Unknown action."))
    except DomainError as exc:
        _form_errors(form, exc)
    return form


@require_http_methods(["GET", "POST"])
def console_stock(request: HttpRequest) -> HttpResponse:
    console = _console(request)
    if isinstance(console, HttpResponse):
        return console
    warehouse_form = catalog_forms.WarehouseForm()
    filters = _StockFilters(request.GET)
    if request.method == "POST":
        action = request.POST.get("action")
        form: Any
        if action == "set":
            form = catalog_forms.StockSetForm(request.POST)
        elif action == "adjust":
            form = catalog_forms.StockAdjustForm(request.POST)
        elif action == "warehouse":
            form = warehouse_form = catalog_forms.WarehouseForm(request.POST)
        else:
            raise Http404(_("Unknown action."))
        if form.is_valid():
            try:
                if action == "set":
                    services.stock_set(**console.actor, **form.cleaned_data)
                elif action == "adjust":
                    services.stock_adjust(**console.actor, **form.cleaned_data)
                else:
                    services.warehouse_create(
                        **console.actor, merchant_id=console.merchant_id, **form.cleaned_data
                    )
            except DomainError as exc:
                messages.error(request, exc.message())
            else:
                messages.success(request, _("Stock saved."))
                return HttpResponseRedirect(
                    console.url("catalog:console_stock", **filters.params())
                )
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
    page = selectors.console_stock_list(
        **console.actor,
        merchant_id=console.merchant_id,
        low_stock_only=filters.low,
        q=filters.q or None,
        warehouse_id=filters.warehouse_id,
        limit=CONSOLE_PAGE_SIZE,
        offset=(filters.page - 1) * CONSOLE_PAGE_SIZE,
    )
    warehouses = selectors.warehouse_list(**console.actor, merchant_id=console.merchant_id)
    return render(
        request,
        "catalog/console_stock.html",
        {
            "console_section": "stock",
            "console": console,
            "companies": _summaries(console),
            "page": page,
            "low": filters.low,
            "q": filters.q,
            "filters": filters,
            "all_warehouses": warehouses,
            "movements_url": console.url(
                "orders:console_stock_movements", warehouse=filters.warehouse_id
            ),
            "warehouse_form": warehouse_form,
            **_page_links(request, page, CONSOLE_PAGE_SIZE),
        },
        status=422 if request.method == "POST" else 200,
    )


@require_POST
def console_product_images(request: HttpRequest, product_id: int) -> HttpResponse:
    """The product edit page's pictures: upload one, remove one, or make one the cover.
    Answers with a redirect back to the edit page and a message (the form's errors, such
    as a file that is not a picture, in the reader's language)."""
    console = _console(request)
    if isinstance(console, HttpResponse):
        return console
    try:
        item = selectors.console_product_get(**console.actor, product_id=product_id)
    except NotFound:
        raise Http404(_("No such product.")) from None
    back = HttpResponseRedirect(
        f"{reverse('catalog:console_product_edit', args=[item.product_id])}"
        f"?merchant={item.merchant_id}#images"
    )
    action = request.POST.get("action")
    image_id = parse_id(request.POST.get("image_id") or "")
    try:
        if action == "upload":
            upload = request.FILES.get("image")
            if upload is None:
                messages.error(request, _("Choose a picture to upload."))
                return back
            services.product_image_add(
                **console.actor,
                product_id=item.product_id,
                upload=upload,
                alt_text=request.POST.get("alt_text") or "",
            )
            messages.success(request, _("Picture added."))
        elif action in {"delete", "cover"} and image_id is not None:
            if image_id not in {
                i.image_id
                for i in selectors.product_image_list(**console.actor, product_id=item.product_id)
            }:
                raise Http404(_("No such picture."))
            if action == "delete":
                services.product_image_delete(**console.actor, image_id=image_id)
                messages.success(request, _("Picture removed."))
            else:
                services.product_image_set_cover(**console.actor, image_id=image_id)
                messages.success(request, _("Cover picture set."))
        else:
            raise Http404(_("Unknown action."))
    except DomainError as exc:
        messages.error(request, exc.message())
    return back
