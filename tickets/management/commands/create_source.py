from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tickets.services import source_create


class Command(BaseCommand):
    help = "Register an external ticket system. Prints its API key once, alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("name", help="A human name, e.g. 'Zendesk EU'.")
        parser.add_argument("--slug", default="", help="Short unique id (default: from the name).")
        parser.add_argument("--callback-url", default="", help="Where enrichment results are POSTed back.")
        parser.add_argument(
            "--secret", default="", help="HMAC secret: requests must be signed, callbacks are."
        )
        parser.add_argument(
            "--no-redact-pii",
            action="store_true",
            help="Send this source's tickets to external AI providers with personal data as it is.",
        )
        parser.add_argument(
            "--sensitive",
            action="store_true",
            help="Never send this source's tickets to an external AI provider: only to self-hosted ones.",
        )

    def handle(self, *args, name, slug, callback_url, secret, no_redact_pii, sensitive, **options):
        try:
            created = source_create(
                name=name,
                slug=slug,
                callback_url=callback_url,
                signing_secret=secret,
                redact_pii=not no_redact_pii,
                is_sensitive=sensitive,
            )
        except ValidationError as error:
            problems = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
            raise CommandError(f"Cannot create source: {problems}") from None
        self.stdout.write(f"Created source '{created.source.name}' (slug {created.source.slug}).")
        self.stdout.write("Its API key is shown only now; store it in the ticket system:")
        self.stdout.write(created.api_key)
