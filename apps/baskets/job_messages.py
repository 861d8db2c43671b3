"""The till import job's first message; its summary is written from its result
(apps/jobs/wording.py)."""

from django.utils.translation import gettext_noop

from apps.jobs.wording import Wording, register

IMPORTING_FROM = Wording(gettext_noop("Importing from %(directory)s"))
register(IMPORTING_FROM)
