"""Merchant sets (docs/decisions/0026-analytics-rollups.md, "Merchant sets"): a set of
merchants asked about together, its members, and its day and month figures. Local tables
(fiera.common.citus.PLAN): sums over merchants of several shards."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0003_merchant_activity'),
    ]

    operations = [
        migrations.CreateModel(
            name='MerchantSet',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('fingerprint', models.CharField(max_length=64, unique=True)),
                ('merchants', models.IntegerField()),
                ('built_at', models.DateTimeField()),
                ('read_on', models.DateField(help_text='the last UTC day a question read it')),
            ],
            options={
                'verbose_name': 'merchant set',
                'verbose_name_plural': 'merchant sets',
            },
        ),
        migrations.CreateModel(
            name='MerchantSetDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('merchant_set_id', models.BigIntegerField()),
                ('day', models.DateField()),
                ('marketplace_id', models.BigIntegerField()),
                ('orders', models.IntegerField(default=0)),
                ('units', models.IntegerField(default=0)),
                ('gmv_usd_minor', models.BigIntegerField(default=0)),
                ('packages', models.IntegerField(default=0)),
            ],
            options={
                'verbose_name': 'merchant set day figure',
                'verbose_name_plural': 'merchant set day figures',
                'constraints': [models.UniqueConstraint(fields=('merchant_set_id', 'day', 'marketplace_id'), name='merchant_set_day_key')],
            },
        ),
        migrations.CreateModel(
            name='MerchantSetMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('merchant_set_id', models.BigIntegerField()),
                ('merchant_id', models.BigIntegerField()),
            ],
            options={
                'verbose_name': 'merchant set member',
                'verbose_name_plural': 'merchant set members',
                'indexes': [models.Index(fields=['merchant_id'], name='merchant_set_member_of')],
                'constraints': [models.UniqueConstraint(fields=('merchant_set_id', 'merchant_id'), name='merchant_set_member_key')],
            },
        ),
        migrations.CreateModel(
            name='MerchantSetMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('merchant_set_id', models.BigIntegerField()),
                ('month', models.DateField(help_text='the first day of the month')),
                ('marketplace_id', models.BigIntegerField()),
                ('orders', models.IntegerField(default=0)),
                ('units', models.IntegerField(default=0)),
                ('gmv_usd_minor', models.BigIntegerField(default=0)),
                ('packages', models.IntegerField(default=0)),
            ],
            options={
                'verbose_name': 'merchant set month figure',
                'verbose_name_plural': 'merchant set month figures',
                'constraints': [models.UniqueConstraint(fields=('merchant_set_id', 'month', 'marketplace_id'), name='merchant_set_month_key')],
            },
        ),
    ]
