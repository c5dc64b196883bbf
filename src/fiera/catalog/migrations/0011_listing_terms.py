"""B2B listing terms on products (lead time, Incoterm and place, payment terms) and sample
offers on variants (catalog.rules).

SQLite rebuilds catalog_product and catalog_variant to add the columns and CHECKs; other
tables' triggers name them (the tenant links of 0005/0008, orders' lines), and SQLite 3.26+
re-checks those triggers when the rebuilt table is renamed into place, which fails while
the old table is gone. ``legacy_alter_table`` renames without that check; the triggers ON
the rebuilt tables (their tenant parents, the search index) come back in post_migrate
(``fiera.common.dbkeys.after_migrate``, ``catalog.apps``).
"""

from django.db import migrations, models


def _legacy_alter(on: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"PRAGMA legacy_alter_table = {'ON' if on else 'OFF'}")

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0010_product_newest'),
        ('merchants', '0005_media_and_names'),
    ]

    operations = [
        migrations.RunPython(_legacy_alter(True), _legacy_alter(False), elidable=False),
        migrations.AddField(
            model_name='product',
            name='incoterm',
            field=models.CharField(blank=True, default='', max_length=3),
        ),
        migrations.AddField(
            model_name='product',
            name='incoterm_place',
            field=models.CharField(blank=True, default='', max_length=80),
        ),
        migrations.AddField(
            model_name='product',
            name='lead_time_days',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='product',
            name='payment_terms',
            field=models.CharField(blank=True, default='', max_length=12),
        ),
        migrations.AddField(
            model_name='variant',
            name='sample_currency',
            field=models.CharField(blank=True, default='', max_length=3),
        ),
        migrations.AddField(
            model_name='variant',
            name='sample_price_minor',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='variant',
            name='sample_units',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddConstraint(
            model_name='product',
            constraint=models.CheckConstraint(condition=models.Q(('lead_time_days__isnull', True), ('lead_time_days__lte', 365), _connector='OR'), name='product_lead_time_range'),
        ),
        migrations.AddConstraint(
            model_name='product',
            constraint=models.CheckConstraint(condition=models.Q(('incoterm', ''), ('incoterm__in', ['EXW', 'FCA', 'CPT', 'CIP', 'DAP', 'DPU', 'DDP', 'FAS', 'FOB', 'CFR', 'CIF']), _connector='OR'), name='product_incoterm_known'),
        ),
        migrations.AddConstraint(
            model_name='product',
            constraint=models.CheckConstraint(condition=models.Q(('payment_terms', ''), ('payment_terms__in', ['assurance', 'advance']), _connector='OR'), name='product_payment_terms_known'),
        ),
        migrations.AddConstraint(
            model_name='variant',
            constraint=models.CheckConstraint(condition=models.Q(('sample_units', 0), models.Q(('sample_currency__regex', '^[A-Z]{3}$'), ('sample_price_minor__gt', 0), ('sample_units__lte', 2)), _connector='OR'), name='variant_sample_offer'),
        ),
        migrations.RunPython(_legacy_alter(False), _legacy_alter(True), elidable=False),
    ]
