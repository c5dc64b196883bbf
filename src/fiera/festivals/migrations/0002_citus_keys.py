"""Tables of the festivals app distributed by merchant get (merchant_id, id) primary keys on
PostgreSQL and composite links to their variant, warehouse and flash sale
(fiera.common.dbkeys); SQLite gets triggers that refuse a row of another merchant than its
parent. Apart from 0001, because Django adds 0001's foreign keys at the end of it.
"""

from typing import Any

from django.db import migrations

from fiera.common import dbkeys

TENANT_TABLES = (
    "festivals_festivalprice",
    "festivals_flashsale",
    "festivals_flashsalebucket",
    "festivals_flashsalebuyer",
    "festivals_festivalorder",
    "festivals_gmvtally",
)
LINKS = (  # (table, column, parent)
    ("festivals_festivalprice", "variant_id", "catalog_variant"),
    ("festivals_flashsale", "variant_id", "catalog_variant"),
    ("festivals_flashsale", "warehouse_id", "catalog_warehouse"),
    ("festivals_flashsalebucket", "flash_sale_id", "festivals_flashsale"),
    # festivals_flashsalebuyer.flash_sale_id had a link here too; 0004 removes it (it made
    # every buyer upsert take FOR KEY SHARE on the hot flash-sale row), so this step, run
    # again after every migrate, no longer adds it.
)


def keys(schema_editor: Any) -> None:
    """Idempotent; run again after every migrate (fiera.common.dbkeys.after_migrate)."""
    for table in TENANT_TABLES:
        dbkeys.primary_key(schema_editor, table, ("merchant_id", "id"))
    for table, column, parent in LINKS:
        dbkeys.tenant_link(schema_editor, table, column, parent, "merchant_id")


def forwards(apps: Any, schema_editor: Any) -> None:
    keys(schema_editor)


def backwards(apps: Any, schema_editor: Any) -> None:
    for table, column, _parent in LINKS:
        dbkeys.tenant_unlink(schema_editor, table, column)


class Migration(migrations.Migration):
    dependencies = [("festivals", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
