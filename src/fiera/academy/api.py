"""The academy's API router: each feature's router is added here, mounted under /api/v1."""

from ninja import Router

router = Router(tags=["academy"])

# --- certificates ---
from fiera.academy.api_certificates import router as certificates_router  # noqa: E402

router.add_router("", certificates_router)
