"""Wrong passwords are limited: the sign-in page and POST /api/v1/auth/tokens lock a
username (per client address) after FIERA_LOGIN_FAILURE_LIMIT misses, and the token
endpoint is rate-limited per address (FIERA_API_TOKEN_RATE). Both answer 429 with
Retry-After."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from fiera.accounts import services
from fiera.accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-9"


def make_buyer(username: str = "ana") -> User:
    return services.user_create(username=username, password=PASSWORD, role="buyer", country="CN")


def _token(client: Client, username: str, password: str) -> tuple[int, dict[str, object], str]:
    response = client.post(
        "/api/v1/auth/tokens",
        {"username": username, "password": password},
        content_type="application/json",
    )
    return response.status_code, response.json(), response.get("Retry-After", "")


def test_the_limits_are_the_configured_ones() -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.FIERA_API_TOKEN_RATE == "10/m"
    assert settings.FIERA_LOGIN_RATE == "20/m"


def test_api_locks_a_username_after_five_wrong_passwords(client: Client) -> None:
    make_buyer("ana")
    make_buyer("bo")
    statuses = [_token(client, "ana", "wrong-password")[0] for _ in range(4)]
    assert statuses == [401, 401, 401, 401]
    status, body, retry_after = _token(client, "ana", "wrong-password")
    assert status == 429
    assert body["error"] == "too_many_requests"
    assert "locked for 15 minutes" in str(body["detail"])
    assert retry_after == "900"
    # Locked: even the right password is refused now ...
    status, body, retry_after = _token(client, "ana", PASSWORD)
    assert (status, body["error"], retry_after) == (429, "too_many_requests", "900")
    # ... while another username from the same address still signs in.
    assert _token(client, "bo", PASSWORD)[0] == 201


def test_a_sign_in_before_the_limit_resets_the_count(client: Client) -> None:
    make_buyer("ana")
    for _ in range(4):
        assert client.post("/login/", {"username": "ana", "password": "wrong"}).status_code == 200
    assert client.post("/login/", {"username": "ana", "password": PASSWORD}).status_code == 302
    client.post("/logout/")
    for _ in range(4):
        assert client.post("/login/", {"username": "ana", "password": "wrong"}).status_code == 200
    assert client.post("/login/", {"username": "ana", "password": PASSWORD}).status_code == 302


def test_api_token_requests_are_rate_limited_per_address(client: Client) -> None:
    # Different usernames each time, so the lockout does not answer first: ten requests a
    # minute pass, the eleventh is throttled with the wait in Retry-After.
    for i in range(10):
        assert _token(client, f"nobody-{i}", "wrong-password")[0] == 401
    status, body, retry_after = _token(client, "nobody-10", "wrong-password")
    assert status == 429
    assert body == {
        "error": "too_many_requests",
        "detail": "Too many requests from this address; please wait a moment and try again.",
    }
    assert retry_after.isdigit() and 0 < int(retry_after) <= 60
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert _token(other, "nobody-11", "wrong-password")[0] == 401


def test_thirty_wrong_passwords_on_the_sign_in_page_end_locked(client: Client) -> None:
    make_buyer("ana")
    responses = [
        client.post("/login/", {"username": "ana", "password": f"wrong-{i}"}) for i in range(30)
    ]
    statuses = [r.status_code for r in responses]
    assert statuses[:4] == [200] * 4  # the form again, with its error
    assert set(statuses[4:]) == {429}
    locked = responses[4]
    assert locked["Retry-After"] == "900"
    assert locked["Content-Type"].startswith("text/html")
    page = locked.content.decode()
    assert "Sign-in locked" in page
    assert "Try again in 15 minutes" in page
    assert "_auth_user_id" not in client.session


def test_a_locked_username_refuses_even_the_right_password(client: Client) -> None:
    make_buyer("ana")
    for _ in range(5):
        client.post("/login/", {"username": "ana", "password": "wrong"})
    response = client.post("/login/", {"username": "ana", "password": PASSWORD})
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_sign_in_form_is_rate_limited_per_address(client: Client) -> None:
    # A different username each time (spraying): no lockout, but the address is limited.
    for i in range(20):
        response = client.post("/login/", {"username": f"user-{i}", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/login/", {"username": "user-20", "password": "wrong"})
    assert response.status_code == 429
    assert response["Retry-After"].isdigit() and 0 < int(response["Retry-After"]) <= 60
    assert "Too many sign-in attempts from your address" in response.content.decode()
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/login/", {"username": "user-21", "password": "x"}).status_code == 200


def test_a_forged_x_forwarded_for_does_not_escape_the_token_throttle(client: Client) -> None:
    for i in range(10):
        response = client.post(
            "/api/v1/auth/tokens",
            {"username": f"nobody-{i}", "password": "wrong"},
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        )
        assert response.status_code == 401
    response = client.post(
        "/api/v1/auth/tokens",
        {"username": "nobody-10", "password": "wrong"},
        content_type="application/json",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    assert response.status_code == 429


def test_sign_in_page_still_works_below_the_limit(client: Client) -> None:
    make_buyer("ana")
    assert client.post("/login/", {"username": "ana", "password": "wrong"}).status_code == 200
    response = client.post("/login/", {"username": "ana", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_the_locked_page_speaks_the_visitors_language(client: Client) -> None:
    make_buyer("ana")
    for _ in range(5):
        response = client.post(
            "/login/", {"username": "ana", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="it"
        )
    assert response.status_code == 429
    page = response.content.decode()
    assert "Accesso bloccato" in page
    assert "Riprova tra 15 minuti" in page


def test_the_rate_limit_page_speaks_the_visitors_language(client: Client) -> None:
    for i in range(21):
        response = client.post(
            "/login/", {"username": f"user-{i}", "password": "x"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert response.status_code == 429
    assert "来自您地址的登录尝试次数过多" in response.content.decode()


def test_behind_a_proxy_the_lockout_tells_clients_apart(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind a proxy every request comes from the proxy's address: locking by it would let
    anyone lock a username for everybody. The lock follows the address the proxy appended."""
    from ninja.conf import settings as ninja_settings

    monkeypatch.setattr(ninja_settings, "NUM_PROXIES", 1)
    make_buyer("ana")

    def token(client_address: str, password: str) -> int:
        response = client.post(
            "/api/v1/auth/tokens",
            {"username": "ana", "password": password},
            content_type="application/json",
            REMOTE_ADDR="10.0.0.1",  # the proxy
            HTTP_X_FORWARDED_FOR=f"203.0.113.9, {client_address}",  # first part: client-made
        )
        return response.status_code

    assert [token("198.51.100.7", "wrong-password") for _ in range(5)][-1] == 429
    assert token("198.51.100.7", PASSWORD) == 429
    # Another client behind the same proxy still signs in as ana.
    assert token("192.0.2.44", PASSWORD) == 201


def test_the_lockout_answer_is_in_the_readers_language(client: Client) -> None:
    make_buyer("ana")
    for _ in range(5):
        response = client.post(
            "/api/v1/auth/tokens",
            {"username": "ana", "password": "wrong-password"},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="it",
        )
    assert response.status_code == 429
    body = response.json()
    assert body["error"] == "too_many_requests"
    assert body["detail"].startswith("Troppi tentativi") and "15 minuti" in body["detail"]
    assert "django-axes" in body["context"]
