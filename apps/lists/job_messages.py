"""The list generation job's messages (apps/jobs/wording.py shows them translated)."""

from django.utils.translation import gettext_noop

from apps.jobs.wording import Wording, register

CHUNKS = Wording(
    gettext_noop("%(n)s chunk of members, then the period's offers"),
    gettext_noop("%(n)s chunks of members, then the period's offers"),
)
NO_MEMBER = Wording(gettext_noop("no member"))
register(CHUNKS, NO_MEMBER)
