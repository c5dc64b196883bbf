"""Shared test set-up.

Tests marked ``postgres`` need PostgreSQL. Locally, on SQLite, they skip with the
reason. When FIERA_REQUIRE_POSTGRES=1 (CI's PostgreSQL pass) the database must be
PostgreSQL, or the whole run fails: such tests never silently skip there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

# Property tests judge results, not speed: on a loaded 2-core CI machine one example can take
# longer than hypothesis' 200 ms default deadline, which would fail a correct run by chance.
# Hypothesis' own "ci" profile (loaded when CI is set) would derandomize every test, which the
# OpenAPI fuzz refuses: it seeds itself and keeps its found examples (tests/test_openapi_fuzz.py).
settings.register_profile(
    "fiera",
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fiera"))

# Users made in tests (and by the API fuzz, several per case) need no slow key derivation;
# which hasher production uses is settings.py's concern, not the tests'.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    from django.test.utils import override_settings

    # The outbox relay runs inline after commit (not on the background thread the demo
    # uses without a broker), so a test sees the subscribers' effects when its call returns.
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS, FIERA_OUTBOX_RELAY_THREAD=False):
        yield


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    on_postgres = vendor == "postgresql"
    if os.environ.get("FIERA_REQUIRE_POSTGRES") == "1" and not on_postgres:
        raise pytest.UsageError(
            "FIERA_REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL: the PostgreSQL tests "
            "would not run"
        )
    if on_postgres:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgresql://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_cache(request: pytest.FixtureRequest) -> None:
    """Each test starts with an empty cache: rate limits (the API token throttle) and cached
    values never leak from one test into the next. A database test then starts warm like a
    running server: the published festivals' windows are cached (changes to festivals and
    flash sales drop them: ``fiera.festivals.offers``), so a checkout's query count is the
    steady state's."""
    from django.core.cache import cache

    cache.clear()
    if request.node.get_closest_marker("django_db") is not None:
        from fiera.festivals.offers import festival_windows

        festival_windows()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a request through the test client leaves
    its language active in the thread, which would leak into the next test's messages."""
    from django.utils import translation

    yield
    translation.activate("en")


@pytest.fixture(autouse=True, scope="session")
def _media_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Uploaded and generated pictures go to a temporary folder, never to var/media
    (session-wide, so module-scoped fixtures such as the demo world's use it too)."""
    from django.test.utils import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield
