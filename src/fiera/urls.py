from django.contrib import admin
from django.urls import include, path

from fiera.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("fiera.merchants.urls")),
    path("", include("fiera.catalog.urls")),
    path("", include("fiera.payments.urls")),
    path("", include("fiera.orders.urls")),
    path("", include("fiera.web.urls")),
]
