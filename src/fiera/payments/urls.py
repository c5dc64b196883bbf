"""Pages of the payments app: the outlet network, one outlet with its QR, the CSV import;
the buyer's wallet and its QR payments; the operators' settlement runs."""

from __future__ import annotations

from django.urls import path

from fiera.payments import views

app_name = "payments"
urlpatterns = [
    path("outlets/", views.outlet_list, name="outlets"),
    path("outlets/import/", views.outlet_import, name="outlets_import"),
    path("outlets/<int:outlet_id>/", views.outlet_detail, name="outlet"),
    path("outlets/<int:outlet_id>/status", views.outlet_status, name="outlet_status"),
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/open/", views.wallet_open, name="wallet_open"),
    path("wallet/top-up/", views.wallet_top_up, name="wallet_top_up"),
    path("wallet/pay/", views.wallet_pay, name="wallet_pay"),
    path("wallet/payments/<str:request_id>/", views.qr_payment, name="qr_payment"),
    path("wallet/paid/<str:reference>/", views.wallet_payment, name="wallet_payment"),
    path("settlement/", views.settlement_runs, name="settlement_runs"),
    path("settlement/run/", views.settlement_run_now, name="settlement_run"),
    path("settlement/<int:run_id>/", views.settlement_run_detail, name="settlement_run_detail"),
]
