"""The academy's API router: each feature's operations, mounted under /api/v1/academy."""

from __future__ import annotations

from ninja import Router

from fiera.academy.api_alumni import router as alumni_router
from fiera.academy.api_certificates import router as certificates_router
from fiera.academy.api_courses import router as courses_router

router = Router(tags=["academy"])

# --- courses ---
router.add_router("", courses_router)
# --- alumni ---
router.add_router("", alumni_router)
# --- certificates ---
router.add_router("", certificates_router)
# --- exams ---
from fiera.academy.api_exams import router as exams_router  # noqa: E402

router.add_router("", exams_router)
