from django.db import migrations

PRUNE = "prune task history"


def schedule_prune(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name=PRUNE,
        defaults={
            "func": "ai_enrichment.tasks.prune_task_history",
            "schedule_type": "H",
            "repeats": -1,
        },
    )


def unschedule_prune(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=PRUNE).delete()


class Migration(migrations.Migration):
    """Every hour, keep the newest TASK_HISTORY_KEPT successful task results (django-q2 no longer prunes
    them on every result: Q_CLUSTER["save_limit"] is 0)."""

    dependencies = [("ai_enrichment", "0015_schedule_missing_callbacks_sweeper")]
    operations = [migrations.RunPython(schedule_prune, unschedule_prune)]
