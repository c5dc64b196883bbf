"""The academy's one sub-navigation, shown on every academy page: the catalogue, the
signed-in person's learning, workshops and certificates, the alumni community (alumni and
operators), teaching (teachers) and the public verification page."""

from __future__ import annotations

from typing import Any

from django import template

from fiera.academy.alumni import alumni_is_member
from fiera.academy.courses import may_create_course

register = template.Library()

# Which entry each page belongs to (its url name -> the entry's key).
SECTIONS = {
    "catalogue": "catalogue",
    "course": "catalogue",
    "my_learning": "my",
    "player": "my",
    "lesson": "my",
    "workshops": "workshops",
    "workshop": "workshops",
    "my_certificates": "certificates",
    "certificate": "certificates",
    "verify": "verify",
    "certificate_verify": "verify",
    "teach": "teach",
    "course_edit": "teach",
    "lesson_edit": "teach",
    "cohort_people": "teach",
    "exam_course_tests": "my",
    "exam_intro": "my",
    "exam_attempt": "my",
    "exam_result": "my",
    "exam_leaderboard": "catalogue",
    "exam_gradebook": "teach",
    "exam_builder_list": "teach",
    "exam_builder": "teach",
    "exam_question_edit": "teach",
}


@register.inclusion_tag("academy/_nav.html", takes_context=True)
def academy_nav(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    actor_id = int(user.pk) if signed_in and user is not None else None
    actor_role = str(getattr(user, "role", "")) if signed_in else ""
    match = getattr(request, "resolver_match", None)
    name = str(getattr(match, "url_name", "") or "")
    current = "alumni" if name.startswith("alumni_") else SECTIONS.get(name, "")
    return {
        "signed_in": signed_in,
        "alumni": signed_in and alumni_is_member(actor_id=actor_id, actor_role=actor_role),
        "teaches": signed_in and may_create_course(actor_id=actor_id, actor_role=actor_role),
        "current": current,
    }
