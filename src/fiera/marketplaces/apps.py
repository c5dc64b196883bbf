from django.apps import AppConfig


class MarketplacesConfig(AppConfig):
    name = "fiera.marketplaces"
    label = "marketplaces"
    verbose_name = "Marketplaces"
