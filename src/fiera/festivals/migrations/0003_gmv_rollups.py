"""The GMV rollups (GmvMerchantTotal per merchant x marketplace, GmvMinute per minute) that
the festival figures read instead of the tally cells; GmvMerchantTotal gets the Citus-ready
(merchant_id, id) primary key (fiera.common.dbkeys) in a step after its table exists.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

from fiera.common import dbkeys

TENANT_TABLES = ("festivals_gmvmerchanttotal",)


def keys(schema_editor: Any) -> None:
    """Idempotent; run again after every migrate (fiera.common.dbkeys.after_migrate)."""
    for table in TENANT_TABLES:
        dbkeys.primary_key(schema_editor, table, ("merchant_id", "id"))


def forwards(apps: Any, schema_editor: Any) -> None:
    keys(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("festivals", "0002_citus_keys"),
        ("merchants", "0005_media_and_names"),
    ]

    operations = [
        migrations.CreateModel(
            name="GmvMerchantTotal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "phase",
                    models.CharField(
                        choices=[("live", "Festival"), ("baseline", "Baseline")], max_length=8
                    ),
                ),
                ("marketplace_id", models.BigIntegerField()),
                ("merchant_country", models.CharField(max_length=2)),
                ("orders", models.IntegerField(default=0)),
                ("units", models.IntegerField(default=0)),
                ("gmv_usd_minor", models.BigIntegerField(default=0)),
                (
                    "festival",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="festivals.festival",
                    ),
                ),
                (
                    "merchant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="merchants.merchant",
                    ),
                ),
            ],
            options={
                "verbose_name": "GMV merchant total",
                "verbose_name_plural": "GMV merchant totals",
                "indexes": [
                    models.Index(fields=["festival", "phase"], name="gmv_merchant_total_fest")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("merchant", "festival", "phase", "marketplace_id"),
                        name="gmv_merchant_total",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="GmvMinute",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "phase",
                    models.CharField(
                        choices=[("live", "Festival"), ("baseline", "Baseline")], max_length=8
                    ),
                ),
                ("minute", models.DateTimeField()),
                ("orders", models.IntegerField(default=0)),
                ("units", models.IntegerField(default=0)),
                ("gmv_usd_minor", models.BigIntegerField(default=0)),
                (
                    "festival",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="festivals.festival",
                    ),
                ),
            ],
            options={
                "verbose_name": "GMV minute",
                "verbose_name_plural": "GMV minutes",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("festival", "phase", "minute"), name="gmv_minute"
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
    ]
