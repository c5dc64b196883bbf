"""Operator analytics: sales rollups kept current by the order events, and the one query
layer (``fiera.analytics.query``) that pages, API, reports and the CLI read
(docs/decisions/0026-analytics-rollups.md)."""
