from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from fiera.common import dbkeys

SEARCH_MIGRATION = ("catalog", "0009_search_documents")
PRICE_TIERS_MIGRATION = ("catalog", "0006_price_tiers_from_one")


def _ensure_search(using: str = "default", **kwargs: Any) -> None:
    """Re-create the search structures after every migrate (idempotent).

    Covers test databases built without migrations and SQLite table rebuilds (which drop
    the FTS triggers); see fiera.catalog.search. On a migrated database it acts only
    while migration 0009 is applied, so migrating back below it stays possible.
    """
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    from fiera.catalog import search

    connection = connections[using]
    module, _explicit = MigrationLoader.migrations_module("catalog")
    if (
        module is not None
        and SEARCH_MIGRATION not in MigrationRecorder(connection).applied_migrations()
    ):
        return
    search.install(connection)


def _ensure_price_tiers(using: str = "default", **kwargs: Any) -> None:
    """Install the "price tiers start at 1" triggers of migration 0006 after every migrate
    (idempotent), while that migration is applied or on a database built without
    migrations (tests); SQLite table rebuilds drop triggers."""
    from importlib import import_module

    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    module, _explicit = MigrationLoader.migrations_module("catalog")
    if (
        module is not None
        and PRICE_TIERS_MIGRATION not in MigrationRecorder(connection).applied_migrations()
    ):
        return
    steps = import_module(f"fiera.catalog.migrations.{PRICE_TIERS_MIGRATION[1]}")
    with connection.schema_editor() as schema_editor:
        steps.install(None, schema_editor)


class CatalogConfig(AppConfig):
    name = "fiera.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        post_migrate.connect(_ensure_search, sender=self, dispatch_uid="catalog_search_install")
        # The Citus-ready keys, also on databases built without migrations (tests).
        post_migrate.connect(
            dbkeys.after_migrate("catalog", "0005_citus_keys"),
            sender=self,
            dispatch_uid="catalog_keys",
            weak=False,  # the receiver is a closure: keep it alive
        )
        post_migrate.connect(
            dbkeys.after_migrate("catalog", "0008_product_images"),
            sender=self,
            dispatch_uid="catalog_image_keys",
            weak=False,
        )
        post_migrate.connect(_ensure_price_tiers, sender=self, dispatch_uid="catalog_price_tiers")
