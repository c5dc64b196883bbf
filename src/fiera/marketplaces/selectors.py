from __future__ import annotations

from django.db.models import QuerySet

from fiera.marketplaces.models import Marketplace


def marketplace_list(*, active_only: bool = True) -> QuerySet[Marketplace]:
    qs = Marketplace.objects.prefetch_related("countries")
    return qs.filter(is_active=True) if active_only else qs
