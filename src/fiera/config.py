"""Configuration from the environment, read once, and the plain-words check of it.

Every setting Fiera reads comes from an environment variable; nothing else
configures it. ``problems()`` is what ``fiera check`` prints and what refuses a
production start (``fiera serve``, the WSGI application).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEMO_SECRET_KEY = "fiera-demo-secret-key-not-for-production"  # noqa: S105 - the known demo value we refuse in production

BASE_DIR = Path(os.environ.get("FIERA_HOME", Path.cwd())).resolve()
VAR_DIR = BASE_DIR / "var"


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Config:
    debug: bool
    secret_key: str
    database_url: str
    redis_url: str
    allowed_hosts: list[str]
    celery_broker_url: str

    @property
    def uses_demo_secret(self) -> bool:
        return self.secret_key == DEMO_SECRET_KEY

    @property
    def database_vendor(self) -> str:
        return "sqlite" if self.database_url.startswith("sqlite") else "postgresql"


def load() -> Config:
    default_db = f"sqlite:///{VAR_DIR / 'fiera.sqlite3'}"
    redis_url = os.environ.get("REDIS_URL", "").strip()
    return Config(
        debug=_flag("DEBUG", default=False),
        secret_key=os.environ.get("SECRET_KEY", "").strip() or DEMO_SECRET_KEY,
        database_url=os.environ.get("DATABASE_URL", "").strip() or default_db,
        redis_url=redis_url,
        allowed_hosts=[
            h.strip()
            for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
            if h.strip()
        ],
        celery_broker_url=os.environ.get("CELERY_BROKER_URL", "").strip() or redis_url,
    )


def problems(config: Config) -> list[str]:
    """What is wrong with this configuration, each in words a user understands."""
    found: list[str] = []
    if not config.debug and config.uses_demo_secret:
        found.append(
            "SECRET_KEY is not set, so Fiera would use the public demo key. In production "
            "(DEBUG is off) set SECRET_KEY to a long random value, for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`, or set DEBUG=true "
            "to run the demo."
        )
    elif not config.uses_demo_secret and len(config.secret_key) < 32:
        found.append("SECRET_KEY is shorter than 32 characters; use a long random value.")
    if not (
        config.database_url.startswith("sqlite:")
        or config.database_url.startswith(("postgres://", "postgresql://"))
    ):
        found.append(
            f"DATABASE_URL must start with sqlite:// or postgresql:// (got "
            f"{config.database_url.split(':', 1)[0]!r})."
        )
    if config.redis_url and not config.redis_url.startswith(("redis://", "rediss://")):
        found.append("REDIS_URL must start with redis:// or rediss://.")
    if not config.allowed_hosts:
        found.append("ALLOWED_HOSTS is empty; list the host names Fiera is served under.")
    return found
