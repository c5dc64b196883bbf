"""A buyer opens an account on the sign-up page or with POST /api/v1/auth/signup: signed in
and back where they were (the page), clear 4xx errors in the reader's language (taken names,
weak passwords, bad addresses), and a limit per client address (FIERA_SIGNUP_RATE)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings

from fiera.accounts import services
from fiera.accounts.models import User
from fiera.common.errors import DomainError

pytestmark = pytest.mark.django_db

PASSWORD = "lantern-orbit-73"


def signup_api(client: Client, language: str = "en", **fields: Any) -> tuple[int, dict[str, Any]]:
    body = {
        "username": "mei",
        "email": "mei@example.com",
        "password": PASSWORD,
        "country": "SG",
        **fields,
    }
    response = client.post(
        "/api/v1/auth/signup", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )
    return response.status_code, response.json()


def signup_page(client: Client, next_url: str = "", **fields: Any) -> Any:
    data = {
        "username": "mei",
        "email": "mei@example.com",
        "password": PASSWORD,
        "country": "SG",
        "preferred_language": "en",
        "next": next_url,
        **fields,
    }
    return client.post("/signup/", data)


# the service --------------------------------------------------------------------------------


def test_buyer_signup_makes_a_consumer_buyer_with_country_and_language() -> None:
    user = services.buyer_signup(
        username="", email="Ana@Example.COM", password=PASSWORD, country="it",
        preferred_language="it",
    )  # fmt: skip
    assert (user.username, user.email) == ("Ana@example.com", "Ana@example.com")
    assert (user.role, user.buyer_kind, user.country) == ("buyer", "consumer", "IT")
    assert user.preferred_language == "it" and user.check_password(PASSWORD)
    assert not user.is_staff


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"username": "MEI"}, "username_taken"),  # names are unique regardless of case
        ({"username": "other", "email": "MEI@example.com"}, "email_taken"),
        ({"username": "other", "email": "not-an-address"}, "invalid_email"),
        ({"username": "has space", "email": "x@example.com"}, "invalid_username"),
        ({"username": "other", "email": "x@example.com", "password": "12345678"}, "weak_password"),
        ({"username": "other", "email": "x@example.com", "password": "short"}, "weak_password"),
        ({"username": "other", "email": "x@example.com", "country": "XX"}, "invalid"),
        (
            {"username": "other", "email": "x@example.com", "preferred_language": "fr"},
            "unknown_language",
        ),
    ],
)
def test_buyer_signup_refuses_with_a_stable_code(fields: dict[str, str], code: str) -> None:
    services.buyer_signup(username="mei", email="mei@example.com", password=PASSWORD, country="SG")
    arguments = {
        "username": "mei",
        "email": "mei@example.com",
        "password": PASSWORD,
        "country": "SG",
        **fields,
    }
    with pytest.raises(DomainError) as raised:
        services.buyer_signup(**arguments)
    assert raised.value.code == code
    assert User.objects.count() == 1


# the API ------------------------------------------------------------------------------------


def test_api_signup_creates_the_account_and_its_credentials_work(client: Client) -> None:
    status, body = signup_api(client, language="zh-hans")
    assert status == 201
    assert body["username"] == "mei" and body["role"] == "buyer" and body["country"] == "SG"
    assert body["preferred_language"] == "zh-hans"  # the request's language
    assert "password" not in body
    token = client.post(
        "/api/v1/auth/tokens",
        {"username": "mei", "password": PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 201


def test_api_signup_errors_are_clear_and_translated(client: Client) -> None:
    assert signup_api(client)[0] == 201
    status, body = signup_api(client, language="it")
    assert (status, body["error"]) == (409, "username_taken")
    assert body["detail"] == "Questo nome utente è già in uso; scegline un altro."
    status, body = signup_api(client, language="zh-hans", username="other")
    assert (status, body["error"]) == (409, "email_taken")
    assert "邮箱" in body["detail"]
    status, body = signup_api(
        client, language="it", username="x", email="x@example.com", password="password"
    )
    assert (status, body["error"]) == (422, "weak_password")
    assert "password_too_common" in body["problems"]
    assert body["detail"].startswith("Scegli un'altra password.")
    assert "troppo comune" in body["detail"]  # Django's own validator message, in Italian
    status, body = signup_api(client, username="y", email="nope")
    assert (status, body["error"]) == (422, "invalid_email")
    assert body["detail"] == "Enter an email address such as name@example.com."
    status, body = signup_api(client, username="y", email="y@example.com", country="Z")
    assert status == 422  # schema: two letters
    status, body = signup_api(client, username="y", email="y@example.com", country="ZZ")
    assert (status, body["error"]) == (422, "invalid")


def test_api_signup_is_limited_per_address(client: Client) -> None:
    assert settings.FIERA_SIGNUP_RATE == "10/h"
    statuses = [
        signup_api(client, username=f"u{n}", email=f"u{n}@example.com")[0] for n in range(11)
    ]
    assert statuses == [201] * 10 + [429]
    # The token endpoint counts apart: signing in still works.
    token = client.post(
        "/api/v1/auth/tokens", {"username": "u0", "password": PASSWORD},
        content_type="application/json",
    )  # fmt: skip
    assert token.status_code == 201


# the page -----------------------------------------------------------------------------------


def test_the_login_page_links_to_sign_up_and_password_reset(client: Client) -> None:
    page = client.get("/login/?next=/m/fiera-asia/").content.decode()
    assert 'href="/signup/?next=/m/fiera-asia/"' in page
    assert 'href="/password-reset/"' in page


def test_signing_up_signs_in_and_returns_to_next(client: Client) -> None:
    form = client.get("/signup/?next=/account/orders/")
    assert form.status_code == 200
    assert 'value="/account/orders/"' in form.content.decode()
    response = signup_page(client, next_url="/account/orders/", preferred_language="zh-hans")
    assert response.status_code == 302 and response["Location"] == "/account/orders/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    user = User.objects.get(username="mei")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert (user.country, user.preferred_language) == ("SG", "zh-hans")
    # Signed in already: the page sends them on.
    assert client.get("/signup/?next=/account/orders/")["Location"] == "/account/orders/"


def test_sign_up_never_sends_to_another_site(client: Client) -> None:
    response = signup_page(client, next_url="https://evil.example/")
    assert response["Location"] == "/"


@pytest.mark.parametrize("language", ["en", "it", "zh-hans"])
def test_the_sign_up_page_speaks_the_readers_language(client: Client, language: str) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/signup/").content.decode()
    expected = {"en": "Create an account", "it": "Crea un account", "zh-hans": "创建账户"}
    assert expected[language] in page
    country = {"en": "Singapore", "it": "Singapore", "zh-hans": "新加坡"}[language]
    assert f'<option value="SG">{country}</option>' in page


def test_sign_up_errors_show_on_their_fields_in_italian(client: Client) -> None:
    signup_page(client)
    client.post("/logout/")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "it"
    page = signup_page(client, email="altro@example.com").content.decode()
    assert "Questo nome utente è già in uso" in page
    page = signup_page(client, username="altro", email="altro@example.com", password="123")
    text = page.content.decode()
    assert page.status_code == 200 and "Scegli un&#x27;altra password." in text
    assert User.objects.count() == 1


@override_settings(FIERA_SIGNUP_RATE="2/m")
def test_the_sign_up_form_is_limited_per_address(client: Client) -> None:
    assert signup_page(client, username="a", email="a@example.com").status_code == 302
    client.post("/logout/")
    assert signup_page(client, username="b", email="b@example.com").status_code == 302
    client.post("/logout/")
    response = signup_page(client, username="c", email="c@example.com")
    assert response.status_code == 429 and response["Retry-After"]
    assert not User.objects.filter(username="c").exists()


def test_an_account_signs_in_with_its_email_address_too(client: Client) -> None:
    services.buyer_signup(username="mei", email="mei@example.com", password=PASSWORD, country="SG")
    assert (
        client.post("/login/", {"username": "MEI@example.com", "password": "wrong"}).status_code
        == 200
    )
    assert (
        client.post("/login/", {"username": "MEI@example.com", "password": PASSWORD}).status_code
        == 302
    )
    client.post("/logout/")
    token = client.post(
        "/api/v1/auth/tokens",
        {"username": "mei@example.com", "password": PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 201


def test_an_email_address_shared_by_two_older_accounts_signs_in_neither(client: Client) -> None:
    for name in ("one", "two"):
        services.user_create(
            username=name, password=PASSWORD, role="buyer", email="shared@example.com"
        )
    assert (
        client.post("/login/", {"username": "shared@example.com", "password": PASSWORD}).status_code
        == 200
    )
    assert client.post("/login/", {"username": "one", "password": PASSWORD}).status_code == 302
