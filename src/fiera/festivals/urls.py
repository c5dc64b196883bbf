"""Pages of the festivals app: the public festival page, the operators' live dashboard and
the merchant console's festival sales."""

from __future__ import annotations

from django.urls import path

from fiera.festivals import views

app_name = "festivals"
urlpatterns = [
    path("festivals/<slug:slug>/", views.festival_page, name="festival"),
    path("operator/festivals/<slug:slug>/live/", views.festival_live_page, name="live"),
    path("console/festivals/", views.console_festivals, name="console_festivals"),
]
