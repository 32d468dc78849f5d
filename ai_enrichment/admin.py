from django.contrib import admin

from ai_enrichment.models import AICall, CallbackDelivery, Category, Enrichment, Priority


@admin.register(Category, Priority)
class TaxonomyLabelAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "is_active", "position", "description"]
    list_editable = ["is_active", "position"]
    list_filter = ["is_active"]
    search_fields = ["slug", "name", "description"]


class AICallInline(admin.TabularInline):
    model = AICall
    extra = 0
    can_delete = False
    fields = [
        "created_at",
        "provider",
        "model",
        "attempt",
        "is_repair",
        "status",
        "error_class",
        "input_tokens",
        "output_tokens",
        "cost_usd",
        "latency_ms",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CallbackDeliveryInline(admin.TabularInline):
    model = CallbackDelivery
    extra = 0
    can_delete = False
    fields = ["created_at", "attempt", "delivered", "status_code", "latency_ms", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Enrichment)
class EnrichmentAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "ticket",
        "status",
        "category",
        "priority",
        "confidence",
        "provider",
        "model",
        "prompt_version",
        "created_at",
    ]
    list_filter = [
        "status",
        "provider",
        "model",
        "prompt_version",
        "category",
        "priority",
        "trigger",
        "is_current",
        "created_at",
    ]
    search_fields = ["ticket__external_id", "ticket__subject", "status_reason"]
    list_select_related = ["ticket__source"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = [field.name for field in Enrichment._meta.fields]
    inlines = [AICallInline, CallbackDeliveryInline]

    def has_add_permission(self, request):
        return False


@admin.register(AICall)
class AICallAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "provider",
        "model",
        "prompt_version",
        "status",
        "error_class",
        "attempt",
        "is_repair",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cost_usd",
        "latency_ms",
    ]
    list_filter = ["provider", "model", "prompt_version", "status", "error_class", "is_repair", "created_at"]
    search_fields = ["ticket__external_id", "request_id", "input_hash"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = [field.name for field in AICall._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(CallbackDelivery)
class CallbackDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "source",
        "enrichment",
        "attempt",
        "delivered",
        "status_code",
        "latency_ms",
        "error",
    ]
    list_filter = ["source", "delivered", "status_code", "created_at"]
    search_fields = ["enrichment__ticket__external_id", "url", "error"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    readonly_fields = [field.name for field in CallbackDelivery._meta.fields]

    def has_add_permission(self, request):
        return False
