"""The academy's public reads (for other apps, the CLI and the demo): each feature's
selectors, re-exported."""

# --- certificates ---
from fiera.academy.certificates import (
    CertificateVerification,
    CertificateView,
    academy_did,
    certificate_get,
    certificates_of_user,
    credential_verify,
)

__all__ = [
    "CertificateVerification",
    "CertificateView",
    "academy_did",
    "certificate_get",
    "certificates_of_user",
    "credential_verify",
]
