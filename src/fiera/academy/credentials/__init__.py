"""Verifiable credentials for the academy's certificates: the cryptography and verification.

Pure Python, no Django: Open Badges 3.0 ``OpenBadgeCredential`` documents (W3C VC Data
Model 2.0), signed with the ``eddsa-rdfc-2022`` Data Integrity cryptosuite by a ``did:key``
(Ed25519) issuer, revocable through a Bitstring Status List. JSON-LD contexts are shipped in
``contexts/`` and nothing is ever fetched from the network.

Typical use (the certificate service)::

    key = key_pair_from_secret_multibase(secret)              # kept as a secret
    unsigned = build_open_badge_credential(
        credential_id=url, issuer=IssuerProfile(id=key.did, name=..., url=...),
        achievement=AchievementSpec(...), recipient=recipient_for_email(email, salt=new_salt()),
        valid_from=now, status=StatusListEntry(index=i, list_credential_url=list_url))
    signed = sign(unsigned, key_pair=key, created=now)        # a dict; json.dumps it
    result = verify(text, now=now, status_check=...)          # VerificationResult
"""

from .dataintegrity import (
    CRYPTOSUITE,
    PROOF_TYPE,
    ProofError,
    canonicalize,
    create_proof,
    format_datetime,
    hash_data,
    sign,
    verify_proof,
)
from .keys import (
    DidKeyError,
    Ed25519KeyPair,
    did_key_from_public_key,
    generate_key_pair,
    key_pair_from_secret_multibase,
    key_pair_from_seed,
    public_key_from_did_key,
    verification_method_for,
)
from .loader import KNOWN_CONTEXTS, ContextLoader, UnknownContextError
from .openbadges import (
    AchievementSpec,
    IssuerProfile,
    RecipientIdentity,
    StatusListEntry,
    build_open_badge_credential,
    email_matches,
    email_matches_credential,
    identity_hash,
    new_salt,
    normalize_email,
    recipient_for_email,
)
from .statuslist import (
    MIN_BITS,
    StatusListError,
    build_status_list_credential,
    decode_status_list,
    encode_bitstring,
    encode_status_list,
    get_bit,
    new_bitstring,
    set_bit,
    status_at,
    status_entry_of,
)
from .verification import Reason, StatusCheckError, VerificationResult, verify

__all__ = [
    "CRYPTOSUITE",
    "KNOWN_CONTEXTS",
    "MIN_BITS",
    "PROOF_TYPE",
    "AchievementSpec",
    "ContextLoader",
    "DidKeyError",
    "Ed25519KeyPair",
    "IssuerProfile",
    "ProofError",
    "Reason",
    "RecipientIdentity",
    "StatusCheckError",
    "StatusListEntry",
    "StatusListError",
    "UnknownContextError",
    "VerificationResult",
    "build_open_badge_credential",
    "build_status_list_credential",
    "canonicalize",
    "create_proof",
    "decode_status_list",
    "did_key_from_public_key",
    "email_matches",
    "email_matches_credential",
    "encode_bitstring",
    "encode_status_list",
    "format_datetime",
    "generate_key_pair",
    "get_bit",
    "hash_data",
    "identity_hash",
    "key_pair_from_secret_multibase",
    "key_pair_from_seed",
    "new_bitstring",
    "new_salt",
    "normalize_email",
    "public_key_from_did_key",
    "recipient_for_email",
    "set_bit",
    "sign",
    "status_at",
    "status_entry_of",
    "verification_method_for",
    "verify",
    "verify_proof",
]
