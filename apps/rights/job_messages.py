"""The retention and batch erasure jobs' messages (apps/jobs/wording.py)."""

from django.utils.translation import gettext_noop

from apps.jobs.wording import Wording, register
from apps.rights.erasure.batch import CONFIRMED, ERASED, ERASING

RETENTION_PLAN = Wording(
    gettext_noop(
        "%(detach)s chunk(s) of baskets to detach, then %(erase)s chunk(s) of members to check"
    )
)
NOTHING_TO_DO = Wording(gettext_noop("nothing to detach or erase"))
register(RETENTION_PLAN, NOTHING_TO_DO, Wording(ERASING), Wording(CONFIRMED), Wording(ERASED))
