"""Who acts: the account roles, defined once, and the system actor.

Every public service and selector that decides who may do something takes ``actor_role``
(keyword-only, no default): there is no "no actor" that means "trusted". People act with
their account's role. In-process callers acting for the platform itself (the CLI, the
demo builder, Celery tasks, and one app's service calling another's) pass ``SYSTEM``,
which names them in the code where a reviewer sees it. No account can hold ``SYSTEM``
(a CHECK constraint on ``accounts.User.role`` allows only ``ACCOUNT_ROLES``), so nothing a
request carries can pose as it.

A plain module without Django imports, so that every app may import it (a public module
of ``accounts``, see docs/decisions/0009-public-modules.md).
"""

from __future__ import annotations

from typing import Final

OPERATOR: Final = "operator"
MERCHANT: Final = "merchant"
BUYER: Final = "buyer"
PARTNER: Final = "partner"
LEARNER: Final = "learner"

ACCOUNT_ROLES: Final[frozenset[str]] = frozenset({OPERATOR, MERCHANT, BUYER, PARTNER, LEARNER})

SYSTEM: Final = "system"
"""The platform itself acting in-process (CLI, demo, tasks, another app's service); never an
account's role."""
