"""Schedule the nightly retention run (editable in the admin: Periodic tasks)."""

from django.db import migrations

TASK_NAME = "Nightly retention"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # 00:30, before the points expiry (01:10) and the segments and reports (02:30, 04:00),
    # so that the night's recomputes see the baskets as retention left them.
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="0", day_of_week="*", day_of_month="*", month_of_year="*"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "apps.rights.tasks.retention_nightly_task",
            "crontab": crontab,
            "description": (
                "Detach baskets older than CRM_RETENTION_BASKET_YEARS from their member; "
                "erase members inactive for CRM_RETENTION_INACTIVE_YEARS."
            ),
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("rights", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
