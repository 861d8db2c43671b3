"""`manage.py generate_lists --period-start YYYY-MM-DD`: lists for two weeks, via the workers."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from apps.jobs.models import JobStatus
from apps.jobs.waiting import job_wait
from apps.lists.services import ListRules, lists_generate
from crm_site.cli import iso_date


class Command(BaseCommand):
    help = "Generate the members' shopping lists for [start, start + 14 days) on the workers."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period-start", type=iso_date, required=True)
        parser.add_argument("--min-spend", type=Decimal, default=ListRules.min_spend)
        parser.add_argument("--weeks", type=int, default=ListRules.weeks)
        parser.add_argument("--chunk-size", type=int, default=2000)
        parser.add_argument("--timeout", type=float, default=None)

    def handle(self, *args, **options) -> None:
        rules = ListRules(min_spend=options["min_spend"], weeks=options["weeks"])
        try:
            job = lists_generate(
                period_start=options["period_start"], rules=rules, chunk_size=options["chunk_size"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Job #{job.pk}: {job.progress_total} chunk{pluralize(job.progress_total)} queued"
        )
        job = job_wait(job_id=job.pk, timeout=options["timeout"], progress=options["verbosity"])
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(f"job #{job.pk} {job.status}: {job.error[-2000:]}")
        self.stdout.write(f"{job.result.get('lists', 0)} lists created")
