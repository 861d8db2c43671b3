"""Form failures the fuzzer found, pinned as plain tests.

Each was a strict xfail until fixed; the reason strings say what was wrong and how it was
fixed.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import MemberFactory

REFRESH_NEXT = (
    "reports:refresh passes `next` to redirect(), which takes a value without '/' or '.' "
    "for a URL pattern name: NoReverseMatch, a 500 (url_has_allowed_host_and_scheme accepts "
    "it as a relative URL). Fix: in apps/reports/views.py `refresh`, accept only a `next` "
    "that starts with '/' (and passes the host check) and return HttpResponseRedirect(back)."
)


@pytest.mark.parametrize("back", ["-Infinity", "loyalty"])
def test_refresh_with_a_next_that_is_no_path_goes_back_to_the_dashboard(marketing_user, back):
    client = Client(raise_request_exception=False)
    client.force_login(marketing_user)

    response = client.post(reverse("reports:refresh"), {"next": back})

    assert response.status_code == 302
    assert response["Location"] == reverse("reports:loyalty")


LOOKUP_NUL = (
    "The cashier's lookup passes `q` to SQL as it is; PostgreSQL text cannot hold NUL: "
    "DataError, a 500 (form fields refuse NUL, but this view reads request.GET itself). Fix: in "
    "apps/desk/views.py `member_lookup` (or selectors.member_lookup), treat a query holding "
    "NUL as no match, e.g. `query.replace('\\x00', '')`."
)


@pytest.mark.parametrize("query", ["a\x00b", "\x00", "4000\x00"])
def test_lookup_of_a_query_with_nul_finds_nobody(cashier_user, query):
    # Members a wrong reading of the query would find: every member (an empty name prefix),
    # a card that starts with 4000, or "A B" as first and last name. None starts with "Ab"
    # and no card is "4000": the NUL is dropped, and what is left matches nobody.
    members = [
        MemberFactory(first_name="Anna", last_name="Baker", card_number="400000000123"),
        MemberFactory(first_name="Bob", last_name="Quist", card_number="400000000456"),
    ]
    client = Client(raise_request_exception=False)
    client.force_login(cashier_user)

    response = client.get(reverse("members:lookup"), {"q": query})

    assert response.status_code == 200
    # Nobody: either no match, or (what is left being under 3 letters) refused as too short.
    result = response.context["result"]
    assert (result is None and response.context["too_short"]) or result.members == []
    assert response.context["summary"] is None
    page = response.content.decode()
    for member in members:
        assert member.card_number not in page
        assert member.last_name not in page
    # The same page does show a member a query finds: the checks above can fail.
    found = client.get(reverse("members:lookup"), {"q": "Baker"})
    assert found.context["result"].members == [members[0]]
    assert members[0].card_number in found.content.decode()
