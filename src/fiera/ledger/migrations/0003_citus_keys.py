"""Ledger tables that Citus can distribute (docs/decisions/0008-citus-distribution.md).

Accounts are spread by owner, transfers by their id: the primary keys become
(owner_id, id) and (transfer_id, seq) on PostgreSQL, and the references between transfers
and accounts stop being database foreign keys (they would cross nodes). A pending
transfer resolved once and a transfer reversed once are checked under the account locks;
their lookups keep an index. On SQLite, altering the foreign keys rebuilds the transfer
table, which drops its immutability triggers: they are installed again.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import django.db.models.deletion
from django.db import migrations, models

from fiera.common import dbkeys


def forwards(apps: Any, schema_editor: Any) -> None:
    import_module("fiera.ledger.migrations.0002_transfer_immutable").install(apps, schema_editor)
    keys(schema_editor)


def keys(schema_editor: Any) -> None:
    """Idempotent; run again after every migrate (fiera.common.dbkeys.after_migrate)."""
    dbkeys.primary_key(schema_editor, "ledger_account", ("owner_id", "id"))
    dbkeys.primary_key(schema_editor, "ledger_transfer", ("transfer_id", "seq"))


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_transfer_immutable"),
        # The wallets' foreign key to the accounts exists before the accounts' key changes.
        ("payments", "0002_wallets_payments_settlement"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="transfer", name="ledger_transfer_resolved_once"),
        migrations.RemoveConstraint(model_name="transfer", name="ledger_transfer_reversed_once"),
        migrations.AlterField(
            model_name="transfer",
            name="credit_account",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.account",
            ),
        ),
        migrations.AlterField(
            model_name="transfer",
            name="debit_account",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.account",
            ),
        ),
        migrations.AlterField(
            model_name="transfer",
            name="pending_transfer",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.transfer",
                to_field="transfer_id",
            ),
        ),
        migrations.AlterField(
            model_name="transfer",
            name="reversal_of",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.transfer",
                to_field="transfer_id",
            ),
        ),
        migrations.AddIndex(
            model_name="transfer",
            index=models.Index(
                condition=models.Q(("pending_transfer__isnull", False)),
                fields=["pending_transfer"],
                name="ledger_transfer_resolution",
            ),
        ),
        migrations.AddIndex(
            model_name="transfer",
            index=models.Index(
                condition=models.Q(("reversal_of__isnull", False)),
                fields=["reversal_of"],
                name="ledger_transfer_reversal",
            ),
        ),
        migrations.RunPython(forwards, elidable=False),
    ]
