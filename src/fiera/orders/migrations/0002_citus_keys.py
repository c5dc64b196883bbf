"""Order tables that Citus can distribute (docs/decisions/0008-citus-distribution.md).

Orders, lines, shipments and refunds by merchant; carts, lines, checkouts, idempotency
records and allowances by buyer. Order numbers and tracking numbers are unique per
merchant; a cart line carries its buyer; an order's checkout and a cart line's variant
belong to the other group, so they are no database foreign keys. On PostgreSQL the
primary keys become (tenant, id) and the references within a group composite foreign
keys; SQLite: triggers refuse a row whose tenant differs from its parent's.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from fiera.common import dbkeys

TABLES = {
    "merchant_id": ("orders_order", "orders_orderline", "orders_shipment", "orders_refund"),
    "buyer_id": (
        "orders_cart",
        "orders_cartline",
        "orders_checkout",
        "orders_idempotencyrecord",
        "orders_crossborderallowance",
    ),
}
LINKS = (  # (table, column, parent, tenant column)
    ("orders_orderline", "order_id", "orders_order", "merchant_id"),
    ("orders_orderline", "variant_id", "catalog_variant", "merchant_id"),
    ("orders_orderline", "warehouse_id", "catalog_warehouse", "merchant_id"),
    ("orders_shipment", "order_id", "orders_order", "merchant_id"),
    ("orders_refund", "order_id", "orders_order", "merchant_id"),
    ("orders_cartline", "cart_id", "orders_cart", "buyer_id"),
    ("orders_idempotencyrecord", "checkout_id", "orders_checkout", "buyer_id"),
)


def fill_cart_line_buyers(apps: Any, schema_editor: Any) -> None:
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:  # no pending deferred checks may block the ALTER TABLE that follows
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    schema_editor.execute(
        "UPDATE orders_cartline SET buyer_id = "
        "(SELECT buyer_id FROM orders_cart WHERE orders_cart.id = orders_cartline.cart_id)"
    )
    if postgresql:
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def forwards(apps: Any, schema_editor: Any) -> None:
    keys(schema_editor)


def keys(schema_editor: Any) -> None:
    """Idempotent; run again after every migrate (fiera.common.dbkeys.after_migrate)."""
    for tenant_column, tables in TABLES.items():
        for table in tables:
            dbkeys.primary_key(schema_editor, table, (tenant_column, "id"))
    for table, column, parent, tenant_column in LINKS:
        dbkeys.tenant_link(schema_editor, table, column, parent, tenant_column)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        raise RuntimeError("the composite keys of orders 0002 are not reversible on PostgreSQL")
    for table, column, _parent, _tenant in LINKS:
        dbkeys.tenant_unlink(schema_editor, table, column)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_citus_keys"),
        ("marketplaces", "0002_constraints"),
        ("merchants", "0003_constraints"),
        ("orders", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="shipment", name="tracking_number_once_per_carrier"),
        migrations.AddField(
            model_name="cartline",
            name="buyer",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(fill_cart_line_buyers, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="cartline",
            name="buyer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="cartline",
            name="variant",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="catalog.variant",
            ),
        ),
        migrations.AlterField(
            model_name="order",
            name="checkout",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="orders",
                to="orders.checkout",
            ),
        ),
        migrations.AlterField(
            model_name="order", name="number", field=models.CharField(max_length=24)
        ),
        migrations.AddIndex(
            model_name="order", index=models.Index(fields=["number"], name="order_number")
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.UniqueConstraint(
                fields=("merchant", "number"), name="order_number_per_merchant"
            ),
        ),
        migrations.RemoveConstraint(model_name="cartline", name="cart_line_once_per_variant"),
        migrations.AddConstraint(
            model_name="cartline",
            constraint=models.UniqueConstraint(
                fields=("buyer", "cart", "variant"), name="cart_line_once_per_variant"
            ),
        ),
        migrations.AddConstraint(
            model_name="shipment",
            constraint=models.UniqueConstraint(
                fields=("merchant", "carrier", "tracking_number"),
                name="tracking_number_once_per_carrier",
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
