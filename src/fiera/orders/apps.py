from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from fiera.common import dbkeys


class OrdersConfig(AppConfig):
    name = "fiera.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from fiera.orders.views import merge_guest_cart

        # A visitor's session cart joins their cart when they sign in (or sign up).
        user_logged_in.connect(merge_guest_cart, dispatch_uid="orders_merge_guest_cart")
        # The buyers' order mails listen to the order events (outbox subscribers).
        from fiera.orders import mails  # noqa: F401

        # The Citus-ready keys, also on databases built without migrations (tests).
        post_migrate.connect(
            dbkeys.after_migrate("orders", "0002_citus_keys"),
            sender=self,
            dispatch_uid="orders_keys",
            weak=False,  # the receiver is a closure: keep it alive
        )
        post_migrate.connect(
            dbkeys.after_migrate("orders", "0004_saved_addresses"),
            sender=self,
            dispatch_uid="orders_address_keys",
            weak=False,
        )
