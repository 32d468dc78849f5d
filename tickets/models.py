"""Sources (the external ticket systems we sit beside) and the tickets they push to us."""

import hashlib
import hmac

from django.contrib.auth.models import Group
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F
from django.db.models.functions import Left, Lower
from django.db.models.lookups import Exact
from django.utils.functional import cached_property


class Source(models.Model):
    """An external ticket system: it authenticates with an API key and receives signed callbacks."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=50, unique=True)
    # Only a SHA-256 of the key is stored; the key itself is shown once, when it is created.
    # Keys are 256-bit random tokens, so a fast hash is enough (there is nothing to brute-force).
    api_key_hash = models.CharField(max_length=64, unique=True, editable=False)
    api_key_prefix = models.CharField(
        max_length=12, editable=False, help_text="First characters of the key, to tell keys apart."
    )
    signing_secret = models.CharField(
        max_length=200,
        blank=True,
        help_text="When set, every request must carry X-Signature: sha256=<HMAC of the raw body>, "
        "and callbacks to this source are signed with it.",
    )
    callback_url = models.URLField(max_length=500, blank=True)
    is_active = models.BooleanField(default=True)
    is_sensitive = models.BooleanField(
        default=False,
        help_text="Its tickets never go to an external AI provider: only self-hosted ones (the local model).",
    )
    # One noisy system must not starve the others: past this, ingest answers 429 with Retry-After
    # (tickets.ratelimit). Unset: no limit.
    ingest_requests_per_minute = models.PositiveIntegerField(
        "ingest requests per minute",
        null=True,
        blank=True,
        help_text="Tickets this source may send per minute; more get 429 with Retry-After. Empty: no limit.",
    )
    # Limits on external AI for this source (unset: none). Checked and reserved atomically before each
    # call (ai_enrichment.budget); past a limit the local model answers, and agents see why.
    ai_requests_per_minute = models.PositiveIntegerField(
        "AI requests per minute", null=True, blank=True, help_text="External AI calls per minute."
    )
    ai_budget_daily_usd = models.DecimalField(
        "daily AI budget (USD)", max_digits=10, decimal_places=2, null=True, blank=True
    )
    ai_budget_monthly_usd = models.DecimalField(
        "monthly AI budget (USD)", max_digits=10, decimal_places=2, null=True, blank=True
    )
    redact_pii = models.BooleanField(
        "redact PII",
        default=True,
        help_text="Replace e-mail addresses, phone numbers, card numbers, IBANs, IP addresses and the "
        "PII_CUSTOM_PATTERNS with placeholders before a ticket goes to an external AI provider; agents "
        "still see the originals.",
    )
    teams = models.ManyToManyField(
        Group,
        blank=True,
        related_name="sources",
        help_text="Groups whose agents may see this source's tickets. None: every agent may.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_api_key(api_key: str) -> str:
        return hashlib.sha256(api_key.encode()).hexdigest()

    def callback_signature(self, *, body: bytes, timestamp: int) -> str:
        """`sha256=<hex HMAC of "<timestamp>.<body>">`: the timestamp is signed so a receiver can refuse replays."""
        digest = hmac.new(
            self.signing_secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
        ).hexdigest()
        return f"sha256={digest}"

    def signature_is_valid(self, *, body: bytes, signature_header: str) -> bool:
        """Check `sha256=<hex>` against an HMAC of the raw body, in constant time."""
        scheme, _, received = signature_header.partition("=")
        if scheme.strip().lower() != "sha256" or not received:
            return False
        expected = hmac.new(self.signing_secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, received.strip().lower())


class Ticket(models.Model):
    """A ticket as the source system last told us about it. The source system stays the owner."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        OPEN = "open", "Open"
        PENDING = "pending", "Pending"
        ON_HOLD = "on_hold", "On hold"
        SOLVED = "solved", "Solved"
        CLOSED = "closed", "Closed"

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        WEB = "web", "Web form"
        CHAT = "chat", "Chat"
        PHONE = "phone", "Phone"
        SOCIAL = "social", "Social"
        API = "api", "API"
        OTHER = "other", "Other"

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="tickets")
    external_id = models.CharField(max_length=200, help_text="The ticket's id in the source system.")
    subject = models.CharField(max_length=1000)
    body = models.TextField()
    customer_external_id = models.CharField(max_length=200, blank=True)
    customer_email = models.EmailField(max_length=320, blank=True)
    customer_name = models.CharField(max_length=300, blank=True)
    language = models.CharField(
        max_length=35, blank=True, help_text="BCP 47 tag, as the source system sent it."
    )
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.OTHER)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    metadata = models.JSONField(default=dict, blank=True)
    # SHA-256 of the fields that matter to enrichment: a redelivery with the same hash is a no-op.
    content_hash = models.CharField(max_length=64, editable=False)
    # When the source system says the ticket last changed; older deliveries than this are ignored.
    source_updated_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The queue's sort key: the AI's priority as a rank (higher is more urgent; -1 while it has none).
    # Kept here, next to received_at, so the queue is one index scan instead of a join and a sort.
    queue_rank = models.SmallIntegerField(default=-1, editable=False)
    # The queue's search: the words of the subject and body and the customer's name and e-mail (the
    # English parser keeps an e-mail address whole). Only the body's first 50,000 characters count, so a
    # pasted log can never exceed PostgreSQL's 1 MB tsvector limit and fail the ticket's insert.
    search_vector = models.GeneratedField(
        expression=SearchVector(
            "subject", "customer_name", "customer_email", Left("body", 50_000), config="english"
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="ticket_unique_per_source"),
        ]
        indexes = [
            # Customer history (the last tickets of the same customer) for the agent page and prompts.
            models.Index(
                F("source"),
                Lower("customer_email"),
                F("received_at").desc(),
                name="ticket_customer_email_idx",
            ),
            models.Index(
                fields=["source", "customer_external_id", "-received_at"], name="ticket_customer_id_idx"
            ),
            # The agent queue: active tickets, most urgent first, then oldest first.
            models.Index(
                F("queue_rank").desc(),
                F("received_at"),
                F("id"),
                name="ticket_queue_idx",
                condition=models.Q(status__in=["new", "open", "pending", "on_hold"]),
            ),
            # The same order over every status: the queue's "All" and single-status filters.
            models.Index(F("queue_rank").desc(), F("received_at"), F("id"), name="ticket_queue_all_idx"),
            # The queue's search: words (full text) and an external id typed whole, in any case.
            GinIndex(fields=["search_vector"], name="ticket_search_gin"),
            models.Index(Lower("external_id"), name="ticket_external_id_lower_idx"),
            # The API's list, newest first, per source.
            models.Index(fields=["source", "-received_at"], name="ticket_source_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source.slug}#{self.external_id}: {self.subject[:60]}"

    def customer_history(self, *, limit: int = 5) -> models.QuerySet["Ticket"]:
        """The customer's most recent other tickets from the same source (matched by id, else e-mail)."""
        if self.customer_external_id:
            same_customer = models.Q(customer_external_id=self.customer_external_id)
        elif self.customer_email:
            same_customer = Exact(Lower("customer_email"), self.customer_email.lower())
        else:
            return Ticket.objects.none()
        return (
            Ticket.objects.filter(same_customer, source_id=self.source_id)
            .exclude(pk=self.pk)
            .order_by("-received_at", "-id")[:limit]
        )

    @cached_property
    def recent_history(self) -> list["Ticket"]:
        """The customer's last five other tickets, read once per instance: the AI's injection check
        and its prompt both read them (ai_enrichment.injection, ai_enrichment.context)."""
        return list(self.customer_history(limit=5))


class Purge(models.Model):
    """The audit record of one deletion of tickets (a customer's, on request, or routine retention):
    who asked, the criteria and how many rows of each kind went. Never the deleted content, and the
    customer only as a SHA-256 of the identifier given (hash a name to check whether it was purged).
    """

    class RequestedVia(models.TextChoices):
        COMMAND = "command", "manage.py purge"
        API = "api", "Source API"

    requested_via = models.CharField(max_length=10, choices=RequestedVia.choices)
    requested_by = models.CharField(
        max_length=200, help_text="The operating-system user who ran the command, or the calling source."
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="purges",
        help_text="The source the purge was limited to (none: every source).",
    )
    customer_sha256 = models.CharField(
        "customer (SHA-256)",
        max_length=64,
        blank=True,
        help_text="SHA-256 of the customer e-mail (lower-cased) or external id given; empty for retention.",
    )
    older_than_days = models.PositiveIntegerField(null=True, blank=True)
    counts = models.JSONField(
        default=dict,
        help_text='Rows deleted per model, e.g. {"tickets.Ticket": 3, "ai_enrichment.AICall": 5}.',
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty while it runs, or if it was interrupted (counts so far)."
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Purge {self.pk} via {self.requested_via} by {self.requested_by}"

    @staticmethod
    def hash_customer(identifier: str) -> str:
        return hashlib.sha256(identifier.strip().lower().encode()).hexdigest()


class IngestWindow(models.Model):
    """How many tickets a source sent in one clock minute, for its ingest limit (tickets.ratelimit).
    Rows older than an hour are deleted as new minutes begin."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    requests = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "starts_at"], name="ingest_window_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.starts_at:%H:%M}: {self.requests}"
