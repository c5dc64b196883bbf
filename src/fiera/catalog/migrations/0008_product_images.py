"""Product images (and the merchants' store media in merchants 0005).

The table is distributed by merchant like the rest of the catalog (decision 0008): its
primary key becomes (merchant_id, id) on PostgreSQL and the product reference a composite
key, so an image cannot belong to another merchant than its product.
"""

from typing import Any

from fiera.common import dbkeys

import django.db.models.deletion
from django.db import migrations, models


def keys(schema_editor: Any) -> None:
    """Idempotent; run again after every migrate (fiera.common.dbkeys.after_migrate)."""
    dbkeys.primary_key(schema_editor, "catalog_productimage", ("merchant_id", "id"))
    dbkeys.tenant_link(
        schema_editor, "catalog_productimage", "product_id", "catalog_product", "merchant_id"
    )


def forwards(apps: Any, schema_editor: Any) -> None:
    keys(schema_editor)


def backwards(apps: Any, schema_editor: Any) -> None:
    dbkeys.tenant_unlink(schema_editor, "catalog_productimage", "product_id")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_verbose_names"),
        ("merchants", "0005_media_and_names"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProductImage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "image",
                    models.ImageField(
                        height_field="height", upload_to="products/", width_field="width"
                    ),
                ),
                (
                    "thumbnail",
                    models.ImageField(blank=True, default="", upload_to="products/thumbs/"),
                ),
                ("width", models.PositiveIntegerField(default=0)),
                ("height", models.PositiveIntegerField(default=0)),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("alt_text", models.CharField(blank=True, default="", max_length=200)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "merchant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="merchants.merchant",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="images",
                        db_constraint=False, to="catalog.product",
                    ),
                ),
            ],
            options={
                "verbose_name": "product image",
                "verbose_name_plural": "product images",
                "ordering": ["product", "position", "id"],
                "indexes": [
                    models.Index(fields=["product", "position"], name="product_image_order")
                ],
            },
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
