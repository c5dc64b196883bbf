"""The alumni tables in the operators' admin: lists, search and a post with its replies open."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.academy import factories as af
from tests.academy.alumni_factories import listed, post, reply
from tests.catalog import factories as f

pytestmark = pytest.mark.django_db


def test_admin_pages_open(client: Client) -> None:
    e = listed(af.cohort(), name="Giulia Rossi", company_name="Frantoio Rossi")
    p = post(e.user)
    reply(e.user, p.id)
    client.force_login(f.user(role="operator", is_superuser=True))
    for url in (
        "/admin/academy/alumniprofile/",
        "/admin/academy/alumniprofile/?q=frantoio",
        "/admin/academy/alumnipost/",
        f"/admin/academy/alumnipost/{p.id}/change/",
        "/admin/academy/alumnireply/",
    ):
        answer = client.get(url)
        assert answer.status_code == 200, url
    assert "Giulia Rossi" in client.get("/admin/academy/alumniprofile/?q=frantoio").content.decode()
