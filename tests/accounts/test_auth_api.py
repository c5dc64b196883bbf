from __future__ import annotations

import pytest
from django.test import Client

from fiera.accounts import services
from fiera.accounts.models import User
from fiera.common.errors import InvalidInput

pytestmark = pytest.mark.django_db


def make_buyer(username: str = "ana") -> User:
    return services.user_create(
        username=username, password="correct-horse-9", role="buyer", country="CN"
    )


def test_token_exchange_and_me(client: Client) -> None:
    make_buyer()
    response = client.post(
        "/api/v1/auth/tokens",
        {"username": "ana", "password": "correct-horse-9"},
        content_type="application/json",
    )
    assert response.status_code == 201
    key = response.json()["key"]
    assert key.startswith("fk_")

    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert me.status_code == 200
    assert me.json()["username"] == "ana"
    assert me.json()["role"] == "buyer"
    assert me.json()["buyer_kind"] == "consumer"


def test_only_the_hash_of_a_key_is_stored() -> None:
    user = make_buyer()
    issued = services.token_issue(user_id=user.pk)
    stored = user.api_tokens.get()
    assert issued.key not in (stored.key_sha256, stored.prefix)
    assert services.user_for_token(issued.key) == user
    assert services.user_for_token(issued.key + "x") is None


def test_wrong_password_is_401_with_the_error_shape(client: Client) -> None:
    make_buyer()
    response = client.post(
        "/api/v1/auth/tokens",
        {"username": "ana", "password": "nope-nope-nope"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json() == {
        "error": "bad_credentials",
        "detail": "The user name or password is wrong.",
        "context": "wrong username or password",
    }


def test_missing_or_unknown_token_is_401(client: Client) -> None:
    assert client.get("/api/v1/me").status_code == 401
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer fk_unknown")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


def test_revoked_token_stops_working(client: Client) -> None:
    user = make_buyer()
    issued = services.token_issue(user_id=user.pk)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued.key}"}
    assert client.delete(f"/api/v1/auth/tokens/{issued.token_id}", **auth).status_code == 204
    assert client.get("/api/v1/me", **auth).status_code == 401


def test_cannot_revoke_someone_elses_token(client: Client) -> None:
    ana, bo = make_buyer("ana"), make_buyer("bo")
    theirs = services.token_issue(user_id=bo.pk)
    mine = services.token_issue(user_id=ana.pk)
    response = client.delete(
        f"/api/v1/auth/tokens/{theirs.token_id}", HTTP_AUTHORIZATION=f"Bearer {mine.key}"
    )
    assert response.status_code == 404
    assert services.user_for_token(theirs.key) == bo


def test_malformed_body_is_422_with_the_error_shape(client: Client) -> None:
    response = client.post(
        "/api/v1/auth/tokens", {"username": "ana"}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid"
    assert "password" in body["detail"]


def test_session_auth_works_for_the_api(client: Client) -> None:
    user = make_buyer()
    client.force_login(user)
    assert client.get("/api/v1/me").json()["username"] == "ana"


def test_user_create_rules() -> None:
    with pytest.raises(InvalidInput, match="business unit"):
        services.user_create(username="op", password="long-enough-1", role="operator")
    with pytest.raises(InvalidInput, match="country"):
        services.user_create(username="x", password="long-enough-1", role="buyer", country="ZZ")
    with pytest.raises(InvalidInput, match="8 characters"):
        services.user_create(username="x", password="short", role="buyer")
    make_buyer("dup")
    with pytest.raises(services.UsernameTaken):
        make_buyer("dup")
    operator = services.user_create(
        username="op", password="long-enough-1", role="operator", business_unit="ICE Digital"
    )
    assert operator.is_staff and operator.is_operator


def test_token_lookup_is_one_query_and_a_complete_user(django_assert_num_queries) -> None:
    issued = services.token_issue(user_id=make_buyer().pk)
    user = User.objects.get(username="ana")  # as the ORM loads it
    with django_assert_num_queries(1):
        found = services.user_for_token(issued.key)
    assert found is not None
    for field in User._meta.concrete_fields:  # values AND types, as the ORM loads them
        expected, got = getattr(user, field.attname), getattr(found, field.attname)
        assert (got, type(got)) == (expected, type(expected)), field.attname
    assert found.is_active is True and found.date_joined.tzinfo is not None
    assert found._state.adding is False


def test_a_deactivated_users_token_stops_working_at_once(client: Client) -> None:
    user = make_buyer()
    issued = services.token_issue(user_id=user.pk)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued.key}"}
    assert client.get("/api/v1/me", **auth).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert services.user_for_token(issued.key) is None
    assert client.get("/api/v1/me", **auth).status_code == 401
