"""Open Badges 3.0 ``OpenBadgeCredential`` documents (VC Data Model 2.0), ready to sign.

Only terms of the VC 2.0 and OB 3.0.3 contexts are written (a term outside them would be
dropped by canonicalisation, so it would not be signed). The recipient is identified by a
salted email hash (an OB ``IdentityObject``, ``identityType`` ``emailAddress``) and, when
given, by their name as a second ``IdentityObject`` with ``identityType`` ``name`` and
``hashed`` false: OB 3.0's ``AchievementSubject`` has no ``name`` property, and ``name`` is a
value of its ``IdentifierTypeEnum``, so this is how a standard displayer finds it.

IdentityHash (OB 3.0 §B "IdentityHash"): ``sha256$`` + lowercase hex SHA-256 of the UTF-8
identifier immediately followed by the salt, e.g. ``a@example.comKosher``. Emails are
normalised (surrounding spaces removed, lower-cased) before hashing, here and when checking.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .dataintegrity import format_datetime
from .loader import OB_V3_CONTEXT, VC_V2_CONTEXT

OPEN_BADGE_CONTEXTS = (VC_V2_CONTEXT, OB_V3_CONTEXT)
OPEN_BADGE_TYPES = ("VerifiableCredential", "OpenBadgeCredential")


@dataclass(frozen=True)
class IssuerProfile:
    """The issuer: ``id`` is its did:key (``did:key:z6Mk...``); ``url`` its home page."""

    id: str
    name: str
    url: str | None = None


@dataclass(frozen=True)
class AchievementSpec:
    """What was achieved. ``id`` is a URL naming the achievement (the same for every learner
    who earns it); ``achievement_type`` one of OB 3.0's AchievementType values ("Certificate",
    "Badge", "Course", ...); ``image_url`` an https or data: URL of a PNG or SVG."""

    id: str
    name: str
    description: str
    criteria_narrative: str
    achievement_type: str = "Certificate"
    image_url: str | None = None


@dataclass(frozen=True)
class RecipientIdentity:
    """The learner as the credential names them: ``email_hash`` is ``sha256$<64 hex>`` of the
    normalised email + ``salt``; ``name`` (optional) is written in clear."""

    email_hash: str
    salt: str
    name: str | None = None


@dataclass(frozen=True)
class StatusListEntry:
    """Where the credential's revocation bit lives: bit ``index`` (0-based, from the left) of
    the BitstringStatusListCredential published at ``list_credential_url``."""

    index: int
    list_credential_url: str
    purpose: str = "revocation"


def normalize_email(email: str) -> str:
    """The email as hashed: surrounding whitespace removed, lower-cased."""
    return email.strip().lower()


def new_salt() -> str:
    """A fresh random salt: 32 hex characters (128 bits)."""
    return secrets.token_hex(16)


def identity_hash(identifier: str, *, salt: str) -> str:
    """``sha256$`` + hex SHA-256 of ``identifier + salt`` (UTF-8), as OB 3.0 defines it."""
    return "sha256$" + hashlib.sha256((identifier + salt).encode("utf-8")).hexdigest()


def recipient_for_email(email: str, *, salt: str, name: str | None = None) -> RecipientIdentity:
    """The RecipientIdentity of a learner's email (normalised, then hashed with ``salt``)."""
    return RecipientIdentity(
        email_hash=identity_hash(normalize_email(email), salt=salt), salt=salt, name=name
    )


def email_matches(email: str, *, identity_hash_value: str, salt: str | None) -> bool:
    """Whether ``email`` is the one behind an IdentityHash (``sha256$...`` or ``md5$...``).

    Compares in constant time; the email is normalised first, and the hash hex is compared
    case-insensitively. A missing salt means an unsalted hash. False for any unknown format.
    """
    algorithm, _, expected = identity_hash_value.partition("$")
    if algorithm not in ("sha256", "md5") or not expected:
        return False
    data = (normalize_email(email) + (salt or "")).encode("utf-8")
    digest = hashlib.new(algorithm, data, usedforsecurity=False).hexdigest()
    return hmac.compare_digest(digest, expected.lower())


def email_matches_credential(email: str, credential: Mapping[str, Any]) -> bool:
    """Whether ``email`` matches any hashed or clear ``emailAddress`` identifier of the
    credential's subject (OB 3.0 verification §"Verify the recipient")."""
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        return False
    identifiers = subject.get("identifier")
    if isinstance(identifiers, Mapping):
        identifiers = [identifiers]
    if not isinstance(identifiers, list):
        return False
    for identity in identifiers:
        if not isinstance(identity, Mapping) or identity.get("identityType") not in (
            "emailAddress",
            "email",  # written by some early OB 3.0 examples
        ):
            continue
        value = identity.get("identityHash")
        if not isinstance(value, str):
            continue
        if identity.get("hashed") is True:
            salt = identity.get("salt")
            if email_matches(
                email, identity_hash_value=value, salt=salt if isinstance(salt, str) else None
            ):
                return True
        elif hmac.compare_digest(normalize_email(value), normalize_email(email)):
            return True
    return False


def status_list_entry(entry: StatusListEntry) -> dict[str, Any]:
    """A ``BitstringStatusListEntry`` (Bitstring Status List v1.0 §2.1)."""
    if entry.index < 0:
        raise ValueError("a status list index is 0 or more")
    return {
        "id": f"{entry.list_credential_url}#{entry.index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": entry.purpose,
        "statusListIndex": str(entry.index),
        "statusListCredential": entry.list_credential_url,
    }


def build_open_badge_credential(
    *,
    credential_id: str,
    issuer: IssuerProfile,
    achievement: AchievementSpec,
    recipient: RecipientIdentity,
    valid_from: datetime,
    valid_until: datetime | None = None,
    awarded_date: datetime | None = None,
    status: StatusListEntry | None = None,
    name: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """An unsigned OB 3.0 ``OpenBadgeCredential`` as a JSON-ready dict (sign it next).

    ``credential_id`` is the credential's own URL (e.g. its public page); ``name`` defaults
    to the achievement's name. Datetimes must be timezone-aware; they are written in UTC to
    the second (``2026-12-01T09:30:00Z``). ``awarded_date`` defaults to ``valid_from``.
    Raises ValueError for naive datetimes, an email hash not in ``sha256$<hex>`` form, or
    ``valid_until`` not after ``valid_from``.
    """
    algorithm, _, hex_digest = recipient.email_hash.partition("$")
    if algorithm != "sha256" or len(hex_digest) != 64:
        raise ValueError("the recipient's email hash must be sha256$<64 hex digits>")
    for moment in (valid_from, valid_until, awarded_date):
        if moment is not None and moment.tzinfo is None:
            raise ValueError("credential dates must be timezone-aware")
    if valid_until is not None and valid_until <= valid_from:
        raise ValueError("valid_until must be after valid_from")
    identifiers: list[dict[str, Any]] = [
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": True,
            "identityHash": recipient.email_hash,
            "salt": recipient.salt,
        }
    ]
    if recipient.name:
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": recipient.name,
            }
        )
    achievement_json: dict[str, Any] = {
        "id": achievement.id,
        "type": ["Achievement"],
        "achievementType": achievement.achievement_type,
        "name": achievement.name,
        "description": achievement.description,
        "criteria": {"narrative": achievement.criteria_narrative},
    }
    if achievement.image_url:
        achievement_json["image"] = {"id": achievement.image_url, "type": "Image"}
    issuer_json: dict[str, Any] = {"id": issuer.id, "type": ["Profile"], "name": issuer.name}
    if issuer.url:
        issuer_json["url"] = issuer.url
    credential: dict[str, Any] = {
        "@context": list(OPEN_BADGE_CONTEXTS),
        "id": credential_id,
        "type": list(OPEN_BADGE_TYPES),
        "issuer": issuer_json,
        "validFrom": format_datetime(valid_from),
        "name": name or achievement.name,
    }
    if description:
        credential["description"] = description
    if valid_until is not None:
        credential["validUntil"] = format_datetime(valid_until)
    credential["awardedDate"] = format_datetime(awarded_date or valid_from)
    credential["credentialSubject"] = {
        "type": ["AchievementSubject"],
        "identifier": identifiers,
        "achievement": achievement_json,
    }
    if status is not None:
        credential["credentialStatus"] = status_list_entry(status)
    return credential
