"""Knowledge-base pages for agents: where a suggestion's citations lead."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from ai_enrichment.models import KnowledgeDocument
from tickets.access import agent_required


@require_GET
@agent_required
def knowledge_document(request, document_id: int):
    document = get_object_or_404(KnowledgeDocument, pk=document_id)
    return render(
        request,
        "ai_enrichment/knowledge_document.html",
        {"document": document, "chunks": document.chunks.order_by("position")},
    )
