import pytest
from django.contrib.auth.models import Group

from ai_enrichment.models import Enrichment
from ai_enrichment.services import ticket_queue_rank_set
from tickets import roles
from tickets.services import source_create, ticket_ingest


@pytest.fixture
def make_user(django_user_model):
    def make(username, *groups, **fields):
        user = django_user_model.objects.create_user(username, password="pw", **fields)
        user.groups.set(Group.objects.filter(name__in=groups))
        return user

    return make


@pytest.fixture
def agent(make_user):
    return make_user("agent", roles.AGENTS)


@pytest.fixture
def lead(make_user):
    return make_user("lead", roles.AGENTS, roles.LEADS)


@pytest.fixture
def outsider(make_user):
    return make_user("outsider")


@pytest.fixture
def desk(db):
    return source_create(name="Acme Helpdesk", slug="acme").source


def enriched_ticket(source, external_id="T-1", status="done", **enrichment_fields):
    ticket = ticket_ingest(
        source=source,
        external_id=external_id,
        subject=f"Subject {external_id}",
        body="Charged twice",
        customer_name="María",
    ).ticket
    fields = {
        "status": status,
        "category": "billing",
        "priority": "high",
        "confidence": 0.9,
        "summary": "Refund a double charge.",
        "suggested_reply": "Hi María,\nwe refunded it.\nSupport team",
        "provider": "local",
        "model": "local-knn-v1",
        "prompt_version": "enrich-v2",
    }
    if status in ("pending", "running", "failed"):
        fields = {
            "status": status,
            "status_reason": "No AI provider is configured" if status == "failed" else "",
        }
    Enrichment.objects.filter(ticket=ticket).update(**{**fields, **enrichment_fields})
    ticket_queue_rank_set(ticket=ticket, priority=Enrichment.objects.get(ticket=ticket).priority)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def ticket(desk):
    return enriched_ticket(desk)
