"""Queue every category's snapshot for a window on the Celery workers and wait for them."""

from __future__ import annotations

from decimal import Decimal

from django.core.management.base import CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.commands import TranslatedCommand
from apps.jobs.models import JobStatus
from apps.jobs.waiting import job_wait
from apps.segments.services import (
    DEFAULT_NATIONAL_THRESHOLD,
    DEFAULT_STORE_THRESHOLD,
    snapshots_refresh_all,
)
from crm_site.cli import iso_date


class Command(TranslatedCommand):
    help = _("Compute all categories' segment snapshots for [start, end) on the workers.")

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
        self.stdout.write(
            gettext("Job %(pk)s: %(n)s categories queued.")
            % {"pk": job.pk, "n": job.progress_total}
        )
        job = job_wait(job_id=job.pk, timeout=options["timeout"])
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(
                gettext("Job %(pk)s %(status)s: %(error)s")
                % {"pk": job.pk, "status": job.status, "error": job.error or gettext("timed out")}
            )
        self.stdout.write(
            gettext("Job %(pk)s succeeded in %(seconds)s s.")
            % {"pk": job.pk, "seconds": f"{job.duration_seconds:.1f}"}
        )
