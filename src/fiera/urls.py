from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from fiera.api import api, api_not_found
from fiera.web.media import media_file

# The product's name in the admin instead of "Django administration" (translated).
admin.site.site_header = _("Fiera operations")
admin.site.site_title = _("Fiera operations")
admin.site.index_title = _("Marketplace administration")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/v1(?:/.*)?$", csrf_exempt(api_not_found)),
    path("i18n/", include("django.conf.urls.i18n")),
    # Uploaded images with the filesystem storage (S3 storage links to the bucket instead).
    re_path(r"^media/(?P<path>.+)$", media_file, name="media"),
    path("", include("fiera.merchants.urls")),
    path("", include("fiera.catalog.urls")),
    path("", include("fiera.payments.urls")),
    path("", include("fiera.orders.urls")),
    path("", include("fiera.festivals.urls")),
    path("", include("fiera.partners.urls")),
    path("", include("fiera.trade.urls")),
    path("", include("fiera.academy.urls")),
    # --- pages (analytics) ---
    path("", include("fiera.analytics.urls")),
    path("", include("fiera.web.urls")),
]
