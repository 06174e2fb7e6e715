"""The certificate of merit (giấy khen) of an approved nomination, as a PDF."""

from __future__ import annotations

import io

from django.utils import translation

from phoihop.awards.models import Nomination
from phoihop.reviews.report import long_date, pdf_fonts


def render_certificate(nomination: Nomination) -> bytes:
    """A4 landscape: national title, the awarding head, GIẤY KHEN, the nominee, the reason,
    the decision's number and date, place and date in italics, the signature line."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    regular, bold, italic, _bold_italic = pdf_fonts()
    width, height = landscape(A4)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"Giấy khen {nomination.decision_number}")
    agency = nomination.awarding_agency
    head = (agency.head_title or "Thủ trưởng").upper()
    centre = width / 2

    def line(text, font, size, y):
        pdf.setFont(font, size)
        pdf.drawCentredString(centre, y, text)

    with translation.override("vi"):
        place = agency.name.rsplit("tỉnh", 1)[-1].strip() or "Hà Giang"
        date_line = long_date(place, nomination.decision_date)
    pdf.setLineWidth(1.5)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold, 13, height - 30 * mm)
    line("Độc lập - Tự do - Hạnh phúc", bold, 13, height - 37 * mm)
    pdf.line(centre - 32 * mm, height - 39 * mm, centre + 32 * mm, height - 39 * mm)
    line(f"{head} {agency.name.upper()}", bold, 14, height - 52 * mm)
    line("TẶNG", bold, 14, height - 62 * mm)
    line("GIẤY KHEN", bold, 34, height - 80 * mm)
    line(nomination.nominee_label, bold, 22, height - 97 * mm)
    if nomination.nominee_user_id and nomination.nominee_user.position:
        line(nomination.nominee_user.position, regular, 14, height - 106 * mm)
    line(f"{nomination.nominee_agency.name}", regular, 14, height - 114 * mm)
    y = height - 128 * mm
    for part in _wrap(nomination.reason, 95):
        line(part, italic, 14, y)
        y -= 7 * mm
    line(
        f"Quyết định số {nomination.decision_number} ngày {nomination.decision_date:%d/%m/%Y}",
        regular,
        12,
        28 * mm,
    )
    pdf.setFont(italic, 13)
    pdf.drawCentredString(width * 0.72, 58 * mm, date_line)
    pdf.setFont(bold, 13)
    pdf.drawCentredString(width * 0.72, 51 * mm, head)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _wrap(text: str, limit: int) -> list[str]:
    words, lines, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > limit:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines[:4]
