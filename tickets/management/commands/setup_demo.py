from django.core.management.base import BaseCommand

from ai_enrichment.models import KnowledgeDocument
from tickets.demo.load import (
    demo_knowledge_base_load,
    demo_source_ensure,
    demo_tickets_load,
    demo_users_ensure,
)
from tickets.models import Ticket


class Command(BaseCommand):
    help = "Create the demo users and source, and load demo tickets when the database has none."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=300, help="How many demo tickets to load.")

    def handle(self, *args, tickets, **options):
        logins = demo_users_ensure()
        source, api_key = demo_source_ensure()
        if not KnowledgeDocument.objects.exists():
            articles = demo_knowledge_base_load()
            self.stdout.write(f"Loaded {articles} demo knowledge-base articles.")
        if not Ticket.objects.exists():
            loaded = demo_tickets_load(source=source, count=tickets)
            self.stdout.write(
                f"Loaded {loaded.count} demo tickets into source '{source.slug}', {loaded.labeled} of them with "
                "the labels and replies agents gave them (the local model learns from those)."
            )
            self.stdout.write(
                f"Simulated {loaded.with_ai_history} past AI suggestions with agents' feedback on them, "
                "for the lead dashboard."
            )
        self.stdout.write("Logins (generated once, kept in var/secrets/logins.json):")
        for username, password in logins.items():
            self.stdout.write(f"  {username:<6} {password}")
        self.stdout.write(f"Demo source API key (var/secrets/demo_source_key): {api_key}")
