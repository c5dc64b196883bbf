"""Price tiers start at quantity 1, in the database (decision 0007, ``fiera.catalog.rules``).

For one (variant, marketplace, currency), a price row from more than 1 unit needs the row
from 1 unit: inserting or moving such a row without it is refused (IntegrityError), and
so is moving the row from 1 away while tiers above it stay. Deleting the row from 1
deletes the tiers above it (the price in that currency is gone as a whole), so a delete
of all the rows succeeds whatever order the database deletes them in (SQLite runs row
triggers per row, within the statement).

PostgreSQL: one AFTER row trigger (it sees the whole statement's rows, so a multi-row
INSERT may list the tiers in any order). SQLite: AFTER row triggers, per row (a
multi-row INSERT must list the row from 1 first, as ``price_set`` does). Every lookup is
on the row's own ``merchant_id``, so under Citus the trigger stays on the row's shard.
A migration that rebuilds ``catalog_price`` on SQLite drops these triggers: run
``install`` again after it. TRUNCATE is left alone.

Rows that already break the rule stop the migration, with the variants named: give them
a price from 1 (or delete their tiers) and migrate again.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

MESSAGE = "price tiers start at quantity 1: add the price from 1 unit first"

_SAME_KEY = (
    "merchant_id = {row}.merchant_id AND variant_id = {row}.variant_id "
    "AND marketplace_id = {row}.marketplace_id AND currency = {row}.currency"
)


def _first_tier_exists(row: str) -> str:
    same = _SAME_KEY.format(row=row)
    return f"EXISTS (SELECT 1 FROM catalog_price WHERE {same} AND min_quantity = 1)"


def _higher_tier_exists(row: str) -> str:
    same = _SAME_KEY.format(row=row)
    return f"EXISTS (SELECT 1 FROM catalog_price WHERE {same} AND min_quantity > 1)"


POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION catalog_price_tiers_from_one() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.min_quantity = 1 THEN
                DELETE FROM catalog_price WHERE {_SAME_KEY.format(row="OLD")} AND min_quantity > 1;
            END IF;
            RETURN NULL;
        END IF;
        IF NEW.min_quantity <> 1 AND NOT {_first_tier_exists("NEW")} THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        IF TG_OP = 'UPDATE' AND OLD.min_quantity = 1
            AND {_higher_tier_exists("OLD")} AND NOT {_first_tier_exists("OLD")} THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS catalog_price_tiers_from_one ON catalog_price",
    """
    CREATE TRIGGER catalog_price_tiers_from_one AFTER INSERT OR UPDATE OR DELETE
    ON catalog_price FOR EACH ROW EXECUTE FUNCTION catalog_price_tiers_from_one()
    """,
]
POSTGRESQL_REMOVE = [
    "DROP TRIGGER IF EXISTS catalog_price_tiers_from_one ON catalog_price",
    "DROP FUNCTION IF EXISTS catalog_price_tiers_from_one()",
]
SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS catalog_price_tier_insert AFTER INSERT ON catalog_price
    WHEN NEW.min_quantity <> 1 AND NOT {_first_tier_exists("NEW")}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS catalog_price_tier_update_new AFTER UPDATE ON catalog_price
    WHEN NEW.min_quantity <> 1 AND NOT {_first_tier_exists("NEW")}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS catalog_price_tier_update_old AFTER UPDATE ON catalog_price
    WHEN OLD.min_quantity = 1 AND {_higher_tier_exists("OLD")} AND NOT {_first_tier_exists("OLD")}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS catalog_price_tier_delete AFTER DELETE ON catalog_price
    WHEN OLD.min_quantity = 1
    BEGIN DELETE FROM catalog_price WHERE {_SAME_KEY.format(row="OLD")} AND min_quantity > 1; END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS catalog_price_tier_insert",
    "DROP TRIGGER IF EXISTS catalog_price_tier_update_new",
    "DROP TRIGGER IF EXISTS catalog_price_tier_update_old",
    "DROP TRIGGER IF EXISTS catalog_price_tier_delete",
]
BROKEN_ROWS = (
    "SELECT DISTINCT p.variant_id FROM catalog_price p WHERE p.min_quantity <> 1 "
    f"AND NOT {_first_tier_exists('p')} ORDER BY p.variant_id"
)


def _run(schema_editor: Any, statements: dict[str, list[str]]) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def install(apps: Any, schema_editor: Any) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(BROKEN_ROWS)
        broken = [row[0] for row in cursor.fetchall()]
    if broken:
        shown = ", ".join(str(v) for v in broken[:20]) + (" ..." if len(broken) > 20 else "")
        raise RuntimeError(
            f"{len(broken)} variants have price tiers without a price from 1 unit "
            f"(variant ids {shown}): give them a price from 1 unit or delete those tiers, "
            "then migrate again"
        )
    _run(schema_editor, {"postgresql": POSTGRESQL_INSTALL, "sqlite": SQLITE_INSTALL})


def remove(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"postgresql": POSTGRESQL_REMOVE, "sqlite": SQLITE_REMOVE})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_citus_keys")]

    operations = [migrations.RunPython(install, remove)]
