"""Academy commands of the ``fiera`` CLI. Each feature adds its own to ``register``.

``fiera.common.runtime.setup_django()`` first, then ONE domain call per command.
"""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    """Add the academy's commands to the ``fiera`` command."""
    # --- courses --- (``fiera academy ...``)
    from fiera.academy.cli_courses import register as register_courses

    register_courses(subparsers)
    # --- certificates --- (``fiera cert ...``)
    from fiera.academy.cli_certificates import register as register_certificates

    register_certificates(subparsers)
    # --- exams ---
    from fiera.academy.cli_exams import register as register_exams

    register_exams(subparsers)
