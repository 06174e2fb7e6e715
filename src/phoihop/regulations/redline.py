"""The redline between two versions of a regulation, article by article and clause by clause.

`redline(old, new)` compares two `RegulationTree`s and says, for every article, whether it
was added, removed, changed, left unchanged or moved (renumbered), with its title, its
opening text and each of its clauses compared word by word into segments that are equal,
inserted or deleted. A clause's points ("a) …") are compared as lines of the clause's text.

Articles are matched:

1. by number where the title is the same (the usual case: most articles stay put);
2. among the rest, by a highly similar title or text (`difflib` over words), whatever the
   number: an article inserted or removed before them renumbers the ones after, and those
   are "moved", not "removed" and "added"; the closest numbers win ties;
3. what is left with the same number on both sides is the same article rewritten
   ("sửa đổi toàn bộ Điều N"); the rest was added or removed.

Clauses are matched by number inside a matched article.

The result is plain data for the page (`redline_views`) and the DOCX annex
(`render_redline_docx`); nothing here reads the database except `redline_between`, which
reads the two saved versions.
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phoihop.core.text import nfc
from phoihop.regulations.export import DOCX_FONT
from phoihop.regulations.selectors import regulation_as_tree
from phoihop.regulations.tree import (
    ArticleNode,
    ClauseNode,
    RegulationTree,
)
from phoihop.reviews.report import (
    BODY_PT,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    TEXT_WIDTH,
    docx_page_field,
)

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
ADDED, REMOVED, CHANGED, UNCHANGED, MOVED = "added", "removed", "changed", "unchanged", "moved"

STATUS_LABELS = {
    ADDED: gettext_lazy("Bổ sung"),
    REMOVED: gettext_lazy("Bãi bỏ"),
    CHANGED: gettext_lazy("Sửa đổi"),
    UNCHANGED: gettext_lazy("Giữ nguyên"),
    MOVED: gettext_lazy("Đánh số lại"),
}

# How alike two articles must be (difflib's ratio over their words) to be the same article
# under another number: a title nearly the same, or a text mostly the same.
TITLE_SIMILAR = 0.75
TEXT_SIMILAR = 0.6

# A word, or one punctuation mark, with the whitespace after it: "dịch." → "dịch", ".", so
# that adding ", biên dịch" after a word does not count the word as changed.
_TOKEN = re.compile(r"(?:\w+|[^\w\s])\s*")
_WORD = re.compile(r"\w+")


# --- the result -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    op: str  # EQUAL, INSERT or DELETE
    text: str  # words with the whitespace after them, line breaks included

    @property
    def is_insert(self) -> bool:
        return self.op == INSERT

    @property
    def is_delete(self) -> bool:
        return self.op == DELETE


@dataclass(frozen=True)
class TextDiff:
    """One text in both versions, as segments; the old text is the equal and deleted ones,
    the new text the equal and inserted ones."""

    segments: tuple[Segment, ...] = ()

    @property
    def changed(self) -> bool:
        return any(s.op != EQUAL for s in self.segments)

    @property
    def old(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.op != INSERT)

    @property
    def new(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.op != DELETE)

    @property
    def old_text(self) -> str:
        return "".join(s.text for s in self.old)

    @property
    def new_text(self) -> str:
        return "".join(s.text for s in self.new)

    def __bool__(self) -> bool:
        return bool(self.segments)


@dataclass(frozen=True)
class ClauseDiff:
    old_number: int | None
    new_number: int | None
    status: str  # ADDED, REMOVED, CHANGED or UNCHANGED
    text: TextDiff  # the clause's text with its points, one per line

    @property
    def number(self) -> int:
        return self.new_number if self.new_number is not None else self.old_number  # type: ignore[return-value]

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass(frozen=True)
class ArticleDiff:
    old_number: int | None
    new_number: int | None
    status: str  # ADDED, REMOVED, CHANGED, UNCHANGED or MOVED
    title: TextDiff
    text: TextDiff  # the opening text, before the clauses (or the whole text without them)
    clauses: tuple[ClauseDiff, ...]

    @property
    def number(self) -> int:
        return self.new_number if self.new_number is not None else self.old_number  # type: ignore[return-value]

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def content_changed(self) -> bool:
        """Whether any word changed (a moved article may keep its words)."""
        return (
            self.title.changed
            or self.text.changed
            or any(c.status != UNCHANGED for c in self.clauses)
        )

    @property
    def changed_clauses(self) -> tuple[ClauseDiff, ...]:
        return tuple(c for c in self.clauses if c.status != UNCHANGED)

    @property
    def label(self) -> str:
        """ "Điều 6"; "Điều 6 (Điều 5 cũ)" for a renumbered one, "Điều 4 (cũ)" for a removed
        one, whose number is the old version's."""
        if self.status == MOVED:
            return _("Điều %(n)s (Điều %(old)s cũ)") % {"n": self.number, "old": self.old_number}
        if self.status == REMOVED:
            return _("Điều %(n)s (cũ)") % {"n": self.number}
        return _("Điều %(n)s") % {"n": self.number}


@dataclass(frozen=True)
class Redline:
    title: TextDiff  # the regulation's title
    articles: tuple[ArticleDiff, ...]

    def count(self, status: str) -> int:
        return sum(1 for a in self.articles if a.status == status)

    @property
    def counts(self) -> dict[str, int]:
        """Articles changed (renumbered ones whose words changed included), added, removed,
        renumbered and left as they were; clauses changed, added and removed within the
        articles both versions have (an added article's clauses count with the article)."""
        clauses = [c for a in self.articles if a.status not in (ADDED, REMOVED) for c in a.clauses]
        return {
            "changed": sum(
                1
                for a in self.articles
                if a.status == CHANGED or (a.status == MOVED and a.content_changed)
            ),
            "added": self.count(ADDED),
            "removed": self.count(REMOVED),
            "moved": self.count(MOVED),
            "unchanged": self.count(UNCHANGED),
            "clauses_changed": sum(1 for c in clauses if c.status == CHANGED),
            "clauses_added": sum(1 for c in clauses if c.status == ADDED),
            "clauses_removed": sum(1 for c in clauses if c.status == REMOVED),
        }

    @property
    def changed(self) -> bool:
        return self.title.changed or any(a.status != UNCHANGED for a in self.articles)

    @property
    def differing(self) -> tuple[ArticleDiff, ...]:
        """The articles that are not exactly as they were."""
        return tuple(a for a in self.articles if a.status != UNCHANGED)

    @property
    def unchanged(self) -> tuple[ArticleDiff, ...]:
        return tuple(a for a in self.articles if a.status == UNCHANGED)


# --- comparing texts ------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    """Words and punctuation marks, each with the whitespace after it: joined, they give
    the text back."""
    return _TOKEN.findall(nfc(text or "").strip())


def diff_text(old: str, new: str) -> TextDiff:
    """`old` → `new` word by word; runs of one kind merged into one segment."""
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(
        None, [t.strip() for t in a], [t.strip() for t in b], autojunk=False
    )
    out: list[Segment] = []

    def add(op: str, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if out and out[-1].op == op:
            out[-1] = Segment(op, out[-1].text + text)
        else:
            out.append(Segment(op, text))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add(EQUAL, b[j1:j2])  # the new version's spacing and line breaks
        else:
            add(DELETE, a[i1:i2])
            add(INSERT, b[j1:j2])
    return TextDiff(tuple(out))


def clause_text(clause: ClauseNode) -> str:
    """The clause's text and its points, one point a line: "a) …"."""
    lines = [nfc(clause.text).strip()]
    lines += [f"{nfc(p.letter)}) {nfc(p.text).strip()}" for p in clause.points]
    return "\n".join(line for line in lines if line)


def _article_text(article: ArticleNode) -> str:
    return "\n".join([article.text, *(clause_text(c) for c in article.clauses)])


def _words(text: str) -> list[str]:
    return _WORD.findall(nfc(text).casefold())


def _ratio(a: list[str], b: list[str], floor: float) -> float:
    """difflib's ratio of two word lists, or 0 when it cannot reach `floor` (checked cheaply
    first) or either is empty."""
    if not a or not b:
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
        return 0.0
    return matcher.ratio()


# --- matching articles -------------------------------------------------------------------------


def _match_articles(
    old: list[ArticleNode], new: list[ArticleNode]
) -> list[tuple[ArticleNode | None, ArticleNode | None]]:
    """Pairs (old, new) in the new version's order, removed articles after the one before
    them in the old version; an unmatched side is None."""
    pairs: dict[int, int] = {}  # index in old → index in new
    titles_old = [_words(a.title) for a in old]
    titles_new = [_words(a.title) for a in new]

    # 1. Same number, same title.
    by_number = {a.number: j for j, a in enumerate(new)}
    for i, article in enumerate(old):
        j = by_number.get(article.number)
        if j is not None and titles_old[i] and titles_old[i] == titles_new[j]:
            pairs[i] = j

    # 2. The best remaining pairs by similar title or text, the closest numbers first.
    free_new = [j for j in range(len(new)) if j not in pairs.values()]
    texts_new = {j: _words(_article_text(new[j])) for j in free_new}
    candidates = []
    for i in (i for i in range(len(old)) if i not in pairs):
        text_old = _words(_article_text(old[i]))
        for j in free_new:
            title = _ratio(titles_old[i], titles_new[j], TITLE_SIMILAR)
            text = _ratio(text_old, texts_new[j], TEXT_SIMILAR)
            score = max(title if title >= TITLE_SIMILAR else 0, text if text >= TEXT_SIMILAR else 0)
            if score:
                distance = abs(old[i].number - new[j].number)
                candidates.append((-score, distance, i, j))
    taken_new = set(pairs.values())
    for _score, _distance, i, j in sorted(candidates):
        if i not in pairs and j not in taken_new:
            pairs[i] = j
            taken_new.add(j)

    # 3. The same number left on both sides: the article rewritten.
    free_by_number = {new[j].number: j for j in range(len(new)) if j not in taken_new}
    for i, article in enumerate(old):
        if i not in pairs and article.number in free_by_number:
            j = free_by_number.pop(article.number)
            pairs[i] = j
            taken_new.add(j)

    matched_old = {j: i for i, j in pairs.items()}
    ordered: list[tuple[ArticleNode | None, ArticleNode | None]] = [
        (old[matched_old[j]] if j in matched_old else None, article)
        for j, article in enumerate(new)
    ]
    # Removed articles go after the nearest matched article before them in the old order.
    for i in (i for i in range(len(old)) if i not in pairs):
        before = max((k for k in pairs if k < i), default=None)
        at = 0
        if before is not None:
            at = next(n for n, (o, _new) in enumerate(ordered) if o is old[before]) + 1
        while at < len(ordered) and ordered[at][1] is None:  # after the removed ones there
            at += 1
        ordered.insert(at, (old[i], None))
    return ordered


def _clauses(old: ArticleNode | None, new: ArticleNode | None) -> tuple[ClauseDiff, ...]:
    before = {c.number: c for c in (old.clauses if old else [])}
    after = {c.number: c for c in (new.clauses if new else [])}
    out = []
    for number in sorted(set(before) | set(after)):
        o, n = before.get(number), after.get(number)
        text = diff_text(clause_text(o) if o else "", clause_text(n) if n else "")
        if o is None:
            status = ADDED
        elif n is None:
            status = REMOVED
        else:
            status = CHANGED if text.changed else UNCHANGED
        out.append(
            ClauseDiff(
                old_number=o.number if o else None,
                new_number=n.number if n else None,
                status=status,
                text=text,
            )
        )
    return tuple(out)


def _article(old: ArticleNode | None, new: ArticleNode | None) -> ArticleDiff:
    title = diff_text(old.title if old else "", new.title if new else "")
    text = diff_text(old.text if old else "", new.text if new else "")
    clauses = _clauses(old, new)
    if old is None:
        status = ADDED
    elif new is None:
        status = REMOVED
    elif old.number != new.number:
        status = MOVED
    elif title.changed or text.changed or any(c.status != UNCHANGED for c in clauses):
        status = CHANGED
    else:
        status = UNCHANGED
    return ArticleDiff(
        old_number=old.number if old else None,
        new_number=new.number if new else None,
        status=status,
        title=title,
        text=text,
        clauses=clauses,
    )


def redline(old: RegulationTree, new: RegulationTree) -> Redline:
    """What changed from `old` to `new`, article by article and clause by clause."""
    pairs = _match_articles(old.articles(), new.articles())
    return Redline(
        title=diff_text(old.title, new.title),
        articles=tuple(_article(o, n) for o, n in pairs),
    )


# --- saved versions ------------------------------------------------------------------------------


def redline_between(old, new) -> Redline:
    """The redline of two saved versions (`Regulation` rows): ten queries."""
    return redline(regulation_as_tree(old), regulation_as_tree(new))


# --- the DOCX annex ----------------------------------------------------------------------------

DELETED_RGB = (0xC0, 0x00, 0x00)  # struck through, red
INSERTED_RGB = (0x00, 0x33, 0xCC)  # underlined, blue
TABLE_PT = 12
LABEL_MM = 28  # the "Điều, khoản" column; the old and new texts share the rest


@dataclass(frozen=True)
class AnnexMeta:
    """What the annex says about the two versions it compares."""

    title: str  # the regulation's title (the newer version's)
    old_label: str  # "Quy chế số 01/QCPH-CAT-SNgV ngày 02/12/2008"
    new_label: str


def render_redline_docx(diff: Redline, meta: AnnexMeta) -> bytes:
    """The redline as a DOCX annex: "PHỤ LỤC", "BẢNG SO SÁNH …", then a three-column table
    (article or clause, old text, new text) of what differs, deletions struck through in
    red in the old column and insertions underlined in blue in the new one. A4 with Decree
    30's margins and font, as the regulation's own export. Always in Vietnamese."""
    with translation.override("vi"):
        return _render_docx(diff, meta)


def _render_docx(diff: Redline, meta: AnnexMeta) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

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
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), DOCX_FONT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    heading = _("PHỤ LỤC: BẢNG SO SÁNH %(title)s") % {"title": nfc(meta.title).upper()}
    d.core_properties.title = heading
    d.core_properties.language = "vi-VN"

    center = WD_ALIGN_PARAGRAPH.CENTER

    def para(container, text="", *, size=BODY_PT, bold=False, italic=False, align=center):
        p = container.add_paragraph()
        p.alignment = align
        if text:
            run = p.add_run(text)
            run.font.size, run.bold, run.italic = Pt(size), bold, italic
        return p

    para(d, _("PHỤ LỤC"), bold=True)
    para(d, _("BẢNG SO SÁNH %(title)s") % {"title": nfc(meta.title).upper()}, bold=True)
    para(
        d,
        _("(Kèm theo %(new)s; đối chiếu với %(old)s)")
        % {"new": meta.new_label, "old": meta.old_label},
        italic=True,
    )
    summary = para(d, summary_sentence(diff), align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    summary.paragraph_format.space_before = Pt(12)
    legend = para(d, size=TABLE_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    legend.paragraph_format.space_before = Pt(6)
    legend.paragraph_format.space_after = Pt(6)
    for text, style in (
        (_("Ghi chú: "), None),
        (_("chữ gạch ngang"), DELETE),
        (_(" là nội dung bị bỏ; "), None),
        (_("chữ gạch chân"), INSERT),
        (_(" là nội dung sửa đổi, bổ sung."), None),
    ):
        run = legend.add_run(text)
        run.font.size, run.italic = Pt(TABLE_PT), True
        _style_run(run, style, RGBColor)

    columns = (_("Điều, khoản"), _("Văn bản cũ"), _("Văn bản mới"))
    rows = list(_annex_rows(diff))
    table = d.add_table(rows=1 + max(len(rows), 1), cols=3)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    side = (TEXT_WIDTH - LABEL_MM) / 2
    for column, w in zip(table.columns, (LABEL_MM, side, side), strict=True):
        column.width = Mm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, (LABEL_MM, side, side), strict=True):
            cell.width = Mm(w)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeats
    for cell, text in zip(table.rows[0].cells, columns, strict=True):
        p = cell.paragraphs[0]
        p.alignment = center
        run = p.add_run(text)
        run.font.size, run.bold = Pt(TABLE_PT), True
    if not rows:
        merged = table.cell(1, 0).merge(table.cell(1, 2))
        run = merged.paragraphs[0].add_run(_("Hai phiên bản có nội dung giống nhau."))
        run.font.size, run.italic = Pt(TABLE_PT), True
    for r, (label, old_parts, new_parts) in enumerate(rows, start=1):
        cells = table.rows[r].cells
        run = cells[0].paragraphs[0].add_run(label)
        run.font.size, run.bold = Pt(TABLE_PT), True
        for cell, parts in ((cells[1], old_parts), (cells[2], new_parts)):
            _fill_cell(cell, parts, Pt, RGBColor)

    number = section.header.paragraphs[0]
    number.alignment = center
    docx_page_field(number, Pt(13))
    section.first_page_header.paragraphs[0].text = ""

    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


# A cell's content: paragraphs, each a list of (text, style) with style None, INSERT, DELETE
# or "note" (an italic remark such as "(không có)").
_Part = tuple[str, str | None]
NOTE = "note"


def _annex_rows(diff: Redline):
    """(label, old cell, new cell) for each differing article and clause."""
    if diff.title.changed:
        yield (
            _("Tên quy chế"),
            [_segments_parts(diff.title.old)],
            [_segments_parts(diff.title.new)],
        )
    for article in diff.differing:
        old_cell = _article_cell(article, old=True)
        new_cell = _article_cell(article, old=False)
        yield article.label, old_cell, new_cell
        if article.status in (ADDED, REMOVED) or article.content_changed:
            for clause in article.changed_clauses:
                label = _("Khoản %(k)s Điều %(n)s") % {"k": clause.number, "n": article.number}
                if article.status == REMOVED:
                    label += " " + _("(cũ)")
                yield label, _clause_cell(clause, old=True), _clause_cell(clause, old=False)


def _article_cell(article: ArticleDiff, *, old: bool) -> list[list[_Part]]:
    if (old and article.status == ADDED) or (not old and article.status == REMOVED):
        return [[(_("(không có)") if old else _("(bãi bỏ)"), NOTE)]]
    number = article.old_number if old else article.new_number
    title = article.title.old if old else article.title.new
    head: list[_Part] = [(_("Điều %(n)s. ") % {"n": number}, None)]
    paragraphs = [head + _segments_parts(title)]
    text = article.text.old if old else article.text.new
    paragraphs += _lines(text)
    return paragraphs


def _clause_cell(clause: ClauseDiff, *, old: bool) -> list[list[_Part]]:
    if (old and clause.status == ADDED) or (not old and clause.status == REMOVED):
        return [[(_("(không có)") if old else _("(bãi bỏ)"), NOTE)]]
    number = clause.old_number if old else clause.new_number
    lines = _lines(clause.text.old if old else clause.text.new) or [[]]
    lines[0] = [(f"{number}. ", None), *lines[0]]
    return lines


def _segments_parts(segments) -> list[_Part]:
    return [(s.text.replace("\n", " "), None if s.op == EQUAL else s.op) for s in segments]


def _lines(segments) -> list[list[_Part]]:
    """Segments cut into paragraphs at their line breaks."""
    out: list[list[_Part]] = [[]]
    for s in segments:
        style = None if s.op == EQUAL else s.op
        pieces = s.text.split("\n")
        for k, piece in enumerate(pieces):
            if k:
                out.append([])
            if piece:
                out[-1].append((piece, style))
    return [p for p in out if p]


def _style_run(run, style, rgb_color) -> None:
    if style == DELETE:
        run.font.strike = True
        run.font.color.rgb = rgb_color(*DELETED_RGB)
    elif style == INSERT:
        run.font.underline = True
        run.font.color.rgb = rgb_color(*INSERTED_RGB)
    elif style == NOTE:
        run.italic = True


def _fill_cell(cell, paragraphs: list[list[_Part]], pt, rgb_color) -> None:
    for k, parts in enumerate(paragraphs):
        p = cell.paragraphs[0] if k == 0 else cell.add_paragraph()
        for text, style in parts:
            run = p.add_run(text)
            run.font.size = pt(TABLE_PT)
            _style_run(run, style, rgb_color)


def summary_sentence(diff: Redline) -> str:
    """ "Sửa đổi 2 điều, bổ sung 1 điều, bãi bỏ 1 điều, đánh số lại 3 điều; các điều khác
    giữ nguyên." in words a reader of the annex expects."""
    counts = diff.counts
    parts = []
    for key, text in (
        ("changed", _("sửa đổi %(n)s điều")),
        ("added", _("bổ sung %(n)s điều")),
        ("removed", _("bãi bỏ %(n)s điều")),
        ("moved", _("đánh số lại %(n)s điều")),
    ):
        if counts[key]:
            parts.append(text % {"n": counts[key]})
    if not parts:
        return _("Hai phiên bản có nội dung giống nhau.")
    sentence = ", ".join(parts)
    sentence = sentence[0].upper() + sentence[1:]
    if counts["unchanged"]:
        sentence += _("; %(n)s điều khác giữ nguyên") % {"n": counts["unchanged"]}
    return sentence + "."
