"""The boundaries between apps, as tools check them (docs/decisions/0009-public-modules.md).

The import-linter contracts in pyproject.toml forbid, per app, every module that is not
public. These tests keep the contracts complete (a new module must be classified: public
here and in the decision, or internal) and prove that they catch a real violation.
"""

from __future__ import annotations

import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

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
        "money",
        "pagination",
        "parsing",
        "reference",
        "runtime",
        "schemas",
    },
    "accounts": {"roles", "selectors", "services"},
    "marketplaces": {"selectors", "services"},
    "merchants": {"selectors", "services"},
    "ledger": {"domain", "selectors", "services"},
    "catalog": {"reservations", "selectors", "services"},
    "payments": {"selectors", "services"},
    "orders": {"selectors", "services"},
}
# Siblings a models module may import: plain value modules without rules.
MODELS_MAY_IMPORT: dict[str, set[str]] = {"accounts": {"roles"}}
TOP_APPS = {"web"}  # no app imports these at all (the layers contract)


def _children(app: str) -> set[str]:
    return {m.name for m in pkgutil.iter_modules([str(PACKAGE / app)])}


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _forbidden_by_source(sources: set[str]) -> dict[str, set[str]]:
    """For the forbidden contracts whose sources are exactly ``sources``: app -> its modules
    they forbid."""
    found: dict[str, set[str]] = {}
    for contract in _contracts():
        if contract["type"] != "forbidden":
            continue
        if set(contract["source_modules"]) != sources:  # type: ignore[call-overload]
            continue
        for module in contract["forbidden_modules"]:  # type: ignore[attr-defined]
            _, app, name = module.split(".", 2)
            found.setdefault(app, set()).add(name)
    return found


@pytest.mark.parametrize("app", sorted(PUBLIC))
def test_every_module_of_an_app_is_public_or_forbidden_to_other_apps(app: str) -> None:
    others = {f"fiera.{a}" for a in (set(PUBLIC) | TOP_APPS) - {app}}
    forbidden = _forbidden_by_source(others).get(app, set())
    unclassified = _children(app) - PUBLIC[app] - forbidden
    assert not unclassified, (
        f"fiera.{app}: {sorted(unclassified)} are neither public (tests/test_architecture.py "
        f"and decision 0009) nor forbidden to other apps in pyproject.toml"
    )
    assert not forbidden & PUBLIC[app]
    assert PUBLIC[app] <= _children(app), "a public module that does not exist"


@pytest.mark.parametrize("app", sorted(PUBLIC))
def test_models_import_no_sibling_module(app: str) -> None:
    forbidden = _forbidden_by_source({f"fiera.{app}.models"}).get(app, set())
    expected = _children(app) - {"models"} - MODELS_MAY_IMPORT.get(app, set())
    assert forbidden == expected


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
    ],
)
def test_the_contracts_catch_a_violation(tmp_path: Path, module: str, line: str) -> None:
    shutil.copytree(PACKAGE, tmp_path / "fiera", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
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
