"""The review report (báo cáo sơ kết, tổng kết) as DOCX and PDF, laid out by Decree 30/2020/NĐ-CP.

`build_report` reads a review (its frozen statistics, the units' submitted assessments
and amendment proposals, the conference, the regulation and its parties) into a neutral
document model, `ReportDocument`; `render_docx` (python-docx) and `render_pdf`
(reportlab) lay that model out on A4 the same way:

* margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm; body 14 pt, justified;
* a header of two columns: the issuing bodies (every domestic party, uppercase bold)
  over "Số: NN/BC-CAT-SNgV" on the left; the national title and motto over the place
  and date, in italics, on the right; a classification mark under the number when the
  report is classified;
* "BÁO CÁO" and the review's title, then the body in the usual outline: I situation,
  II results per coordination content with the figures, III assessment (strengths,
  shortcomings, causes), IV lessons, V directions, VI proposals;
* side-by-side signature blocks (the lead issuer on the right), "Nơi nhận:", and an
  annex on a new page: the figures' tables and the bar chart of the review's page;
* page numbers at the top, centred, from page 2.

Classification: the report carries the review's level (set by the secretariat when it
opens the review); the frozen statistics are counts and hold no person or dossier
content, so that level is usually "Thường" (unmarked). Whoever produces the report may
mark it higher (`classification=`, the command's `--classification`), never lower.

Persons: the body names no person. The statistics carry none, conference chairs and
participants are left out, and the free text written by the units (and the review's
title) is screened for the names of recorded persons (`Subject`), which are replaced.
The names go only into a separate restricted annex (`reviews.annex`): a "PHỤ LỤC" under
the report's number, marked at least "MẬT", listing the persons verified in the period
that whoever asks for it may see, produced on request with a declared purpose that is
logged per person.

The report is always in Vietnamese, whatever the language of the request.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import struct
import subprocess
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from phoihop.accounts.choices import AgencyKind
from phoihop.activities.choices import ActivityKind  # activities (issue 9)
from phoihop.core.choices import Classification
from phoihop.dossiers.choices import DossierStatus
from phoihop.regulations.choices import CategoryKind
from phoihop.regulations.models import Category
from phoihop.reviews.charts import bar_chart_png, category_totals
from phoihop.reviews.choices import (
    HEADLINE_KEYS,
    HEADLINE_LABELS,
    AssessmentStatus,
    ProposalStatus,
    ReviewKind,
)
from phoihop.reviews.models import AmendmentProposal, Conference, Review

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}

# Page geometry (mm) within Decree 30's ranges: top/bottom 20–25, left 30–35, right 15–20.
PAGE_WIDTH, PAGE_HEIGHT = 210, 297
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 20, 20, 30, 15
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 165 mm
BODY_PT = 14
LINE_SPACING = 1.15  # Decree 30: from single to 1.5 lines
FIRST_LINE_INDENT_MM = 10
HEADER_LEFT_MM = 70  # the issuing bodies' column; the national title's takes the rest
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")

# The coordination contents, in the order the report takes them.
KIND_ORDER = (
    CategoryKind.JOINT_CRIMINAL,
    CategoryKind.BORDER_INCIDENT,
    CategoryKind.VERIFICATION,
    CategoryKind.DELEGATION_SECURITY,
    CategoryKind.CONSULAR,
    CategoryKind.OTHER,
)


# --- the document model ------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: "I. …" (bold), 2: "1. …" (bold), 3: "a) …" (bold italic)


@dataclass(frozen=True)
class Para:
    text: str
    lead: str = ""  # words set in bold before the text, e.g. a unit's name
    bullet: bool = False  # an item: "- text"
    italic: bool = False


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # fractions of the text width
    numeric: tuple[bool, ...]  # right-aligned columns
    total: bool = False  # the last row is a total, set in bold


@dataclass(frozen=True)
class Chart:
    title: str
    png: bytes


@dataclass(frozen=True)
class ReportDocument:
    issuers: tuple[str, ...]  # the issuing bodies' names, uppercase; the lead first
    number_symbol: str  # "Số: 05/BC-CAT-SNgV"
    classification: str  # "MẬT", "TỐI MẬT"…; "" when unmarked
    nation: str
    motto: str
    place_date: str
    doc_type: str
    title: str
    body: tuple = ()
    signers: tuple[str, ...] = ()  # the signing titles, left to right (the lead on the right)
    sign_line: str = ""
    recipients_label: str = ""
    recipients: tuple[str, ...] = ()
    annex_title: str = ""
    annex_subtitle: str = ""
    annex_note: str = ""
    annex: tuple = ()
    filename: str = "bao-cao"  # ASCII, without extension
    meta_title: str = ""
    meta_author: str = ""


# --- building it from a review -------------------------------------------------------------


def _n(value) -> str:
    """A count the Vietnamese way: 1.234."""
    return f"{int(value or 0):,}".replace(",", ".")


def _pct(share) -> str:
    return "—" if share is None else f"{share * 100:.1f}".replace(".", ",") + "%"


def _d(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def _nfc(text) -> str:
    return unicodedata.normalize("NFC", str(text or "")).strip()


def long_date(place: str, day: dt.date) -> str:
    """The place and date line, e.g. "Hà Giang, ngày 05 tháng 02 năm 2012": Decree 30
    pads days below 10 and months below 3 with a zero."""
    return _("%(place)s, ngày %(d)s tháng %(m)s năm %(y)s") % {
        "place": place,
        "d": f"{day.day:02d}",
        "m": f"{day.month:02d}" if day.month < 3 else str(day.month),
        "y": day.year,
    }


def _parties(regulation):
    """The regulation's domestic parties, the lead first: in the order their document
    prefixes appear in the regulation's number (01/QCPH-CAT-SNgV: CAT, then SNgV)."""
    symbol = regulation.number_symbol or ""

    def key(agency):
        at = symbol.find(agency.document_prefix) if agency.document_prefix else -1
        return (at if at >= 0 else len(symbol) + 1, agency.name)

    return sorted(regulation.parties.filter(kind=AgencyKind.DOMESTIC), key=key)


class _NameScreen:
    """Replaces the names of recorded persons found in free text.

    The database is asked only about what the text could name: every run of 2 to 6 words
    (as written, in title case and in capitals) against the persons' Vietnamese, Latin
    and Hán-Việt names, the runs of Hán tự against their native names, and the few
    persons with other names (aliases) in full. A review's free text is a few thousand
    words, so these are three queries whatever the number of persons on record.
    """

    WORD = re.compile(r"\w+", re.UNICODE)
    CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
    MAX_WORDS = 6
    MAX_NATIVE = 8

    def __init__(self, texts: list[str]):
        self.names: set[str] = set()
        self.native: set[str] = set()
        texts = [_nfc(t) for t in texts if t and t.strip()]
        if not texts:
            return
        from phoihop.subjects.models import Subject

        runs: set[str] = set()
        for text in texts:
            words = self.WORD.findall(text)
            for i in range(len(words)):
                for size in range(2, min(self.MAX_WORDS, len(words) - i) + 1):
                    run = " ".join(words[i : i + size])
                    runs.update((run, run.title(), run.upper()))
        rows = Subject.objects.filter(
            Q(full_name__in=runs) | Q(latin_name__in=runs) | Q(han_viet__in=runs)
        ).values_list("full_name", "latin_name", "han_viet")
        for names in rows:
            self._add(names)
        for aliases in Subject.objects.exclude(aliases="").values_list("aliases", flat=True):
            self._add(re.split(r"[,;]", aliases))
        native_runs = {
            run[i : i + size]
            for text in texts
            for run in self.CJK.findall(text)
            for i in range(len(run))
            for size in range(2, min(self.MAX_NATIVE, len(run) - i) + 1)
        }
        if native_runs:
            self.native.update(
                Subject.objects.filter(native_name__in=native_runs).values_list(
                    "native_name", flat=True
                )
            )

    def _add(self, names) -> None:
        for name in names:
            words = self.WORD.findall(_nfc(name).casefold())
            if 2 <= len(words) <= self.MAX_WORDS:
                self.names.add(" ".join(words))

    def __call__(self, text: str) -> str:
        if not text or not (self.names or self.native):
            return text
        hidden = _("[đã lược họ tên]")
        spans = []
        words = list(self.WORD.finditer(text))
        folded = [m.group().casefold() for m in words]
        i = 0
        while i < len(words):
            for size in range(min(self.MAX_WORDS, len(words) - i), 1, -1):
                if " ".join(folded[i : i + size]) in self.names:
                    spans.append((words[i].start(), words[i + size - 1].end()))
                    i += size - 1
                    break
            i += 1
        for start, end in reversed(spans):
            text = text[:start] + hidden + text[end:]
        if self.native and self.CJK.search(text):  # native names found above, longest first
            for name in sorted(self.native, key=len, reverse=True):
                text = text.replace(name, hidden)
        return text


def build_report(
    review: Review,
    *,
    issued_on: dt.date | None = None,
    classification: int | None = None,
) -> ReportDocument:
    """The review's report as a neutral document model, in Vietnamese; marked with the
    review's level, or `classification` when that is higher. Dated `issued_on`, else the
    day of the review's conference (the report is presented there), else today."""
    level = max(review.classification, classification or Classification.THUONG)
    if issued_on is None:
        held_on = Conference.objects.filter(review=review).values_list("held_on", flat=True)
        issued_on = held_on.first() or timezone.localdate()
    with translation.override("vi"):
        return _build(review, issued_on, level)


def report_number(review: Review, prefixes: list[str]) -> tuple[str, str]:
    """The report's number and symbol ("05", "BC-CAT-SNgV"), from the review and the
    parties' document prefixes; its annexes cite them."""
    return f"{review.pk:02d}", "-".join(["BC", *prefixes])


def _paragraphs(text: str, screen, lead: str = "") -> list[Para]:
    """Free text as paragraphs, one per non-empty line; the lead goes on the first."""
    lines = [ln.strip() for ln in _nfc(screen(text)).splitlines() if ln.strip()]
    return [Para(line, lead=lead if i == 0 else "") for i, line in enumerate(lines)]


def _build(review: Review, issued_on: dt.date, classification: int) -> ReportDocument:
    regulation = review.regulation
    stats = review.statistics or {}
    parties = _parties(regulation)
    prefixes = [a.document_prefix for a in parties if a.document_prefix]
    number, symbol = report_number(review, prefixes)
    kind_label = str(ReviewKind(review.kind).label) if review.kind in ReviewKind.values else ""
    place = _nfc(regulation.place) or "……"
    assessments = list(
        review.assessments.filter(status=AssessmentStatus.SUBMITTED)
        .select_related("unit__agency")
        .prefetch_related(
            Prefetch(
                "proposals",
                queryset=AmendmentProposal.objects.exclude(status=ProposalStatus.REJECTED)
                .select_related("clause__article")
                .order_by("clause__article__number", "clause__number", "id"),
            )
        )
        .order_by("unit__agency__name", "unit__name")
    )
    conference = Conference.objects.filter(review=review).first()
    free_text = [review.title]
    for a in assessments:
        free_text += [a.results, a.shortcomings, a.causes, a.lessons, a.directions]
        free_text += [p.text for p in a.proposals.all()]
    if conference:
        free_text.append(conference.conclusions)
    screen = _NameScreen(free_text)

    body: list = []
    body.append(
        Para(
            _(
                "Thực hiện %(regulation)s%(number)s, %(parties)s báo cáo %(kind)s kết quả "
                "thực hiện trong kỳ từ ngày %(a)s đến ngày %(b)s như sau:"
            )
            % {
                "regulation": _nfc(regulation.title),
                "number": _regulation_number(regulation),
                "parties": _and([a.name for a in parties]) or _("các cơ quan"),
                "kind": kind_label.lower(),
                "a": _d(review.period_from),
                "b": _d(review.period_to),
            }
        )
    )
    sections = [
        (_("ĐẶC ĐIỂM TÌNH HÌNH"), _situation(review, stats, conference, kind_label)),
        (_("KẾT QUẢ THỰC HIỆN"), _results(regulation, stats, assessments, screen)),
        (_("ĐÁNH GIÁ CHUNG"), _assessment(stats, assessments, screen)),
        (
            _("BÀI HỌC KINH NGHIỆM"),
            _unit_texts(assessments, "lessons", screen) or [Para(_not_sent())],
        ),
        (_("PHƯƠNG HƯỚNG, NHIỆM VỤ"), _directions(assessments, conference, screen)),
        (_("ĐỀ XUẤT, KIẾN NGHỊ"), _proposals(assessments, screen)),
    ]
    for roman, (title, blocks) in zip(ROMAN, sections, strict=False):
        body.append(Heading(f"{roman}. {title}"))
        body.extend(blocks)
    body = _close_lists(body)

    issuer_names = [a.name for a in parties]
    signers = [_nfc(a.head_title or _("Thủ trưởng %(a)s") % {"a": a.name}).upper() for a in parties]
    report_ref = _("Báo cáo số %(n)s/%(s)s ngày %(d)s") % {
        "n": number,
        "s": symbol,
        "d": _d(issued_on),
    }
    recipients = [_("Ủy ban nhân dân tỉnh (để báo cáo);")]
    recipients += [_("Lãnh đạo %(a)s;") % {"a": a.short_name or a.name} for a in parties]
    recipients += [_("Các đơn vị thuộc %(a)s;") % {"a": a.short_name or a.name} for a in parties]
    recipients.append(_("Lưu: VT (%(p)s).") % {"p": ", ".join(prefixes) or "—"})
    mark = (
        str(Classification(classification).label).upper()
        if classification and classification in Classification.values
        else ""
    )
    title = _nfc(screen(review.title))
    return ReportDocument(
        issuers=tuple(_nfc(n).upper() for n in issuer_names),
        number_symbol=_("Số: %(n)s/%(s)s") % {"n": number, "s": symbol},
        classification=mark,
        nation=_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        motto=_("Độc lập - Tự do - Hạnh phúc"),
        place_date=long_date(place, issued_on),
        doc_type=_("BÁO CÁO"),
        title=title,
        body=tuple(body),
        # Joint documents: the lead issuer signs on the right, the others to its left.
        signers=tuple(reversed(signers)),
        sign_line="……………………………",
        recipients_label=_("Nơi nhận:"),
        recipients=tuple(f"- {r}" for r in recipients),
        annex_title=_("PHỤ LỤC"),
        annex_subtitle=_("SỐ LIỆU %(kind)s THỰC HIỆN QUY CHẾ") % {"kind": kind_label.upper()},
        annex_note=_("(Kèm theo %(ref)s)") % {"ref": report_ref},
        annex=tuple(_annex(stats)),
        filename="bao-cao-{kind}-{pk}-{a:%Y%m%d}-{b:%Y%m%d}".format(
            kind=review.kind.replace("_", "-"),
            pk=review.pk,
            a=review.period_from,
            b=review.period_to,
        ),
        meta_title=f"{_('Báo cáo')} {title}",
        meta_author=", ".join(issuer_names),
    )


def _regulation_number(regulation) -> str:
    """The regulation's number for the opening sentence: " (số 01/QCPH-CAT-SNgV ngày
    02/12/2008)", or nothing when it has none."""
    if not regulation.number_symbol:
        return ""
    if regulation.signed_on:
        text = _("số %(symbol)s ngày %(d)s") % {
            "symbol": regulation.number_symbol,
            "d": _d(regulation.signed_on),
        }
    else:
        text = _("số %(symbol)s") % {"symbol": regulation.number_symbol}
    return f" ({text})"


def _and(names: list[str]) -> str:
    """The names as "A, B và C"."""
    if len(names) < 2:
        return "".join(names)
    return _("%(list)s và %(last)s") % {"list": ", ".join(names[:-1]), "last": names[-1]}


def _close_lists(blocks: list) -> list:
    """The last item of a list ends with a full stop, the others with a semicolon."""
    out = list(blocks)
    for i, block in enumerate(out):
        following = out[i + 1] if i + 1 < len(out) else None
        if (
            isinstance(block, Para)
            and block.bullet
            and block.text.endswith(";")
            and not (isinstance(following, Para) and following.bullet)
        ):
            out[i] = replace(block, text=block.text[:-1] + ".")
    return out


def _not_sent() -> str:
    return _("Chưa có đơn vị nào gửi báo cáo đánh giá.")


def is_empty(stats: dict) -> bool:
    """No dossier opened or ended in the period."""
    return not any(
        stats.get(k) for k in ("dossiers_opened", "dossiers_resolved", "dossiers_closed_no_result")
    )


def _situation(review, stats, conference, kind_label) -> list:
    out = []
    if is_empty(stats):
        out.append(Para(_("Trong kỳ không có hồ sơ nào được mở hoặc kết thúc.")))
        text = _("Báo cáo vì vậy không có số liệu kết quả phối hợp của kỳ này.")
        if stats.get("dossiers_open_at_end"):
            text += " " + _(
                "Đến hết ngày %(b)s còn %(open)s hồ sơ của các kỳ trước đang thực hiện."
            ) % {
                "b": _d(review.period_to),
                "open": _n(stats["dossiers_open_at_end"]),
            }
        out.append(Para(text))
    else:
        resolved = stats.get("dossiers_resolved", 0)
        no_result = stats.get("dossiers_closed_no_result", 0)
        out.append(
            Para(
                _(
                    "Trong kỳ báo cáo, các cơ quan đã mở %(opened)s hồ sơ phối hợp; kết thúc "
                    "%(ended)s hồ sơ, trong đó %(resolved)s hồ sơ đã giải quyết, làm rõ và "
                    "%(no_result)s hồ sơ đóng không có kết quả. Đến hết ngày %(b)s còn "
                    "%(open)s hồ sơ đang thực hiện."
                )
                % {
                    "opened": _n(stats.get("dossiers_opened")),
                    "ended": _n(resolved + no_result),
                    "resolved": _n(resolved),
                    "no_result": _n(no_result),
                    "b": _d(review.period_to),
                    "open": _n(stats.get("dossiers_open_at_end")),
                }
            )
        )
        if stats.get("verifications_answered"):
            out.append(
                Para(
                    _(
                        "Các cơ quan đã trả lời %(answered)s yêu cầu trao đổi, xác minh, trong "
                        "đó %(clarified)s yêu cầu làm rõ được đối tượng."
                    )
                    % {
                        "answered": _n(stats["verifications_answered"]),
                        "clarified": _n(stats.get("verifications_clarified")),
                    }
                )
            )
        counterparts = stats.get("by_counterpart") or []
        if counterparts:
            out.append(
                Para(
                    _("Đối tác phía nước ngoài cùng giải quyết hồ sơ trong kỳ: %(list)s.")
                    % {
                        "list": "; ".join(
                            _("%(name)s (%(n)s hồ sơ)") % {"name": r["name"], "n": _n(r["count"])}
                            for r in counterparts
                        )
                    }
                )
            )
    if conference:
        out.append(
            Para(
                _("Hội nghị %(kind)s được tổ chức ngày %(d)s tại %(place)s.")
                % {
                    "kind": kind_label.lower(),
                    "d": _d(conference.held_on),
                    "place": _nfc(conference.place),
                }
            )
        )
    out += [Para(_("Lưu ý: %(w)s") % {"w": _nfc(w)}) for w in review.warnings or []]
    return out


def _ended_by_kind(stats, kind) -> tuple[int, int]:
    resolved = no_result = 0
    for row in stats.get("by_category") or []:
        if row.get("kind") != kind:
            continue
        if row["status"] == DossierStatus.RESOLVED:
            resolved += row["count"]
        elif row["status"] == DossierStatus.CLOSED_NO_RESULT:
            no_result += row["count"]
    return resolved, no_result


def _clause_ref(category) -> str:
    return _("khoản %(k)s Điều %(d)s") % {
        "k": category.clause.number,
        "d": category.clause.article.number,
    }


def _results(regulation, stats, assessments, screen) -> list:
    categories = defaultdict(list)
    for c in Category.objects.filter(regulation=regulation).select_related("clause__article"):
        categories[c.kind].append(c)
    kinds_present = {row.get("kind") for row in stats.get("by_category") or []}
    headline = {
        CategoryKind.JOINT_CRIMINAL: stats.get("joint_criminal_cases_cleared"),
        CategoryKind.BORDER_INCIDENT: stats.get("border_incidents_resolved"),
        CategoryKind.VERIFICATION: stats.get("subjects_verified"),
    }
    out: list = []
    number = 0
    for kind in KIND_ORDER:
        if not (
            categories.get(kind)
            or headline.get(kind)
            or kind in kinds_present
            # activities (issue 9): the activities' figures have their place here
            or (kind == CategoryKind.DELEGATION_SECURITY and _activity_results(stats))
        ):
            continue
        number += 1
        cats = categories.get(kind, [])
        name = "; ".join(c.name for c in cats) or str(CategoryKind(kind).label)
        refs = ", ".join(_clause_ref(c) for c in cats)
        title = f"{number}. {name}"
        if refs:
            title += " " + _("(%(refs)s Quy chế)") % {"refs": refs}
        out.append(Heading(title, level=2))
        out += _kind_results(kind, stats)
    number += 1
    out.append(Heading(f"{number}. {_('Thực hiện thời hạn theo Quy chế')}", level=2))
    out += _timeliness(stats.get("timeliness") or {})
    number += 1
    out.append(Heading(f"{number}. {_('Kết quả do các đơn vị báo cáo')}", level=2))
    out += _unit_texts(assessments, "results", screen) or [Para(_not_sent())]
    return out


def _kind_results(kind, stats) -> list:
    resolved, no_result = _ended_by_kind(stats, kind)
    if kind == CategoryKind.JOINT_CRIMINAL:
        n = stats.get("joint_criminal_cases_cleared") or 0
        if not n:
            return [
                Para(_("Trong kỳ không có vụ án hình sự nào được làm rõ với công an nước ngoài."))
            ]
        out = [
            Para(
                _(
                    "Các cơ quan đã phối hợp với công an nước ngoài làm rõ %(n)s vụ án hình sự, "
                    "trong đó:"
                )
                % {"n": _n(n)}
            )
        ]
        for row in stats.get("by_crime_type") or []:
            crime = row.get("name") or _("Chưa xác định tội danh")
            article = row.get("penal_code_article")
            label = f"{crime} ({article})" if article else crime
            out.append(
                Para(
                    _("%(crime)s: %(n)s vụ;") % {"crime": label, "n": _n(row["count"])}, bullet=True
                )
            )
        if no_result:
            out.append(
                Para(_("Có %(n)s hồ sơ vụ án đóng không có kết quả.") % {"n": _n(no_result)})
            )
        return out
    if kind == CategoryKind.BORDER_INCIDENT:
        n = stats.get("border_incidents_resolved") or 0
        if not n:
            text = _(
                "Trong kỳ không có vụ việc an ninh, trật tự tuyến biên giới nào được giải quyết."
            )
        else:
            text = _(
                "Các cơ quan đã phối hợp giải quyết %(n)s vụ việc an ninh, trật tự trên tuyến biên giới."
            ) % {"n": _n(n)}
        if no_result:
            text += " " + _("Có %(n)s vụ việc đóng không có kết quả.") % {"n": _n(no_result)}
        return [Para(text)]
    if kind == CategoryKind.VERIFICATION:
        n = stats.get("subjects_verified") or 0
        if not n:
            return [Para(_("Trong kỳ không có đối tượng nào được trao đổi, xác minh làm rõ."))]
        out = [
            Para(
                _(
                    "Các cơ quan đã trao đổi, xác minh làm rõ %(n)s đối tượng (mỗi người tính "
                    "một lần), qua %(clarified)s yêu cầu xác minh có kết quả làm rõ trên tổng số "
                    "%(answered)s yêu cầu đã được trả lời, trong đó:"
                )
                % {
                    "n": _n(n),
                    "clarified": _n(stats.get("verifications_clarified")),
                    "answered": _n(stats.get("verifications_answered")),
                }
            )
        ]
        for row in stats.get("subjects_verified_by_agency") or []:
            out.append(
                Para(
                    _("%(agency)s xác minh làm rõ %(n)s đối tượng;")
                    % {"agency": row.get("name") or "—", "n": _n(row["count"])},
                    bullet=True,
                )
            )
        return out
    # activities (issue 9): the delegations and events secured follow the dossiers' count
    extra = _activity_results(stats) if kind == CategoryKind.DELEGATION_SECURITY else []
    if not resolved and not no_result:
        return [Para(_("Trong kỳ không có hồ sơ nào kết thúc.")), *extra]
    if not no_result:
        return [
            Para(_("Các cơ quan đã giải quyết, làm rõ %(n)s hồ sơ.") % {"n": _n(resolved)}),
            *extra,
        ]
    return [
        Para(
            _(
                "Kết thúc %(ended)s hồ sơ, trong đó %(resolved)s hồ sơ đã giải quyết, làm rõ và "
                "%(no_result)s hồ sơ đóng không có kết quả."
            )
            % {
                "ended": _n(resolved + no_result),
                "resolved": _n(resolved),
                "no_result": _n(no_result),
            }
        ),
        *extra,
    ]


# -- activities: report (issue 9) ----------------------------------------------------------


def _activity_label(row) -> str:
    """The kind's name in the report's language (Vietnamese), lower-cased to run in a
    sentence; the label frozen with the figures when the kind is no longer known."""
    kind = row.get("kind")
    label = str(ActivityKind(kind).label) if kind in ActivityKind.values else row.get("label")
    label = _nfc(label) or "—"
    return label[:1].lower() + label[1:]


def _activity_results(stats) -> list:
    """The foreign-affairs activities that ended in the period, as one paragraph (and a
    second on the incidents during them); nothing when there were none, or when the
    figures were frozen before activities were counted."""
    if "activities_by_kind" not in stats:
        return []
    incoming = stats.get("activities_incoming_secured") or 0
    outgoing = stats.get("activities_outgoing") or 0
    events = stats.get("activities_events") or 0
    incidents = stats.get("activity_incidents") or 0
    if not (incoming or outgoing or events or incidents):
        return []
    text = _(
        "Về hoạt động đối ngoại, các cơ quan đã phối hợp thẩm tra thành viên, đánh giá tình "
        "hình và bảo đảm an ninh cho %(incoming)s đoàn nước ngoài vào làm việc tại tỉnh, "
        "%(outgoing)s đoàn của tỉnh đi công tác nước ngoài và %(events)s hội nghị, sự kiện, "
        "hoạt động quốc tế khác đã kết thúc trong kỳ"
    ) % {"incoming": _n(incoming), "outgoing": _n(outgoing), "events": _n(events)}
    event_rows = [
        row
        for row in stats.get("activities_by_kind") or []
        if row.get("count")
        and row.get("kind") not in (ActivityKind.INCOMING, ActivityKind.OUTGOING)
    ]
    if event_rows:
        text += _(", trong đó %(list)s") % {
            "list": "; ".join(
                _("%(kind)s: %(n)s") % {"kind": _activity_label(r), "n": _n(r["count"])}
                for r in event_rows
            )
        }
    out = [Para(text + ".")]
    if incidents:
        out.append(
            Para(
                _(
                    "Trong thời gian diễn ra các hoạt động phát sinh %(n)s vụ việc về an ninh, "
                    "trật tự; các vụ việc được mở hồ sơ để phối hợp xử lý theo Quy chế."
                )
                % {"n": _n(incidents)}
            )
        )
    else:
        out.append(Para(_("Trong thời gian diễn ra các hoạt động không phát sinh vụ việc nào.")))
    return out


# -- end activities: report ------------------------------------------------------------------


def _timeliness(t: dict) -> list:
    out = []
    if t.get("tasks_due"):
        out.append(
            Para(
                _(
                    "Trong kỳ có %(due)s nhiệm vụ đến hạn: %(on)s nhiệm vụ hoàn thành đúng hạn "
                    "(%(share)s), %(late)s nhiệm vụ hoàn thành quá hạn, %(over)s nhiệm vụ quá hạn "
                    "chưa hoàn thành."
                )
                % {
                    "due": _n(t["tasks_due"]),
                    "on": _n(t.get("tasks_on_time")),
                    "share": _pct(t.get("tasks_on_time_share")),
                    "late": _n(t.get("tasks_late")),
                    "over": _n(t.get("tasks_open_overdue")),
                }
            )
        )
    else:
        out.append(Para(_("Trong kỳ không có nhiệm vụ nào đến hạn.")))
    if t.get("verifications_due"):
        out.append(
            Para(
                _(
                    "Trong kỳ có %(due)s yêu cầu xác minh đến hạn trả lời: %(on)s yêu cầu được trả "
                    "lời đúng hạn (%(share)s), %(late)s yêu cầu trả lời quá hạn."
                )
                % {
                    "due": _n(t["verifications_due"]),
                    "on": _n(t.get("verifications_on_time")),
                    "share": _pct(t.get("verifications_on_time_share")),
                    "late": _n(t.get("verifications_late")),
                }
            )
        )
    return out


def _unit_label(assessment) -> str:
    unit = assessment.unit
    return f"{unit.name} ({unit.agency.short_name})"


def _unit_texts(assessments, field_name, screen) -> list:
    out = []
    for a in assessments:
        text = getattr(a, field_name)
        if text and text.strip():
            out += _paragraphs(text, screen, lead=f"{_unit_label(a)}: ")
    return out


def _assessment(stats, assessments, screen) -> list:
    t = stats.get("timeliness") or {}
    strengths = []
    if t.get("tasks_due") or t.get("verifications_due"):
        strengths.append(
            Para(
                _(
                    "Tỉ lệ nhiệm vụ hoàn thành đúng thời hạn theo Quy chế đạt %(tasks)s; tỉ lệ "
                    "yêu cầu xác minh được trả lời đúng hạn đạt %(verifications)s."
                )
                % {
                    "tasks": _pct(t.get("tasks_on_time_share")),
                    "verifications": _pct(t.get("verifications_on_time_share")),
                }
            )
        )
    if not is_empty(stats):
        strengths.append(Para(_("Kết quả cụ thể của từng nội dung phối hợp như Mục II.")))
    if not strengths:
        strengths.append(Para(_("Trong kỳ không có số liệu để đánh giá.")))
    shortcomings = []
    late = (t.get("tasks_late") or 0) + (t.get("tasks_open_overdue") or 0)
    if late or t.get("verifications_late"):
        shortcomings.append(
            Para(
                _(
                    "Còn %(tasks)s nhiệm vụ hoàn thành quá hạn hoặc quá hạn chưa hoàn thành và "
                    "%(verifications)s yêu cầu xác minh trả lời quá hạn."
                )
                % {"tasks": _n(late), "verifications": _n(t.get("verifications_late"))}
            )
        )
    shortcomings += _unit_texts(assessments, "shortcomings", screen)
    causes = _unit_texts(assessments, "causes", screen)
    return [
        Heading(f"1. {_('Ưu điểm')}", level=2),
        *strengths,
        Heading(f"2. {_('Tồn tại, hạn chế')}", level=2),
        *(shortcomings or [Para(_("Các đơn vị chưa nêu tồn tại, hạn chế."))]),
        Heading(f"3. {_('Nguyên nhân')}", level=2),
        *(causes or [Para(_("Các đơn vị chưa nêu nguyên nhân."))]),
    ]


def _directions(assessments, conference, screen) -> list:
    out = []
    if conference and conference.conclusions.strip():
        out += _paragraphs(conference.conclusions, screen, lead=_("Kết luận của hội nghị: "))
    out += _unit_texts(assessments, "directions", screen)
    return out or [Para(_not_sent())]


def _proposals(assessments, screen) -> list:
    by_clause: dict = {}
    for a in assessments:
        for p in a.proposals.all():
            by_clause.setdefault(p.clause, []).append((a, p))
    if not by_clause:
        return [Para(_("Các đơn vị không đề xuất sửa đổi, bổ sung Quy chế."))]
    out = [Para(_("Đề xuất sửa đổi, bổ sung các quy định sau của Quy chế:"))]
    ordered = sorted(by_clause.items(), key=lambda kv: (kv[0].article.number, kv[0].number))
    for clause, items in ordered:
        out.append(
            Heading(
                _("Khoản %(k)s Điều %(d)s (%(title)s)")
                % {"k": clause.number, "d": clause.article.number, "title": clause.article.title},
                level=3,
            )
        )
        for a, p in items:
            text = _nfc(screen(p.text))
            if p.status == ProposalStatus.ACCEPTED:
                text += " " + _("(đã được chấp nhận)")
            out.append(Para(text, lead=f"{_unit_label(a)}: ", bullet=True))
    return out


def _status_label(status) -> str:
    labels = dict(DossierStatus.choices)
    return str(labels.get(status, status))


def _annex(stats) -> list:
    kinds = dict(CategoryKind.choices)
    out: list = []
    out.append(
        Table(
            _("Bảng 1. Số liệu chính của kỳ"),
            (_("TT"), _("Chỉ tiêu"), _("Số lượng")),
            tuple(
                (str(i), str(HEADLINE_LABELS[k]), _n(stats.get(k)))
                for i, k in enumerate(HEADLINE_KEYS, 1)
            ),
            (0.08, 0.70, 0.22),
            (False, False, True),
        )
    )
    rows = stats.get("by_category") or []
    out.append(
        Table(
            _("Bảng 2. Hồ sơ kết thúc trong kỳ theo lĩnh vực"),
            (_("TT"), _("Lĩnh vực"), _("Kết quả"), _("Số hồ sơ")),
            _numbered(
                [(r["name"], _status_label(r["status"]), _n(r["count"])) for r in rows],
                total=sum(r["count"] for r in rows),
                width=3,
            ),
            (0.08, 0.46, 0.30, 0.16),
            (False, False, False, True),
            total=bool(rows),
        )
    )
    rows = stats.get("by_crime_type") or []
    out.append(
        Table(
            _("Bảng 3. Vụ án hình sự phối hợp đã làm rõ theo tội danh"),
            (_("TT"), _("Tội danh"), _("Điều luật"), _("Số vụ")),
            _numbered(
                [
                    (
                        r.get("name") or _("Chưa xác định tội danh"),
                        r.get("penal_code_article") or "—",
                        _n(r["count"]),
                    )
                    for r in rows
                ],
                total=sum(r["count"] for r in rows),
                width=3,
            ),
            (0.08, 0.46, 0.30, 0.16),
            (False, False, False, True),
            total=bool(rows),
        )
    )
    rows = stats.get("by_lead_agency") or []
    out.append(
        Table(
            _("Bảng 4. Hồ sơ kết thúc trong kỳ theo cơ quan chủ trì"),
            (_("TT"), _("Cơ quan"), _("Kết quả"), _("Số hồ sơ")),
            _numbered(
                [(r.get("name") or "—", _status_label(r["status"]), _n(r["count"])) for r in rows],
                total=sum(r["count"] for r in rows),
                width=3,
            ),
            (0.08, 0.46, 0.30, 0.16),
            (False, False, False, True),
            total=bool(rows),
        )
    )
    rows = stats.get("by_counterpart") or []
    out.append(
        Table(
            _("Bảng 5. Hồ sơ đã giải quyết theo đối tác nước ngoài"),
            (_("TT"), _("Đối tác"), _("Số hồ sơ")),
            _numbered(
                [(r.get("name") or "—", _n(r["count"])) for r in rows],
                total=sum(r["count"] for r in rows),
                width=2,
            ),
            (0.08, 0.70, 0.22),
            (False, False, True),
            total=bool(rows),
        )
    )
    rows = stats.get("by_year") or []
    out.append(
        Table(
            _("Bảng 6. Hồ sơ đã giải quyết theo năm"),
            (_("TT"), _("Năm"), _("Loại"), _("Số hồ sơ")),
            _numbered(
                [
                    (str(r["year"]), str(kinds.get(r["kind"], r["kind"])), _n(r["count"]))
                    for r in rows
                ],
                total=sum(r["count"] for r in rows),
                width=3,
            ),
            (0.08, 0.14, 0.62, 0.16),
            (False, False, False, True),
            total=bool(rows),
        )
    )
    rows = stats.get("subjects_verified_by_agency") or []
    out.append(
        Table(
            _("Bảng 7. Đối tượng đã xác minh làm rõ theo cơ quan được yêu cầu"),
            (_("TT"), _("Cơ quan"), _("Số đối tượng")),
            _numbered([(r.get("name") or "—", _n(r["count"])) for r in rows], width=2),
            (0.08, 0.70, 0.22),
            (False, False, True),
        )
    )
    t = stats.get("timeliness") or {}
    out.append(
        Table(
            _("Bảng 8. Thực hiện thời hạn theo Quy chế"),
            (_("TT"), _("Chỉ tiêu"), _("Số lượng")),
            _numbered(
                [
                    (_("Nhiệm vụ đến hạn trong kỳ"), _n(t.get("tasks_due"))),
                    (_("Hoàn thành đúng hạn"), _n(t.get("tasks_on_time"))),
                    (_("Hoàn thành quá hạn"), _n(t.get("tasks_late"))),
                    (_("Quá hạn, chưa hoàn thành"), _n(t.get("tasks_open_overdue"))),
                    (_("Tỉ lệ nhiệm vụ đúng hạn"), _pct(t.get("tasks_on_time_share"))),
                    (_("Yêu cầu xác minh đến hạn trong kỳ"), _n(t.get("verifications_due"))),
                    (_("Trả lời đúng hạn"), _n(t.get("verifications_on_time"))),
                    (_("Trả lời quá hạn"), _n(t.get("verifications_late"))),
                    (
                        _("Tỉ lệ yêu cầu xác minh trả lời đúng hạn"),
                        _pct(t.get("verifications_on_time_share")),
                    ),
                ],
                width=2,
            ),
            (0.08, 0.70, 0.22),
            (False, False, True),
        )
    )
    totals = category_totals(stats)
    chart_title = _("Hồ sơ đã giải quyết theo lĩnh vực")
    if totals:
        # The chart of the review's page (reviews:chart), drawn as PNG.
        png = bar_chart_png([n for n, _c in totals], [c for _n, c in totals], chart_title)
        out.append(Chart(_("Biểu đồ 1. %(t)s") % {"t": chart_title}, png))
    else:
        out.append(Para(_("Không có hồ sơ đã giải quyết trong kỳ để vẽ biểu đồ.")))
    return out


def _numbered(rows, *, width: int, total: int | None = None) -> tuple[tuple[str, ...], ...]:
    """Rows with their order number first; an empty table says so; a total row last."""
    if not rows:
        return ((_("Không có."), *[""] * width),)
    out = [(str(i), *r) for i, r in enumerate(rows, 1)]
    if total is not None:
        out.append(("", _("Tổng cộng"), *[""] * (width - 2), _n(total)))
    return tuple(out)


# --- DOCX ------------------------------------------------------------------------------------


def render_docx(doc: ReportDocument) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import OxmlElement
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
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(BODY_PT)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), "Times New Roman")
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    d.core_properties.title = doc.meta_title
    d.core_properties.author = doc.meta_author
    d.core_properties.language = "vi-VN"

    center, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY

    def para(container, text="", *, size=BODY_PT, bold=False, italic=False, align=center):
        p = container.add_paragraph()
        p.alignment = align
        if text:
            run = p.add_run(text)
            run.font.size, run.bold, run.italic = Pt(size), bold, italic
        return p

    def rule(container, indent_mm: float):
        """A short centred line: a bottom border on an empty paragraph, indented both sides."""
        p = container.add_paragraph()
        p.paragraph_format.left_indent = p.paragraph_format.right_indent = Mm(indent_mm)
        p_pr = p._p.get_or_add_pPr()
        borders = p_pr.makeelement(qn("w:pBdr"), {})
        bottom = borders.makeelement(
            qn("w:bottom"),
            {qn("w:val"): "single", qn("w:sz"): "6", qn("w:space"): "1", qn("w:color"): "000000"},
        )
        borders.append(bottom)
        p_pr.append(borders)
        run = p.add_run()
        run.font.size = Pt(2)
        return p

    def widths(table, mm_widths):
        table.autofit = False
        for column, w in zip(table.columns, mm_widths, strict=True):
            column.width = Mm(w)  # the grid, which LibreOffice follows
        for row in table.rows:
            for cell, w in zip(row.cells, mm_widths, strict=True):
                cell.width = Mm(w)

    # Header: issuing bodies and number | national title, motto, place and date.
    header = d.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths(header, (HEADER_LEFT_MM, TEXT_WIDTH - HEADER_LEFT_MM))
    left, right = header.rows[0].cells
    left.paragraphs[0].alignment = center
    for i, issuer in enumerate(doc.issuers):
        p = left.paragraphs[0] if i == 0 else left.add_paragraph()
        p.alignment = center
        run = p.add_run(issuer)
        run.font.size, run.bold = Pt(13), True
    rule(left, 22)
    para(left, doc.number_symbol, size=13).paragraph_format.space_before = Pt(6)
    if doc.classification:
        mark = para(left, doc.classification, size=13, bold=True)
        mark.paragraph_format.space_before = Pt(6)
    right.paragraphs[0].alignment = center
    run = right.paragraphs[0].add_run(doc.nation)
    run.font.size, run.bold = Pt(12), True
    motto = para(right, size=13)
    run = motto.add_run(doc.motto)
    run.font.size, run.bold, run.underline = Pt(13), True, True
    date = para(right, doc.place_date, size=13, italic=True)
    date.paragraph_format.space_before = Pt(12)

    # Type and title.
    para(d, doc.doc_type, bold=True).paragraph_format.space_before = Pt(18)
    para(d, doc.title, bold=True)
    rule(d, (TEXT_WIDTH - 40) / 2)

    def body_block(container, block):
        if isinstance(block, Heading):
            p = container.add_paragraph()
            run = p.add_run(block.text)
            run.bold = True
            run.italic = block.level >= 3
        elif isinstance(block, Para):
            p = container.add_paragraph()
            if block.bullet:
                p.add_run("- ")
            if block.lead:
                p.add_run(block.lead).bold = True
            p.add_run(block.text).italic = block.italic
        elif isinstance(block, Table):
            docx_table(container, block)
            return
        elif isinstance(block, Chart):
            p = para(container, block.title, bold=True)
            p.paragraph_format.space_before = Pt(12)
            p.paragraph_format.keep_with_next = True
            pic = para(container)
            pic.add_run().add_picture(io.BytesIO(block.png), width=Mm(TEXT_WIDTH - 5))
            return
        else:  # pragma: no cover
            raise TypeError(block)
        fmt = p.paragraph_format
        p.alignment = justify
        fmt.first_line_indent = Mm(FIRST_LINE_INDENT_MM)
        fmt.space_before = Pt(6)
        fmt.line_spacing = LINE_SPACING
        if isinstance(block, Heading):
            fmt.keep_with_next = True
        for run in p.runs:
            run.font.size = Pt(BODY_PT)

    def docx_table(container, block: Table):
        title = para(container, block.title, bold=True, size=13)
        title.paragraph_format.space_before = Pt(12)
        title.paragraph_format.space_after = Pt(4)
        title.paragraph_format.keep_with_next = True
        table = container.add_table(rows=1 + len(block.rows), cols=len(block.columns))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        widths(table, [TEXT_WIDTH * w for w in block.widths])
        # the header row repeats on each page the table runs onto
        table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        last = len(block.rows)
        for r, values in enumerate([block.columns, *block.rows]):
            for c, value in enumerate(values):
                cell = table.cell(r, c)
                p = cell.paragraphs[0]
                p.alignment = (
                    center
                    if r == 0 or c == 0
                    else WD_ALIGN_PARAGRAPH.RIGHT
                    if block.numeric[c]
                    else WD_ALIGN_PARAGRAPH.LEFT
                )
                run = p.add_run(value)
                run.font.size = Pt(13)
                run.bold = r == 0 or (block.total and r == last)

    for block in doc.body:
        body_block(d, block)

    # Signatures, side by side; then the recipients.
    spacer = para(d)
    spacer.paragraph_format.space_before = Pt(6)
    if doc.signers:
        signatures = d.add_table(rows=1, cols=len(doc.signers))
        signatures.alignment = WD_TABLE_ALIGNMENT.CENTER
        widths(signatures, [TEXT_WIDTH / len(doc.signers)] * len(doc.signers))
        for cell, title in zip(signatures.rows[0].cells, doc.signers, strict=True):
            p = cell.paragraphs[0]
            p.alignment = center
            run = p.add_run(title)
            run.font.size, run.bold = Pt(BODY_PT), True
            for _i in range(4):
                para(cell)
            para(cell, doc.sign_line)
    received = para(d, doc.recipients_label, size=12, bold=True, italic=True)
    received.alignment = WD_ALIGN_PARAGRAPH.LEFT
    received.paragraph_format.space_before = Pt(12)
    for line in doc.recipients:
        para(d, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)

    # Annex, on a new page.
    breaker = d.add_paragraph()
    breaker.add_run().add_break(WD_BREAK.PAGE)
    para(d, doc.annex_title, bold=True)
    para(d, doc.annex_subtitle, bold=True)
    para(d, doc.annex_note, italic=True)
    for block in doc.annex:
        body_block(d, block)

    # Page numbers: at the top, centred, from page 2 (the first page's header is empty).
    number = section.header.paragraphs[0]
    number.alignment = center
    _docx_page_field(number, Pt(13))
    section.first_page_header.paragraphs[0].text = ""

    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def docx_page_field(paragraph, size) -> None:
    """A PAGE field (the page number) at the end of `paragraph`, for other DOCX documents."""
    _docx_page_field(paragraph, size)


def _docx_page_field(paragraph, size) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run_with(element):
        run = paragraph.add_run()
        run.font.size = size
        run._r.append(element)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(begin)
    run_with(instruction)
    run_with(separate)
    paragraph.add_run("2").font.size = size  # shown until the field is updated
    run_with(end)


# --- PDF -------------------------------------------------------------------------------------

# Candidate serif faces (regular, bold, italic, bold italic), best first.
_TNR_PATHS = (
    (
        "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman.ttf",
        "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman_Bold.ttf",
        "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman_Italic.ttf",
        "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman_Bold_Italic.ttf",
    ),
    (
        "/usr/share/fonts/truetype/msttcorefonts/times.ttf",
        "/usr/share/fonts/truetype/msttcorefonts/timesbd.ttf",
        "/usr/share/fonts/truetype/msttcorefonts/timesi.ttf",
        "/usr/share/fonts/truetype/msttcorefonts/timesbi.ttf",
    ),
    (
        "/Library/Fonts/Times New Roman.ttf",
        "/Library/Fonts/Times New Roman Bold.ttf",
        "/Library/Fonts/Times New Roman Italic.ttf",
        "/Library/Fonts/Times New Roman Bold Italic.ttf",
    ),
    (
        "C:/Windows/Fonts/times.ttf",
        "C:/Windows/Fonts/timesbd.ttf",
        "C:/Windows/Fonts/timesi.ttf",
        "C:/Windows/Fonts/timesbi.ttf",
    ),
)
_LIBERATION_PATHS = tuple(
    tuple(f"{folder}/LiberationSerif-{s}.ttf" for s in ("Regular", "Bold", "Italic", "BoldItalic"))
    for folder in (
        "/usr/share/fonts/truetype/liberation",
        "/usr/share/fonts/truetype/liberation2",
        "/usr/share/fonts/liberation-serif",
        "/usr/share/fonts/liberation",
    )
)
_FC_STYLES = ("Regular", "Bold", "Italic", "Bold Italic")


def _fc_match(family: str) -> tuple[str, ...] | None:
    """The four faces of `family` as fontconfig finds them, only if it has that family
    itself (fontconfig otherwise answers with a substitute) in four TrueType files."""
    exe = shutil.which("fc-match")
    if not exe:
        return None
    files = []
    for style in _FC_STYLES:
        try:
            found = subprocess.run(  # noqa: S603 (a fixed program and arguments)
                [exe, "-f", "%{family}\t%{file}", f"{family}:style={style}"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        families, _sep, path = found.partition("\t")
        if family.casefold() not in families.casefold() or not path.lower().endswith(".ttf"):
            return None
        files.append(path)
    return tuple(files) if len(set(files)) == 4 else None


def _matplotlib_dejavu() -> tuple[str, ...]:
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return tuple(
        str(folder / f"DejaVuSerif{s}.ttf") for s in ("", "-Bold", "-Italic", "-BoldItalic")
    )


# Every letter of Vietnamese, lower and upper case: a face must have them all.
VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
_VIETNAMESE_CODEPOINTS = frozenset(ord(c) for c in VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper())


def _has_vietnamese(path: str) -> bool:
    """Whether the TrueType file maps every Vietnamese letter (fonts-liberation 1.x does
    not: its Liberation Serif lacks ạ, ỉ, ư…)."""
    from reportlab.pdfbase.ttfonts import TTFontFile

    try:
        mapped = TTFontFile(path).charToGlyph
    except Exception:
        return False
    return mapped.keys() >= _VIETNAMESE_CODEPOINTS


@lru_cache(maxsize=1)
def serif_font_files() -> tuple[str, tuple[str, ...]]:
    """(family, (regular, bold, italic, bold italic)): Times New Roman where the machine
    has it, else Liberation Serif (metric-compatible with it), else the DejaVu Serif that
    matplotlib ships; the first whose four faces all have every Vietnamese letter."""
    for family, candidates in (
        ("Times New Roman", (_fc_match("Times New Roman"), *_TNR_PATHS)),
        ("Liberation Serif", (_fc_match("Liberation Serif"), *_LIBERATION_PATHS)),
        ("DejaVu Serif", (_matplotlib_dejavu(),)),
    ):
        for files in candidates:
            if (
                files
                and all(Path(f).is_file() for f in files)
                and all(_has_vietnamese(f) for f in files)
            ):
                return family, files
    raise RuntimeError("no serif TrueType font with Vietnamese letters found for the PDF report")


def pdf_fonts() -> tuple[str, str, str, str]:
    """The registered (regular, bold, italic, bold italic) font names, for other PDFs."""
    return _pdf_fonts()


@lru_cache(maxsize=1)
def _pdf_fonts() -> tuple[str, str, str, str]:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    _family, files = serif_font_files()
    names = ("PhoihopSerif", "PhoihopSerif-Bold", "PhoihopSerif-Italic", "PhoihopSerif-BoldItalic")
    for name, path in zip(names, files, strict=True):
        pdfmetrics.registerFont(TTFont(name, path))  # embedded as a TrueType subset
    for (bold, italic), name in zip(((0, 0), (1, 0), (0, 1), (1, 1)), names, strict=True):
        addMapping("PhoihopSerif", bold, italic, name)
    return names


def _png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


def render_pdf(doc: ReportDocument) -> bytes:
    # reportlab: the standard Python library for laying out PDF documents (platypus flowables),
    # with TrueType embedding, so every Vietnamese letter is drawn from the embedded font.
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import (
        HRFlowable,
        Image,
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )
    from reportlab.platypus import Table as RLTable

    regular, bold, italic, bold_italic = _pdf_fonts()
    width = TEXT_WIDTH * mm
    # DejaVu Serif sets about a quarter wider than Times New Roman: one point less keeps
    # the layout's lines within the same widths (a 13 pt body is within Decree 30's range).
    shrink = 1 if serif_font_files()[0] == "DejaVu Serif" else 0
    body_pt, small = BODY_PT - shrink, 13 - shrink
    left_w, right_w = HEADER_LEFT_MM * mm, width - HEADER_LEFT_MM * mm

    def style(name, size=body_pt, font=regular, align=TA_CENTER, **kw):
        kw.setdefault("leading", size * 1.2)
        return ParagraphStyle(
            name, fontName=font, bulletFontName=font, fontSize=size, alignment=align, **kw
        )

    def table_style(*commands):
        # Cells default to Helvetica otherwise, which would then be listed in the file.
        return TableStyle([("FONTNAME", (0, 0), (-1, -1), regular), *commands])

    def fitted(text, font, size, room, floor):
        """The largest size down to `floor` that sets `text` on one line within `room`."""
        while size > floor and stringWidth(text, font, size) > room - 2:
            size -= 0.5
        return size

    body = style(
        "body",
        align=TA_JUSTIFY,
        leading=body_pt * 1.2 * LINE_SPACING,
        firstLineIndent=FIRST_LINE_INDENT_MM * mm,
        spaceBefore=6,
    )
    heading = ParagraphStyle("heading", parent=body, fontName=bold, keepWithNext=1)
    subheading = ParagraphStyle("subheading", parent=heading)
    cell = style("cell", small, align=TA_LEFT)
    cell_num = ParagraphStyle("cell-num", parent=cell, alignment=TA_RIGHT)
    cell_center = ParagraphStyle("cell-center", parent=cell, alignment=TA_CENTER)
    cell_head = ParagraphStyle("cell-head", parent=cell, fontName=bold, alignment=TA_CENTER)

    def p(text, st, *, b=False, i=False):
        text = escape(text)
        if b:
            text = f"<b>{text}</b>"
        if i:
            text = f"<i>{text}</i>"
        return Paragraph(text, st)

    # Header: issuing bodies and number | national title, motto, place and date.
    left = [
        p(issuer, style("issuer", fitted(issuer, bold, small, left_w, small - 2), bold))
        for issuer in doc.issuers
    ]
    # (spaces inside a table cell are Spacers: a cell ignores spaceBefore and spaceAfter)
    left += [
        Spacer(1, 4),
        HRFlowable(width="35%", thickness=0.6, color=colors.black),
        Spacer(1, 6),
        p(doc.number_symbol, style("number", small)),
    ]
    if doc.classification:
        mark = RLTable([[p(doc.classification, style("mark", small, bold))]], colWidths=[30 * mm])
        mark.setStyle(table_style(("BOX", (0, 0), (-1, -1), 0.8, colors.black)))
        left += [Spacer(1, 6), mark]
    motto_pt = fitted(doc.motto, bold, small, right_w, small - 2)
    right = [
        p(doc.nation, style("nation", fitted(doc.nation, bold, small, right_w, 10), bold)),
        p(doc.motto, style("motto", motto_pt, bold)),
        Spacer(1, 2),
        HRFlowable(width=stringWidth(doc.motto, bold, motto_pt), thickness=0.6, color=colors.black),
        Spacer(1, 10),
        p(doc.place_date, style("date", small, italic)),
    ]
    header = RLTable([[left, right]], colWidths=[left_w, right_w])
    header.setStyle(
        table_style(
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        )
    )
    story = [
        header,
        Spacer(1, 18),
        p(doc.doc_type, style("type", body_pt, bold)),
        p(doc.title, style("title", body_pt, bold)),
        HRFlowable(width=40 * mm, thickness=0.6, color=colors.black, spaceBefore=2, spaceAfter=6),
    ]

    def blocks(items):
        for block in items:
            if isinstance(block, Heading):
                st = heading if block.level < 3 else subheading
                story.append(p(block.text, st, i=block.level >= 3))
            elif isinstance(block, Para):
                text = escape(block.text)
                if block.italic:
                    text = f"<i>{text}</i>"
                if block.lead:
                    text = f"<b>{escape(block.lead)}</b>{text}"
                if block.bullet:
                    text = "- " + text
                story.append(Paragraph(text, body))
            elif isinstance(block, Table):
                rows = [[p(c, cell_head) for c in block.columns]]
                for r, values in enumerate(block.rows, 1):
                    strong = block.total and r == len(block.rows)
                    rows.append(
                        [
                            p(
                                v,
                                cell_center if c == 0 else cell_num if block.numeric[c] else cell,
                                b=strong,
                            )
                            for c, v in enumerate(values)
                        ]
                    )
                table = RLTable(rows, colWidths=[width * w for w in block.widths], repeatRows=1)
                table.setStyle(
                    table_style(
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    )
                )
                title = p(
                    block.title, style("table-title", small, bold, spaceBefore=12, spaceAfter=4)
                )
                story.append(KeepTogether([title, table]) if len(rows) < 15 else title)
                if len(rows) >= 15:
                    story.append(table)
            elif isinstance(block, Chart):
                w, h = _png_size(block.png)
                img_w = width - 5 * mm
                story.append(
                    KeepTogether(
                        [
                            p(
                                block.title,
                                style("chart-title", small, bold, spaceBefore=12, spaceAfter=4),
                            ),
                            Image(io.BytesIO(block.png), width=img_w, height=img_w * h / w),
                        ]
                    )
                )
            else:  # pragma: no cover
                raise TypeError(block)

    blocks(doc.body)

    closing = [Spacer(1, 12)]
    if doc.signers:
        cells = [
            [
                p(title, style("signer", body_pt, bold)),
                Spacer(1, 60),
                p(doc.sign_line, style("sign-line")),
            ]
            for title in doc.signers
        ]
        signatures = RLTable([cells], colWidths=[width / len(doc.signers)] * len(doc.signers))
        signatures.setStyle(table_style(("VALIGN", (0, 0), (-1, -1), "TOP")))
        closing.append(signatures)
    recipients_style = style("recipients", 11, align=TA_LEFT)
    closing += [
        Spacer(1, 12),
        p(doc.recipients_label, style("recipients-label", 12, bold_italic, align=TA_LEFT)),
        *[p(line, recipients_style) for line in doc.recipients],
    ]
    story.append(KeepTogether(closing))

    story += [
        PageBreak(),
        p(doc.annex_title, style("annex", body_pt, bold)),
        p(doc.annex_subtitle, style("annex-sub", body_pt, bold)),
        p(doc.annex_note, style("annex-note", body_pt, italic)),
    ]
    blocks(doc.annex)

    def page_number(canvas, pdf):
        # From page 2: the number at the top, centred over the text.
        canvas.saveState()
        canvas.setFont(regular, 13)
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
        lang="vi-VN",
        initialFontName=regular,  # not Helvetica: every font of the file is the embedded serif
        initialFontSize=body_pt,
    ).build(story, onLaterPages=page_number)
    return out.getvalue()


# --- one call --------------------------------------------------------------------------------


def render(review: Review, fmt: str, **options) -> tuple[bytes, str, str]:
    """(content, content type, ASCII file name) of the review's report in `fmt`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}")
    doc = build_report(review, **options)
    content = render_docx(doc) if fmt == "docx" else render_pdf(doc)
    return content, FORMATS[fmt], f"{doc.filename}.{fmt}"
