"""The analytics app (docs/decisions/0026-analytics-rollups.md): sales facts and rollups.
The tables distributed by merchant get the Citus-ready (merchant_id, id) primary key
(fiera.common.dbkeys) in a step after they exist, run again after every migrate."""

from typing import Any

from django.db import migrations, models

from fiera.common import dbkeys

TENANT_TABLES = (
    "analytics_orderfact",
    "analytics_salescell",
    "analytics_merchantday",
    "analytics_merchantmonth",
)


def keys(schema_editor: Any) -> None:
    """Idempotent; run again after every migrate (fiera.common.dbkeys.after_migrate)."""
    for table in TENANT_TABLES:
        dbkeys.primary_key(schema_editor, table, ("merchant_id", "id"))


def forwards(apps: Any, schema_editor: Any) -> None:
    keys(schema_editor)



class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='MerchantDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('merchant_id', models.BigIntegerField()),
                ('day', models.DateField()),
                ('marketplace_id', models.BigIntegerField()),
                ('merchant_country', models.CharField(max_length=2)),
                ('region', models.CharField(blank=True, default='', max_length=6)),
                ('orders', models.IntegerField(default=0)),
                ('units', models.IntegerField(default=0)),
                ('gmv_usd_minor', models.BigIntegerField(default=0)),
                ('packages', models.IntegerField(default=0)),
            ],
            options={
                'verbose_name': 'merchant day figure',
                'verbose_name_plural': 'merchant day figures',
                'indexes': [models.Index(fields=['marketplace_id', 'day', 'region', 'merchant_id', 'orders'], name='merchant_day_active')],
                'constraints': [models.UniqueConstraint(fields=('merchant_id', 'day', 'marketplace_id'), name='merchant_day_key')],
            },
        ),
        migrations.CreateModel(
            name='MerchantMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('merchant_id', models.BigIntegerField()),
                ('month', models.DateField(help_text='the first day of the month')),
                ('marketplace_id', models.BigIntegerField()),
                ('merchant_country', models.CharField(max_length=2)),
                ('region', models.CharField(blank=True, default='', max_length=6)),
                ('orders', models.IntegerField(default=0)),
                ('units', models.IntegerField(default=0)),
                ('gmv_usd_minor', models.BigIntegerField(default=0)),
                ('packages', models.IntegerField(default=0)),
            ],
            options={
                'verbose_name': 'merchant month figure',
                'verbose_name_plural': 'merchant month figures',
                'indexes': [models.Index(fields=['marketplace_id', 'month', 'region', 'merchant_id', 'orders'], name='merchant_month_active')],
                'constraints': [models.UniqueConstraint(fields=('merchant_id', 'month', 'marketplace_id'), name='merchant_month_key')],
            },
        ),
        migrations.CreateModel(
            name='OrderFact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('merchant_id', models.BigIntegerField()),
                ('order_id', models.BigIntegerField()),
                ('day', models.DateField(help_text='UTC day the order was placed')),
                ('marketplace_id', models.BigIntegerField()),
                ('merchant_country', models.CharField(max_length=2)),
                ('region', models.CharField(blank=True, default='', max_length=6)),
                ('buyer_country', models.CharField(max_length=2)),
                ('currency', models.CharField(max_length=3)),
                ('total_minor', models.BigIntegerField()),
                ('usd_rate', models.CharField(help_text='1 unit of currency in USD', max_length=32)),
                ('gmv_usd_minor', models.BigIntegerField(help_text='what the order counts for now')),
                ('units', models.IntegerField()),
                ('categories', models.JSONField(default=dict)),
                ('placed_categories', models.JSONField(default=dict, help_text='what it counted for when placed: refunds lower from this')),
                ('counted_at', models.DateTimeField()),
                ('uncounted_at', models.DateTimeField(blank=True, null=True)),
                ('shipped_day', models.DateField(blank=True, null=True)),
            ],
            options={
                'verbose_name': 'order fact',
                'verbose_name_plural': 'order facts',
                'indexes': [models.Index(fields=['day'], name='order_fact_day')],
                'constraints': [models.UniqueConstraint(fields=('merchant_id', 'order_id'), name='order_fact_once')],
            },
        ),
        migrations.CreateModel(
            name='SalesCell',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('merchant_id', models.BigIntegerField()),
                ('day', models.DateField()),
                ('marketplace_id', models.BigIntegerField()),
                ('buyer_country', models.CharField(max_length=2)),
                ('category_id', models.BigIntegerField()),
                ('merchant_country', models.CharField(max_length=2)),
                ('region', models.CharField(blank=True, default='', max_length=6)),
                ('orders', models.IntegerField(default=0)),
                ('units', models.IntegerField(default=0)),
                ('gmv_usd_minor', models.BigIntegerField(default=0)),
            ],
            options={
                'verbose_name': 'sales cell',
                'verbose_name_plural': 'sales cells',
                'indexes': [models.Index(fields=['day'], name='sales_cell_day')],
                'constraints': [models.UniqueConstraint(fields=('merchant_id', 'day', 'marketplace_id', 'buyer_country', 'category_id'), name='sales_cell_key')],
            },
        ),
        migrations.CreateModel(
            name='SalesRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('grain', models.CharField(choices=[('d', 'Daily'), ('m', 'Monthly')], max_length=1)),
                ('period', models.DateField()),
                ('marketplace_id', models.BigIntegerField()),
                ('dim', models.CharField(choices=[('all', 'All'), ('merchant_country', 'Merchant country'), ('buyer_country', 'Buyer country'), ('region', 'Region'), ('category', 'Category')], max_length=16)),
                ('dim_key', models.CharField(blank=True, default='', max_length=24)),
                ('orders', models.IntegerField(default=0)),
                ('units', models.IntegerField(default=0)),
                ('gmv_usd_minor', models.BigIntegerField(default=0)),
                ('packages', models.IntegerField(default=0)),
            ],
            options={
                'verbose_name': 'sales rollup',
                'verbose_name_plural': 'sales rollups',
                'constraints': [models.UniqueConstraint(fields=('grain', 'dim', 'period', 'marketplace_id', 'dim_key'), name='sales_rollup_key'), models.CheckConstraint(condition=models.Q(('grain__in', ['d', 'm'])), name='sales_rollup_grain')],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
    ]
