from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "fiera.payments"
    label = "payments"
    verbose_name = "Payments"
