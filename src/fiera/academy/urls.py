from __future__ import annotations

from django.urls import path

from fiera.academy import views_courses

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
]
