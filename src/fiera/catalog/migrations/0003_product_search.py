"""Full-text search support for products (see fiera.catalog.search).

PostgreSQL: a GIN tsvector index ('simple' config) and, where pg_trgm can be created, a
trigram index for CJK substring matches. SQLite: an FTS5 table with the trigram
tokenizer, kept in sync by triggers. Each vendor's branch is a no-op on the other.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from fiera.catalog import search

    search.install(schema_editor.connection)


def backwards(apps, schema_editor):
    from fiera.catalog import search

    search.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0002_stock_movement"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
