"""Create the role groups (agent, team lead, CVM manager, trainer, administrator) with their permissions."""

from django.db import migrations


def create_role_groups(apps, schema_editor):
    from cvm_portal.roles import sync_role_groups

    sync_role_groups(apps)


def remove_role_groups(apps, schema_editor):
    from cvm_portal.roles import Role

    apps.get_model("auth", "Group").objects.filter(name__in=Role.values).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cvm_portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("campaigns", "0001_initial"),
        ("channels", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
