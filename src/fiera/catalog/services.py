"""Writes of the catalog: products, variants, prices, warehouses, stock, categories.

Every service takes the acting user (``actor_user_id``, ``actor_role``) and checks it:
operators may act on any merchant; merchant staff only on the merchants they belong to
(``merchants.selectors.staff_require``); every other role gets ``PermissionDenied``.
Ids of another merchant's products, variants or warehouses answer 404, as if unknown.
Each service owns its transaction.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.text import slugify
from django.utils.translation import gettext_lazy

from fiera.accounts.roles import MERCHANT as MERCHANT_STAFF
from fiera.accounts.roles import OPERATOR, SYSTEM
from fiera.catalog import rules
from fiera.catalog.models import (
    Category,
    Price,
    Product,
    ProductImage,
    StockLevel,
    StockMovement,
    StockMovementKind,
    Variant,
    Warehouse,
)
from fiera.common import images, trade_terms
from fiera.common.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from fiera.common.money import is_currency
from fiera.common.reference import is_country
from fiera.marketplaces import selectors as marketplace_selectors
from fiera.merchants import selectors as merchant_selectors

MAX_TIERS = 10
MAX_STOCK_UNITS = 1_000_000_000


# errors ------------------------------------------------------------------------------------


class ProductNotFound(NotFound):
    code = "product_not_found"
    message_template = gettext_lazy("This product does not exist or is no longer in the catalogue.")


class VariantNotFound(NotFound):
    code = "variant_not_found"
    message_template = gettext_lazy(
        "This product variant does not exist or is no longer in the catalogue."
    )


class WarehouseNotFound(NotFound):
    code = "warehouse_not_found"
    message_template = gettext_lazy("This warehouse does not exist.")


class CategoryNotFound(NotFound):
    code = "category_not_found"
    message_template = gettext_lazy("This category does not exist.")


class MerchantNotFound(NotFound):
    code = "merchant_not_found"
    message_template = gettext_lazy("This company does not exist.")


class NotCatalogEditor(PermissionDenied):
    code = "not_catalog_editor"
    message_template = gettext_lazy(
        "Your role in this company does not allow editing the catalogue."
    )


class OperatorsOnly(PermissionDenied):
    code = "operators_only"
    message_template = gettext_lazy("Only a Fiera operator can do this.")


class SkuTaken(Conflict):
    code = "sku_taken"
    message_template = gettext_lazy("Another product variant already uses this SKU.")


class ProductSlugTaken(Conflict):
    code = "product_slug_taken"
    message_template = gettext_lazy("Another product already uses this short name.")


class WarehouseCodeTaken(Conflict):
    code = "warehouse_code_taken"
    message_template = gettext_lazy("Another warehouse already uses this code.")


class CategorySlugTaken(Conflict):
    code = "category_slug_taken"
    message_template = gettext_lazy("Another category already uses this short name.")


class StockNegative(Conflict):
    code = "stock_negative"
    message_template = gettext_lazy(
        "Stock cannot go below zero: fewer units are on hand than this change takes away."
    )


class StockTooLarge(Conflict):
    code = "stock_too_large"
    message_template = gettext_lazy("This quantity is larger than a warehouse can hold in Fiera.")


class CurrencyNotUsed(Conflict):
    """The marketplace (as configured now) does not sell in that currency."""

    code = "currency_not_used"
    message_template = gettext_lazy("This marketplace does not sell in that currency.")


class InvalidPriceTiers(InvalidInput):
    code = "invalid_price_tiers"
    message_template = gettext_lazy(
        "The price tiers are not valid: the first tier starts at the minimum order quantity and "
        "each later one at a larger quantity."
    )


# authorization -------------------------------------------------------------------------


def check_catalog_editor(
    *, actor_user_id: int, actor_role: str, merchant_id: int, not_found: DomainError
) -> None:
    """Allow operators and ``merchant_id``'s staff; raise ``not_found`` for other staff.

    Another merchant's object must look unknown, so staff of merchant A asking about
    merchant B's product get ``not_found`` (404) rather than a 403 that confirms it.
    """
    if actor_role == OPERATOR:
        return
    if actor_role != MERCHANT_STAFF:
        raise NotCatalogEditor("only the merchant's staff or an operator may change its catalog")
    try:
        merchant_selectors.staff_require(user_id=actor_user_id, merchant_id=merchant_id)
    except NotFound:
        raise not_found from None


def _product_for_edit(*, actor_user_id: int, actor_role: str, product_id: int) -> Product:
    not_found = ProductNotFound(f"no product {product_id}")
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise not_found
    check_catalog_editor(
        actor_user_id=actor_user_id,
        actor_role=actor_role,
        merchant_id=product.merchant_id,
        not_found=not_found,
    )
    return product


def _variant_for_edit(*, actor_user_id: int, actor_role: str, variant_id: int) -> Variant:
    not_found = VariantNotFound(f"no variant {variant_id}")
    variant = Variant.objects.filter(pk=variant_id).first()
    if variant is None:
        raise not_found
    check_catalog_editor(
        actor_user_id=actor_user_id,
        actor_role=actor_role,
        merchant_id=variant.merchant_id,
        not_found=not_found,
    )
    return variant


def check_merchant_editor(*, actor_user_id: int, actor_role: str, merchant_id: int) -> None:
    """``check_catalog_editor`` for a merchant named by id: it must exist (one query for
    an operator, whose role alone would not prove it), else ``MerchantNotFound``."""
    not_found = MerchantNotFound(f"no merchant {merchant_id}")
    check_catalog_editor(
        actor_user_id=actor_user_id,
        actor_role=actor_role,
        merchant_id=merchant_id,
        not_found=not_found,
    )
    if actor_role == OPERATOR and not merchant_selectors.merchant_summaries(
        merchant_ids=[merchant_id]
    ):
        raise not_found


# validation ---------------------------------------------------------------------------------

_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,120}$")


def normalize_hs_code(raw: str) -> str:
    """An HS code as 6 to 10 digits; dots and spaces ("0901.21") are dropped."""
    code = re.sub(r"[\s.]", "", raw or "")
    if not re.fullmatch(r"[0-9]{6,10}", code):
        raise InvalidInput(
            f"{raw!r} is not an HS code (6 to 10 digits, e.g. 0901.21)",
            message=gettext_lazy("%(value)s is not an HS code (6 to 10 digits, such as 0901.21)."),
            value=str(raw),
        )
    return code


def _origin(raw: str) -> str:
    code = (raw or "").strip().upper()
    if not is_country(code):
        raise InvalidInput(
            f"{raw!r} is not an ISO 3166-1 alpha-2 country code",
            message=gettext_lazy("%(value)s is not a country code (such as IT or CN)."),
            value=str(raw),
        )
    return code


# The names of the text fields, for people (the services' own labels are English).
_FIELD_NAMES = {
    "the English name": gettext_lazy("English name"),
    "the Italian name": gettext_lazy("Italian name"),
    "the Chinese name": gettext_lazy("Chinese name"),
    "the Spanish name": gettext_lazy("Spanish name"),
    "the label": gettext_lazy("Label"),
    "the warehouse name": gettext_lazy("Warehouse name"),
    "the reason": gettext_lazy("Reason"),
    "the Italian description": gettext_lazy("Italian description"),
    "the English description": gettext_lazy("English description"),
    "the Chinese description": gettext_lazy("Chinese description"),
    "description it": gettext_lazy("Italian description"),
    "description en": gettext_lazy("English description"),
    "description zh": gettext_lazy("Chinese description"),
    "the picture's description": gettext_lazy("Picture description"),
}


def _clean_name(value: str, label: str, *, required: bool, max_length: int = 200) -> str:
    text = (value or "").strip()
    field = _FIELD_NAMES.get(label, label)  # lazy: rendered in the reader's language
    if "\x00" in text:
        raise InvalidInput(
            f"{label} contains a NUL character",
            message=gettext_lazy("%(field)s: remove the NUL character."),
            field=field,
        )
    if not _encodable(text):
        raise InvalidInput(
            f"{label} is not valid Unicode text",
            message=gettext_lazy("%(field)s: this is not valid text."),
            field=field,
        )
    if required and not text:
        raise InvalidInput(
            f"{label} is required",
            message=gettext_lazy("%(field)s: this field is required."),
            field=field,
        )
    if len(text) > max_length:
        raise InvalidInput(
            f"{label} is longer than {max_length} characters",
            message=gettext_lazy("%(field)s: at most %(max_length)s characters."),
            field=field,
            max_length=max_length,
        )
    return text


def _sku(raw: str) -> str:
    sku = (raw or "").strip()
    if not _SKU.fullmatch(sku):
        raise InvalidInput(
            f"{raw!r} is not a SKU: 1 to 64 letters, digits, '.', '_', '/' or '-', no spaces",
            message=gettext_lazy(
                "%(value)s is not a valid SKU: use 1 to 64 letters, digits, '.', '_', '/' or "
                "'-', without spaces."
            ),
            value=str(raw),
        )
    return sku


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates ("\ud800") from a JSON body
        return False
    return True


def _description(value: str | None, label: str) -> str:
    return _clean_name(value or "", label, required=False, max_length=20_000)


def _category_id(slug: str | None) -> int | None:
    if not slug:
        return None
    if not _SLUG.fullmatch(slug):
        raise CategoryNotFound(f"no category {slug!r}")
    found = Category.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if found is None:
        raise CategoryNotFound(f"no category {slug!r}")
    return int(found)


def _free_slug(merchant_id: int, base: str) -> str:
    base = (slugify(base) or "product")[:110]
    taken = set(
        Product.objects.filter(merchant_id=merchant_id, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# products -------------------------------------------------------------------------------


def product_create(
    *,
    actor_user_id: int,
    actor_role: str,
    merchant_id: int,
    name_en: str,
    hs_code: str,
    name_it: str = "",
    name_zh: str = "",
    description_it: str = "",
    description_en: str = "",
    description_zh: str = "",
    category_slug: str | None = None,
    origin_country: str = "IT",
    slug: str | None = None,
    is_active: bool = True,
) -> Product:
    """Create a product of ``merchant_id``.

    The English name is required (it is the fallback in every language); the Italian and
    Chinese ones are optional. Without ``slug`` one is made from the English name, unique
    within the merchant. A given slug already in use raises ``ProductSlugTaken``.
    """
    check_merchant_editor(
        actor_user_id=actor_user_id, actor_role=actor_role, merchant_id=merchant_id
    )
    fields: dict[str, Any] = {
        "name_en": _clean_name(name_en, "the English name", required=True),
        "name_it": _clean_name(name_it, "the Italian name", required=False),
        "name_zh": _clean_name(name_zh, "the Chinese name", required=False),
        "description_it": _description(description_it, "the Italian description"),
        "description_en": _description(description_en, "the English description"),
        "description_zh": _description(description_zh, "the Chinese description"),
        "hs_code": normalize_hs_code(hs_code),
        "origin_country": _origin(origin_country),
        "category_id": _category_id(category_slug),
        "is_active": is_active,
    }
    if slug:
        clean = slugify(slug)
        if not clean or clean != slug:
            raise InvalidInput(
                f"{slug!r} is not a slug (lower-case letters, digits, hyphens)",
                message=gettext_lazy(
                    "%(value)s is not a valid short name: use lower-case letters, digits and "
                    "hyphens."
                ),
                value=str(slug),
            )
    try:
        with transaction.atomic():
            chosen = slug or _free_slug(merchant_id, fields["name_en"])
            return Product.objects.create(merchant_id=merchant_id, slug=chosen, **fields)
    except IntegrityError:
        raise ProductSlugTaken(f"the merchant already has a product {slug!r}") from None


def product_update(
    *,
    actor_user_id: int,
    actor_role: str,
    product_id: int,
    name_it: str | None = None,
    name_en: str | None = None,
    name_zh: str | None = None,
    description_it: str | None = None,
    description_en: str | None = None,
    description_zh: str | None = None,
    category_slug: str | None = None,
    hs_code: str | None = None,
    origin_country: str | None = None,
    is_active: bool | None = None,
) -> Product:
    """Change the given fields; ``None`` leaves a field as it is, ``category_slug=""``
    removes the category."""
    with transaction.atomic():
        product = _product_for_edit(
            actor_user_id=actor_user_id, actor_role=actor_role, product_id=product_id
        )
        changes: dict[str, Any] = {}
        if name_en is not None:
            changes["name_en"] = _clean_name(name_en, "the English name", required=True)
        if name_it is not None:
            changes["name_it"] = _clean_name(name_it, "the Italian name", required=False)
        if name_zh is not None:
            changes["name_zh"] = _clean_name(name_zh, "the Chinese name", required=False)
        for key, value in (
            ("description_it", description_it),
            ("description_en", description_en),
            ("description_zh", description_zh),
        ):
            if value is not None:
                changes[key] = _description(value, key.replace("_", " "))
        if category_slug is not None:
            changes["category_id"] = _category_id(category_slug)
        if hs_code is not None:
            changes["hs_code"] = normalize_hs_code(hs_code)
        if origin_country is not None:
            changes["origin_country"] = _origin(origin_country)
        if is_active is not None:
            changes["is_active"] = is_active
        for key, value in changes.items():
            setattr(product, key, value)
        if changes:
            documents = [  # the search document follows its texts (fiera.catalog.search)
                "search_names" if key.startswith("name_") else "search_descriptions"
                for key in changes
                if key.startswith(("name_", "description_"))
            ]
            product.save(update_fields=list(dict.fromkeys([*changes, *documents])))
        return product


# variants -------------------------------------------------------------------------------


def variant_create(
    *,
    actor_user_id: int,
    actor_role: str,
    product_id: int,
    sku: str,
    label: str = "",
    attributes: dict[str, str] | None = None,
    weight_grams: int = 0,
    min_order_quantity: int = 1,
    is_active: bool = True,
) -> Variant:
    """Add a sellable unit to a product. The SKU is unique within the merchant
    (``SkuTaken``, 409); ``min_order_quantity`` is the MOQ in units (B2B)."""
    clean_sku = _sku(sku)
    clean_label = _clean_name(label, "the label", required=False, max_length=120)
    _check_quantities(weight_grams=weight_grams, min_order_quantity=min_order_quantity)
    try:
        with transaction.atomic():
            product = _product_for_edit(
                actor_user_id=actor_user_id, actor_role=actor_role, product_id=product_id
            )
            return Variant.objects.create(
                product=product,
                merchant_id=product.merchant_id,
                sku=clean_sku,
                label=clean_label,
                attributes=_attributes(attributes),
                weight_grams=weight_grams,
                min_order_quantity=min_order_quantity,
                is_active=is_active,
            )
    except IntegrityError:
        raise SkuTaken(f"the SKU {clean_sku!r} is already used by this merchant") from None


def variant_update(
    *,
    actor_user_id: int,
    actor_role: str,
    variant_id: int,
    sku: str | None = None,
    label: str | None = None,
    attributes: dict[str, str] | None = None,
    weight_grams: int | None = None,
    min_order_quantity: int | None = None,
    is_active: bool | None = None,
) -> Variant:
    """Change the given fields (``None`` keeps one); a SKU in use raises ``SkuTaken``."""
    changes: dict[str, Any] = {}
    if sku is not None:
        changes["sku"] = _sku(sku)
    if label is not None:
        changes["label"] = _clean_name(label, "the label", required=False, max_length=120)
    if attributes is not None:
        changes["attributes"] = _attributes(attributes)
    if weight_grams is not None or min_order_quantity is not None:
        _check_quantities(
            weight_grams=0 if weight_grams is None else weight_grams,
            min_order_quantity=1 if min_order_quantity is None else min_order_quantity,
        )
    if weight_grams is not None:
        changes["weight_grams"] = weight_grams
    if min_order_quantity is not None:
        changes["min_order_quantity"] = min_order_quantity
    if is_active is not None:
        changes["is_active"] = is_active
    try:
        with transaction.atomic():
            variant = _variant_for_edit(
                actor_user_id=actor_user_id, actor_role=actor_role, variant_id=variant_id
            )
            for key, value in changes.items():
                setattr(variant, key, value)
            if changes:
                variant.save(update_fields=list(changes))
            return variant
    except IntegrityError:
        raise SkuTaken(f"the SKU {changes.get('sku')!r} is already used by this merchant") from None


def _check_quantities(*, weight_grams: int, min_order_quantity: int) -> None:
    if weight_grams < 0 or weight_grams > 1_000_000_000:
        raise InvalidInput(
            "the weight is in grams, from 0 to 1,000,000,000",
            message=gettext_lazy("Enter the weight in grams, from 0 to 1,000,000,000."),
        )
    if min_order_quantity < 1 or min_order_quantity > 1_000_000:
        raise InvalidInput(
            "the minimum order quantity is a whole number from 1 to 1,000,000",
            message=gettext_lazy(
                "Enter a minimum order quantity that is a whole number from 1 to 1,000,000."
            ),
        )


def _attributes(raw: dict[str, str] | None) -> dict[str, str]:
    if not raw:
        return {}
    if len(raw) > 20:
        raise InvalidInput(
            "a variant has at most 20 attributes",
            message=gettext_lazy("A variant has at most %(maximum)s attributes."),
            maximum=20,
        )
    clean = {str(k).strip()[:40]: str(v).strip()[:120] for k, v in raw.items()}
    if any("\x00" in k + v or not _encodable(k + v) for k, v in clean.items()):
        raise InvalidInput(
            "attributes must be text without NUL characters",
            message=gettext_lazy("Attributes must be text without NUL characters."),
        )
    return clean


# prices ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PriceTier:
    """From ``min_quantity`` units up, each unit costs ``amount_minor``."""

    min_quantity: int
    amount_minor: int


def price_set(
    *,
    actor_user_id: int,
    actor_role: str,
    variant_id: int,
    marketplace_id: int,
    currency: str,
    tiers: Sequence[PriceTier],
) -> list[PriceTier]:
    """Replace the variant's prices on a marketplace in one currency by ``tiers``.

    The currency must be one the marketplace uses (the currency of one of its countries,
    or its default): ``CurrencyNotUsed`` (409, the marketplace's set-up decides).
    Amounts are minor units > 0. The tiers must start at ``min_quantity`` 1 (the unit
    price every buyer sees), use each quantity once, and never get dearer as the
    quantity grows (``InvalidPriceTiers``, 422).
    An empty ``tiers`` removes the prices, so the variant is no longer listed there.
    Returns the tiers stored, by quantity.
    """
    code = (currency or "").strip().upper()
    ordered = sorted(tiers, key=lambda t: t.min_quantity)
    with transaction.atomic():
        variant = _variant_for_edit(
            actor_user_id=actor_user_id, actor_role=actor_role, variant_id=variant_id
        )
        marketplace = marketplace_selectors.marketplace_get_by_id(marketplace_id=marketplace_id)
        allowed = {marketplace.default_currency, *marketplace.countries.values()}
        if code not in allowed:
            raise CurrencyNotUsed(
                f"{marketplace.name} uses {', '.join(sorted(allowed))}; "
                f"{code or '(none)'} is not one"
            )
        _check_tiers(ordered)
        Price.objects.filter(variant=variant, marketplace_id=marketplace_id, currency=code).delete()
        Price.objects.bulk_create(
            [
                Price(
                    variant=variant,
                    merchant_id=variant.merchant_id,
                    marketplace_id=marketplace_id,
                    currency=code,
                    amount_minor=tier.amount_minor,
                    min_quantity=tier.min_quantity,
                )
                for tier in ordered
            ]
        )
    return ordered


def _check_tiers(ordered: Sequence[PriceTier]) -> None:
    if not ordered:
        return
    if len(ordered) > MAX_TIERS:
        raise InvalidPriceTiers(f"at most {MAX_TIERS} price tiers")
    if ordered[0].min_quantity != 1:
        raise InvalidPriceTiers("the first price tier must start at quantity 1")
    previous: PriceTier | None = None
    for tier in ordered:
        if type(tier.amount_minor) is not int or tier.amount_minor <= 0:
            raise InvalidPriceTiers("every price must be a whole number of minor units above 0")
        if tier.amount_minor > 10**15:
            raise InvalidPriceTiers("that price is too large")
        if previous is not None:
            if tier.min_quantity == previous.min_quantity:
                raise InvalidPriceTiers(f"quantity {tier.min_quantity} has two prices")
            if tier.amount_minor > previous.amount_minor:
                raise InvalidPriceTiers("a larger quantity cannot have a higher unit price")
        previous = tier


def product_launch(
    *,
    actor_user_id: int,
    actor_role: str,
    merchant_id: int,
    name_en: str,
    hs_code: str,
    sku: str,
    marketplace_id: int,
    currency: str,
    amount_minor: int,
    label: str = "",
    warehouse_id: int | None = None,
    units_on_hand: int = 0,
    **product_fields: Any,
) -> Product:
    """Create a product with its first variant, its unit price on one marketplace and,
    if ``warehouse_id`` is given, its stock there: all or nothing, in one transaction.

    ``product_fields`` are the optional arguments of ``product_create``. Raises what
    ``product_create``, ``variant_create``, ``price_set`` and ``stock_set`` raise.
    """
    with transaction.atomic():
        product = product_create(
            actor_user_id=actor_user_id,
            actor_role=actor_role,
            merchant_id=merchant_id,
            name_en=name_en,
            hs_code=hs_code,
            **product_fields,
        )
        variant = variant_create(
            actor_user_id=actor_user_id,
            actor_role=actor_role,
            product_id=product.pk,
            sku=sku,
            label=label,
        )
        price_set(
            actor_user_id=actor_user_id,
            actor_role=actor_role,
            variant_id=variant.pk,
            marketplace_id=marketplace_id,
            currency=currency,
            tiers=[PriceTier(min_quantity=1, amount_minor=amount_minor)],
        )
        if warehouse_id is not None:
            stock_set(
                actor_user_id=actor_user_id,
                actor_role=actor_role,
                variant_id=variant.pk,
                warehouse_id=warehouse_id,
                units_on_hand=units_on_hand,
                reason="initial stock",
            )
        return product


# warehouses and stock ---------------------------------------------------------------------


def warehouse_create(
    *,
    actor_user_id: int,
    actor_role: str,
    merchant_id: int,
    code: str,
    name: str,
    country: str = "IT",
) -> Warehouse:
    """A place a merchant keeps stock; ``code`` is a slug unique within the merchant."""
    check_merchant_editor(
        actor_user_id=actor_user_id, actor_role=actor_role, merchant_id=merchant_id
    )
    clean_code = (code or "").strip()
    if not clean_code or slugify(clean_code) != clean_code or len(clean_code) > 40:
        raise InvalidInput(
            f"{code!r} is not a warehouse code (a slug of up to 40 characters)",
            message=gettext_lazy(
                "%(value)s is not a valid warehouse code: up to 40 lower-case letters, digits "
                "and hyphens."
            ),
            value=str(code),
        )
    clean_name = _clean_name(name, "the warehouse name", required=True, max_length=120)
    try:
        with transaction.atomic():
            return Warehouse.objects.create(
                merchant_id=merchant_id, code=clean_code, name=clean_name, country=_origin(country)
            )
    except IntegrityError:
        raise WarehouseCodeTaken(f"the merchant already has a warehouse {clean_code!r}") from None


def _stock_target(
    *, actor_user_id: int, actor_role: str, variant_id: int, warehouse_id: int
) -> Variant:
    variant = _variant_for_edit(
        actor_user_id=actor_user_id, actor_role=actor_role, variant_id=variant_id
    )
    if not Warehouse.objects.filter(pk=warehouse_id, merchant_id=variant.merchant_id).exists():
        raise WarehouseNotFound(f"no warehouse {warehouse_id} of this merchant")
    return variant


def stock_set(
    *,
    actor_user_id: int,
    actor_role: str,
    variant_id: int,
    warehouse_id: int,
    units_on_hand: int,
    reason: str = "",
) -> StockLevel:
    """Set the units on hand after a count, and record the movement (who, why, delta).

    The level row is locked (SELECT ... FOR UPDATE on PostgreSQL) so the recorded delta
    is exact even while checkouts decrement it.
    """
    if type(units_on_hand) is not int or not 0 <= units_on_hand <= MAX_STOCK_UNITS:
        raise InvalidInput(
            f"units on hand is a whole number from 0 to {MAX_STOCK_UNITS:,}",
            message=gettext_lazy("Units on hand: enter a whole number from 0 to %(maximum)s."),
            maximum=f"{MAX_STOCK_UNITS:,}",
        )
    with transaction.atomic():
        variant = _stock_target(
            actor_user_id=actor_user_id,
            actor_role=actor_role,
            variant_id=variant_id,
            warehouse_id=warehouse_id,
        )
        level = _level_locked(variant=variant, warehouse_id=warehouse_id)
        delta = units_on_hand - level.units_on_hand
        level.units_on_hand = units_on_hand
        level.save(update_fields=["units_on_hand", "updated_at"])
        _record(level, StockMovementKind.SET, delta, actor_user_id, reason)
        return level


def stock_adjust(
    *,
    actor_user_id: int,
    actor_role: str,
    variant_id: int,
    warehouse_id: int,
    delta: int,
    reason: str,
) -> StockLevel:
    """Add ``delta`` units (negative to remove) with one conditional UPDATE.

    The level never goes below zero: an adjustment that would raises ``StockNegative``
    (409) and changes nothing. ``reason`` is required ("damaged", "returned ...").
    """
    if type(delta) is not int or delta == 0 or abs(delta) > MAX_STOCK_UNITS:
        raise InvalidInput(
            f"the adjustment is a whole number of units, not 0, up to {MAX_STOCK_UNITS:,}",
            message=gettext_lazy(
                "Enter the change in stock as a whole number of units other than 0, up to "
                "%(maximum)s."
            ),
            maximum=f"{MAX_STOCK_UNITS:,}",
        )
    clean_reason = _clean_name(reason, "the reason", required=True)
    with transaction.atomic():
        variant = _stock_target(
            actor_user_id=actor_user_id,
            actor_role=actor_role,
            variant_id=variant_id,
            warehouse_id=warehouse_id,
        )
        level, _ = StockLevel.objects.get_or_create(
            variant=variant,
            warehouse_id=warehouse_id,
            defaults={"merchant_id": variant.merchant_id, "units_on_hand": 0},
        )
        updated = StockLevel.objects.filter(
            pk=level.pk, units_on_hand__gte=-delta, units_on_hand__lte=MAX_STOCK_UNITS - delta
        ).update(units_on_hand=F("units_on_hand") + delta)
        if not updated:
            current = StockLevel.objects.filter(pk=level.pk).values_list("units_on_hand", flat=True)
            on_hand = current.first() or 0
            if delta < 0:
                raise StockNegative(
                    f"only {on_hand} units on hand; cannot remove {-delta}",
                    message=gettext_lazy(
                        "Stock cannot go below zero: only %(units_on_hand)s units are on hand."
                    ),
                    units_on_hand=on_hand,
                )
            raise StockTooLarge(
                f"{on_hand} units on hand; a stock level holds at most {MAX_STOCK_UNITS:,}"
            )
        level.refresh_from_db(fields=["units_on_hand", "updated_at"])
        _record(level, StockMovementKind.ADJUST, delta, actor_user_id, clean_reason)
        return level


def stock_set_aside(
    *,
    actor_role: str,
    actor_user_id: int | None,
    merchant_id: int,
    variant_id: int,
    warehouse_id: int,
    units: int,
    reason: str,
) -> int:
    """Take ``units`` of the merchant's variant off ``warehouse_id``'s stock for an
    allocation kept by another app (a festival's flash sale), with one conditional UPDATE
    in the CALLER's transaction, and record it (movement "adjust", negative delta, ``reason``).

    ``actor_role`` is ``SYSTEM`` (the calling service authorized its actor), an operator or
    the merchant's staff. A variant or warehouse of another merchant answers 404; too few
    units on hand raise ``StockNegative`` (409) and change nothing. Returns the units left.
    """
    return _stock_move(
        actor_role=actor_role,
        actor_user_id=actor_user_id,
        merchant_id=merchant_id,
        variant_id=variant_id,
        warehouse_id=warehouse_id,
        delta=-units,
        reason=reason,
    )


def stock_return(
    *,
    actor_role: str,
    actor_user_id: int | None,
    merchant_id: int,
    variant_id: int,
    warehouse_id: int,
    units: int,
    reason: str,
) -> int:
    """Put back ``units`` that ``stock_set_aside`` took (unsold flash-sale units), recorded
    as movement "adjust" with a positive delta. Zero units change nothing. Returns the units
    on hand after."""
    if units == 0:
        level = StockLevel.objects.filter(variant_id=variant_id, warehouse_id=warehouse_id).first()
        return level.units_on_hand if level else 0
    return _stock_move(
        actor_role=actor_role,
        actor_user_id=actor_user_id,
        merchant_id=merchant_id,
        variant_id=variant_id,
        warehouse_id=warehouse_id,
        delta=units,
        reason=reason,
    )


def _stock_move(
    *,
    actor_role: str,
    actor_user_id: int | None,
    merchant_id: int,
    variant_id: int,
    warehouse_id: int,
    delta: int,
    reason: str,
) -> int:
    if type(delta) is not int or delta == 0 or abs(delta) > MAX_STOCK_UNITS:
        raise ValueError("the units moved are a whole number other than 0")
    if actor_role != SYSTEM:
        check_merchant_editor(
            actor_user_id=actor_user_id or 0, actor_role=actor_role, merchant_id=merchant_id
        )
    variant = Variant.objects.filter(pk=variant_id, merchant_id=merchant_id).first()
    if variant is None:
        raise VariantNotFound(f"no variant {variant_id} of merchant {merchant_id}")
    if not Warehouse.objects.filter(pk=warehouse_id, merchant_id=merchant_id).exists():
        raise WarehouseNotFound(f"no warehouse {warehouse_id} of merchant {merchant_id}")
    with transaction.atomic():
        level, _ = StockLevel.objects.get_or_create(
            variant=variant,
            warehouse_id=warehouse_id,
            defaults={"merchant_id": merchant_id, "units_on_hand": 0},
        )
        updated = StockLevel.objects.filter(
            pk=level.pk, units_on_hand__gte=-delta, units_on_hand__lte=MAX_STOCK_UNITS - delta
        ).update(units_on_hand=F("units_on_hand") + delta)
        level.refresh_from_db(fields=["units_on_hand", "updated_at"])
        if not updated:
            if delta < 0:
                raise StockNegative(
                    f"only {level.units_on_hand} units on hand; cannot set aside {-delta}",
                    message=gettext_lazy(
                        "Only %(units_on_hand)s units are on hand in this warehouse; "
                        "%(units)s cannot be set aside."
                    ),
                    units_on_hand=level.units_on_hand,
                    units=-delta,
                )
            raise StockTooLarge(f"{level.units_on_hand} units on hand; cannot add {delta}")
        _record(level, StockMovementKind.ADJUST, delta, actor_user_id, reason)
        return level.units_on_hand


def _level_locked(*, variant: Variant, warehouse_id: int) -> StockLevel:
    StockLevel.objects.get_or_create(
        variant=variant,
        warehouse_id=warehouse_id,
        defaults={"merchant_id": variant.merchant_id, "units_on_hand": 0},
    )
    return StockLevel.objects.select_for_update().get(variant=variant, warehouse_id=warehouse_id)


def _record(
    level: StockLevel, kind: str, delta: int, actor_user_id: int | None, reason: str
) -> None:
    StockMovement.objects.create(
        stock_level=level,
        variant_id=level.variant_id,
        warehouse_id=level.warehouse_id,
        merchant_id=level.merchant_id,
        kind=kind,
        delta=delta,
        units_after=level.units_on_hand,
        reason=reason[:200],
        actor_id=actor_user_id,
    )


# categories (operators) -------------------------------------------------------------------


def _operator(actor_role: str) -> None:
    if actor_role != OPERATOR:
        raise OperatorsOnly("only operators manage categories")


def category_create(
    *,
    actor_user_id: int,
    actor_role: str,
    slug: str,
    name_en: str,
    name_it: str = "",
    name_zh: str = "",
    name_es: str = "",
    parent_slug: str | None = None,
) -> Category:
    _operator(actor_role)
    clean = (slug or "").strip()
    if not clean or slugify(clean) != clean or len(clean) > 60:
        raise InvalidInput(
            f"{slug!r} is not a category slug",
            message=gettext_lazy(
                "%(value)s is not a valid short name: use lower-case letters, digits and hyphens."
            ),
            value=str(slug),
        )
    try:
        with transaction.atomic():
            return Category.objects.create(
                slug=clean,
                parent_id=_category_id(parent_slug),
                name_en=_clean_name(name_en, "the English name", required=True, max_length=120),
                name_it=_clean_name(name_it, "the Italian name", required=False, max_length=120),
                name_zh=_clean_name(name_zh, "the Chinese name", required=False, max_length=120),
                name_es=_clean_name(name_es, "the Spanish name", required=False, max_length=120),
            )
    except IntegrityError:
        raise CategorySlugTaken(f"there is already a category {clean!r}") from None


# product images ---------------------------------------------------------------------------

MAX_PRODUCT_IMAGES = 8


class ProductImageNotFound(NotFound):
    code = "product_image_not_found"
    message_template = gettext_lazy("This picture does not exist or was already removed.")


class TooManyProductImages(Conflict):
    code = "too_many_product_images"
    message_template = gettext_lazy(
        "A product has at most %(maximum)s pictures; remove one before adding another."
    )


class InvalidImageOrder(InvalidInput):
    code = "invalid_image_order"
    message_template = gettext_lazy(
        "List every picture of this product exactly once, in the order you want."
    )


def _store_files(merchant_id: int, prepared: images.PreparedImage) -> tuple[str, str]:
    """Save the picture and its thumbnail through the default storage; their names."""
    stem = f"{merchant_id}/{uuid.uuid4().hex}.{prepared.extension}"
    name = default_storage.save(f"products/{stem}", ContentFile(prepared.data))
    thumb = default_storage.save(f"products/thumbs/{stem}", ContentFile(prepared.thumbnail))
    return name, thumb


def _delete_files_later(names: Sequence[str]) -> None:
    """Delete stored files after the transaction commits, unless another image row still
    uses them (the demo's pictures are shared by many products)."""

    def delete() -> None:
        for name in names:
            if not name:
                continue
            in_use = (
                ProductImage.objects.filter(image=name).exists()
                or ProductImage.objects.filter(thumbnail=name).exists()
            )
            if not in_use:
                default_storage.delete(name)

    transaction.on_commit(delete)


def product_image_add(
    *,
    actor_user_id: int,
    actor_role: str,
    product_id: int,
    upload: IO[bytes] | bytes,
    alt_text: str = "",
) -> ProductImage:
    """Add a picture to the product, last in its order (the first one is the cover).

    The upload is checked and re-encoded by ``fiera.common.images.image_prepare`` (JPEG,
    PNG or WebP, at most 10 MB and 40 megapixels; EXIF dropped, turned upright) with a
    thumbnail that fits 480 x 480; both are stored through the default storage. At most
    ``MAX_PRODUCT_IMAGES`` per product (``TooManyProductImages``, 409). The files are
    written before the row; if the row cannot be written they are deleted again.
    """
    clean_alt = _clean_name(alt_text, "the picture's description", required=False)
    # Authorize before the (costly) decoding; checked again under the lock below.
    editable = _product_for_edit(
        actor_user_id=actor_user_id, actor_role=actor_role, product_id=product_id
    )
    prepared = images.image_prepare(upload)
    name, thumb = _store_files(editable.merchant_id, prepared)
    try:
        with transaction.atomic():
            product = _product_for_edit(
                actor_user_id=actor_user_id, actor_role=actor_role, product_id=product_id
            )
            # Lock the product so two uploads cannot both take the last free place.
            Product.objects.select_for_update().filter(pk=product.pk).values_list("pk").get()
            positions = list(
                ProductImage.objects.filter(product_id=product.pk).values_list(
                    "position", flat=True
                )
            )
            if len(positions) >= MAX_PRODUCT_IMAGES:
                raise TooManyProductImages(
                    f"product {product.pk} already has {len(positions)} pictures",
                    maximum=MAX_PRODUCT_IMAGES,
                )
            return ProductImage.objects.create(
                merchant_id=product.merchant_id,
                product=product,
                image=name,
                thumbnail=thumb,
                width=prepared.width,
                height=prepared.height,
                position=max(positions, default=-1) + 1,
                alt_text=clean_alt,
            )
    except BaseException:
        default_storage.delete(name)
        default_storage.delete(thumb)
        raise


def _image_for_edit(*, actor_user_id: int, actor_role: str, image_id: int) -> ProductImage:
    not_found = ProductImageNotFound(f"no product image {image_id}")
    found = ProductImage.objects.filter(pk=image_id).first()
    if found is None:
        raise not_found
    check_catalog_editor(
        actor_user_id=actor_user_id,
        actor_role=actor_role,
        merchant_id=found.merchant_id,
        not_found=not_found,
    )
    return found


def product_image_delete(
    *, actor_user_id: int, actor_role: str, image_id: int, product_id: int | None = None
) -> None:
    """Remove a picture (of ``product_id``, if given: else ``ProductImageNotFound``); the
    ones after it move up. Its files are deleted from storage after the commit (unless
    another row shares them, as the demo's do)."""
    with transaction.atomic():
        found = _image_for_edit(
            actor_user_id=actor_user_id, actor_role=actor_role, image_id=image_id
        )
        if product_id is not None and found.product_id != product_id:
            raise ProductImageNotFound(f"picture {image_id} is not of product {product_id}")
        names = [found.image.name or "", found.thumbnail.name or ""]
        found.delete()
        rest = list(
            ProductImage.objects.filter(product_id=found.product_id)
            .order_by("position", "id")
            .values_list("pk", flat=True)
        )
        _renumber(rest)
        _delete_files_later(names)


def _renumber(image_ids: Sequence[int]) -> None:
    for position, image_id in enumerate(image_ids):
        ProductImage.objects.filter(pk=image_id).exclude(position=position).update(
            position=position
        )


def product_image_reorder(
    *, actor_user_id: int, actor_role: str, product_id: int, image_ids: Sequence[int]
) -> list[int]:
    """Put the product's pictures in the order of ``image_ids`` (the first is the cover).
    ``image_ids`` must name each of its pictures exactly once (``InvalidImageOrder``, 422).
    Returns the ids in their new order."""
    with transaction.atomic():
        product = _product_for_edit(
            actor_user_id=actor_user_id, actor_role=actor_role, product_id=product_id
        )
        current = set(
            ProductImage.objects.filter(product_id=product.pk).values_list("pk", flat=True)
        )
        wanted = [int(i) for i in image_ids]
        if len(wanted) != len(set(wanted)) or set(wanted) != current:
            raise InvalidImageOrder(
                f"the order names {sorted(wanted)}; the product's pictures are {sorted(current)}"
            )
        _renumber(wanted)
        return wanted


def product_image_set_cover(*, actor_user_id: int, actor_role: str, image_id: int) -> None:
    """Make the picture the product's cover (first); the others keep their order."""
    with transaction.atomic():
        found = _image_for_edit(
            actor_user_id=actor_user_id, actor_role=actor_role, image_id=image_id
        )
        others = [
            pk
            for pk in ProductImage.objects.filter(product_id=found.product_id)
            .order_by("position", "id")
            .values_list("pk", flat=True)
            if pk != found.pk
        ]
        _renumber([found.pk, *others])


# --- listing terms ---
# B2B trade terms of a listing (a product) and the samples its variants offer; the rule
# that prices a sample is ``catalog.rules`` (decision 0007), used by cart and checkout.

MAX_SAMPLE_PRICE_MINOR = 100_000_000_000  # a sanity bound on one sample unit's price
MAX_INCOTERM_PLACE = 80

TERMS_EDITORS = merchant_selectors.MANAGING_ROLES


def _check_terms_editor(*, actor_user_id: int, actor_role: str, merchant_id: int) -> None:
    """Owners and managers of the merchant (clerks: ``StaffRoleTooLow``, 403), or an
    operator; the caller already refused other merchants' staff with a 404."""
    if actor_role == MERCHANT_STAFF:
        merchant_selectors.staff_require(
            user_id=actor_user_id, merchant_id=merchant_id, roles=TERMS_EDITORS
        )


def _terms_clean(
    *, lead_time_days: object, incoterm: str, incoterm_place: str, payment_terms: str
) -> dict[str, Any]:
    """The listing terms checked with ``common.trade_terms`` (``InvalidTerms``, 422, with a
    message that says what to enter); blank values mean "not set"."""
    lead: int | None = None
    if lead_time_days is not None:
        try:
            lead = trade_terms.lead_time_check(lead_time_days)
        except trade_terms.InvalidTerms as exc:
            raise trade_terms.InvalidTerms(
                str(exc),
                message=gettext_lazy(
                    "Enter the lead time as a whole number of days from 0 to %(limit)s."
                ),
                field="lead_time_days",
                limit=trade_terms.MAX_LEAD_TIME_DAYS,
            ) from None
    code = ""
    if (incoterm or "").strip():
        try:
            code = trade_terms.incoterm_check(incoterm)
        except trade_terms.InvalidTerms as exc:
            raise trade_terms.InvalidTerms(
                str(exc),
                message=gettext_lazy("Choose an Incoterms 2020 rule: %(choices)s."),
                field="incoterm",
                choices=list(trade_terms.INCOTERMS),
            ) from None
    place = " ".join((incoterm_place or "").split())
    if code and not place:
        raise trade_terms.InvalidTerms(
            "incoterm_place: an Incoterm needs its named place",
            message=gettext_lazy(
                "Name the place of the Incoterm (the port or town, e.g. FOB Genova)."
            ),
            field="incoterm_place",
        )
    if place and not code:
        raise trade_terms.InvalidTerms(
            "incoterm_place: a place without an Incoterm",
            message=gettext_lazy("Choose the Incoterm that the named place belongs to."),
            field="incoterm",
        )
    if len(place) > MAX_INCOTERM_PLACE or not _encodable(place):
        raise trade_terms.InvalidTerms(
            f"incoterm_place: at most {MAX_INCOTERM_PLACE} characters",
            message=gettext_lazy("The named place has at most %(limit)s characters."),
            field="incoterm_place",
            limit=MAX_INCOTERM_PLACE,
        )
    payment = ""
    if payment_terms:
        try:
            payment = trade_terms.payment_terms_check(payment_terms)
        except trade_terms.InvalidTerms as exc:
            raise trade_terms.InvalidTerms(
                str(exc),
                message=gettext_lazy("Choose the payment terms: %(choices)s."),
                field="payment_terms",
                choices=list(trade_terms.PAYMENT_TERMS),
            ) from None
    return {
        "lead_time_days": lead,
        "incoterm": code,
        "incoterm_place": place,
        "payment_terms": payment,
    }


def listing_terms_set(
    *,
    actor_user_id: int,
    actor_role: str,
    product_id: int,
    lead_time_days: int | None,
    incoterm: str,
    incoterm_place: str,
    payment_terms: str,
    hs_code: str | None = None,
) -> Product:
    """Set the B2B trade terms of a listing (all of them: blank or None clears one): the
    lead time in days (0..365), the Incoterm 2020 with its named place (both or neither),
    the payment terms ("assurance", "advance") and, when given, the HS code. Owners and
    managers of its merchant, or operators; clerks 403 (``StaffRoleTooLow``), another
    merchant's staff 404 (``ProductNotFound``); bad terms 422 (``InvalidTerms``). A B2B
    checkout copies them onto each order (``orders.pricing.listing_terms_agreed``)."""
    changes = _terms_clean(
        lead_time_days=lead_time_days,
        incoterm=incoterm,
        incoterm_place=incoterm_place,
        payment_terms=payment_terms,
    )
    if hs_code is not None:
        changes["hs_code"] = normalize_hs_code(hs_code)
    with transaction.atomic():
        product = _product_for_edit(
            actor_user_id=actor_user_id, actor_role=actor_role, product_id=product_id
        )
        _check_terms_editor(
            actor_user_id=actor_user_id, actor_role=actor_role, merchant_id=product.merchant_id
        )
        for key, value in changes.items():
            setattr(product, key, value)
        product.save(update_fields=list(changes))
        return product


class InvalidSampleOffer(InvalidInput):
    code = "invalid_sample_offer"
    message_template = gettext_lazy(
        "A sample offer is 1 or 2 units at a price above zero in the marketplace's currency; "
        "0 units offers no samples."
    )


def variant_sample_set(
    *,
    actor_user_id: int,
    actor_role: str,
    variant_id: int,
    sample_units: int,
    sample_price_minor: int | None = None,
    currency: str = "",
) -> Variant:
    """Offer samples of a variant (``catalog.rules``): at most ``sample_units`` (1 or 2)
    per order at ``sample_price_minor`` (minor units of ``currency``, the B2B marketplace's
    currency), outside the MOQ; ``sample_units`` 0 withdraws the offer. Same authorization
    as ``listing_terms_set``; a bad offer is ``InvalidSampleOffer`` (422)."""
    if type(sample_units) is not int or not 0 <= sample_units <= rules.MAX_SAMPLE_UNITS:
        raise InvalidSampleOffer(f"sample_units: 0 to {rules.MAX_SAMPLE_UNITS}")
    changes: dict[str, Any] = {
        "sample_units": sample_units,
        "sample_price_minor": None,
        "sample_currency": "",
    }
    if sample_units:
        code = (currency or "").strip().upper()
        if (
            type(sample_price_minor) is not int
            or not 0 < sample_price_minor <= MAX_SAMPLE_PRICE_MINOR
        ):
            raise InvalidSampleOffer("sample_price_minor: a positive whole number of minor units")
        if not is_currency(code):
            raise InvalidSampleOffer(f"currency: {currency!r} is not an ISO 4217 code")
        changes.update(sample_price_minor=sample_price_minor, sample_currency=code)
    with transaction.atomic():
        variant = _variant_for_edit(
            actor_user_id=actor_user_id, actor_role=actor_role, variant_id=variant_id
        )
        _check_terms_editor(
            actor_user_id=actor_user_id, actor_role=actor_role, merchant_id=variant.merchant_id
        )
        for key, value in changes.items():
            setattr(variant, key, value)
        variant.save(update_fields=list(changes))
        return variant
