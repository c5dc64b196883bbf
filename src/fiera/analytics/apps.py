from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from fiera.common import dbkeys


class AnalyticsConfig(AppConfig):
    name = "fiera.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        # The Citus-ready keys, also on databases built without migrations (tests).
        post_migrate.connect(
            dbkeys.after_migrate("analytics", "0001_initial"),
            sender=self,
            dispatch_uid="analytics_keys",
            weak=False,  # the receiver is a closure: keep it alive
        )
        post_migrate.connect(
            dbkeys.after_migrate("analytics", "0003_merchant_activity"),
            sender=self,
            dispatch_uid="analytics_activity_keys",
            weak=False,
        )
        from fiera.analytics import rollups

        rollups.register()  # the sales rollups: the order events' subscribers
        # --- feeds ---
        from fiera.analytics import feeds

        feeds.register()  # trade and academy: their events' subscribers and measures
