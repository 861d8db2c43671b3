"""The opening balances import job's first message; its summary is written from its result
(apps/jobs/wording.py)."""

from django.utils.translation import gettext_noop

from apps.jobs.wording import Wording, register

IMPORTING = Wording(gettext_noop("Importing %(file)s"))
register(IMPORTING)
