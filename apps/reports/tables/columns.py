"""The dashboard tables' columns (counts, shares, dollars, intervals in words) and look."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tables2.utils import Accessor

from apps.reports import wording

NUMBER = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}


class CountColumn(tables.Column):
    """A whole number with thousands separators on the page, plain in CSV."""

    attrs = NUMBER

    def render(self, value):
        return f"{value:,}"

    def value(self, value):
        return value


class PercentColumn(tables.Column):
    """A share as a percentage on the page (one decimal); the plain fraction in CSV."""

    attrs = NUMBER

    def render(self, value):
        return f"{100 * value:.1f}%"

    def value(self, value):
        return "" if value is None else f"{value:.6f}"


class PointsColumn(tables.Column):
    """A difference of shares, in percentage points."""

    attrs = NUMBER

    def render(self, value):
        return f"{100 * value:+.1f} pts"

    def value(self, value):
        return "" if value is None else f"{value:.6f}"


class DollarsColumn(tables.Column):
    """Float dollars (means, differences, bounds): two decimals, signed where asked."""

    attrs = NUMBER

    def __init__(self, *args, signed: bool = False, **kwargs):
        self.signed = signed
        super().__init__(*args, **kwargs)

    def render(self, value):
        text = f"{abs(value):,.2f}"
        sign = "−" if value < 0 else ("+" if self.signed else "")
        return f"{sign}${text}"

    def value(self, value):
        return "" if value is None else f"{value:.2f}"


class RatioColumn(tables.Column):
    """A ratio such as ROI, as a percentage without decimals."""

    attrs = NUMBER

    def render(self, value):
        return f"{100 * value:+,.0f}%"

    def value(self, value):
        return "" if value is None else f"{value:.4f}"


class IntervalColumn(tables.Column):
    """A 95 % interval in words, interval first: "between −$0.51 and +$1.26 (best estimate
    +$0.37)", with "significant" or "not yet significant" under it (and the p-value where
    there is one). CSV has the bounds, the estimate and the verdict in their own columns.

    Its accessor names a `LiftInterval` of the row; `p_value` the row's p-value, if any."""

    # Wide enough for "between −$1.40 and +$3.12 (best estimate +$0.86)" on two lines.
    attrs = {
        "td": {"class": "text-end", "style": "min-width: 14rem"},
        "th": {"class": "text-end"},
    }

    def __init__(self, *args, kind: str, p_value: str | None = None, **kwargs):
        self.kind, self.p_value = kind, p_value
        kwargs.setdefault("verbose_name", "95% CI")
        super().__init__(
            *args, empty_values=(), orderable=False, exclude_from_export=True, **kwargs
        )

    def render(self, value, record):
        said = wording.interval(self.kind, value.low, value.high, value.estimate)
        significant = value.verdict.significant
        if significant is None:
            return said
        too_few = value.verdict.too_few
        p_value = Accessor(self.p_value).resolve(record) if self.p_value else None
        if p_value is not None:
            p_text = "p < 0.001" if p_value < 0.001 else f"p = {p_value:.2f}"
        else:
            p_text = ""
        notes = [str(wording.TOO_FEW)] if too_few else []
        notes += [p_text] if p_text else []
        return format_html(
            '<div>{}</div><span class="badge {}">{}</span>{}',
            said,
            "text-bg-dark" if significant else "text-bg-light border",
            wording.verdict(significant),
            format_html('<div class="text-muted small">{}</div>', "; ".join(notes))
            if notes
            else "",
        )


class VerdictColumn(tables.Column):
    """'significant' / 'not yet significant' in plain words (the CSV's column; hidden on the
    page, where the interval cell says it). Its accessor names a `Verdict` of the row."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("visible", False)
        super().__init__(*args, empty_values=(), orderable=False, **kwargs)

    def render(self, value):
        return self.value(value)

    def value(self, value):
        return wording.verdict(value.significant, value.too_few)


class NeededColumn(tables.Column):
    """The audience a not-yet-significant lift needs, in words (CSV: the numbers). Its
    accessor names a `Verdict` of the row."""

    attrs = {"td": {"class": "text-end small"}, "th": {"class": "text-end"}}

    def __init__(self, *args, **kwargs):
        super().__init__(
            *args, empty_values=(), orderable=False, exclude_from_export=True, **kwargs
        )

    def render(self, value):
        if value.significant:
            return "already clear"
        text = wording.members_needed(value.members_needed, value.more_members_needed)
        return text or "—"


class DashboardTable(tables.Table):
    """Shared look; passed to __init__ because subclasses without a Meta do not inherit one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_text", _("Nothing for these filters yet."))
        kwargs.setdefault("attrs", {"class": "table table-sm table-striped table-hover small mb-0"})
        super().__init__(*args, **kwargs)
