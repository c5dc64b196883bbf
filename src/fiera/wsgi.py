"""WSGI entry point. Refuses to start a production server on an unsafe configuration."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from fiera import config

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fiera.settings")

_problems = config.problems(config.load())
if _problems:
    raise ImproperlyConfigured("Fiera will not start:\n- " + "\n- ".join(_problems))

application = get_wsgi_application()
