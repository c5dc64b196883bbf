"""Forms of the orders pages (checkout address, shipping a package, refunding)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fiera.common.parsing import InvalidNumber, parse_amount_minor
from fiera.orders.payment import payment_methods


class CheckoutForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=120)
    line1 = forms.CharField(label=_("Address"), max_length=200)
    line2 = forms.CharField(label=_("Address, line 2"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=120)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    country = forms.ChoiceField(label=_("Country"))
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    payment_method = forms.ChoiceField(label=_("Payment"), widget=forms.RadioSelect)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=255)

    def __init__(self, *args: Any, countries: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = countries  # type: ignore[attr-defined]
        self.fields["payment_method"].choices = [  # type: ignore[attr-defined]
            (method.code, _(method.label)) for method in payment_methods()
        ]
        self.fields["payment_method"].initial = "cod"

    def address(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            key: data.get(key, "") or ""
            for key in ("name", "line1", "line2", "city", "postal_code", "country", "phone")
        }


class ShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=60)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=60)


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
