from __future__ import annotations

from celery import shared_task


@shared_task(name="fiera.common.outbox_relay")
def outbox_relay() -> int:
    from fiera.common.events import relay

    return relay()


@shared_task(name="fiera.common.ping")
def ping(value: str) -> str:
    """Round trip through the broker and a worker; used by ``fiera check`` and CI."""
    return f"pong:{value}"
