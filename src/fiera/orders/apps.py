from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "fiera.orders"
    label = "orders"
    verbose_name = "Orders"
