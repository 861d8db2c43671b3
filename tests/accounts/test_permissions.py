"""Roles are `Role` members wherever they are asked for: a string is an error, not a "no"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from tests.factories import UserFactory

APPS = Path(__file__).resolve().parents[2] / "apps"


@pytest.mark.django_db
def test_has_role_answers_for_role_members(marketing_user, cashier_user, admin_user_):
    assert marketing_user.has_role(Role.MARKETING) is True
    assert cashier_user.has_role(Role.MARKETING) is False
    assert cashier_user.has_role(Role.MARKETING, Role.CASHIER) is True
    assert admin_user_.has_role(Role.CASHIER) is True  # admins have every role
    gone = UserFactory(username="gone", role=Role.MARKETING, is_active=False)
    assert gone.has_role(Role.MARKETING) is False


@pytest.mark.django_db
def test_a_role_given_as_a_string_is_refused(marketing_user):
    # A misspelt string used to be a quiet False; the right string a hidden dependency.
    with pytest.raises(TypeError, match="Role members"):
        marketing_user.has_role("marketing")
    with pytest.raises(TypeError, match="'marketting'"):
        marketing_user.has_role(Role.CASHIER, "marketting")


def test_a_view_guarded_by_a_string_fails_when_decorated():
    with pytest.raises(TypeError, match="Role members"):
        role_required("marketing")
    assert role_required(Role.MARKETING)(lambda request: None).allowed_roles == (Role.MARKETING,)


def test_no_code_compares_a_role_with_a_string():
    # `user.role == "manufacturer"`, `has_role("marketing")`: Role members instead.
    pattern = re.compile(r"""(?:\brole\s*(?:==|!=|\bin\b)|has_role\(|role_required\()\s*["']""")
    found = [
        f"{path.relative_to(APPS.parent)}:{number}"
        for path in sorted(APPS.rglob("*.py"))
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert found == []
