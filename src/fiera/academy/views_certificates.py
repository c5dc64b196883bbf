"""The certificate pages: the public verification page (paste or upload a credential), a
certificate's public page (QR code, download, "verify this certificate", revocation for
operators), the signed-in person's certificates, and the public status list credential.

A certificate's page is public: its random id is the capability (the QR code prints it).
Verification results show the reason in the reader's language."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fiera.academy import certificates
from fiera.academy.pages import page_error as _page_error
from fiera.common.errors import DomainError, NotFound, PermissionDenied

MAX_UPLOAD_BYTES = certificates.MAX_CREDENTIAL_BYTES


def _language(request: HttpRequest) -> str:
    return str(getattr(request, "LANGUAGE_CODE", "") or "en")


def _qr_svg(url: str) -> str:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", scale=4, xmldecl=False, svgns=True, nl=False, title=url
    )
    return buffer.getvalue().decode("utf-8")


def verify_page(request: HttpRequest) -> HttpResponse:
    """GET: the form (paste JSON or upload a .json file). POST: the verification result."""
    result = None
    error = ""
    pasted = ""
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        pasted = request.POST.get("credential", "")
        raw: bytes | str = ""
        if upload is not None:
            if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
                error = str(
                    certificates.CredentialTooLarge(limit_kb=MAX_UPLOAD_BYTES // 1024).message()
                )
                status = 413
            else:
                raw = upload.read(MAX_UPLOAD_BYTES + 1)
        elif pasted.strip():
            raw = pasted
        else:
            error = _("Paste a credential or choose a .json file to check.")
            status = 422
        if not error:
            try:
                body = raw if isinstance(raw, bytes) else raw.encode("utf-8", "replace")
                result = certificates.credential_verify_body(body=body, now=timezone.now())
            except certificates.CredentialTooLarge as exc:
                error = exc.message()
                status = 413
        if len(pasted) > MAX_UPLOAD_BYTES:
            pasted = ""
    return render(
        request,
        "academy/certificates/verify.html",
        {
            "result": result,
            "error": error,
            "pasted": pasted,
            "academy_did": certificates.academy_did(),
        },
        status=status,
    )


def certificate_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """A certificate's public page."""
    try:
        view = certificates.certificate_get(public_id=public_id, language=_language(request))
    except DomainError as exc:
        raise _page_error(exc) from exc
    user = request.user
    return render(
        request,
        "academy/certificates/certificate.html",
        {
            "certificate": view,
            "qr_svg": _qr_svg(view.url),
            "can_revoke": user.is_authenticated and getattr(user, "role", "") == "operator",
            "this_academy": view.issuer_did == certificates.academy_did(),
        },
    )


def certificate_verify(request: HttpRequest, public_id: str) -> HttpResponse:
    """ "Verify this certificate": the stored credential through the same verification."""
    try:
        result = certificates.certificate_verify_stored(public_id=public_id, now=timezone.now())
    except DomainError as exc:
        raise _page_error(exc) from exc
    return render(
        request,
        "academy/certificates/verify.html",
        {"result": result, "error": "", "pasted": "", "academy_did": certificates.academy_did()},
    )


def certificate_download(request: HttpRequest, public_id: str) -> HttpResponse:
    """The signed credential as a .json file, exactly as issued."""
    try:
        text = certificates.certificate_credential_text(public_id=public_id)
    except DomainError as exc:
        raise _page_error(exc) from exc
    response = HttpResponse(text, content_type="application/vc+ld+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="certificate-{public_id}.json"'
    return response


@login_required
def my_certificates(request: HttpRequest) -> HttpResponse:
    """The signed-in person's certificates."""
    views = certificates.certificates_of_user(
        user_id=int(request.user.pk or 0), language=_language(request)
    )
    return render(request, "academy/certificates/mine.html", {"certificates": views})


@login_required
@require_POST
def certificate_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    """Operators revoke a certificate from its page (with a reason)."""
    try:
        certificates.certificate_revoke(
            public_id=public_id,
            reason=request.POST.get("reason", "")[:600],
            now=timezone.now(),
            actor_id=int(request.user.pk or 0),
            actor_role=str(getattr(request.user, "role", "")),
            language=_language(request),
        )
    except (NotFound, PermissionDenied) as exc:
        raise _page_error(exc) from exc
    except DomainError as exc:
        messages.error(request, exc.message())
    else:
        messages.success(request, _("The certificate was revoked; its status list says so now."))
    return HttpResponseRedirect(reverse("academy:certificate", args=[public_id]))


def status_list(request: HttpRequest, list_id: int) -> HttpResponse:
    """The signed BitstringStatusListCredential (public, what verifiers fetch)."""
    try:
        text = certificates.status_list_credential(list_id=list_id, now=timezone.now())
    except DomainError as exc:
        raise _page_error(exc) from exc
    response = HttpResponse(text, content_type="application/vc+ld+json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response
