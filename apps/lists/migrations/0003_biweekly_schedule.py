"""Schedule list generation every two weeks (editable in the admin: Periodic tasks)."""

from django.db import migrations

TASK_NAME = "Biweekly shopping lists"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_two_weeks, _ = IntervalSchedule.objects.get_or_create(every=14, period="days")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "apps.lists.tasks.lists_biweekly_task",
            "interval": every_two_weeks,
            "description": "Generate every eligible member's shopping list for the two weeks "
            "starting on the day it runs. Set the start time to the first period's morning.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("lists", "0002_seed_content"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
