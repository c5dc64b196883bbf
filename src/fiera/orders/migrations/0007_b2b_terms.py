"""B2B terms on orders. SQLite rebuilds orders_order to add the columns; ``legacy_alter_table``
keeps the rename from re-checking the triggers of orders_orderline etc. that name it (see
catalog 0011); post_migrate reinstalls the triggers on the rebuilt table.
"""

from django.db import migrations, models


def _legacy_alter(on: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"PRAGMA legacy_alter_table = {'ON' if on else 'OFF'}")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0006_order_payment_due_at"),
    ]

    operations = [
        migrations.RunPython(_legacy_alter(True), _legacy_alter(False), elidable=False),
        migrations.AddField(
            model_name="order",
            name="incoterm",
            field=models.CharField(blank=True, db_default="", default="", max_length=3),
        ),
        migrations.AddField(
            model_name="order",
            name="incoterm_place",
            field=models.CharField(blank=True, db_default="", default="", max_length=80),
        ),
        migrations.AddField(
            model_name="order",
            name="lead_time_days",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="order",
            name="payment_terms",
            field=models.CharField(blank=True, db_default="", default="", max_length=12),
        ),
        migrations.AddField(
            model_name="order",
            name="quote_ref",
            field=models.CharField(blank=True, db_default="", default="", max_length=32),
        ),
        migrations.RunPython(_legacy_alter(False), _legacy_alter(True), elidable=False),
    ]
