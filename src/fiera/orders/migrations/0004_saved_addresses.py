"""Buyers' address books (``SavedAddress``), distributed by buyer like carts and checkouts
(decision 0008): on PostgreSQL the primary key becomes (buyer_id, id)."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from fiera.common import dbkeys


def keys(schema_editor: Any) -> None:
    """Idempotent; run again after every migrate (fiera.common.dbkeys.after_migrate)."""
    dbkeys.primary_key(schema_editor, "orders_savedaddress", ("buyer_id", "id"))


def forwards(apps: Any, schema_editor: Any) -> None:
    keys(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_verbose_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SavedAddress",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=120)),
                ("line1", models.CharField(max_length=200)),
                ("line2", models.CharField(blank=True, default="", max_length=200)),
                ("city", models.CharField(max_length=120)),
                ("postal_code", models.CharField(max_length=20)),
                ("country", models.CharField(help_text="ISO 3166-1 alpha-2", max_length=2)),
                ("phone", models.CharField(blank=True, default="", max_length=32)),
                ("is_default", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField()),
                (
                    "buyer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "saved address",
                "verbose_name_plural": "saved addresses",
                "ordering": ["-is_default", "id"],
                "indexes": [
                    models.Index(fields=["buyer", "is_default"], name="saved_address_by_buyer")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("is_default", True)),
                        fields=("buyer",),
                        name="one_default_address_per_buyer",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("country__regex", "^[A-Z]{2}$")),
                        name="saved_address_country_code",
                    ),
                ],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
    ]
