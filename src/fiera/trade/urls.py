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
    # --- RFQs and quotes ---
    path("trade/rfqs/", views.rfq_list, name="rfqs"),
    path("trade/rfqs/new", views.rfq_new, name="rfq_new"),
    path("trade/rfqs/<int:rfq_id>/", views.rfq_page, name="rfq"),
    path("trade/rfqs/<int:rfq_id>/quote", views.rfq_quote, name="rfq_quote"),
    path("trade/rfqs/<int:rfq_id>/close", views.rfq_close, name="rfq_close"),
    path(
        "trade/quotes/<int:quote_id>/accept",
        views.quote_action,
        {"action": "accept"},
        name="quote_accept",
    ),
    path(
        "trade/quotes/<int:quote_id>/decline",
        views.quote_action,
        {"action": "decline"},
        name="quote_decline",
    ),
    path(
        "trade/quotes/<int:quote_id>/withdraw",
        views.quote_action,
        {"action": "withdraw"},
        name="quote_withdraw",
    ),
]

# --- trade assurance: disputes ---
urlpatterns += [
    path("trade/orders/<str:number>/assurance/", views.assurance_page, name="assurance"),
    path("trade/orders/<str:number>/confirm-receipt", views.confirm, name="confirm"),
    path("trade/orders/<str:number>/dispute", views.dispute_open, name="dispute_open"),
    path("trade/disputes/", views.disputes_page, name="disputes"),
    path("trade/disputes/<int:dispute_id>/messages", views.dispute_message, name="dispute_message"),
    path("trade/disputes/<int:dispute_id>/decision", views.dispute_decide, name="dispute_decide"),
    path(
        "trade/disputes/<int:dispute_id>/evidence/<int:message_id>",
        views.dispute_evidence,
        name="dispute_evidence",
    ),
    # --- trade documents ---
    path(
        "trade/orders/<str:number>/documents/<str:kind>.pdf",
        views.order_document,
        name="order_document",
    ),
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
