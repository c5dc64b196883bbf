"""The Citus plan (fiera.common.citus) against the live schema, and the tenant checks.

On PostgreSQL: every table is in the plan, and the schema is one Citus can distribute as
planned (keys include the distribution column, foreign keys stay within a co-location
group or point to reference tables). On both databases: a row whose tenant differs from
its parent's is refused by the database.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from fiera.cli import main
from fiera.common import citus, dbkeys

pytestmark = pytest.mark.django_db


def _rows(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return list(cursor.fetchall())


def _tables() -> set[str]:
    return {
        name
        for (name,) in _rows(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    }


_KEYS_SQL = """
SELECT cl.relname, i.indexrelid::regclass::text,
       array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             ORDER BY k.n)
FROM pg_index i
JOIN pg_class cl ON cl.oid = i.indrelid
JOIN pg_namespace ns ON ns.oid = cl.relnamespace
WHERE ns.nspname = current_schema() AND (i.indisunique OR i.indisprimary)
"""

_FOREIGN_KEYS_SQL = """
SELECT c.conname, child.relname, parent.relname,
       array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
             ORDER BY k.n),
       array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum
             ORDER BY k.n)
FROM pg_constraint c
JOIN pg_class child ON child.oid = c.conrelid
JOIN pg_class parent ON parent.oid = c.confrelid
JOIN pg_namespace ns ON ns.oid = child.relnamespace
WHERE ns.nspname = current_schema() AND c.contype = 'f'
"""


def foreign_key_problems(
    foreign_keys: list[tuple[str, str, str, list[str], list[str]]],
) -> list[str]:
    """What Citus would refuse among ``foreign_keys`` (name, child, parent, child columns,
    parent columns), as the plan lays the tables out."""
    problems = []
    for name, child, parent, columns, parent_columns in foreign_keys:
        c, p = citus.BY_TABLE.get(child), citus.BY_TABLE.get(parent)
        if c is None or p is None:
            continue  # reported as an unplanned table
        if p.kind == "reference":
            continue  # any table may refer to a reference table
        if c.kind == "reference":
            problems.append(f"{name}: reference table {child} refers to {p.kind} {parent}")
        elif c.kind == "local" or p.kind == "local":
            if c.kind != p.kind:
                problems.append(f"{name}: {c.kind} {child} refers to {p.kind} {parent}")
        elif c.group != p.group:
            problems.append(f"{name}: {child} ({c.group}) refers to {parent} ({p.group})")
        elif (c.column, p.column) not in set(zip(columns, parent_columns, strict=True)):
            problems.append(
                f"{name}: {child}({', '.join(columns)}) -> {parent}({', '.join(parent_columns)}) "
                f"does not pair {c.column} with {p.column}"
            )
    return problems


@pytest.mark.postgres
def test_every_table_is_in_the_plan_and_every_planned_table_exists() -> None:
    live = _tables()
    planned = set(citus.BY_TABLE)
    assert sorted(live - planned) == [], "classify these tables in fiera.common.citus.PLAN"
    # django_migrations is missing only where the database was built without migrations
    missing = planned - live - {"django_migrations"}
    assert sorted(missing) == [], "the plan names tables that do not exist"


@pytest.mark.postgres
def test_every_key_of_a_distributed_table_holds_its_distribution_column() -> None:
    problems = []
    for table, index, columns in _rows(_KEYS_SQL):
        plan = citus.BY_TABLE.get(table)
        if plan is not None and plan.kind == "distributed" and plan.column not in columns:
            problems.append(f"{index} on {table}({', '.join(columns)}) lacks {plan.column}")
    assert problems == []


@pytest.mark.postgres
def test_every_foreign_key_stays_in_its_group_or_points_to_a_reference_table() -> None:
    foreign_keys = [tuple(row) for row in _rows(_FOREIGN_KEYS_SQL)]
    assert foreign_keys  # the query sees the schema's keys
    assert foreign_key_problems(foreign_keys) == []  # type: ignore[arg-type]


@pytest.mark.postgres
def test_the_distribution_columns_of_a_group_have_one_type() -> None:
    types: dict[str, set[str]] = defaultdict(set)
    for plan in citus.PLAN:
        if plan.kind == "distributed":
            ((data_type,),) = _rows(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = %s AND column_name = %s",
                [plan.table, plan.column],
            )
            types[str(plan.group)].add(data_type)
    assert {group: len(found) for group, found in types.items()} == dict.fromkeys(types, 1)


def test_the_foreign_key_rules_catch_what_citus_refuses() -> None:
    """The checker itself: each kind of key that the schema had before the fix is caught."""
    bad = [
        # an order's checkout belongs to the buyer's group
        ("a", "orders_order", "orders_checkout", ["checkout_id"], ["id"]),
        # a line's order without the merchant
        ("b", "orders_orderline", "orders_order", ["order_id"], ["id"]),
        # a reference table pointing to a distributed one
        ("c", "merchants_store", "catalog_product", ["product_id"], ["id"]),
        # a wallet's ledger account: another group
        ("d", "payments_wallet", "ledger_account", ["ledger_account_id"], ["id"]),
    ]
    good = [
        (
            "e",
            "orders_orderline",
            "orders_order",
            ["merchant_id", "order_id"],
            ["merchant_id", "id"],
        ),
        ("f", "orders_order", "merchants_merchant", ["merchant_id"], ["id"]),
        ("g", "merchants_store", "marketplaces_marketplace", ["marketplace_id"], ["id"]),
    ]
    assert [p.split(":")[0] for p in foreign_key_problems(bad)] == ["a", "b", "c", "d"]
    assert foreign_key_problems(good) == []


def test_the_plan_is_well_formed() -> None:
    assert len(citus.BY_TABLE) == len(citus.PLAN)  # no table twice
    for plan in citus.PLAN:
        if plan.kind == "distributed":
            assert plan.column and plan.group in citus.GROUPS, plan
        else:
            assert plan.column is None and plan.group is None, plan
    assert {p.group for p in citus.PLAN if p.group} == set(citus.GROUPS)


def test_docs_scaling_carries_the_plan_as_generated() -> None:
    from pathlib import Path

    page = (Path(__file__).parents[2] / "docs" / "scaling.md").read_text(encoding="utf-8")
    inside = page.split("<!-- citus-plan:start -->\n")[1].split("<!-- citus-plan:end -->")[0]
    assert inside == citus.plan_markdown()


def test_citus_plan_prints_the_sql_in_dependency_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scale", "citus-plan"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("SELECT")]
    assert len(lines) == len(citus.PLAN)
    position = {}
    for i, line in enumerate(lines):
        table = line.split("'")[1]
        position[table] = i
    assert (
        "SELECT create_distributed_table('orders_orderline', 'merchant_id', "
        "colocate_with => 'catalog_product');" in lines
    )
    assert "SELECT create_reference_table('merchants_merchant');" in lines
    # every table after the tables it refers to (within a group, after the group's anchor)
    for table, parents in citus.foreign_keys_from_models().items():
        for parent in parents - {table}:
            assert position[parent] < position[table], (table, parent)
    for plan in citus.PLAN:
        if plan.group is not None:
            assert position[citus.group_anchor(plan.group)] <= position[plan.table]


# --- tenant consistency, on both databases ----------------------------------------------


def _refused(sql: str, params: list[Any]) -> bool:
    """Whether the database refuses the statement (deferred keys checked at once)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(sql, params)
    except IntegrityError:
        return True
    return False


@pytest.fixture
def two_shops() -> dict[str, Any]:
    from tests.catalog import factories

    mp = factories.marketplace()
    first, second = factories.shop(mp), factories.shop(mp)
    _, variant = factories.listed_product(first)
    _, other = factories.listed_product(second)
    return {"first": first, "second": second, "variant": variant, "other": other}


_INSERT_PRICE = (
    "INSERT INTO catalog_price (variant_id, merchant_id, marketplace_id, currency, "
    "amount_minor, min_quantity) VALUES (%s, %s, %s, 'EUR', 100, 7)"
)


def test_a_price_of_another_merchants_variant_is_refused(two_shops: dict[str, Any]) -> None:
    variant, second = two_shops["variant"], two_shops["second"]
    price = variant.prices.get()
    assert _refused(_INSERT_PRICE, [variant.pk, second.merchant.pk, price.marketplace_id])
    assert not _refused(_INSERT_PRICE, [variant.pk, variant.merchant_id, price.marketplace_id])
    # moving an existing row to another tenant is refused too
    assert _refused(
        "UPDATE catalog_price SET merchant_id = %s WHERE id = %s", [second.merchant.pk, price.pk]
    )


def test_a_stock_level_in_another_merchants_warehouse_is_refused(
    two_shops: dict[str, Any],
) -> None:
    level = two_shops["variant"].stock_levels.get()
    assert _refused(
        "UPDATE catalog_stocklevel SET warehouse_id = %s WHERE id = %s",
        [two_shops["second"].warehouse.pk, level.pk],
    )


def test_a_variant_cannot_move_to_another_merchant_under_its_rows(
    two_shops: dict[str, Any],
) -> None:
    variant, second = two_shops["variant"], two_shops["second"]
    assert _refused(
        "UPDATE catalog_variant SET merchant_id = %s WHERE id = %s",
        [second.merchant.pk, variant.pk],
    )


def test_an_order_line_of_another_merchants_variant_is_refused(two_shops: dict[str, Any]) -> None:
    """The tenant link from orders to the catalog (the checkout writes lines in raw SQL)."""
    from django.utils import timezone

    from fiera.orders.models import Checkout, Order, OrderLine

    first, other = two_shops["first"], two_shops["other"]
    from tests.catalog import factories

    buyer = factories.user("buyer")
    now = timezone.now()
    checkout = Checkout.objects.create(
        buyer=buyer,
        marketplace=first.marketplace,
        country="IT",
        currency="EUR",
        subtotal_minor=100,
        total_minor=100,
        payment_method="wallet",
        order_count=1,
        placed_at=now,
    )
    order = Order.objects.create(
        checkout=checkout,
        number="T-1",
        buyer=buyer,
        merchant=first.merchant,
        marketplace=first.marketplace,
        currency="EUR",
        subtotal_minor=100,
        total_minor=100,
        payment_method="wallet",
        ship_name="A",
        ship_line1="B",
        ship_city="C",
        ship_postal_code="D",
        ship_country="IT",
        placed_at=now,
    )
    line = {
        "order": order,
        "merchant": first.merchant,
        "variant": other,
        "warehouse": first.warehouse,
        "sku": "X",
        "name_it": "x",
        "name_en": "x",
        "name_zh": "x",
        "quantity": 1,
        "unit_price_minor": 100,
        "line_total_minor": 100,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        if connection.vendor == "postgresql":
            connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
        OrderLine.objects.create(**line)
    OrderLine.objects.create(**{**line, "variant": two_shops["variant"]})


def test_a_cart_line_of_another_buyers_cart_is_refused(two_shops: dict[str, Any]) -> None:
    """The buyer's side: a cart line carries its cart's buyer."""
    from django.utils import timezone

    from fiera.orders.models import Cart, CartLine
    from tests.catalog import factories

    buyer, other = factories.user("buyer"), factories.user("buyer")
    now = timezone.now()
    cart = Cart.objects.create(
        buyer=buyer, marketplace=two_shops["first"].marketplace, created_at=now, updated_at=now
    )
    line = CartLine.objects.create(
        cart=cart, buyer=buyer, variant=two_shops["variant"], quantity=1, added_at=now
    )
    assert _refused("UPDATE orders_cartline SET buyer_id = %s WHERE id = %s", [other.pk, line.pk])


def test_sqlite_has_every_tenant_trigger() -> None:
    """A migration that rebuilds a table on SQLite drops its triggers: this catches it."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's triggers")
    present = {name for (name,) in _rows("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    expected = set()
    for child, parents in citus.foreign_keys_from_models().items():
        c = citus.BY_TABLE[child]
        for parent in parents:
            p = citus.BY_TABLE[parent]
            if c.kind == p.kind == "distributed" and c.group == p.group and child != parent:
                for field_column in _fk_columns(child, parent):
                    expected.update(dbkeys.sqlite_trigger_names(child, field_column))
    assert expected and sorted(expected - present) == []


def _fk_columns(child: str, parent: str) -> list[str]:
    from django.apps import apps

    columns = []
    for model in apps.get_models():
        if model._meta.db_table != child:
            continue
        for field in model._meta.concrete_fields:
            remote = getattr(field, "remote_field", None)
            if remote is not None and field.db_constraint and remote.model._meta.db_table == parent:
                columns.append(field.column)
    return columns
