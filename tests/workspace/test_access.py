"""Every workspace page and action checks access: agents and leads in, everyone else out."""

import pytest

from tests.workspace.conftest import enriched_ticket
from tickets.services import source_create

PAGES = ["/queue/", "/tickets/{id}/", "/tickets/{id}/ai/", "/tickets/{id}/badge/"]
ACTIONS = [
    "/tickets/{id}/vote/",
    "/tickets/{id}/labels/",
    "/tickets/{id}/reply/",
    "/tickets/{id}/regenerate/",
]


@pytest.mark.parametrize("page", PAGES)
def test_agents_and_leads_see_the_workspace(client, agent, lead, ticket, page):
    for user in (agent, lead):
        client.force_login(user)
        assert client.get(page.format(id=ticket.pk)).status_code == 200


@pytest.mark.parametrize("page", PAGES + ACTIONS)
def test_an_anonymous_visitor_is_sent_to_log_in(client, ticket, page):
    method = client.post if page in ACTIONS else client.get
    response = method(page.format(id=ticket.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("page", PAGES + ACTIONS)
def test_a_signed_in_outsider_gets_403(client, outsider, ticket, page):
    client.force_login(outsider)
    method = client.post if page in ACTIONS else client.get
    assert method(page.format(id=ticket.pk)).status_code == 403


def test_an_agent_sees_only_sources_open_to_their_teams(client, agent, make_user, desk):
    from django.contrib.auth.models import Group

    vip_team = Group.objects.create(name="vip-team")
    vip = source_create(name="VIP desk", slug="vip").source
    vip.teams.add(vip_team)
    secret = enriched_ticket(vip, "VIP-1")
    open_ticket = enriched_ticket(desk, "OPEN-1")

    client.force_login(agent)
    queue = client.get("/queue/").content.decode()
    assert "Subject OPEN-1" in queue and "Subject VIP-1" not in queue
    assert client.get(f"/tickets/{secret.pk}/").status_code == 404
    assert client.post(f"/tickets/{secret.pk}/vote/", {"vote": "up"}).status_code == 404

    member = make_user("vip-agent", "agents", "vip-team")
    client.force_login(member)
    assert client.get(f"/tickets/{secret.pk}/").status_code == 200
    assert client.get(f"/tickets/{open_ticket.pk}/").status_code == 200


def test_actions_need_post(client, agent, ticket):
    client.force_login(agent)
    assert client.get(f"/tickets/{ticket.pk}/vote/").status_code == 405


def test_logging_in_leads_to_the_queue(client, agent):
    response = client.post("/login/", {"username": "agent", "password": "pw"})
    assert response.status_code == 302 and response["Location"] == "/queue/"
    assert client.get("/").status_code == 302


def test_a_wrong_password_is_a_form_error(client, agent):
    response = client.post("/login/", {"username": "agent", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


@pytest.mark.parametrize("path", ["/admin/", "/admin/tickets/ticket/", "/admin/tickets/source/"])
def test_agents_and_leads_who_are_not_staff_cannot_reach_the_admin(client, agent, lead, path):
    for user in (agent, lead):
        client.force_login(user)
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
