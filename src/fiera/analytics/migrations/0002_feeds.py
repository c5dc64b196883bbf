"""Analytics feeds (docs/decisions/0029-analytics-feeds.md): the B2B trade and academy
facts and their day rows. Local tables (fiera.common.citus.PLAN): no Citus keys."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='AcademyDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('kind', models.CharField(choices=[('inquiry', 'Inquiry sent'), ('rfq', 'RFQ posted'), ('quote', 'Quote sent'), ('deal', 'Deal closed'), ('enrolment', 'Enrolment'), ('certificate', 'Certificate issued')], max_length=12)),
                ('course_id', models.BigIntegerField()),
                ('country', models.CharField(blank=True, default='', max_length=2)),
                ('count', models.IntegerField(default=0)),
            ],
            options={
                'verbose_name': 'academy day figure',
                'verbose_name_plural': 'academy day figures',
                'indexes': [models.Index(fields=['kind', 'day'], name='academy_day_kind_day')],
                'constraints': [models.UniqueConstraint(fields=('day', 'kind', 'course_id', 'country'), name='academy_day_key'), models.CheckConstraint(condition=models.Q(('kind__in', ('enrolment', 'certificate'))), name='academy_day_kind')],
            },
        ),
        migrations.CreateModel(
            name='FeedFact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('inquiry', 'Inquiry sent'), ('rfq', 'RFQ posted'), ('quote', 'Quote sent'), ('deal', 'Deal closed'), ('enrolment', 'Enrolment'), ('certificate', 'Certificate issued')], max_length=12)),
                ('source_id', models.BigIntegerField()),
                ('at', models.DateTimeField()),
                ('day', models.DateField(help_text='UTC day of at')),
                ('marketplace_id', models.BigIntegerField(default=0)),
                ('merchant_id', models.BigIntegerField(default=0, help_text='the supplier; 0: none')),
                ('merchant_country', models.CharField(blank=True, default='', max_length=2)),
                ('region', models.CharField(blank=True, default='', max_length=6)),
                ('buyer_country', models.CharField(blank=True, default='', help_text="the buyer's, or the learner's", max_length=2)),
                ('course_id', models.BigIntegerField(default=0)),
                ('currency', models.CharField(blank=True, default='', max_length=3)),
                ('value_minor', models.BigIntegerField(default=0)),
                ('usd_rate', models.CharField(blank=True, default='', max_length=32)),
                ('value_usd_minor', models.BigIntegerField(default=0)),
            ],
            options={
                'verbose_name': 'trade or academy fact',
                'verbose_name_plural': 'trade and academy facts',
                'indexes': [models.Index(fields=['day'], name='feed_fact_day')],
                'constraints': [models.UniqueConstraint(fields=('kind', 'source_id'), name='feed_fact_once'), models.CheckConstraint(condition=models.Q(('kind__in', ('inquiry', 'rfq', 'quote', 'deal', 'enrolment', 'certificate'))), name='feed_fact_kind')],
            },
        ),
        migrations.CreateModel(
            name='TradeDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('kind', models.CharField(choices=[('inquiry', 'Inquiry sent'), ('rfq', 'RFQ posted'), ('quote', 'Quote sent'), ('deal', 'Deal closed'), ('enrolment', 'Enrolment'), ('certificate', 'Certificate issued')], max_length=12)),
                ('marketplace_id', models.BigIntegerField()),
                ('merchant_id', models.BigIntegerField()),
                ('merchant_country', models.CharField(blank=True, default='', max_length=2)),
                ('region', models.CharField(blank=True, default='', max_length=6)),
                ('buyer_country', models.CharField(blank=True, default='', max_length=2)),
                ('count', models.IntegerField(default=0)),
                ('value_usd_minor', models.BigIntegerField(default=0)),
            ],
            options={
                'verbose_name': 'trade day figure',
                'verbose_name_plural': 'trade day figures',
                'indexes': [models.Index(fields=['kind', 'day'], name='trade_day_kind_day')],
                'constraints': [models.UniqueConstraint(fields=('day', 'kind', 'marketplace_id', 'merchant_id', 'merchant_country', 'region', 'buyer_country'), name='trade_day_key'), models.CheckConstraint(condition=models.Q(('kind__in', ('inquiry', 'rfq', 'quote', 'deal'))), name='trade_day_kind')],
            },
        ),
    ]
