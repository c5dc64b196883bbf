"""What the academy's page views share: a domain error as the page's answer."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404

from fiera.common.errors import DomainError, NotFound, PermissionDenied


def page_error(exc: DomainError) -> Exception:
    """The exception a page raises for ``exc``: the 404 and 403 pages in the reader's
    language for a missing or forbidden object; any other domain error unchanged (the view
    shows it in its form)."""
    if isinstance(exc, NotFound):
        return Http404(exc.message())
    if isinstance(exc, PermissionDenied):
        return DjangoPermissionDenied(exc.message())
    return exc
