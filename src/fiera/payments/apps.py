from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from fiera.common import dbkeys


class PaymentsConfig(AppConfig):
    name = "fiera.payments"
    label = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        # The Citus-ready keys, also on databases built without migrations (tests).
        post_migrate.connect(
            dbkeys.after_migrate("payments", "0003_citus_keys"),
            sender=self,
            dispatch_uid="payments_keys",
            weak=False,  # the receiver is a closure: keep it alive
        )
        # A merchant's payable is opened when it registers, so that its first wallet sale
        # costs the checkout no more statements than any other (decision 0012).
        from fiera.common import events
        from fiera.payments.services.charges import on_merchant_registered

        events.subscribe("merchants.merchant.registered", name="payments.payable_open")(
            on_merchant_registered
        )
