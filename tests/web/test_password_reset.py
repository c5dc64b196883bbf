"""Password reset: the mail goes out in the account's language with a link to FIERA_BASE_URL,
the link lets the person choose a new password that then signs in, and an unknown address
gets the very same page (nothing says whether an account exists)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client, override_settings

from fiera.accounts import services
from tests.web.test_pages_translated import TRANSLATED

pytestmark = pytest.mark.django_db

OLD = "lantern-orbit-73"
NEW = "harbour-quince-41"


def _link(body: str) -> str:
    found = re.search(r"http://127\.0\.0\.1:8000(/password-reset/[^/\s]+/[^/\s]+/)", body)
    assert found, body
    return found.group(1)


def test_reset_end_to_end_in_the_accounts_language(client: Client) -> None:
    services.buyer_signup(
        username="lucia", email="lucia@example.com", password=OLD, country="IT",
        preferred_language="it",
    )  # fmt: skip
    page = client.get("/password-reset/")
    assert page.status_code == 200 and "Reset your password" in page.content.decode()
    response = client.post("/password-reset/", {"email": "LUCIA@example.com"})
    assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["lucia@example.com"]
    assert sent.subject == "Scegli una nuova password per Fiera"  # her language, not the page's
    assert "Ciao lucia," in sent.body
    html = str(sent.alternatives[0][0])
    link = _link(sent.body)
    assert link in html

    # The link works once: it leads to the form, the new password is saved ...
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/password-reset/done/"
    assert "Sign in with it now" in client.get("/password-reset/done/").content.decode()
    # ... the new password signs in, the old one no longer does ...
    assert client.post("/login/", {"username": "lucia", "password": OLD}).status_code == 200
    assert client.post("/login/", {"username": "lucia", "password": NEW}).status_code == 302
    client.post("/logout/")
    # ... and the link is spent (signing in switched the pages to her language).
    again = client.get(link, follow=True).content.decode()
    assert "Questo link non funziona più" in again


def test_an_unknown_address_gets_the_same_page_and_no_mail(client: Client) -> None:
    services.buyer_signup(username="lucia", email="lucia@example.com", password=OLD, country="IT")
    known = client.post("/password-reset/", {"email": "lucia@example.com"}, follow=True)
    unknown = client.post("/password-reset/", {"email": "nobody@example.com"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [("/password-reset/sent/", 302)]
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", known.content.decode()) == strip.sub("", unknown.content.decode())
    assert len(mail.outbox) == 1


def test_a_weak_new_password_is_refused_in_the_readers_language(client: Client) -> None:
    services.buyer_signup(username="lucia", email="lucia@example.com", password=OLD, country="IT")
    client.post("/password-reset/", {"email": "lucia@example.com"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    form_page = client.get(_link(mail.outbox[0].body), follow=True)
    assert "设置新密码" in form_page.content.decode()
    refused = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"}
    )
    assert refused.status_code == 200
    assert "密码只包含数字。" in refused.content.decode()  # Django's validator, in Chinese


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Forgot your password?"),
        ("it", "Password dimenticata?"),
        ("zh-hans", "忘记密码\uff1f"),
    ],
)
def test_the_reset_pages_speak_the_readers_language(
    client: Client, language: str, expected: str
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert expected in client.get("/login/").content.decode()
    sent = client.get("/password-reset/sent/").content.decode()
    assert {"en": "Check your email", "it": "Controlla la tua email", "zh-hans": "请查看您的邮箱"}[
        language
    ] in sent


@override_settings(FIERA_LOGIN_RATE="2/m")
def test_reset_requests_are_limited_per_address(client: Client) -> None:
    for _ in range(2):
        assert client.post("/password-reset/", {"email": "a@example.com"}).status_code == 302
    assert client.post("/password-reset/", {"email": "a@example.com"}).status_code == 429


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_english_left_on_the_account_pages(client: Client, language: str) -> None:
    from tests.web.test_pages_translated import english_left

    services.buyer_signup(username="lucia", email="lucia@example.com", password=OLD, country="IT")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.post("/password-reset/", {"email": "lucia@example.com"})
    confirm = client.get(_link(mail.outbox[0].body), follow=True).redirect_chain[-1][0]
    pages = {
        url: client.get(url).content.decode()
        for url in (
            "/login/",
            "/signup/",
            "/password-reset/",
            "/password-reset/sent/",
            "/password-reset/done/",
            confirm,
            "/password-reset/MQ/bad-token/",
        )
    }
    pages["signup errors"] = client.post(
        "/signup/", {"username": "lucia", "email": "x", "password": "1", "country": "IT"}
    ).content.decode()
    pages["reset errors"] = client.post(
        confirm, {"new_password1": "12345678", "new_password2": "1234"}
    ).content.decode()
    # The country list is CLDR's names in the language (tested on the sign-up page); some
    # Italian ones are spelt as in English (Congo, Myanmar), which the checker would flag.
    countries = re.compile(r'<select name="country".*?</select>', re.S)
    pages = {url: countries.sub("", html) for url, html in pages.items()}
    problems = [
        f"{url}: {hit}" for url, html in pages.items() for hit in english_left(html, language)
    ]
    assert not problems, "\n".join(problems)
