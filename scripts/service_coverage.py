"""No untested service: every public function of every app's services runs in the tests.

    .venv/bin/python scripts/service_coverage.py [--data-file .coverage]

Reads the coverage data that `make test` wrote (pytest-cov), finds every public top-level
function in `src/fiera/<app>/services.py` and `src/fiera/<app>/services/*.py` (and each
function a `services.py` re-exports from a module of its own app, as the academy's does for
its features), and fails
(exit 1) naming each one whose body no test executed. Line coverage of the whole package is
reported by pytest-cov itself; this check is the floor the issue asked for: a service that
no test calls is either dead code (remove it) or untested (test it).
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
from pathlib import Path

import coverage

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "fiera"


def service_modules() -> list[Path]:
    found = sorted(PACKAGE.glob("*/services.py"))
    found += sorted(p for p in PACKAGE.glob("*/services/*.py") if p.name != "__init__.py")
    return found


def reexported(path: Path) -> dict[Path, set[str]]:
    """The functions a services module re-exports from sibling modules of its app
    (``from fiera.<app>.<module> import name as name``), by the module's file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    app = path.parent.name
    found: dict[Path, set[str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        parts = node.module.split(".")
        if len(parts) != 3 or parts[:2] != ["fiera", app]:
            continue
        source = PACKAGE / app / f"{parts[2]}.py"
        if source.exists():
            found.setdefault(source, set()).update(alias.name for alias in node.names)
    return found


def public_functions(path: Path, only: set[str] | None = None) -> list[tuple[str, set[int]]]:
    """(name, lines of its body) for each public top-level function, docstring excluded
    (only those named in ``only`` when given)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if node.name.startswith("_") or (only is not None and node.name not in only):
            continue
        body = node.body
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
            and len(body) > 1
        ):
            body = body[1:]
        lines: set[int] = set()
        for statement in body:
            end = statement.end_lineno or statement.lineno
            lines.update(range(statement.lineno, end + 1))
        functions.append((node.name, lines))
    return functions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # the file pytest-cov wrote: COVERAGE_FILE when set (CI runs two passes at once), else .coverage
    default = os.environ.get("COVERAGE_FILE") or str(ROOT / ".coverage")
    parser.add_argument("--data-file", default=default)
    args = parser.parse_args(argv)
    if not Path(args.data_file).exists():
        print(f"no coverage data at {args.data_file}: run `make test` first", file=sys.stderr)
        return 2
    cov = coverage.Coverage(data_file=args.data_file)
    cov.load()
    data = cov.get_data()
    measured = {Path(name).resolve(): name for name in data.measured_files()}
    untested: list[str] = []
    total = 0
    targets: list[tuple[Path, set[str] | None]] = []
    for module in service_modules():
        targets.append((module, None))
        targets.extend(reexported(module).items())
    for module, only in targets:
        executed = (
            set(data.lines(measured[module.resolve()]) or ())
            if module.resolve() in measured
            else set()
        )
        for name, lines in public_functions(module, only):
            total += 1
            if not lines & executed:
                untested.append(f"{module.relative_to(ROOT)}: {name}")
    if untested:
        print(f"{len(untested)} of {total} public services never ran in the tests:")
        for line in untested:
            print(f"  {line}")
        print("Test each one, or remove it if nothing calls it.")
        return 1
    print(f"service coverage: all {total} public services ran in the tests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
