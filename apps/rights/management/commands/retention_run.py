"""`manage.py retention_run`: detach old baskets and erase inactive members, on the workers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from apps.jobs.models import Job, JobStatus
from apps.jobs.waiting import job_wait
from apps.rights.retention import (
    BASKET_CHUNK,
    JOB_KIND,
    MEMBER_CHUNK,
    RetentionPolicy,
    retention_resume,
    retention_start,
)
from crm_site.cli import iso_date


class Command(BaseCommand):
    help = (
        "Apply the retention policy (CRM_RETENTION_BASKET_YEARS, CRM_RETENTION_INACTIVE_YEARS) "
        "now, on the Celery workers, and wait for it; --resume JOB queues a crashed run's "
        "remaining chunks."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--resume", type=int, metavar="JOB", help="a run to finish")
        parser.add_argument("--today", type=iso_date, help="count the years back from this day")
        parser.add_argument("--basket-chunk", type=int, default=BASKET_CHUNK)
        parser.add_argument("--member-chunk", type=int, default=MEMBER_CHUNK)
        parser.add_argument("--timeout", type=float, default=None)

    def handle(self, *args, **options) -> None:
        policy = RetentionPolicy.from_settings()
        for sentence in policy.sentences():
            self.stdout.write(sentence)
        try:
            if options["resume"]:
                job = retention_resume(job_id=options["resume"])
            else:
                job = retention_start(
                    policy=policy,
                    today=options["today"],
                    basket_chunk=options["basket_chunk"],
                    member_chunk=options["member_chunk"],
                )
        except Job.DoesNotExist:
            raise CommandError(
                gettext("no %(kind)s job #%(job)s") % {"kind": JOB_KIND, "job": options["resume"]}
            ) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if job is None:
            self.stdout.write(gettext("Retention is off: nothing to do."))
            return
        self.stdout.write(
            gettext("Job #%(job)s: %(message)s") % {"job": job.pk, "message": job.message_shown}
        )
        job = job_wait(job_id=job.pk, timeout=options["timeout"], progress=options["verbosity"])
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(
                gettext("job #%(job)s %(status)s: %(error)s")
                % {"job": job.pk, "status": job.status, "error": job.error[-2000:]}
            )
        r = job.result
        self.stdout.write(
            gettext(
                "%(baskets)s baskets and %(lines)s lines detached, "
                "%(members)s inactive members erased"
            )
            % {
                "baskets": f"{r.get('baskets_detached', 0):,}",
                "lines": f"{r.get('lines_detached', 0):,}",
                "members": f"{r.get('members_erased', 0):,}",
            }
        )
