"""MerchantActivity (docs/decisions/0026-analytics-rollups.md, "Active merchants"): the
days of a year each merchant was active, a bit per day in six bigint words. Distributed by merchant
like MerchantDay: the Citus-ready (merchant_id, id) primary key (fiera.common.dbkeys), run
again after every migrate. Existing databases fill it with `fiera analytics rebuild`."""

from typing import Any

from django.db import migrations, models

from fiera.common import dbkeys


def keys(schema_editor: Any) -> None:
    """Idempotent; run again after every migrate (fiera.common.dbkeys.after_migrate)."""
    dbkeys.primary_key(schema_editor, "analytics_merchantactivity", ("merchant_id", "id"))


def forwards(apps: Any, schema_editor: Any) -> None:
    keys(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0002_feeds'),
    ]

    operations = [
        migrations.CreateModel(
            name='MerchantActivity',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('merchant_id', models.BigIntegerField()),
                ('marketplace_id', models.BigIntegerField()),
                ('year', models.IntegerField()),
                ('merchant_country', models.CharField(max_length=2)),
                ('region', models.CharField(blank=True, default='', max_length=6)),
                ('w0', models.BigIntegerField(default=0)),
                ('w1', models.BigIntegerField(default=0)),
                ('w2', models.BigIntegerField(default=0)),
                ('w3', models.BigIntegerField(default=0)),
                ('w4', models.BigIntegerField(default=0)),
                ('w5', models.BigIntegerField(default=0)),
            ],
            options={
                'verbose_name': 'merchant activity',
                'verbose_name_plural': 'merchant activities',
                'indexes': [models.Index(fields=['marketplace_id', 'year', 'region', 'merchant_country', 'merchant_id', 'w0', 'w1', 'w2', 'w3', 'w4', 'w5'], name='merchant_activity_year')],
                'constraints': [models.UniqueConstraint(fields=('merchant_id', 'marketplace_id', 'year', 'merchant_country', 'region'), name='merchant_activity_key')],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
    ]
