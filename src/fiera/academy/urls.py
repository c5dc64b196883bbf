from __future__ import annotations

from django.urls import path

app_name = "academy"
urlpatterns: list = []

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
