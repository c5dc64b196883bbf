"""Forms of the orders pages (checkout address, shipping a package, refunding)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fiera.common.parsing import InvalidNumber, parse_amount_minor
from fiera.common.reference import countries_by_local_name
from fiera.orders.carriers import carrier_list
from fiera.orders.payment import payment_method_label, payment_methods, payment_methods_for


class CheckoutForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=120)
    line1 = forms.CharField(label=_("Address"), max_length=200)
    line2 = forms.CharField(label=_("Address, line 2"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=120)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    country = forms.ChoiceField(label=_("Country"))
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    payment_method = forms.ChoiceField(label=_("Payment"), widget=forms.RadioSelect)
    save_address = forms.BooleanField(
        label=_("Save this address in my address book"), required=False
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=255)

    def __init__(
        self,
        *args: Any,
        countries: list[tuple[str, str]],
        marketplace_kind: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = countries  # type: ignore[attr-defined]
        # the methods offered on this kind of marketplace (trade assurance on B2B trade)
        methods = (
            payment_methods_for(marketplace_kind=marketplace_kind)
            if marketplace_kind
            else payment_methods()
        )
        self.fields["payment_method"].choices = [  # type: ignore[attr-defined]
            (method.code, payment_method_label(method.code)) for method in methods
        ]
        codes = [method.code for method in methods]
        self.fields["payment_method"].initial = "assurance" if "assurance" in codes else "cod"

    def address(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            key: data.get(key, "") or ""
            for key in ("name", "line1", "line2", "city", "postal_code", "country", "phone")
        }


class AddressForm(forms.Form):
    """An address of the buyer's address book (any country)."""

    name = forms.CharField(label=_("Full name"), max_length=120)
    line1 = forms.CharField(label=_("Address"), max_length=200)
    line2 = forms.CharField(label=_("Address, line 2"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=120)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    country = forms.ChoiceField(label=_("Country"))
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    is_default = forms.BooleanField(label=_("Use as my default address"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [  # type: ignore[attr-defined]
            (c.code, c.name) for c in countries_by_local_name()
        ]

    def address(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            key: data.get(key, "") or ""
            for key in ("name", "line1", "line2", "city", "postal_code", "country", "phone")
        }


OTHER_CARRIER = "other"


class ShipForm(forms.Form):
    """The carrier comes from the list of known carriers (their tracking pages become links
    for the buyer), or is typed in as "other"."""

    carrier = forms.ChoiceField(label=_("Carrier"))
    carrier_other = forms.CharField(
        label=_("Other carrier"), max_length=60, required=False, help_text=_("if not listed")
    )
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose a carrier")),
            *((c.name, c.name) for c in carrier_list()),
            (OTHER_CARRIER, _("Other (type its name)")),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("carrier") == OTHER_CARRIER:
            other = (data.get("carrier_other") or "").strip()
            if not other:
                self.add_error("carrier_other", _("Type the carrier's name."))
            data["carrier"] = other
        return data


class RefundForm(forms.Form):
    amount = forms.CharField(label=_("Amount"), max_length=24, help_text=_("e.g. 12.50"))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency

    def clean_amount(self) -> int:
        try:
            amount_minor = parse_amount_minor(
                str(self.cleaned_data["amount"]), self.currency, field=str(_("Amount"))
            )
        except InvalidNumber as exc:
            raise forms.ValidationError(exc.message()) from None
        if amount_minor <= 0:
            raise forms.ValidationError(_("The amount must be positive."))
        return amount_minor
