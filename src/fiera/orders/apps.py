from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from fiera.common import dbkeys


class OrdersConfig(AppConfig):
    name = "fiera.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        # The Citus-ready keys, also on databases built without migrations (tests).
        post_migrate.connect(
            dbkeys.after_migrate("orders", "0002_citus_keys"),
            sender=self,
            dispatch_uid="orders_keys",
            weak=False,  # the receiver is a closure: keep it alive
        )
