"""The segments and model-fit jobs' messages (apps/jobs/wording.py shows them translated)."""

from django.utils.translation import gettext_noop

from apps.jobs.wording import Wording, register

CATEGORIES = Wording(gettext_noop("%(n)s category"), gettext_noop("%(n)s categories"))
ALL_SNAPSHOTS_EXIST = Wording(gettext_noop("every snapshot already exists"))
TIMING_FITTING = Wording(gettext_noop("fitting the purchase-timing model"))
TIMING_FITTED = Wording(gettext_noop("held-out AUC %(auc)s (due rule %(rule)s)"))
VALUE_FITTING = Wording(gettext_noop("fitting BG/NBD and Gamma-Gamma"))
register(CATEGORIES, ALL_SNAPSHOTS_EXIST, TIMING_FITTING, TIMING_FITTED, VALUE_FITTING)
