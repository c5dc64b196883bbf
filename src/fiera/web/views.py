from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from fiera.marketplaces import selectors as marketplace_selectors


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
