"""A cart may hold a sample line beside the normal line of one variant (B2B listings).

SQLite rebuilds orders_cartline; ``legacy_alter_table`` keeps the rename from re-checking
other tables' triggers that name it (see catalog 0011); post_migrate reinstalls the rest.
"""

from django.conf import settings
from django.db import migrations, models


def _legacy_alter(on: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"PRAGMA legacy_alter_table = {'ON' if on else 'OFF'}")

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0007_b2b_terms'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_legacy_alter(True), _legacy_alter(False), elidable=False),
        migrations.RemoveConstraint(
            model_name='cartline',
            name='cart_line_once_per_variant',
        ),
        migrations.AddField(
            model_name='cartline',
            name='is_sample',
            field=models.BooleanField(default=False),
        ),
        migrations.AddConstraint(
            model_name='cartline',
            constraint=models.UniqueConstraint(fields=('buyer', 'cart', 'variant', 'is_sample'), name='cart_line_once_per_variant_kind'),
        ),
        migrations.RunPython(_legacy_alter(False), _legacy_alter(True), elidable=False),
    ]
