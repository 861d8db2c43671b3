"""The portal's CSV export: the tables of the pages, one block per table, as released.

The file starts with one line about the release (HEADER, then its values), then each table:
a line with its title and how it is protected, a line with its column headers, its rows,
its total and its row of withheld figures, and a blank line. Headers say the unit ("($)");
a withheld figure says so in words in every column, money included. The page export and
`export_manufacturer_report` both write `report_lines`, so the two files are the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils.translation import gettext, pgettext_lazy

from apps.audit.exports import csv_writer
from apps.portal.formatting import as_csv
from apps.portal.report import Report
from apps.portal.sections import Section

# For people (no import reads the file back): in the language of the page or the command.
HEADER = [
    pgettext_lazy("report csv", "manufacturer"),
    pgettext_lazy("report csv", "agreement"),
    pgettext_lazy("report csv", "month"),
    pgettext_lazy("report csv", "first_day"),
    pgettext_lazy("report csv", "last_day"),
    pgettext_lazy("report csv", "released_at"),
    pgettext_lazy("report csv", "epsilon_spent"),
    pgettext_lazy("report csv", "privacy"),
]


def about_line(report: Report) -> list[str]:
    release = report.release
    return [
        report.agreement.manufacturer.code,
        report.agreement.name,
        report.period.key,
        report.period.start.isoformat(),
        report.period.end.isoformat(),
        release.released_at.isoformat(timespec="seconds"),
        str(release.epsilon),
        report.privacy_note,
    ]


def section_block(section: Section, *, category: str = "") -> Iterator[list[str]]:
    """Yield one table: title (and how it is protected), headers, rows, total, withheld row,
    and a blank line."""
    title = str(section.title)
    if category:
        title = gettext("%(category)s: %(table)s") % {"category": category, "table": title}
    yield [title, str(section.privacy)]
    yield [str(column.label) for column in section.columns]
    for row in [*section.rows, section.total, section.other]:
        if row:
            yield [
                str(row["label"]),
                *(as_csv(row.get(c.key), c.kind) for c in section.columns[1:]),
            ]
    yield []


def report_lines(
    report: Report, sections: Iterable[tuple[str, Section]], *, first: bool = True
) -> Iterator[list[str]]:
    """Yield a report's lines: its release line, then its tables (category name, section).

    A report after the first repeats HEADER, so that each reads on its own.
    """
    if not first:
        yield [str(name) for name in HEADER]
    yield about_line(report)
    yield []
    for category, section in sections:
        yield from section_block(section, category=category)


def write_csv(out, lines: Iterable[list[str]]) -> None:
    """Write the header and the lines to a text stream."""
    writer = csv_writer(out)
    writer.writerow([str(name) for name in HEADER])
    writer.writerows(lines)
