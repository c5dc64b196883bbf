"""The analytics app's services: rebuilding the sales rollups from the orders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from fiera.common.errors import PermissionDenied


class RebuildOperatorsOnly(PermissionDenied):
    code = "analytics_operators_only"
    message_template = _("Only operators rebuild the analytics.")


@dataclass(frozen=True, slots=True)
class RebuildReport:
    since: date | None
    orders_read: int
    orders_counted: int


def analytics_rebuild(
    *,
    since: date | None,
    actor_role: str,
    progress: Callable[[int], None] | None = None,
) -> RebuildReport:
    """Rebuild the sales facts and rollups of the orders placed on ``since`` or later (all
    when None) from the orders tables, in batches; operators and the system. ``progress``
    is called with the number of orders read after each batch."""
    raise NotImplementedError
