"""What the chain inferred about the member: segment cells, scores, buy probabilities, the
home store, and the campaigns' audiences and allocations that picked them.

Category affinity (apps.segments.models.CategoryAffinity) is computed over all baskets and
holds no member, so it is not part of anyone's record.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.campaigns.models import Allocation, CampaignAudience, Candidate, EligibleMember
from apps.reports.models import HomeStore
from apps.rights.access.base import Section, Table
from apps.segments.models import BuyProbability, MemberScore, SegmentMember

SEGMENTS = Section(
    key="profiling",
    title=_("Segments, scores and predictions"),
    why=_(
        "Computed from the baskets, to choose which offers a member is shown: the brand "
        "loyalty and usage cell per category, the purchase cycle, the repeat-purchase and "
        "value scores with the churn risk, the chance of buying each category in a list "
        "period, and the home store the reports count the member under. No decision with "
        "legal or similar effect is made from them: they choose offers only."
    ),
    tables=(
        Table(
            SegmentMember,
            _("Segment cells per category"),
            lambda m: SegmentMember.objects.filter(member=m).order_by(
                "snapshot__window_end", "snapshot_id"
            ),
            extra=("snapshot__category__name", "snapshot__window_start", "snapshot__window_end"),
        ),
        Table(
            MemberScore,
            _("Scores, value and churn risk (one row per model fit)"),
            lambda m: MemberScore.objects.filter(member=m).order_by("fit__fitted_at", "fit_id"),
            extra=("fit__calibration_end", "fit__live_since"),
        ),
        Table(
            BuyProbability,
            _("Chance of buying a category in a list period"),
            lambda m: BuyProbability.objects.filter(member=m).order_by(
                "period_start", "category_id"
            ),
            extra=("category__name",),
        ),
        Table(
            HomeStore,
            _("Home store (where the member spends most)"),
            lambda m: HomeStore.objects.filter(member=m),
            extra=("store__code",),
        ),
    ),
)

CAMPAIGNS = Section(
    key="campaigns",
    title=_("Campaign eligibility and allocations"),
    why=_(
        "Which campaigns targeted the member (or held them out, to measure the campaign's "
        "effect), which list periods they were eligible for, each offer allocation weighed "
        "for them with the figures it weighed, and the offers given."
    ),
    tables=(
        Table(
            CampaignAudience,
            _("Campaign audiences"),
            lambda m: CampaignAudience.objects.filter(member=m).order_by("campaign_id"),
            extra=("campaign__name",),
        ),
        Table(
            EligibleMember,
            _("Eligible list periods"),
            lambda m: EligibleMember.objects.filter(member=m).order_by("period_start"),
        ),
        Table(
            Candidate,
            _("Offers weighed (allocation's working set)"),
            lambda m: Candidate.objects.filter(member=m).order_by("period_start", "campaign_id"),
            extra=("campaign__name",),
        ),
        Table(
            Allocation,
            _("Offers allocated"),
            lambda m: Allocation.objects.filter(member=m).order_by("period_start", "campaign_id"),
            extra=("campaign__name",),
        ),
    ),
)
