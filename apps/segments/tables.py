import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from apps.core.money import MoneyColumn
from apps.segments.models import CategoryAffinity, MemberScore, SegmentMember, SegmentSnapshot


class SnapshotTable(tables.Table):
    category = tables.Column(
        verbose_name=_("Category"),
        linkify=lambda record: record.get_absolute_url(),
        order_by="category__name",
    )
    window_start = tables.DateColumn("Y-m-d", verbose_name=_("From"))
    window_end = tables.DateColumn("Y-m-d", verbose_name=_("To (excl.)"))
    buyers = tables.Column(
        verbose_name=_("Buyers"),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )
    computed_at = tables.DateTimeColumn("Y-m-d H:i", verbose_name=_("Computed at"))

    class Meta:
        model = SegmentSnapshot
        fields = ["category", "window_start", "window_end", "buyers", "computed_at"]
        empty_text = _("No snapshot yet: start a recompute.")


class CellMemberTable(tables.Table):
    card_number = tables.Column(
        accessor="member__card_number",
        verbose_name=_("Card"),
        linkify=lambda record: record.member.get_absolute_url(),
    )
    name = tables.Column(
        accessor="member__display_name",
        verbose_name=_("Name"),
        order_by=("member__last_name", "member__first_name"),
    )
    category_spend = MoneyColumn(verbose_name=_("Category spend"))
    national_share = tables.Column(verbose_name=_("National share"))
    occasions = tables.Column(verbose_name=_("Occasions"))
    cycle_days = tables.Column(verbose_name=_("Cycle (days)"))
    next_purchase_on = tables.DateColumn("Y-m-d", verbose_name=_("Next purchase"))

    class Meta:
        model = SegmentMember
        fields = ["card_number", "name", "category_spend", "national_share", "occasions"]
        sequence = [*fields, "cycle_days", "next_purchase_on"]
        order_by = "-category_spend"

    def render_national_share(self, value):
        return f"{value:.0%}"

    def value_national_share(self, value):
        return value


class WinBackTable(tables.Table):
    card_number = tables.Column(
        accessor="member__card_number",
        verbose_name=_("Card"),
        linkify=lambda record: record.member.get_absolute_url(),
    )
    name = tables.Column(
        accessor="member__display_name",
        verbose_name=_("Name"),
        order_by=("member__last_name", "member__first_name"),
    )
    total_spend = MoneyColumn(verbose_name=_("Spend to date"))
    frequency = tables.Column(verbose_name=_("Repeat visits"))
    days_since_last = tables.Column(verbose_name=_("Days since last visit"))
    p_alive = tables.Column(verbose_name=_("P(active)"))
    clv = MoneyColumn(verbose_name=_("CLV (12 months)"))

    class Meta:
        model = MemberScore
        fields = []
        sequence = [
            "card_number",
            "name",
            "total_spend",
            "frequency",
            "days_since_last",
            "p_alive",
            "clv",
        ]

    def render_p_alive(self, value):
        return f"{value:.0%}"

    def value_p_alive(self, value):
        return f"{value:.4f}"


class AffinityTable(tables.Table):
    """Bought-together rules, strongest first; the shares as percentages, lift as a factor."""

    antecedent = tables.Column(verbose_name=_("Baskets with"), order_by="antecedent__name")
    consequent = tables.Column(verbose_name=_("also hold"), order_by="consequent__name")
    baskets_with_both = tables.Column(
        verbose_name=_("Baskets with both"),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )
    support = tables.Column(
        verbose_name=_("Support"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
    )
    confidence = tables.Column(
        verbose_name=_("Confidence"),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )
    # A rule and its reverse have the same lift: the names keep every page's order stable.
    lift = tables.Column(
        verbose_name=_("Lift"),
        order_by=("lift", "antecedent__name", "consequent__name"),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )

    class Meta:
        model = CategoryAffinity
        order_by = "-lift"
        fields = []
        sequence = [
            "antecedent",
            "consequent",
            "baskets_with_both",
            "support",
            "confidence",
            "lift",
        ]
        empty_text = "No rules yet: they are computed with the nightly segments."

    def render_support(self, value):
        return f"{value:.2%}"

    def render_confidence(self, value):
        return f"{value:.1%}"

    def render_lift(self, value):
        return f"{value:.2f}×"
