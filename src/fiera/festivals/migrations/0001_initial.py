"""The festivals app (docs/decisions/0011-festivals-and-flash-sales.md); its Citus keys are
0002's."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('catalog', '0010_product_newest'),
        ('marketplaces', '0004_media_and_names'),
        ('merchants', '0005_media_and_names'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Festival',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(max_length=64, unique=True)),
                ('name', models.CharField(max_length=120, verbose_name='name')),
                ('name_it', models.CharField(blank=True, default='', max_length=120, verbose_name='Italian name')),
                ('name_zh', models.CharField(blank=True, default='', max_length=120, verbose_name='Chinese name')),
                ('description', models.TextField(blank=True, default='', verbose_name='description')),
                ('description_it', models.TextField(blank=True, default='', verbose_name='Italian description')),
                ('description_zh', models.TextField(blank=True, default='', verbose_name='Chinese description')),
                ('timezone', models.CharField(default='Asia/Shanghai', max_length=64, verbose_name='time zone')),
                ('warmup_starts_at', models.DateTimeField(verbose_name='warm-up starts')),
                ('starts_at', models.DateTimeField(verbose_name='starts')),
                ('ends_at', models.DateTimeField(verbose_name='ends')),
                ('is_published', models.BooleanField(default=False, verbose_name='published')),
                ('created_at', models.DateTimeField()),
                ('baseline_festival', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='festivals.festival', verbose_name='previous edition')),
                ('marketplaces', models.ManyToManyField(related_name='+', to='marketplaces.marketplace', verbose_name='marketplaces')),
            ],
            options={
                'verbose_name': 'festival',
                'verbose_name_plural': 'festivals',
                'ordering': ['-starts_at'],
            },
        ),
        migrations.CreateModel(
            name='FestivalOrder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order_id', models.BigIntegerField()),
                ('phase', models.CharField(choices=[('live', 'Festival'), ('baseline', 'Baseline')], max_length=8)),
                ('minute', models.DateTimeField()),
                ('marketplace_id', models.BigIntegerField()),
                ('merchant_country', models.CharField(max_length=2)),
                ('buyer_country', models.CharField(max_length=2)),
                ('currency', models.CharField(max_length=3)),
                ('total_minor', models.BigIntegerField()),
                ('usd_rate', models.CharField(help_text='1 unit of currency in USD', max_length=32)),
                ('gmv_usd_minor', models.BigIntegerField(help_text='what the order counts for now')),
                ('units', models.IntegerField()),
                ('categories', models.JSONField(default=dict)),
                ('counted_at', models.DateTimeField()),
                ('uncounted_at', models.DateTimeField(blank=True, null=True)),
                ('festival', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='festivals.festival')),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='merchants.merchant')),
            ],
            options={
                'verbose_name': 'festival order',
                'verbose_name_plural': 'festival orders',
            },
        ),
        migrations.CreateModel(
            name='FestivalPrice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('currency', models.CharField(max_length=3)),
                ('price_minor', models.BigIntegerField()),
                ('created_at', models.DateTimeField()),
                ('festival', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='prices', to='festivals.festival')),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='merchants.merchant')),
                ('variant', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalog.variant')),
            ],
            options={
                'verbose_name': 'festival price',
                'verbose_name_plural': 'festival prices',
            },
        ),
        migrations.CreateModel(
            name='FlashSale',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('currency', models.CharField(max_length=3)),
                ('price_minor', models.BigIntegerField()),
                ('quantity', models.PositiveIntegerField(help_text='units set aside for the flash sale')),
                ('per_buyer_limit', models.PositiveIntegerField(default=1)),
                ('bucket_count', models.PositiveSmallIntegerField(default=1)),
                ('starts_at', models.DateTimeField()),
                ('ends_at', models.DateTimeField()),
                ('created_at', models.DateTimeField()),
                ('closed_at', models.DateTimeField(blank=True, null=True)),
                ('units_returned', models.PositiveIntegerField(default=0)),
                ('festival', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='flash_sales', to='festivals.festival')),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='merchants.merchant')),
                ('variant', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.variant')),
                ('warehouse', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.warehouse')),
            ],
            options={
                'verbose_name': 'flash sale',
                'verbose_name_plural': 'flash sales',
            },
        ),
        migrations.CreateModel(
            name='FlashSaleBucket',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField()),
                ('units_left', models.IntegerField()),
                ('units_sold', models.IntegerField(default=0)),
                ('flash_sale', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='buckets', to='festivals.flashsale')),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='merchants.merchant')),
            ],
            options={
                'verbose_name': 'flash-sale bucket',
                'verbose_name_plural': 'flash-sale buckets',
            },
        ),
        migrations.CreateModel(
            name='FlashSaleBuyer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('units', models.IntegerField(default=0)),
                ('updated_at', models.DateTimeField()),
                ('buyer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('flash_sale', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='festivals.flashsale')),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='merchants.merchant')),
            ],
            options={
                'verbose_name': 'flash-sale buyer',
                'verbose_name_plural': 'flash-sale buyers',
            },
        ),
        migrations.CreateModel(
            name='GmvTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('phase', models.CharField(choices=[('live', 'Festival'), ('baseline', 'Baseline')], max_length=8)),
                ('minute', models.DateTimeField()),
                ('marketplace_id', models.BigIntegerField()),
                ('merchant_country', models.CharField(max_length=2)),
                ('buyer_country', models.CharField(max_length=2)),
                ('category_id', models.BigIntegerField()),
                ('orders', models.IntegerField(default=0)),
                ('units', models.IntegerField(default=0)),
                ('gmv_usd_minor', models.BigIntegerField(default=0)),
                ('festival', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='festivals.festival')),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='merchants.merchant')),
            ],
            options={
                'verbose_name': 'GMV tally',
                'verbose_name_plural': 'GMV tallies',
            },
        ),
        migrations.CreateModel(
            name='Participation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('applied', 'Applied'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('withdrawn', 'Withdrawn')], default='applied', max_length=16)),
                ('pitch', models.TextField(blank=True, default='', verbose_name='why take part')),
                ('decision_note', models.TextField(blank=True, default='', verbose_name='decision note')),
                ('applied_at', models.DateTimeField()),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('festival', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participations', to='festivals.festival')),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='merchants.merchant')),
            ],
            options={
                'verbose_name': 'participation',
                'verbose_name_plural': 'participations',
            },
        ),
        migrations.AddIndex(
            model_name='festival',
            index=models.Index(fields=['starts_at', 'ends_at'], name='festival_window'),
        ),
        migrations.AddConstraint(
            model_name='festival',
            constraint=models.CheckConstraint(condition=models.Q(('starts_at__lt', models.F('ends_at'))), name='festival_starts_before_end'),
        ),
        migrations.AddConstraint(
            model_name='festival',
            constraint=models.CheckConstraint(condition=models.Q(('warmup_starts_at__lte', models.F('starts_at'))), name='festival_warmup_before_start'),
        ),
        migrations.AddConstraint(
            model_name='festivalorder',
            constraint=models.UniqueConstraint(fields=('merchant', 'festival', 'order_id'), name='festival_order_once'),
        ),
        migrations.AddIndex(
            model_name='festivalprice',
            index=models.Index(fields=['festival', 'variant'], name='festival_price_variant'),
        ),
        migrations.AddConstraint(
            model_name='festivalprice',
            constraint=models.UniqueConstraint(fields=('merchant', 'festival', 'variant', 'currency'), name='festival_price_once'),
        ),
        migrations.AddConstraint(
            model_name='festivalprice',
            constraint=models.CheckConstraint(condition=models.Q(('price_minor__gt', 0)), name='festival_price_positive'),
        ),
        migrations.AddIndex(
            model_name='flashsale',
            index=models.Index(fields=['festival', 'starts_at'], name='flash_festival_start'),
        ),
        migrations.AddIndex(
            model_name='flashsale',
            index=models.Index(fields=['variant', 'starts_at'], name='flash_variant_start'),
        ),
        migrations.AddConstraint(
            model_name='flashsale',
            constraint=models.CheckConstraint(condition=models.Q(('price_minor__gt', 0)), name='flash_price_positive'),
        ),
        migrations.AddConstraint(
            model_name='flashsale',
            constraint=models.CheckConstraint(condition=models.Q(('quantity__gt', 0)), name='flash_quantity_positive'),
        ),
        migrations.AddConstraint(
            model_name='flashsale',
            constraint=models.CheckConstraint(condition=models.Q(('per_buyer_limit__gt', 0)), name='flash_limit_positive'),
        ),
        migrations.AddConstraint(
            model_name='flashsale',
            constraint=models.CheckConstraint(condition=models.Q(('bucket_count__gte', 1), ('bucket_count__lte', 64)), name='flash_buckets_1_64'),
        ),
        migrations.AddConstraint(
            model_name='flashsale',
            constraint=models.CheckConstraint(condition=models.Q(('starts_at__lt', models.F('ends_at'))), name='flash_starts_before_end'),
        ),
        migrations.AddConstraint(
            model_name='flashsalebucket',
            constraint=models.UniqueConstraint(fields=('merchant', 'flash_sale', 'number'), name='flash_bucket_once'),
        ),
        migrations.AddConstraint(
            model_name='flashsalebucket',
            constraint=models.CheckConstraint(condition=models.Q(('units_left__gte', 0)), name='flash_bucket_not_below_0'),
        ),
        migrations.AddConstraint(
            model_name='flashsalebucket',
            constraint=models.CheckConstraint(condition=models.Q(('units_sold__gte', 0)), name='flash_bucket_sold_ge_0'),
        ),
        migrations.AddConstraint(
            model_name='flashsalebuyer',
            constraint=models.UniqueConstraint(fields=('merchant', 'flash_sale', 'buyer'), name='flash_buyer_once'),
        ),
        migrations.AddConstraint(
            model_name='flashsalebuyer',
            constraint=models.CheckConstraint(condition=models.Q(('units__gte', 0)), name='flash_buyer_units_ge_0'),
        ),
        migrations.AddIndex(
            model_name='gmvtally',
            index=models.Index(fields=['festival', 'phase', 'minute'], name='gmv_tally_minute'),
        ),
        migrations.AddIndex(
            model_name='gmvtally',
            index=models.Index(fields=['festival', 'phase', 'merchant_country'], name='gmv_tally_country'),
        ),
        migrations.AddConstraint(
            model_name='gmvtally',
            constraint=models.UniqueConstraint(fields=('merchant', 'festival', 'phase', 'minute', 'marketplace_id', 'buyer_country', 'category_id'), name='gmv_tally_cell'),
        ),
        migrations.AddConstraint(
            model_name='participation',
            constraint=models.UniqueConstraint(fields=('festival', 'merchant'), name='participation_once'),
        ),
    ]

