"""Builders for the certificate tests: the academy's key fixed for the test run, a passed
enrolment, a credential signed by some other did:key issuer, and tampering helpers."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test.utils import override_settings

from fiera.academy.certificates import certificate_issue
from fiera.academy.credentials import (
    AchievementSpec,
    IssuerProfile,
    StatusListEntry,
    build_open_badge_credential,
    generate_key_pair,
    recipient_for_email,
    sign,
)
from fiera.academy.models import Certificate, Enrolment
from fiera.accounts.roles import SYSTEM
from tests.academy import factories as af
from tests.catalog import factories as f

# A fixed test key (never used outside tests): z3u2... Multikey secret of 32 bytes of 7.
TEST_SIGNING_KEY = "z3u2RhErZEGEPQoX72wwNiAQiFxJjUEx7pmQ6djbr6Lbzgyt"
NOW = af.NOW


@pytest.fixture(autouse=True)
def academy_signing_key() -> Iterator[str]:
    """The academy signs with TEST_SIGNING_KEY (nothing written under var/)."""
    with override_settings(
        FIERA_ACADEMY_SIGNING_KEY=TEST_SIGNING_KEY,
        FIERA_BASE_URL="https://fiera.example",
        FIERA_ACADEMY_CERTIFICATE_VALID_DAYS=0,
    ):
        yield TEST_SIGNING_KEY


def passed_enrolment(
    *, language: str = "it", score_permille: int = 875, user: Any | None = None, **fields: Any
) -> Enrolment:
    user = user or f.user(
        role="learner", first_name="Giulia", last_name="Bianchi", email="giulia@example.it"
    )
    cohort = af.cohort(af.course())
    return af.enrolment(
        cohort,
        user,
        language=language,
        final_score_permille=score_permille,
        final_seconds=1800,
        final_passed_at=NOW,
        **fields,
    )


def issued(enrolment: Enrolment | None = None, *, now: datetime = NOW) -> Certificate:
    enrolment = enrolment or passed_enrolment()
    return certificate_issue(enrolment_id=enrolment.pk, now=now, actor_role=SYSTEM)


def credential_of(certificate: Certificate) -> dict[str, Any]:
    return dict(json.loads(certificate.credential))


def tampered(credential: dict[str, Any], change: str) -> dict[str, Any]:
    """A copy with one thing changed after signing: name, date, achievement or proofValue."""
    doc = copy.deepcopy(credential)
    subject = doc["credentialSubject"]
    if change == "name":
        for identity in subject["identifier"]:
            if identity["identityType"] == "name":
                identity["identityHash"] = "Mallory Rossi"
    elif change == "date":
        doc["validFrom"] = "2020-01-01T00:00:00Z"
    elif change == "achievement":
        subject["achievement"]["name"] = "PhD in Everything"
    elif change == "proofValue":
        value = doc["proof"]["proofValue"]
        doc["proof"]["proofValue"] = value[:-4] + ("1111" if value[-4:] != "1111" else "2222")
    else:
        raise ValueError(change)
    return doc


def foreign_credential(
    *, now: datetime = NOW, with_status: bool = False, valid_days: int | None = None
) -> dict[str, Any]:
    """An OB3 credential from another academy, signed by a key generated here."""
    key = generate_key_pair()
    unsigned = build_open_badge_credential(
        credential_id="https://other.example/badges/1",
        issuer=IssuerProfile(id=key.did, name="Other School", url="https://other.example/"),
        achievement=AchievementSpec(
            id="https://other.example/achievements/1",
            name="Other course",
            description="A course elsewhere.",
            criteria_narrative="Passed it.",
        ),
        recipient=recipient_for_email("someone@example.org", salt="abc", name="Some One"),
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=valid_days) if valid_days is not None else None,
        status=StatusListEntry(index=5, list_credential_url="https://other.example/status/1")
        if with_status
        else None,
    )
    return sign(unsigned, key_pair=key, created=now - timedelta(days=1))
