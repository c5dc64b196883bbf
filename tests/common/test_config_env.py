"""The hardening and payments variables are read and checked by fiera.config: a value that
cannot be read is named in plain words (fiera check, and serve refuses to start)."""

from __future__ import annotations

import pytest

from fiera import config
from tests.common.configenv import load_with

NAMES = (
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
    "FIERA_HTTPS",
    "FIERA_PROXY_SSL_HEADER",
    "FIERA_HSTS_SECONDS",
    "FIERA_HSTS_PRELOAD",
    "FIERA_API_DOCS",
    "FIERA_LOGIN_FAILURE_LIMIT",
    "FIERA_LOGIN_COOLOFF_MINUTES",
    "FIERA_API_TOKEN_RATE",
    "FIERA_LOGIN_RATE",
    "FIERA_FX_MARKUP_BP",
    "FIERA_FX_QUOTE_SECONDS",
    "FIERA_PAYMENT_FEE_BP",
    "FIERA_SETTLEMENT_CURRENCY",
    "FIERA_WALLET_CURRENCIES",
)


def _load(monkeypatch: pytest.MonkeyPatch, **env: str) -> config.Config:
    return load_with(monkeypatch, NAMES, **env)


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _load(monkeypatch)
    assert config.problems(cfg) == []
    assert (cfg.https, cfg.proxy_ssl_header, cfg.hsts_seconds, cfg.hsts_preload) == (
        False,
        "",
        31_536_000,
        True,
    )
    assert (cfg.api_docs, cfg.login_failure_limit, cfg.login_cooloff_minutes) == ("public", 5, 15)
    assert cfg.api_token_rate == "10/m"
    assert (cfg.fx_markup_bp, cfg.fx_quote_seconds, cfg.payment_fee_bp) == (50, 60, 120)
    assert cfg.settlement_currency == "EUR"
    assert cfg.wallet_currencies == ("CNY", "EUR", "USD", "SGD", "HKD", "GBP")


def test_good_values_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = _load(
        monkeypatch,
        FIERA_HTTPS="yes",
        FIERA_PROXY_SSL_HEADER="X-Forwarded-Proto",
        FIERA_API_DOCS="Staff",
        FIERA_LOGIN_FAILURE_LIMIT="3",
        FIERA_API_TOKEN_RATE="100/h",
        FIERA_FX_MARKUP_BP="0",
        FIERA_SETTLEMENT_CURRENCY="gbp",
        FIERA_WALLET_CURRENCIES="eur,GBP",
    )
    assert config.problems(cfg) == []
    assert cfg.https and cfg.proxy_ssl_header == "X-Forwarded-Proto"
    assert (cfg.api_docs, cfg.login_failure_limit, cfg.api_token_rate) == ("staff", 3, "100/h")
    assert (cfg.fx_markup_bp, cfg.settlement_currency) == (0, "GBP")
    assert cfg.wallet_currencies == ("EUR", "GBP")


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("FIERA_FX_MARKUP_BP", "abc", "FIERA_FX_MARKUP_BP must be a whole number from 0 to 5000"),
        ("FIERA_FX_MARKUP_BP", "\u0665\u0660", "FIERA_FX_MARKUP_BP must be a whole number"),
        ("FIERA_FX_MARKUP_BP", "0.5", "FIERA_FX_MARKUP_BP must be a whole number"),
        ("FIERA_PAYMENT_FEE_BP", "-1", "FIERA_PAYMENT_FEE_BP must be a whole number from 0"),
        ("FIERA_PAYMENT_FEE_BP", "9999", "FIERA_PAYMENT_FEE_BP must be a whole number"),
        ("FIERA_FX_QUOTE_SECONDS", "0", "FIERA_FX_QUOTE_SECONDS must be a whole number from 1"),
        ("FIERA_SETTLEMENT_CURRENCY", "EURO", "FIERA_SETTLEMENT_CURRENCY must be an ISO 4217"),
        ("FIERA_SETTLEMENT_CURRENCY", "XYZ", "FIERA_SETTLEMENT_CURRENCY must be an ISO 4217"),
        ("FIERA_WALLET_CURRENCIES", "EUR,nope", "not currencies: 'nope'"),
        ("FIERA_WALLET_CURRENCIES", ",,", "FIERA_WALLET_CURRENCIES must list ISO 4217"),
        ("FIERA_API_DOCS", "private", "FIERA_API_DOCS must be one of public, staff, off"),
        ("FIERA_API_TOKEN_RATE", "10 per minute", "FIERA_API_TOKEN_RATE must be a number"),
        ("FIERA_API_TOKEN_RATE", "0/m", "FIERA_API_TOKEN_RATE must be a number"),
        ("FIERA_LOGIN_RATE", "many", "FIERA_LOGIN_RATE must be a number of requests"),
        ("FIERA_LOGIN_FAILURE_LIMIT", "0", "FIERA_LOGIN_FAILURE_LIMIT must be a whole number"),
        ("FIERA_HSTS_SECONDS", "1e9", "FIERA_HSTS_SECONDS must be a whole number"),
        ("FIERA_PROXY_SSL_HEADER", "X Forwarded: https", "FIERA_PROXY_SSL_HEADER must be"),
    ],
)
def test_a_bad_value_is_named_in_plain_words(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, words: str
) -> None:
    cfg = _load(monkeypatch, **{name: value})
    found = config.problems(cfg)
    assert len(found) == 1
    assert words in found[0]
    assert found[0].startswith(name)


def test_fiera_check_and_serve_refuse_a_bad_value(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fiera.cli import main

    _load(monkeypatch, FIERA_FX_MARKUP_BP="fifty")
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "FIERA_FX_MARKUP_BP must be a whole number from 0 to 5000" in out
    assert "payments:   FX spread 50 bp" in out
    assert main(["serve", "--port", "0"]) == 2
    assert "FIERA_FX_MARKUP_BP" in capsys.readouterr().err
