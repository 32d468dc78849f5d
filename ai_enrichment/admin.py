from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path

from ai_enrichment.knowledge.ingest import knowledge_document_ingest, knowledge_documents_delete
from ai_enrichment.models import (
    AIBatch,
    AICall,
    AISpend,
    CachedAnswer,
    CallbackDelivery,
    Category,
    Enrichment,
    KnowledgeChunk,
    KnowledgeDocument,
    Priority,
    ProviderCircuit,
    TrainedLabelModel,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Django's documented recipe for a field that takes several files."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        clean_one = super().clean
        return (
            [clean_one(item, initial) for item in data]
            if isinstance(data, list | tuple)
            else [clean_one(data, initial)]
        )


@admin.register(Category, Priority)
class TaxonomyLabelAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "is_active", "position", "description"]
    list_editable = ["is_active", "position"]
    list_filter = ["is_active"]
    search_fields = ["slug", "name", "description"]


class RecordAdmin(admin.ModelAdmin):
    """Records the system writes (enrichments, AI calls, deliveries, feedback): people read them, never
    add or edit them. Large tables: no full count on every page."""

    date_hierarchy = "created_at"
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


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
class EnrichmentAdmin(RecordAdmin):
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
    inlines = [AICallInline, CallbackDeliveryInline]


@admin.register(AICall)
class AICallAdmin(RecordAdmin):
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
        "redactions",
        "routing",
        "cache",
    ]
    list_filter = [
        "provider",
        "model",
        "prompt_version",
        "status",
        "cache",
        "error_class",
        "is_repair",
        "created_at",
    ]
    search_fields = ["ticket__external_id", "request_id", "input_hash"]


@admin.register(CallbackDelivery)
class CallbackDeliveryAdmin(RecordAdmin):
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


class KnowledgeChunkInline(admin.TabularInline):
    model = KnowledgeChunk
    extra = 0
    can_delete = False
    fields = ["position", "heading", "token_count", "text"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class KnowledgeUploadForm(forms.Form):
    files = MultipleFileField(
        help_text="Markdown, HTML, plain text or PDF. Re-uploading an unchanged file changes nothing."
    )


@admin.register(KnowledgeDocument)
class KnowledgeDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "source_path", "chunk_count", "updated_at"]
    list_filter = ["kind", "updated_at"]
    search_fields = ["title", "source_path", "chunks__text"]
    readonly_fields = ["title", "source_path", "kind", "content_hash", "created_at", "updated_at"]
    inlines = [KnowledgeChunkInline]
    change_list_template = "admin/ai_enrichment/knowledgedocument/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(chunk_total=Count("chunks"))

    # Deleting goes through the service, which also takes the documents' words out of the counts.
    def delete_model(self, request, obj):
        knowledge_documents_delete(documents=KnowledgeDocument.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        knowledge_documents_delete(documents=queryset)

    @admin.display(description="chunks", ordering="chunk_total")
    def chunk_count(self, document):
        return document.chunk_total

    def has_add_permission(self, request):
        return False  # documents come in through ingest (the upload form or ingest_kb), never typed in

    def get_urls(self):
        upload = path(
            "upload/", self.admin_site.admin_view(self.upload_view), name="ai_enrichment_knowledge_upload"
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request):
        """Upload documents into the knowledge base: the same ingest as `manage.py ingest_kb`."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = KnowledgeUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            for upload in form.cleaned_data["files"]:
                try:
                    result = knowledge_document_ingest(
                        source_path=f"upload/{upload.name}", content=upload.read()
                    )
                except ValueError as error:
                    messages.error(request, f"{upload.name}: {error}")
                    continue
                messages.success(request, f"{upload.name}: {result.outcome} ({result.chunks} chunks).")
            return redirect("admin:ai_enrichment_knowledgedocument_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Upload knowledge-base documents",
            "opts": self.model._meta,
        }
        return render(request, "admin/ai_enrichment/knowledgedocument/upload.html", context)


@admin.register(AISpend)
class AISpendAdmin(RecordAdmin):
    """Each source's spend and reservations per period, against its limits (Source: AI limits)."""

    date_hierarchy = "starts_at"
    list_display = ["source", "period", "starts_at", "requests", "spent_usd", "reserved_usd"]
    list_filter = ["period", "source"]


@admin.register(CachedAnswer)
class CachedAnswerAdmin(RecordAdmin):
    """Answers kept for reuse (ai_enrichment.answer_cache). Deleting one makes the next request ask the
    provider again; the hourly sweep deletes expired ones."""

    list_display = [
        "created_at",
        "ticket",
        "source",
        "provider",
        "model",
        "prompt_version",
        "reuse",
        "expires_at",
    ]
    list_filter = ["source", "provider", "prompt_version", "reuse"]
    search_fields = ["ticket__external_id", "key"]
    exclude = ["embedding"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields if field.name != "embedding"]


@admin.register(ProviderCircuit)
class ProviderCircuitAdmin(admin.ModelAdmin):
    """Each provider's circuit breaker. Set a circuit to closed to let calls through again at once."""

    list_display = ["provider", "state", "reason", "updated_at"]
    readonly_fields = ["provider", "reason", "updated_at"]
    fields = ["provider", "state", "reason", "updated_at"]

    def has_add_permission(self, request):
        return False


@admin.register(TrainedLabelModel)
class TrainedLabelModelAdmin(admin.ModelAdmin):
    """The local model's trained half per source and field: when it was last refitted and on how many
    labeled tickets (the scheduled task "refit local label models" writes them)."""

    list_display = ["source", "field", "examples", "fitted_at", "fit_seconds", "format"]
    list_filter = ["field", "source"]
    fields = [
        "source",
        "field",
        "examples",
        "labeled_tickets",
        "labels_changed_at",
        "fitted_at",
        "fit_seconds",
        "format",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AIBatch)
class AIBatchAdmin(RecordAdmin):
    """The backfill's Message Batches (enrich_backlog --batch): sent, in progress, applied."""

    list_display = [
        "created_at",
        "provider_batch_id",
        "model",
        "status",
        "requests",
        "succeeded",
        "errored",
        "expired",
        "ended_at",
        "applied_at",
    ]
    list_filter = ["status", "model"]
    search_fields = ["provider_batch_id"]
