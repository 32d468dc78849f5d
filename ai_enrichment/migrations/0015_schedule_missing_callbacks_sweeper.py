from django.db import migrations

SWEEPER = "requeue missing callbacks"


def schedule_sweeper(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name=SWEEPER,
        defaults={
            "func": "ai_enrichment.tasks.requeue_missing_callbacks",
            "schedule_type": "I",
            "minutes": 5,
            "repeats": -1,
        },
    )


def unschedule_sweeper(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SWEEPER).delete()


class Migration(migrations.Migration):
    """Every five minutes, queue again the callbacks of finished enrichments whose task was lost."""

    dependencies = [
        ("ai_enrichment", "0014_message_batches_backfill"),
        ("django_q", "0018_task_success_index"),
    ]
    operations = [migrations.RunPython(schedule_sweeper, unschedule_sweeper)]
