import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_login_page_is_served_to_anonymous_visitors(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("members:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_cashier_is_refused_marketing_pages(client, cashier_user):
    client.force_login(cashier_user)
    assert client.get(reverse("members:list")).status_code == 403


def test_home_sends_cashier_to_lookup(client, cashier_user):
    client.force_login(cashier_user)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("members:lookup")
