"""Spanish readers sign up in Spanish: the request's language becomes the account's, the
form offers Spanish and proposes Spain, and signing up sets the language cookie."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from fiera.accounts.models import User
from tests.accounts.test_signup import signup_api, signup_page

pytestmark = pytest.mark.django_db


def test_api_signup_takes_spanish_from_the_request_or_the_body(client: Client) -> None:
    status, body = signup_api(client, language="es-ES,es;q=0.9")
    assert status == 201 and body["preferred_language"] == "es"
    status, body = signup_api(
        client, username="ana", email="ana@example.com", preferred_language="es"
    )
    assert status == 201 and body["preferred_language"] == "es"


def test_the_sign_up_form_offers_spanish_and_proposes_spain(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get("/signup/").content.decode()
    assert '<option value="es" selected>español</option>' in page
    assert '<option value="ES" selected>España</option>' in page
    response = signup_page(client, preferred_language="es")
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert User.objects.get(username="mei").preferred_language == "es"
