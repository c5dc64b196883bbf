"""Search documents (fiera.catalog.search): normalized names and descriptions on each
product, normalized names on each category; on SQLite an FTS5 table over the two product
documents (replacing migration 0003's trigram table), on PostgreSQL a GIN tsvector index
over them (replacing 0003's indexes over the raw columns). Existing rows get their
documents here; new ones when saved.

Backwards: drops the structures; migration 0003's are not rebuilt (search needs 0009).
"""

import fiera.catalog.search
from django.db import migrations


def forwards(apps, schema_editor):
    from fiera.catalog import search

    search.uninstall(schema_editor.connection)
    search.reindex(schema_editor.connection)
    search.install(schema_editor.connection)


def backwards(apps, schema_editor):
    from fiera.catalog import search

    search.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0008_product_images"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="search_names",
            field=fiera.catalog.search.SearchDocumentField(
                sources=("name_it", "name_en", "name_zh")
            ),
        ),
        migrations.AddField(
            model_name="product",
            name="search_descriptions",
            field=fiera.catalog.search.SearchDocumentField(
                sources=("description_it", "description_en", "description_zh")
            ),
        ),
        migrations.AddField(
            model_name="product",
            name="search_names",
            field=fiera.catalog.search.SearchDocumentField(
                sources=("name_it", "name_en", "name_zh")
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
