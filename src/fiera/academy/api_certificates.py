"""Certificates in the API: verify any Open Badges 3.0 credential (public), a certificate and
its credential by public id (public: the random id is the capability), the signed-in
person's certificates, and revocation (operators).

``POST /academy/verify`` reads the body itself: whatever it is (not JSON, not an object, a
credential or ``{"credential": ...}``), the answer is a verification result (200), with
``valid`` false and reason ``malformed`` for what cannot be read; only a body over 256 KB is
refused (413).
"""

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Path, Router, Schema

from fiera.academy import certificates
from fiera.common.schemas import ErrorOut, ObjectIn

router = Router(tags=["academy"])

PublicId = Annotated[str, Field(min_length=10, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]


class CertificateIssuerOut(Schema):
    id: str | None = Field(description="the issuer's DID (did:key:z6Mk...)")
    name: str | None


class CertificateSubjectOut(Schema):
    name: str | None = Field(description="the learner's name as the credential states it")


class CertificateAchievementOut(Schema):
    name: str | None


class CertificateVerificationOut(Schema):
    """A verification result. ``reason`` is ``valid`` or one of malformed,
    unsupported_proof, issuer_not_did_key, key_mismatch, bad_signature, not_yet_valid,
    expired, revoked; ``reason_text`` says it in the request's language, ``detail`` is the
    technical account in English. ``revoked`` is null when the status was not checked (a
    foreign issuer's list is not fetched: ``status_checked`` false, with a note)."""

    valid: bool
    reason: str
    reason_text: str
    detail: str
    issuer: CertificateIssuerOut
    issued_by_this_academy: bool
    subject: CertificateSubjectOut
    achievement: CertificateAchievementOut
    valid_from: datetime | None
    expires: datetime | None
    revoked: bool | None
    status_checked: bool
    certificate_id: str | None = Field(
        description="this academy's public id of the certificate, when it is one of ours"
    )
    revoked_at: datetime | None = Field(description="when this academy revoked it")
    revocation_reason: str | None = Field(description="why this academy revoked it")
    notes: list[str]

    @classmethod
    def of(cls, result: certificates.CertificateVerification) -> "CertificateVerificationOut":
        return cls(
            valid=result.valid,
            reason=result.reason,
            reason_text=result.reason_text,
            detail=result.detail,
            issuer=CertificateIssuerOut(id=result.issuer_id, name=result.issuer_name),
            issued_by_this_academy=result.issued_by_this_academy,
            subject=CertificateSubjectOut(name=result.subject_name),
            achievement=CertificateAchievementOut(name=result.achievement_name),
            valid_from=result.valid_from,
            expires=result.expires,
            revoked=result.revoked,
            status_checked=result.status_checked,
            certificate_id=result.certificate_public_id,
            revoked_at=result.revoked_at,
            revocation_reason=result.revocation_reason,
            notes=result.notes,
        )


class CertificateOut(Schema):
    public_id: str
    url: str = Field(description="the certificate's public page (also the credential's id)")
    credential_url: str = Field(description="the signed credential (JSON) to download")
    learner_name: str
    course: str
    cohort: str
    issued_at: datetime
    valid_until: datetime | None
    score_permille: int | None
    issuer: CertificateIssuerOut
    revoked: bool
    revoked_at: datetime | None
    revocation_reason: str

    @classmethod
    def of(cls, view: certificates.CertificateView) -> "CertificateOut":
        return cls(
            public_id=view.public_id,
            url=view.url,
            credential_url=view.url + "credential.json",
            learner_name=view.learner_name,
            course=view.course_title,
            cohort=view.cohort_name,
            issued_at=view.issued_at,
            valid_until=view.valid_until,
            score_permille=view.score_permille,
            issuer=CertificateIssuerOut(id=view.issuer_did, name=view.issuer_name),
            revoked=view.revoked,
            revoked_at=view.revoked_at,
            revocation_reason=view.revocation_reason,
        )


class CertificateRevokeIn(ObjectIn):
    reason: str = Field(min_length=1, max_length=500, description="why, kept with the revocation")


VERIFY_BODY = {
    "requestBody": {
        "required": True,
        "description": 'the credential (JSON), or {"credential": <the credential>}; at most '
        "256 KB. Anything else is answered as a malformed credential (200, valid false).",
        "content": {"application/json": {"schema": {}}},
    }
}


def _language(request: HttpRequest) -> str:
    return str(getattr(request, "LANGUAGE_CODE", "") or "en")


@router.post(
    "/verify",
    auth=None,
    response={200: CertificateVerificationOut, 413: ErrorOut},
    openapi_extra=VERIFY_BODY,
)
def certificate_verify(request: HttpRequest) -> CertificateVerificationOut:
    """Verify any Open Badges 3.0 credential: signature (eddsa-rdfc-2022 by a did:key issuer),
    dates, and for this academy's own credentials the revocation list. Public."""
    result = certificates.credential_verify_body(body=request.body, now=timezone.now())
    return CertificateVerificationOut.of(result)


@router.get("/certificates/mine", response={200: list[CertificateOut], 401: ErrorOut})
def certificates_mine(request: HttpRequest) -> list[CertificateOut]:
    """The signed-in person's certificates, newest first."""
    views = certificates.certificates_of_user(
        user_id=int(request.auth.pk),  # type: ignore[attr-defined]
        language=_language(request),
    )
    return [CertificateOut.of(v) for v in views]


@router.get(
    "/certificates/{public_id}",
    auth=None,
    response={200: CertificateOut, 404: ErrorOut},
)
def certificate_detail(request: HttpRequest, public_id: Path[PublicId]) -> CertificateOut:
    """A certificate by its public id (public, as its page is)."""
    return CertificateOut.of(
        certificates.certificate_get(public_id=public_id, language=_language(request))
    )


@router.get(
    "/certificates/{public_id}/credential",
    auth=None,
    response={200: dict[str, Any], 404: ErrorOut},
)
def certificate_credential(request: HttpRequest, public_id: Path[PublicId]) -> HttpResponse:
    """The signed OpenBadgeCredential exactly as issued (application/vc+ld+json)."""
    text = certificates.certificate_credential_text(public_id=public_id)
    return HttpResponse(text, content_type="application/vc+ld+json; charset=utf-8")


@router.post(
    "/certificates/{public_id}/revoke",
    response={200: CertificateOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def certificate_revoke(
    request: HttpRequest, public_id: Path[PublicId], payload: CertificateRevokeIn
) -> CertificateOut:
    """Revoke a certificate (operators): its bit is set on the public status list."""
    user = request.auth  # type: ignore[attr-defined]
    view = certificates.certificate_revoke(
        public_id=public_id,
        reason=payload.reason,
        now=timezone.now(),
        actor_id=int(user.pk),
        actor_role=str(user.role),
        language=_language(request),
    )
    return CertificateOut.of(view)
