"""A list as a one-page PDF (reportlab), with the same barcode image as the page."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import letter
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from apps.core.dates import local_date
from apps.core.money import format_money
from apps.lists.barcodes import barcode_png
from apps.lists.certificates import birthday_text, draw_birthday, draw_certificates
from apps.lists.fonts import ListFonts, fit, list_fonts

KIND_TITLES = {
    "offer": gettext_lazy("Your offers"),
    "due": gettext_lazy("Time to stock up"),
    "reward": gettext_lazy("Your rewards"),
    "content": gettext_lazy("For you"),
}


def points_text(shopping_list, points) -> str:
    """The list's line about points (apps.lists.selectors.list_points), or "" without any."""
    if points is None or (points.balance == 0 and not points.expiring):
        return ""
    start = shopping_list.period_start
    text = _("Your points on %(day)s: %(balance)s.") % {
        "day": local_date(start, "M j"),
        "balance": f"{points.balance:,}",
    }
    if points.expiring:
        day = points.expiring[0][0]
        if len(points.expiring) > 1:
            last = points.expiring[-1][0]
            text += " " + _(
                "%(points)s expire after %(day)s, %(more)s more by %(last)s: spend them before."
            ) % {
                "points": f"{points.expiring[0][1]:,}",
                "day": local_date(day, "M j"),
                "more": f"{points.expiring_total - points.expiring[0][1]:,}",
                "last": local_date(last, "M j"),
            }
        else:
            text += " " + _("%(points)s expire after %(day)s: spend them before.") % {
                "points": f"{points.expiring[0][1]:,}",
                "day": local_date(day, "M j"),
            }
    return text


def tier_text(shopping_list, points) -> str:
    """The list's line about the member's tier and what is left to spend to reach the next,
    from the same reading as the points (the 12 months before the period), or ""."""
    tier = getattr(points, "tier", None)
    if tier is None:
        return ""
    day = shopping_list.period_start - dt.timedelta(days=1)
    text = _("%(tier)s: %(spend)s spent in the 12 months to %(day)s.") % {
        "tier": tier.name,
        "spend": format_money(tier.spend),
        "day": local_date(day, "M j"),
    }
    if tier.next_name is not None:
        text += " " + _("Spend %(more)s more to reach %(next)s.") % {
            "more": format_money(tier.more),
            "next": tier.next_name,
        }
    return text


def list_pdf(shopping_list, points=None, certificates=(), birthday=None) -> bytes:
    """Render the list with its items, barcode, points line, birthday gift and rebate
    certificates to PDF bytes, in the member's language (and a font that has its glyphs),
    whoever asks for it."""
    language = shopping_list.member.language
    with translation.override(language):
        return _list_pdf(shopping_list, points, certificates, birthday, list_fonts(language))


def _list_pdf(shopping_list, points, certificates, birthday, fonts: ListFonts) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=letter, pageCompression=1)
    width, height = letter
    text_width = width - 1.5 * inch
    member = shopping_list.member
    pdf.setTitle(_("Shopping list %(barcode)s") % {"barcode": shopping_list.barcode})
    pdf.setFont(fonts.bold, 16)
    pdf.drawString(
        0.75 * inch,
        height - 0.9 * inch,
        _("Your shopping list, %(name)s") % {"name": member.display_name},
    )
    pdf.setFont(fonts.regular, 10)
    pdf.drawString(
        0.75 * inch,
        height - 1.15 * inch,
        _("Card %(card)s · valid %(start)s to %(end)s")
        % {
            "card": member.card_number,
            "start": local_date(shopping_list.period_start, "M d"),
            "end": local_date(shopping_list.last_day, "M d, Y"),
        }
        + shopping_list.version_text,
    )
    line = points_text(shopping_list, points)
    if line:
        pdf.setFont(fonts.bold, 10)
        pdf.drawString(
            0.75 * inch, height - 1.4 * inch, fit(line, fonts, fonts.bold, 10, text_width, 95)
        )
    tier_line = tier_text(shopping_list, points)
    if tier_line:
        pdf.setFont(fonts.regular, 10)
        pdf.drawString(
            0.75 * inch,
            height - 1.65 * inch,
            fit(tier_line, fonts, fonts.regular, 10, text_width, 95),
        )
    image = ImageReader(io.BytesIO(barcode_png(shopping_list.barcode)))
    pdf.drawImage(image, width - 3.4 * inch, height - 1.35 * inch, 2.6 * inch, 0.65 * inch)
    pdf.setFont("Helvetica", 8)
    pdf.drawCentredString(width - 2.1 * inch, height - 1.5 * inch, shopping_list.barcode)
    y = height - 1.9 * inch
    y = draw_birthday(pdf, birthday_text(birthday), x=0.75 * inch, y=y, fonts=fonts)
    current = None
    for item in shopping_list.sorted_items:
        if y < 0.9 * inch:
            pdf.showPage()
            y = height - 0.9 * inch
        if item.kind != current:
            current = item.kind
            y -= 0.1 * inch
            pdf.setFont(fonts.bold, 12)
            pdf.drawString(0.75 * inch, y, str(KIND_TITLES[item.kind]))
            y -= 0.25 * inch
        pdf.setFont(fonts.regular, 10)
        right = " · ".join(
            part
            for part in (
                f"${item.regular_price}" if item.regular_price is not None else "",
                item.discount_text,
                _("until %(day)s") % {"day": local_date(item.valid_until, "M d")}
                if item.valid_until
                else "",
            )
            if part
        )
        if fonts.cjk:
            # The CJK font has no ☐: a drawn box, then the description up to the right column.
            pdf.rect(0.95 * inch, y - 1, 8, 8)
            room = width - 1.9 * inch - pdf.stringWidth(right, fonts.regular, 10) - 12
            pdf.drawString(
                0.95 * inch + 12, y, fit(item.description, fonts, fonts.regular, 10, room, 88)
            )
        else:
            pdf.drawString(0.95 * inch, y, f"☐ {item.description}"[:90])
        pdf.drawRightString(width - 0.75 * inch, y, right)
        # The offer's text for shoppers, a reward's coupons, a tip: what the page shows too.
        if item.body:
            y -= 0.18 * inch
            pdf.setFont(fonts.oblique, 9)
            pdf.drawString(
                1.1 * inch, y, fit(item.body, fonts, fonts.oblique, 9, width - 1.85 * inch, 110)
            )
        y -= 0.24 * inch
    y = draw_certificates(pdf, certificates, width=width, height=height, y=y, fonts=fonts)
    pdf.showPage()
    pdf.save()
    return out.getvalue()
