"""The academy's pages, under /academy/ (each feature appends its block)."""

from __future__ import annotations

from django.urls import path

from fiera.academy import views_alumni, views_certificates

app_name = "academy"
urlpatterns = [
    # --- alumni ---
    path("academy/alumni/", views_alumni.directory, name="alumni_directory"),
    path("academy/alumni/profile/", views_alumni.profile, name="alumni_profile"),
    path("academy/alumni/board/", views_alumni.board, name="alumni_board"),
    path("academy/alumni/board/<int:post_id>/", views_alumni.post, name="alumni_post"),
    path(
        "academy/alumni/board/<int:post_id>/edit/", views_alumni.post_edit, name="alumni_post_edit"
    ),
    path(
        "academy/alumni/board/<int:post_id>/delete/",
        views_alumni.post_delete,
        name="alumni_post_delete",
    ),
    path(
        "academy/alumni/board/<int:post_id>/hide/", views_alumni.post_hide, name="alumni_post_hide"
    ),
    path(
        "academy/alumni/replies/<int:reply_id>/edit/",
        views_alumni.reply_edit,
        name="alumni_reply_edit",
    ),
    path(
        "academy/alumni/replies/<int:reply_id>/delete/",
        views_alumni.reply_delete,
        name="alumni_reply_delete",
    ),
    path(
        "academy/alumni/replies/<int:reply_id>/hide/",
        views_alumni.reply_hide,
        name="alumni_reply_hide",
    ),
]

# --- certificates ---

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
