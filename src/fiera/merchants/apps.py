from django.apps import AppConfig


class MerchantsConfig(AppConfig):
    name = "fiera.merchants"
    label = "merchants"
    verbose_name = "Merchants"
