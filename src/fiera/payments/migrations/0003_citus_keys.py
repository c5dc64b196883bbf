"""Payment tables that Citus can distribute (docs/decisions/0008-citus-distribution.md).

Outlets, terminals, settlement runs, payments, refunds and escrows by merchant; wallets,
top-ups and QR requests by user; FX quotes by quote id. Unique keys include the tenant;
references across groups (a payment's wallet and FX quote, a QR request's outlet and
payment, a wallet's ledger account, an escrow's wallet) are no database foreign keys.
On PostgreSQL the primary keys become (tenant, id) and the references within a group
composite foreign keys; SQLite: triggers refuse a row whose tenant differs from its
parent's.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from fiera.common import dbkeys

TABLES = {
    "merchant_id": (
        "payments_outlet",
        "payments_terminal",
        "payments_settlementrun",
        "payments_payment",
        "payments_paymentrefund",
        "payments_escrow",
    ),
    "user_id": ("payments_wallet", "payments_topup", "payments_qrpayment"),
    "quote_id": ("payments_fxquote",),
}
LINKS = (  # (table, column, parent, tenant column)
    ("payments_terminal", "outlet_id", "payments_outlet", "merchant_id"),
    ("payments_payment", "outlet_id", "payments_outlet", "merchant_id"),
    ("payments_payment", "settlement_run_id", "payments_settlementrun", "merchant_id"),
    ("payments_paymentrefund", "payment_id", "payments_payment", "merchant_id"),
    ("payments_paymentrefund", "settlement_run_id", "payments_settlementrun", "merchant_id"),
    ("payments_escrow", "payment_id", "payments_payment", "merchant_id"),
    ("payments_topup", "wallet_id", "payments_wallet", "user_id"),
    ("payments_qrpayment", "wallet_id", "payments_wallet", "user_id"),
)


def forwards(apps: Any, schema_editor: Any) -> None:
    keys(schema_editor)


def keys(schema_editor: Any) -> None:
    """Idempotent; run again after every migrate (fiera.common.dbkeys.after_migrate)."""
    for tenant_column, tables in TABLES.items():
        for table in tables:
            dbkeys.primary_key(schema_editor, table, (tenant_column, "id"))
    for table, column, parent, tenant_column in LINKS:
        dbkeys.tenant_link(schema_editor, table, column, parent, tenant_column)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        raise RuntimeError("the composite keys of payments 0003 are not reversible on PostgreSQL")
    for table, column, _parent, _tenant in LINKS:
        dbkeys.tenant_unlink(schema_editor, table, column)


def _fk(to: str, *, constraint: bool = True, null: bool = False, related_name: str = "+") -> Any:
    return models.ForeignKey(
        blank=null,
        null=null,
        db_constraint=constraint,
        on_delete=django.db.models.deletion.PROTECT,
        related_name=related_name,
        to=to,
    )


def _unique(model: str, fields: tuple[str, ...], name: str) -> Any:
    return migrations.AddConstraint(
        model_name=model, constraint=models.UniqueConstraint(fields=fields, name=name)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_citus_keys"),
        ("merchants", "0003_constraints"),
        ("payments", "0002_wallets_payments_settlement"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="terminal", name="terminal_id_per_outlet"),
        migrations.AlterField(
            model_name="escrow", name="payment", field=_fk("payments.payment", null=True)
        ),
        migrations.AlterField(
            model_name="escrow", name="pending_transfer_id", field=models.UUIDField(db_index=True)
        ),
        migrations.AlterField(
            model_name="escrow",
            name="reference",
            field=models.CharField(db_index=True, max_length=200),
        ),
        migrations.AlterField(
            model_name="escrow", name="wallet", field=_fk("payments.wallet", constraint=False)
        ),
        migrations.AlterField(
            model_name="payment",
            name="fx_quote",
            field=_fk("payments.fxquote", constraint=False, null=True),
        ),
        migrations.AlterField(
            model_name="payment", name="payment_id", field=models.UUIDField(db_index=True)
        ),
        migrations.AlterField(
            model_name="payment",
            name="reference",
            field=models.CharField(db_index=True, max_length=200),
        ),
        migrations.AlterField(
            model_name="payment",
            name="wallet",
            field=_fk("payments.wallet", constraint=False, related_name="payments"),
        ),
        migrations.AlterField(
            model_name="paymentrefund",
            name="reference",
            field=models.CharField(db_index=True, max_length=200),
        ),
        migrations.AlterField(
            model_name="qrpayment", name="outlet", field=_fk("payments.outlet", constraint=False)
        ),
        migrations.AlterField(
            model_name="qrpayment",
            name="payment",
            field=_fk("payments.payment", constraint=False, null=True),
        ),
        migrations.AlterField(
            model_name="wallet",
            name="ledger_account",
            field=_fk("ledger.account", constraint=False),
        ),
        _unique("escrow", ("merchant", "reference"), "escrow_reference_once"),
        _unique("escrow", ("merchant", "pending_transfer_id"), "escrow_pending_transfer_once"),
        _unique("escrow", ("merchant", "payment"), "escrow_payment_once"),
        _unique("payment", ("merchant", "payment_id"), "payment_id_once"),
        _unique("payment", ("merchant", "reference"), "payment_reference_once"),
        _unique("paymentrefund", ("merchant", "reference"), "payment_refund_reference_once"),
        _unique("qrpayment", ("user", "payment"), "qr_payment_payment_once"),
        _unique("terminal", ("merchant", "outlet", "terminal_id"), "terminal_id_per_outlet"),
        _unique("wallet", ("user", "ledger_account"), "wallet_ledger_account_once"),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
