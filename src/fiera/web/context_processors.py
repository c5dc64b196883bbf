from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs on every page: who is signed in, in which role, and
    whether they may read the API docs (FIERA_API_DOCS)."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    role = getattr(user, "role", "") if signed_in else ""
    docs = settings.FIERA_API_DOCS
    staff = signed_in and bool(getattr(user, "is_staff", False))
    return {"fiera_role": role, "api_docs_visible": docs == "public" or (docs == "staff" and staff)}
