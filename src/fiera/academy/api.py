"""The academy's API router: each feature's operations, mounted under /api/v1/academy."""

from __future__ import annotations

from ninja import Router

# --- alumni ---
from fiera.academy.api_alumni import router as alumni_router

router = Router(tags=["academy"])

# --- alumni ---
router.add_router("", alumni_router)
