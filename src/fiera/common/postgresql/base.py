"""Django's PostgreSQL backend for a schema with composite primary keys.

On PostgreSQL the tenant tables' primary keys are (tenant column, id) (fiera.common.dbkeys,
docs/decisions/0008-citus-distribution.md), while Django's pk is ``id``. Django normally
groups an aggregate query by the pk alone and relies on PostgreSQL seeing every other column
as functionally dependent on it; with ``id`` no longer the whole primary key, PostgreSQL
refuses that ("must appear in the GROUP BY clause"). This backend makes Django group by
every selected column instead, as it does on other databases.
"""

from __future__ import annotations

from django.db.backends.postgresql import base, features


class DatabaseFeatures(features.DatabaseFeatures):
    allows_group_by_selected_pks = False


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
