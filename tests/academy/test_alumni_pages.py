"""The alumni pages: who may open them (anonymous to the sign-in page, not an alumnus a 403
saying how to join), the directory with its search and filters in it/en/zh-Hans, the profile
form (opt in and out), the board (write, reply, edit in the window, delete, operators hide)
and the errors shown on the page (429 when writing too often)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fiera.academy.models import AlumniPost, AlumniReply
from tests.academy import factories as af
from tests.academy.alumni_factories import certified, listed, post
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db

DIRECTORY = "/academy/alumni/"
BOARD = "/academy/alumni/board/"
PROFILE = "/academy/alumni/profile/"


def _as(client: Client, user: Any, language: str = "en") -> Client:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_urls() -> None:
    assert reverse("academy:alumni_directory") == DIRECTORY
    assert reverse("academy:alumni_board") == BOARD
    assert reverse("academy:alumni_profile") == PROFILE


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    for url in (DIRECTORY, BOARD, PROFILE, f"{BOARD}1/"):
        answer = client.get(url)
        assert answer.status_code == 302 and answer["Location"].startswith("/login/"), url


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "pass its final exam"), ("it", "supera il suo esame finale"), ("zh-hans", "期末考试")],
)
def test_others_get_a_403_saying_how_to_join(client: Client, language: str, words: str) -> None:
    learner = af.enrolment(af.cohort()).user
    _as(client, learner, language)
    for url in (DIRECTORY, BOARD, PROFILE):
        answer = client.get(url)
        assert answer.status_code == 403, url
        assert words in answer.content.decode()


@pytest.mark.parametrize(
    ("language", "heading", "country"),
    [
        ("en", "Alumni directory", "Spain"),
        ("it", "Elenco degli alumni", "Spagna"),
        ("zh-hans", "校友名录", "西班牙"),
    ],
)
def test_directory_search_and_filters(
    client: Client, language: str, heading: str, country: str
) -> None:
    co = af.cohort(slug="masterclass-2026")
    me = listed(co, name="Giulia Rossi", company_name="Frantoio Rossi", country="IT")
    listed(co, name="Carmen López", company_name="Aceites del Sur", country="ES")
    certified(co)  # not listed
    _as(client, me.user, language)
    page = client.get(DIRECTORY).content.decode()
    assert heading in page and "Giulia Rossi" in page and "Carmen López" in page
    assert country in page and co.name in page
    found = client.get(DIRECTORY, {"q": "aceites"}).content.decode()
    assert "Carmen López" in found and "Giulia Rossi" not in found
    only_es = client.get(DIRECTORY, {"country": "ES", "cohort": co.slug}).content.decode()
    assert "Carmen López" in only_es and "Giulia Rossi" not in only_es
    assert client.get(DIRECTORY, {"page": "999", "country": "<x>"}).status_code == 200


def test_directory_pages(client: Client) -> None:
    co = af.cohort()
    first = listed(co, name="Alumnus 00")
    for n in range(1, 30):
        listed(co, name=f"Alumnus {n:02d}", country="IT")
    _as(client, first.user)
    one = client.get(DIRECTORY).content.decode()
    assert "Alumnus 23" in one and "Alumnus 24" not in one and "Page 1 of 2" in one
    two = client.get(DIRECTORY, {"page": "2", "country": "IT"}).content.decode()
    assert "Alumnus 29" in two and "country=IT&amp;page=1" in two


def test_profile_opt_in_and_out(client: Client) -> None:
    e = certified(af.cohort())
    _as(client, e.user, "it")
    form = client.get(PROFILE).content.decode()
    assert "Mostrami nell'elenco degli alumni" in form
    assert 'name="listed" checked' not in form  # not listed by default
    saved = client.post(
        PROFILE,
        {
            "listed": "on",
            "name": "Giulia Rossi",
            "headline": "Olio in Cina",
            "company_name": "Frantoio Rossi",
            "country": "IT",
            "contact": "none",
        },
    )
    assert saved.status_code == 302
    assert "Giulia Rossi" in client.get(DIRECTORY).content.decode()
    bad = client.post(PROFILE, {"name": "", "listed": "on"})
    assert bad.status_code == 422 and "compila questo campo" in bad.content.decode()
    client.post(PROFILE, {"name": "Giulia Rossi", "contact": "none"})
    assert "Giulia Rossi" not in client.get(DIRECTORY).content.decode()


def test_profile_with_ones_company(client: Client) -> None:
    m = f.merchant(display_name="Oleificio Sereno")
    owner = f.staff(m)
    certified(af.cohort(), owner)
    _as(client, owner)
    form = client.get(PROFILE).content.decode()
    assert f'<option value="{m.pk}" selected>Oleificio Sereno</option>' in form
    client.post(
        PROFILE,
        {"listed": "on", "name": "Anna", "company_merchant_id": str(m.pk), "contact": "none"},
    )
    assert "Oleificio Sereno" in client.get(DIRECTORY).content.decode()


def test_write_reply_edit_delete(client: Client) -> None:
    co = af.cohort()
    a, b = certified(co).user, certified(co).user
    _as(client, a)
    made = client.post(BOARD, {"title": "Olive oil to China", "body": "Any **tips**?"})
    assert made.status_code == 302
    the_post = AlumniPost.objects.get()
    url = f"{BOARD}{the_post.pk}/"
    assert made["Location"] == url
    page = client.get(url).content.decode()
    assert "<strong>tips</strong>" in page and "Edit" in page
    listing = client.get(BOARD).content.decode()
    assert "Olive oil to China" in listing and "0 replies" in listing
    _as(client, b)
    replied = client.post(url, {"body": "Try the Canton fair"})
    reply = AlumniReply.objects.get()
    assert replied.status_code == 302 and replied["Location"] == f"{url}#reply-{reply.pk}"
    assert "1 reply" in client.get(BOARD).content.decode()
    assert client.get(f"{url}edit/").status_code == 403  # not the author
    assert client.post(f"{url}delete/").status_code == 403
    assert client.post(url, {"body": ""}).status_code == 422
    changed = client.post(f"/academy/alumni/replies/{reply.pk}/edit/", {"body": "Canton fair!"})
    assert changed.status_code == 302
    assert "Canton fair!" in client.get(url).content.decode()
    _as(client, a)
    assert client.get(f"{url}edit/").status_code == 200
    assert (
        client.post(f"{url}edit/", {"title": "Olive oil to Shanghai", "body": "x"}).status_code
        == 302
    )
    assert AlumniPost.objects.get().title == "Olive oil to Shanghai"
    assert client.post(f"{url}delete/").status_code == 302
    assert not AlumniPost.objects.exists() and not AlumniReply.objects.exists()


def test_edit_window_closes(client: Client) -> None:
    a = certified(af.cohort()).user
    old = post(a, now=timezone.now() - timedelta(minutes=20))
    _as(client, a)
    url = f"{BOARD}{old.id}/"
    assert "Edit" not in client.get(url).content.decode()
    assert client.get(f"{url}edit/").status_code == 403
    late = client.post(f"{url}edit/", {"title": "t", "body": "b"})
    assert late.status_code == 409 and "15" in late.content.decode()


def test_operators_hide_posts_and_replies(client: Client) -> None:
    co = af.cohort()
    a, b = certified(co).user, certified(co).user
    operator = f.user(role="operator")
    p = post(a, title="Cheap watches", now=timezone.now())
    url = f"{BOARD}{p.id}/"
    _as(client, b)
    assert client.post(f"{url}hide/", {"reason": "spam"}).status_code == 403
    _as(client, operator)
    page = client.get(url).content.decode()
    assert "Reason for hiding" in page
    assert client.post(f"{url}hide/", {"reason": "Advertising"}).status_code == 302
    assert "Advertising" in client.get(url).content.decode()
    _as(client, b)
    assert client.get(url).status_code == 404
    assert "Cheap watches" not in client.get(BOARD).content.decode()


def test_writing_too_often_is_a_clear_429(client: Client) -> None:
    a = certified(af.cohort()).user
    for n in range(10):
        post(a, title=f"Post {n}", now=timezone.now())
    _as(client, a, "it")
    answer = client.post(BOARD, {"title": "One more", "body": "x"})
    assert answer.status_code == 429
    assert "Hai scritto 10 messaggi nell&#x27;ultima ora" in answer.content.decode()


def test_operators_read_without_a_profile_link(client: Client) -> None:
    co = af.cohort()
    listed(co, name="Giulia Rossi")
    _as(client, f.user(role="operator"))
    page = client.get(DIRECTORY).content.decode()
    assert "Giulia Rossi" in page and PROFILE not in page
    assert client.get(PROFILE).status_code == 403
