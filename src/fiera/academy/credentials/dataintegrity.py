"""The ``eddsa-rdfc-2022`` Data Integrity cryptosuite (W3C VC Data Integrity EdDSA, §3.3).

Signing (``create_proof``): the proof configuration (type ``DataIntegrityProof``, cryptosuite,
created, verificationMethod, proofPurpose, with the document's ``@context``) and the document
without its proof are each canonicalised to RDFC-1.0 N-Quads; ``hashData`` is
SHA-256(canonical proof configuration) || SHA-256(canonical document), 64 bytes; the proof
value is ``z`` + base58btc of the 64-byte Ed25519 signature of ``hashData``.
Verifying (``verify_proof``) repeats the transformation and checks the signature.

Canonicalisation refuses a key that the document's contexts do not define (it would be
dropped, hence unsigned, while a reader of the JSON still sees it). It is pyld's URDNA2015,
which is RDFC-1.0 with SHA-256 (RDFC-1.0 renamed it); pyld's N-Quads escaping differs from
RDFC-1.0 only for rare control characters, which ``create_proof`` therefore refuses to sign.
Contexts come only from :mod:`.loader` (no network). Two guards make hostile input cheap: a
size limit on the JSON (in :mod:`.verification`), and a work budget on the blank-node hashing
(RDFC-1.0 asks implementations to bound it against "poison" graphs).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pyld import jsonld
from pyld.canon import URDNA2015

from .keys import Ed25519KeyPair, multibase_base58btc_decode, multibase_base58btc_encode
from .loader import DEFAULT_LOADER, ContextLoader, UnknownContextError

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
ASSERTION_METHOD = "assertionMethod"
# Work budget of the blank-node hashing: calls of Hash N-Degree Quads per canonicalisation.
# An Open Badge has a handful of blank nodes and needs a few calls at most.
MAX_N_DEGREE_CALLS = 2_000

_E = TypeVar("_E", bound=BaseException)


class ProofError(Exception):
    """The proof cannot be checked or does not hold.

    ``reason`` is one of the verification reason codes (``malformed``, ``unsupported_proof``,
    ``bad_signature``); ``str(error)`` is an English sentence for people.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class _BoundedURDNA2015(URDNA2015):
    """URDNA2015 (RDFC-1.0) that gives up after MAX_N_DEGREE_CALLS n-degree hashes."""

    def __init__(self) -> None:
        super().__init__()
        self._calls = 0

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        self._calls += 1
        if self._calls > MAX_N_DEGREE_CALLS:
            raise ProofError("malformed", "the document's blank nodes are too complex to check")
        return super().hash_n_degree_quads(id_, issuer)


def _find_cause(error: BaseException, kind: type[_E]) -> _E | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _refuse_dropped_property(expanded_property: str | None) -> None:
    """pyld's hook for a key its contexts do not define (JSON-LD "safe mode").

    Canonicalisation silently drops such a key, so it would not be signed, yet a reader of the
    JSON would see it: refuse the document instead, like jsonld.js's safe mode.
    """
    name = f" ({expanded_property})" if expanded_property else ""
    raise ProofError(
        "malformed", f"the document has a property that its contexts do not define{name}"
    )


def canonicalize(document: Mapping[str, Any], *, loader: ContextLoader | None = None) -> str:
    """The RDFC-1.0 canonical N-Quads of a JSON-LD document (UTF-8 text, one quad a line).

    Raises ProofError("malformed", ...) when the document is not valid JSON-LD or names a
    context that is not shipped (the detail then reads ``unknown context <url>``).
    """
    loader = loader or DEFAULT_LOADER
    options = {
        "documentLoader": loader,
        "contextResolver": loader.resolver(),
        "base": "",
        "processingMode": "json-ld-1.1",
    }
    try:
        processor = jsonld.JsonLdProcessor(on_property_dropped=_refuse_dropped_property)
        dataset = processor.to_rdf(copy.deepcopy(dict(document)), options)
        canonical: str = _BoundedURDNA2015().main(dataset, {"format": "application/n-quads"})
    except Exception as error:  # pyld raises many kinds on hostile input: all mean malformed
        unknown = _find_cause(error, UnknownContextError)
        if unknown is not None:
            raise ProofError("malformed", f"unknown context {unknown.url}") from error
        refused = _find_cause(error, ProofError)
        if refused is not None:
            raise refused from None
        raise ProofError("malformed", "the document is not valid JSON-LD") from error
    return canonical


def _sha256(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def format_datetime(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC (whole seconds), as credentials write dates."""
    if moment.tzinfo is None:
        raise ValueError("a credential date must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def proof_configuration(
    document: Mapping[str, Any],
    *,
    verification_method: str,
    created: datetime | str,
    proof_purpose: str = ASSERTION_METHOD,
) -> dict[str, Any]:
    """The proof options to sign (no proofValue, no @context). ``created`` as a datetime or text."""
    return {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created if isinstance(created, str) else format_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }


def hash_data(
    document: Mapping[str, Any],
    proof_config: Mapping[str, Any],
    *,
    loader: ContextLoader | None = None,
) -> bytes:
    """The 64 bytes that eddsa-rdfc-2022 signs: SHA-256(proof config) || SHA-256(document).

    ``document`` without its ``proof``; ``proof_config`` without ``proofValue``. The proof
    configuration is canonicalised with the document's ``@context``.
    """
    config = {key: value for key, value in proof_config.items() if key != "proofValue"}
    config["@context"] = document.get("@context")
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    return _sha256(canonicalize(config, loader=loader)) + _sha256(
        canonicalize(unsecured, loader=loader)
    )


_CONTROL_CHARACTERS = {chr(code) for code in range(32)} - {"\t", "\n", "\r"} | {"\x7f"}


def _check_text(value: Any) -> None:
    """Refuses control characters whose N-Quads escaping differs between pyld and RDFC-1.0."""
    if isinstance(value, str):
        if _CONTROL_CHARACTERS.intersection(value):
            raise ValueError("a credential text contains a control character")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list):
        for item in value:
            _check_text(item)


def create_proof(
    document: Mapping[str, Any],
    *,
    key_pair: Ed25519KeyPair,
    created: datetime | str,
    verification_method: str | None = None,
    proof_purpose: str = ASSERTION_METHOD,
    loader: ContextLoader | None = None,
) -> dict[str, Any]:
    """An eddsa-rdfc-2022 ``DataIntegrityProof`` of ``document`` (which must have no proof).

    ``verification_method`` defaults to the key pair's did:key verification method; pass
    another only to reproduce a vector that names its key differently. Raises ValueError for a
    document that already has a proof or holds control characters, ProofError("malformed")
    for one that is not valid JSON-LD with shipped contexts.
    """
    if "proof" in document:
        raise ValueError("the document already has a proof")
    _check_text(document)
    config = proof_configuration(
        document,
        verification_method=verification_method or key_pair.verification_method,
        created=created,
        proof_purpose=proof_purpose,
    )
    signature = key_pair.sign(hash_data(document, config, loader=loader))
    return {**config, "proofValue": multibase_base58btc_encode(signature)}


def sign(
    document: Mapping[str, Any],
    *,
    key_pair: Ed25519KeyPair,
    created: datetime | str,
    loader: ContextLoader | None = None,
) -> dict[str, Any]:
    """A copy of ``document`` with an eddsa-rdfc-2022 proof by ``key_pair`` (see create_proof)."""
    proof = create_proof(document, key_pair=key_pair, created=created, loader=loader)
    return {**copy.deepcopy(dict(document)), "proof": proof}


def single_proof(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document's one proof; ProofError when it has none, several, or not an object."""
    proof = document.get("proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            raise ProofError(
                "unsupported_proof" if proof else "malformed",
                "proof sets and chains are not supported" if proof else "the proof is missing",
            )
        proof = proof[0]
    if proof is None:
        raise ProofError("malformed", "the proof is missing")
    if not isinstance(proof, dict):
        raise ProofError("malformed", "the proof is not an object")
    return proof


def check_proof_kind(proof: Mapping[str, Any]) -> None:
    """ProofError("unsupported_proof") unless a DataIntegrityProof with eddsa-rdfc-2022."""
    if proof.get("type") != PROOF_TYPE:
        raise ProofError(
            "unsupported_proof", f"the proof type {proof.get('type')!r} is not supported"
        )
    if proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(
            "unsupported_proof",
            f"the cryptosuite {proof.get('cryptosuite')!r} is not supported (only {CRYPTOSUITE})",
        )


def verify_proof(
    document: Mapping[str, Any],
    *,
    public_key: bytes,
    loader: ContextLoader | None = None,
) -> None:
    """Checks the document's eddsa-rdfc-2022 proof against a raw 32-byte Ed25519 public key.

    Checks only the cryptography: which key the verification method names, and whether it
    belongs to the issuer, is the caller's business (see :func:`.verification.verify`).
    Returns None when the signature holds; raises ProofError with ``reason`` ``malformed``,
    ``unsupported_proof`` or ``bad_signature`` otherwise.
    """
    proof = single_proof(document)
    check_proof_kind(proof)
    proof_value = proof.get("proofValue")
    if not isinstance(proof_value, str):
        raise ProofError("malformed", "the proof has no proofValue")
    try:
        signature = multibase_base58btc_decode(proof_value)
    except ValueError as error:
        raise ProofError("bad_signature", "the proof value is not a valid signature") from error
    if len(signature) != 64:
        raise ProofError("bad_signature", "the proof value is not a valid signature")
    proof_context = proof.get("@context")
    if proof_context is not None and proof_context != document.get("@context"):
        raise ProofError("malformed", "the proof's @context differs from the document's")
    config = {key: value for key, value in proof.items() if key not in ("proofValue", "@context")}
    data = hash_data(document, config, loader=loader)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, ValueError) as error:
        raise ProofError(
            "bad_signature",
            "the signature does not match: the credential was changed after it was signed, "
            "or signed by another key",
        ) from error
