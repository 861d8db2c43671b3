import django_tables2 as tables

from apps.jobs.models import Job


class JobTable(tables.Table):
    id = tables.Column(linkify=True, verbose_name="Job")
    percent = tables.TemplateColumn(
        '<div class="progress" style="min-width:8rem"><div class="progress-bar" '
        'style="width: {{ record.percent }}%">{{ record.percent }}%</div></div>',
        verbose_name="Progress",
        orderable=False,
    )

    class Meta:
        model = Job
        fields = ["id", "kind", "status", "percent", "message", "started_by", "created_at"]
