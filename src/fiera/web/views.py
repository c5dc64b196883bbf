from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from fiera.accounts import services as account_services
from fiera.common.errors import DomainError
from fiera.festivals import selectors as festival_selectors
from fiera.marketplaces import selectors as marketplace_selectors
from fiera.web import lockout
from fiera.web.forms import LocalizedPasswordResetForm, SignupForm


def home(request: HttpRequest) -> HttpResponse:
    role = str(getattr(request.user, "role", "")) if request.user.is_authenticated else ""
    now = timezone.now()
    festivals = [
        festival
        for festival in festival_selectors.festival_list(actor_role=role)[:20]
        if festival.ends_at > now
    ]
    return render(
        request,
        "web/home.html",
        {
            "marketplaces": marketplace_selectors.marketplace_list(active_only=True),
            "festivals": festivals,
        },
    )


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Wrong passwords for one username lock it (django-axes); this limits the posts of
        # one address over all usernames.
        return lockout.login_rate_exceeded(request) or super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        return _with_language(response, getattr(form.get_user(), "preferred_language", ""))


def _with_language(response: HttpResponse, language: str) -> HttpResponse:
    """The response, setting the language cookie to the user's preferred language (if any)."""
    if language in {code for code, _name in settings.LANGUAGES}:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
        )
    return response


def _next_url(request: HttpRequest) -> str:
    """Where to go after signing up: ``next`` when it is a page of this site, else home."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("web:home")


# Which form field a sign-up error belongs to (by the error's code).
_SIGNUP_FIELD = {
    "username_taken": "username",
    "invalid_username": "username",
    "email_taken": "email",
    "invalid_email": "email",
    "weak_password": "password",
    "invalid": "country",
    "unknown_language": "preferred_language",
}


def signup(request: HttpRequest) -> HttpResponse:
    """A buyer opens an account, is signed in, and goes back to ``next``."""
    next_url = _next_url(request)
    if request.user.is_authenticated:
        return redirect(next_url)
    if request.method == "POST":
        limited = lockout.form_rate_exceeded(request, "signup_form", settings.FIERA_SIGNUP_RATE)
        if limited is not None:
            return limited
        form = SignupForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = account_services.buyer_signup(
                    username=data["username"],
                    email=data["email"],
                    password=data["password"],
                    country=data["country"],
                    preferred_language=data["preferred_language"],
                )
            except DomainError as exc:
                form.add_error(_SIGNUP_FIELD.get(exc.code), exc.message())
            else:
                login(request, user, backend="fiera.accounts.backends.UsernameOrEmailBackend")
                return _with_language(HttpResponseRedirect(next_url), user.preferred_language)
    else:
        form = SignupForm()
    return render(request, "web/signup.html", {"form": form, "next": next_url})


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an email address and mails a reset link to its account, if there is one;
    the page that follows says the same either way."""

    template_name = "web/password_reset_form.html"
    form_class = LocalizedPasswordResetForm
    subject_template_name = "web/mail/password_reset_subject.txt"
    email_template_name = "web/mail/password_reset.txt"
    html_email_template_name = "web/mail/password_reset.html"
    success_url = reverse_lazy("web:password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # One address cannot fill a mailbox with reset mails, nor probe many addresses.
        return lockout.form_rate_exceeded(
            request, "password_reset_form", settings.FIERA_LOGIN_RATE
        ) or super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/password_reset_confirm.html"
    success_url = reverse_lazy("web:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/password_reset_complete.html"
