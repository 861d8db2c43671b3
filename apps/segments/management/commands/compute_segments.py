"""Queue every category's snapshot for a window on the Celery workers and wait for them."""

from __future__ import annotations

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from apps.jobs.models import JobStatus
from apps.jobs.waiting import job_wait
from apps.segments.services import (
    DEFAULT_NATIONAL_THRESHOLD,
    DEFAULT_STORE_THRESHOLD,
    snapshots_refresh_all,
)
from crm_site.cli import iso_date


class Command(BaseCommand):
    help = "Compute all categories' segment snapshots for [start, end) on the workers."

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, type=iso_date)
        parser.add_argument("--end", required=True, type=iso_date)
        parser.add_argument(
            "--national-threshold", type=Decimal, default=DEFAULT_NATIONAL_THRESHOLD
        )
        parser.add_argument("--store-threshold", type=Decimal, default=DEFAULT_STORE_THRESHOLD)
        parser.add_argument("--timeout", type=float, default=3600)

    def handle(self, *args, **options):
        job = snapshots_refresh_all(
            window_start=options["start"],
            window_end=options["end"],
            national_threshold=options["national_threshold"],
            store_threshold=options["store_threshold"],
        )
        self.stdout.write(f"Job {job.pk}: {job.progress_total} categories queued.")
        job = job_wait(job_id=job.pk, timeout=options["timeout"])
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(f"Job {job.pk} {job.status}: {job.error or 'timed out'}")
        self.stdout.write(f"Job {job.pk} succeeded in {job.duration_seconds:.1f} s.")
