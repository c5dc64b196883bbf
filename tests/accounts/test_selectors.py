from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from fiera.accounts import roles, selectors, services
from fiera.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_roles_are_defined_once() -> None:
    assert set(Role.values) == roles.ACCOUNT_ROLES
    assert roles.SYSTEM not in roles.ACCOUNT_ROLES


def test_no_account_can_hold_the_system_role() -> None:
    user = services.user_create(username="ana", password="correct-horse-9", role="buyer")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(role=roles.SYSTEM)
    with pytest.raises(Exception, match="role must be one of"):
        services.user_create(username="sys", password="correct-horse-9", role=roles.SYSTEM)


def test_user_role_get_sees_only_active_users() -> None:
    user = services.user_create(username="mia", password="correct-horse-9", role="merchant")
    assert selectors.user_role_get(user_id=user.pk) == "merchant"
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert selectors.user_role_get(user_id=user.pk) is None
    assert selectors.user_role_get(user_id=user.pk + 1000) is None


def test_user_summaries_by_id_in_one_query(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    ana = services.user_create(
        username="ana", password="correct-horse-9", role="buyer", first_name="Ana", last_name="Li"
    )
    bo = services.user_create(username="bo", password="correct-horse-9", role="merchant")
    with django_assert_num_queries(1):
        found = selectors.user_summaries(user_ids=[ana.pk, bo.pk, bo.pk + 1000])
    assert set(found) == {ana.pk, bo.pk}
    assert found[ana.pk].full_name == "Ana Li"
    assert found[bo.pk].full_name == ""
    assert found[bo.pk].username == "bo"
    with django_assert_num_queries(0):
        assert selectors.user_summaries(user_ids=[]) == {}
