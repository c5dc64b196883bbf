"""verify(): our own Open Badges 3.0 certificates, round trip, tampering and every reason."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import pytest

from fiera.academy.credentials import (
    Reason,
    StatusCheckError,
    generate_key_pair,
    sign,
    status_entry_of,
    verify,
)
from tests.academy.credentials_factories import (
    ISSUED_AT,
    LIST_URL,
    NOW,
    forbid_network,
    issuer_key,
    signed_certificate,
    unsigned_certificate,
)


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_network(monkeypatch)


def test_a_signed_certificate_verifies_from_text_bytes_or_dict() -> None:
    signed = signed_certificate()
    text = json.dumps(signed)

    for given in (signed, text, text.encode("utf-8")):
        result = verify(given, now=NOW)
        assert result.valid, result.detail
        assert result.reason is None
        assert result.code == "valid"


def test_the_result_names_issuer_recipient_and_achievement() -> None:
    key = issuer_key()

    result = verify(signed_certificate(key), now=NOW)

    assert result.issuer_id == key.did
    assert result.issuer_id.startswith("did:key:z6Mk")
    assert result.issuer_name == "Fiera Academy"
    assert result.subject_name == "Giulia Rossi"
    assert result.achievement_name == "Digital Transformation and the Platform Economy"
    assert result.credential_name == "Digital Transformation and the Platform Economy"
    assert result.credential_id == "https://academy.fiera.example/certificates/9f6c2a1e"
    assert result.valid_from == ISSUED_AT
    assert result.valid_until == ISSUED_AT + timedelta(days=3 * 365)


def test_any_did_key_issuer_verifies_whoever_signed_it() -> None:
    stranger = generate_key_pair()

    result = verify(signed_certificate(stranger), now=NOW)

    assert result.valid
    assert result.issuer_id == stranger.did


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = document
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return change


def _flip_proof_value(document: dict[str, Any]) -> None:
    value = document["proof"]["proofValue"]
    document["proof"]["proofValue"] = value[:-3] + ("2" if value[-3] != "2" else "3") + value[-2:]


TAMPERINGS: dict[str, Callable[[dict[str, Any]], None]] = {
    "recipient name": _set("credentialSubject.identifier.1.identityHash", "Mario Bianchi"),
    "credential name": _set("name", "Master of Everything"),
    "achievement name": _set("credentialSubject.achievement.name", "Rocket Science"),
    "achievement description": _set("credentialSubject.achievement.description", "Top marks."),
    "achievement id": _set("credentialSubject.achievement.id", "https://evil.example/a/1"),
    "criteria": _set("credentialSubject.achievement.criteria.narrative", "Nothing at all."),
    "validFrom": _set("validFrom", "2020-01-01T00:00:00Z"),
    "validUntil": _set("validUntil", "2099-01-01T00:00:00Z"),
    "awardedDate": _set("awardedDate", "2025-06-01T00:00:00Z"),
    "email hash": _set("credentialSubject.identifier.0.identityHash", "sha256$" + "ab" * 32),
    "issuer name": _set("issuer.name", "Harvard"),
    "status index": _set("credentialStatus.statusListIndex", "95"),
    "proof created": _set("proof.created", "2026-11-30T17:00:01Z"),
    "proof value": _flip_proof_value,
    "proof value truncated": lambda d: d["proof"].update(proofValue=d["proof"]["proofValue"][:40]),
    "proof value not base58": _set("proof.proofValue", "z0OIl" + "1" * 80),
}


@pytest.mark.parametrize("tampering", sorted(TAMPERINGS))
def test_any_change_after_signing_fails_with_bad_signature(tampering: str) -> None:
    signed = signed_certificate()
    TAMPERINGS[tampering](signed)

    result = verify(signed, now=NOW)

    assert not result.valid
    assert result.reason is Reason.BAD_SIGNATURE, result.detail


def test_the_tampered_claims_are_still_shown_for_what_they_are() -> None:
    signed = signed_certificate()
    signed["credentialSubject"]["achievement"]["name"] = "Rocket Science"

    result = verify(signed, now=NOW)

    assert result.reason is Reason.BAD_SIGNATURE
    assert result.achievement_name == "Rocket Science"  # the page shows it as a failed claim


def test_an_expired_certificate_says_expired() -> None:
    signed = signed_certificate(valid_until=ISSUED_AT + timedelta(days=30))

    assert verify(signed, now=ISSUED_AT + timedelta(days=29)).valid
    result = verify(signed, now=ISSUED_AT + timedelta(days=30))
    assert result.reason is Reason.EXPIRED
    assert "expired" in result.detail


def test_a_certificate_before_its_valid_from_is_not_yet_valid() -> None:
    result = verify(signed_certificate(), now=ISSUED_AT - timedelta(seconds=1))

    assert result.reason is Reason.NOT_YET_VALID


def test_a_revoked_certificate_says_revoked_from_the_status_callback() -> None:
    signed = signed_certificate()
    seen: list[Mapping[str, Any]] = []

    def revoked(credential: Mapping[str, Any]) -> bool | None:
        seen.append(credential)
        entry = status_entry_of(credential)
        assert entry is not None
        return entry.list_credential_url == LIST_URL and entry.index == 94

    result = verify(signed, now=NOW, status_check=revoked)

    assert result.reason is Reason.REVOKED
    assert seen and seen[0]["id"] == signed["id"]
    assert verify(signed, now=NOW, status_check=lambda c: False).valid
    assert verify(signed, now=NOW, status_check=lambda c: None).valid  # cannot tell: not revoked


def test_the_status_callback_is_not_asked_about_a_forgery() -> None:
    signed = signed_certificate()
    signed["name"] = "Forged"

    def never(credential: Mapping[str, Any]) -> bool:
        raise AssertionError("asked about a forged credential")

    assert verify(signed, now=NOW, status_check=never).reason is Reason.BAD_SIGNATURE


def test_a_failing_status_callback_is_the_callers_bug_and_propagates() -> None:
    def broken(credential: Mapping[str, Any]) -> bool:
        raise RuntimeError("database down")

    with pytest.raises(StatusCheckError):
        verify(signed_certificate(), now=NOW, status_check=broken)


def test_a_proof_by_another_key_than_the_issuers_is_a_key_mismatch() -> None:
    issuer, impostor = issuer_key(1), issuer_key(2)
    # The impostor claims the academy as issuer and signs with its own key.
    forged = sign(unsigned_certificate(issuer), key_pair=impostor, created=ISSUED_AT)

    result = verify(forged, now=NOW)

    assert result.reason is Reason.KEY_MISMATCH
    assert impostor.did in result.detail


def test_an_issuer_that_is_not_a_did_key_is_refused_for_what_it_is() -> None:
    key = issuer_key()
    unsigned = unsigned_certificate(key)
    unsigned["issuer"]["id"] = "did:web:academy.fiera.example"
    signed = sign(unsigned, key_pair=key, created=ISSUED_AT)

    assert verify(signed, now=NOW).reason is Reason.ISSUER_NOT_DID_KEY


def test_an_issuer_did_key_that_is_not_ed25519_is_an_unsupported_proof() -> None:
    key = issuer_key()
    unsigned = unsigned_certificate(key)
    p256 = "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169"
    unsigned["issuer"]["id"] = p256
    signed = sign(unsigned, key_pair=key, created=ISSUED_AT)
    signed["proof"]["verificationMethod"] = p256 + "#" + p256.removeprefix("did:key:")

    result = verify(signed, now=NOW)

    assert result.reason is Reason.UNSUPPORTED_PROOF
    assert "P-256" in result.detail


@pytest.mark.parametrize(
    ("field", "value"),
    [("cryptosuite", "ecdsa-rdfc-2019"), ("type", "Ed25519Signature2020")],
)
def test_another_proof_kind_is_unsupported(field: str, value: str) -> None:
    signed = signed_certificate()
    signed["proof"][field] = value

    assert verify(signed, now=NOW).reason is Reason.UNSUPPORTED_PROOF


def test_a_proof_for_another_purpose_is_unsupported() -> None:
    signed = signed_certificate()
    signed["proof"]["proofPurpose"] = "authentication"

    assert verify(signed, now=NOW).reason is Reason.UNSUPPORTED_PROOF


def test_a_proof_in_a_one_item_list_verifies_and_a_set_of_two_is_unsupported() -> None:
    signed = signed_certificate()
    proof = signed["proof"]

    assert verify({**signed, "proof": [proof]}, now=NOW).valid
    assert verify({**signed, "proof": [proof, proof]}, now=NOW).reason is (Reason.UNSUPPORTED_PROOF)


def _without(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda document: {k: v for k, v in document.items() if k != key}


MALFORMED: dict[str, Callable[[dict[str, Any]], Any]] = {
    "not JSON": lambda d: "{this is not json",
    "empty text": lambda d: "",
    "a JSON array": lambda d: "[1, 2]",
    "a JSON string": lambda d: '"did:key:z6Mk"',
    "not UTF-8": lambda d: b"\xff\xfe\x00{",
    "an integer": lambda d: 42,
    "no @context": _without("@context"),
    "no type": _without("type"),
    "no proof": _without("proof"),
    "no subject": _without("credentialSubject"),
    "empty proof list": lambda d: {**d, "proof": []},
    "proof not an object": lambda d: {**d, "proof": "signed"},
    "not a verifiable credential": lambda d: {**d, "type": ["OpenBadgeCredential"]},
    "not an open badge": lambda d: {**d, "type": ["VerifiableCredential"]},
    "other first context": lambda d: {**d, "@context": ["https://schema.org/", *d["@context"]]},
    "unknown context": lambda d: {**d, "@context": [*d["@context"], "https://evil.example/ctx"]},
    "undefined property": lambda d: {**d, "grade": "A+"},
    "protected term redefined": lambda d: {
        **d,
        "@context": [*d["@context"], {"name": "urn:example:name"}],
    },
    "date not a date": lambda d: {**d, "validFrom": "last Tuesday"},
    "date a number": lambda d: {**d, "validUntil": 20291201},
    "issuer did:key garbled": lambda d: {**d, "issuer": {**d["issuer"], "id": "did:key:z0OIl"}},
    "deep nesting": lambda d: "[" * 100_000 + "]" * 100_000,
    "too large": lambda d: " " * (3 * 1024 * 1024) + "{}",
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_bad_input_is_malformed_with_a_reason_and_never_raises(case: str) -> None:
    given = MALFORMED[case](copy.deepcopy(signed_certificate()))

    result = verify(given, now=NOW)

    assert not result.valid
    assert result.reason is Reason.MALFORMED, result.detail
    assert result.detail


def test_an_unknown_context_is_named_in_the_reason() -> None:
    signed = signed_certificate()
    signed["@context"].append("https://evil.example/ctx")

    result = verify(signed, now=NOW)

    assert result.reason is Reason.MALFORMED
    assert result.detail == "unknown context https://evil.example/ctx"


def test_an_added_inline_context_cannot_change_what_was_signed() -> None:
    # JSON-LD allows inline contexts; the VC and OB contexts are @protected, so an appended
    # one cannot redefine their terms, and any term it adds changes the canonical form.
    signed = signed_certificate()
    signed["@context"].append({"@vocab": "urn:example:"})

    assert verify(signed, now=NOW).valid
    signed["grade"] = "A+"
    assert verify(signed, now=NOW).reason is Reason.BAD_SIGNATURE


def test_now_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        verify(signed_certificate(), now=NOW.replace(tzinfo=None))
