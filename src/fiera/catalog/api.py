"""Catalog API: the public storefront (search, product, categories) and the merchant
staff's product, price, warehouse and stock management."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Path, Query, Router, Status, UploadedFile

from fiera.catalog import selectors, services
from fiera.catalog.schemas import (
    MAX_ID,
    SLUG,
    CategoryIn,
    CategoryOut,
    ConsoleListQuery,
    ConsoleProductPageOut,
    CountryQuery,
    ImageOrderIn,
    ListingTermsIn,
    PricesIn,
    PricesOut,
    PriceTierOut,
    ProductDetailOut,
    ProductImageOut,
    ProductIn,
    ProductOut,
    ProductPatch,
    ProductSearchOut,
    ProductSearchQuery,
    SampleOfferIn,
    StockAdjustIn,
    StockOut,
    StockSetIn,
    VariantIn,
    VariantOut,
    VariantPatch,
    WarehouseIn,
    WarehouseOut,
)
from fiera.common.schemas import ErrorOut

router = Router(tags=["catalog"])

MarketplaceSlug = Path(..., max_length=40, pattern=SLUG, description="marketplace slug")
ProductId = Path(..., ge=1, le=MAX_ID)
VariantId = Path(..., ge=1, le=MAX_ID)
MerchantId = Path(..., ge=1, le=MAX_ID)
WarehouseId = Path(..., ge=1, le=MAX_ID)
ImageId = Path(..., ge=1, le=MAX_ID)

PUBLIC_ERRORS: dict[int, type[ErrorOut]] = {404: ErrorOut, 422: ErrorOut}
# 400: a body that is not JSON ("Cannot parse request body", raised by ninja itself).
STAFF_ERRORS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def _actor(request: HttpRequest) -> tuple[int, str]:
    """(user id, account role) of the signed-in caller."""
    user = request.auth  # type: ignore[attr-defined]
    return int(user.pk), str(user.role)


# --- public ------------------------------------------------------------------------------


@router.get(
    "/marketplaces/{slug}/products",
    auth=None,
    response={200: ProductSearchOut, **PUBLIC_ERRORS},
)
def product_search(
    request: HttpRequest, params: Query[ProductSearchQuery], slug: str = MarketplaceSlug
) -> selectors.SearchPage:
    """Products for sale on the marketplace, priced in the currency of ``country`` (the
    marketplace's default currency without it). Full-text ``q`` over it/en/zh names and
    descriptions; filters by category (with subcategories), merchant region and sector,
    from-price range (minor units) and stock."""
    return selectors.shop_product_search(
        marketplace_slug=slug,
        country=params.country,
        q=params.q,
        category_slug=params.category,
        region_code=params.region,
        sector=params.sector,
        min_price_minor=params.min_price,
        max_price_minor=params.max_price,
        in_stock_only=params.in_stock,
        sort=params.sort,
        limit=params.limit,
        offset=params.offset,
    )


@router.get(
    "/marketplaces/{slug}/products/{product_id}",
    auth=None,
    response={200: ProductDetailOut, **PUBLIC_ERRORS},
)
def product_detail(
    request: HttpRequest,
    params: Query[CountryQuery],
    slug: str = MarketplaceSlug,
    product_id: int = ProductId,
) -> selectors.ProductDetail:
    """A product listed on the marketplace: its variants with price tiers in the
    currency of ``country`` and the units one warehouse can ship."""
    return selectors.shop_product_detail(
        marketplace_slug=slug, country=params.country, product_id=product_id
    )


@router.get("/categories", auth=None, response=list[CategoryOut])
def category_list(request: HttpRequest) -> list[selectors.CategoryInfo]:
    """Every category (a tree through ``parent_id``), by slug."""
    return selectors.category_list()


@router.post("/categories", response={201: CategoryOut, **STAFF_ERRORS})
def category_create(request: HttpRequest, payload: CategoryIn) -> Status[object]:
    """Create a category (operators only)."""
    user_id, role = _actor(request)
    category = services.category_create(
        actor_user_id=user_id,
        actor_role=role,
        slug=payload.slug,
        name_en=payload.name_en,
        name_it=payload.name_it,
        name_zh=payload.name_zh,
        name_es=payload.name_es,
        parent_slug=payload.parent,
    )
    return Status(201, category)


# --- merchant staff ------------------------------------------------------------------


@router.post("/merchants/{merchant_id}/products", response={201: ProductOut, **STAFF_ERRORS})
def product_create(
    request: HttpRequest, payload: ProductIn, merchant_id: int = MerchantId
) -> Status[object]:
    """Create a product of the merchant (its staff, or an operator)."""
    data = payload.dict()
    category = data.pop("category")
    user_id, role = _actor(request)
    product = services.product_create(
        actor_user_id=user_id,
        actor_role=role,
        merchant_id=merchant_id,
        category_slug=category,
        **data,
    )
    return Status(201, product)


@router.get(
    "/merchants/{merchant_id}/products",
    response={
        200: ConsoleProductPageOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
)
def product_list(
    request: HttpRequest, params: Query[ConsoleListQuery], merchant_id: int = MerchantId
) -> selectors.ConsolePage:
    """The merchant's products, active or not, newest first; ``q`` matches names,
    slug or SKU."""
    user_id, role = _actor(request)
    return selectors.console_product_list(
        actor_user_id=user_id,
        actor_role=role,
        merchant_id=merchant_id,
        q=params.q,
        limit=params.limit,
        offset=params.offset,
    )


@router.patch("/products/{product_id}", response={200: ProductOut, **STAFF_ERRORS})
def product_update(
    request: HttpRequest, payload: ProductPatch, product_id: int = ProductId
) -> object:
    """Change a product's names, descriptions, category, HS code, origin or activity."""
    data = payload.dict(exclude_unset=True)
    if "category" in data:
        data["category_slug"] = data.pop("category") or ""
    user_id, role = _actor(request)
    return services.product_update(
        actor_user_id=user_id,
        actor_role=role,
        product_id=product_id,
        **{k: v for k, v in data.items() if v is not None},
    )


@router.post("/products/{product_id}/variants", response={201: VariantOut, **STAFF_ERRORS})
def variant_create(
    request: HttpRequest, payload: VariantIn, product_id: int = ProductId
) -> Status[object]:
    """Add a variant (SKU unique within the merchant: 409 ``sku_taken``)."""
    user_id, role = _actor(request)
    variant = services.variant_create(
        actor_user_id=user_id,
        actor_role=role,
        product_id=product_id,
        **payload.dict(),
    )
    return Status(201, variant)


@router.patch("/variants/{variant_id}", response={200: VariantOut, **STAFF_ERRORS})
def variant_update(
    request: HttpRequest, payload: VariantPatch, variant_id: int = VariantId
) -> object:
    data = payload.dict(exclude_unset=True)
    user_id, role = _actor(request)
    return services.variant_update(
        actor_user_id=user_id,
        actor_role=role,
        variant_id=variant_id,
        **{k: v for k, v in data.items() if v is not None},
    )


@router.put("/variants/{variant_id}/prices", response={200: PricesOut, **STAFF_ERRORS})
def price_set(request: HttpRequest, payload: PricesIn, variant_id: int = VariantId) -> PricesOut:
    """Replace the variant's price tiers on a marketplace in one of its currencies."""
    user_id, role = _actor(request)
    stored = services.price_set(
        actor_user_id=user_id,
        actor_role=role,
        variant_id=variant_id,
        marketplace_id=payload.marketplace_id,
        currency=payload.currency,
        tiers=[
            services.PriceTier(min_quantity=t.min_quantity, amount_minor=t.amount_minor)
            for t in payload.tiers
        ],
    )
    return PricesOut(
        variant_id=variant_id,
        marketplace_id=payload.marketplace_id,
        currency=payload.currency.upper(),
        tiers=[
            PriceTierOut(min_quantity=t.min_quantity, amount_minor=t.amount_minor) for t in stored
        ],
    )


@router.post("/merchants/{merchant_id}/warehouses", response={201: WarehouseOut, **STAFF_ERRORS})
def warehouse_create(
    request: HttpRequest, payload: WarehouseIn, merchant_id: int = MerchantId
) -> Status[object]:
    user_id, role = _actor(request)
    warehouse = services.warehouse_create(
        actor_user_id=user_id,
        actor_role=role,
        merchant_id=merchant_id,
        **payload.dict(),
    )
    return Status(201, warehouse)


@router.put("/variants/{variant_id}/stock/{warehouse_id}", response={200: StockOut, **STAFF_ERRORS})
def stock_set(
    request: HttpRequest,
    payload: StockSetIn,
    variant_id: int = VariantId,
    warehouse_id: int = WarehouseId,
) -> object:
    """Set the units on hand after a count (recorded as a stock movement)."""
    user_id, role = _actor(request)
    return services.stock_set(
        actor_user_id=user_id,
        actor_role=role,
        variant_id=variant_id,
        warehouse_id=warehouse_id,
        units_on_hand=payload.units_on_hand,
        reason=payload.reason,
    )


@router.post(
    "/variants/{variant_id}/stock/{warehouse_id}/adjust",
    response={200: StockOut, **STAFF_ERRORS},
)
def stock_adjust(
    request: HttpRequest,
    payload: StockAdjustIn,
    variant_id: int = VariantId,
    warehouse_id: int = WarehouseId,
) -> object:
    """Add or remove units; never below zero (409 ``stock_negative``)."""
    user_id, role = _actor(request)
    return services.stock_adjust(
        actor_user_id=user_id,
        actor_role=role,
        variant_id=variant_id,
        warehouse_id=warehouse_id,
        delta=payload.delta,
        reason=payload.reason,
    )


# --- product images ------------------------------------------------------------------------


@router.get("/products/{product_id}/images", response={200: list[ProductImageOut], **STAFF_ERRORS})
def product_image_list(request: HttpRequest, product_id: int = ProductId) -> list[ProductImageOut]:
    """The product's pictures in order (the first is the cover). Its merchant's staff and
    operators; another merchant's product answers 404."""
    user_id, role = _actor(request)
    found = selectors.product_image_list(
        actor_user_id=user_id, actor_role=role, product_id=product_id
    )
    return [ProductImageOut.of(i) for i in found]


@router.post(
    "/products/{product_id}/images",
    response={201: ProductImageOut, **STAFF_ERRORS},
)
def product_image_add(
    request: HttpRequest,
    image: File[UploadedFile],
    product_id: int = ProductId,
    alt_text: Form[str] = "",
) -> Status[ProductImageOut]:
    """Upload a picture (multipart/form-data: ``image``, optional ``alt_text``). JPEG, PNG
    or WebP up to 10 MB and 40 megapixels; stored re-encoded as WebP without metadata, with
    a thumbnail. 422 ``image_unreadable``, ``image_too_large``, ``image_too_many_pixels``;
    409 ``too_many_product_images`` past 8 pictures."""
    user_id, role = _actor(request)
    added = services.product_image_add(
        actor_user_id=user_id,
        actor_role=role,
        product_id=product_id,
        upload=image,
        alt_text=alt_text,
    )
    listed = selectors.product_image_list(
        actor_user_id=user_id, actor_role=role, product_id=product_id
    )
    return Status(201, ProductImageOut.of(next(i for i in listed if i.image_id == added.pk)))


@router.put(
    "/products/{product_id}/images/order",
    response={200: list[ProductImageOut], **STAFF_ERRORS},
)
def product_image_reorder(
    request: HttpRequest, payload: ImageOrderIn, product_id: int = ProductId
) -> list[ProductImageOut]:
    """Order the pictures: ``image_ids`` names each of them once, the cover first."""
    user_id, role = _actor(request)
    services.product_image_reorder(
        actor_user_id=user_id, actor_role=role, product_id=product_id, image_ids=payload.image_ids
    )
    found = selectors.product_image_list(
        actor_user_id=user_id, actor_role=role, product_id=product_id
    )
    return [ProductImageOut.of(i) for i in found]


# Declared after .../images/order, which {image_id} would otherwise match first.
@router.delete("/products/{product_id}/images/{image_id}", response={204: None, **STAFF_ERRORS})
def product_image_delete(
    request: HttpRequest, product_id: int = ProductId, image_id: int = ImageId
) -> Status[None]:
    """Remove a picture; the ones after it move up."""
    user_id, role = _actor(request)
    services.product_image_delete(
        actor_user_id=user_id, actor_role=role, image_id=image_id, product_id=product_id
    )
    return Status(204, None)


# --- listing terms ---


@router.put("/products/{product_id}/listing-terms", response={200: ProductOut, **STAFF_ERRORS})
def listing_terms_set(
    request: HttpRequest, payload: ListingTermsIn, product_id: int = ProductId
) -> object:
    """Set the B2B terms of a listing: lead time, Incoterm and place, payment terms, HS
    code (owners and managers; clerks 403, another merchant's product 404)."""
    user_id, role = _actor(request)
    return services.listing_terms_set(
        actor_user_id=user_id, actor_role=role, product_id=product_id, **payload.dict()
    )


@router.put("/variants/{variant_id}/sample", response={200: VariantOut, **STAFF_ERRORS})
def variant_sample_set(
    request: HttpRequest, payload: SampleOfferIn, variant_id: int = VariantId
) -> object:
    """Offer samples of a variant: 1 or 2 units per order at a sample price, outside the
    MOQ; 0 units withdraws the offer (owners and managers; clerks 403)."""
    user_id, role = _actor(request)
    return services.variant_sample_set(
        actor_user_id=user_id, actor_role=role, variant_id=variant_id, **payload.dict()
    )
