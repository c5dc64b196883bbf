"""Pages of the payments app: the outlet network, one outlet with its QR, the CSV import."""

from __future__ import annotations

from django.urls import path

from fiera.payments import views

app_name = "payments"
urlpatterns = [
    path("outlets/", views.outlet_list, name="outlets"),
    path("outlets/import/", views.outlet_import, name="outlets_import"),
    path("outlets/<int:outlet_id>/", views.outlet_detail, name="outlet"),
    path("outlets/<int:outlet_id>/status", views.outlet_status, name="outlet_status"),
]
