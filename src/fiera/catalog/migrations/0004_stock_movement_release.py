from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_product_search"),
    ]

    operations = [
        migrations.AlterField(
            model_name="stockmovement",
            name="kind",
            field=models.CharField(
                choices=[
                    ("set", "Counted (set)"),
                    ("adjust", "Adjusted"),
                    ("release", "Released (order cancelled or refunded)"),
                ],
                max_length=8,
            ),
        ),
    ]
