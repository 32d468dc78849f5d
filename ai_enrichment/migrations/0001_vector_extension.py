from django.db import migrations
from pgvector.django import VectorExtension


class Migration(migrations.Migration):
    """pgvector: embeddings of knowledge-base chunks and tickets live next to the data they describe."""

    initial = True
    dependencies = []
    operations = [VectorExtension()]
