"""The published eddsa-rdfc-2022 test vectors, reproduced byte for byte.

1EdTech's Open Badges 3.0 vector (OB 3.0 implementation guide, "Linked Data Proof Test Vector")
and the W3C VC Data Integrity EdDSA specification's vector; sources in data/README.md.
Ed25519 is deterministic, so signing the unsigned document with the vector's key must give
the published proofValue exactly.
"""

from __future__ import annotations

import hashlib

import pytest

from fiera.academy.credentials import (
    ContextLoader,
    ProofError,
    Reason,
    canonicalize,
    create_proof,
    hash_data,
    key_pair_from_secret_multibase,
    key_pair_from_seed,
    public_key_from_did_key,
    verify,
    verify_proof,
)
from fiera.academy.credentials.keys import public_key_multibase
from tests.academy.credentials_factories import (
    NOW,
    ONE_EDTECH,
    W3C,
    examples_loader,
    forbid_network,
    load_json,
)


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_network(monkeypatch)


def _sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- 1EdTech Open Badges 3.0 -------------------------------------------------------------


def test_1edtech_canonical_forms_and_hashes_match_the_published_ones() -> None:
    vector = load_json(ONE_EDTECH / "vector.json")
    unsigned = load_json(ONE_EDTECH / "unsigned.json")
    proof_config = load_json(ONE_EDTECH / "proof-config.json")

    canonical_document = canonicalize(unsigned)
    canonical_proof = canonicalize({**proof_config, "@context": unsigned["@context"]})

    assert canonical_document == (ONE_EDTECH / "document-canon.txt").read_text("utf-8")
    assert canonical_proof == (ONE_EDTECH / "proof-canon.txt").read_text("utf-8")
    assert _sha256_hex(canonical_document) == vector["documentHashHex"]
    assert _sha256_hex(canonical_proof) == vector["proofHashHex"]
    assert hash_data(unsigned, proof_config).hex() == vector["dataToSignHex"]


def test_1edtech_signing_reproduces_the_published_signature_and_proof_value() -> None:
    vector = load_json(ONE_EDTECH / "vector.json")
    proof_config = load_json(ONE_EDTECH / "proof-config.json")
    # The vector's 64-byte secret key is seed || public key (libsodium layout).
    secret = bytes.fromhex(vector["privateKeyHex"])
    key = key_pair_from_seed(secret[:32])
    assert key.public_key.hex() == vector["publicKeyHex"] == secret[32:].hex()
    assert public_key_multibase(key.public_key) == vector["publicKeyMultibase"]

    proof = create_proof(
        load_json(ONE_EDTECH / "unsigned.json"),
        key_pair=key,
        created=proof_config["created"],
        verification_method=proof_config["verificationMethod"],
    )

    assert proof["proofValue"] == vector["proofValue"]
    assert proof == load_json(ONE_EDTECH / "signed.json")["proof"]
    assert key.sign(bytes.fromhex(vector["dataToSignHex"])).hex() == vector["signatureHex"]


def test_1edtech_published_signed_credential_verifies() -> None:
    vector = load_json(ONE_EDTECH / "vector.json")
    signed = load_json(ONE_EDTECH / "signed.json")

    verify_proof(signed, public_key=bytes.fromhex(vector["publicKeyHex"]))  # no error


def test_1edtech_credential_with_a_changed_name_fails_its_signature() -> None:
    vector = load_json(ONE_EDTECH / "vector.json")
    signed = load_json(ONE_EDTECH / "signed.json")
    signed["credentialSubject"]["achievement"]["name"] = "Leadership"

    with pytest.raises(ProofError) as caught:
        verify_proof(signed, public_key=bytes.fromhex(vector["publicKeyHex"]))
    assert caught.value.reason == "bad_signature"


def test_1edtech_vector_is_refused_by_verify_as_its_issuer_is_a_web_url() -> None:
    # The vector's issuer is https://example.edu/issuers/565049: its key can only be found
    # online, so the offline verifier says so instead of trusting the key in the proof.
    result = verify(load_json(ONE_EDTECH / "signed.json"), now=NOW)

    assert result.reason is Reason.ISSUER_NOT_DID_KEY
    assert result.issuer_name == "Example Corp"
    assert result.achievement_name == "Teamwork"


# --- W3C VC Data Integrity EdDSA -----------------------------------------------------------


def test_w3c_key_pair_decodes_to_the_published_did_key() -> None:
    key_pair = load_json(W3C / "keyPair.json")

    key = key_pair_from_secret_multibase(key_pair["privateKeyMultibase"])

    assert key.did == "did:key:" + key_pair["publicKeyMultibase"]
    assert key.secret_multibase() == key_pair["privateKeyMultibase"]


def test_w3c_canonical_forms_and_hashes_match_the_published_ones() -> None:
    loader = examples_loader()
    unsigned = load_json(W3C / "unsigned.json")
    proof_config = load_json(W3C / "proofConfigDataInt.json")  # carries the @context

    assert canonicalize(unsigned, loader=loader) == (W3C / "canonDocDataInt.txt").read_text()
    assert canonicalize(proof_config, loader=loader) == (W3C / "proofCanonDataInt.txt").read_text()
    assert _sha256_hex(canonicalize(unsigned, loader=loader)) == (
        (W3C / "docHashDataInt.txt").read_text().strip()
    )
    assert hash_data(unsigned, proof_config, loader=loader).hex() == (
        (W3C / "combinedHashDataInt.txt").read_text().strip()
    )


def test_w3c_signing_reproduces_the_published_proof_value() -> None:
    key = key_pair_from_secret_multibase(load_json(W3C / "keyPair.json")["privateKeyMultibase"])
    proof_config = load_json(W3C / "proofConfigDataInt.json")

    proof = create_proof(
        load_json(W3C / "unsigned.json"),
        key_pair=key,
        created=proof_config["created"],
        loader=examples_loader(),
    )

    assert proof["verificationMethod"] == proof_config["verificationMethod"]
    assert proof["proofValue"] == (W3C / "sigBTC58DataInt.txt").read_text().strip()
    assert proof == load_json(W3C / "signedDataInt.json")["proof"]


def test_w3c_published_signed_credential_verifies_with_the_key_its_proof_names() -> None:
    signed = load_json(W3C / "signedDataInt.json")
    public_key = public_key_from_did_key(signed["proof"]["verificationMethod"])

    verify_proof(signed, public_key=public_key, loader=examples_loader())  # no error


def test_w3c_vector_needs_a_context_that_production_does_not_ship() -> None:
    signed = load_json(W3C / "signedDataInt.json")
    public_key = public_key_from_did_key(signed["proof"]["verificationMethod"])

    with pytest.raises(ProofError) as caught:
        verify_proof(signed, public_key=public_key)

    assert caught.value.reason == "malformed"
    assert str(caught.value) == "unknown context https://www.w3.org/ns/credentials/examples/v2"


def test_a_poison_graph_is_refused_quickly_instead_of_hashed_for_hours() -> None:
    # Six blank nodes all linked to each other: RDFC-1.0's n-degree hashing explores every
    # permutation; the work budget stops it (RDFC-1.0 asks implementations to bound it).
    loader = ContextLoader({"urn:example:context": {"@context": {"@vocab": "urn:example:"}}})
    nodes = [
        {"@id": f"_:b{i}", "knows": [{"@id": f"_:b{j}"} for j in range(6) if j != i]}
        for i in range(6)
    ]

    with pytest.raises(ProofError, match="too complex"):
        canonicalize({"@context": "urn:example:context", "@graph": nodes}, loader=loader)


def test_a_context_known_to_one_loader_is_still_refused_by_the_default_one() -> None:
    unsigned = load_json(W3C / "unsigned.json")
    canonicalize(unsigned, loader=examples_loader())  # resolved and cached by that loader

    with pytest.raises(ProofError, match="unknown context"):
        canonicalize(unsigned)
