"""The dashboard refresh job's messages: its steps' names (apps/jobs/wording.py)."""

from django.utils.translation import gettext_noop

from apps.jobs.wording import Wording, register
from apps.reports.services import STEPS

STARTING = Wording(gettext_noop("starting"))
REFRESHED = Wording(gettext_noop("figures refreshed"))
register(STARTING, REFRESHED, *(Wording(label) for label, _step in STEPS))
