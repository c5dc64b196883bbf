"""Pages of the orders app: cart, checkout, buyer orders, merchant console orders."""

from __future__ import annotations

from django.urls import path

from fiera.orders import views

app_name = "orders"
urlpatterns = [
    path("m/<slug:slug>/cart/add", views.cart_add, name="cart_add"),
    path("m/<slug:slug>/cart/", views.cart_page, name="cart"),
    path("m/<slug:slug>/checkout/", views.checkout_page, name="checkout"),
    path("account/checkouts/<int:checkout_id>/", views.checkout_done, name="checkout_done"),
    path("account/orders/", views.my_orders, name="my_orders"),
    path("account/orders/<str:number>/", views.order_detail, name="order_detail"),
    path("account/orders/<str:number>/cancel/", views.order_cancel, name="order_cancel"),
    path("account/addresses/", views.addresses, name="addresses"),
    path("account/addresses/<int:address_id>/", views.address_edit, name="address_edit"),
    path("console/orders/", views.console_orders, name="console_orders"),
    path(
        "console/stock/movements/",
        views.console_stock_movements,
        name="console_stock_movements",
    ),
    path("console/orders/<str:number>/", views.console_order, name="console_order"),
]
