from __future__ import annotations

from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, WithJsonSchema, model_validator

from fiera.common.reference import countries

MAX_ID = 2**63 - 1
MAX_MINOR = 10**15
SLUG = r"^[-a-zA-Z0-9_]+$"
# What the services accept, said in the schema so that schema-valid input is valid input.
NEW_SLUG = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"  # what slugify() leaves as it is
OPTIONAL_NEW_SLUG = r"^(?:[a-z0-9]+(?:[-_][a-z0-9]+)*)?$"
TEXT = r"^[^\x00]*$"  # no NUL character (PostgreSQL text cannot hold one)
NONBLANK_TEXT = r"^[^\x00]*[^\x00\s][^\x00]*$"
HS_CODE = r"^(?:[0-9][. ]?){5,9}[0-9]$"  # 6 to 10 digits, dots or spaces between them
SKU = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$"
CURRENCY = r"^[A-Za-z]{3}$"
COUNTRY_CODES = sorted(c.code for c in countries())


def _iso_country(code: str) -> str:
    if code not in COUNTRY_CODES:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


CountryCode = Annotated[
    str,
    AfterValidator(_iso_country),
    WithJsonSchema({"type": "string", "enum": COUNTRY_CODES, "description": "ISO 3166-1 alpha-2"}),
]


# Strict ints (BodyIn's config): a JSON integer only, never true, "4" or 4.0.
Grams = Annotated[int, Field(ge=0, le=1_000_000_000)]
Quantity = Annotated[int, Field(ge=1, le=1_000_000)]
AmountMinor = Annotated[int, Field(ge=1, le=MAX_MINOR, description="minor units")]
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
Units = Annotated[int, Field(ge=0, le=1_000_000_000)]
Delta = Annotated[
    int,
    Field(
        ge=-1_000_000_000,
        le=1_000_000_000,
        description="units to add (negative removes), not 0",
        json_schema_extra={"not": {"const": 0}},
    ),
]


class BodyIn(Schema):
    """A JSON object body, typed strictly: no "true" for 1, no 1.0 for an integer, and
    no array or string in place of the object (ninja would read it as an empty one)."""

    model_config = ConfigDict(strict=True)

    @model_validator(mode="before")
    @classmethod
    def _object_only(cls, data: Any) -> Any:
        # ninja hands the input over wrapped in a DjangoGetter; look at what it wraps
        if not isinstance(getattr(data, "_obj", data), dict):
            raise ValueError("the body must be a JSON object")
        return data


# --- storefront ---------------------------------------------------------------------------


class ProductSearchQuery(Schema):
    q: str | None = Field(None, max_length=200, description="words to find in names/descriptions")
    category: str | None = Field(None, max_length=60, pattern=SLUG, description="category slug")
    region: str | None = Field(
        None, pattern=r"^[A-Z]{2}-[0-9A-Z]{1,3}$", description="ISO 3166-2 region, e.g. IT-25"
    )
    sector: str | None = Field(None, max_length=40, pattern=SLUG, description="sector slug")
    min_price: int | None = Field(None, ge=0, le=MAX_MINOR, description="minor units, inclusive")
    max_price: int | None = Field(None, ge=0, le=MAX_MINOR, description="minor units, inclusive")
    in_stock: bool = False
    sort: Literal["relevance", "price_asc", "price_desc", "newest"] = "relevance"
    country: CountryCode | None = Field(
        None, description="destination country (ISO 3166-1 alpha-2); picks the currency"
    )
    limit: int = Field(24, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


class CountryQuery(Schema):
    country: CountryCode | None = Field(
        None, description="destination country (ISO 3166-1 alpha-2); picks the currency"
    )


class ProductCardOut(Schema):
    product_id: int
    slug: str
    name_it: str
    name_en: str
    name_zh: str
    merchant_id: int
    merchant_name: str
    region_code: str = Field(description="ISO 3166-2:IT of the merchant, may be empty")
    region_name: str
    store_slug: str
    from_price_minor: int = Field(
        description="lowest unit price at a variant's minimum order quantity, minor units"
    )
    currency: str = Field(description="ISO 4217")
    in_stock: bool
    cover_thumbnail_url: str = Field(
        "", description="the cover picture's thumbnail (fits 480 x 480); empty without one"
    )

    @staticmethod
    def resolve_cover_thumbnail_url(obj: Any) -> str:
        cover = getattr(obj, "cover", None)
        return str(cover.thumbnail_url) if cover is not None else ""


class ProductSearchOut(Schema):
    items: list[ProductCardOut]
    total: int = Field(description="how many products match; a lower bound when not total_exact")
    total_exact: bool = Field(
        description="false when the count stopped: more than total products match (the "
        "count stops past 1,000 results or past the page asked for, whichever is further)"
    )
    limit: int
    offset: int
    currency: str = Field(description="ISO 4217 currency of every price on the page")


class PriceTierOut(Schema):
    min_quantity: int
    amount_minor: int


class VariantOptionOut(Schema):
    variant_id: int
    sku: str
    label: str
    attributes: dict[str, Any]
    min_order_quantity: int
    weight_grams: int
    currency: str
    unit_price_minor: int = Field(description="price of one unit at quantity 1, minor units")
    minimum_unit_price_minor: int = Field(
        description="price of one unit at the minimum order quantity (the headline price a "
        "buyer can order at; catalog.rules), minor units"
    )
    tiers: list[PriceTierOut]
    units_available: int = Field(description="most units one warehouse can ship now")
    sample_price_minor: int | None = Field(
        None,
        description="price of one sample unit in this currency (catalog.rules), minor units; "
        "null: no samples offered here",
    )
    sample_units: int = Field(0, description="most units one order may take as a sample (0-2)")


class MerchantRefOut(Schema):
    id: int
    slug: str
    display_name: str
    region_code: str
    region_name: str
    town: str


class CategoryOut(Schema):
    id: int
    slug: str
    parent_id: int | None
    name_it: str
    name_en: str
    name_zh: str
    name_es: str = Field("", description="in Spanish; empty when not translated")


class ProductDetailOut(Schema):
    product_id: int
    slug: str
    name_it: str
    name_en: str
    name_zh: str
    description_it: str
    description_en: str
    description_zh: str
    hs_code: str = Field(description="Harmonized System code, 6 to 10 digits")
    origin_country: str = Field(description="ISO 3166-1 alpha-2")
    category: CategoryOut | None
    merchant: MerchantRefOut
    store_slug: str
    store_name: str
    currency: str
    variants: list[VariantOptionOut]
    images: list[ProductImageOut] = Field(
        default_factory=list, description="the product's pictures in order; the first is the cover"
    )
    lead_time_days: int | None = Field(None, description="B2B: days from order to dispatch")
    incoterm: str = Field("", description="B2B: Incoterms 2020 code, blank when not set")
    incoterm_name: str = ""
    incoterm_place: str = Field("", description="B2B: the Incoterm's named place")
    payment_terms: str = Field("", description='B2B: "assurance", "advance" or blank')
    payment_terms_name: str = ""


# --- merchant staff ---------------------------------------------------------------------


class ProductIn(BodyIn):
    name_en: str = Field(min_length=1, max_length=200, pattern=NONBLANK_TEXT)
    name_it: str = Field("", max_length=200, pattern=TEXT)
    name_zh: str = Field("", max_length=200, pattern=TEXT)
    description_it: str = Field("", max_length=20_000, pattern=TEXT)
    description_en: str = Field("", max_length=20_000, pattern=TEXT)
    description_zh: str = Field("", max_length=20_000, pattern=TEXT)
    hs_code: str = Field(
        max_length=20, pattern=HS_CODE, description="6 to 10 digits; dots or spaces between"
    )
    origin_country: CountryCode = "IT"
    category: str | None = Field(None, max_length=60, pattern=SLUG, description="category slug")
    slug: str | None = Field(
        None, max_length=120, pattern=OPTIONAL_NEW_SLUG, description="made from the name if absent"
    )
    is_active: bool = True


class ProductPatch(BodyIn):
    name_en: str | None = Field(None, min_length=1, max_length=200, pattern=NONBLANK_TEXT)
    name_it: str | None = Field(None, max_length=200, pattern=TEXT)
    name_zh: str | None = Field(None, max_length=200, pattern=TEXT)
    description_it: str | None = Field(None, max_length=20_000, pattern=TEXT)
    description_en: str | None = Field(None, max_length=20_000, pattern=TEXT)
    description_zh: str | None = Field(None, max_length=20_000, pattern=TEXT)
    hs_code: str | None = Field(None, max_length=20, pattern=HS_CODE)
    origin_country: CountryCode | None = None
    category: str | None = Field(
        None, max_length=60, pattern=r"^[-a-zA-Z0-9_]*$", description='slug; "" removes it'
    )
    is_active: bool | None = None


class ProductOut(Schema):
    id: int
    merchant_id: int
    slug: str
    name_it: str
    name_en: str
    name_zh: str
    description_it: str
    description_en: str
    description_zh: str
    hs_code: str
    origin_country: str
    category_id: int | None
    is_active: bool
    lead_time_days: int | None = None
    incoterm: str = ""
    incoterm_place: str = ""
    payment_terms: str = ""


class ConsoleProductOut(Schema):
    product_id: int
    slug: str
    name_it: str
    name_en: str
    name_zh: str
    category_slug: str
    hs_code: str
    origin_country: str
    is_active: bool
    variant_count: int
    units_on_hand: int = Field(description="units over all the merchant's warehouses")


class ConsoleProductPageOut(Schema):
    items: list[ConsoleProductOut]
    total: int
    limit: int
    offset: int


class ConsoleListQuery(Schema):
    q: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


class VariantIn(BodyIn):
    sku: str = Field(min_length=1, max_length=64, pattern=SKU)
    label: str = Field("", max_length=120, pattern=TEXT)
    attributes: dict[str, str] = Field(default_factory=dict, max_length=20)
    weight_grams: Grams = 0
    min_order_quantity: Quantity = 1
    is_active: bool = True


class VariantPatch(BodyIn):
    sku: str | None = Field(None, min_length=1, max_length=64, pattern=SKU)
    label: str | None = Field(None, max_length=120, pattern=TEXT)
    attributes: dict[str, str] | None = Field(None, max_length=20)
    weight_grams: Grams | None = None
    min_order_quantity: Quantity | None = None
    is_active: bool | None = None


class VariantOut(Schema):
    id: int
    product_id: int
    merchant_id: int
    sku: str
    label: str
    attributes: dict[str, Any]
    weight_grams: int
    min_order_quantity: int
    is_active: bool
    sample_units: int = 0
    sample_price_minor: int | None = None
    sample_currency: str = ""


class PriceTierIn(BodyIn):
    min_quantity: Quantity = 1
    amount_minor: AmountMinor


class PricesIn(BodyIn):
    marketplace_id: RowId
    currency: str = Field(
        min_length=3, max_length=3, pattern=CURRENCY, description="ISO 4217, used there"
    )
    tiers: list[PriceTierIn] = Field(
        max_length=10,
        description="from quantity 1 up, each quantity once, never dearer as it grows; "
        "empty removes the prices",
    )


class PricesOut(Schema):
    variant_id: int
    marketplace_id: int
    currency: str
    tiers: list[PriceTierOut]


class WarehouseIn(BodyIn):
    code: str = Field(
        min_length=1, max_length=40, pattern=NEW_SLUG, description="slug, unique per merchant"
    )
    name: str = Field(min_length=1, max_length=120, pattern=NONBLANK_TEXT)
    country: CountryCode = "IT"


class WarehouseOut(Schema):
    id: int
    merchant_id: int
    code: str
    name: str
    country: str
    is_active: bool


class StockSetIn(BodyIn):
    units_on_hand: Units
    reason: str = Field("", max_length=200, pattern=TEXT)


class StockAdjustIn(BodyIn):
    delta: Delta
    reason: str = Field(min_length=1, max_length=200, pattern=NONBLANK_TEXT)


class StockOut(Schema):
    variant_id: int
    warehouse_id: int
    units_on_hand: int


class CategoryIn(BodyIn):
    slug: str = Field(min_length=1, max_length=60, pattern=NEW_SLUG)
    name_en: str = Field(min_length=1, max_length=120, pattern=NONBLANK_TEXT)
    name_it: str = Field("", max_length=120, pattern=TEXT)
    name_zh: str = Field("", max_length=120, pattern=TEXT)
    name_es: str = Field("", max_length=120, pattern=TEXT)
    parent: str | None = Field(None, max_length=60, pattern=SLUG, description="parent slug")


# --- product images -------------------------------------------------------------------------


class ProductImageOut(Schema):
    id: int
    product_id: int
    position: int = Field(description="0 is the cover")
    url: str = Field(description="the picture (fits 1600 x 1600)")
    thumbnail_url: str = Field(description="the thumbnail (fits 480 x 480)")
    width: int
    height: int
    alt_text: str

    @classmethod
    def of(cls, info: Any) -> ProductImageOut:
        return cls(
            id=info.image_id,
            product_id=info.product_id,
            position=info.position,
            url=info.url,
            thumbnail_url=info.thumbnail_url,
            width=info.width,
            height=info.height,
            alt_text=info.alt_text,
        )


class ImageOrderIn(BodyIn):
    image_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        max_length=50, description="every picture of the product once, the cover first"
    )


# --- listing terms ---


class ListingTermsIn(BodyIn):
    """All the B2B terms of a listing at once (blank or null clears one); checked by
    ``common.trade_terms`` (422 ``invalid_trade_terms`` says what to enter)."""

    # bounded to 64 bits only: the service says what range it takes (a clear 422)
    lead_time_days: int | None = Field(
        None, ge=-(2**63), le=MAX_ID, description="days from order to dispatch, 0-365"
    )
    incoterm: str = Field("", max_length=20, pattern=TEXT, description="Incoterms 2020 code")
    incoterm_place: str = Field(
        "", max_length=200, pattern=TEXT, description="the named place (port, town)"
    )
    payment_terms: str = Field(
        "", max_length=20, pattern=TEXT, description='"assurance", "advance" or blank'
    )
    hs_code: str | None = Field(None, max_length=20, pattern=HS_CODE)


class SampleOfferIn(BodyIn):
    """A variant's sample offer (catalog.rules): 1 or 2 units per order at a price in the
    marketplace's currency; ``sample_units`` 0 withdraws it."""

    sample_units: int = Field(ge=-(2**63), le=MAX_ID, description="0 (no samples), 1 or 2")
    sample_price_minor: int | None = Field(
        None, ge=-(2**63), le=MAX_ID, description="minor units per sample unit"
    )
    currency: str = Field("", max_length=3, pattern=r"^[A-Za-z]{0,3}$")
