from django.db import migrations

SWEEPER = "requeue stale enrichments"


def schedule_sweeper(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        name=SWEEPER,
        defaults={
            "func": "ai_enrichment.tasks.requeue_stale_enrichments",
            "schedule_type": "I",
            "minutes": 1,
            "repeats": -1,
        },
    )


def unschedule_sweeper(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SWEEPER).delete()


class Migration(migrations.Migration):
    """Every minute, queue again any enrichment the queue lost or a dead worker left behind."""

    dependencies = [("ai_enrichment", "0003_seed_taxonomy"), ("django_q", "0018_task_success_index")]
    operations = [migrations.RunPython(schedule_sweeper, unschedule_sweeper)]
