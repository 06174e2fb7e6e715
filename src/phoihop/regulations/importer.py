"""Read a coordination regulation from a .docx file or plain text into a `RegulationTree`.

Pure: nothing here reads or writes the database. `parse_docx` and `parse_text` both
hand a list of paragraphs to `parse_paragraphs`; the services decide what to store.

What is read
    Each paragraph is normalised first: Unicode NFC, zero-width characters and soft
    hyphens dropped, every run of whitespace (non-breaking spaces, tabs, line breaks
    inside a paragraph) collapsed to one space, and the Icelandic "Ð/ð" that legacy
    font converters leave instead of "Đ/đ" mended. From a .docx only the body's
    paragraphs are read, in order (also those inside content controls); tables are
    the header and signature blocks and are skipped, as are text boxes, deleted
    tracked changes and hidden text. A paragraph whose number Word draws by itself
    (automatic numbering, e.g. "Điều %1." or "%1.") gets that number written back in
    front of its text, so automatic and typed numbering read the same. In plain text
    each line is one paragraph. Paragraph numbers (`Unrecognised.index`, the numbers in
    error messages) count from 1 over that list, empty paragraphs included, tables not.

The layout recognised
    - chapter: "Chương I" / "CHƯƠNG I" / "Chương 1", with the title after ". ", ": ",
      " - " on the same line, or alone on the next paragraph;
    - section: "Mục 1" / "Mục I" with its title likewise; the articles that follow carry
      `section=` its number until the next "Mục" or "Chương";
    - article: "Điều 1. Title" (also "Điều 1: Title", "Điều 1 . Title"); the title is
      kept as written;
    - clause: "1." or "1)" at the start of a paragraph inside an article;
    - point: "a)", "b)", … "đ)" inside a clause;
    - a paragraph with no marker is the article's opening text before its first clause
      (several are joined with "\\n"), and after a clause or point it continues that
      clause or point (appended with "\\n").

    This is exactly what the exporter writes: "Chương I" then the title on its own
    paragraph, "Mục 1" then its title, "Điều 1. Title", "1. text", "a) text", and the
    continuation lines of a clause or point as separate plain paragraphs.

Titles
    Article titles are stored as written. Chapter and section titles are stored
    upper-cased (`str.upper()`), because the exporter writes them in capitals: so a
    regulation typed "Chương I. Quy định chung" and the exported "Chương I" /
    "QUY ĐỊNH CHUNG" give the same tree, and import → export → import is exact.

    The document's title is the paragraph after a line "QUY CHẾ" (in capitals) before
    the structure begins; failing that a paragraph beginning "Quy chế …"; failing that
    the first paragraph that is not national heading, motto, number or date (for a
    plain text, its first line).

What is not an error
    Paragraphs before the first heading (national title, motto, agency names, number,
    date, "QUY CHẾ" and the title) are the preamble. After the last article, the first
    paragraph that looks like a signature block ("GIÁM ĐỐC", any line in capitals,
    "KT.", "TM.", "Nơi nhận:", "(Đã ký)", "./.") begins the trailing matter; it and
    everything after it are left out. Neither is reported as unrecognised.

Decisions
    - A text with articles but no "Chương" at all gets one chapter numbered 1 with an
      empty title holding every article.
    - When chapters exist, whatever comes between the first heading and the first
      "Chương" (an article or section outside any chapter) is reported as unrecognised
      rather than guessed into a chapter.
    - Unrecognised (listed, not fatal): text between a chapter or section heading and
      its first article that is not its title; a point before an article's first
      clause; a clause whose number skips or repeats (it must be one more than the
      previous one, starting at 1) together with the points and lines that follow it; a
      point letter repeated in the same clause. Point letters are not checked for order,
      since Word's automatic lettering runs a, b, c, d, e with no "đ".
    - Fatal (`ImportFailed`): not a .docx, a damaged .docx, no article at all, an
      article, chapter or section (in the same chapter) numbered twice.
    - An article heading written without punctuation ("Điều 1 Phạm vi…") is accepted
      only when the title starts with a capital letter, so that a sentence beginning
      "Điều 5 của Quy chế…" stays text; the same holds for "Chương" and "Mục".

`suggest_responsibilities` reads a clause's text for who leads (chủ trì), who
supports (phối hợp) and in how long; it only proposes, a person decides.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import docx
from django.utils.translation import gettext as _

from phoihop.core.text import fold, roman
from phoihop.regulations.choices import ResponsibilityRole
from phoihop.regulations.tree import (
    ArticleNode,
    ChapterNode,
    ClauseNode,
    PointNode,
    RegulationTree,
    SectionNode,
    Unrecognised,
)

__all__ = [
    "ImportFailed",
    "Suggestion",
    "docx_paragraphs",
    "parse_docx",
    "parse_paragraphs",
    "parse_text",
    "suggest_responsibilities",
]


class ImportFailed(ValueError):
    """The file or text cannot be read as a regulation; the message says why, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- entry points ------------------------------------------------------------------------------


def parse_docx(data: bytes) -> RegulationTree:
    """The regulation in a .docx file's bytes."""
    return parse_paragraphs(docx_paragraphs(data))


def parse_text(text: str) -> RegulationTree:
    """The regulation in plain text, one paragraph per line."""
    return parse_paragraphs(text.splitlines())


def parse_paragraphs(paragraphs: Sequence[str]) -> RegulationTree:
    """The regulation in a list of paragraphs, as read from a file or typed."""
    paras = [_classify(number, clean(raw)) for number, raw in enumerate(paragraphs, start=1)]
    if not any(p.kind == _ARTICLE for p in paras):
        raise ImportFailed(
            _(
                "Không tìm thấy điều nào trong văn bản: mỗi điều phải bắt đầu một đoạn "
                "bằng “Điều 1.”, “Điều 2.”…"
            )
        )
    heading_positions = [pos for pos, p in enumerate(paras) if p.kind in _HEADINGS]
    first_heading = heading_positions[0]
    chapters = [pos for pos, p in enumerate(paras) if p.kind == _CHAPTER]
    tree_start = chapters[0] if chapters else first_heading

    title, title_indices = _document_title(paras[:first_heading], paras[:tree_start])
    tree = RegulationTree(title=title)
    reader = _Reader(tree, chapters_present=bool(chapters), skip=title_indices)
    for p in paras[first_heading : _trailing_start(paras, heading_positions[-1])]:
        reader.feed(p)
    return tree


# --- paragraph text ----------------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_LOOKALIKES = str.maketrans({"\u00d0": "Đ", "\u00f0": "đ"})
_WHITESPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """One paragraph as the parser sees it: NFC, single spaces, no invisible characters."""
    text = unicodedata.normalize("NFC", text.translate(_INVISIBLE)).translate(_LOOKALIKES)
    return _WHITESPACE.sub(" ", text).strip()


# --- classifying paragraphs --------------------------------------------------------------------

_EMPTY, _TEXT, _CHAPTER, _SECTION, _ARTICLE, _CLAUSE, _POINT = (
    "empty",
    "text",
    "chapter",
    "section",
    "article",
    "clause",
    "point",
)
_HEADINGS = frozenset({_CHAPTER, _SECTION, _ARTICLE})

_ROMAN_OR_ARABIC = r"(?P<num>[IVXLC]+|\d{1,3})"
_CHAPTER_RE = re.compile(rf"^chương\s+{_ROMAN_OR_ARABIC}(?P<rest>.*)$", re.IGNORECASE)
_SECTION_RE = re.compile(rf"^mục\s+{_ROMAN_OR_ARABIC}(?P<rest>.*)$", re.IGNORECASE)
_ARTICLE_RE = re.compile(r"^điều\s+(?P<num>\d{1,4})(?P<rest>.*)$", re.IGNORECASE)
# After the number: a separator then the title, or a space then a title in capitals.
_TITLE_AFTER_SEPARATOR = re.compile(r"^\s*[.:\-–—]+\s*(?P<title>.*)$")
_TITLE_AFTER_SPACE = re.compile(r"^\s+(?P<title>\w.*)$")
# "1." / "1)" but not "1.000" nor "2011." (two digits at most).
_CLAUSE_RE = re.compile(r"^(?P<num>\d{1,2})\s*[.)](?!\d)\s*(?P<text>.*)$")
_POINT_RE = re.compile(r"^(?P<letter>[a-zđ])\s*\)\s*(?P<text>.*)$")

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


@dataclass
class _Para:
    index: int  # 1-based
    text: str  # the whole paragraph, cleaned
    kind: str
    number: int = 0
    label: str = ""  # the number as written: "II", "3", "đ"
    body: str = ""  # the title of a heading, the text after a clause or point marker


def _classify(index: int, text: str) -> _Para:
    if not text:
        return _Para(index, text, _EMPTY)
    for kind, pattern in (
        (_CHAPTER, _CHAPTER_RE),
        (_SECTION, _SECTION_RE),
        (_ARTICLE, _ARTICLE_RE),
    ):
        match = pattern.match(text)
        if match is None:
            continue
        title = _heading_title(match["rest"])
        number = _number(match["num"])
        if title is not None and number:
            return _Para(index, text, kind, number, match["num"].upper(), title)
    if match := _CLAUSE_RE.match(text):
        return _Para(index, text, _CLAUSE, int(match["num"]), match["num"], match["text"])
    if match := _POINT_RE.match(text):
        return _Para(index, text, _POINT, 0, match["letter"], match["text"])
    return _Para(index, text, _TEXT, body=text)


def _heading_title(rest: str) -> str | None:
    """The title after a heading's number, "" when there is none, None when it is no heading."""
    if not rest:
        return ""
    if match := _TITLE_AFTER_SEPARATOR.match(rest):
        return match["title"]
    if (match := _TITLE_AFTER_SPACE.match(rest)) and match["title"][0].isupper():
        return match["title"]
    return None


def _number(token: str) -> int:
    """An arabic or roman number; 0 when the letters are no well-formed roman numeral."""
    if token.isdigit():
        return int(token)
    token = token.upper()
    total = 0
    for pos, letter in enumerate(token):
        value = _ROMAN_VALUES[letter]
        following = _ROMAN_VALUES[token[pos + 1]] if pos + 1 < len(token) else 0
        total += -value if value < following else value
    return total if total and roman(total) == token else 0


# --- preamble and trailing matter --------------------------------------------------------------

_DATE_LINE = re.compile(r"ngay\s+\d{1,2}\s+thang\s+\d{1,2}\s+nam\s+\d{4}")


def _is_capitals(text: str) -> bool:
    return any(ch.isalpha() for ch in text) and not any(ch.islower() for ch in text)


def _is_boilerplate(text: str) -> bool:
    """National heading, motto, separator, number, date or a note in brackets."""
    folded = fold(text)
    return (
        folded.startswith(("cong hoa xa hoi chu nghia", "doc lap", "so:", "so "))
        or not any(ch.isalpha() for ch in text)
        or text.startswith("(")
        or bool(_DATE_LINE.search(folded))
    )


def _is_document_type(text: str) -> bool:
    return text.rstrip(" .:") == "QUY CHẾ"


def _document_title(preamble: list[_Para], before_tree: list[_Para]) -> tuple[str, set[int]]:
    """The document's title and the paragraph numbers that make it up."""
    lines = [p for p in before_tree if p.kind != _EMPTY]
    for pos, p in enumerate(lines[:-1]):
        following = lines[pos + 1]
        if _is_document_type(p.text) and following.kind not in _HEADINGS:
            return following.text, {p.index, following.index}
    # A bare "QUY CHẾ" with no title under it names no title.
    lines = [p for p in preamble if p.kind != _EMPTY and not _is_document_type(p.text)]
    for p in lines:
        if fold(p.text).startswith("quy che "):
            return p.text, {p.index}
    candidates = [p for p in lines if not _is_boilerplate(p.text)]
    for p in candidates:
        if not _is_capitals(p.text):
            return p.text, {p.index}
    if candidates:
        return candidates[0].text, {candidates[0].index}
    return "", set()


_SIGNATURE_STARTS = ("noi nhan", "kt.", "kt ", "tm.", "tm ", "tl.", "ttl.", "q.", "(da ky", "(ky")


def _is_trailing_marker(text: str) -> bool:
    return _is_capitals(text) or text in {"./.", "/."} or fold(text).startswith(_SIGNATURE_STARTS)


def _trailing_start(paras: list[_Para], last_heading: int) -> int:
    """Position of the first paragraph of the signature block after the last heading."""
    start = last_heading + 1
    heading = paras[last_heading]
    if heading.kind != _ARTICLE and not heading.body:
        # The title of a trailing chapter or section sits on its own line, in capitals.
        while start < len(paras) and paras[start].kind == _EMPTY:
            start += 1
        start += 1
    for pos in range(start, len(paras)):
        if paras[pos].kind != _EMPTY and _is_trailing_marker(paras[pos].text):
            return pos
    return len(paras)


# --- building the tree -------------------------------------------------------------------------


def _join(text: str, more: str) -> str:
    return f"{text}\n{more}" if text else more


class _Reader:
    """Places paragraphs, one at a time, into the tree under construction."""

    def __init__(self, tree: RegulationTree, *, chapters_present: bool, skip: set[int]) -> None:
        self.tree = tree
        self.chapters_present = chapters_present
        self.skip = skip  # the "QUY CHẾ" line and the title, when they sit inside the structure
        self.chapter: ChapterNode | None = None
        self.section: SectionNode | None = None
        self.article: ArticleNode | None = None
        self.clause: ClauseNode | None = None
        self.awaiting_title: ChapterNode | SectionNode | None = None
        self.rejected: _Para | None = None  # a clause or point that could not be placed
        self.chapter_at: dict[int, int] = {}
        self.section_at: dict[tuple[int, int], int] = {}
        self.article_at: dict[int, int] = {}

    def feed(self, p: _Para) -> None:
        if p.kind == _EMPTY:
            return
        if self.awaiting_title is not None and p.kind not in _HEADINGS:
            self.awaiting_title.title = p.text.upper()
            self.awaiting_title = None
            return
        self.awaiting_title = None
        if self.chapters_present and self.chapter is None and p.kind != _CHAPTER:
            if p.index not in self.skip:
                self.unrecognised(p, _("Nằm trước chương đầu tiên, không thuộc chương nào."))
            return
        {
            _CHAPTER: self.chapter_heading,
            _SECTION: self.section_heading,
            _ARTICLE: self.article_heading,
            _CLAUSE: self.clause_marker,
            _POINT: self.point_marker,
            _TEXT: self.plain,
        }[p.kind](p)

    def unrecognised(self, p: _Para, reason: str) -> None:
        self.tree.unrecognised.append(Unrecognised(index=p.index, text=p.text, reason=reason))

    def open_chapter(self, number: int, title: str) -> ChapterNode:
        self.chapter = ChapterNode(number=number, title=title.upper())
        self.tree.chapters.append(self.chapter)
        self.section = self.article = self.clause = self.rejected = None
        return self.chapter

    def chapter_heading(self, p: _Para) -> None:
        if p.number in self.chapter_at:
            raise ImportFailed(
                _("Chương %(number)s xuất hiện hai lần (đoạn %(first)d và %(second)d).")
                % {"number": p.label, "first": self.chapter_at[p.number], "second": p.index}
            )
        self.chapter_at[p.number] = p.index
        chapter = self.open_chapter(p.number, p.body)
        if not p.body:
            self.awaiting_title = chapter

    def section_heading(self, p: _Para) -> None:
        chapter = self.chapter or self.open_chapter(1, "")
        key = (chapter.number, p.number)
        if key in self.section_at:
            raise ImportFailed(
                _(
                    "Mục %(number)s xuất hiện hai lần trong cùng một chương "
                    "(đoạn %(first)d và %(second)d)."
                )
                % {"number": p.label, "first": self.section_at[key], "second": p.index}
            )
        self.section_at[key] = p.index
        self.section = SectionNode(number=p.number, title=p.body.upper())
        chapter.sections.append(self.section)
        self.article = self.clause = self.rejected = None
        if not p.body:
            self.awaiting_title = self.section

    def article_heading(self, p: _Para) -> None:
        chapter = self.chapter or self.open_chapter(1, "")
        if p.number in self.article_at:
            raise ImportFailed(
                _("Điều %(number)d xuất hiện hai lần (đoạn %(first)d và %(second)d).")
                % {"number": p.number, "first": self.article_at[p.number], "second": p.index}
            )
        self.article_at[p.number] = p.index
        self.article = ArticleNode(
            number=p.number,
            title=p.body,
            section=self.section.number if self.section else None,
        )
        chapter.articles.append(self.article)
        self.clause = self.rejected = None

    def outside_articles(self, p: _Para) -> None:
        if self.section is not None:
            where = _("Mục %(number)d") % {"number": self.section.number}
        else:
            number = self.chapter.number if self.chapter else 0
            where = _("Chương %(number)s") % {"number": roman(number)}
        self.unrecognised(
            p,
            _(
                "Nằm giữa tiêu đề %(where)s và điều đầu tiên, không phải tên chương, mục "
                "và không thuộc điều nào."
            )
            % {"where": where},
        )

    def clause_marker(self, p: _Para) -> None:
        article = self.article
        if article is None:
            self.outside_articles(p)
            return
        previous = len(article.clauses)
        if p.number == previous + 1:
            self.clause = ClauseNode(number=p.number, text=p.body)
            article.clauses.append(self.clause)
            self.rejected = None
            return
        values = {"number": p.number, "article": article.number, "previous": previous}
        if previous == 0:
            reason = _("Điều %(article)d bắt đầu bằng khoản %(number)d thay vì khoản 1.") % values
        elif p.number > previous:
            reason = (
                _(
                    "Khoản %(number)d của Điều %(article)d bỏ cách số thứ tự (khoản trước là %(previous)d)."
                )
                % values
            )
        else:
            reason = (
                _(
                    "Khoản %(number)d của Điều %(article)d lặp lại hoặc sai thứ tự (khoản trước là %(previous)d)."
                )
                % values
            )
        self.unrecognised(p, reason)
        self.clause, self.rejected = None, p

    def point_marker(self, p: _Para) -> None:
        article = self.article
        if article is None:
            self.outside_articles(p)
            return
        if self.rejected is not None and self.rejected.kind == _CLAUSE:
            self.follows_rejected(p)
            return
        values = {"letter": p.label, "article": article.number}
        if self.clause is None:
            self.unrecognised(
                p, _("Điểm %(letter)s) đứng trước khoản đầu tiên của Điều %(article)d.") % values
            )
            self.rejected = p
            return
        if any(point.letter == p.label for point in self.clause.points):
            values["clause"] = self.clause.number
            self.unrecognised(
                p, _("Điểm %(letter)s) lặp lại trong khoản %(clause)d Điều %(article)d.") % values
            )
            self.rejected = p
            return
        self.clause.points.append(PointNode(letter=p.label, text=p.body))
        self.rejected = None

    def follows_rejected(self, p: _Para) -> None:
        self.unrecognised(
            p,
            _("Đi sau đoạn %(index)d không xếp được vào điều, khoản nào.")
            % {"index": self.rejected.index},
        )

    def plain(self, p: _Para) -> None:
        if self.article is None:
            self.outside_articles(p)
        elif self.rejected is not None:
            self.follows_rejected(p)
        elif self.clause is None:
            self.article.text = _join(self.article.text, p.text)
        elif self.clause.points:
            point = self.clause.points[-1]
            point.text = _join(point.text, p.text)
        else:
            self.clause.text = _join(self.clause.text, p.text)


# --- reading .docx -----------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_NUMBERING_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def docx_paragraphs(data: bytes) -> list[str]:
    """The text of the body paragraphs of a .docx, in order; tables left out."""
    _check_docx_container(data)
    try:
        # python-docx parses every XML part here; what it or lxml trips on is a damaged file.
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise ImportFailed(
            _("Tệp .docx bị hỏng, không đọc được nội dung. Hãy mở bằng Word, lưu lại rồi thử lại.")
        ) from exc
    numbering = _Numbering(document)
    paragraphs = []
    for element in _body_paragraphs(document.element.body):
        label, text = numbering.label(element), _paragraph_text(element)
        paragraphs.append(f"{label} {text}" if label else text)
    return paragraphs


def _check_docx_container(data: bytes) -> None:
    """Refuse early, with a useful message, what is not a Word 2007+ document."""
    if data.startswith(b"%PDF"):
        raise ImportFailed(
            _("Tệp không phải .docx mà là tệp PDF. Hãy tải lên bản Word (.docx) của quy chế.")
        )
    if data.startswith(_OLE_MAGIC):
        raise ImportFailed(
            _(
                "Tệp không phải .docx: đây là tệp Word 97–2003 (.doc) hoặc tệp đã đặt mật khẩu. "
                "Hãy mở bằng Word và lưu lại dưới dạng .docx."
            )
        )
    if not data.startswith(b"PK"):
        raise ImportFailed(_("Tệp không phải .docx. Hãy tải lên tệp Word (.docx) của quy chế."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise ImportFailed(
            _("Tệp .docx bị hỏng (không giải nén được). Hãy mở bằng Word, lưu lại rồi thử lại.")
        ) from exc
    if "word/document.xml" not in names:
        raise ImportFailed(
            _(
                "Tệp không phải .docx: tệp nén này không chứa văn bản Word. "
                "Hãy tải lên tệp Word (.docx) của quy chế."
            )
        )
    if unpacked > _MAX_UNPACKED_BYTES:
        raise ImportFailed(_("Tệp .docx quá lớn khi giải nén; không thể là một quy chế."))


def _body_paragraphs(container: Any) -> Iterator[Any]:
    for child in container.iterchildren():
        if child.tag == f"{_W}p":
            yield child
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _body_paragraphs(content)
        elif child.tag == f"{_W}customXml":
            yield from _body_paragraphs(child)
        # w:tbl holds the header and the signatures: not part of the text.


_SKIPPED_CONTAINERS = frozenset({f"{_W}del", f"{_W}moveFrom", f"{_W}txbxContent", _MC_FALLBACK})
_TEXT_TAGS = (f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen")


def _paragraph_text(paragraph: Any) -> str:
    parts: list[str] = []
    for element in paragraph.iter(*_TEXT_TAGS):
        if _skipped(element, paragraph):
            continue
        tag = element.tag
        if tag == f"{_W}t":
            parts.append(element.text or "")
        elif tag == f"{_W}noBreakHyphen":
            parts.append("-")
        else:
            parts.append(" ")
    return "".join(parts)


def _skipped(element: Any, paragraph: Any) -> bool:
    run = element.getparent()
    vanish = run.find(f"{_W}rPr/{_W}vanish") if run is not None else None
    if vanish is not None and vanish.get(f"{_W}val", "true") not in {"0", "false", "off"}:
        return True
    for ancestor in element.iterancestors():
        if ancestor is paragraph:
            return False
        if ancestor.tag in _SKIPPED_CONTAINERS:
            return True
    return False


class _Numbering:
    """Word's automatic numbering, enough to recover "Điều 5.", "3." or "b)" labels.

    Counters are kept per abstract numbering, as Word does: lists that share one
    continue each other, and a list instance with a start override restarts at its
    first paragraph. Deeper levels restart when a shallower one advances.
    """

    def __init__(self, document: Any) -> None:
        self.abstract_levels: dict[str, dict[int, Any]] = {}
        self.instances: dict[str, tuple[str, dict[int, Any], dict[int, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        self.styles = {
            style.get(f"{_W}styleId"): style
            for style in document.styles.element.iterchildren(f"{_W}style")
        }
        try:
            root = document.part.part_related_by(_NUMBERING_REL).element
        except KeyError:
            return
        for abstract in root.iterchildren(f"{_W}abstractNum"):
            self.abstract_levels[abstract.get(f"{_W}abstractNumId")] = {
                _int(level.get(f"{_W}ilvl")): level for level in abstract.iterchildren(f"{_W}lvl")
            }
        for num in root.iterchildren(f"{_W}num"):
            abstract_id = num.find(f"{_W}abstractNumId")
            if abstract_id is None:
                continue
            levels: dict[int, Any] = {}
            starts: dict[int, int] = {}
            for override in num.iterchildren(f"{_W}lvlOverride"):
                ilvl = _int(override.get(f"{_W}ilvl"))
                start = override.find(f"{_W}startOverride")
                if start is not None:
                    starts[ilvl] = _int(start.get(f"{_W}val"))
                level = override.find(f"{_W}lvl")
                if level is not None:
                    levels[ilvl] = level
            self.instances[num.get(f"{_W}numId")] = (abstract_id.get(f"{_W}val"), levels, starts)

    def label(self, paragraph: Any) -> str:
        num_id, ilvl = self._num_pr(paragraph)
        if not num_id or num_id not in self.instances:
            return ""
        abstract_id, overrides, starts = self.instances[num_id]
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for level, start in starts.items():
                counters[level] = start - 1
        level = self._level(abstract_id, overrides, ilvl)
        if level is None:
            return ""
        counters[ilvl] = counters.get(ilvl, self._start(level) - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if self._format(level) in {"bullet", "none"}:
            return ""
        pattern = _val(level, "lvlText") or ""

        def substitute(match: re.Match[str]) -> str:
            k = int(match[1]) - 1
            other = self._level(abstract_id, overrides, k)
            if other is None:
                return ""
            value = counters.get(k, self._start(other))
            return _format_number(value, self._format(other))

        return re.sub(r"%([1-9])", substitute, pattern).strip()

    def _level(self, abstract_id: str, overrides: dict[int, Any], ilvl: int) -> Any:
        return overrides.get(ilvl) or self.abstract_levels.get(abstract_id, {}).get(ilvl)

    @staticmethod
    def _start(level: Any) -> int:
        value = _val(level, "start")
        return _int(value) if value is not None else 0

    @staticmethod
    def _format(level: Any) -> str:
        return _val(level, "numFmt") or "decimal"

    def _num_pr(self, paragraph: Any) -> tuple[str | None, int]:
        num_id: str | None = None
        ilvl: int | None = None
        ppr = paragraph.find(f"{_W}pPr")
        style_id = None
        if ppr is not None:
            num_pr = ppr.find(f"{_W}numPr")
            if num_pr is not None:
                num_id = _val(num_pr, "numId")
                ilvl = _int(_val(num_pr, "ilvl")) if _val(num_pr, "ilvl") is not None else None
            style_id = _val(ppr, "pStyle")
        seen: set[str] = set()
        while num_id is None and style_id and style_id not in seen:
            seen.add(style_id)
            style = self.styles.get(style_id)
            if style is None:
                break
            num_pr = style.find(f"{_W}pPr/{_W}numPr")
            if num_pr is not None:
                num_id = _val(num_pr, "numId")
                if ilvl is None and _val(num_pr, "ilvl") is not None:
                    ilvl = _int(_val(num_pr, "ilvl"))
            style_id = _val(style, "basedOn")
        if num_id in {None, "0"}:
            return None, 0
        return num_id, ilvl or 0


def _val(element: Any, child: str) -> str | None:
    found = element.find(f"{_W}{child}")
    return None if found is None else found.get(f"{_W}val")


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _format_number(value: int, fmt: str) -> str:
    if fmt in {"lowerLetter", "upperLetter"}:
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1) if value > 0 else ""
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in {"lowerRoman", "upperRoman"}:
        numeral = roman(value) if value > 0 else ""
        return numeral.lower() if fmt == "lowerRoman" else numeral
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


# --- responsibilities --------------------------------------------------------------------------


@dataclass
class Suggestion:
    """A responsibility read from a clause's text, for a person to confirm."""

    agency: Any  # phoihop.accounts.models.Agency
    role: str  # a ResponsibilityRole value
    response_days: int | None = None
    response_hours: int | None = None
    evidence: str = ""  # the words it was read from


# Between an agency and "chủ trì"/"phối hợp": a note in brackets and a few linking words.
_GAP = re.compile(
    r"\s*(?:\([^()]{0,120}\)\s*)?"
    r"(?:(?:co trach nhiem|la co quan|la don vi|la|duoc giao|giu vai tro|lam|se|tiep tuc)\s+)?"
)
_LEAD_WORDS = r"chu tri"
_SUPPORT_WORDS = r"tham gia phoi hop|phoi hop|ho tro"
_AFTER_AGENCY = re.compile(
    rf"(?:(?P<lead>{_LEAD_WORDS})|(?P<support>{_SUPPORT_WORDS}))(?![0-9a-z])"
)
# "chủ trì: Công an tỉnh", "phối hợp với Sở Ngoại vụ", "cơ quan phối hợp là …"
_BEFORE_AGENCY = re.compile(
    rf"(?<![0-9a-z])(?:(?P<lead>{_LEAD_WORDS})(?:\s*[:\-]\s*|\s+la\s+)"
    rf"|(?P<support>phoi hop|ho tro)(?:\s+(?:chat che|thuong xuyen|kip thoi))?"
    r"(?:\s*[:\-]\s*|\s+la\s+|\s+voi\s+|\s+cung\s+(?:voi\s+)?))$"
)
_LIST_LINK = re.compile(r"\s*,\s*|\s+va\s+|\s+cung\s+|\s+voi\s+")
_DEADLINE = re.compile(
    r"(?<![0-9a-z])(?:trong (?:thoi han|vong|thoi gian)|cham nhat|khong qua|toi da)"
    r"(?:\s+(?:la|sau|trong|khong qua|toi da))?\s+"
    r"(?P<n>\d{1,3})\s*(?:\([^()]{0,30}\)\s*)?"
    r"(?P<unit>ngay lam viec|ngay|gio|tieng)(?![0-9a-z])"
)
_PART_END = re.compile(r"[;\n]|[.!?](?=\s|$)")


@dataclass
class _Found:
    start: int  # positions in the folded segment
    end: int
    agency: Any = None
    role: str = ""
    hours: bool = False
    amount: int = 0


def suggest_responsibilities(text: str, agencies: Iterable[Any]) -> list[Suggestion]:
    """Who leads, who supports and in how long, as far as a clause's wording says.

    Agencies are matched by name and short name, with or without diacritics. A
    deadline (in days, or in hours for urgent cases) counts for a phrase when it is
    in the same part of the sentence (up to ";"); else when it is in a part of the same
    sentence that names no agency ("…; trường hợp khẩn cấp trong vòng 24 giờ"); else
    when it is the text's only deadline of its kind and its sentence names no agency
    ("Thời hạn trả lời trong vòng 48 giờ.").
    """
    text = unicodedata.normalize("NFC", text or "")
    aliases = [(alias, agency) for agency in agencies for alias in _aliases(agency)]
    parts = [
        _read_part(text, sentence, start, end, aliases) for sentence, start, end in _parts(text)
    ]
    suggestions: list[Suggestion] = []
    for part in parts:
        for phrase in part.roles:
            evidence = [part.original(phrase)]
            amounts: dict[bool, int] = {}
            for hours in (False, True):
                found = _deadline_for(phrase, part, parts, hours=hours)
                if found is not None:
                    amounts[hours] = found[1].amount
                    evidence.append(found[0].original(found[1]))
            _add(
                suggestions,
                Suggestion(
                    agency=phrase.agency,
                    role=phrase.role,
                    response_days=amounts.get(False),
                    response_hours=amounts.get(True),
                    evidence=" … ".join(evidence),
                ),
            )
    return suggestions


def _aliases(agency: Any) -> set[str]:
    """Folded names an agency goes by: its name, its short name, and its name without the
    province ("Sở Ngoại vụ tỉnh Hà Giang" is also "Sở Ngoại vụ tỉnh")."""
    names = {fold(agency.name), fold(agency.short_name)}
    words = str(agency.name or "").split()
    for pos in range(len(words) - 2, 0, -1):
        if fold(words[pos]) == "tinh":
            place = words[pos + 1 :]
            if len(place) <= 3 and all(word[:1].isupper() for word in place):
                names.add(fold(" ".join(words[: pos + 1])))
            break
    return {name for name in names if name}


@dataclass
class _Part:
    """A stretch of a sentence up to ";", folded, with what was found in it."""

    text: str  # the whole original text
    sentence: int
    start: int  # where the part begins in `text`
    where: list[int]  # for each folded character, its offset from `start`
    roles: list[_Found]
    deadlines: list[_Found]

    def original(self, found: _Found) -> str:
        first, last = self.where[found.start], self.where[found.end - 1]
        return self.text[self.start + first : self.start + last + 1]


def _read_part(
    text: str, sentence: int, start: int, end: int, aliases: list[tuple[str, Any]]
) -> _Part:
    folded, where = _fold_with_positions(text[start:end])
    deadlines = [
        _Found(m.start(), m.end(), hours=m["unit"] in {"gio", "tieng"}, amount=int(m["n"]))
        for m in _DEADLINE.finditer(folded)
    ]
    return _Part(text, sentence, start, where, _role_phrases(folded, aliases), deadlines)


def _parts(text: str) -> Iterator[tuple[int, int, int]]:
    """(sentence number, start, end) of each non-empty part of each sentence."""
    sentence, start = 0, 0
    for match in _PART_END.finditer(text):
        if text[start : match.start()].strip():
            yield sentence, start, match.start()
        if match.group() != ";":
            sentence += 1
        start = match.end()
    if text[start:].strip():
        yield sentence, start, len(text)


def _deadline_for(
    phrase: _Found, part: _Part, parts: list[_Part], *, hours: bool
) -> tuple[_Part, _Found] | None:
    own = [d for d in part.deadlines if d.hours == hours]
    if own:
        after = [d for d in own if d.start >= phrase.end]
        return part, (after[0] if after else own[-1])
    for other in parts:
        if other.sentence == part.sentence and not other.roles:
            for d in other.deadlines:
                if d.hours == hours:
                    return other, d
    every = [(p, d) for p in parts for d in p.deadlines if d.hours == hours]
    if len(every) == 1:
        lone_part = every[0][0]
        if not any(p.roles for p in parts if p.sentence == lone_part.sentence):
            return every[0]
    return None


def _fold_with_positions(text: str) -> tuple[str, list[int]]:
    """`fold(text)` and, for each of its characters, the position it came from."""
    out: list[str] = []
    where: list[int] = []
    for pos, ch in enumerate(text):
        for folded in fold(ch) or (" " if ch.isspace() else ""):
            if folded == " " and (not out or out[-1] == " "):
                continue
            out.append(folded)
            where.append(pos)
    while out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


def _agency_mentions(folded: str, aliases: list[tuple[str, Any]]) -> list[_Found]:
    """Every agency named, the longest name winning where names overlap."""
    candidates = [
        _Found(m.start(), m.end(), agency)
        for alias, agency in aliases
        for m in re.finditer(rf"(?<![0-9a-z]){re.escape(alias)}(?![0-9a-z])", folded)
    ]
    kept: list[_Found] = []
    for c in sorted(candidates, key=lambda c: (c.start - c.end, c.start)):
        if all(c.end <= k.start or c.start >= k.end for k in kept):
            kept.append(c)
    return sorted(kept, key=lambda k: k.start)


def _role_phrases(folded: str, aliases: list[tuple[str, Any]]) -> list[_Found]:
    mentions = _agency_mentions(folded, aliases)
    phrases: list[_Found] = []
    for pos, mention in enumerate(mentions):
        # "Công an tỉnh chủ trì", "do Sở Ngoại vụ phối hợp"
        gap = _GAP.match(folded, mention.end)
        after = _AFTER_AGENCY.match(folded, gap.end()) if gap else None
        if after:
            role = ResponsibilityRole.LEAD if after["lead"] else ResponsibilityRole.SUPPORT
            phrases.append(_Found(mention.start, after.end(), mention.agency, role.value))
        # "chủ trì: Công an tỉnh", "phối hợp với Sở Ngoại vụ, Bộ đội Biên phòng tỉnh"
        before = _BEFORE_AGENCY.search(folded[: mention.start])
        if before is None or (pos and _in_list_after(mentions[pos - 1], mention, folded)):
            continue
        role = ResponsibilityRole.LEAD if before["lead"] else ResponsibilityRole.SUPPORT
        listed = [mention]
        for following in mentions[pos + 1 :]:
            if not _LIST_LINK.fullmatch(folded[listed[-1].end : following.start]):
                break
            listed.append(following)
        phrases.extend(_Found(before.start(), m.end, m.agency, role.value) for m in listed)
    return sorted(phrases, key=lambda p: (p.start, p.end))


def _in_list_after(previous: _Found, mention: _Found, folded: str) -> bool:
    return bool(_LIST_LINK.fullmatch(folded[previous.end : mention.start]))


def _add(suggestions: list[Suggestion], new: Suggestion) -> None:
    """One suggestion per agency and role; a later mention only fills in missing deadlines."""
    for old in suggestions:
        if old.agency == new.agency and old.role == new.role:
            if old.response_days is None and new.response_days is not None:
                old.response_days = new.response_days
                old.evidence = f"{old.evidence}; {new.evidence}"
            if old.response_hours is None and new.response_hours is not None:
                old.response_hours = new.response_hours
                old.evidence = f"{old.evidence}; {new.evidence}"
            return
    suggestions.append(new)
