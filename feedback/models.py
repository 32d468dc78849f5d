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
