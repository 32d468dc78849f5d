from django.db import migrations

REFRESH = "refresh dashboard rollups"


def schedule_refresh(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name=REFRESH,
        defaults={
            "func": "feedback.tasks.refresh_dashboard_rollups",
            "schedule_type": "I",  # every `minutes`
            "minutes": 10,
            "repeats": -1,
        },
    )


def unschedule_refresh(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=REFRESH).delete()


class Migration(migrations.Migration):
    """Every 10 minutes, roll up the lead dashboard's counts of the days that closed or changed
    (feedback.rollups); the dashboard counts the rest from the rows themselves."""

    dependencies = [("feedback", "0003_dashboard_rollups"), ("django_q", "0018_task_success_index")]
    operations = [migrations.RunPython(schedule_refresh, unschedule_refresh)]
