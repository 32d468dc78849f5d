"""Set up a demo installation: role users with generated passwords, a demo source, demo tickets.

Used by `make run` through `manage.py setup_demo`. Everything is idempotent: passwords and the demo
source's key are generated once and kept under var/secrets/, and tickets load only into an empty
database.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from tickets import roles
from tickets.models import Source, Ticket
from tickets.services import source_create, source_rotate_api_key, ticket_ingest

DEMO_SOURCE_SLUG = "tallyhive"
# Who gets which groups: an agent works the queue; a lead also reads the dashboard.
DEMO_USERS = {
    "agent": {"groups": [roles.AGENTS], "is_staff": False, "is_superuser": False},
    "lead": {"groups": [roles.AGENTS, roles.LEADS], "is_staff": False, "is_superuser": False},
    "admin": {"groups": [], "is_staff": True, "is_superuser": True},
}


def _secrets_dir() -> Path:
    path = settings.VAR_DIR / "secrets"
    path.mkdir(parents=True, exist_ok=True)
    return path


def demo_users_ensure() -> dict[str, str]:
    """Create the demo users if missing; returns their logins (username → password)."""
    logins_file = _secrets_dir() / "logins.json"
    logins = json.loads(logins_file.read_text()) if logins_file.exists() else {}
    User = get_user_model()
    for username, spec in DEMO_USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None or username not in logins:
            # Reuse a password already handed out (another database, the same var/), so the printed
            # logins stay true; generate one only the first time.
            logins.setdefault(username, secrets.token_urlsafe(12))
            user = user or User(username=username)
            user.set_password(logins[username])
            user.is_staff, user.is_superuser = spec["is_staff"], spec["is_superuser"]
            user.save()
            user.groups.set(Group.objects.filter(name__in=spec["groups"]))
    logins_file.write_text(json.dumps(logins, indent=2))
    logins_file.chmod(0o600)
    return logins


def demo_source_ensure() -> tuple[Source, str]:
    """The demo company's helpdesk as a source, and its API key (kept in var/ so README's curl works)."""
    key_file = _secrets_dir() / "demo_source_key"
    source = Source.objects.filter(slug=DEMO_SOURCE_SLUG).first()
    if source is None:
        created = source_create(name="Tallyhive Helpdesk", slug=DEMO_SOURCE_SLUG)
        source, api_key = created.source, created.api_key
    elif key_file.exists() and Source.hash_api_key(key_file.read_text().strip()) == source.api_key_hash:
        api_key = key_file.read_text().strip()
    else:
        api_key = source_rotate_api_key(source=source)
    key_file.write_text(api_key)
    key_file.chmod(0o600)
    return source, api_key


@dataclass(frozen=True)
class DemoTicketsLoaded:
    count: int
    labeled: int
    with_ai_history: int


# Two thirds of the demo tickets come with the labels and replies agents gave them (imported history):
# the local model and few-shot retrieval learn from those, and the rest arrive as new work.
HISTORY_SHARE = 3


def demo_knowledge_base_load() -> int:
    """Ingest the demo company's help-centre articles (a no-op for unchanged ones)."""
    from ai_enrichment.knowledge.ingest import (
        knowledge_document_ingest,
        knowledge_files,
        knowledge_source_path,
    )

    folder = settings.BASE_DIR / "ai_enrichment" / "demo_kb"
    files = knowledge_files([folder])
    for path in files:
        knowledge_document_ingest(source_path=knowledge_source_path(path), content=path.read_bytes())
    return len(files)


def demo_tickets_load(*, source: Source, count: int = 300) -> DemoTicketsLoaded:
    """Load the demo company's tickets, spread over the last weeks, each queued for enrichment."""
    from ai_enrichment.label_model import label_models_refit
    from ai_enrichment.services import ticket_embeddings_compute
    from feedback.models import TicketLabel
    from feedback.services import ticket_label_confirm
    from tickets.demo.ai_history import demo_ai_history_load
    from tickets.demo.scenarios import demo_tickets

    now = timezone.now()
    received_at = {}
    history_ids = set()
    with transaction.atomic():
        for index, item in enumerate(demo_tickets(count=count)):
            customer = item["customer"]
            is_history = bool(index % HISTORY_SHARE)
            ticket = ticket_ingest(
                source=source,
                external_id=item["external_id"],
                subject=item["subject"],
                body=item["body"],
                customer_external_id=customer["external_id"],
                customer_email=customer["email"],
                customer_name=customer["name"],
                language=item["language"],
                channel=item["channel"],
                status=Ticket.Status.SOLVED if is_history else Ticket.Status.NEW,
                enrich=not is_history,  # solved history gets its simulated past (ai_history) instead
            ).ticket
            received_at[ticket.pk] = now - timedelta(days=item["received_days_ago"])
            if is_history:
                ticket_label_confirm(
                    ticket=ticket,
                    category=item["category"],
                    priority=item["priority"],
                    reply=item["reply"],
                    origin=TicketLabel.Origin.IMPORT,
                )
                history_ids.add(ticket.pk)
        tickets = list(Ticket.objects.filter(pk__in=received_at))
        for ticket in tickets:
            ticket.received_at = received_at[ticket.pk]
        Ticket.objects.bulk_update(tickets, ["received_at"], batch_size=500)
    history = [ticket for ticket in tickets if ticket.pk in history_ids]
    ticket_embeddings_compute(tickets=history)
    label_models_refit(source_ids=[source.id])  # the local model's trained half, from the demo history
    simulated = demo_ai_history_load(tickets=history)
    return DemoTicketsLoaded(count=len(tickets), labeled=len(history), with_ai_history=simulated)
