"""The academy's pages, under /academy/ (each feature appends its block)."""

from __future__ import annotations

from django.urls import path

from fiera.academy import views_alumni, views_certificates, views_courses

app_name = "academy"
urlpatterns = [
    # --- courses ---
    path("academy/", views_courses.catalogue, name="catalogue"),
    path("academy/my/", views_courses.my_learning, name="my_learning"),
    path("academy/courses/<slug:slug>/", views_courses.course_page, name="course"),
    path("academy/cohorts/<slug:slug>/enrol", views_courses.enrol, name="enrol"),
    path("academy/learn/<int:enrolment_id>/", views_courses.player, name="player"),
    path(
        "academy/learn/<int:enrolment_id>/lessons/<int:lesson_id>/",
        views_courses.player,
        name="lesson",
    ),
    path(
        "academy/learn/<int:enrolment_id>/lessons/<int:lesson_id>/done",
        views_courses.lesson_done,
        name="lesson_done",
    ),
    path("academy/learn/<int:enrolment_id>/withdraw", views_courses.withdraw, name="withdraw"),
    path("academy/teach/", views_courses.teach_home, name="teach"),
    path("academy/teach/new", views_courses.course_new, name="course_new"),
    path("academy/teach/<slug:slug>/", views_courses.course_edit, name="course_edit"),
    path("academy/teach/<slug:slug>/publish", views_courses.course_publish, name="course_publish"),
    path("academy/teach/<slug:slug>/modules", views_courses.module_new, name="module_new"),
    path(
        "academy/teach/<slug:slug>/modules/<int:module_id>/",
        views_courses.module_edit,
        name="module_edit",
    ),
    path(
        "academy/teach/<slug:slug>/modules/<int:module_id>/move",
        views_courses.module_move,
        name="module_move",
    ),
    path(
        "academy/teach/<slug:slug>/modules/<int:module_id>/lessons",
        views_courses.lesson_new,
        name="lesson_new",
    ),
    path(
        "academy/teach/<slug:slug>/lessons/<int:lesson_id>/",
        views_courses.lesson_edit,
        name="lesson_edit",
    ),
    path(
        "academy/teach/<slug:slug>/lessons/<int:lesson_id>/move",
        views_courses.lesson_move,
        name="lesson_move",
    ),
    path("academy/teach/<slug:slug>/cohorts", views_courses.cohort_new, name="cohort_new"),
    path(
        "academy/teach/<slug:slug>/cohorts/<slug:cohort>/",
        views_courses.cohort_people,
        name="cohort_people",
    ),
    path("academy/teach/<slug:slug>/workshops", views_courses.workshop_new, name="workshop_new"),
    path("academy/workshops/", views_courses.workshop_calendar, name="workshops"),
    path("academy/workshops/<int:workshop_id>/", views_courses.workshop_page, name="workshop"),
    path(
        "academy/workshops/<int:workshop_id>/register",
        views_courses.workshop_register,
        name="workshop_register",
    ),
    path(
        "academy/workshops/<int:workshop_id>/cancel",
        views_courses.workshop_cancel,
        name="workshop_cancel",
    ),
    path(
        "academy/workshops/<int:workshop_id>/attendance",
        views_courses.workshop_attendance,
        name="workshop_attendance",
    ),
    path(
        "academy/workshops/<int:workshop_id>.ics", views_courses.workshop_ics, name="workshop_ics"
    ),
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
