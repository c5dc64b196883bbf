"""Where pictures are stored is configuration (FIERA_MEDIA_*, FIERA_S3_*): the filesystem
under var/media by default, S3-compatible storage in production; code only uses the
storage API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fiera import config
from tests.common.configenv import load_with

NAMES = (
    "FIERA_MEDIA_ROOT",
    "FIERA_MEDIA_STORAGE",
    "FIERA_S3_BUCKET",
    "FIERA_S3_ENDPOINT_URL",
    "FIERA_S3_REGION",
    "FIERA_S3_PUBLIC_URL",
)


def _load(monkeypatch: pytest.MonkeyPatch, **env: str) -> config.Config:
    return load_with(monkeypatch, NAMES, **env)


def test_default_is_the_filesystem_under_var(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _load(monkeypatch)
    assert cfg.media_storage == "filesystem"
    assert cfg.media_root == config.VAR_DIR / "media"
    assert not [p for p in config.problems(cfg) if "MEDIA" in p or "S3" in p]
    moved = _load(monkeypatch, FIERA_MEDIA_ROOT="/srv/fiera/media")
    assert moved.media_root == Path("/srv/fiera/media")


def test_s3_needs_a_bucket_and_real_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _load(monkeypatch, FIERA_MEDIA_STORAGE="s3", FIERA_S3_PUBLIC_URL="media.example.com")
    found = " ".join(config.problems(cfg))
    assert "FIERA_S3_BUCKET" in found
    assert "FIERA_S3_PUBLIC_URL must be an http(s):// address" in found
    wrong = _load(monkeypatch, FIERA_MEDIA_STORAGE="dropbox")
    assert any("FIERA_MEDIA_STORAGE must be one of filesystem, s3" in p for p in wrong.errors)


def _settings(**env: str) -> dict[str, object]:
    script = (
        "import json, django; from django.conf import settings as s; "
        "print(json.dumps({'storages': s.STORAGES, 'img': "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'], 'root': str(s.MEDIA_ROOT), "
        "'url': s.MEDIA_URL}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in NAMES}
    answer = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script],
        env={**clean, "DJANGO_SETTINGS_MODULE": "fiera.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    loaded: dict[str, object] = json.loads(answer.stdout.strip().splitlines()[-1])
    return loaded


def test_settings_point_the_default_storage_where_configured() -> None:
    default = _settings(FIERA_MEDIA_ROOT="/srv/fiera-media-test")
    storages = default["storages"]
    assert isinstance(storages, dict)
    assert storages["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert (default["root"], default["url"]) == ("/srv/fiera-media-test", "/media/")
    assert default["img"] == ["'self'", "data:"]
    s3 = _settings(
        FIERA_MEDIA_STORAGE="s3",
        FIERA_S3_BUCKET="fiera-pictures",
        FIERA_S3_ENDPOINT_URL="https://s3.eu-south-1.example.net",
        FIERA_S3_PUBLIC_URL="https://media.example.com",
    )
    storages = s3["storages"]
    assert isinstance(storages, dict)
    options = storages["default"]["OPTIONS"]
    assert storages["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["bucket_name"] == "fiera-pictures"
    assert options["custom_domain"] == "media.example.com"
    assert options["querystring_auth"] is False
    assert s3["img"] == ["'self'", "data:", "https://media.example.com"]
