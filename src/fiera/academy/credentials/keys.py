"""Ed25519 keys and ``did:key`` identifiers (W3C did:key method, Multikey encoding).

A ``did:key`` for Ed25519 is ``did:key:`` + multibase base58btc (prefix ``z``) of the
multicodec header ``0xed 0x01`` followed by the 32-byte public key; it always starts
``did:key:z6Mk``. Its one verification method is ``<did>#<the same multibase value>``.

Storage format of the private key (:meth:`Ed25519KeyPair.secret_multibase`): the Multikey
``secretKeyMultibase`` form, ``z`` + base58btc(``0x80 0x26`` + 32-byte seed) (multicodec
``ed25519-priv``, 0x1300), about 48 ASCII characters. It is the same format as the
``privateKeyMultibase`` of the W3C vc-di-eddsa test vectors. Store it as a secret (environment
variable or secrets store), never in the database next to the certificates.
"""

from __future__ import annotations

from dataclasses import dataclass

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ED25519_PUB_HEADER = b"\xed\x01"  # multicodec 0xed, unsigned varint
ED25519_PRIV_HEADER = b"\x80\x26"  # multicodec 0x1300, unsigned varint
DID_KEY_PREFIX = "did:key:"
MULTIBASE_BASE58BTC = "z"

# Multicodec headers of other did:key types, so that refusals name what was found.
_OTHER_KEY_TYPES: dict[bytes, str] = {
    b"\xe7\x01": "secp256k1",
    b"\x80\x24": "P-256",
    b"\x81\x24": "P-384",
    b"\xec\x01": "X25519",
    b"\xeb\x01": "BLS12-381 G2",
    b"\x85\x24": "RSA",
}


class DidKeyError(ValueError):
    """A did:key (or key text) that cannot be used; ``str(error)`` says why, in English.

    ``other_key_type`` is True when the key is well formed but not Ed25519 (P-256, ...).
    """

    def __init__(self, message: str, *, other_key_type: bool = False) -> None:
        super().__init__(message)
        self.other_key_type = other_key_type


def multibase_base58btc_encode(data: bytes) -> str:
    """``z`` + base58btc (Bitcoin alphabet) of ``data``."""
    return MULTIBASE_BASE58BTC + base58.b58encode(data).decode("ascii")


def multibase_base58btc_decode(text: str) -> bytes:
    """The bytes of a ``z``-prefixed base58btc multibase string; ValueError if it is not one."""
    if not isinstance(text, str) or not text.startswith(MULTIBASE_BASE58BTC) or len(text) < 2:
        raise ValueError("not a multibase base58btc value (it must start with 'z')")
    try:
        return base58.b58decode(text[1:].encode("ascii"))
    except (ValueError, UnicodeEncodeError) as error:
        raise ValueError("not a multibase base58btc value (invalid character)") from error


def public_key_multibase(public_key: bytes) -> str:
    """The Multikey ``publicKeyMultibase`` of a raw 32-byte Ed25519 public key (``z6Mk...``)."""
    if len(public_key) != 32:
        raise DidKeyError("an Ed25519 public key is 32 bytes")
    return multibase_base58btc_encode(ED25519_PUB_HEADER + public_key)


def did_key_from_public_key(public_key: bytes) -> str:
    """``did:key:z6Mk...`` for a raw 32-byte Ed25519 public key."""
    return DID_KEY_PREFIX + public_key_multibase(public_key)


def verification_method_for(did: str) -> str:
    """The verification method id of a did:key: ``did:key:X#X``."""
    return f"{did}#{did.removeprefix(DID_KEY_PREFIX)}"


def public_key_from_multibase(value: str) -> bytes:
    """The raw 32-byte Ed25519 public key in a ``publicKeyMultibase`` value.

    Raises DidKeyError, saying which key type was found when it is not Ed25519.
    """
    try:
        decoded = multibase_base58btc_decode(value)
    except ValueError as error:
        raise DidKeyError(f"the key is {error}") from error
    header = decoded[:2]
    if header != ED25519_PUB_HEADER:
        kind = _OTHER_KEY_TYPES.get(header)
        if kind:
            raise DidKeyError(f"the key is a {kind} key, not Ed25519", other_key_type=True)
        raise DidKeyError("the key is of an unknown type, not Ed25519", other_key_type=True)
    if len(decoded) != 34:
        raise DidKeyError("the Ed25519 key has the wrong length (32 bytes expected)")
    return decoded[2:]


def public_key_from_did_key(did: str) -> bytes:
    """The raw 32-byte Ed25519 public key of ``did:key:z6Mk...``.

    Accepts the bare DID or its verification method id (``did:key:X#X``; the fragment must
    then equal X). Raises DidKeyError for anything else: not a did:key, another key type
    (P-256, secp256k1...), bad encoding.
    """
    if not isinstance(did, str) or not did.startswith(DID_KEY_PREFIX):
        raise DidKeyError("not a did:key identifier")
    value, _, fragment = did.removeprefix(DID_KEY_PREFIX).partition("#")
    if fragment and fragment != value:
        raise DidKeyError("the did:key's fragment does not name its own key")
    return public_key_from_multibase(value)


@dataclass(frozen=True)
class Ed25519KeyPair:
    """An Ed25519 signing key with its did:key names. Immutable; safe to share."""

    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte public key."""
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def seed(self) -> bytes:
        """The raw 32-byte private seed (secret)."""
        return self.private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    @property
    def did(self) -> str:
        """``did:key:z6Mk...``."""
        return did_key_from_public_key(self.public_key)

    @property
    def verification_method(self) -> str:
        """``did:key:z6Mk...#z6Mk...``: what a proof names as its verificationMethod."""
        return verification_method_for(self.did)

    def secret_multibase(self) -> str:
        """The private key for storage: ``z`` + base58btc(0x8026 + seed) (see module doc)."""
        return multibase_base58btc_encode(ED25519_PRIV_HEADER + self.seed)

    def sign(self, data: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``data`` (deterministic, RFC 8032)."""
        return self.private_key.sign(data)

    def __repr__(self) -> str:  # never print the secret
        return f"Ed25519KeyPair(did={self.did!r})"


def generate_key_pair() -> Ed25519KeyPair:
    """A new random Ed25519 key pair (from the operating system's CSPRNG)."""
    return Ed25519KeyPair(Ed25519PrivateKey.generate())


def key_pair_from_seed(seed: bytes) -> Ed25519KeyPair:
    """The key pair of a raw 32-byte seed (the first half of a 64-byte libsodium secret key)."""
    if len(seed) != 32:
        raise DidKeyError("an Ed25519 seed is 32 bytes")
    return Ed25519KeyPair(Ed25519PrivateKey.from_private_bytes(seed))


def key_pair_from_secret_multibase(text: str) -> Ed25519KeyPair:
    """The key pair stored as :meth:`Ed25519KeyPair.secret_multibase`; DidKeyError if invalid."""
    try:
        decoded = multibase_base58btc_decode(text.strip())
    except ValueError as error:
        raise DidKeyError(f"the secret key is {error}") from error
    if decoded[:2] != ED25519_PRIV_HEADER or len(decoded) != 34:
        raise DidKeyError("the secret key is not an Ed25519 Multikey secret (z3u2...)")
    return key_pair_from_seed(decoded[2:])
