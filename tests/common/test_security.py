"""Production hardening: HTTPS settings from the environment, `check --deploy` clean,
a strict Content-Security-Policy with nothing inline, 401 (not a CSRF 403) for an anonymous
call, 413 for an oversize body, and who may read the API docs."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from fiera.accounts import services
from fiera.accounts.models import User

SRC = Path(__file__).resolve().parents[2] / "src" / "fiera"


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter whose settings come from ``env`` alone."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FIERA_", "DJANGO_"))}
    for name in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL", "CELERY_BROKER_URL"):
        clean.pop(name, None)
    clean.update(env, DJANGO_SETTINGS_MODULE="fiera.settings")
    return subprocess.run(  # noqa: S603 - our own interpreter, our own code
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "shop.example.com",
}
DEPLOY_CHECK = (
    "import sys, django; django.setup(); from django.core.management import call_command; "
    "call_command('check', deploy=True, fail_level='WARNING')"
)


def test_https_production_settings_pass_check_deploy_with_no_warning(tmp_path: Path) -> None:
    done = _run(DEPLOY_CHECK, **PRODUCTION, FIERA_HTTPS="true", FIERA_HOME=str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_without_fiera_https_check_deploy_names_what_is_missing(tmp_path: Path) -> None:
    done = _run(DEPLOY_CHECK, **PRODUCTION, FIERA_HOME=str(tmp_path))
    assert done.returncode != 0
    for check_id in ("W004", "W008", "W012", "W016"):
        assert f"security.{check_id}" in done.stderr


def test_fiera_check_reports_the_deploy_checks_in_plain_words(tmp_path: Path) -> None:
    code = "from fiera.cli import main; raise SystemExit(main(['check']))"
    done = _run(code, **PRODUCTION, FIERA_HOME=str(tmp_path))
    assert done.returncode == 1
    assert "plain HTTP requests are not redirected to HTTPS" in done.stdout
    assert "set FIERA_HTTPS=true" in done.stdout
    with_https = _run(code, **PRODUCTION, FIERA_HTTPS="true", FIERA_HOME=str(tmp_path))
    assert "HTTPS" not in with_https.stdout.split("Fiera is not ready:")[-1]
    assert "https:      on" in with_https.stdout


SETTINGS_DUMP = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "from fiera.payments.services import base; "
    "print(json.dumps({'redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS, "
    "'preload': s.SECURE_HSTS_PRELOAD, 'session_secure': s.SESSION_COOKIE_SECURE, "
    "'csrf_secure': s.CSRF_COOKIE_SECURE, 'origins': s.CSRF_TRUSTED_ORIGINS, "
    "'proxy': s.SECURE_PROXY_SSL_HEADER, 'fx': base.fx_markup_bp(), "
    "'quote': base.fx_quote_seconds(), 'fee': base.payment_fee_bp(), "
    "'settle': base.settlement_currency(), 'wallets': base.wallet_currencies()}))"
)


def test_environment_turns_on_https_and_sets_the_payment_terms(tmp_path: Path) -> None:
    done = _run(
        SETTINGS_DUMP,
        **PRODUCTION,
        FIERA_HOME=str(tmp_path),
        FIERA_HTTPS="true",
        FIERA_PROXY_SSL_HEADER="X-Forwarded-Proto",
        FIERA_HSTS_SECONDS="600",
        FIERA_HSTS_PRELOAD="false",
        FIERA_FX_MARKUP_BP="75",
        FIERA_FX_QUOTE_SECONDS="90",
        FIERA_PAYMENT_FEE_BP="150",
        FIERA_SETTLEMENT_CURRENCY="usd",
        FIERA_WALLET_CURRENCIES="EUR, usd,EUR",
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got == {
        "redirect": True,
        "hsts": 600,
        "preload": False,
        "session_secure": True,
        "csrf_secure": True,
        "origins": ["https://shop.example.com"],
        "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
        "fx": 75,
        "quote": 90,
        "fee": 150,
        "settle": "USD",
        "wallets": ["EUR", "USD"],
    }


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    page = response.content.decode()
    assert 'src="/static/web/fiera.js"' in page
    assert "onchange" not in page
    assert "data-autosubmit" in page


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_needs_unsafe_inline() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in sorted(SRC.glob("*/templates/**/*.html"))
        # Mail bodies are read in mail programs, never served under the CSP, and mail
        # programs keep only inline styles; trade documents are drawn into PDF by WeasyPrint
        # (fiera.trade.documents), never served as HTML.
        if "mail" not in path.relative_to(SRC).parts
        and "documents" not in path.relative_to(SRC).parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if INLINE.search(line)
    ]
    assert offenders == []


def _buyer(username: str = "ana") -> User:
    return services.user_create(
        username=username, password="correct-horse-9", role="buyer", country="CN"
    )


@pytest.mark.django_db
def test_anonymous_write_to_a_secured_operation_is_401_not_a_csrf_403() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.delete("/api/v1/auth/tokens/1")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


@pytest.mark.django_db
def test_a_signed_in_session_without_its_csrf_token_is_still_403() -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(_buyer())
    response = client.delete("/api/v1/auth/tokens/1")
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_body_over_the_size_limit_is_413_in_the_error_shape(
    client: Client, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"username": "ana", "password": "x" * 2000})
    response = client.post("/api/v1/auth/tokens", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {
        "error": "too_large",
        "detail": "The request is too large: send at most 1024 bytes.",
        "limit": 1024,
    }


@pytest.mark.django_db
def test_a_body_over_the_size_limit_is_413_with_debug_on(client: Client, settings: Any) -> None:
    settings.DEBUG = True
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"username": "ana", "password": "x" * 2000})
    response = client.post("/api/v1/auth/tokens", body, content_type="application/json")
    assert response.status_code == 413


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/docs", "/api/v1/openapi.json"])
def test_api_docs_follow_fiera_api_docs(client: Client, settings: Any, path: str) -> None:
    settings.FIERA_API_DOCS = "public"
    assert client.get(path).status_code == 200

    settings.FIERA_API_DOCS = "off"
    assert client.get(path).status_code == 404

    settings.FIERA_API_DOCS = "staff"
    anonymous = client.get(path)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/admin/login/")
    client.force_login(_buyer())
    assert client.get(path).status_code == 302
    staff = _buyer("staffer")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client.force_login(staff)
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_the_footer_links_the_api_docs_only_for_those_who_may_read_them(
    client: Client, settings: Any
) -> None:
    link = 'href="/api/v1/docs"'
    settings.FIERA_API_DOCS = "public"
    assert link in client.get("/").content.decode()
    settings.FIERA_API_DOCS = "staff"
    assert link not in client.get("/").content.decode()
    staff = _buyer("staffer")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client.force_login(staff)
    assert link in client.get("/").content.decode()
    settings.FIERA_API_DOCS = "off"
    assert link not in client.get("/").content.decode()
