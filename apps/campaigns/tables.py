import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.campaigns.models import CELL_LABELS, Campaign, Outcome

_RIGHT = {"td": {"class": "text-end"}, "th": {"class": "text-end"}}


class CampaignTable(tables.Table):
    name = tables.Column(verbose_name=pgettext_lazy("thing", "Name"), linkify=True)
    goal = tables.Column(verbose_name=_("Goal"))
    category = tables.Column(verbose_name=_("Category"), order_by="category__name")
    status = tables.Column(verbose_name=_("Status"))
    valid_from = tables.DateColumn("Y-m-d", verbose_name=_("From"))
    valid_until = tables.DateColumn("Y-m-d", verbose_name=_("Until"))
    budget = tables.Column(
        verbose_name=_("Total budget (discount money)"),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )
    agreement = tables.Column(verbose_name=_("Funding"), default="—")

    class Meta:
        model = Campaign
        fields = ["name", "goal", "category", "status", "valid_from", "valid_until", "budget"]
        sequence = [*fields, "agreement"]
        empty_text = _("No campaign yet: design the first one.")

    def render_budget(self, value):
        return f"${value:,.2f}"

    def render_status(self, record):
        from django.utils.html import format_html

        colors = {"draft": "secondary", "approved": "info", "active": "success", "ended": "dark"}
        return format_html(
            '<span class="badge bg-{}">{}</span>',
            colors.get(record.status, "secondary"),
            record.get_status_display(),
        )


class AllocationMemberTable(tables.Table):
    """The audience members behind one count of a campaign's allocation (rows: dicts)."""

    card_number = tables.Column(
        _("Card"), linkify=lambda record: reverse("members:detail", args=[record["card_number"]])
    )
    name = tables.Column(
        _("Name"), accessor="last_name", order_by=("last_name", "first_name"), empty_values=()
    )
    cell = tables.Column(_("Audience"))
    outcome = tables.Column(_("Decision"), default="—")
    probability = tables.Column(_("Chance of redeeming"), attrs=_RIGHT, default="—")
    expected_cost = tables.Column(_("Expected cost"), attrs=_RIGHT, default="—")
    bought_target = tables.BooleanColumn(verbose_name=_("Buys the products"), null=True)
    discovery = tables.BooleanColumn(verbose_name=_("New to the category"), null=True)

    class Meta:
        empty_text = _("No member.")
        attrs = {"class": "table table-sm small"}

    def render_name(self, record) -> str:
        return f"{record['first_name']} {record['last_name']}".strip()

    def render_cell(self, value) -> str:
        return CELL_LABELS.get(value, value)

    def render_outcome(self, value) -> str:
        return Outcome(value).label

    def render_probability(self, value) -> str:
        return f"{value:.1%}"

    def render_expected_cost(self, value) -> str:
        return f"${value:,.2f}"

    def value_probability(self, value) -> str:
        return "" if value is None else f"{value:.4f}"

    def value_expected_cost(self, value) -> str:
        return "" if value is None else f"{value:.2f}"
