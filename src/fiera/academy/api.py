"""The academy's API router: each feature's router, mounted under /api/v1/academy."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["academy"])

# --- exams ---
from fiera.academy.api_exams import router as exams_router  # noqa: E402

router.add_router("", exams_router)
