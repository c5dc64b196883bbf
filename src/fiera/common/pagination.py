"""Paging for list endpoints: ?limit=&offset= with a total count."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=200, description="items per page (1-200)")
        offset: int = Field(0, ge=0, le=1_000_000_000, description="items to skip")

    def paginate_queryset(self, queryset: Any, pagination: Any, **params: Any) -> Any:
        limit = pagination.limit
        offset = pagination.offset
        return {"items": queryset[offset : offset + limit], "count": self._items_count(queryset)}
