"""Three status tiers to start from (editable by marketing), and the beat schedules of the
nightly tier recompute and the year-end rebate (editable in the admin: Periodic tasks)."""

from django.db import migrations

TIERS = [("Member", 0, "1.00"), ("Silver", 1500, "1.25"), ("Gold", 3000, "1.50")]
TIER_TASK = "Nightly tier recompute"
REBATE_TASK = "Year-end rebate"


def seed_tiers(apps, schema_editor):
    Tier = apps.get_model("rewards", "Tier")
    if not Tier.objects.exists():
        for name, min_spend, multiplier in TIERS:
            Tier.objects.create(name=name, min_spend=min_spend, multiplier=multiplier)


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="20", hour="1", day_of_week="*", day_of_month="*", month_of_year="*"
    )
    PeriodicTask.objects.get_or_create(
        name=TIER_TASK,
        defaults={
            "task": "apps.rewards.tasks.tiers_recompute_task",
            "crontab": nightly,
            "description": "Put every member in the tier their trailing 12-month spend reaches.",
        },
    )
    # The day after the programme year's end (CRM_PROGRAMME_YEAR_END, 12-31 by default);
    # the task converts the year that has just closed, and a second run converts nothing.
    new_year, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="1", month_of_year="1"
    )
    PeriodicTask.objects.get_or_create(
        name=REBATE_TASK,
        defaults={
            "task": "apps.rewards.tasks.rebate_convert_task",
            "crontab": new_year,
            "description": "Convert each balance into rebate certificates for the closed year.",
        },
    )


def seed(apps, schema_editor):
    seed_tiers(apps, schema_editor)
    create_schedules(apps, schema_editor)


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[TIER_TASK, REBATE_TASK]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("rewards", "0004_tiers_and_rebate"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(seed, remove)]
