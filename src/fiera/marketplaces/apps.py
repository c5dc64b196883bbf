from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplacesConfig(AppConfig):
    name = "fiera.marketplaces"
    label = "marketplaces"
    verbose_name = _("Marketplaces")
