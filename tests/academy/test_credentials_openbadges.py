"""The Open Badges 3.0 credential as built, and the recipient's salted email hash."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from fiera.academy.credentials import (
    RecipientIdentity,
    canonicalize,
    email_matches,
    email_matches_credential,
    identity_hash,
    new_salt,
    recipient_for_email,
)
from tests.academy.credentials_factories import (
    EMAIL,
    ISSUED_AT,
    LIST_URL,
    SALT,
    forbid_network,
    issuer_key,
    unsigned_certificate,
)


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_network(monkeypatch)


def test_identity_hash_matches_the_open_badges_specs_examples() -> None:
    # OB 3.0 data model, "IdentityHash"; and the implementation guide's getting-started example.
    assert identity_hash("a@example.com", salt="Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )
    assert identity_hash("jjefferson18@example.com", salt="FleurDeSel") == (
        "sha256$658625b25ab3d75d613ca97d9a5a77f70e2192feca5557f4ad09a4d4f121f5fc"
    )


def test_an_email_matches_its_hash_whatever_its_case_and_spaces() -> None:
    recipient = recipient_for_email(EMAIL, salt=SALT)

    for email in (EMAIL, EMAIL.lower(), f"  {EMAIL.upper()} "):
        assert email_matches(email, identity_hash_value=recipient.email_hash, salt=SALT)
    assert not email_matches(
        "other@example.it", identity_hash_value=recipient.email_hash, salt=SALT
    )
    assert not email_matches(EMAIL, identity_hash_value=recipient.email_hash, salt="pepper")
    assert not email_matches(EMAIL, identity_hash_value="sha1$abc", salt=SALT)
    assert not email_matches(EMAIL, identity_hash_value="no dollar", salt=SALT)


def test_an_email_matches_the_credential_it_was_issued_to() -> None:
    credential = unsigned_certificate()

    assert email_matches_credential(EMAIL, credential)
    assert not email_matches_credential("someone.else@example.it", credential)
    assert not email_matches_credential(EMAIL, {"credentialSubject": "x"})


def test_salts_are_fresh_and_long() -> None:
    salts = {new_salt() for _ in range(50)}

    assert len(salts) == 50
    assert all(len(salt) == 32 for salt in salts)


def test_the_credential_is_an_open_badge_with_standard_terms_only() -> None:
    key = issuer_key()

    credential = unsigned_certificate(key, awarded_date=ISSUED_AT - timedelta(hours=2))

    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"] == {
        "id": key.did,
        "type": ["Profile"],
        "name": "Fiera Academy",
        "url": "https://academy.fiera.example/",
    }
    assert credential["validFrom"] == "2026-11-30T17:00:00Z"
    assert credential["validUntil"] == "2029-11-29T17:00:00Z"
    assert credential["awardedDate"] == "2026-11-30T15:00:00Z"
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": True,
            "identityHash": identity_hash(EMAIL.lower(), salt=SALT),
            "salt": SALT,
        },
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": "Giulia Rossi",
        },
    ]
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "Certificate"
    assert achievement["criteria"]["narrative"].startswith("Complete every module")
    assert achievement["image"] == {
        "id": "https://academy.fiera.example/static/academy/badge.png",
        "type": "Image",
    }
    assert credential["credentialStatus"] == {
        "id": f"{LIST_URL}#94",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94",
        "statusListCredential": LIST_URL,
    }
    # Every key is defined by the contexts (canonicalisation refuses any that is not).
    assert "Giulia Rossi" in canonicalize(credential)


def test_optional_parts_are_left_out() -> None:
    credential = unsigned_certificate(
        valid_until=None,
        status=None,
        recipient=recipient_for_email(EMAIL, salt=SALT),
    )

    assert "validUntil" not in credential
    assert "credentialStatus" not in credential
    assert len(credential["credentialSubject"]["identifier"]) == 1
    assert credential["awardedDate"] == credential["validFrom"]
    canonicalize(credential)  # still valid JSON-LD


def test_dates_are_written_in_utc_to_the_second() -> None:
    rome = timezone(timedelta(hours=1))
    moment = datetime(2026, 12, 1, 11, 30, 15, 999_999, tzinfo=rome)

    assert unsigned_certificate(valid_from=moment)["validFrom"] == "2026-12-01T10:30:15Z"


@pytest.mark.parametrize(
    "overrides",
    [
        {"valid_from": datetime(2026, 12, 1, 10, 0)},  # naive  # noqa: DTZ001
        {"valid_until": ISSUED_AT},
        {"recipient": RecipientIdentity(email_hash="md5$abc", salt=SALT)},
    ],
)
def test_bad_arguments_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        unsigned_certificate(**overrides)
