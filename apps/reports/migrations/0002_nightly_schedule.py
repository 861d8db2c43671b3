"""Schedule the nightly report refresh (editable in the admin: Periodic tasks).

At 04:00, after the segments' 02:30 run has recomputed the snapshots and the member-value
fit, so the dashboard shows the night's cells and scores.
"""

from django.db import migrations

TASK_NAME = "Nightly report refresh"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="4", day_of_week="*", day_of_month="*", month_of_year="*"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "apps.reports.tasks.reports_nightly_task",
            "crontab": crontab,
            "description": "Recompute the marketing dashboard's aggregates.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
