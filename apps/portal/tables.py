"""Page tables of the portal, built from report sections (published figures only)."""

from __future__ import annotations

from collections.abc import Callable

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext

from apps.portal.formatting import as_text
from apps.portal.sections import Section, Withheld

NUMBER_ATTRS = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"},
                "tf": {"class": "text-end text-nowrap"}}  # fmt: skip


class FigureColumn(tables.Column):
    """A published figure formatted by kind; 'withheld' in words; '—' for an empty cell."""

    def __init__(self, *, kind: str, **kwargs):
        self.kind = kind
        super().__init__(attrs=NUMBER_ATTRS, default="—", **kwargs)

    def render(self, value):
        if isinstance(value, Withheld):
            return format_html(
                '<span class="text-muted portal-withheld" title="{}">{}</span>',
                gettext(
                    "Its noisy count is under %(threshold)s members: withheld, and added into "
                    "the row of withheld figures"
                )
                % {"threshold": value.threshold},
                gettext("withheld"),
            )
        return as_text(value, self.kind)


class LabelColumn(tables.Column):
    def __init__(self, *, href: Callable[[dict], str | None] | None, **kwargs):
        self.href = href
        super().__init__(attrs={"td": {"class": "text-nowrap"}}, **kwargs)

    def render(self, value, record):
        url = self.href(record) if self.href else None
        return format_html('<a href="{}">{}</a>', url, value) if url else value


def section_table(
    section: Section,
    *,
    prefix: str,
    link: Callable[[dict], str | None] | None = None,
) -> tables.Table:
    """Return a django-tables2 table of the section: its total row is the footer, its row of
    withheld figures the last body row (the table then does not sort, to keep it last)."""
    total = section.total or {}
    columns = []
    for n, column in enumerate(section.columns):
        if n == 0:
            footer = total.get(column.key, "") if total else None
            columns.append(
                (column.key, LabelColumn(href=link, verbose_name=column.label, footer=footer))
            )
        else:
            text = as_text(total.get(column.key), column.kind) if total else None
            columns.append(
                (column.key, FigureColumn(kind=column.kind, verbose_name=column.label, footer=text))
            )
    rows = [*section.rows, *([section.other] if section.other else [])]
    return tables.Table(
        rows,
        extra_columns=columns,
        prefix=f"{prefix}-",
        orderable=section.sortable and not section.other,
        empty_text=gettext("No figures."),
        attrs={
            "class": "table table-sm table-striped table-hover portal-table"
            + (" portal-matrix" if section.matrix else "")
        },  # fmt: skip
    )
