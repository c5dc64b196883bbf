from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from fiera.marketplaces import selectors as marketplace_selectors
from fiera.web import lockout


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/home.html",
        {"marketplaces": marketplace_selectors.marketplace_list(active_only=True)},
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
