"""Authorization fails closed: every public service and selector that decides who may act
takes the actor (``actor_role``, keyword-only, no default), and the API and the pages pass
the signed-in user's role, never the system actor (docs/decisions/0009-public-modules.md).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest

from fiera.accounts import roles

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "fiera"
APPS = (
    "accounts",
    "common",
    "marketplaces",
    "merchants",
    "ledger",
    "catalog",
    "payments",
    "orders",
    "partners",
)
DOMAIN_MODULES = ("services", "selectors", "reservations", "errors")
ACTOR = "actor_role"


def _domain_modules() -> list[ModuleType]:
    found = []
    for app in APPS:
        for name in DOMAIN_MODULES:
            if not (PACKAGE / app / f"{name}.py").exists() and not (PACKAGE / app / name).is_dir():
                continue
            module = importlib.import_module(f"fiera.{app}.{name}")
            found.append(module)
            if hasattr(module, "__path__"):
                found += [
                    importlib.import_module(f"{module.__name__}.{sub.name}")
                    for sub in pkgutil.iter_modules(module.__path__)
                ]
    return found


def _public_functions() -> dict[str, list[inspect.Signature]]:
    """Public functions of the domain modules by name (a name may exist in several)."""
    by_name: dict[str, list[inspect.Signature]] = defaultdict(list)
    for module in _domain_modules():
        for name, value in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(value):
                continue
            if value.__module__ != module.__name__:
                continue  # re-exported: checked where it is defined
            by_name[name].append(inspect.signature(value))
    return by_name


def _actor_functions() -> set[str]:
    """Names whose every definition takes the actor: a call to one must pass it."""
    return {
        name
        for name, signatures in _public_functions().items()
        if all(ACTOR in signature.parameters for signature in signatures)
    }


def test_every_function_that_authorizes_requires_the_actor() -> None:
    optional = sorted(
        name
        for name, signatures in _public_functions().items()
        for signature in signatures
        if ACTOR in signature.parameters
        and (
            signature.parameters[ACTOR].default is not inspect.Parameter.empty
            or signature.parameters[ACTOR].kind is not inspect.Parameter.KEYWORD_ONLY
        )
    )
    assert optional == [], "actor_role must be keyword-only without a default"
    # The check is not vacuous: the services and selectors of every app with users.
    assert len(_actor_functions()) >= 60


def _calls(path: Path) -> list[tuple[str, ast.Call]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            found.append((name, node))
    return found


def _actor_argument(call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == ACTOR:
            return keyword.value
    for keyword in call.keywords:
        if keyword.arg is None:  # **actor(request): a mapping built from the request
            return keyword.value
    return None


def _names_in(node: ast.AST) -> set[str]:
    return {
        n.id if isinstance(n, ast.Name) else n.attr
        for n in ast.walk(node)
        if isinstance(n, (ast.Name, ast.Attribute))
    }


def _sources(*patterns: str) -> list[Path]:
    return sorted({path for pattern in patterns for path in PACKAGE.glob(pattern)})


def test_every_call_names_the_actor() -> None:
    """Everywhere (CLI, demo, tasks, services calling services): no call leaves it out."""
    actor_functions = _actor_functions()
    missing = [
        f"{path.relative_to(PACKAGE)}:{call.lineno} {name}"
        for path in _sources("**/*.py")
        if "migrations" not in path.parts
        for name, call in _calls(path)
        if name in actor_functions and _actor_argument(call) is None
    ]
    assert missing == []


REQUEST_FACING = ("api.py", "*/api.py", "*/views.py", "*/forms.py", "web/*.py")


def test_api_operations_and_pages_pass_the_signed_in_users_role() -> None:
    """Operations and pages act as the person who asked: the system actor is not theirs."""
    actor_functions = _actor_functions()
    offenders = []
    checked = 0
    for path in _sources(*REQUEST_FACING):
        text = path.read_text()
        if "SYSTEM" in text or repr(roles.SYSTEM) in text or f'"{roles.SYSTEM}"' in text:
            offenders.append(f"{path.relative_to(PACKAGE)} mentions the system actor")
        for name, call in _calls(path):
            if name not in actor_functions:
                continue
            checked += 1
            value = _actor_argument(call)
            where = f"{path.relative_to(PACKAGE)}:{call.lineno} {name}"
            if value is None:
                offenders.append(f"{where}: no actor")
            elif isinstance(value, ast.Constant) and value.value not in roles.ACCOUNT_ROLES:
                offenders.append(f"{where}: actor {value.value!r} is no account role")
    assert offenders == []
    assert checked >= 60  # the API and the pages do call these


@pytest.mark.parametrize("role", [None, "", "admin", "System"])
def test_an_unknown_or_missing_role_is_refused(role: str | None) -> None:
    from fiera.ledger.errors import LedgerOperatorsOnly, check_operator

    with pytest.raises(LedgerOperatorsOnly):
        check_operator(actor_role=role)  # type: ignore[arg-type]
