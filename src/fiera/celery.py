"""The Celery application. Eager in-process when no broker is configured (the demo)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fiera.settings")

app = Celery("fiera")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
