from django.contrib import admin, messages

from ai_enrichment.admin import RecordAdmin
from tickets.models import Purge, Source, Ticket
from tickets.services import source_assign_api_key, source_rotate_api_key


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "api_key_prefix",
        "callback_url",
        "is_active",
        "is_sensitive",
        "redact_pii",
        "created_at",
    ]
    list_filter = ["is_active", "is_sensitive", "redact_pii"]
    search_fields = ["name", "slug", "api_key_prefix"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["api_key_prefix", "created_at"]
    actions = ["rotate_api_key"]

    def save_model(self, request, obj, form, change):
        api_key = None if change else source_assign_api_key(source=obj)
        super().save_model(request, obj, form, change)
        if api_key:
            messages.warning(request, f"API key for {obj.name} (shown only now, copy it): {api_key}")

    @admin.action(description="Rotate the API key (the old key stops working)")
    def rotate_api_key(self, request, queryset):
        for source in queryset:
            key = source_rotate_api_key(source=source)
            messages.warning(request, f"New API key for {source.name} (shown only now, copy it): {key}")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["external_id", "subject", "source", "customer_email", "channel", "status", "received_at"]
    list_filter = ["source", "status", "channel", "language", "received_at"]
    search_fields = ["external_id", "subject", "customer_email", "customer_name", "customer_external_id"]
    date_hierarchy = "received_at"
    list_select_related = ["source"]
    readonly_fields = ["content_hash", "received_at", "updated_at"]
    show_full_result_count = False  # counting a large table on every page view is slow


@admin.register(Purge)
class PurgeAdmin(RecordAdmin):
    """The audit log of purges: read, never edited or deleted."""

    list_display = [
        "created_at",
        "requested_via",
        "requested_by",
        "source",
        "older_than_days",
        "counts",
        "finished_at",
    ]
    list_filter = ["requested_via", "source", "created_at"]
    search_fields = ["requested_by"]

    def get_search_results(self, request, queryset, search_term):
        """A customer's e-mail or id typed in the search box finds their purges through the hash."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            results |= queryset.filter(customer_sha256=Purge.hash_customer(search_term))
        return results, may_have_duplicates

    def has_delete_permission(self, request, obj=None):
        return False
