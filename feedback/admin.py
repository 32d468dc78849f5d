from django.contrib import admin

from ai_enrichment.admin import RecordAdmin
from feedback.models import Feedback, TicketLabel


@admin.register(TicketLabel)
class TicketLabelAdmin(admin.ModelAdmin):
    list_display = ["ticket", "category", "priority", "origin", "labeled_by", "updated_at"]
    list_filter = ["origin", "category", "priority", "updated_at"]
    search_fields = ["ticket__external_id", "ticket__subject"]
    list_select_related = ["ticket__source", "labeled_by"]
    raw_id_fields = ["ticket"]
    show_full_result_count = False


@admin.register(Feedback)
class FeedbackAdmin(RecordAdmin):
    list_display = [
        "created_at",
        "kind",
        "vote",
        "reason",
        "agent",
        "enrichment",
        "similarity",
        "prompt_version",
        "model",
    ]
    list_filter = ["kind", "vote", "reason", "prompt_version", "model", "created_at"]
    search_fields = ["enrichment__ticket__external_id", "comment"]
    list_select_related = ["agent", "enrichment"]
