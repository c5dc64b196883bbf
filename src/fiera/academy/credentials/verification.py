"""Verifying an Open Badges 3.0 credential signed with eddsa-rdfc-2022 by a did:key issuer.

:func:`verify` never raises on bad input: whatever it is given, it returns a
:class:`VerificationResult` whose ``reason`` is a stable code (:class:`Reason`) for pages and
the API to translate, and whose ``detail`` is an English sentence for logs and the CLI.

Checks, in order (the first failure is the reason):
1. ``malformed``: not JSON, not an object, no ``@context`` starting with the VC context, not a
   VerifiableCredential + OpenBadgeCredential (or AchievementCredential), no credentialSubject,
   no proof, a date that does not parse.
2. ``unsupported_proof``: a proof other than DataIntegrityProof/eddsa-rdfc-2022, a proof set,
   another proof purpose than assertionMethod.
3. ``issuer_not_did_key``: the issuer is not a ``did:key`` (``unsupported_proof`` when it is a
   did:key of another key type, ``malformed`` when the did:key is garbled).
4. ``key_mismatch``: the proof's verificationMethod is not the issuer's did:key.
5. ``bad_signature``: the signature does not hold (any change after signing); canonicalising
   first may still find the document ``malformed``: a context that is not shipped
   ("unknown context <url>"), a key its contexts do not define, invalid JSON-LD.
6. ``revoked``: ``status_check(credential)`` returned True.
7. ``not_yet_valid`` / ``expired``: ``now`` before validFrom / at or after validUntil (VC 1.1:
   issuanceDate / expirationDate).
Any issuer's credential verifies when all hold: whether the issuer is this academy is the
caller's question (compare ``issuer_id``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypedDict

from .dataintegrity import ASSERTION_METHOD, ProofError, check_proof_kind, single_proof
from .dataintegrity import verify_proof as _verify_proof
from .keys import DID_KEY_PREFIX, DidKeyError, public_key_from_did_key, verification_method_for
from .loader import VC_V1_CONTEXT, VC_V2_CONTEXT, ContextLoader

MAX_CREDENTIAL_BYTES = 2 * 1024 * 1024  # a credential with an embedded image is well under this

StatusCheck = Callable[[Mapping[str, Any]], bool | None]


class Reason(StrEnum):
    """Why a credential does not verify (stable codes: pages translate by them)."""

    MALFORMED = "malformed"
    UNSUPPORTED_PROOF = "unsupported_proof"
    ISSUER_NOT_DID_KEY = "issuer_not_did_key"
    KEY_MISMATCH = "key_mismatch"
    BAD_SIGNATURE = "bad_signature"
    REVOKED = "revoked"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"


@dataclass(frozen=True)
class VerificationResult:
    """The outcome of :func:`verify`.

    ``reason`` is None exactly when ``valid``. The descriptive fields are read from the
    document as given, whether or not it verified, and are None where absent or not text:
    show them as what the document *claims* unless ``valid``.
    ``subject_name`` is the recipient's clear-text name (an IdentityObject of type ``name``).
    """

    valid: bool
    reason: Reason | None
    detail: str
    issuer_id: str | None = None
    issuer_name: str | None = None
    credential_id: str | None = None
    credential_name: str | None = None
    subject_name: str | None = None
    achievement_name: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    @property
    def code(self) -> str:
        """``valid`` or the reason's code: one key to translate."""
        return "valid" if self.reason is None else self.reason.value


class _Invalid(Exception):
    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_datetime(value: Any, field: str) -> datetime | None:
    """An xsd:dateTime credential field as an aware datetime (no zone: UTC); None if absent."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Invalid(Reason.MALFORMED, f"{field} is not a date and time")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _Invalid(Reason.MALFORMED, f"{field} is not an ISO 8601 date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _load(credential_json: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(credential_json, Mapping):
        return dict(credential_json)
    if isinstance(credential_json, (bytes, bytearray)):
        if len(credential_json) > MAX_CREDENTIAL_BYTES:
            raise _Invalid(Reason.MALFORMED, "the credential is too large")
        try:
            credential_json = bytes(credential_json).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _Invalid(Reason.MALFORMED, "the credential is not UTF-8 text") from None
    if not isinstance(credential_json, str):
        raise _Invalid(Reason.MALFORMED, "the credential is not JSON text")
    if len(credential_json) > MAX_CREDENTIAL_BYTES:
        raise _Invalid(Reason.MALFORMED, "the credential is too large")
    try:
        document = json.loads(credential_json)
    except (ValueError, RecursionError):
        raise _Invalid(Reason.MALFORMED, "the credential is not valid JSON") from None
    if not isinstance(document, dict):
        raise _Invalid(Reason.MALFORMED, "the credential is not a JSON object")
    return document


def _describe(document: Mapping[str, Any]) -> dict[str, str | None]:
    """The display fields, read leniently (never raises)."""
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    issuer_name = issuer.get("name") if isinstance(issuer, Mapping) else None
    subject = document.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement_name = subject_name = None
    if isinstance(subject, Mapping):
        achievement = subject.get("achievement")
        if isinstance(achievement, Mapping):
            achievement_name = _text(achievement.get("name"))
        for identity in _as_list(subject.get("identifier")):
            if (
                isinstance(identity, Mapping)
                and identity.get("identityType") in ("name", "ext:name")
                and identity.get("hashed") is False
            ):
                subject_name = _text(identity.get("identityHash"))
                break
    return {
        "issuer_id": _text(issuer_id),
        "issuer_name": _text(issuer_name),
        "credential_id": _text(document.get("id")),
        "credential_name": _text(document.get("name")),
        "subject_name": subject_name,
        "achievement_name": achievement_name,
    }


def _check_shape(document: Mapping[str, Any]) -> None:
    contexts = document.get("@context")
    if contexts is None:
        raise _Invalid(Reason.MALFORMED, "the credential has no @context")
    contexts = _as_list(contexts)
    if not contexts or contexts[0] not in (VC_V2_CONTEXT, VC_V1_CONTEXT):
        raise _Invalid(Reason.MALFORMED, f"the credential's first @context is not {VC_V2_CONTEXT}")
    types = document.get("type")
    if types is None:
        raise _Invalid(Reason.MALFORMED, "the credential has no type")
    types = _as_list(types)
    if "VerifiableCredential" not in types:
        raise _Invalid(Reason.MALFORMED, "the document is not a VerifiableCredential")
    if "OpenBadgeCredential" not in types and "AchievementCredential" not in types:
        raise _Invalid(Reason.MALFORMED, "the credential is not an OpenBadgeCredential")
    if not isinstance(document.get("credentialSubject"), Mapping):
        raise _Invalid(Reason.MALFORMED, "the credential has no credentialSubject object")
    if "proof" not in document:
        raise _Invalid(Reason.MALFORMED, "the credential has no proof (it is not signed)")


def _issuer_key(document: Mapping[str, Any], proof: Mapping[str, Any]) -> bytes:
    """The issuer's Ed25519 public key, once the proof is shown to name it."""
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(issuer_id, str) or not issuer_id:
        raise _Invalid(Reason.MALFORMED, "the credential has no issuer id")
    if not issuer_id.startswith(DID_KEY_PREFIX):
        raise _Invalid(
            Reason.ISSUER_NOT_DID_KEY,
            f"the issuer {issuer_id} is not a did:key, so its key cannot be checked offline",
        )
    if "#" in issuer_id:
        raise _Invalid(Reason.MALFORMED, "the issuer id is a did:key URL, not a DID")
    try:
        public_key = public_key_from_did_key(issuer_id)
    except DidKeyError as error:
        if error.other_key_type:
            raise _Invalid(
                Reason.UNSUPPORTED_PROOF,
                f"the issuer's did:key cannot sign eddsa proofs: {error}",
            ) from None
        raise _Invalid(Reason.MALFORMED, f"the issuer's did:key is invalid: {error}") from None
    method = proof.get("verificationMethod")
    if isinstance(method, Mapping):
        method = method.get("id")
    if method != verification_method_for(issuer_id):
        raise _Invalid(
            Reason.KEY_MISMATCH,
            f"the proof was made with {method!r}, not with the issuer's key "
            f"{verification_method_for(issuer_id)}",
        )
    return public_key


class _Dates(TypedDict):
    valid_from: datetime | None
    valid_until: datetime | None


def _dates(dates: Mapping[str, datetime | None]) -> _Dates:
    return {"valid_from": dates.get("valid_from"), "valid_until": dates.get("valid_until")}


class StatusCheckError(RuntimeError):
    """The caller's ``status_check`` raised: a bug on the caller's side, so it propagates."""


def _revoked(status_check: StatusCheck, document: Mapping[str, Any]) -> bool:
    try:
        return status_check(document) is True
    except Exception as error:
        raise StatusCheckError("the status check failed") from error


def verify(
    credential_json: str | bytes | Mapping[str, Any],
    *,
    now: datetime,
    status_check: StatusCheck | None = None,
    loader: ContextLoader | None = None,
) -> VerificationResult:
    """Verifies an OB 3.0 credential (JSON text, UTF-8 bytes or parsed dict); see module doc.

    ``now`` must be timezone-aware (ValueError otherwise: a programming error, not bad input).
    ``status_check(credential)`` is called only once the signature holds; it returns True
    when the credential is revoked, False when it is not, None when it cannot tell (e.g. the
    list is another issuer's); if it raises, StatusCheckError propagates. ``loader`` serves
    contexts (default: the shipped ones only). Never raises for any input document.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    described: dict[str, str | None] = {}
    dates: dict[str, datetime | None] = {"valid_from": None, "valid_until": None}
    try:
        document = _load(credential_json)
        described = _describe(document)
        _check_shape(document)
        dates["valid_from"] = parse_datetime(
            document.get("validFrom", document.get("issuanceDate")), "validFrom"
        )
        dates["valid_until"] = parse_datetime(
            document.get("validUntil", document.get("expirationDate")), "validUntil"
        )
        proof = single_proof(document)
        check_proof_kind(proof)
        if proof.get("proofPurpose") != ASSERTION_METHOD:
            raise _Invalid(
                Reason.UNSUPPORTED_PROOF,
                f"the proof's purpose is {proof.get('proofPurpose')!r}, not assertionMethod",
            )
        public_key = _issuer_key(document, proof)
        _verify_proof(document, public_key=public_key, loader=loader)
        if status_check is not None and _revoked(status_check, document):
            raise _Invalid(Reason.REVOKED, "the issuer has revoked this credential")
        if dates["valid_from"] is not None and now < dates["valid_from"]:
            raise _Invalid(
                Reason.NOT_YET_VALID,
                f"the credential is valid only from {dates['valid_from'].isoformat()}",
            )
        if dates["valid_until"] is not None and now >= dates["valid_until"]:
            raise _Invalid(
                Reason.EXPIRED, f"the credential expired on {dates['valid_until'].isoformat()}"
            )
    except StatusCheckError:
        raise
    except _Invalid as invalid:
        return VerificationResult(
            False, invalid.reason, invalid.detail, **described, **_dates(dates)
        )
    except ProofError as error:
        return VerificationResult(
            False, Reason(error.reason), error.detail, **described, **_dates(dates)
        )
    except Exception:  # never raise on input; a bug here must not become a 500 on a public page
        return VerificationResult(
            False,
            Reason.MALFORMED,
            "the credential could not be read",
            **described,
            **_dates(dates),
        )
    return VerificationResult(
        True,
        None,
        "the credential is authentic and currently valid",
        **described,
        **_dates(dates),
    )
