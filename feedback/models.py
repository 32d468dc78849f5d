"""What agents tell us about the AI's work. Confirmed labels are the examples the AI learns from."""

from django.conf import settings
from django.db import models

from tickets.models import Ticket


class TicketLabel(models.Model):
    """The category and priority a person confirmed for a ticket (and the reply that was sent).

    Written when an agent accepts or corrects the AI's labels, or when labeled history is imported.
    The local model and few-shot retrieval learn from these rows, read through
    `feedback.selectors.confirmed_labels`.
    """

    class Origin(models.TextChoices):
        AGENT = "agent", "Agent"
        IMPORT = "import", "Imported history"

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="label")
    category = models.SlugField(max_length=50)
    priority = models.SlugField(max_length=50, blank=True)
    reply = models.TextField(blank=True, help_text="The reply that was sent, when known.")
    origin = models.CharField(max_length=10, choices=Origin.choices)
    labeled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The local model refreshes from the labels changed since it last looked.
            models.Index(fields=["updated_at"], name="ticketlabel_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.category}/{self.priority or '-'}"


class Feedback(models.Model):
    """One action of an agent on an AI suggestion. The lead dashboard is built from these rows."""

    class Kind(models.TextChoices):
        VOTE = "vote", "Thumbs up/down"
        LABELS_ACCEPTED = "labels_accepted", "Labels accepted"
        LABELS_CHANGED = "labels_changed", "Labels changed"
        REPLY_SENT = "reply_sent", "Reply sent"
        REPLY_COPIED = "reply_copied", "Reply copied"
        REGENERATE = "regenerate", "Asked for a new suggestion"

    class Vote(models.TextChoices):
        UP = "up", "Helpful"
        DOWN = "down", "Not helpful"

    class Reason(models.TextChoices):
        WRONG_CATEGORY = "wrong_category", "Wrong category"
        WRONG_PRIORITY = "wrong_priority", "Wrong priority"
        WRONG_FACTS = "wrong_facts", "Wrong facts"
        TONE = "tone", "Tone"
        UNHELPFUL = "unhelpful", "Unhelpful"
        OTHER = "other", "Other"

    enrichment = models.ForeignKey(
        "ai_enrichment.Enrichment", on_delete=models.CASCADE, related_name="feedback"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="ai_feedback"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    vote = models.CharField(max_length=4, choices=Vote.choices, blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    comment = models.TextField(blank=True)
    # {"category": {"from": "billing", "to": "account"}, ...} for the fields the agent changed.
    overrides = models.JSONField(default=dict, blank=True)
    original_reply = models.TextField(blank=True)
    final_reply = models.TextField(blank=True)
    reply_diff = models.TextField(blank=True, help_text="Unified diff from the suggestion to what was sent.")
    similarity = models.FloatField(
        null=True, blank=True, help_text="0..1: how much of the suggestion survived."
    )
    seconds_to_action = models.FloatField(
        null=True, blank=True, help_text="From showing the suggestion to this action."
    )
    # Copied from the enrichment so the dashboard groups without joins.
    provider = models.CharField(max_length=40, blank=True)
    model = models.CharField(max_length=100, blank=True)
    prompt_version = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "feedback"
        indexes = [
            # The dashboard filters by period and groups by kind / prompt version / model.
            models.Index(fields=["created_at", "kind"], name="feedback_created_kind_idx"),
            models.Index(fields=["prompt_version", "model", "created_at"], name="feedback_version_model_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on enrichment {self.enrichment_id}"


# --- Daily rollups of the lead dashboard (feedback.rollups) -------------------------------------------
# Each table holds, for every closed day, the dashboard's counts of one kind of row grouped by the
# dimensions a lead filters on, so that a long period sums a few rows per day instead of every ticket's.
# Only feedback.rollups writes them; they can always be rebuilt from the rows they count.


class DailyRollup(models.Model):
    day = models.DateField()  # in settings.TIME_ZONE
    # A row counts one day, or sums a whole week's or month's day rows (`day` is then the Monday or the
    # 1st): a long period reads a row per month and group.
    span = models.CharField(max_length=5, choices=[("day", "Day"), ("week", "Week"), ("month", "Month")])
    source = models.ForeignKey("tickets.Source", on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=40, blank=True)
    model = models.CharField(max_length=100, blank=True)
    prompt_version = models.CharField(max_length=40, blank=True)
    category = models.SlugField(max_length=50, blank=True, db_index=False)  # the AI's category

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.day} source {self.source_id} {self.provider}/{self.model}"


class DailyEnrichments(DailyRollup):
    status = models.CharField(max_length=20)
    n = models.PositiveIntegerField()
    tickets = models.PositiveIntegerField()  # distinct tickets of the day and group
    over_budget = models.PositiveIntegerField()
    with_confidence = models.PositiveIntegerField()
    low_confidence = models.PositiveIntegerField()  # below AI_LOW_CONFIDENCE
    without_passages = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["span", "day"], name="daily_enrichments_span_idx")]


class DailyAccuracy(DailyRollup):
    """Suggestions whose ticket an agent labeled, by the agent's category and the confidence band."""

    agent_category = models.SlugField(max_length=50, db_index=False)
    band = models.PositiveSmallIntegerField(null=True)  # confidence 0.0–0.1 → 0 … 0.9–1.0 → 9
    n = models.PositiveIntegerField()
    correct = models.PositiveIntegerField()
    priority_kept = models.PositiveIntegerField()
    unsure = models.PositiveIntegerField()
    confidence_sum = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["span", "day"], name="daily_accuracy_span_idx")]


class DailyFeedback(DailyRollup):
    kind = models.CharField(max_length=20)
    vote = models.CharField(max_length=4, blank=True)
    reason = models.CharField(max_length=20, blank=True)
    # Replies: unchanged, lightly_edited, heavily_edited or rewritten (DASHBOARD_*_SIMILARITY).
    outcome = models.CharField(max_length=20, blank=True)
    n = models.PositiveIntegerField()
    similarity_sum = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["span", "day"], name="daily_feedback_span_idx")]


class DailyAICalls(DailyRollup):
    calls = models.PositiveIntegerField()  # sent (not cache hits)
    failed_calls = models.PositiveIntegerField()
    invalid_calls = models.PositiveIntegerField()
    retried_calls = models.PositiveIntegerField()
    cost_usd = models.DecimalField(max_digits=14, decimal_places=6)
    input_tokens = models.BigIntegerField()
    output_tokens = models.BigIntegerField()
    cache_read_tokens = models.BigIntegerField()
    cache_write_tokens = models.BigIntegerField()
    tickets = models.PositiveIntegerField()  # distinct tickets of the day and group
    redacted_calls = models.PositiveIntegerField()
    routed_tickets = models.PositiveIntegerField()
    exact_cache_hits = models.PositiveIntegerField()
    semantic_cache_hits = models.PositiveIntegerField()

    class Meta:
        verbose_name_plural = "daily AI calls"
        indexes = [models.Index(fields=["span", "day"], name="daily_aicalls_span_idx")]


class DailyCitations(DailyRollup):
    document_id = models.BigIntegerField()
    title = models.CharField(max_length=500, blank=True)
    cited = models.PositiveIntegerField()
    cited_in_poor = models.PositiveIntegerField()  # voted down, heavily edited or rewritten

    class Meta:
        verbose_name_plural = "daily citations"
        indexes = [models.Index(fields=["span", "day"], name="daily_citations_span_idx")]


class DailyDurations(DailyRollup):
    """Histograms of durations (buckets 5 % wide, see feedback.rollups.DurationBucket), from which
    the dashboard's percentiles are read: model latency, end-to-end time, seconds to each action."""

    measure = models.CharField(max_length=40)
    bucket = models.PositiveSmallIntegerField()
    n = models.PositiveIntegerField()

    class Meta:
        verbose_name_plural = "daily durations"
        indexes = [models.Index(fields=["span", "measure", "day"], name="daily_durations_span_idx")]


class RollupState(models.Model):
    """Where the rollups stand (one row): every day before `rolled_up_until` is in them, as of the rows
    changed before `changes_seen_at`; `settings_key` the thresholds their counts used."""

    rolled_up_until = models.DateField(null=True)
    changes_seen_at = models.DateTimeField(null=True)
    settings_key = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"Rolled up until {self.rolled_up_until}"
