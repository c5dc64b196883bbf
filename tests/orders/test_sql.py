"""The checkout's raw INSERTs (``fiera.orders.sql``): each row type is its table's
columns, and the SQL and parameters both come from that one tuple of fields."""

from __future__ import annotations

import pytest
from django.db import models

from fiera.orders import sql
from fiera.orders.models import Checkout, IdempotencyRecord, Order, OrderLine

ROW_TYPES = [
    (sql.CheckoutRow, Checkout, sql.CHECKOUT_TABLE),
    (sql.OrderRow, Order, sql.ORDER_TABLE),
    (sql.OrderLineRow, OrderLine, sql.ORDER_LINE_TABLE),
    (sql.IdempotencyRow, IdempotencyRecord, sql.IDEMPOTENCY_TABLE),
]


def required_columns(model: type[models.Model]) -> set[str]:
    """Columns an INSERT must name: not the primary key, not nullable, no default."""
    return {
        field.column
        for field in model._meta.concrete_fields
        if not field.primary_key
        and not field.null
        and not field.has_default()
        and field.db_default is models.NOT_PROVIDED
    }


@pytest.mark.parametrize(("row_type", "model", "table"), ROW_TYPES)
def test_every_row_field_is_a_column_and_every_required_column_is_a_field(row_type, model, table):
    columns = {field.column for field in model._meta.concrete_fields}
    fields = set(row_type._fields)
    assert table == model._meta.db_table
    assert fields <= columns, fields - columns
    assert required_columns(model) <= fields, required_columns(model) - fields


def test_the_sql_and_the_parameters_follow_the_row_fields():
    rows = [
        sql.IdempotencyRow(1, "k", "sha", 2, "{}", "t"),
        sql.IdempotencyRow(3, "j", "s", 4, "[]", "u"),
    ]
    text = sql.insert_sql(sql.IDEMPOTENCY_TABLE, rows[0]._fields, len(rows), "id")
    assert text == (
        f"INSERT INTO {sql.IDEMPOTENCY_TABLE} "
        "(buyer_id, key, request_sha256, checkout_id, result, created_at) "
        "VALUES (%s, %s, %s, %s, %s, %s), (%s, %s, %s, %s, %s, %s) RETURNING id"
    )
    assert sql.insert_params(rows) == [1, "k", "sha", 2, "{}", "t", 3, "j", "s", 4, "[]", "u"]
