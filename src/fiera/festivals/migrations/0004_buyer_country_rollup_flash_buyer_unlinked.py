"""Two changes of issue 8's follow-up (decision 0011):

- ``FlashSaleBuyer.flash_sale`` loses its database foreign key (single-column and the
  composite (merchant_id, flash_sale_id) tenant link of 0002): with it, PostgreSQL takes
  FOR KEY SHARE on the hot flash-sale row at every buyer upsert. ``offers.flash_take``
  keeps the integrity (it names only a flash sale it has just read, of its merchant).
- ``GmvBuyerCountry``: GMV per festival x phase x buyer country, the rollup the
  buyer-country ranking reads instead of the tally cells (local to the Citus coordinator,
  like ``GmvMinute``: no composite key).
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


from fiera.common import dbkeys

UNLINKED = (("festivals_flashsalebuyer", "flash_sale_id"),)


def keys(schema_editor: Any) -> None:
    """Idempotent; run again after every migrate (fiera.common.dbkeys.after_migrate)."""
    for table, column in UNLINKED:
        dbkeys.tenant_unlink(schema_editor, table, column)
        dbkeys.drop_foreign_key(schema_editor, table, column)


def forwards(apps: Any, schema_editor: Any) -> None:
    keys(schema_editor)


def backwards(apps: Any, schema_editor: Any) -> None:
    """Back to 0003: the composite link of 0002 (PostgreSQL) or its triggers (SQLite)."""
    for table, column in UNLINKED:
        dbkeys.tenant_link(schema_editor, table, column, "festivals_flashsale", "merchant_id")


class Migration(migrations.Migration):
    dependencies = [
        ("festivals", "0003_gmv_rollups"),
    ]

    operations = [
        # The database side is ``keys`` below (the foreign key on PostgreSQL is 0002's
        # composite link, which Django's AlterField does not know about; its reverse would
        # add a single-column key to a table whose primary key is composite).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="flashsalebuyer",
                    name="flash_sale",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="festivals.flashsale",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.CreateModel(
            name="GmvBuyerCountry",
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
                ("buyer_country", models.CharField(max_length=2)),
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
                "verbose_name": "GMV per buyer country",
                "verbose_name_plural": "GMV per buyer country",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("festival", "phase", "buyer_country"), name="gmv_buyer_country"
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
