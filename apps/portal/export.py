"""The portal's CSV export: the published figures of the page sections, one per line."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from apps.audit.exports import csv_writer
from apps.catalog.models import Category
from apps.portal.formatting import as_csv
from apps.portal.report import AgreementReport, Section

HEADER = [
    "manufacturer",
    "agreement",
    "period_start",
    "period_end",
    "section",
    "category",
    "row",
    "column",
    "value",
]


def section_lines(
    report: AgreementReport, sections: Iterable[tuple[Category | None, Section]]
) -> Iterator[list[str]]:
    """Yield one line per published figure: which table, row and column, and its value."""
    agreement = report.agreement
    fixed = [
        agreement.manufacturer.code,
        agreement.name,
        report.period.start.isoformat(),
        report.period.end.isoformat(),
    ]
    for category, section in sections:
        rows = [*section.rows, *([section.total] if section.total else [])]
        for row in rows:
            for column in section.columns[1:]:
                yield [
                    *fixed,
                    section.title,
                    category.name if category else "",
                    row["label"],
                    column.label,
                    as_csv(row[column.key], column.kind),
                ]


def write_csv(out, lines: Iterable[list[str]]) -> None:
    """Write the header and the lines to a text stream."""
    writer = csv_writer(out)
    writer.writerow(HEADER)
    writer.writerows(lines)
