import pgvector.django.indexes
import pgvector.django.vector
from django.conf import settings
from django.db import migrations

BATCH = 256


def label_vectors_backfill(apps, schema_editor):
    """The tickets embedded before label vectors existed get theirs now, so the local model's vote sees
    every neighbour from the start (~3 ms a ticket: ~5 minutes for 100,000 tickets on one core). A
    remote embedder gives no label vectors: nothing to do."""
    if settings.EMBEDDING_BACKEND != "local":
        return
    TicketEmbedding = apps.get_model("ai_enrichment", "TicketEmbedding")
    ids = list(TicketEmbedding.objects.order_by("ticket_id").values_list("ticket_id", flat=True))
    if not ids:
        return
    # The model and the text rule are the app's own: a vector must come from the same code as new ones.
    from ai_enrichment.embeddings import embedder
    from ai_enrichment.services import ticket_embedding_text

    for start in range(0, len(ids), BATCH):
        rows = list(
            TicketEmbedding.objects.filter(ticket_id__in=ids[start : start + BATCH]).select_related("ticket")
        )
        _, label_vectors = embedder().embed_with_label_vectors(
            [ticket_embedding_text(row.ticket) for row in rows]
        )
        for row, label_vector in zip(rows, label_vectors, strict=True):
            row.label_embedding = label_vector
        TicketEmbedding.objects.bulk_update(rows, ["label_embedding"])  # not a change: updated_at stays


class Migration(migrations.Migration):
    dependencies = [
        ("ai_enrichment", "0019_enrichment_reply_source_ticket"),
        ("tickets", "0010_source_ingest_limit"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticketembedding",
            name="label_embedding",
            field=pgvector.django.vector.VectorField(blank=True, dimensions=384, null=True),
        ),
        migrations.AddIndex(
            model_name="ticketembedding",
            index=pgvector.django.indexes.HnswIndex(
                ef_construction=64,
                fields=["label_embedding"],
                m=16,
                name="ticket_label_embedding_hnsw",
                opclasses=["vector_cosine_ops"],
            ),
        ),
        migrations.RunPython(label_vectors_backfill, migrations.RunPython.noop),
    ]
