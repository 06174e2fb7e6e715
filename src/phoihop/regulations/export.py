"""A regulation's text tree as DOCX and PDF, laid out by Decree 30/2020/NĐ-CP.

`render_docx` (python-docx) and `render_pdf` (reportlab) lay a `RegulationTree` out on
A4 the same way, with the page geometry, fonts and page-number field of the review
report (`reviews.report`):

* a header table: the issuing agencies side by side (uppercase bold, a parent body above
  in plain uppercase when the name has two lines), each over its own "Số: 01/QCPH-CAT";
  under them the national title, the motto and the place and date in italics (with a
  single issuer: the agency on the left, the national title on the right);
* "QUY CHẾ" and the title, bold and centred, an optional "(Ban hành kèm theo …)";
* the body, 14 pt, justified: "Chương I" and the chapter's title in uppercase, "Mục 1"
  and the section's title in uppercase (bold, centred); one paragraph "Điều N. Title"
  (bold, as Decree 30 sets an article's heading); the article's text, its clauses
  "1. …" and points "a) …", one paragraph per line of text;
* the signature blocks side by side in a table (the lead issuer, the first, signs on the
  right, as in the review report), then "Nơi nhận:" and the recipients;
* page numbers at the top, centred, from page 2.

The paragraphs of the DOCX body (python-docx's `Document.paragraphs`, which leaves tables
out) are exactly: "QUY CHẾ", the title, the decision reference if any, then the structure
line by line, with no empty paragraph; the header, the rule under the title, the
signatures and the recipients are tables. The importer (`regulations/importer.py`) reads
those paragraphs back, so import → export → import gives the same tree.

The DOCX names Times New Roman, the font Decree 30 requires, whatever this machine has:
it is resolved where the file is opened (LibreOffice substitutes the metric-compatible
Liberation Serif). The PDF embeds the serif `reviews.report.serif_font_files` finds.

Pure: nothing is read from or written to the database. The document is always in
Vietnamese, whatever the language of the request.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _

from phoihop.core.text import nfc, roman
from phoihop.regulations.tree import ArticleNode, ChapterNode, RegulationTree

# The review report owns the Decree 30 page geometry, the font search and the DOCX page
# field; the regulation's export shares them rather than keeping a second copy.
from phoihop.reviews.report import (
    BODY_PT,
    FIRST_LINE_INDENT_MM,
    HEADER_LEFT_MM,
    LINE_SPACING,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    TEXT_WIDTH,
    docx_page_field,
    long_date,
    pdf_fonts,
    serif_font_files,
)

DOCX_FONT = "Times New Roman"
SMALL_PT = 13  # header lines, the section's title
TITLE_RULE_MM = 40  # the short line under the title
SIGN_SPACE_LINES = 4  # empty lines left for the signature and the seal


@dataclass
class Issuer:
    """An issuing agency: its name, its own number and symbol, its head's signing title."""

    name: str  # "CÔNG AN TỈNH HÀ GIANG"; "BỘ CÔNG AN\nCÔNG AN TỈNH HÀ GIANG" with a parent
    number_symbol: str  # "01/QCPH-CAT"
    head_title: str  # "GIÁM ĐỐC CÔNG AN TỈNH"; "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC" on two lines
    signer_name: str = ""


@dataclass
class ExportMeta:
    """What the document says around the tree: who issues it, where, when, to whom."""

    issuers: list[Issuer]  # the lead first
    place: str
    signed_on: dt.date | None
    recipients: list[str] = field(default_factory=list)  # "Như Điều 12;", "Lưu: VT."
    decision_ref: str = ""  # "Ban hành kèm theo Quyết định số …", shown under the title


# --- what both renderers lay out ------------------------------------------------------------

CHAPTER, CHAPTER_TITLE, SECTION, SECTION_TITLE, ARTICLE, BODY = (
    "chapter",
    "chapter-title",
    "section",
    "section-title",
    "article",
    "body",
)
CENTRED = frozenset({CHAPTER, CHAPTER_TITLE, SECTION, SECTION_TITLE})


@dataclass(frozen=True)
class _Line:
    kind: str
    text: str
    lead: str = ""  # the start of `text` set apart: an article's "Điều 1."


@dataclass(frozen=True)
class _Agency:
    parents: tuple[str, ...]  # plain uppercase lines above the name
    name: str  # uppercase
    number: str  # "Số: 01/QCPH-CAT"


@dataclass(frozen=True)
class _Signer:
    titles: tuple[str, ...]  # uppercase lines
    name: str


@dataclass(frozen=True)
class _Layout:
    agencies: tuple[_Agency, ...]
    nation: str
    motto: str
    place_date: str
    doc_type: str
    title: str
    decision_ref: str
    body: tuple[_Line, ...]
    signers: tuple[_Signer, ...]  # left to right
    recipients_label: str
    recipients: tuple[str, ...]
    meta_title: str
    meta_author: str
    meta_subject: str


def _lines(text: str) -> list[str]:
    """Non-empty lines, each in NFC without surrounding spaces."""
    return [line for line in (nfc(x) for x in nfc(text).splitlines()) if line]


def _numbered(label: str, text: str) -> list[_Line]:
    """A clause "1. …" or a point "a) …": its first line after the label, then the
    continuation lines as paragraphs of their own."""
    lines = _lines(text) or [""]
    first = f"{label} {lines[0]}".rstrip()
    return [_Line(BODY, first), *(_Line(BODY, line) for line in lines[1:])]


def _article(article: ArticleNode) -> list[_Line]:
    label = _("Điều %(n)s.") % {"n": article.number}
    title = nfc(" ".join(_lines(article.title)))
    out = [_Line(ARTICLE, f"{label} {title}".rstrip(), lead=label)]
    out += [_Line(BODY, line) for line in _lines(article.text)]
    for clause in article.clauses:
        out += _numbered(f"{clause.number}.", clause.text)
        for point in clause.points:
            out += _numbered(f"{nfc(point.letter)})", point.text)
    return out


def _chapter(chapter: ChapterNode) -> list[_Line]:
    out = [_Line(CHAPTER, _("Chương %(n)s") % {"n": roman(chapter.number)})]
    title = nfc(" ".join(_lines(chapter.title))).upper()
    if title:
        out.append(_Line(CHAPTER_TITLE, title))
    emitted: set[int] = set()

    def section(number: int, title: str) -> None:
        emitted.add(number)
        out.append(_Line(SECTION, _("Mục %(n)s") % {"n": number}))
        title = nfc(" ".join(_lines(title))).upper()
        if title:
            out.append(_Line(SECTION_TITLE, title))

    def sections_through(number: int | None) -> None:
        """The sections not yet shown, in their order, up to the one numbered `number`
        (all of them when None)."""
        for s in chapter.sections:
            if s.number in emitted:
                continue
            section(s.number, s.title)
            if s.number == number:
                return
        if number is not None and number not in emitted:
            section(number, "")  # an article in a section the chapter does not list

    for article in chapter.articles:
        if article.section is not None and article.section not in emitted:
            sections_through(article.section)
        out += _article(article)
    sections_through(None)
    return out


def _upper_lines(text: str) -> tuple[str, ...]:
    return tuple(line.upper() for line in _lines(text))


def _layout(tree: RegulationTree, meta: ExportMeta) -> _Layout:
    agencies, symbols = [], []
    for issuer in meta.issuers:
        names = _upper_lines(issuer.name) or ("",)
        number = nfc(issuer.number_symbol)
        if number.casefold().startswith("số"):
            number = nfc(number[2:].lstrip(" :"))
        symbols.append(number)
        agencies.append(
            _Agency(
                parents=names[:-1],
                name=names[-1],
                number=_("Số: %(n)s") % {"n": number or "……"},
            )
        )
    place = nfc(meta.place) or "……"
    if meta.signed_on:
        place_date = long_date(place, meta.signed_on)
    else:
        place_date = _("%(place)s, ngày …… tháng …… năm ……") % {"place": place}
    decision_ref = nfc(" ".join(_lines(meta.decision_ref)))
    if decision_ref and not decision_ref.startswith("("):
        decision_ref = f"({decision_ref})"
    body: list[_Line] = []
    for chapter in tree.chapters:
        body += _chapter(chapter)
    signers = [
        _Signer(
            titles=_upper_lines(i.head_title) or _upper_lines(i.name),
            name=nfc(i.signer_name),
        )
        for i in meta.issuers
    ]
    recipients = []
    for line in meta.recipients:
        line = nfc(line)
        if line:
            recipients.append(line if line.startswith(("-", "–")) else f"- {line}")
    title = nfc(tree.title)
    names = [" ".join(_lines(i.name)) for i in meta.issuers]
    return _Layout(
        agencies=tuple(agencies),
        nation=_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        motto=_("Độc lập - Tự do - Hạnh phúc"),
        place_date=place_date,
        doc_type=_("QUY CHẾ"),
        title=title,
        decision_ref=decision_ref,
        body=tuple(body),
        # Joint documents: the lead issuer signs on the right, the others to its left.
        signers=tuple(reversed(signers)),
        recipients_label=_("Nơi nhận:"),
        recipients=tuple(recipients),
        meta_title=title or _("Quy chế"),
        meta_author=", ".join(n for n in names if n),
        meta_subject=", ".join(s for s in symbols if s),
    )


# --- DOCX ------------------------------------------------------------------------------------


def render_docx(tree: RegulationTree, meta: ExportMeta) -> bytes:
    """The regulation as a .docx file, in Vietnamese."""
    with translation.override("vi"):
        return _render_docx(_layout(tree, meta))


def _render_docx(doc: _Layout) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    d = Document()
    section = d.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH), Mm(PAGE_HEIGHT)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP), Mm(MARGIN_BOTTOM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT), Mm(MARGIN_RIGHT)
    section.header_distance = section.footer_distance = Mm(10)
    section.different_first_page_header_footer = True  # no number on page 1

    normal = d.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(BODY_PT)
    r_pr = normal.element.get_or_add_rPr()
    rfonts = r_pr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), DOCX_FONT)
    lang = r_pr.makeelement(qn("w:lang"), {qn("w:val"): "vi-VN"})
    r_pr.append(lang)  # spelling and hyphenation in Vietnamese
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    d.core_properties.title = doc.meta_title
    d.core_properties.author = doc.meta_author
    d.core_properties.subject = doc.meta_subject
    d.core_properties.language = "vi-VN"

    center, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY
    left_align = WD_ALIGN_PARAGRAPH.LEFT

    def para(container, text="", *, size=BODY_PT, bold=False, italic=False, align=center):
        p = container.add_paragraph()
        p.alignment = align
        if text:
            run = p.add_run(text)
            run.font.size, run.bold, run.italic = Pt(size), bold, italic
        return p

    def first_para(cell, text, **kw):
        """The cell's first paragraph (a new cell has one, empty) set to `text`."""
        p = cell.paragraphs[0]
        if p.text or p.runs:
            return para(cell, text, **kw)
        p.alignment = kw.pop("align", center)
        run = p.add_run(text)
        run.font.size = Pt(kw.get("size", BODY_PT))
        run.bold, run.italic = kw.get("bold", False), kw.get("italic", False)
        return p

    def border(element, side: str) -> None:
        element.append(
            element.makeelement(
                qn(f"w:{side}"),
                {
                    qn("w:val"): "single",
                    qn("w:sz"): "6",
                    qn("w:space"): "1",
                    qn("w:color"): "000000",
                },
            )
        )

    def cell_rule(cell, indent_mm: float) -> None:
        """A short centred line in a cell: the bottom border of an empty paragraph."""
        p = cell.add_paragraph()
        p_pr = p._p.get_or_add_pPr()
        borders = p_pr.makeelement(qn("w:pBdr"), {})
        border(borders, "bottom")
        p_pr.append(borders)  # first: the schema wants w:pBdr before w:ind
        p.paragraph_format.left_indent = p.paragraph_format.right_indent = Mm(max(indent_mm, 0))
        p.add_run().font.size = Pt(2)

    def widths(table, mm_widths):
        table.autofit = False
        for column, w in zip(table.columns, mm_widths, strict=True):
            column.width = Mm(w)  # the grid, which LibreOffice follows
        for row in table.rows:
            for cell, w in zip(row.cells, mm_widths, strict=True):
                cell.width = Mm(w)

    def agency_cell(cell, agency: _Agency, width_mm: float) -> None:
        for line in agency.parents:
            first_para(cell, line, size=SMALL_PT)
        first_para(cell, agency.name, size=SMALL_PT, bold=True)
        cell_rule(cell, width_mm * 0.32)
        para(cell, agency.number, size=SMALL_PT).paragraph_format.space_before = Pt(6)

    def nation_cell(cell) -> None:
        first_para(cell, doc.nation, size=12, bold=True)
        motto = para(cell, size=SMALL_PT)
        run = motto.add_run(doc.motto)  # underlined: the line under the motto, as long as it
        run.font.size, run.bold, run.underline = Pt(SMALL_PT), True, True
        date = para(cell, doc.place_date, size=SMALL_PT, italic=True)
        date.paragraph_format.space_before = Pt(12)

    # Header: the agencies side by side over the national title; or, for one agency, the
    # agency on the left and the national title on the right.
    n = max(len(doc.agencies), 1)
    if len(doc.agencies) >= 2:
        header = d.add_table(rows=2, cols=n)
        header.alignment = WD_TABLE_ALIGNMENT.CENTER
        widths(header, [TEXT_WIDTH / n] * n)
        for cell, agency in zip(header.rows[0].cells, doc.agencies, strict=True):
            agency_cell(cell, agency, TEXT_WIDTH / n)
        national = header.cell(1, 0).merge(header.cell(1, n - 1))
        nation_cell(national)
        national.paragraphs[0].paragraph_format.space_before = Pt(12)
    else:
        header = d.add_table(rows=1, cols=2)
        header.alignment = WD_TABLE_ALIGNMENT.CENTER
        widths(header, (HEADER_LEFT_MM, TEXT_WIDTH - HEADER_LEFT_MM))
        left, right = header.rows[0].cells
        if doc.agencies:
            agency_cell(left, doc.agencies[0], HEADER_LEFT_MM)
        nation_cell(right)

    # Type and title; the rule under them is a one-cell table so that the body's
    # paragraphs hold no empty one.
    para(d, doc.doc_type, bold=True).paragraph_format.space_before = Pt(24)
    title = para(d, doc.title, bold=True)
    title.paragraph_format.keep_with_next = True
    if doc.decision_ref:
        para(d, doc.decision_ref, italic=True).paragraph_format.keep_with_next = True
    rule = d.add_table(rows=1, cols=1)
    rule.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths(rule, (TITLE_RULE_MM,))
    tc_pr = rule.cell(0, 0)._tc.get_or_add_tcPr()
    tc_borders = tc_pr.makeelement(qn("w:tcBorders"), {})
    border(tc_borders, "bottom")
    tc_pr.append(tc_borders)
    rule.cell(0, 0).paragraphs[0].add_run().font.size = Pt(1)

    # The body.
    for line in doc.body:
        p = d.add_paragraph()
        fmt = p.paragraph_format
        if line.kind in CENTRED:
            p.alignment = center
            run = p.add_run(line.text)
            run.bold = True
            run.font.size = Pt(SMALL_PT if line.kind == SECTION_TITLE else BODY_PT)
            fmt.keep_with_next = True
            fmt.space_before = Pt(12 if line.kind in (CHAPTER, SECTION) else 0)
            continue
        p.alignment = justify
        fmt.first_line_indent = Mm(FIRST_LINE_INDENT_MM)
        fmt.space_before = Pt(6)
        fmt.line_spacing = LINE_SPACING
        if line.kind == ARTICLE:
            p.add_run(line.lead).bold = True
            if rest := line.text[len(line.lead) :]:
                p.add_run(rest).bold = True
            fmt.keep_with_next = True
        else:
            p.add_run(line.text)
        for run in p.runs:
            run.font.size = Pt(BODY_PT)

    # Signatures side by side; under them, "Nơi nhận:" and the recipients.
    signers = doc.signers or (_Signer(titles=(), name=""),)
    k = len(signers)
    closing = d.add_table(rows=2, cols=k)
    closing.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths(closing, [TEXT_WIDTH / k] * k)
    for cell, signer in zip(closing.rows[0].cells, signers, strict=True):
        cell.paragraphs[0].paragraph_format.space_before = Pt(12)
        for line in signer.titles:
            first_para(cell, line, bold=True)
        for _i in range(SIGN_SPACE_LINES):
            para(cell)
        if signer.name:
            para(cell, signer.name, bold=True)
    received = closing.cell(1, 0).merge(closing.cell(1, k - 1))
    label = first_para(received, doc.recipients_label, size=12, bold=True, italic=True)
    label.alignment = left_align
    label.paragraph_format.space_before = Pt(12)
    for line in doc.recipients:
        para(received, line, size=11, align=left_align)
    for row in closing.rows:  # the signature block and the recipients are not split
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(tr_pr.makeelement(qn("w:cantSplit"), {}))

    # Page numbers: at the top, centred, from page 2 (the first page's header is empty).
    number = section.header.paragraphs[0]
    number.alignment = center
    docx_page_field(number, Pt(SMALL_PT))
    section.first_page_header.paragraphs[0].text = ""

    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------


def render_pdf(tree: RegulationTree, meta: ExportMeta) -> bytes:
    """The regulation as a PDF file with its font embedded, in Vietnamese."""
    with translation.override("vi"):
        return _render_pdf(_layout(tree, meta))


def _render_pdf(doc: _Layout) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import (
        HRFlowable,
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )
    from reportlab.platypus import Table as RLTable

    regular, bold, italic, bold_italic = pdf_fonts()
    width = TEXT_WIDTH * mm
    # DejaVu Serif sets about a quarter wider than Times New Roman: one point less keeps
    # the lines close to the DOCX's (13 pt is within Decree 30's range), as the report does.
    shrink = 1 if serif_font_files()[0] == "DejaVu Serif" else 0
    body_pt, small = BODY_PT - shrink, SMALL_PT - shrink

    def style(name, size=body_pt, font=regular, align=TA_CENTER, **kw):
        kw.setdefault("leading", size * 1.2)
        return ParagraphStyle(
            name, fontName=font, bulletFontName=font, fontSize=size, alignment=align, **kw
        )

    def table_style(*commands):
        # Cells default to Helvetica otherwise, which would then be listed in the file.
        return TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), regular),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                *commands,
            ]
        )

    def p(text, st):
        return Paragraph(escape(text), st)

    body = style(
        "body",
        align=TA_JUSTIFY,
        leading=body_pt * 1.2 * LINE_SPACING,
        firstLineIndent=FIRST_LINE_INDENT_MM * mm,
        spaceBefore=6,
    )
    article = ParagraphStyle("article", parent=body, fontName=bold, keepWithNext=1)
    chapter = style("chapter", body_pt, bold, spaceBefore=12, keepWithNext=1)
    chapter_title = style("chapter-title", body_pt, bold, keepWithNext=1)
    section_title = style("section-title", small, bold, keepWithNext=1)
    header_line = style("header-line", small)
    header_bold = style("header-bold", small, bold)

    def agency_cell(agency: _Agency) -> list:
        return [
            *(p(line, header_line) for line in agency.parents),
            p(agency.name, header_bold),
            Spacer(1, 5),
            HRFlowable(width="32%", thickness=0.6, color=colors.black),
            Spacer(1, 6),
            p(agency.number, header_line),
        ]

    def nation_cell(room: float) -> list:
        nation_pt = small - 1
        while nation_pt > 9 and stringWidth(doc.nation, bold, nation_pt) > room - 4:
            nation_pt -= 0.5
        return [
            p(doc.nation, style("nation", nation_pt, bold)),
            p(doc.motto, header_bold),
            Spacer(1, 2),
            HRFlowable(
                width=stringWidth(doc.motto, bold, small), thickness=0.6, color=colors.black
            ),
            Spacer(1, 10),
            p(doc.place_date, style("date", small, italic)),
        ]

    n = len(doc.agencies)
    if n >= 2:
        header = RLTable(
            [[agency_cell(a) for a in doc.agencies], [nation_cell(width)] + [""] * (n - 1)],
            colWidths=[width / n] * n,
        )
        header.setStyle(table_style(("SPAN", (0, 1), (-1, 1)), ("TOPPADDING", (0, 1), (-1, 1), 12)))
    else:
        left_w = HEADER_LEFT_MM * mm
        header = RLTable(
            [[agency_cell(doc.agencies[0]) if doc.agencies else "", nation_cell(width - left_w)]],
            colWidths=[left_w, width - left_w],
        )
        header.setStyle(table_style())
    story: list = [
        header,
        Spacer(1, 18),
        p(doc.doc_type, style("type", body_pt, bold)),
        p(doc.title, style("title", body_pt, bold)),
    ]
    if doc.decision_ref:
        story.append(p(doc.decision_ref, style("decision", body_pt, italic)))
    story.append(
        HRFlowable(
            width=TITLE_RULE_MM * mm, thickness=0.6, color=colors.black, spaceBefore=6, spaceAfter=6
        )
    )

    styles = {
        CHAPTER: chapter,
        CHAPTER_TITLE: chapter_title,
        SECTION: chapter,
        SECTION_TITLE: section_title,
        ARTICLE: article,
        BODY: body,
    }
    story += [p(line.text, styles[line.kind]) for line in doc.body]

    closing: list = [Spacer(1, 12)]
    if doc.signers:
        k = len(doc.signers)
        cells = [
            [
                *(p(t, style("signer", body_pt, bold)) for t in signer.titles),
                Spacer(1, 70),
                p(signer.name, style("signer-name", body_pt, bold)),
            ]
            for signer in doc.signers
        ]
        signatures = RLTable([cells], colWidths=[width / k] * k)
        signatures.setStyle(table_style())
        closing.append(signatures)
    recipients = style("recipients", 11 - shrink, align=TA_LEFT)
    closing += [
        Spacer(1, 12),
        p(doc.recipients_label, style("recipients-label", 12 - shrink, bold_italic, align=TA_LEFT)),
        *(p(line, recipients) for line in doc.recipients),
    ]
    story.append(KeepTogether(closing))

    def page_number(canvas, pdf):
        # From page 2: the number at the top, centred over the text.
        canvas.saveState()
        canvas.setFont(regular, small)
        canvas.drawCentredString(
            (MARGIN_LEFT + TEXT_WIDTH / 2) * mm, (PAGE_HEIGHT - 12) * mm, str(pdf.page)
        )
        canvas.restoreState()

    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN_LEFT * mm,
        rightMargin=MARGIN_RIGHT * mm,
        topMargin=MARGIN_TOP * mm,
        bottomMargin=MARGIN_BOTTOM * mm,
        title=doc.meta_title,
        author=doc.meta_author,
        subject=doc.meta_subject,
        creator="phoihop",
        lang="vi-VN",
        initialFontName=regular,  # not Helvetica: every font of the file is the embedded serif
        initialFontSize=body_pt,
    ).build(story, onLaterPages=page_number)
    return out.getvalue()
