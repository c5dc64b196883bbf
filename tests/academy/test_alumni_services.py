"""The alumni community's services and selectors: who belongs, the opt-in directory (search,
filters, names per language, the company taken from one's merchant), the board (posts and
replies, the 15-minute edit window, moderation, the hourly limits) and safe Markdown."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import translation

from fiera.academy import alumni
from fiera.academy.models import AlumniProfile, Enrolment
from fiera.merchants.models import Sector, StaffMembership
from tests.academy import factories as af
from tests.academy.alumni_factories import NOW, certified, listed, post, reply
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


def _operator() -> tuple[int, str]:
    op = f.user(role="operator")
    return op.pk, op.role


def test_only_certified_people_and_operators_belong() -> None:
    co = af.cohort()
    learner = af.enrolment(co)  # enrolled, not certified
    alumnus = certified(co)
    op_id, op_role = _operator()
    assert alumni.alumni_is_member(actor_id=alumnus.user_id, actor_role="learner")
    assert alumni.alumni_is_member(actor_id=op_id, actor_role=op_role)
    assert not alumni.alumni_is_member(actor_id=learner.user_id, actor_role="learner")
    with pytest.raises(alumni.NotAlumnus) as denied:
        alumni.alumni_directory(actor_id=learner.user_id, actor_role="learner")
    assert denied.value.status == 403
    assert "final exam" in denied.value.message()
    with pytest.raises(alumni.NotAlumnus):
        alumni.alumni_post_list(actor_id=learner.user_id, actor_role="learner")
    with pytest.raises(alumni.NotAlumnus):  # operators have no directory profile of their own
        alumni.alumni_profile_get(actor_id=op_id, actor_role=op_role)


def test_the_directory_lists_only_those_who_opted_in() -> None:
    co = af.cohort()
    quiet = certified(co)  # certified, never opted in
    assert Enrolment.objects.get(pk=quiet.pk).alumni_listed is False
    info = alumni.alumni_profile_get(actor_id=quiet.user_id, actor_role="learner")
    assert info.listed is False and info.saved is False
    shown = listed(co, name="Giulia Rossi", company_name="Frantoio Rossi", country="IT")
    rows = list(alumni.alumni_directory(actor_id=quiet.user_id, actor_role="learner"))
    assert [r.user_id for r in rows] == [shown.user_id]
    assert rows[0].cohorts[0].slug == co.slug
    # opting out takes the person off
    alumni.alumni_profile_save(
        actor_id=shown.user_id, actor_role="learner", listed=False, name="Giulia Rossi", now=NOW
    )
    assert len(alumni.alumni_directory(actor_id=quiet.user_id, actor_role="learner")) == 0


def test_search_and_filters() -> None:
    Sector.objects.get_or_create(
        slug="agrifood", defaults={"name": "Agri-food", "name_it": "Agroalimentare"}
    )
    Sector.objects.get_or_create(slug="fashion", defaults={"name": "Fashion", "name_it": "Moda"})
    co1, co2 = af.cohort(slug="masterclass-2026"), af.cohort(slug="spring-2027")
    a = listed(
        co1,
        name="Giulia Rossi",
        company_name="Frantoio Rossi",
        country="IT",
        sector_slug="agrifood",
    )
    b = listed(
        co1,
        name="Carmen López",
        company_name="Aceites del Sur",
        country="ES",
        sector_slug="agrifood",
    )
    c = listed(
        co2,
        name="Marco Bianchi",
        company_name="Sartoria Bianchi",
        country="IT",
        sector_slug="fashion",
    )
    actor = {"actor_id": a.user_id, "actor_role": "learner"}

    def names(**filters: str) -> list[str]:
        return [r.name for r in alumni.alumni_directory(**actor, **filters)]

    assert names() == ["Carmen López", "Giulia Rossi", "Marco Bianchi"]
    assert names(search="rossi") == ["Giulia Rossi"]
    assert names(search="ACEITES") == ["Carmen López"]
    assert names(country="it") == ["Giulia Rossi", "Marco Bianchi"]
    assert names(sector_slug="fashion") == ["Marco Bianchi"]
    assert names(cohort_slug="spring-2027") == ["Marco Bianchi"]
    assert names(country="IT", sector_slug="agrifood", search="giulia") == ["Giulia Rossi"]
    assert names(country="ZZ") == []
    assert names(search="x" * 500) == []
    filters = alumni.alumni_directory_filters(**actor, language="it")
    assert [c.value for c in filters.countries] == ["IT", "ES"]  # Italia, Spagna
    assert {c.label for c in filters.countries} == {"Spagna", "Italia"}
    assert [s.label for s in filters.sectors] == ["Agroalimentare", "Moda"]
    assert {c.value for c in filters.cohorts} == {"masterclass-2026", "spring-2027"}
    del b, c


def test_country_and_sector_names_follow_the_language() -> None:
    Sector.objects.get_or_create(
        slug="agrifood",
        defaults={"name": "Agri-food", "name_it": "Agroalimentare", "name_zh": "农业食品"},
    )
    co = af.cohort()
    e = listed(
        co, name="Li Wei", company_name="Oliva Trading", country="CN", sector_slug="agrifood"
    )
    actor = {"actor_id": e.user_id, "actor_role": "learner"}
    it = alumni.alumni_directory(**actor, language="it")[0]
    zh = alumni.alumni_directory(**actor, language="zh-hans")[0]
    en = alumni.alumni_directory(**actor, language="en")[0]
    assert (it.country_name, it.sector_name) == ("Cina", "Agroalimentare")
    assert (zh.country_name, zh.sector_name) == ("中国", "农业食品")
    assert (en.country_name, en.sector_name) == ("China", "Agri-food")
    with translation.override("it"):
        assert alumni.alumni_directory(**actor)[0].country_name == "Cina"


def test_the_company_comes_from_ones_merchant() -> None:
    sector, _ = Sector.objects.get_or_create(slug="agrifood", defaults={"name": "Agri-food"})
    m = f.merchant(display_name="Oleificio Sereno")
    m.sectors.add(sector)
    owner = f.staff(m)
    co = af.cohort()
    e = certified(co, owner)
    info = alumni.alumni_profile_get(actor_id=owner.pk, actor_role=owner.role)
    assert [c.label for c in info.companies] == ["Oleificio Sereno"]
    assert info.company_merchant_id == m.pk
    saved = alumni.alumni_profile_save(
        actor_id=owner.pk,
        actor_role=owner.role,
        listed=True,
        name="Anna Sereno",
        company_merchant_id=m.pk,
        company_name="typed text is ignored",
        now=NOW,
    )
    assert (saved.company_name, saved.sector_slug, saved.country) == (
        "Oleificio Sereno",
        "agrifood",
        "IT",
    )
    other = f.merchant(display_name="Not Mine")
    with pytest.raises(alumni.NoSuchCompany):
        alumni.alumni_profile_save(
            actor_id=owner.pk,
            actor_role=owner.role,
            listed=True,
            name="Anna",
            company_merchant_id=other.pk,
            now=NOW,
        )
    assert StaffMembership.objects.filter(user=owner).count() == 1
    del e


def test_profile_input_is_checked() -> None:
    e = certified(af.cohort())
    base = {"actor_id": e.user_id, "actor_role": "learner", "listed": True, "now": NOW}
    for bad in (
        {"name": "  "},
        {"name": "A", "country": "XX"},
        {"name": "A", "sector_slug": "no-such-sector"},
        {"name": "A", "contact": "phone"},
        {"name": "A" * 121},
    ):
        with pytest.raises(alumni.InvalidInput):
            alumni.alumni_profile_save(**base, **bad)  # type: ignore[arg-type]
    assert not AlumniProfile.objects.exists()


def test_email_only_when_chosen() -> None:
    co = af.cohort()
    shy = listed(co, name="A Shy", user=f.user(role="learner", email="shy@example.com"))
    open_ = listed(
        co, name="B Open", user=f.user(role="learner", email="open@example.com"), contact="email"
    )
    rows = alumni.alumni_directory(actor_id=shy.user_id, actor_role="learner")
    assert [(r.name, r.email) for r in rows] == [("A Shy", ""), ("B Open", "open@example.com")]
    del open_


# --- the board -----------------------------------------------------------------------------


def test_posts_newest_first_with_reply_counts() -> None:
    co = af.cohort()
    a, b = certified(co).user, certified(co).user
    first = post(a, title="Olive oil to China", now=NOW)
    second = post(b, title="Customs paperwork", now=NOW + timedelta(minutes=5))
    reply(b, first.id, now=NOW + timedelta(minutes=1))
    reply(a, first.id, now=NOW + timedelta(minutes=2))
    rows = list(alumni.alumni_post_list(actor_id=a.pk, actor_role="learner"))
    assert [(r.id, r.reply_count) for r in rows] == [(second.id, 0), (first.id, 2)]
    got = alumni.alumni_post_get(
        post_id=first.id, actor_id=a.pk, actor_role="learner", now=NOW + timedelta(minutes=3)
    )
    assert [r.author_id for r in got.replies] == [b.pk, a.pk]
    assert got.can_change and not got.can_hide
    assert [r.can_change for r in got.replies] == [False, True]


def test_edit_and_delete_own_within_fifteen_minutes() -> None:
    co = af.cohort()
    a, b = certified(co).user, certified(co).user
    p = post(a, now=NOW)
    edited = alumni.alumni_post_edit(
        post_id=p.id,
        actor_id=a.pk,
        actor_role="learner",
        title="Better title",
        body="Better body",
        now=NOW + timedelta(minutes=15),
    )
    assert edited.title == "Better title" and edited.edited_at is not None
    with pytest.raises(alumni.EditWindowClosed) as late:
        alumni.alumni_post_edit(
            post_id=p.id,
            actor_id=a.pk,
            actor_role="learner",
            title="x",
            body="y",
            now=NOW + timedelta(minutes=16),
        )
    assert late.value.status == 409 and "15" in late.value.message()
    with pytest.raises(alumni.NotTheAuthor):
        alumni.alumni_post_edit(
            post_id=p.id, actor_id=b.pk, actor_role="learner", title="x", body="y", now=NOW
        )
    with pytest.raises(alumni.NotTheAuthor):
        alumni.alumni_post_delete(post_id=p.id, actor_id=b.pk, actor_role="learner", now=NOW)
    r = reply(b, p.id, now=NOW)
    with pytest.raises(alumni.NotTheAuthor):
        alumni.alumni_reply_edit(
            reply_id=r.id, actor_id=a.pk, actor_role="learner", body="x", now=NOW
        )
    changed = alumni.alumni_reply_edit(
        reply_id=r.id, actor_id=b.pk, actor_role="learner", body="Changed", now=NOW
    )
    assert changed.body == "Changed"
    assert (
        alumni.alumni_reply_delete(reply_id=r.id, actor_id=b.pk, actor_role="learner", now=NOW)
        == p.id
    )
    alumni.alumni_post_delete(post_id=p.id, actor_id=a.pk, actor_role="learner", now=NOW)
    with pytest.raises(alumni.AlumniPostNotFound):
        alumni.alumni_post_get(post_id=p.id, actor_id=a.pk, actor_role="learner", now=NOW)


def test_operators_hide_with_a_reason() -> None:
    co = af.cohort()
    a, b = certified(co).user, certified(co).user
    op_id, op_role = _operator()
    p = post(a)
    r = reply(b, p.id)
    with pytest.raises(alumni.ModeratorsOnly):
        alumni.alumni_post_hide(
            post_id=p.id, actor_id=b.pk, actor_role="learner", reason="spam", now=NOW
        )
    with pytest.raises(alumni.InvalidInput):
        alumni.alumni_reply_hide(
            reply_id=r.id, actor_id=op_id, actor_role=op_role, reason=" ", now=NOW
        )
    hidden_reply = alumni.alumni_reply_hide(
        reply_id=r.id, actor_id=op_id, actor_role=op_role, reason="Advertising", now=NOW
    )
    assert hidden_reply.hidden and hidden_reply.hidden_reason == "Advertising"
    seen = alumni.alumni_post_get(post_id=p.id, actor_id=a.pk, actor_role="learner", now=NOW)
    assert seen.replies == ()
    assert alumni.alumni_post_list(actor_id=a.pk, actor_role="learner")[0].reply_count == 0
    hidden = alumni.alumni_post_hide(
        post_id=p.id, actor_id=op_id, actor_role=op_role, reason="Off topic", now=NOW
    )
    assert hidden.hidden and not hidden.can_hide
    assert len(alumni.alumni_post_list(actor_id=a.pk, actor_role="learner")) == 0
    with pytest.raises(alumni.AlumniPostNotFound):
        alumni.alumni_post_get(post_id=p.id, actor_id=a.pk, actor_role="learner", now=NOW)
    with pytest.raises(alumni.AlumniPostNotFound):  # the author cannot edit it any more
        alumni.alumni_post_edit(
            post_id=p.id, actor_id=a.pk, actor_role="learner", title="t", body="b", now=NOW
        )
    with pytest.raises(alumni.AlumniPostNotFound):
        reply(b, p.id)
    ops_view = alumni.alumni_post_list(actor_id=op_id, actor_role=op_role)
    assert [(x.id, x.hidden, x.hidden_reason) for x in ops_view] == [(p.id, True, "Off topic")]


def test_hourly_limits() -> None:
    co = af.cohort()
    a = certified(co).user
    for n in range(alumni.POSTS_PER_HOUR):
        post(a, title=f"Post {n}", now=NOW + timedelta(minutes=n))
    with pytest.raises(alumni.WritingTooOften) as limited:
        post(a, now=NOW + timedelta(minutes=30))
    assert limited.value.status == 429 and "10" in limited.value.message()
    post(a, now=NOW + timedelta(minutes=61))  # the first one is more than an hour old
    p = post(f.user(role="operator"), now=NOW)  # operators are not limited
    for n in range(alumni.REPLIES_PER_HOUR):
        reply(a, p.id, now=NOW + timedelta(seconds=n))
    with pytest.raises(alumni.WritingTooOften) as replies:
        reply(a, p.id, now=NOW + timedelta(minutes=5))
    assert "replies" in replies.value.message()


def test_post_input_is_checked() -> None:
    a = certified(af.cohort()).user
    with pytest.raises(alumni.InvalidInput):
        post(a, title=" ")
    with pytest.raises(alumni.InvalidInput):
        post(a, body="x" * (alumni.BODY_MAX + 1))


def test_markdown_is_rendered_safely() -> None:
    html = alumni.markdown_html(
        "**bold** <script>alert(1)</script>\n\n[ok](https://example.com) [bad](javascript:alert(1))"
        " ![img](https://example.com/x.png) <img src=x onerror=alert(1)>"
    )
    assert "<strong>bold</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="https://example.com" rel="nofollow noopener noreferrer">ok</a>' in html
    assert "javascript:" not in html.replace("[bad](javascript:", "")
    assert 'href="javascript' not in html
    assert "<img" not in html


def test_a_page_of_the_directory_and_of_the_board_costs_a_fixed_number_of_queries(
    django_assert_max_num_queries: Any,
) -> None:
    co = af.cohort()
    people = [listed(co, name=f"Person {n:02d}", country="IT", contact="email") for n in range(25)]
    viewer = people[0].user
    for n in range(25):
        p = post(people[n].user, title=f"Post {n}")
        reply(people[(n + 1) % 25].user, p.id)
    with django_assert_max_num_queries(8):
        rows = alumni.alumni_directory(actor_id=viewer.pk, actor_role="learner")[:20]
    assert len(rows) == 20 and all(r.email == "" or "@" in r.email for r in rows)
    with django_assert_max_num_queries(6):
        posts = alumni.alumni_post_list(actor_id=viewer.pk, actor_role="learner")[:20]
    assert len(posts) == 20 and all(p.reply_count == 1 for p in posts)
