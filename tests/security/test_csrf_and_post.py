"""CSRF on every URL, a token in every form, and who may POST to the POST-only URLs.

The URLs come from the URL configuration through the access matrix
(tests/test_access_matrix.py), so a new page is covered without being listed here.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.access_rules import DENIED, NOT_ALLOWED, PERSONAS, TO_LOGIN, UNAUTHORIZED
from tests.test_access_matrix import (  # noqa: F401 - sample_objects: a fixture
    EXPECTED,
    SAMPLE_KWARGS,
    sample_objects,
    url_names,
)

# Exempt by design: tills authenticate with a bearer token, never a cookie, so a forged
# cross-site request carries no credential (a staff session is refused: 401).
CSRF_EXEMPT = {"checkout:checkout", "checkout:return"}
CSRF_FAILURE = b"CSRF verification failed"
FORM = re.compile(rb"<form\b[^>]*>.*?</form>", re.S | re.I)
POST_METHOD = re.compile(rb"""method\s*=\s*["']?post""", re.I)


def url_for(name: str, objects: dict) -> str:
    if name not in EXPECTED:
        pytest.fail(f"{name} has no access-matrix row: add it in tests/<app>/access.py")
    kwargs = SAMPLE_KWARGS[name](objects) if name in SAMPLE_KWARGS else {}
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("name", url_names())
def test_post_without_csrf_token_is_refused(name, admin_user_, sample_objects):  # noqa: F811
    url = url_for(name, sample_objects)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user_)  # allowed everywhere: the view itself would answer
    response = client.post(url, {"anything": "1"})
    if name in CSRF_EXEMPT:
        assert response.status_code == UNAUTHORIZED, response.content[:300]
    elif response.status_code == 405:
        # Only a csrf_exempt view gets this far, and it takes no POST at all (a public
        # GET-only document such as the POS API schema): nothing to forge.
        assert "POST" not in response.get("Allow", "POST")
    else:
        assert response.status_code == 403, f"POST {url} without a token: {response.status_code}"
        assert CSRF_FAILURE in response.content


def test_post_with_csrf_token_is_not_refused(marketing_user):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("login"),
        {"username": "vp", "password": "correct-horse-battery", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302  # signed in: the same POST with its token passes


@pytest.mark.parametrize("name", url_names())
def test_every_post_form_carries_a_csrf_token(name, admin_user_, sample_objects):  # noqa: F811
    client = Client()
    client.force_login(admin_user_)
    response = client.get(url_for(name, sample_objects))
    if response.streaming or "text/html" not in response.get("Content-Type", ""):
        return
    for form in FORM.findall(response.content):
        opening = form[: form.index(b">") + 1]
        if POST_METHOD.search(opening):
            assert b'name="csrfmiddlewaretoken"' in form, f"{name}: {opening!r} has no token"


# POST-only URLs: the matrix GETs them (405 for those allowed); here they are POSTed.
POST_ONLY = [n for n in url_names() if NOT_ALLOWED in EXPECTED.get(n, {}).values()]


def test_there_are_post_only_urls():
    assert {"logout", "campaigns:approve"} <= set(POST_ONLY)


@pytest.mark.parametrize("name", POST_ONLY)
def test_post_only_urls_by_persona(name, personas, sample_objects):  # noqa: F811
    url = url_for(name, sample_objects)
    login = reverse("login")
    wrong = []
    for persona in PERSONAS:
        client = Client()
        if personas[persona] is not None:
            client.force_login(personas[persona])
        response = client.post(url)
        got = response.status_code
        location = response.get("Location", "")
        expected = EXPECTED[name][persona]
        if expected == TO_LOGIN:
            ok = got == 302 and location.startswith(f"{login}?next=")
        elif expected == DENIED:
            ok = got == 403
        elif expected == NOT_ALLOWED:  # allowed: the view does its work (or says why not)
            ok = got in (200, 302) and not location.startswith(f"{login}?next=")
        else:
            ok = True  # only GET-style rows (e.g. the admin's own sign-in) are left
        if not ok:
            wrong.append(f"{persona}: GET gives {expected}, POST gave {got} {location}")
    assert not wrong, f"POST {url}\n" + "\n".join(wrong)
