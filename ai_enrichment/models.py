"""The AI's work on a ticket: the taxonomy it labels with, each enrichment, every provider call, and
every callback delivery back to the source system."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from pgvector.django import HnswIndex, VectorField

from tickets.models import Source, Ticket


class TaxonomyLabel(models.Model):
    slug = models.SlugField(
        max_length=50, unique=True, help_text="What the model answers and the API returns."
    )
    name = models.CharField(max_length=100)
    description = models.TextField(help_text="Goes into the prompt: say when this label applies.")
    is_active = models.BooleanField(
        default=True, help_text="Inactive labels are no longer offered to the model."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name


class Category(TaxonomyLabel):
    class Meta(TaxonomyLabel.Meta):
        verbose_name_plural = "categories"


class Priority(TaxonomyLabel):
    """Ordered by `position`: the first is the least urgent."""

    class Meta(TaxonomyLabel.Meta):
        verbose_name_plural = "priorities"


class Enrichment(models.Model):
    """One run of the AI over one version of a ticket. A ticket keeps them all; one is current."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        # Sent in a Message Batch (enrich_backlog --batch): no worker claims it; its result is applied
        # when the batch ends (within 24 h), see ai_enrichment.backlog.
        BATCHED = "batched", "In a batch"
        DONE = "done", "Done"  # the first provider in the chain answered
        FALLBACK = "fallback", "Fallback"  # a later provider answered; `status_reason` says why
        FAILED = "failed", "Failed"  # no provider could; `status_reason` says why, agents work manually
        SUPERSEDED = "superseded", "Superseded"  # the ticket changed meanwhile; a newer enrichment took over

    TERMINAL = (Status.DONE, Status.FALLBACK, Status.FAILED, Status.SUPERSEDED)

    class Sentiment(models.TextChoices):
        NEGATIVE = "negative", "Negative"
        NEUTRAL = "neutral", "Neutral"
        POSITIVE = "positive", "Positive"

    class Trigger(models.TextChoices):
        CREATED = "created", "Ticket created"
        UPDATED = "updated", "Ticket changed"
        REGENERATE = "regenerate", "Agent asked again"
        BACKFILL = "backfill", "Backfill"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="enrichments")
    is_current = models.BooleanField(default=True)
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.CREATED)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    status_reason = models.TextField(
        blank=True, help_text="Why it is not `done`, in words an agent can act on."
    )
    # The ticket content this run was asked for: a result for older content is discarded.
    ticket_content_hash = models.CharField(max_length=64)

    category = models.SlugField(max_length=50, blank=True)
    priority = models.SlugField(max_length=50, blank=True)
    summary = models.TextField(blank=True)
    suggested_reply = models.TextField(blank=True)
    confidence = models.FloatField(null=True, blank=True)
    language = models.CharField(max_length=35, blank=True)
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)

    # The knowledge-base passages the suggestion relies on, as they were when it was made (chunks are
    # replaced when an article changes; the snapshot keeps the link to the article): [{chunk_id,
    # document_id, title, heading}]. `passages_offered` = 0 means retrieval found nothing relevant.
    citations = models.JSONField(default=list, blank=True)
    passages_offered = models.PositiveSmallIntegerField(default=0)
    # The earlier ticket whose accepted reply the suggestion reuses (the local model does, for a
    # near-duplicate question): the reply's source, shown to agents beside the citations.
    reply_source_ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Guards (ai_enrichment.injection, ai_enrichment.validation): shown to agents as warnings, never
    # acted on. The injection signals the customer's text matched (names such as "role_play"; empty:
    # not flagged), and the URLs and e-mail addresses in the suggested reply that appear neither in the
    # ticket, its history nor the knowledge passages the model was given.
    injection_signals = models.JSONField(default=list, blank=True)
    over_budget = models.BooleanField(
        default=False, help_text="A provider was skipped: the source had reached an AI budget or rate limit."
    )
    unverified_links = models.JSONField(default=list, blank=True)

    provider = models.CharField(max_length=40, blank=True)
    model = models.CharField(max_length=100, blank=True)
    prompt_version = models.CharField(max_length=40, blank=True)
    claims = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker claimed it.")

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(is_current=True), name="one_current_enrichment_per_ticket"
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1) | Q(confidence=None),
                name="confidence_0_to_1",
            ),
        ]
        indexes = [
            # Workers claim the oldest pending ones; the sweeper finds stuck ones.
            models.Index(fields=["status", "created_at"], name="enrichment_status_created_idx"),
            # The lead dashboard reads a period of them.
            models.Index(fields=["created_at"], name="enrichment_created_idx"),
        ]

    def __str__(self) -> str:
        return f"Enrichment {self.pk} of ticket {self.ticket_id} ({self.status})"

    def injection_warnings(self) -> list[str]:
        """The injection signals in words an agent reads."""
        from ai_enrichment.injection import Signal

        labels = dict(Signal.choices)
        return [labels.get(name, name) for name in self.injection_signals]


class AICall(models.Model):
    """One request to a provider, successful or not: the audit row behind every cost figure."""

    class Status(models.TextChoices):
        OK = "ok", "OK"
        INVALID_OUTPUT = "invalid_output", "Invalid output"  # answered, but the answer failed validation
        ERROR = "error", "Error"  # no usable answer (HTTP error, timeout, connection, malformed body)
        CACHE_HIT = "cache_hit", "Cache hit"  # answered from ai_enrichment.answer_cache: no request sent

    class Cache(models.TextChoices):
        EXACT = "exact", "Exact"  # the same prompt was answered before
        SEMANTIC = "semantic", "Semantic"  # a near-identical ticket's answer was reused

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="ai_calls")
    enrichment = models.ForeignKey(Enrichment, on_delete=models.CASCADE, related_name="ai_calls", null=True)
    provider = models.CharField(max_length=40)
    model = models.CharField(max_length=100)
    prompt_version = models.CharField(max_length=40)
    # SHA-256 of exactly what was sent (for cache keys and audits, without keeping the text itself).
    input_hash = models.CharField(max_length=64)
    attempt = models.PositiveSmallIntegerField(
        help_text="1 for the first try of this provider, 2 for its first retry…"
    )
    is_repair = models.BooleanField(
        default=False, help_text="A second request that told the model what was wrong."
    )
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cache_read_tokens = models.PositiveIntegerField(default=0)
    cache_write_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices)
    error_class = models.CharField(max_length=100, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=100, blank=True)
    # How many distinct values each kind of PII had replaced by placeholders in this request
    # ({"email": 2, "phone": 1}); null when nothing was redacted (a local provider, or a source with
    # redaction off). Never the values themselves.
    routing = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why this ticket's provider chain was narrowed (sensitive data, injected instructions).",
    )
    redactions = models.JSONField(null=True, blank=True)
    cache = models.CharField(
        max_length=10, choices=Cache.choices, blank=True, help_text="Which cache answered (cache hits only)."
    )
    # The Message Batch this answer came from: billed at the batch discount, and with no latency of its
    # own (latency_ms is 0; the batch's turnaround is on the batch).
    batch = models.ForeignKey(
        "AIBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="ai_calls"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "AI call"
        indexes = [
            models.Index(fields=["provider", "model", "created_at"], name="aicall_provider_model_idx"),
            models.Index(fields=["created_at"], name="aicall_created_idx"),  # the dashboard's periods
        ]

    def __str__(self) -> str:
        return f"{self.provider}/{self.model} #{self.attempt} {self.status}"

    @staticmethod
    def hash_input(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()


class CallbackDelivery(models.Model):
    """One attempt to POST an enrichment back to its source system."""

    enrichment = models.ForeignKey(Enrichment, on_delete=models.CASCADE, related_name="callback_deliveries")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="callback_deliveries")
    url = models.URLField(max_length=500)
    attempt = models.PositiveSmallIntegerField()
    delivered = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "callback deliveries"

    def __str__(self) -> str:
        outcome = "delivered" if self.delivered else (self.status_code or self.error[:30])
        return f"Callback for enrichment {self.enrichment_id} #{self.attempt}: {outcome}"


class TicketEmbedding(models.Model):
    """A ticket's text as a vector, for similar tickets and the local model. Computed by the worker."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, primary_key=True, related_name="embedding"
    )
    content_hash = models.CharField(
        max_length=64, help_text="The ticket content this vector was computed from."
    )
    embedding = VectorField(dimensions=settings.EMBEDDING_DIMENSIONS)
    # The local model's vote compares these (`embeddings.minilm_onnx_export`); null when the embedder
    # gives none (a remote one), and then the vote compares `embedding`.
    label_embedding = VectorField(dimensions=settings.EMBEDDING_DIMENSIONS, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # Nearest earlier tickets (similar tickets, few-shot examples).
            HnswIndex(
                name="ticket_embedding_hnsw",
                fields=["embedding"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
            # The local model's neighbours.
            HnswIndex(
                name="ticket_label_embedding_hnsw",
                fields=["label_embedding"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"Embedding of ticket {self.ticket_id}"


class TrainedLabelModel(models.Model):
    """The local model's trained half for one source and one label field (ai_enrichment.label_model),
    refitted in the background when that source's confirmed labels change."""

    class Field(models.TextChoices):
        CATEGORY = "category", "Category"
        PRIORITY = "priority", "Priority"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="trained_label_models")
    field = models.CharField(max_length=10, choices=Field.choices)
    examples = models.PositiveIntegerField(help_text="Tickets with this field labeled that it was fitted on.")
    # The fingerprint of what the fit saw; a source whose labels no longer match it is refitted.
    labeled_tickets = models.PositiveIntegerField(help_text="The source's labeled tickets (with a vector).")
    labels_changed_at = models.DateTimeField(
        help_text="The newest label or ticket vector it saw: a later change means a refit is due."
    )
    format = models.CharField(
        max_length=100, help_text="Code, library versions and embedding size that wrote it."
    )
    artifact = models.BinaryField(help_text="The fitted model, pickled by this application.")
    fit_seconds = models.FloatField()
    fitted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "field"], name="trained_label_model_source_field")
        ]

    def __str__(self) -> str:
        return (
            f"{self.source_id} {self.field}: {self.examples} examples, fitted {self.fitted_at:%Y-%m-%d %H:%M}"
        )


class KnowledgeDocument(models.Model):
    """A help-centre article (or any document agents rely on), split into chunks for retrieval."""

    class Kind(models.TextChoices):
        MARKDOWN = "markdown", "Markdown"
        HTML = "html", "HTML"
        TEXT = "text", "Plain text"
        PDF = "pdf", "PDF"

    title = models.CharField(max_length=300)
    source_path = models.CharField(
        max_length=500, unique=True, help_text="File path or URL it was ingested from."
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    content_hash = models.CharField(max_length=64, help_text="Re-ingesting the same content is a no-op.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class KnowledgeChunk(models.Model):
    document = models.ForeignKey(KnowledgeDocument, on_delete=models.CASCADE, related_name="chunks")
    position = models.PositiveIntegerField()
    heading = models.CharField(
        max_length=500,
        blank=True,
        help_text="Heading path inside the document, e.g. 'Annual plans › Refunds'.",
    )
    text = models.TextField()
    token_count = models.PositiveIntegerField()
    embedding = VectorField(dimensions=settings.EMBEDDING_DIMENSIONS)
    search_vector = models.GeneratedField(
        expression=SearchVector("heading", weight="A", config="english")
        + SearchVector("text", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["document", "position"]
        constraints = [models.UniqueConstraint(fields=["document", "position"], name="chunk_position_unique")]
        indexes = [
            # Hybrid retrieval: vector nearest neighbours (HNSW, cosine) and full-text (GIN), fused by rank.
            HnswIndex(
                name="chunk_embedding_hnsw",
                fields=["embedding"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
            GinIndex(fields=["search_vector"], name="chunk_search_gin"),
        ]

    def __str__(self) -> str:
        return f"{self.document.title} › {self.heading}" if self.heading else self.document.title


class KnowledgeTerm(models.Model):
    """How many chunks contain a word (as the chunks' English full-text lexeme): retrieval reads it to
    leave a ticket's common words out of the full-text query. Kept in step by knowledge/ingest.py."""

    lexeme = models.TextField(primary_key=True)
    chunks = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.lexeme}: {self.chunks} chunks"


class AISpend(models.Model):
    """What a source spent on external AI in one period, and what it holds in reservations for calls in
    flight: the ledger budgets and rate limits are checked against (ai_enrichment.budget)."""

    class Period(models.TextChoices):
        MINUTE = "minute", "Minute"  # counts requests, for AI requests per minute
        DAY = "day", "Day"
        MONTH = "month", "Month"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="ai_spend")
    period = models.CharField(max_length=6, choices=Period.choices)
    starts_at = models.DateTimeField()
    requests = models.PositiveIntegerField(default=0)
    reserved_usd = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    spent_usd = models.DecimalField(max_digits=12, decimal_places=6, default=0)

    class Meta:
        verbose_name = "AI spend"
        verbose_name_plural = "AI spend"
        constraints = [
            models.UniqueConstraint(
                fields=["source", "period", "starts_at"], name="ai_spend_one_row_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.period} {self.starts_at:%Y-%m-%d %H:%M}: ${self.spent_usd}"


class ProviderCircuit(models.Model):
    """The circuit breaker of one AI provider (ai_enrichment.circuit), shared by every worker. An admin
    may close it by hand; the pipeline opens and closes it from the calls' outcomes."""

    class State(models.TextChoices):
        CLOSED = "closed", "Closed: calls go through"
        OPEN = "open", "Open: skipped, the next provider answers"
        HALF_OPEN = "half_open", "Half-open: one probe call is out"

    provider = models.CharField(max_length=40, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.CLOSED)
    reason = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(default=timezone.now, help_text="When the state last changed.")

    def __str__(self) -> str:
        return f"{self.provider}: {self.state}"


class CachedAnswer(models.Model):
    """A validated provider answer kept for reuse (ai_enrichment.answer_cache): by its exact prompt, and
    for near-identical tickets of the same source. Deleted with its ticket, so a purge removes it."""

    class Reuse(models.TextChoices):
        ANYONE = "anyone", "Any customer of the source"
        CUSTOMER = "customer", "The same customer only"  # the answer names the customer
        NOBODY = "nobody", "Exact repeats only"  # the answer carries placeholders for personal data

    key = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of everything the provider was sent."
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="cached_answers")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    customer_sha256 = models.CharField(max_length=64, blank=True, help_text="Whose ticket it answered.")
    provider = models.CharField(max_length=40)
    model = models.CharField(max_length=100)
    prompt_version = models.CharField(max_length=40)
    taxonomy_version = models.CharField(max_length=12)
    answer = models.JSONField(help_text="The provider's answer as it passed validation (placeholders kept).")
    reuse = models.CharField(max_length=10, choices=Reuse.choices)
    # The ticket's negations and numbers: a near-identical ticket must agree on them ("I do / do not
    # want to cancel", "charged twice / three times") before its answer is reused.
    guard = models.CharField(max_length=64)
    embedding = VectorField(dimensions=settings.EMBEDDING_DIMENSIONS, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [
            # The semantic lookup's candidates (then an exact scan by distance over them), and the sweep.
            models.Index(
                fields=["source", "prompt_version", "taxonomy_version", "expires_at"],
                name="cached_answer_semantic_idx",
            ),
            models.Index(fields=["expires_at"], name="cached_answer_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"Cached answer for ticket {self.ticket_id} ({self.provider}/{self.model})"


class AIBatch(models.Model):
    """One Message Batch sent to Anthropic by `enrich_backlog --batch`: half the price, answered within
    24 hours. Its results are applied by `enrich_backlog --collect` or the scheduled collector."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"  # sent; the provider has not ended it yet
        APPLIED = "applied", "Applied"  # ended, and every result applied
        FAILED = "failed", "Failed"  # the provider lost it or refused it; its enrichments fell back

    provider = models.CharField(max_length=40, default="anthropic")
    provider_batch_id = models.CharField(max_length=100, unique=True)
    model = models.CharField(max_length=100)
    prompt_version = models.CharField(max_length=40)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    requests = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    errored = models.PositiveIntegerField(default=0)
    expired = models.PositiveIntegerField(default=0)  # expired or canceled at the provider
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="When the provider ended it.")
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "AI batch"
        verbose_name_plural = "AI batches"

    def __str__(self) -> str:
        return f"{self.provider} batch {self.provider_batch_id} ({self.status})"


class AIBatchRequest(models.Model):
    """One enrichment inside an AIBatch: what is needed to apply its result later, in another process.

    The prompt itself is not kept (nor the PII redaction map: it never leaves memory): it is built
    again when the result arrives, and `input_hash` proves it is the one that was sent, placeholders
    and all. The budget reservation made at submission is settled when the result is applied.
    """

    batch = models.ForeignKey(AIBatch, on_delete=models.CASCADE, related_name="batch_requests")
    enrichment = models.OneToOneField(Enrichment, on_delete=models.CASCADE, related_name="batch_request")
    custom_id = models.CharField(max_length=64)
    input_hash = models.CharField(max_length=64)
    redacted = models.BooleanField()
    reserved_usd = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    # The budget periods holding `reserved_usd`: [[period, starts_at ISO], ...] (ai_enrichment.budget).
    reserved_periods = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "custom_id"], name="batch_request_custom_id_unique")
        ]

    def __str__(self) -> str:
        return f"{self.custom_id} in {self.batch_id}"
