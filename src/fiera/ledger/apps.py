from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from fiera.common import dbkeys


class LedgerConfig(AppConfig):
    name = "fiera.ledger"
    label = "ledger"
    verbose_name = _("Ledger")

    def ready(self) -> None:
        # The Citus-ready keys, also on databases built without migrations (tests).
        post_migrate.connect(
            dbkeys.after_migrate("ledger", "0003_citus_keys"),
            sender=self,
            dispatch_uid="ledger_keys",
            weak=False,  # the receiver is a closure: keep it alive
        )
        post_migrate.connect(
            dbkeys.after_migrate("ledger", "0005_balance_deltas"),
            sender=self,
            dispatch_uid="ledger_delta_keys",
            weak=False,
        )
