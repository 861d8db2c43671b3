"""A list's rebate certificates and birthday line, drawn on the PDF (the page has the same).

Each open certificate of the member (apps.rewards.certificates) prints with its value, its
last day and a Code128 barcode of its code, which the till scans like the list's own.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader

from apps.core.dates import local_date
from apps.lists.barcodes import barcode_png, barcode_svg
from apps.lists.fonts import HELVETICA, ListFonts


def birthday_text(points: int | None) -> str:
    """The list's birthday line, or "" when the period holds no gift for the member."""
    if not points:
        return ""
    return ngettext(
        "Happy birthday! %(points)s point is yours.",
        "Happy birthday! %(points)s points are yours.",
        points,
    ) % {"points": f"{points:,}"}


def certificate_rows(certificates) -> list[tuple]:
    """(certificate, its barcode as SVG) for the page."""
    return [(c, barcode_svg(c.code)) for c in certificates]


def draw_birthday(pdf, text: str, *, x: float, y: float, fonts: ListFonts = HELVETICA) -> float:
    """Draw the birthday line at y; return where the next line goes."""
    if not text:
        return y
    pdf.setFont(fonts.bold, 12)
    pdf.drawString(x, y, text)
    return y - 0.35 * inch


def draw_certificates(
    pdf, certificates, *, width: float, height: float, y: float, fonts: ListFonts = HELVETICA
) -> float:
    """Draw the section of certificates from y down (a new page when one does not fit)."""
    if not certificates:
        return y
    y -= 0.1 * inch
    pdf.setFont(fonts.bold, 12)
    pdf.drawString(0.75 * inch, y, _("Your rebate certificates"))
    y -= 0.2 * inch
    for certificate in certificates:
        if y < 1.4 * inch:
            pdf.showPage()
            y = height - 0.9 * inch
        image = ImageReader(io.BytesIO(barcode_png(certificate.code, height_px=90)))
        pdf.drawImage(image, 0.95 * inch, y - 0.5 * inch, 2.4 * inch, 0.5 * inch)
        pdf.setFont("Helvetica", 8)
        pdf.drawCentredString(2.15 * inch, y - 0.65 * inch, certificate.code)
        pdf.setFont(fonts.bold, 11)
        pdf.drawString(
            3.6 * inch,
            y - 0.22 * inch,
            _("$%(value)s off your shopping") % {"value": certificate.value},
        )
        pdf.setFont(fonts.regular, 9)
        day = certificate.valid_until
        pdf.drawString(
            3.6 * inch,
            y - 0.42 * inch,
            _("Use it by %(day)s.") % {"day": local_date(day, "M j, Y")},
        )
        y -= 0.9 * inch
    return y
