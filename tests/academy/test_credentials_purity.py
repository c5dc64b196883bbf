"""The credentials core is plain Python: no Django, no other Fiera app, no network client."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import fiera.academy.credentials as credentials

PACKAGE = Path(credentials.__file__).parent
FORBIDDEN_ROOTS = {"django", "ninja", "requests", "urllib", "urllib3", "http", "socket", "fiera"}


def test_no_module_imports_django_another_app_or_a_network_client() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN_ROOTS, f"{path.name} imports {name}"


def test_it_signs_and_verifies_without_django_settings() -> None:
    script = (
        "from datetime import UTC, datetime\n"
        "from fiera.academy.credentials import *\n"
        "key = generate_key_pair()\n"
        "now = datetime.now(UTC)\n"
        "doc = build_open_badge_credential(credential_id='https://x.example/c/1',"
        " issuer=IssuerProfile(id=key.did, name='X'),"
        " achievement=AchievementSpec(id='https://x.example/a', name='A', description='D',"
        " criteria_narrative='C'), recipient=recipient_for_email('a@b.example', salt='s'),"
        " valid_from=now)\n"
        "assert verify(sign(doc, key_pair=key, created=now), now=now).valid\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(PACKAGE.parents[2])
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
