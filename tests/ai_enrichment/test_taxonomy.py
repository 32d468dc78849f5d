"""Every enrichment reads the taxonomy; a process keeps it for TAXONOMY_CACHE_SECONDS, and an admin's
edit in the same process is seen at once."""

from ai_enrichment.models import Category, Priority
from ai_enrichment.selectors import taxonomy_current


def test_the_taxonomy_is_read_once_while_it_is_fresh(db, settings, django_assert_num_queries):
    settings.TAXONOMY_CACHE_SECONDS = 60
    first = taxonomy_current()
    with django_assert_num_queries(0):
        again = taxonomy_current()
    assert again == first and again.version == first.version
    assert "billing" in first.category_slugs
    assert first.priority_slugs == ["low", "medium", "high", "critical"]


def test_a_saved_or_deleted_label_is_seen_at_once_and_changes_the_version(db, settings):
    settings.TAXONOMY_CACHE_SECONDS = 60
    before = taxonomy_current()
    refunds = Category.objects.create(slug="refunds", name="Refunds", description="Money back.", position=99)
    added = taxonomy_current()
    assert "refunds" in added.category_slugs and added.version != before.version

    refunds.delete()
    assert taxonomy_current().category_slugs == before.category_slugs

    urgent = Priority.objects.get(slug="critical")
    urgent.is_active = False
    urgent.save()
    assert "critical" not in taxonomy_current().priority_slugs


def test_without_a_cache_every_read_sees_the_database(db, settings):
    settings.TAXONOMY_CACHE_SECONDS = 0
    taxonomy_current()
    Category.objects.filter(slug="other").update(is_active=False)  # no signal, as from another process
    assert "other" not in taxonomy_current().category_slugs
