"""Fiera: an open-source cross-border commerce ecosystem."""

from fiera.celery import app as celery_app

__all__ = ["celery_app"]
