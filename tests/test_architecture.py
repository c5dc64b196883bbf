"""The boundaries between apps, as tools check them (docs/decisions/0009-public-modules.md).

The import-linter contracts in pyproject.toml forbid, per app, every module (``fiera.<app>.*``)
to the other apps except the public ones (the contract's ignored imports). These tests keep
the contracts, this list and the decision in step, and prove on a copy of the package that
the contracts catch a real violation.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "fiera"

# The modules another app may import, per app. Keep in step with decision 0009.
PUBLIC: dict[str, set[str]] = {
    "common": {
        "citus",
        "dbkeys",
        "errors",
        "events",
        "images",
        "money",
        "pagination",
        "parsing",
        "reference",
        "reporting",
        "runtime",
        "schemas",
        "trade_terms",
    },
    "accounts": {"roles", "selectors", "services"},
    "marketplaces": {"selectors", "services"},
    "merchants": {"selectors", "services"},
    "ledger": {"domain", "selectors", "services"},
    "catalog": {"reservations", "rules", "selectors", "services"},
    "payments": {"selectors", "services"},
    "orders": {"selectors", "services"},
    "festivals": {"offers", "selectors", "services"},
    "partners": {"selectors", "services"},
    "trade": {"selectors", "services"},
    "academy": {"selectors", "services"},
    "analytics": {"query", "selectors", "services"},
}
# Siblings a models module may import: plain value modules without rules.
MODELS_MAY_IMPORT: dict[str, set[str]] = {
    "accounts": {"roles"},
    "catalog": {"rules", "search"},  # search defines the search document's field
}
TOP_APPS = {"web"}  # no app imports these at all (the layers contract)


def _contracts() -> list[dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _forbidden_contract(sources: set[str]) -> dict[str, Any]:
    """The one forbidden contract whose sources are exactly ``sources``."""
    found = [
        c for c in _contracts() if c["type"] == "forbidden" and set(c["source_modules"]) == sources
    ]
    assert len(found) == 1, f"one forbidden contract for {sorted(sources)}, found {len(found)}"
    return found[0]


def _allowed(contract: dict[str, Any]) -> set[str]:
    """The modules the contract lets through (its ignored imports' targets, last part)."""
    targets = {rule.split("->")[1].strip() for rule in contract.get("ignore_imports", [])}
    return {t.removesuffix(".**").rsplit(".", 1)[1] for t in targets}


@pytest.mark.parametrize("app", sorted(PUBLIC))
def test_other_apps_may_import_only_the_public_modules(app: str) -> None:
    """Every module of the app, present or future, is forbidden to the other apps except the
    public ones: a new module is internal until it is recorded here and in decision 0009."""
    others = {f"fiera.{a}" for a in (set(PUBLIC) | TOP_APPS) - {app}}
    contract = _forbidden_contract(others)
    assert contract["forbidden_modules"] == [f"fiera.{app}.*"]
    assert _allowed(contract) == PUBLIC[app]
    for rule in contract["ignore_imports"]:
        assert rule.startswith("fiera.** -> "), rule


@pytest.mark.parametrize("app", sorted(PUBLIC))
def test_models_import_no_sibling_module(app: str) -> None:
    contract = _forbidden_contract({f"fiera.{app}.models"})
    assert contract["forbidden_modules"] == [f"fiera.{app}.*"]
    assert _allowed(contract) == MODELS_MAY_IMPORT.get(app, set())


def test_the_decision_lists_the_same_public_modules() -> None:
    text = (ROOT / "docs" / "decisions" / "0009-public-modules.md").read_text()
    for app, modules in PUBLIC.items():
        row = re.search(rf"^\| `{app}` \|(.*)\|$", text, re.MULTILINE)
        assert row is not None, f"no row for {app} in decision 0009"
        assert set(re.findall(r"`(\w+)`", row.group(1))) == modules, app


def test_no_app_but_accounts_reads_the_user_table() -> None:
    """People are read through ``accounts.selectors``; admin search fields excepted."""
    offenders = []
    for path in PACKAGE.glob("*/*.py"):
        app = path.parent.name
        if app in {"accounts", "demo"} or path.name == "admin.py":
            continue
        text = path.read_text()
        if "get_user_model" in text or re.search(r"user__\w+|\bactor\.get_username", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("orders/api.py", "from fiera.catalog.models import Variant"),
        ("orders/services.py", "from fiera.catalog import search"),
        ("orders/models.py", "from fiera.orders import pricing"),
        # a module added later is internal until it is made public
        ("orders/services.py", "from fiera.catalog import brand_new"),
        ("catalog/models.py", "from fiera.catalog import brand_new"),
    ],
)
def test_the_contracts_catch_a_violation(tmp_path: Path, module: str, line: str) -> None:
    shutil.copytree(PACKAGE, tmp_path / "fiera", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "fiera" / "catalog" / "brand_new.py").write_text("VALUE = 1\n")
    target = tmp_path / "fiera" / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(  # noqa: S603 (our own linter on a temporary copy)
        [str(linter), "--no-cache"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
