"""The analytics pages (decision 0027)."""

from django.urls import path, re_path

from fiera.analytics import views

app_name = "analytics"

CHART = r"chart/(?P<name>[a-z-]{1,40})\.(?P<extension>csv|svg)$"

urlpatterns = [
    path("analytics/", views.dashboard_page, name="dashboard"),
    path("analytics/pavilion/<slug:slug>/", views.dashboard_page, name="pavilion"),
    path("analytics/reports/", views.reports_page, name="reports"),
    re_path(
        r"^analytics/reports/(?P<kind>festival|month|pavilion|partner)/$",
        views.report_file,
        name="report_file",
    ),
    re_path(r"^analytics/" + CHART, views.chart_file, name="chart"),
    re_path(
        r"^analytics/pavilion/(?P<slug>[-a-zA-Z0-9_]+)/" + CHART,
        views.chart_file,
        name="pavilion_chart",
    ),
]
