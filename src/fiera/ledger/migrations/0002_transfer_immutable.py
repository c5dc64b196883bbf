"""Transfers are history: the database itself refuses UPDATE and DELETE on them.

PostgreSQL: a row trigger raising an exception; SQLite: BEFORE UPDATE/DELETE triggers
that RAISE(ABORT). A correction is a new transfer (services.transfer_reverse). TRUNCATE
(how Django's test runner empties tables on PostgreSQL) is left alone.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

MESSAGE = "ledger transfers are immutable: book a correcting transfer instead"

POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION ledger_transfer_immutable() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS ledger_transfer_immutable ON ledger_transfer",
    """
    CREATE TRIGGER ledger_transfer_immutable BEFORE UPDATE OR DELETE ON ledger_transfer
    FOR EACH ROW EXECUTE FUNCTION ledger_transfer_immutable()
    """,
]
POSTGRESQL_REMOVE = [
    "DROP TRIGGER IF EXISTS ledger_transfer_immutable ON ledger_transfer",
    "DROP FUNCTION IF EXISTS ledger_transfer_immutable()",
]
SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS ledger_transfer_no_update BEFORE UPDATE ON ledger_transfer
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS ledger_transfer_no_delete BEFORE DELETE ON ledger_transfer
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS ledger_transfer_no_update",
    "DROP TRIGGER IF EXISTS ledger_transfer_no_delete",
]


def _run(schema_editor: Any, statements: dict[str, list[str]]) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def install(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"postgresql": POSTGRESQL_INSTALL, "sqlite": SQLITE_INSTALL})


def remove(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"postgresql": POSTGRESQL_REMOVE, "sqlite": SQLITE_REMOVE})


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
