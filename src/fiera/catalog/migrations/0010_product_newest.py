"""The storefront's newest-first listing (search without words, store pages) walks this
index and stops after a page instead of sorting every product for sale."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_search_documents"),
        ("merchants", "0005_media_and_names"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="product",
            index=models.Index(fields=["-created_at", "-id"], name="product_newest"),
        ),
    ]
