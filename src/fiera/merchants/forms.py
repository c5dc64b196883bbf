from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fiera.common.parsing import IntegerField
from fiera.marketplaces.selectors import MarketplaceInfo


class StoreOpenForm(forms.Form):
    merchant = IntegerField(widget=forms.HiddenInput, min_value=1)
    marketplace = forms.TypedChoiceField(label=_("Marketplace"), coerce=int)
    name = forms.CharField(label=_("Store name"), max_length=120)
    slug = forms.SlugField(
        label=_("Web address (optional)"),
        max_length=80,
        required=False,
        help_text=_("Lower-case letters, digits and hyphens; made from the name if empty."),
    )

    def __init__(
        self, *args: Any, marketplaces: Iterable[MarketplaceInfo] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["marketplace"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(m.id, f"{m.name} ({m.kind_label})") for m in marketplaces]
