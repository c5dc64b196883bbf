"""Certificates: Open Badges 3.0 credentials issued on passing, revoked through a Bitstring
Status List, verified for anyone (services and selectors of the feature).

The academy signs with one Ed25519 key, its ``did:key`` being the issuer's id:
``FIERA_ACADEMY_SIGNING_KEY`` (a Multikey secret, ``z3u2...``), or on the embedded default a key
generated once into ``var/academy_signing_key`` (:func:`fiera.config.local_academy_key_ensure`).
A certificate's credential is signed once, when issued, and kept as the very text signed.
Revocation sets the certificate's bit on the academy's status list, whose signed
``BitstringStatusListCredential`` is served at ``/academy/credentials/status/<id>`` and
written again on every change.

Verification (:func:`credential_verify`) accepts any OB 3.0 credential whose issuer is a
``did:key`` with an ``eddsa-rdfc-2022`` proof, whoever signed it, as conformant verifiers do;
for this academy's own credentials it reads the revocation bit from the database (no network);
a foreign credential's status list is not fetched (offline), which the result says.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel.numbers import format_decimal
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fiera import config as fiera_config
from fiera.academy import events as academy_events
from fiera.academy.credentials import dataintegrity, openbadges, statuslist, verification
from fiera.academy.credentials.keys import (
    Ed25519KeyPair,
    generate_key_pair,
    key_pair_from_secret_multibase,
)
from fiera.academy.models import Certificate, Cohort, Course, Enrolment, StatusList
from fiera.academy.text import pick
from fiera.accounts import roles
from fiera.accounts.selectors import user_contacts
from fiera.common import events
from fiera.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied

EXAM_PASSED_TOPIC = "academy.exam.passed"
SUBSCRIBER_NAME = "academy.certificates.issue"
MAX_CREDENTIAL_BYTES = 256 * 1024
"""The largest credential the verification page, API and CLI read (a certificate is ~2 KB)."""
PUBLIC_ID_BYTES = 16  # 128 random bits, 22 URL-safe characters
STATUS_LIST_PATH = "/academy/credentials/status/"
_STATUS_LIST_URL = re.compile(r"/academy/credentials/status/(?P<id>[0-9]{1,18})$")


# --- errors -------------------------------------------------------------------------------


class NotPassedYet(Conflict):
    code = "certificate_not_passed"
    message_template = gettext_lazy(
        "This enrolment has not passed the final exam yet, so no certificate can be issued."
    )


class CertificateNotFound(NotFound):
    code = "certificate_not_found"
    message_template = gettext_lazy("There is no certificate with this address.")


class EnrolmentNotFound(NotFound):
    code = "enrolment_not_found"
    message_template = gettext_lazy("There is no such enrolment.")


class CohortNotFound(NotFound):
    code = "cohort_not_found"
    message_template = gettext_lazy("There is no cohort named %(slug)s.")


class RevocationOperatorsOnly(PermissionDenied):
    code = "revocation_operators_only"
    message_template = gettext_lazy("Only operators can revoke certificates.")


class AlreadyRevoked(Conflict):
    code = "certificate_already_revoked"
    message_template = gettext_lazy("This certificate was already revoked on %(revoked_at)s.")


class RevocationReasonMissing(InvalidInput):
    code = "revocation_reason_missing"
    message_template = gettext_lazy(
        "Say why the certificate is revoked (1 to 500 characters): the reason is kept with it."
    )


class CredentialTooLarge(InvalidInput):
    status = 413
    code = "credential_too_large"
    message_template = gettext_lazy(
        "The credential is too large to check: send at most %(limit_kb)s KB."
    )


class StatusListNotFound(NotFound):
    code = "status_list_not_found"
    message_template = gettext_lazy("There is no such status list.")


# --- the academy's key and issuer ---------------------------------------------------------


@lru_cache(maxsize=4)
def _key_pair(secret: str) -> Ed25519KeyPair:
    return key_pair_from_secret_multibase(secret)


def local_key_ensure() -> str:
    """The key in ``var/academy_signing_key`` (the embedded default's), written owner-only
    with a new random key unless one exists."""
    existing = fiera_config.local_academy_key()
    if existing:
        return existing
    path = fiera_config.LOCAL_ACADEMY_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it meanwhile: keep theirs
        return fiera_config.local_academy_key()
    secret = generate_key_pair().secret_multibase()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret + "\n")
    return secret


def academy_key_pair() -> Ed25519KeyPair:
    """The academy's signing key: ``FIERA_ACADEMY_SIGNING_KEY``, else this machine's
    ``var/academy_signing_key`` (written with a new key the first time)."""
    secret = settings.FIERA_ACADEMY_SIGNING_KEY or local_key_ensure()
    return _key_pair(secret)


def academy_did() -> str:
    """The academy's ``did:key`` (the issuer id of its certificates)."""
    return academy_key_pair().did


def _base_url() -> str:
    return str(settings.FIERA_BASE_URL).rstrip("/")


def academy_issuer() -> openbadges.IssuerProfile:
    return openbadges.IssuerProfile(
        id=academy_did(), name=str(settings.FIERA_ACADEMY_ISSUER_NAME), url=_base_url() + "/"
    )


def certificate_url(public_id: str) -> str:
    """The certificate's public page (also the credential's id)."""
    return f"{_base_url()}/academy/certificates/{public_id}/"


def status_list_url(list_id: int) -> str:
    return f"{_base_url()}{STATUS_LIST_PATH}{list_id}"


def score_percent(permille: int, language: str) -> str:
    """``875`` -> ``87.5`` (``87,5`` in Italian), no trailing ``.0``."""
    value = Decimal(permille) / 10
    try:
        return format_decimal(value, format="0.#", locale=language.replace("-", "_"))
    except (ValueError, LookupError):
        return format_decimal(value, format="0.#", locale="en")


# --- status list --------------------------------------------------------------------------


def _status_list_locked(now: datetime) -> StatusList:
    """The academy's current revocation list, row-locked (made on first use); a full list is
    followed by a new one."""
    current = (
        StatusList.objects.select_for_update()
        .filter(purpose="revocation", next_index__lt=F("size"))
        .order_by("id")
        .first()
    )
    if current is None:
        current = StatusList.objects.create(purpose="revocation", created_at=now)
    return current


def _free_index(status_list: StatusList) -> int:
    """A random index not yet taken on the list (call holding its row lock). Random, as the
    Bitstring Status List recommends, so that an index tells nothing about when or to whom
    a certificate was issued; the list is left for a new one long before random draws get
    slow (``next_index`` counts the indices taken)."""
    for _attempt in range(32):
        candidate = secrets.randbelow(status_list.size)
        taken = Certificate.objects.filter(status_list=status_list, status_index=candidate)
        if not taken.exists():
            return candidate
    used = set(
        Certificate.objects.filter(status_list=status_list).values_list("status_index", flat=True)
    )
    return next(i for i in range(status_list.size) if i not in used)


def _status_list_sign(status_list: StatusList, *, now: datetime) -> None:
    """Signs the list's credential from the certificates' revocations, in the caller's
    transaction."""
    revoked = Certificate.objects.filter(
        status_list=status_list, revoked_at__isnull=False
    ).values_list("status_index", flat=True)
    unsigned = statuslist.build_status_list_credential(
        credential_id=status_list_url(status_list.pk),
        issuer_id=academy_did(),
        encoded_list=statuslist.encode_status_list(revoked, length_bits=status_list.size),
        valid_from=now,
    )
    signed = dataintegrity.sign(unsigned, key_pair=academy_key_pair(), created=now)
    status_list.credential = json.dumps(signed, ensure_ascii=False, indent=2)
    status_list.generated_at = now
    status_list.save(update_fields=["credential", "generated_at"])


def status_list_credential(*, list_id: int, now: datetime) -> str:
    """The signed ``BitstringStatusListCredential`` of list ``list_id`` as JSON text (public);
    signed now when it never was, or when the academy's key changed since."""
    found = StatusList.objects.filter(pk=list_id).first()
    if found is None:
        raise StatusListNotFound(f"status list {list_id}")
    did = academy_did()
    if found.credential and f'"issuer": "{did}"' in found.credential:
        return found.credential
    with transaction.atomic():
        locked = StatusList.objects.select_for_update().get(pk=list_id)
        _status_list_sign(locked, now=now)
    return locked.credential


# --- issuance -----------------------------------------------------------------------------


def _enrolment_texts(enrolment: Enrolment) -> tuple[Course, Cohort]:
    cohort = Cohort.objects.select_related("course").get(pk=enrolment.cohort_id)
    return cohort.course, cohort


def _build_credential(
    *,
    enrolment: Enrolment,
    course: Course,
    public_id: str,
    salt: str,
    issued_at: datetime,
    valid_until: datetime | None,
    status_list_id: int,
    status_index: int,
) -> dict[str, Any]:
    contact = user_contacts(user_ids=[enrolment.user_id]).get(enrolment.user_id)
    name = (contact.full_name or contact.username) if contact else ""
    # An account without an email address is named by a placeholder address of its username.
    email = (contact.email if contact else "") or (
        f"{contact.username if contact else enrolment.user_id}@users.invalid"
    )
    language = enrolment.language or "en"
    fallbacks = [c for c in course.languages.split(",") if c]
    course_name = pick(course.title, language, fallbacks)
    with translation.override(language):
        criteria = _("Passed the final exam of %(course)s with %(score)s%%.") % {
            "course": course_name,
            "score": score_percent(enrolment.final_score_permille or 0, language),
        }
        description = pick(course.summary, language, fallbacks) or _(
            "Certificate of the course %(course)s."
        ) % {"course": course_name}
    return openbadges.build_open_badge_credential(
        credential_id=certificate_url(public_id),
        issuer=academy_issuer(),
        achievement=openbadges.AchievementSpec(
            id=f"{_base_url()}/academy/courses/{course.slug}/",
            name=course_name,
            description=description,
            criteria_narrative=criteria,
            achievement_type="Certificate",
        ),
        recipient=openbadges.recipient_for_email(email, salt=salt, name=name or None),
        valid_from=issued_at,
        valid_until=valid_until,
        status=openbadges.StatusListEntry(
            index=status_index, list_credential_url=status_list_url(status_list_id)
        ),
    )


def certificate_issue(*, enrolment_id: int, now: datetime, actor_role: str) -> Certificate:
    """The enrolment's certificate, issued now if it has none: signed, stored as issued, with
    a bit on the revocation list; sets ``Enrolment.certified_at``. Idempotent: a second call
    returns the same certificate. Only the platform issues (``roles.SYSTEM``: the exam-passed
    subscriber, the CLI, the demo); only an enrolment with ``final_passed_at`` qualifies
    (NotPassedYet otherwise). Locks the enrolment row, then the status list row."""
    if actor_role != roles.SYSTEM:
        raise PermissionDenied("certificates are issued by the platform")
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().filter(pk=enrolment_id).first()
        if enrolment is None:
            raise EnrolmentNotFound(f"enrolment {enrolment_id}")
        existing = Certificate.objects.filter(enrolment_id=enrolment_id).first()
        if existing is not None:
            return existing
        if enrolment.final_passed_at is None:
            raise NotPassedYet(f"enrolment {enrolment_id} has no final pass")
        course, _cohort = _enrolment_texts(enrolment)
        status_list = _status_list_locked(now)
        index = _free_index(status_list)
        status_list.next_index += 1
        status_list.save(update_fields=["next_index"])
        public_id = secrets.token_urlsafe(PUBLIC_ID_BYTES)
        salt = openbadges.new_salt()
        issued_at = now.replace(microsecond=0)
        days = int(settings.FIERA_ACADEMY_CERTIFICATE_VALID_DAYS)
        valid_until = issued_at + timedelta(days=days) if days else None
        unsigned = _build_credential(
            enrolment=enrolment,
            course=course,
            public_id=public_id,
            salt=salt,
            issued_at=issued_at,
            valid_until=valid_until,
            status_list_id=status_list.pk,
            status_index=index,
        )
        signed = dataintegrity.sign(unsigned, key_pair=academy_key_pair(), created=issued_at)
        certificate = Certificate.objects.create(
            enrolment=enrolment,
            public_id=public_id,
            credential=json.dumps(signed, ensure_ascii=False, indent=2),
            recipient_salt=salt,
            issued_at=issued_at,
            valid_until=valid_until,
            status_list=status_list,
            status_index=index,
        )
        if not status_list.credential:
            _status_list_sign(status_list, now=issued_at)
        Enrolment.objects.filter(pk=enrolment_id).update(certified_at=issued_at)
        academy_events.CertificateIssued(
            enrolment_id=enrolment_id,
            cohort_id=enrolment.cohort_id,
            course_id=course.pk,
            user_id=enrolment.user_id,
            country=academy_events.learner_country(enrolment.user_id),
            certificate_id=certificate.pk,
            issued_at=issued_at.isoformat(),
        ).publish(now=now)
    return certificate


def on_exam_passed(event: events.Event) -> None:
    """``academy.exam.passed`` -> the enrolment's certificate (idempotent: issuing twice
    returns the first certificate, so a redelivery changes nothing)."""
    enrolment_id = int(event.payload["enrolment_id"])
    try:
        certificate_issue(enrolment_id=enrolment_id, now=event.created_at, actor_role=roles.SYSTEM)
    except (NotPassedYet, EnrolmentNotFound):
        return  # nothing to certify (a pass withdrawn, an enrolment deleted): not a retry


def register_subscribers() -> None:
    """Called by AcademyConfig.ready()."""
    events.subscribe(EXAM_PASSED_TOPIC, name=SUBSCRIBER_NAME)(on_exam_passed)


def certificates_issue_for_cohort(
    *,
    cohort_slug: str,
    now: datetime,
    actor_role: str,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Issues the missing certificates of a cohort's passed enrolments; returns (issued now,
    passed in all). Each certificate in its own transaction; ``progress(n)`` after each."""
    if actor_role != roles.SYSTEM:
        raise PermissionDenied("certificates are issued by the platform")
    cohort = Cohort.objects.filter(slug=cohort_slug).first()
    if cohort is None:
        raise CohortNotFound(f"cohort {cohort_slug}", slug=cohort_slug)
    passed = Enrolment.objects.filter(cohort=cohort, final_passed_at__isnull=False)
    total = passed.count()
    missing = list(
        passed.filter(certificate__isnull=True).order_by("id").values_list("id", flat=True)
    )
    for enrolment_id in missing:
        certificate_issue(enrolment_id=enrolment_id, now=now, actor_role=actor_role)
        if progress is not None:
            progress(1)
    return len(missing), total


def certificates_missing_count(*, cohort_slug: str) -> int:
    """How many passed enrolments of the cohort have no certificate yet (for a progress bar)."""
    return Enrolment.objects.filter(
        cohort__slug=cohort_slug, final_passed_at__isnull=False, certificate__isnull=True
    ).count()


# --- revocation ---------------------------------------------------------------------------


def certificate_revoke(
    *,
    public_id: str,
    reason: str,
    now: datetime,
    actor_id: int | None,
    actor_role: str,
    language: str = "en",
) -> CertificateView:
    """Revokes a certificate (operators, or the platform): sets its bit and signs the status
    list credential again, in one transaction; returns the certificate as now shown.
    AlreadyRevoked when it was."""
    if actor_role not in (roles.OPERATOR, roles.SYSTEM):
        raise RevocationOperatorsOnly(f"role {actor_role} may not revoke")
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise RevocationReasonMissing(f"reason of {len(reason)} characters")
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().filter(public_id=public_id).first()
        if certificate is None:
            raise CertificateNotFound(f"certificate {public_id}")
        if certificate.revoked_at is not None:
            raise AlreadyRevoked(
                f"certificate {public_id} revoked at {certificate.revoked_at.isoformat()}",
                revoked_at=certificate.revoked_at.date().isoformat(),
            )
        status_list = StatusList.objects.select_for_update().get(pk=certificate.status_list_id)
        certificate.revoked_at = now
        certificate.revoked_by_id = actor_id if actor_role == roles.OPERATOR else None
        certificate.revocation_reason = reason
        certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        _status_list_sign(status_list, now=now)
    return certificate_get(public_id=public_id, language=language)


# --- verification -------------------------------------------------------------------------

REASON_TEXTS: dict[str, Any] = {
    "valid": gettext_lazy("The certificate is valid: the signature matches and it is in force."),
    "malformed": gettext_lazy(
        "This is not a credential that can be read: it is not JSON, or parts a credential "
        "needs are missing or wrong."
    ),
    "unsupported_proof": gettext_lazy(
        "The credential is signed in a way this verifier does not check (it checks "
        "eddsa-rdfc-2022 Data Integrity proofs)."
    ),
    "issuer_not_did_key": gettext_lazy(
        "The issuer is not named by a did:key, so its key cannot be checked without going online."
    ),
    "key_mismatch": gettext_lazy(
        "The credential was signed with a key that does not belong to its issuer."
    ),
    "bad_signature": gettext_lazy(
        "The signature does not match: the certificate was changed after it was issued."
    ),
    "not_yet_valid": gettext_lazy("The certificate is not valid yet: its validity starts later."),
    "expired": gettext_lazy("The certificate has expired: its validity has ended."),
    "revoked": gettext_lazy("The certificate was revoked by its issuer."),
}
STATUS_NOT_CHECKED = gettext_lazy(
    "The signature holds, but whether the issuer revoked it was not checked: its status list "
    "is published elsewhere and this verifier works offline."
)


def reason_text(reason: str) -> str:
    """The reason code in words, in the active language."""
    text = REASON_TEXTS.get(reason)
    return str(text) if text is not None else str(REASON_TEXTS["malformed"])


@dataclass(frozen=True)
class CertificateVerification:
    """What a verification found, for the page, the API and the CLI. ``reason`` is ``valid``
    or a reason code; ``detail`` the technical English account; ``status_checked`` False
    when a foreign credential's status list was not fetched."""

    valid: bool
    reason: str
    detail: str
    issuer_id: str | None
    issuer_name: str | None
    issued_by_this_academy: bool
    subject_name: str | None = None
    achievement_name: str | None = None
    credential_name: str | None = None
    valid_from: datetime | None = None
    expires: datetime | None = None
    revoked: bool | None = None
    status_checked: bool = False
    certificate_public_id: str | None = None
    revoked_at: datetime | None = None
    revocation_reason: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def reason_text(self) -> str:
        return reason_text(self.reason)


def _too_large(raw: str | bytes | Mapping[str, Any]) -> None:
    if isinstance(raw, Mapping):
        return
    size = len(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
    if size > MAX_CREDENTIAL_BYTES:
        raise CredentialTooLarge(
            f"{size} bytes, at most {MAX_CREDENTIAL_BYTES}", limit_kb=MAX_CREDENTIAL_BYTES // 1024
        )


def _status_of_ours(document: Mapping[str, Any]) -> bool | None:
    """Whether this academy's credential is revoked, read from the database (no network);
    None when its status entry names no list of ours."""
    entry = document.get("credentialStatus")
    if isinstance(entry, list):
        entry = next((e for e in entry if isinstance(e, Mapping)), None)
    if not isinstance(entry, Mapping):
        return None
    url = entry.get("statusListCredential")
    index = entry.get("statusListIndex")
    match = _STATUS_LIST_URL.search(url) if isinstance(url, str) else None
    if match is None or not isinstance(index, str | int) or not str(index).isdigit():
        return None
    return Certificate.objects.filter(
        status_list_id=int(match.group("id")),
        status_index=int(index),
        revoked_at__isnull=False,
    ).exists()


def credential_verify(
    *, credential: str | bytes | Mapping[str, Any], now: datetime
) -> CertificateVerification:
    """Verifies any OB 3.0 credential (JSON text, bytes or parsed); public, so no actor.

    Never raises for bad input but CredentialTooLarge (over ``MAX_CREDENTIAL_BYTES``): a
    malformed one is a result with reason ``malformed``. The revocation bit of this academy's
    credentials is read from the database; a foreign list is not fetched (``status_checked``
    False and a note)."""
    _too_large(credential)
    our_did = academy_did()
    seen: dict[str, Any] = {"ours": False, "checked": False, "has_status": False}

    def status_check(document: Mapping[str, Any]) -> bool | None:
        issuer = document.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
        seen["has_status"] = document.get("credentialStatus") is not None
        if issuer_id != our_did:
            return None
        seen["ours"] = True
        revoked = _status_of_ours(document)
        seen["checked"] = revoked is not None
        return revoked

    result = verification.verify(credential, now=now, status_check=status_check)
    ours = result.issuer_id == our_did
    notes: list[str] = []
    status_checked = bool(seen["checked"]) or not seen["has_status"]
    if result.valid and not status_checked:
        notes.append(str(STATUS_NOT_CHECKED))
    public_id = None
    if ours and result.credential_id:
        match = re.search(r"/academy/certificates/([A-Za-z0-9_-]{10,40})/$", result.credential_id)
        public_id = match.group(1) if match else None
    revoked: bool | None = None
    if result.code == "revoked":
        revoked = True
    elif result.valid and seen["checked"]:
        revoked = False
    revocation = None
    if revoked and public_id:
        revocation = (
            Certificate.objects.filter(public_id=public_id)
            .values_list("revoked_at", "revocation_reason")
            .first()
        )
    return CertificateVerification(
        valid=result.valid,
        reason=result.code,
        detail=result.detail,
        issuer_id=result.issuer_id,
        issuer_name=result.issuer_name,
        issued_by_this_academy=ours,
        subject_name=result.subject_name,
        achievement_name=result.achievement_name,
        credential_name=result.credential_name,
        valid_from=result.valid_from,
        expires=result.valid_until,
        revoked=revoked,
        status_checked=status_checked if result.valid else bool(seen["checked"]),
        certificate_public_id=public_id,
        revoked_at=revocation[0] if revocation else None,
        revocation_reason=revocation[1] if revocation else None,
        notes=notes,
    )


def credential_verify_body(*, body: bytes, now: datetime) -> CertificateVerification:
    """The API's verification: ``body`` is the credential or ``{"credential": ...}`` (JSON);
    anything unreadable is a ``malformed`` result. CredentialTooLarge over the limit."""
    _too_large(body)
    try:
        parsed = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return credential_verify(credential=body, now=now)
    if isinstance(parsed, dict) and set(parsed) == {"credential"}:
        inner = parsed["credential"]
        if isinstance(inner, str):
            return credential_verify(credential=inner, now=now)
        parsed = inner
    if not isinstance(parsed, dict):
        return credential_verify(credential=body, now=now)
    return credential_verify(credential=parsed, now=now)


# --- reads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateView:
    """A certificate as its public page shows it."""

    public_id: str
    learner_name: str
    course_title: str
    cohort_name: str
    issued_at: datetime
    valid_until: datetime | None
    score_permille: int | None
    issuer_name: str
    issuer_did: str
    revoked_at: datetime | None
    revocation_reason: str
    credential: str
    url: str

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def score_percent(self) -> str:
        """The score as a percentage in the active language (``87,5`` in Italian)."""
        return score_percent(self.score_permille or 0, translation.get_language() or "en")


def _view(certificate: Certificate, language: str) -> CertificateView:
    document = json.loads(certificate.credential)
    enrolment = certificate.enrolment
    cohort = enrolment.cohort
    course = cohort.course
    subject = document.get("credentialSubject", {})
    names = [
        i.get("identityHash")
        for i in subject.get("identifier", [])
        if isinstance(i, Mapping) and i.get("identityType") == "name"
    ]
    issuer = document.get("issuer", {})
    return CertificateView(
        public_id=certificate.public_id,
        learner_name=str(names[0]) if names else "",
        course_title=pick(course.title, language, [enrolment.language]),
        cohort_name=cohort.name,
        issued_at=certificate.issued_at,
        valid_until=certificate.valid_until,
        score_permille=enrolment.final_score_permille,
        issuer_name=str(issuer.get("name", "")),
        issuer_did=str(issuer.get("id", "")),
        revoked_at=certificate.revoked_at,
        revocation_reason=certificate.revocation_reason,
        credential=certificate.credential,
        url=certificate_url(certificate.public_id),
    )


def certificate_get(*, public_id: str, language: str) -> CertificateView:
    """A certificate by its public id (public: the id is the capability)."""
    found = (
        Certificate.objects.select_related("enrolment__cohort__course")
        .filter(public_id=public_id)
        .first()
    )
    if found is None:
        raise CertificateNotFound(f"certificate {public_id}")
    return _view(found, language)


def certificates_of_user(*, user_id: int, language: str) -> list[CertificateView]:
    """The person's own certificates, newest first."""
    rows = Certificate.objects.select_related("enrolment__cohort__course").filter(
        enrolment__user_id=user_id
    )
    return [_view(c, language) for c in rows.order_by("-issued_at", "-id")]


def certificate_credential_text(*, public_id: str) -> str:
    """The signed credential exactly as issued (public, like the page)."""
    text = Certificate.objects.filter(public_id=public_id).values_list("credential", flat=True)
    found = text.first()
    if found is None:
        raise CertificateNotFound(f"certificate {public_id}")
    return str(found)


def certificate_verify_stored(*, public_id: str, now: datetime) -> CertificateVerification:
    """ "Verify this certificate": the stored credential through :func:`credential_verify`."""
    return credential_verify(credential=certificate_credential_text(public_id=public_id), now=now)


def certificates_of_cohort(*, cohort_slug: str) -> list[str] | None:
    """The public ids of a cohort's certificates, oldest first, revoked ones too; None when
    there is no such cohort."""
    if not Cohort.objects.filter(slug=cohort_slug).exists():
        return None
    return list(
        Certificate.objects.filter(enrolment__cohort__slug=cohort_slug)
        .order_by("issued_at", "id")
        .values_list("public_id", flat=True)
    )
