"""Every form the workspace posts is CSRF-protected (Django's check is on: test clients skip it unless
asked); the token the page hands out is what makes a post go through, as htmx sends it."""

import re

import pytest
from django.test import Client

from feedback.models import Feedback
from tests.conftest import ticket_payload

ACTIONS = {
    "vote": {"vote": "up"},
    "labels": {"category": "billing", "priority": "high"},
    "reply": {"final_reply": "Hi, refunded.", "action": "sent"},
    "regenerate": {},
}


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def page_token(client, path: str) -> str:
    """The token the page gives htmx (`hx-headers` on <body>)."""
    page = client.get(path).content.decode()
    return re.search(r'hx-headers=\'\{"x-csrftoken": "([^"]+)"\}\'', page).group(1)


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_without_the_token_is_refused_and_records_nothing(csrf_client, agent, ticket, action):
    csrf_client.force_login(agent)
    csrf_client.get(f"/tickets/{ticket.pk}/")  # the CSRF cookie is set: only the token is missing
    response = csrf_client.post(f"/tickets/{ticket.pk}/{action}/", ACTIONS[action], HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_with_the_pages_token_goes_through(csrf_client, agent, ticket, action):
    csrf_client.force_login(agent)
    token = page_token(csrf_client, f"/tickets/{ticket.pk}/")
    response = csrf_client.post(
        f"/tickets/{ticket.pk}/{action}/", ACTIONS[action], HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200, response.content
    assert Feedback.objects.count() == 1


def test_a_token_made_for_another_browser_is_refused(csrf_client, agent, ticket):
    other = Client(enforce_csrf_checks=True)
    other.force_login(agent)
    stolen = page_token(other, f"/tickets/{ticket.pk}/")
    csrf_client.force_login(agent)
    csrf_client.get(f"/tickets/{ticket.pk}/")
    response = csrf_client.post(
        f"/tickets/{ticket.pk}/vote/", {"vote": "up"}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=stolen
    )
    assert response.status_code == 403


def test_the_login_form_needs_its_token(csrf_client, agent):
    assert csrf_client.post("/login/", {"username": "agent", "password": "pw"}).status_code == 403
    page = csrf_client.get("/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = csrf_client.post(
        "/login/", {"username": "agent", "password": "pw", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_logging_out_needs_the_token(csrf_client, agent):
    csrf_client.force_login(agent)
    csrf_client.get("/queue/")
    assert csrf_client.post("/logout/").status_code == 403
    assert csrf_client.get("/queue/").status_code == 200, "still logged in"


def test_the_api_takes_its_key_not_a_session(csrf_client, agent, source_with_key):
    """The API is outside CSRF because a browser session never authenticates it: only the key does."""
    csrf_client.force_login(agent)
    without_key = csrf_client.post("/api/v1/tickets", ticket_payload(), content_type="application/json")
    assert without_key.status_code == 401
    with_key = csrf_client.post(
        "/api/v1/tickets",
        ticket_payload(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {source_with_key.api_key}",
    )
    assert with_key.status_code == 201
