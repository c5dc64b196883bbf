from __future__ import annotations

from django.urls import path

app_name = "academy"
urlpatterns: list = []

# --- certificates ---
from fiera.academy import views_certificates  # noqa: E402

urlpatterns += [
    path("academy/verify/", views_certificates.verify_page, name="verify"),
    path("academy/certificates/", views_certificates.my_certificates, name="my_certificates"),
    path(
        "academy/certificates/<str:public_id>/",
        views_certificates.certificate_page,
        name="certificate",
    ),
    path(
        "academy/certificates/<str:public_id>/verify",
        views_certificates.certificate_verify,
        name="certificate_verify",
    ),
    path(
        "academy/certificates/<str:public_id>/credential.json",
        views_certificates.certificate_download,
        name="certificate_download",
    ),
    path(
        "academy/certificates/<str:public_id>/revoke",
        views_certificates.certificate_revoke,
        name="certificate_revoke",
    ),
    path(
        "academy/credentials/status/<int:list_id>",
        views_certificates.status_list,
        name="status_list",
    ),
]
