"""Schema steps the migrations use to make tenant tables fit Citus (see fiera.common.citus).

Django keeps a single-column ``id`` as each model's primary key; in PostgreSQL the primary
key of a distributed table is (distribution column, id), and a foreign key between two
tables of one co-location group is composite, (tenant column, x_id) -> (tenant column, id),
so the database itself refuses a row whose tenant differs from its parent's. SQLite has no
ALTER for keys: there, triggers refuse the same rows (Django's own single-column foreign
keys stay). These functions take every name as an argument, so a migration that calls
them keeps doing the same thing whatever the plan becomes later.

Every step is idempotent, and ``after_migrate`` runs an app's steps again after every
``migrate``: the test database, built from the models without migrations, gets the same
keys, and triggers that a SQLite table rebuild dropped come back.

Caveat, recorded in docs/decisions/0008-citus-distribution.md: a later migration that
alters one of these foreign key fields, or adds a new foreign key to a distributed table,
must write the composite key itself on PostgreSQL (``tenant_link``); the plan's test fails
until it does. On SQLite, a migration that rebuilds a table drops its triggers: ``after_migrate``
installs them again.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def _pg_constraint(cursor: Any, table: str, kind: str) -> list[str]:
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = %s",
        [table, kind],
    )
    return [row[0] for row in cursor.fetchall()]


def _pg_fk_names(cursor: Any, table: str, column: str) -> list[str]:
    """The single-column foreign keys on ``table.column``."""
    cursor.execute(
        "SELECT c.conname FROM pg_constraint c JOIN pg_attribute a "
        "ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.conrelid = %s::regclass AND c.contype = 'f' "
        "AND array_length(c.conkey, 1) = 1 AND a.attname = %s",
        [table, column],
    )
    return [row[0] for row in cursor.fetchall()]


def primary_key(schema_editor: Any, table: str, columns: tuple[str, ...]) -> None:
    """PostgreSQL: make ``columns`` the primary key of ``table`` (named ``<table>_pkey`` as
    Django names it). Foreign keys that pointed to the old key are dropped with it; add
    them back as ``tenant_link``s or leave them out (across co-location groups)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i) "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) "
            "FROM pg_constraint c WHERE c.conrelid = %s::regclass AND c.contype = 'p'",
            [table],
        )
        found = [tuple(row[0]) for row in cursor.fetchall()]
        if found == [tuple(columns)]:
            return
        for name in _pg_constraint(cursor, table, "p"):
            schema_editor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}" CASCADE')
    listed = ", ".join(f'"{c}"' for c in columns)
    schema_editor.execute(
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_pkey" PRIMARY KEY ({listed})'
    )


def drop_foreign_key(schema_editor: Any, table: str, column: str) -> None:
    """PostgreSQL: drop the single-column foreign key on ``table.column``, if any."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in _pg_fk_names(cursor, table, column):
            schema_editor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')


def link_name(table: str, column: str) -> str:
    return f"{table}_{column}_tenant"[:63]


def tenant_link(
    schema_editor: Any, table: str, column: str, parent: str, tenant_column: str
) -> None:
    """``table.column`` refers to ``parent.id`` and both rows carry ``tenant_column``, which
    must be equal.

    PostgreSQL: the foreign key (tenant_column, column) -> parent (tenant_column, id),
    deferrable like Django's own; the single-column one goes. SQLite: triggers refuse an
    insert or update of the child whose parent has another tenant, and a change of the
    parent's tenant while children point to it (a missing parent is left to Django's
    foreign key, which SQLite checks at commit).
    """
    vendor = schema_editor.connection.vendor
    name = link_name(table, column)
    if vendor == "postgresql":
        drop_foreign_key(schema_editor, table, column)
        with schema_editor.connection.cursor() as cursor:
            if name in _pg_constraint(cursor, table, "f"):
                return
        schema_editor.execute(
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" FOREIGN KEY '
            f'("{tenant_column}", "{column}") REFERENCES "{parent}" ("{tenant_column}", "id") '
            "DEFERRABLE INITIALLY DEFERRED"
        )
    elif vendor == "sqlite":
        for statement in sqlite_tenant_triggers(table, column, parent, tenant_column):
            schema_editor.execute(statement)


def sqlite_trigger_names(table: str, column: str) -> tuple[str, str, str]:
    base = link_name(table, column)
    return f"{base}_insert", f"{base}_update", f"{base}_parent"


def sqlite_tenant_triggers(table: str, column: str, parent: str, tenant_column: str) -> list[str]:
    insert, update, parent_update = sqlite_trigger_names(table, column)
    message = f"tenant mismatch: {table}.{tenant_column} differs from {parent}.{tenant_column}"
    mismatch = (
        f"EXISTS (SELECT 1 FROM {parent} WHERE id = NEW.{column} "
        f"AND {tenant_column} IS NOT NEW.{tenant_column})"
    )
    refuse = f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    return [
        f"DROP TRIGGER IF EXISTS {insert}",
        f"DROP TRIGGER IF EXISTS {update}",
        f"DROP TRIGGER IF EXISTS {parent_update}",
        f"CREATE TRIGGER {insert} BEFORE INSERT ON {table} WHEN {mismatch} {refuse}",
        f"CREATE TRIGGER {update} BEFORE UPDATE OF {column}, {tenant_column} ON {table} "
        f"WHEN {mismatch} {refuse}",
        f"CREATE TRIGGER {parent_update} BEFORE UPDATE OF {tenant_column} ON {parent} "
        f"WHEN NEW.{tenant_column} IS NOT OLD.{tenant_column} "
        f"AND EXISTS (SELECT 1 FROM {table} WHERE {column} = OLD.id) {refuse}",
    ]


def tenant_unlink(schema_editor: Any, table: str, column: str) -> None:
    """Undo ``tenant_link`` (the migration's reverse); Django's own key is not restored."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        name = link_name(table, column)
        schema_editor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}"')
    elif vendor == "sqlite":
        for trigger in sqlite_trigger_names(table, column):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def after_migrate(app_label: str, migration: str) -> Callable[..., None]:
    """A ``post_migrate`` receiver that runs ``keys(schema_editor)`` of the app's migration
    ``migration`` again, if that migration is applied (or the database was built without
    migrations, as the test database is)."""

    def receiver(using: str = "default", **kwargs: Any) -> None:
        from django.db import connections
        from django.db.migrations.loader import MigrationLoader
        from django.db.migrations.recorder import MigrationRecorder

        connection = connections[using]
        module_name, _explicit = MigrationLoader.migrations_module(app_label)
        if module_name is not None and (app_label, migration) not in (
            MigrationRecorder(connection).applied_migrations()
        ):
            return
        steps = import_module(f"fiera.{app_label}.migrations.{migration}")
        with connection.schema_editor() as schema_editor:
            steps.keys(schema_editor)

    return receiver
