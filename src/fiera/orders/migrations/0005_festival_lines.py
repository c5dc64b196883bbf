"""Order lines say what priced them (list, festival or flash sale) and, for a flash sale,
which one gave its units (docs/decisions/0011-festivals-and-flash-sales.md).

SQLite rebuilds ``orders_orderline`` to add a column with a default, and refuses to while
the tenant triggers name it: they are dropped first and put back after (orders 0002's keys).
"""

from importlib import import_module
from typing import Any

from django.db import migrations, models

from fiera.common import dbkeys

LINE_LINKS = ("order_id", "variant_id", "warehouse_id")


def unlink(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for column in LINE_LINKS:
            dbkeys.tenant_unlink(schema_editor, "orders_orderline", column)


def relink(apps: Any, schema_editor: Any) -> None:
    import_module("fiera.orders.migrations.0002_citus_keys").keys(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_saved_addresses"),
    ]

    operations = [
        migrations.RunPython(unlink, relink, elidable=False),
        migrations.AddField(
            model_name="orderline",
            name="flash_sale_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="orderline",
            name="price_kind",
            field=models.CharField(default="list", max_length=8),
        ),
        migrations.RunPython(relink, unlink, elidable=False),
    ]
