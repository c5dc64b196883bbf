from __future__ import annotations

from django.urls import path

from fiera.trade import views

app_name = "trade"
urlpatterns = [
    path("trade/company/", views.company_page, name="company"),
    path("trade/suppliers/<int:merchant_id>/", views.supplier_page, name="supplier"),
    path("trade/suppliers/<int:merchant_id>/contact", views.contact, name="contact"),
    path("trade/inquiries/", views.inbox, name="inbox"),
    path("console/supplier-profile/", views.supplier_edit, name="supplier_edit"),
    path("trade/inquiries/<int:inquiry_id>/", views.thread, name="thread"),
    path("trade/inquiries/<int:inquiry_id>/reply", views.reply, name="reply"),
    path("trade/inquiries/<int:inquiry_id>/close", views.close, name="close"),
    # --- pavilions ---
    path("trade/pavilions/", views.pavilion_list, name="pavilions"),
    path("trade/pavilions/<slug:slug>/", views.pavilion_page, name="pavilion"),
    path(
        "trade/pavilions/<slug:slug>/applications/", views.pavilion_review, name="pavilion_review"
    ),
    path(
        "trade/pavilions/<slug:slug>/applications/<int:application_id>/decide",
        views.pavilion_decide,
        name="pavilion_decide",
    ),
    path("trade/pavilions/<slug:slug>/open", views.pavilion_open, name="pavilion_open"),
    path("console/pavilions/", views.console_pavilions, name="console_pavilions"),
    path(
        "console/pavilions/<int:application_id>/withdraw",
        views.console_pavilion_withdraw,
        name="console_pavilion_withdraw",
    ),
]
