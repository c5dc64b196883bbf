from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeConfig(AppConfig):
    name = "fiera.trade"
    label = "trade"
    verbose_name = _("B2B trade")

    def ready(self) -> None:
        # trade assurance: the dispute's section on the buyer's and the console's order pages
        from fiera.orders.selectors import order_panel_register
        from fiera.trade.selectors import dispute_panel

        order_panel_register("trade-dispute", dispute_panel)
