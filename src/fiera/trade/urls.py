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
    # --- trade search ---
    path("trade/search/", views.search_page, name="search"),
]
