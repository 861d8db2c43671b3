import django_tables2 as tables

from apps.campaigns.models import Campaign


class CampaignTable(tables.Table):
    name = tables.Column(linkify=True)
    category = tables.Column(order_by="category__name")
    status = tables.Column()
    valid_from = tables.DateColumn("Y-m-d", verbose_name="From")
    valid_until = tables.DateColumn("Y-m-d", verbose_name="Until")
    budget = tables.Column(attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}})
    agreement = tables.Column(verbose_name="Funding", default="—")

    class Meta:
        model = Campaign
        fields = ["name", "goal", "category", "status", "valid_from", "valid_until", "budget"]
        sequence = [*fields, "agreement"]
        empty_text = "No campaign yet: design the first one."

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
