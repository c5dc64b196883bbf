"""Forms of the page shell: sign-up and the password reset that mails in the user's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fiera.common.reference import countries_by_local_name

# The country a new buyer most likely lives in, by the language they read.
_COUNTRY_FOR_LANGUAGE = {"it": "IT", "zh-hans": "CN", "es": "ES"}


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """Every country as (code, name in the language, from CLDR), sorted by that name."""
    return [(country.code, country.name) for country in countries_by_local_name(language)]


class SignupForm(forms.Form):
    """What a buyer gives to open an account; the rules are the service's
    (``accounts.services.buyer_signup``), whose errors the view puts on these fields."""

    username = forms.CharField(
        label=_("User name"),
        required=False,
        max_length=150,
        help_text=_("Leave it empty to sign in with your email address."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    email = forms.CharField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        help_text=_("At least 8 characters; not a common password, not only digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    country = forms.ChoiceField(label=_("Country you live in"))
    preferred_language = forms.ChoiceField(label=_("Language"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = (get_language() or settings.LANGUAGE_CODE).lower()
        self.fields["country"].choices = [("", "—"), *country_choices(language)]  # type: ignore[attr-defined]
        self.fields["country"].initial = _COUNTRY_FOR_LANGUAGE.get(language, "")
        with translation.override("en"):
            codes = [code for code, _name in settings.LANGUAGES]
        self.fields["preferred_language"].choices = [  # type: ignore[attr-defined]
            (code, translation.get_language_info(code)["name_local"]) for code in codes
        ]
        self.fields["preferred_language"].initial = language if language in codes else "en"


class LocalizedPasswordResetForm(PasswordResetForm):
    """Django's reset form, writing each mail in its recipient's preferred language (else
    the page's) with links to FIERA_BASE_URL. Whether an address has an account shows
    nowhere: the page that follows is the same."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context.get("user")
        language = getattr(user, "preferred_language", "") or get_language() or "en"
        with translation.override(language):
            super().send_mail(
                subject_template_name,
                email_template_name,
                {**context, "base_url": settings.FIERA_BASE_URL},
                from_email,
                to_email,
                html_email_template_name,
            )
