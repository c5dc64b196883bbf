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
# --- exams ---
from fiera.academy import views_exams  # noqa: E402

urlpatterns += [
    path("academy/courses/<slug:slug>/tests/", views_exams.course_tests, name="exam_course_tests"),
    path("academy/tests/<int:assessment_id>/", views_exams.intro, name="exam_intro"),
    path("academy/tests/<int:assessment_id>/start", views_exams.start, name="exam_start"),
    path("academy/attempts/<int:attempt_id>/", views_exams.attempt, name="exam_attempt"),
    path("academy/attempts/<int:attempt_id>/submit", views_exams.submit, name="exam_submit"),
    path("academy/attempts/<int:attempt_id>/result/", views_exams.result, name="exam_result"),
    path(
        "academy/cohorts/<slug:slug>/leaderboard/",
        views_exams.leaderboard_page,
        name="exam_leaderboard",
    ),
    path(
        "academy/cohorts/<slug:slug>/ranking-visibility",
        views_exams.ranking_visibility,
        name="exam_ranking_visibility",
    ),
    path(
        "academy/cohorts/<slug:slug>/gradebook/", views_exams.gradebook_page, name="exam_gradebook"
    ),
    path(
        "academy/cohorts/<slug:slug>/gradebook.csv",
        views_exams.gradebook_csv,
        name="exam_gradebook_csv",
    ),
    path(
        "academy/teach/courses/<slug:slug>/tests/",
        views_exams.builder_list,
        name="exam_builder_list",
    ),
    path(
        "academy/teach/tests/<int:assessment_id>/",
        views_exams.builder,
        name="exam_builder",
    ),
    path(
        "academy/teach/tests/<int:assessment_id>/questions/new",
        views_exams.question_new,
        name="exam_question_new",
    ),
    path(
        "academy/teach/questions/<int:question_id>/edit",
        views_exams.question_edit,
        name="exam_question_edit",
    ),
    path(
        "academy/teach/questions/<int:question_id>/delete",
        views_exams.question_remove,
        name="exam_question_delete",
    ),
    path(
        "academy/teach/tests/<int:assessment_id>/import",
        views_exams.bank_import,
        name="exam_import",
    ),
    path(
        "academy/teach/tests/<int:assessment_id>/export.gift",
        views_exams.bank_export,
        name="exam_export",
    ),
]
