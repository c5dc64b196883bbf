"""The alumni API: the directory with its filters and paging, one's own profile, the board
(list, create, reply, edit, delete, hide) and the denials: anonymous 401, not an alumnus 403
with a message saying how to become one, another's post 403, a hidden post 404, too many
posts 429."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fiera.accounts.services import token_issue
from tests.academy import factories as af
from tests.academy.alumni_factories import certified, listed
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1/academy/alumni"


def _h(user: Any, language: str = "en") -> dict[str, str]:
    return {
        "HTTP_AUTHORIZATION": f"Bearer {token_issue(user_id=user.pk).key}",
        "HTTP_ACCEPT_LANGUAGE": language,
    }


def _send(client: Client, method: str, url: str, user: Any, body: Any = None, **kw: Any) -> Any:
    call = getattr(client, method)
    return call(url, body or {}, content_type="application/json", **_h(user, **kw))


def test_anonymous_gets_401_everywhere(client: Client) -> None:
    for method, url in (
        ("get", API),
        ("get", f"{API}/profile"),
        ("get", f"{API}/posts"),
        ("post", f"{API}/posts"),
        ("get", f"{API}/posts/1"),
        ("post", f"{API}/posts/1/replies"),
        ("post", f"{API}/posts/1/hide"),
    ):
        answer = getattr(client, method)(url, {}, content_type="application/json")
        assert answer.status_code == 401, (method, url)


def test_not_an_alumnus_gets_403_saying_how_to_join(client: Client) -> None:
    co = af.cohort()
    learner = af.enrolment(co).user  # enrolled, not certified
    buyer = f.user(role="buyer")
    for who in (learner, buyer):
        for method, url in (
            ("get", API),
            ("get", f"{API}/posts"),
            ("post", f"{API}/posts"),
            ("get", f"{API}/profile"),
        ):
            body = {"title": "Hi", "body": "Hello"} if method == "post" else None
            answer = _send(client, method, url, who, body)
            assert answer.status_code == 403, (who.role, method, url, answer.content)
            assert answer.json()["error"] == "alumni_only"
            assert "final exam" in answer.json()["detail"]
    italian = _send(client, "get", API, learner, language="it").json()["detail"]
    assert "esame finale" in italian


def test_directory_filters_and_paging(client: Client) -> None:
    co = af.cohort(slug="masterclass-2026")
    other = af.cohort(slug="spring-2027")
    a = listed(co, name="Giulia Rossi", company_name="Frantoio Rossi", country="IT")
    listed(co, name="Carmen López", company_name="Aceites del Sur", country="ES")
    listed(other, name="Li Wei", company_name="Oliva Trading", country="CN")
    certified(co)  # not listed
    viewer = a.user
    everyone = _send(client, "get", API, viewer).json()
    assert everyone["count"] == 3
    assert [i["name"] for i in everyone["items"]] == ["Carmen López", "Giulia Rossi", "Li Wei"]
    first = everyone["items"][1]
    assert first["company_name"] == "Frantoio Rossi" and first["country_name"] == "Italy"
    assert first["cohorts"] == [
        {"slug": "masterclass-2026", "name": co.name, "certificate_url": ""}
    ]
    assert _send(client, "get", f"{API}?q=oliva", viewer).json()["items"][0]["name"] == "Li Wei"
    assert _send(client, "get", f"{API}?country=ES", viewer).json()["count"] == 1
    assert _send(client, "get", f"{API}?cohort=spring-2027", viewer).json()["count"] == 1
    zh = _send(client, "get", f"{API}?country=CN", viewer, language="zh-hans").json()
    assert zh["items"][0]["country_name"] == "中国"
    paged = _send(client, "get", f"{API}?limit=2&offset=2", viewer).json()
    assert paged["count"] == 3 and [i["name"] for i in paged["items"]] == ["Li Wei"]
    assert _send(client, "get", f"{API}?limit=0", viewer).status_code == 422
    assert _send(client, "get", f"{API}?q={'x' * 101}", viewer).status_code == 422
    operator = f.user(role="operator")
    assert _send(client, "get", API, operator).json()["count"] == 3


def test_own_profile_opt_in_and_out(client: Client) -> None:
    e = certified(af.cohort())
    me = e.user
    got = _send(client, "get", f"{API}/profile", me).json()
    assert got["listed"] is False and got["saved"] is False
    body = {
        "listed": True,
        "name": "Giulia Rossi",
        "headline": "Olive oil to Shanghai",
        "company_name": "Frantoio Rossi",
        "country": "IT",
        "contact": "email",
    }
    saved = _send(client, "put", f"{API}/profile", me, body)
    assert saved.status_code == 200, saved.content
    assert saved.json()["listed"] is True and saved.json()["saved"] is True
    assert _send(client, "get", API, me).json()["count"] == 1
    bad = _send(client, "put", f"{API}/profile", me, {**body, "country": "XX"})
    assert bad.status_code == 422
    wrong = _send(client, "put", f"{API}/profile", me, {**body, "company_merchant_id": 999999})
    assert wrong.status_code == 422 and wrong.json()["error"] == "alumni_company_not_yours"
    _send(client, "put", f"{API}/profile", me, {**body, "listed": False})
    assert _send(client, "get", API, me).json()["count"] == 0


def test_board_create_reply_list_and_read(client: Client) -> None:
    co = af.cohort()
    a, b = certified(co).user, certified(co).user
    made = _send(
        client,
        "post",
        f"{API}/posts",
        a,
        {"title": "Olive oil to China", "body": "Who has a **distributor** in Shanghai?"},
    )
    assert made.status_code == 201, made.content
    post = made.json()
    assert "<strong>distributor</strong>" in post["body_html"] and post["can_change"] is True
    answer = _send(
        client, "post", f"{API}/posts/{post['id']}/replies", b, {"body": "Yes, <b>write</b> me"}
    )
    assert answer.status_code == 201
    assert "&lt;b&gt;" in answer.json()["body_html"]
    board = _send(client, "get", f"{API}/posts", b).json()
    assert board["count"] == 1 and board["items"][0]["reply_count"] == 1
    read = _send(client, "get", f"{API}/posts/{post['id']}", b).json()
    assert read["can_change"] is False and len(read["replies"]) == 1
    assert _send(client, "get", f"{API}/posts/999999", b).status_code == 404
    empty = _send(client, "post", f"{API}/posts", a, {"title": "", "body": "x"})
    assert empty.status_code == 422


def test_editing_another_persons_post_is_refused(client: Client) -> None:
    co = af.cohort()
    a, b = certified(co).user, certified(co).user
    post = _send(client, "post", f"{API}/posts", a, {"title": "Mine", "body": "Text"}).json()
    url = f"{API}/posts/{post['id']}"
    denied = _send(client, "patch", url, b, {"title": "Yours", "body": "Hacked"})
    assert denied.status_code == 403 and denied.json()["error"] == "alumni_not_author"
    assert _send(client, "delete", url, b).status_code == 403
    mine = _send(client, "patch", url, a, {"title": "Mine, edited", "body": "Text"})
    assert mine.status_code == 200 and mine.json()["title"] == "Mine, edited"
    reply = _send(client, "post", f"{url}/replies", b, {"body": "Nice"}).json()
    reply_url = f"{API}/replies/{reply['id']}"
    assert _send(client, "patch", reply_url, a, {"body": "x"}).status_code == 403
    assert _send(client, "delete", reply_url, a).status_code == 403
    assert _send(client, "delete", reply_url, b).status_code == 204
    assert _send(client, "delete", url, a).status_code == 204
    assert _send(client, "get", url, a).status_code == 404


def test_only_operators_hide_and_hidden_posts_vanish(client: Client) -> None:
    co = af.cohort()
    a, b = certified(co).user, certified(co).user
    operator = f.user(role="operator")
    post = _send(client, "post", f"{API}/posts", a, {"title": "Buy my stuff", "body": "x"}).json()
    url = f"{API}/posts/{post['id']}"
    refused = _send(client, "post", f"{url}/hide", b, {"reason": "spam"})
    assert refused.status_code == 403 and refused.json()["error"] == "alumni_moderators_only"
    assert _send(client, "post", f"{url}/hide", operator, {"reason": ""}).status_code == 422
    hidden = _send(client, "post", f"{url}/hide", operator, {"reason": "Advertising"})
    assert hidden.status_code == 200 and hidden.json()["hidden_reason"] == "Advertising"
    assert _send(client, "get", url, b).status_code == 404
    assert _send(client, "get", f"{API}/posts", b).json()["count"] == 0
    assert _send(client, "post", f"{url}/replies", b, {"body": "x"}).status_code == 404
    assert _send(client, "get", f"{API}/posts", operator).json()["items"][0]["hidden"] is True
    post2 = _send(client, "post", f"{API}/posts", a, {"title": "Fine", "body": "x"}).json()
    reply = _send(client, "post", f"{API}/posts/{post2['id']}/replies", b, {"body": "rude"}).json()
    reply_url = f"{API}/replies/{reply['id']}"
    assert _send(client, "post", f"{reply_url}/hide", a, {"reason": "rude"}).status_code == 403
    ok = _send(client, "post", f"{reply_url}/hide", operator, {"reason": "Rude words"})
    assert ok.status_code == 200 and ok.json()["hidden"] is True
    assert _send(client, "get", f"{API}/posts/{post2['id']}", a).json()["replies"] == []


def test_too_many_posts_answer_429(client: Client) -> None:
    a = certified(af.cohort()).user
    for n in range(10):
        made = _send(client, "post", f"{API}/posts", a, {"title": f"Post {n}", "body": "x"})
        assert made.status_code == 201
    limited = _send(client, "post", f"{API}/posts", a, {"title": "One more", "body": "x"})
    assert limited.status_code == 429
    assert limited.json()["error"] == "alumni_rate_limited"
    assert "10" in limited.json()["detail"] and "hour" in limited.json()["detail"]
