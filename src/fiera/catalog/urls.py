"""Catalog pages, included at the site root. The names are part of the contract: other
apps' pages link to them (orders' cart links back to products, web's home to
storefronts, the console layout to products and stock)."""

from __future__ import annotations

from django.urls import path

from fiera.catalog import views

app_name = "catalog"
urlpatterns = [
    path("m/<slug:slug>/", views.storefront_home, name="storefront_home"),
    path("m/<slug:slug>/search", views.search, name="search"),
    path("m/<slug:slug>/store/<slug:store_slug>/", views.store, name="store"),
    path("m/<slug:slug>/p/<int:product_id>/", views.product, name="product"),
    path("m/<slug:slug>/country", views.set_country, name="set_country"),
    path("console/products/", views.console_products, name="console_products"),
    path(
        "console/products/<int:product_id>/",
        views.console_product_edit,
        name="console_product_edit",
    ),
    path(
        "console/products/<int:product_id>/images",
        views.console_product_images,
        name="console_product_images",
    ),
    path("console/stock/", views.console_stock, name="console_stock"),
]
