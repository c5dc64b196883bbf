"""Paging for list endpoints: ?limit=&offset= with a total count, bounded so that no
client value reaches the database out of range (a 422 names the bad parameter instead)."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=200, description="items per page (1-200)")
        offset: int = Field(0, ge=0, le=1_000_000_000, description="items to skip")
