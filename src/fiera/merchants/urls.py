from __future__ import annotations

from django.urls import path

from fiera.merchants import views

app_name = "merchants"
urlpatterns = [
    path("console/", views.console_home, name="console_home"),
    path("console/stores/", views.console_store_open, name="console_store_open"),
    path(
        "console/stores/<int:store_id>/media", views.console_store_media, name="console_store_media"
    ),
]
