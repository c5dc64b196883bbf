"""Builders for the credentials-core tests: a fixed issuer key, an OB 3.0 certificate, the
published test vectors, and a guard that fails any test which opens a network connection."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from fiera.academy.credentials import (
    AchievementSpec,
    ContextLoader,
    Ed25519KeyPair,
    IssuerProfile,
    StatusListEntry,
    build_open_badge_credential,
    key_pair_from_seed,
    recipient_for_email,
    sign,
)

DATA = Path(__file__).parent / "data"
ONE_EDTECH = DATA / "1edtech-obv3p0"
W3C = DATA / "w3c-vc-di-eddsa"
EXAMPLES_CONTEXT = "https://www.w3.org/ns/credentials/examples/v2"

ISSUED_AT = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
NOW = ISSUED_AT + timedelta(days=1)
SALT = "d2f1c0ffee5a1t00d2f1c0ffee5a1t00"
EMAIL = "Giulia.Rossi@example.it"
LIST_URL = "https://academy.fiera.example/credentials/status/1"


def issuer_key(seed_byte: int = 7) -> Ed25519KeyPair:
    """A deterministic issuer key (a different byte gives a different key)."""
    return key_pair_from_seed(bytes([seed_byte]) * 32)


def unsigned_certificate(key: Ed25519KeyPair | None = None, **overrides: Any) -> dict[str, Any]:
    """An unsigned masterclass certificate issued by ``key``'s did:key."""
    key = key or issuer_key()
    arguments: dict[str, Any] = {
        "credential_id": "https://academy.fiera.example/certificates/9f6c2a1e",
        "issuer": IssuerProfile(
            id=key.did, name="Fiera Academy", url="https://academy.fiera.example/"
        ),
        "achievement": AchievementSpec(
            id="https://academy.fiera.example/achievements/platform-economy-2026",
            name="Digital Transformation and the Platform Economy",
            description="Passed the final exam of the 2026 masterclass for founders.",
            criteria_narrative="Complete every module and pass the final exam with 70% or more.",
            image_url="https://academy.fiera.example/static/academy/badge.png",
        ),
        "recipient": recipient_for_email(EMAIL, salt=SALT, name="Giulia Rossi"),
        "valid_from": ISSUED_AT,
        "valid_until": ISSUED_AT + timedelta(days=3 * 365),
        "status": StatusListEntry(index=94, list_credential_url=LIST_URL),
    }
    arguments.update(overrides)
    return build_open_badge_credential(**arguments)


def signed_certificate(key: Ed25519KeyPair | None = None, **overrides: Any) -> dict[str, Any]:
    key = key or issuer_key()
    return sign(unsigned_certificate(key, **overrides), key_pair=key, created=ISSUED_AT)


def load_json(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return document


def examples_loader() -> ContextLoader:
    """The shipped contexts plus the W3C examples context (the W3C vector needs it)."""
    return ContextLoader({EXAMPLES_CONTEXT: load_json(DATA / "w3c-credentials-examples-v2.jsonld")})


def forbid_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to resolve a name or open a connection fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"the credentials core tried to use the network: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
