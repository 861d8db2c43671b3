"""`manage.py generate_lists --period-start YYYY-MM-DD`: lists for two weeks, via the workers."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.jobs.models import JobStatus
from apps.jobs.waiting import job_wait
from apps.lists.services import ListRules, lists_generate
from crm_site.cli import iso_date


class Command(BaseCommand):
    help = gettext_lazy(
        "Generate the members' shopping lists for [start, start + 14 days) on the workers."
    )

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
            ngettext(
                "Job #%(job)s: %(count)s chunk queued",
                "Job #%(job)s: %(count)s chunks queued",
                job.progress_total,
            )
            % {"job": job.pk, "count": job.progress_total}
        )
        job = job_wait(job_id=job.pk, timeout=options["timeout"], progress=options["verbosity"])
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(
                _("job #%(job)s %(status)s: %(error)s")
                % {"job": job.pk, "status": job.status, "error": job.error[-2000:]}
            )
        created = job.result.get("lists", 0)
        self.stdout.write(
            ngettext("%(count)s list created", "%(count)s lists created", created)
            % {"count": created}
        )
