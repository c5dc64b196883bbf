"""Paging for list endpoints: ?limit=&offset= with a total count."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from ninja.pagination import LimitOffsetPagination


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = 50
        offset: int = 0

    def paginate_queryset(self, queryset: Any, pagination: Any, **params: Any) -> Any:
        limit = min(max(pagination.limit, 1), 200)
        offset = max(pagination.offset, 0)
        return {"items": queryset[offset : offset + limit], "count": self._items_count(queryset)}
