"""Start Django from a command-line entry point (``fiera ...`` and the apps' ``cli`` modules).

It lives in ``common`` so that every app's command module can use it without importing
``fiera.cli``, which sits above all apps.
"""

from __future__ import annotations

import os


def setup_django() -> None:
    """Create the var/ folder, point Django at fiera.settings and set it up (idempotent)."""
    from fiera import config

    config.VAR_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fiera.settings")
    import django

    django.setup()
