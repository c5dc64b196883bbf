"""did:key for Ed25519 and the stored form of the private key."""

from __future__ import annotations

import pytest

from fiera.academy.credentials import (
    DidKeyError,
    did_key_from_public_key,
    generate_key_pair,
    key_pair_from_secret_multibase,
    key_pair_from_seed,
    public_key_from_did_key,
    verification_method_for,
)
from fiera.academy.credentials.keys import multibase_base58btc_encode

# did:key spec test vector (Ed25519): https://w3c-ccg.github.io/did-method-key/#ed25519-x25519
SPEC_DID = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"


def test_a_new_key_has_a_z6mk_did_and_a_verification_method_naming_it_twice() -> None:
    key = generate_key_pair()

    assert key.did.startswith("did:key:z6Mk")
    value = key.did.removeprefix("did:key:")
    assert key.verification_method == f"{key.did}#{value}"
    assert verification_method_for(key.did) == key.verification_method
    assert public_key_from_did_key(key.did) == key.public_key
    assert public_key_from_did_key(key.verification_method) == key.public_key
    assert len(key.public_key) == 32


def test_the_did_of_a_public_key_round_trips() -> None:
    public_key = public_key_from_did_key(SPEC_DID)

    assert did_key_from_public_key(public_key) == SPEC_DID


def test_the_stored_secret_restores_the_same_key() -> None:
    key = generate_key_pair()
    stored = key.secret_multibase()

    restored = key_pair_from_secret_multibase(stored)

    assert stored.startswith("z3u2")
    assert restored.did == key.did
    assert restored.sign(b"certificate") == key.sign(b"certificate")  # Ed25519 is deterministic


def test_the_secret_never_shows_in_the_repr() -> None:
    key = key_pair_from_seed(b"\x01" * 32)

    assert key.secret_multibase() not in repr(key)
    assert key.did in repr(key)


@pytest.mark.parametrize(
    ("did", "reason"),
    [
        ("did:web:example.com", "not a did:key"),
        ("did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169", "P-256"),
        ("did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", "secp256k1"),
        ("did:key:z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F", "X25519"),
        ("did:key:6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", "multibase"),
        ("did:key:z0OIl", "invalid character"),
        ("did:key:" + multibase_base58btc_encode(b"\xed\x01" + bytes(31)), "length"),
        (SPEC_DID + "#z6MkOther", "fragment"),
    ],
)
def test_a_did_that_is_not_an_ed25519_did_key_is_refused_with_a_reason(
    did: str, reason: str
) -> None:
    with pytest.raises(DidKeyError, match=reason):
        public_key_from_did_key(did)


@pytest.mark.parametrize(
    "text",
    ["", "z", "not multibase", "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"],
)
def test_a_stored_secret_that_is_not_an_ed25519_multikey_secret_is_refused(text: str) -> None:
    with pytest.raises(DidKeyError):
        key_pair_from_secret_multibase(text)
