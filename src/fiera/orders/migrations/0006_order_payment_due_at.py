"""The deadline of an order its buyer pays after checkout (the "wallet_later" method), and a
partial index on the placed orders that have one, which the expiry job reads."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_festival_lines"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="payment_due_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("payment_due_at__isnull", False), ("status", "placed")),
                fields=["payment_due_at"],
                name="order_payment_due",
            ),
        ),
    ]
