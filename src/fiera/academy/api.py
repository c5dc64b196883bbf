"""The academy's router, mounted once under /api/v1 (fiera.api): each feature adds its own."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["academy"])

# --- courses ---
from fiera.academy.api_courses import router as courses_router  # noqa: E402

router.add_router("", courses_router)
