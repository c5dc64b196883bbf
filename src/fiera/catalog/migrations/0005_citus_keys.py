"""Catalog tables that Citus can distribute by merchant (docs/decisions/0008-citus-distribution.md).

Unique keys include ``merchant_id``; on PostgreSQL the primary keys become
(merchant_id, id) and the references between catalog rows composite foreign keys
(merchant_id, x_id) -> (merchant_id, id), so a price, a stock level or a movement cannot
belong to another merchant than its variant or warehouse. SQLite: triggers refuse the same.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

from fiera.common import dbkeys

TABLES = (
    "catalog_product",
    "catalog_variant",
    "catalog_warehouse",
    "catalog_price",
    "catalog_stocklevel",
    "catalog_stockmovement",
)
LINKS = (  # (table, column, parent)
    ("catalog_variant", "product_id", "catalog_product"),
    ("catalog_price", "variant_id", "catalog_variant"),
    ("catalog_stocklevel", "variant_id", "catalog_variant"),
    ("catalog_stocklevel", "warehouse_id", "catalog_warehouse"),
    ("catalog_stockmovement", "variant_id", "catalog_variant"),
    ("catalog_stockmovement", "warehouse_id", "catalog_warehouse"),
    ("catalog_stockmovement", "stock_level_id", "catalog_stocklevel"),
)


def forwards(apps: Any, schema_editor: Any) -> None:
    keys(schema_editor)


def keys(schema_editor: Any) -> None:
    """Idempotent; run again after every migrate (fiera.common.dbkeys.after_migrate)."""
    for table in TABLES:
        dbkeys.primary_key(schema_editor, table, ("merchant_id", "id"))
    for table, column, parent in LINKS:
        dbkeys.tenant_link(schema_editor, table, column, parent, "merchant_id")


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        raise RuntimeError("the composite keys of catalog 0005 are not reversible on PostgreSQL")
    for table, column, _parent in LINKS:
        dbkeys.tenant_unlink(schema_editor, table, column)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_stock_movement_release"),
        ("marketplaces", "0002_constraints"),
        ("merchants", "0003_constraints"),
        # Every table with a foreign key to the catalog exists before its keys change.
        ("orders", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="price", name="price_tier_once"),
        migrations.RemoveConstraint(model_name="stocklevel", name="stock_once_per_warehouse"),
        migrations.AddConstraint(
            model_name="price",
            constraint=models.UniqueConstraint(
                fields=("merchant", "variant", "marketplace", "currency", "min_quantity"),
                name="price_tier_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="stocklevel",
            constraint=models.UniqueConstraint(
                fields=("merchant", "variant", "warehouse"), name="stock_once_per_warehouse"
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
