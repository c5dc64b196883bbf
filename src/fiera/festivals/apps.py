from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from fiera.common import dbkeys


class FestivalsConfig(AppConfig):
    name = "fiera.festivals"
    label = "festivals"
    verbose_name = _("Festivals")

    def ready(self) -> None:
        # The Citus-ready keys, also on databases built without migrations (tests).
        post_migrate.connect(
            dbkeys.after_migrate("festivals", "0002_citus_keys"),
            sender=self,
            dispatch_uid="festivals_keys",
            weak=False,  # the receiver is a closure: keep it alive
        )
        post_migrate.connect(
            dbkeys.after_migrate("festivals", "0003_gmv_rollups"),
            sender=self,
            dispatch_uid="festivals_rollup_keys",
            weak=False,
        )
        post_migrate.connect(
            dbkeys.after_migrate("festivals", "0004_buyer_country_rollup_flash_buyer_unlinked"),
            sender=self,
            dispatch_uid="festivals_flash_buyer_unlinked",
            weak=False,
        )
        from fiera.festivals import tallies

        tallies.register()  # live GMV: the order events' subscribers
