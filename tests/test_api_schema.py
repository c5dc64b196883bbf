"""The API's schema as a contract: what every operation takes, how it is named, and the
committed docs/openapi.json that shows each change to it in review.

- Every integer a JSON body takes is strict (a JSON integer: no ``true``, ``"100"`` or
  ``100.0``) and bounded; every integer any input takes (path, query, form) is bounded,
  and an id lies in 1..2**63-1, so no number reaches the database as an overflow (500).
- Every schema class has its own component name (two ``RefundIn`` classes documented one
  operation with the other's body).
- Every operation id is the short snake_case name a generated client uses.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from fiera.api import api
from fiera.common.schemas import MAX_ID
from fiera.openapi import COMMITTED, REGENERATE, openapi_document, openapi_text

INT64_MIN = -(2**63)
LENIENT = {"function-before", "function-plain", "function-wrap"}
# The ledger answers an out-of-range number in a transfer batch as that transfer's result
# code (TigerBeetle's create_transfers), so one bad item never refuses the whole batch:
# tests/ledger/test_api.py::test_odd_input_is_an_item_error_never_a_500. Its types are
# strict; its numbers are bounded by the ledger, per item.
PER_ITEM_BOUNDS = {"POST /ledger/transfers"}


def _operations() -> Iterator[tuple[str, Any]]:
    for bound_router in api._get_bound_routers():
        for path, path_view in bound_router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    yield f"{method} {path}", operation


def _integers(schema: Any, where: list[str], strict: bool) -> Iterator[tuple[str, dict, bool]]:
    """Every ``int`` core schema inside ``schema``: (field path, the int schema, whether a
    model config around it makes it strict)."""
    if isinstance(schema, list):
        for item in schema:
            yield from _integers(item, where, strict)
        return
    if not isinstance(schema, dict):
        return
    kind = schema.get("type")
    if kind == "int":
        yield ".".join(where), schema, strict or bool(schema.get("strict"))
        return
    inner = schema.get("schema")
    if kind in LENIENT and isinstance(inner, dict) and inner.get("type") == "int":
        # A validator before the int may turn true, "100" or 100.0 into one: not strict.
        yield ".".join(where), inner, False
        return
    if kind == "model":
        strict = bool(schema.get("config", {}).get("strict"))
    for key, value in schema.items():
        if key in {"metadata", "cls", "config", "ref", "serialization"}:
            continue
        if key == "fields" and isinstance(value, dict):
            for name, field in value.items():
                yield from _integers(field, [*where, name], strict)
        else:
            yield from _integers(value, where, strict)


def _inputs() -> Iterator[tuple[str, str, str, dict, bool]]:
    """(operation, source, field path, int schema, strict) for every integer input."""
    for label, operation in _operations():
        for model in operation.models:
            source = model.__ninja_param_source__
            core = model.__pydantic_core_schema__
            for where, schema, strict in _integers(core, [], strict=False):
                yield label, source, where, schema, strict


def test_the_walk_finds_the_inputs_it_checks() -> None:
    found = {(label, where) for label, _source, where, _schema, _strict in _inputs()}
    assert ("POST /wallets/{currency}/top-ups", "payload.amount_minor") in found
    assert ("POST /checkout", "payload.lines.variant_id") in found
    assert ("POST /outlets/import", "merchant_id") in found
    assert ("GET /outlets/{outlet_id}", "outlet_id") in found


def test_integers_in_json_bodies_are_strict() -> None:
    lax = [
        f"{label}: {where}"
        for label, source, where, _schema, strict in _inputs()
        if source == "body" and not strict
    ]
    assert not lax, (
        "these body integers take true, '100' and 100.0: give them Field(strict=True) "
        "(or fiera.common.schemas.BodyId for an id):\n" + "\n".join(lax)
    )


def test_every_integer_input_is_bounded_and_ids_are_positive_64_bit() -> None:
    problems = []
    for label, source, where, schema, _strict in _inputs():
        if label in PER_ITEM_BOUNDS:
            continue
        low = schema.get("ge", schema.get("gt"))
        high = schema.get("le", schema.get("lt"))
        name = where.rsplit(".", 1)[-1]
        if low is None or high is None or low < INT64_MIN or high > MAX_ID:
            problems.append(f"{label} ({source}): {where} is not bounded to 64 bits")
        elif (name == "id" or name.endswith("_id")) and (low < 1 or high > MAX_ID):
            problems.append(f"{label} ({source}): id {where} is not in 1..2**63-1")
    assert not problems, (
        "bound these (fiera.common.schemas.BodyId in a body, ParamId in a path, query or "
        "form):\n" + "\n".join(problems)
    )


def _models(schema: Any) -> Iterator[type[BaseModel]]:
    if isinstance(schema, list):
        for item in schema:
            yield from _models(item)
    elif isinstance(schema, dict):
        cls = schema.get("cls")
        if schema.get("type") == "model" and isinstance(cls, type):
            yield cls
        for key, value in schema.items():
            if key not in {"metadata", "cls"}:
                yield from _models(value)


def test_every_schema_class_has_its_own_component_name() -> None:
    classes: dict[str, set[str]] = defaultdict(set)
    for _label, operation in _operations():
        models = list(operation.models)
        models += [m for m in operation.response_models.values() if isinstance(m, type)]
        for model in models:
            for cls in _models(model.__pydantic_core_schema__):
                if cls.__module__.startswith("fiera."):
                    classes[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    duplicates = {name: sorted(paths) for name, paths in classes.items() if len(paths) > 1}
    assert not duplicates, f"one component name, several classes (rename one): {duplicates}"
    components = openapi_document()["components"]["schemas"]
    missing = sorted(
        name
        for name in classes
        if name not in components and not name.endswith(("Params", "Query", "Paged"))
    )
    assert not missing, f"schema classes without their own component: {missing}"


def test_the_check_catches_two_classes_with_one_name() -> None:
    first = type("RefundIn", (BaseModel,), {"__annotations__": {"a": int}, "__module__": "x"})
    second = type("RefundIn", (BaseModel,), {"__annotations__": {"b": int}, "__module__": "y"})
    holder = type(
        "Holder",
        (BaseModel,),
        {"__annotations__": {"one": first, "two": second}, "__module__": "z"},
    )
    names = [cls.__name__ for cls in _models(holder.__pydantic_core_schema__)]
    assert names.count("RefundIn") == 2


OPERATION_ID = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


def test_operation_ids_are_short_unique_snake_case_names() -> None:
    ids = [
        operation["operationId"]
        for operations in openapi_document()["paths"].values()
        for operation in operations.values()
    ]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    bad = [i for i in ids if not OPERATION_ID.match(i) or i.startswith("fiera") or len(i) > 40]
    assert not bad, bad
    assert "checkout_create" in ids and "wallet_top_up" in ids


def test_the_committed_openapi_json_is_the_api() -> None:
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    current = openapi_text()
    if committed == current:
        return
    diff = "".join(
        list(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                current.splitlines(keepends=True),
                "docs/openapi.json (committed)",
                "the API now",
                n=2,
            )
        )[:80]
    )
    pytest.fail(
        f"the API changed and docs/openapi.json does not say so. If the change is meant, "
        f"run `{REGENERATE}` and commit docs/openapi.json with it.\n{diff}",
        pytrace=False,
    )


def test_the_committed_openapi_json_is_valid_json_with_every_operation() -> None:
    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert document["paths"], "no operations in docs/openapi.json"


def test_object_bodies_refuse_arrays_strings_and_numbers() -> None:
    """ninja reads ``[]``, ``"x"`` or ``1`` as an empty object: a body whose fields all have
    defaults took them as ``{}`` (``POST /wallets`` with ``[]`` opened a wallet)."""
    from pydantic import ValidationError

    accepted = []
    for label, operation in _operations():
        for model in operation.models:
            if model.__ninja_param_source__ != "body":
                continue
            for name, field in model.model_fields.items():
                if not (
                    isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
                ):
                    continue  # a list body (ledger transfers) takes [] rightly
                for not_an_object in ([], "x", 1):
                    try:
                        model.model_validate({name: not_an_object})
                    except ValidationError:
                        continue
                    accepted.append(f"{label}: {not_an_object!r}")
    assert not accepted, (
        "these bodies take a non-object as {}: derive them from "
        "fiera.common.schemas.ObjectIn:\n" + "\n".join(accepted)
    )


def test_the_served_schema_has_no_duplicated_key() -> None:
    """Swagger UI refuses a definition with a key twice (an ``openapi_extra`` response given as
    ``"200"`` beside ninja's ``200`` serialises as two "200" keys); Python's json keeps the last."""
    from django.test import Client

    raw = Client().get("/api/v1/openapi.json").content.decode()
    twice: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        keys = [k for k, _ in items]
        twice.extend(k for k in set(keys) if keys.count(k) > 1)
        return dict(items)

    json.loads(raw, object_pairs_hook=pairs)
    assert twice == []
