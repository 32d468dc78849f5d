from django.db import migrations

from tickets.roles import AGENTS, LEADS


def create_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in (AGENTS, LEADS):
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
