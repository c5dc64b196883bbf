from __future__ import annotations

from django.urls import path

from fiera.partners import views

app_name = "partners"
urlpatterns = [
    path("partners/<slug:slug>/leads/", views.lead_list, name="lead_list"),
    path("partners/<slug:slug>/leads/new", views.lead_new, name="lead_new"),
    path("partners/<slug:slug>/leads/<int:lead_id>/", views.lead_detail, name="lead_detail"),
    path("partners/<slug:slug>/leads/<int:lead_id>/move", views.lead_move, name="lead_move"),
    path("partners/<slug:slug>/staff", views.staff_change, name="staff_change"),
    path("operator/partners/coverage/", views.coverage, name="coverage"),
]
