"""Forms of the catalog pages: parse and label input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fiera.common import trade_terms
from fiera.common.parsing import IntegerField, InvalidNumber, parse_amount_minor, parse_int

MAX_TIER_QUANTITY = 1_000_000_000  # a price tier's quantity column is a 32-bit integer

SORT_CHOICES = [
    ("relevance", _("Relevance")),
    ("price_asc", _("Price: low to high")),
    ("price_desc", _("Price: high to low")),
    ("newest", _("Newest")),
]


class ChoicesMixin:
    fields: dict[str, forms.Field]

    def _choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


def to_minor(value: str | None, currency: str, field: str) -> int | None:
    """A major-unit amount typed by a person ("12.50", "12,50") in minor units."""
    if value is None or str(value).strip() == "":
        return None
    try:
        return parse_amount_minor(str(value), currency, field=str(_("Amount")))
    except InvalidNumber as exc:
        raise forms.ValidationError({field: exc.message()}) from None


class SearchForm(ChoicesMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.ChoiceField(label=_("Category"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    min_price = forms.CharField(label=_("Min price"), required=False, max_length=20)
    max_price = forms.CharField(label=_("Max price"), required=False, max_length=20)
    in_stock = forms.BooleanField(label=_("In stock only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)
    page = IntegerField(min_value=1, max_value=10_000, required=False)

    def __init__(
        self,
        *args: Any,
        currency: str,
        categories: list[tuple[str, str]],
        regions: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        self._choices("category", [("", _("All categories")), *categories])
        self._choices("region", [("", _("All regions")), *regions])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["min_price_minor"] = to_minor(data.get("min_price"), self.currency, "min_price")
        data["max_price_minor"] = to_minor(data.get("max_price"), self.currency, "max_price")
        return data


class ProductFieldsForm(ChoicesMixin, forms.Form):
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    name_it = forms.CharField(label=_("Name (Italian)"), max_length=200, required=False)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200, required=False)
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_it = forms.CharField(
        label=_("Description (Italian)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_zh = forms.CharField(
        label=_("Description (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    hs_code = forms.CharField(
        label=_("HS code"), max_length=20, help_text=_("6 to 10 digits, e.g. 1509.20")
    )
    origin_country = forms.CharField(
        label=_("Country of origin"), max_length=2, initial="IT", help_text=_("ISO code, e.g. IT")
    )
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("category", [("", _("No category")), *categories])


class ProductEditForm(ProductFieldsForm):
    is_active = forms.BooleanField(label=_("For sale"), required=False)


class ProductLaunchForm(ProductFieldsForm):
    """A new product with its first variant, price and stock."""

    sku = forms.CharField(label=_("SKU"), max_length=64)
    label = forms.CharField(label=_("Variant label"), max_length=120, required=False)
    listing = forms.ChoiceField(label=_("Marketplace and currency"))
    price = forms.CharField(label=_("Unit price"), max_length=20, help_text=_("e.g. 12.50"))
    warehouse = forms.ChoiceField(label=_("Warehouse"), required=False)
    units = IntegerField(label=_("Units on hand"), min_value=0, initial=0, required=False)

    def __init__(
        self,
        *args: Any,
        categories: list[tuple[str, str]],
        listings: list[tuple[str, str]],
        warehouses: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, categories=categories, **kwargs)
        self._choices("listing", listings)
        self._choices("warehouse", [("", _("No stock yet")), *warehouses])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        listing = data.get("listing") or ""
        if ":" in listing:
            marketplace_id, currency = listing.split(":", 1)
            data["marketplace_id"] = int(marketplace_id)
            data["currency"] = currency
            data["amount_minor"] = to_minor(data.get("price"), currency, "price")
        return data


class VariantForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=64)
    label = forms.CharField(label=_("Label"), max_length=120, required=False)
    min_order_quantity = IntegerField(label=_("Minimum order quantity"), min_value=1, initial=1)
    weight_grams = IntegerField(label=_("Weight (grams)"), min_value=0, initial=0)


class PriceForm(ChoicesMixin, forms.Form):
    """Price tiers typed as lines "quantity = price" ("1 = 12.50", "10 = 11.00")."""

    variant_id = IntegerField(widget=forms.HiddenInput)
    listing = forms.ChoiceField(label=_("Marketplace and currency"))
    tiers = forms.CharField(
        label=_("Prices"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_('One line per tier: "quantity = unit price", starting at 1. Empty removes.'),
    )

    def __init__(self, *args: Any, listings: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("listing", listings)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        listing = data.get("listing") or ""
        if ":" not in listing:
            return data
        marketplace_id, currency = listing.split(":", 1)
        data["marketplace_id"] = int(marketplace_id)
        data["currency"] = currency
        parsed: list[tuple[int, int]] = []
        for line in (data.get("tiers") or "").splitlines():
            if not line.strip():
                continue
            quantity, sep, amount = line.partition("=")
            try:
                min_quantity = parse_int(quantity, field="quantity", maximum=MAX_TIER_QUANTITY)
            except InvalidNumber:
                min_quantity = None
            if not sep or min_quantity is None:
                raise forms.ValidationError({"tiers": _('Write each tier as "quantity = price".')})
            minor = to_minor(amount, currency, "tiers")
            if minor is None:
                raise forms.ValidationError({"tiers": _("Each tier needs a price.")})
            parsed.append((min_quantity, minor))
        data["parsed_tiers"] = parsed
        return data


class StockSetForm(forms.Form):
    variant_id = IntegerField(widget=forms.HiddenInput)
    warehouse_id = IntegerField(widget=forms.HiddenInput)
    units_on_hand = IntegerField(label=_("Units on hand"), min_value=0)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class StockAdjustForm(forms.Form):
    variant_id = IntegerField(widget=forms.HiddenInput)
    warehouse_id = IntegerField(widget=forms.HiddenInput)
    delta = IntegerField(label=_("Add (or remove with -)"))
    reason = forms.CharField(label=_("Reason"), max_length=200)


class WarehouseForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("e.g. milano-1"))
    name = forms.CharField(label=_("Name"), max_length=120)
    country = forms.CharField(label=_("Country"), max_length=2, initial="IT")


# --- listing terms ---


class ListingTermsForm(forms.Form):
    """The B2B terms of a listing; ``catalog.services.listing_terms_set`` checks them."""

    lead_time_days = IntegerField(
        label=_("Lead time (days)"), min_value=0, max_value=365, required=False
    )
    incoterm = forms.ChoiceField(label=_("Incoterm"), required=False)
    incoterm_place = forms.CharField(
        label=_("Named place"),
        max_length=80,
        required=False,
        help_text=_("The port or town of the Incoterm, e.g. Genova for FOB Genova."),
    )
    payment_terms = forms.ChoiceField(label=_("Payment terms"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        incoterm = self.fields["incoterm"]
        payment = self.fields["payment_terms"]
        assert isinstance(incoterm, forms.ChoiceField) and isinstance(payment, forms.ChoiceField)
        incoterm.choices = [("", _("none"))] + [
            (code, f"{code} · {name}") for code, (name, _port) in trade_terms.INCOTERMS.items()
        ]
        payment.choices = [("", _("none"))] + [
            (code, str(name)) for code, name in trade_terms.PAYMENT_TERMS.items()
        ]


class SampleOfferForm(ChoicesMixin, forms.Form):
    """A variant's sample offer: 0 (none), 1 or 2 units at a price in a listing's currency."""

    variant_id = IntegerField(label=_("Variant"))
    sample_units = forms.TypedChoiceField(
        label=_("Sample units per order"),
        coerce=int,
        choices=[(0, _("no samples")), (1, "1"), (2, "2")],
    )
    currency = forms.ChoiceField(label=_("Currency"))
    price = forms.CharField(label=_("Sample price (each)"), max_length=20, required=False)

    def __init__(self, *args: Any, currencies: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("currency", [(c, c) for c in currencies])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        currency = data.get("currency") or ""
        data["sample_price_minor"] = (
            to_minor(data.get("price"), currency, "price") if currency else None
        )
        if data.get("sample_units") and data["sample_price_minor"] is None:
            raise forms.ValidationError({"price": _("Enter the sample price.")})
        return data
