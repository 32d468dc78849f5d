from django.db import migrations

REFIT = "refit local label models"


def schedule_refit(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name=REFIT,
        defaults={
            "func": "ai_enrichment.tasks.refit_label_models",
            "schedule_type": "I",  # every `minutes`
            "minutes": 5,
            "repeats": -1,
        },
    )


def unschedule_refit(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=REFIT).delete()


class Migration(migrations.Migration):
    """Every 5 minutes, refit the local model's trained half of the sources whose confirmed labels
    changed (ai_enrichment.label_model); a source with unchanged labels costs one grouped count."""

    dependencies = [("ai_enrichment", "0017_trainedlabelmodel"), ("django_q", "0018_task_success_index")]
    operations = [migrations.RunPython(schedule_refit, unschedule_refit)]
