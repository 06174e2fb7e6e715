"""A regulation's text in and out of the database.

`regulation_import` saves a `RegulationTree` (read by `importer.py` from a .docx or plain
text) as a draft version; the export (`regulation_document`) reads the rows back into a
tree with `selectors.regulation_as_tree`, as finalising and the redline do, so the round
trip import → export → import goes through the same path; `responsibilities_save`
assigns who leads and supports each clause of a draft. Reading an uploaded file into a tree (`parse_upload`) is shared by the pages and
the `phoihop regulation import` command.
"""

from __future__ import annotations

import codecs
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from phoihop.accounts.models import Agency
from phoihop.audit.services import audit_record
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.text import nfc
from phoihop.regulations.choices import RegulationStatus, ResponsibilityRole
from phoihop.regulations.export import render_docx, render_pdf
from phoihop.regulations.importer import ImportFailed, parse_docx, parse_text
from phoihop.regulations.models import (
    Article,
    Chapter,
    Clause,
    Point,
    Regulation,
    Responsibility,
    Section,
)
from phoihop.regulations.policy import may_edit
from phoihop.regulations.selectors import export_meta, regulation_as_tree
from phoihop.regulations.tree import (
    ArticleNode,
    ChapterNode,
    RegulationTree,
)

__all__ = [
    "EXPORT_FORMATS",
    "MAX_RESPONSE_DAYS",
    "MAX_RESPONSE_HOURS",
    "parse_upload",
    "regulation_document",
    "regulation_import",
    "responsibilities_save",
    "tree_counts",
    "tree_errors",
]

# The page routes that sit where a regulation's code would ("/regulations/import/").
RESERVED_CODES = frozenset({"import"})
MAX_RESPONSE_DAYS = 365
MAX_RESPONSE_HOURS = 720  # 30 days: beyond that a deadline is counted in working days
EXPORT_FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}

# Column lengths of the rows the tree becomes (models.py).
_TITLE_MAX = 500
_CODE_MAX = 32
_NUMBER_SYMBOL_MAX = 128
_PLACE_MAX = 64
_TASK_TITLE_MAX = 255
_NUMBER_MAX = 32767  # PositiveSmallIntegerField
_POINT_LETTER_MAX = 2


# --- reading an upload ---------------------------------------------------------------------


def _decode_text(data: bytes) -> str:
    """Plain text as saved by Notepad and the like: UTF-8 (with or without BOM) or UTF-16
    with its BOM."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            _(
                "Tệp văn bản không đọc được: hãy lưu tệp .txt với bảng mã UTF-8 "
                "(hoặc tải lên bản Word .docx)."
            )
        ) from exc


def _looks_binary(data: bytes) -> bool:
    return data.startswith((b"PK", b"%PDF", bytes.fromhex("d0cf11e0"))) or b"\x00" in data[:4096]


def parse_upload(data: bytes, name: str = "") -> RegulationTree:
    """The regulation in an uploaded file: a .docx, or plain text (.txt).

    The extension decides when it is .docx or .txt; otherwise the content does (a zip,
    a PDF or an old Word file is read as .docx, so the refusal names what it is). Raises
    `ImportFailed` with a message for the user.
    """
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix == "docx":
        return parse_docx(data)
    if suffix in {"txt", "text"} or (data and not _looks_binary(data)):
        if not data.strip():
            raise ImportFailed(_("Tệp rỗng: không có nội dung để nhập."))
        return parse_text(_decode_text(data))
    return parse_docx(data)


# --- checking a tree -----------------------------------------------------------------------


def tree_counts(tree: RegulationTree) -> dict[str, int]:
    """How many chapters, sections, articles, clauses and points a tree has."""
    clauses = tree.clauses()
    return {
        "chapters": len(tree.chapters),
        "sections": sum(len(c.sections) for c in tree.chapters),
        "articles": len(tree.articles()),
        "clauses": len(clauses),
        "points": sum(len(clause.points) for _article, clause in clauses),
    }


def _too_long(text: str, limit: int) -> bool:
    return len(text) > limit


def tree_errors(tree: RegulationTree) -> list[str]:
    """What in a tree cannot be stored as a regulation, one message each; [] when it can.

    The importer already refuses a number used twice; a tree built otherwise is checked
    again here. Articles are numbered across the whole text and must rise (the rows keep
    no other order), chapters and the sections of a chapter likewise, clauses run 1, 2…
    """
    errors: list[str] = []
    if not tree.articles():
        errors.append(_("Văn bản không có điều nào."))
    seen_chapters: set[int] = set()
    seen_articles: dict[int, int] = {}
    last_chapter = last_article = 0
    for chapter in tree.chapters:
        where = _("Chương %(n)s") % {"n": chapter.number}
        if chapter.number in seen_chapters:
            errors.append(_("Chương %(n)s bị trùng số.") % {"n": chapter.number})
        elif not 0 < chapter.number <= _NUMBER_MAX or chapter.number < last_chapter:
            errors.append(
                _("%(where)s không đúng thứ tự: các chương phải đánh số tăng dần.")
                % {"where": where}
            )
        seen_chapters.add(chapter.number)
        last_chapter = max(last_chapter, chapter.number)
        if _too_long(chapter.title, _TITLE_MAX):
            errors.append(
                _("%(where)s: tên chương dài quá %(max)d ký tự.")
                % {"where": where, "max": _TITLE_MAX}
            )
        section_numbers: list[int] = []
        for section in chapter.sections:
            if section.number in section_numbers:
                errors.append(
                    _("%(where)s: Mục %(n)s bị trùng số.") % {"where": where, "n": section.number}
                )
            elif not 0 < section.number <= _NUMBER_MAX or (
                section_numbers and section.number < section_numbers[-1]
            ):
                errors.append(
                    _("%(where)s: Mục %(n)s không đúng thứ tự.")
                    % {"where": where, "n": section.number}
                )
            section_numbers.append(section.number)
            if _too_long(section.title, _TITLE_MAX):
                errors.append(
                    _("%(where)s: tên Mục %(n)s dài quá %(max)d ký tự.")
                    % {"where": where, "n": section.number, "max": _TITLE_MAX}
                )
        for article in chapter.articles:
            errors.extend(_article_errors(article, chapter, seen_articles, last_article))
            seen_articles.setdefault(article.number, chapter.number)
            last_article = max(last_article, article.number)
    return errors


def _article_errors(
    article: ArticleNode, chapter: ChapterNode, seen: dict[int, int], last: int
) -> list[str]:
    errors: list[str] = []
    label = _("Điều %(n)s") % {"n": article.number}
    if article.number in seen:
        errors.append(
            _("Điều %(n)s bị trùng số (ở Chương %(first)s và Chương %(second)s).")
            % {"n": article.number, "first": seen[article.number], "second": chapter.number}
        )
    elif not 0 < article.number <= _NUMBER_MAX or article.number < last:
        errors.append(
            _(
                "%(label)s không đúng thứ tự: các điều phải đánh số tăng dần trong toàn văn bản "
                "(điều trước là Điều %(last)s)."
            )
            % {"label": label, "last": last}
        )
    if _too_long(article.title, _TITLE_MAX):
        errors.append(
            _("%(label)s: tên điều dài quá %(max)d ký tự.") % {"label": label, "max": _TITLE_MAX}
        )
    for position, clause in enumerate(article.clauses, start=1):
        if clause.number != position:
            errors.append(
                _("%(label)s: khoản %(n)s phải là khoản %(expected)s (các khoản đánh số 1, 2, 3…).")
                % {"label": label, "n": clause.number, "expected": position}
            )
        letters: set[str] = set()
        for point in clause.points:
            letter = nfc(point.letter)
            if not letter or len(letter) > _POINT_LETTER_MAX or letter in letters:
                errors.append(
                    _("%(label)s khoản %(n)s: điểm “%(letter)s” không hợp lệ hoặc bị trùng.")
                    % {"label": label, "n": clause.number, "letter": point.letter}
                )
            letters.add(letter)
    return errors


# --- saving a tree -------------------------------------------------------------------------


def _check_code(code: str, field: str = "code") -> str:
    code = nfc(code)
    if not code:
        raise ServiceError({field: _("Nhập mã quy chế.")})
    try:
        validate_slug(code)
    except ValidationError as exc:
        raise ServiceError(
            {field: _("Mã chỉ gồm chữ cái không dấu, chữ số, dấu gạch ngang và gạch dưới.")}
        ) from exc
    if len(code) > _CODE_MAX:
        raise ServiceError({field: _("Mã dài tối đa %(max)d ký tự.") % {"max": _CODE_MAX}})
    return code


@transaction.atomic
def regulation_import(
    *,
    actor,
    tree: RegulationTree,
    code: str,
    title: str | None = None,
    parties: Iterable[Agency],
    number_symbol: str = "",
    place: str = "",
    series: str | None = None,
    previous: Regulation | None = None,
) -> Regulation:
    """Save `tree` as a new draft version, in one transaction, and record it.

    The title is the tree's unless given. Without `previous` the version starts its own
    series (`series`, by default its code) or continues the given one; with `previous` it
    is the next version of that regulation. Refuses, naming the field: a code already
    used or reserved, no title, no party or a foreign one, and a tree `tree_errors`
    finds fault with (under "tree").
    """
    if not may_edit(actor):
        raise policy.NotFound
    code = _check_code(code)
    errors: dict[str, list[str]] = defaultdict(list)
    if code in RESERVED_CODES:
        errors["code"].append(
            _("Mã “%(code)s” trùng với tên một trang của hệ thống; hãy chọn mã khác.")
            % {"code": code}
        )
    elif Regulation.objects.filter(code__iexact=code).exists():
        errors["code"].append(_("Mã quy chế “%(code)s” đã tồn tại.") % {"code": code})
    from_tree = title is None
    title = " ".join(nfc(tree.title if from_tree else title).split())
    if not title:
        errors["title"].append(
            _("Nhập tên quy chế: không nhận dạng được tên trong văn bản.")
            if from_tree
            else _("Nhập tên quy chế.")
        )
    elif len(title) > _TITLE_MAX:
        errors["title"].append(_("Tên quy chế dài tối đa %(max)d ký tự.") % {"max": _TITLE_MAX})
    party_list = list(dict.fromkeys(parties))
    if not party_list:
        errors["parties"].append(_("Chọn ít nhất một cơ quan là bên của quy chế."))
    for agency in party_list:
        if agency.is_foreign:
            errors["parties"].append(
                _("%(name)s là cơ quan nước ngoài, không thể là bên của quy chế.")
                % {"name": agency.name}
            )
    number_symbol, place = nfc(number_symbol), nfc(place)
    if len(number_symbol) > _NUMBER_SYMBOL_MAX:
        errors["number_symbol"].append(
            _("Số, ký hiệu dài tối đa %(max)d ký tự.") % {"max": _NUMBER_SYMBOL_MAX}
        )
    if len(place) > _PLACE_MAX:
        errors["place"].append(_("Địa danh dài tối đa %(max)d ký tự.") % {"max": _PLACE_MAX})
    if previous is not None:
        if not policy.allows(actor, policy.VIEW, previous):
            raise policy.NotFound
        if series and series != previous.series:
            errors["series"].append(
                _("Phiên bản trước thuộc bộ quy chế “%(series)s”.") % {"series": previous.series}
            )
        series = previous.series
    series = _check_code(series or code, "series")
    errors["tree"].extend(tree_errors(tree))
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ServiceError(errors)

    latest = Regulation.objects.filter(series=series).aggregate(n=Max("version"))["n"] or 0
    regulation = Regulation.objects.create(
        code=code,
        series=series,
        version=latest + 1,
        previous=previous,
        title=title,
        number_symbol=number_symbol,
        place=place,
        status=RegulationStatus.DRAFT,
    )
    regulation.parties.set(party_list)
    counts = _save_tree(regulation, tree)
    audit_record(
        actor=actor,
        action="regulation.import",
        obj=regulation,
        changes={
            "code": code,
            "series": series,
            "version": regulation.version,
            "previous": previous.code if previous else None,
            "title": title,
            "number_symbol": number_symbol,
            "parties": [a.code for a in party_list],
            **counts,
        },
    )
    return regulation


def _save_tree(regulation: Regulation, tree: RegulationTree) -> dict[str, int]:
    """The tree's rows, in five inserts (one per level)."""
    chapters = Chapter.objects.bulk_create(
        Chapter(regulation=regulation, number=c.number, title=nfc(c.title)) for c in tree.chapters
    )
    section_rows: list[Section] = []
    for chapter, node in zip(chapters, tree.chapters, strict=True):
        listed = {s.number for s in node.sections}
        # An article may name a Mục the chapter does not list (a tree built by hand): it
        # gets one without a title, as the exporter prints it.
        missing = sorted({a.section for a in node.articles if a.section is not None} - listed)
        for number, title in [(s.number, s.title) for s in node.sections] + [
            (n, "") for n in missing
        ]:
            section_rows.append(Section(chapter=chapter, number=number, title=nfc(title)))
    sections = Section.objects.bulk_create(section_rows)
    section_of = {(s.chapter.number, s.number): s for s in sections}
    article_rows, clause_nodes = [], []
    for chapter, node in zip(chapters, tree.chapters, strict=True):
        for a in node.articles:
            article_rows.append(
                Article(
                    chapter=chapter,
                    section=section_of.get((chapter.number, a.section)),
                    number=a.number,
                    title=nfc(a.title),
                    text=nfc(a.text),
                )
            )
            clause_nodes.append(a.clauses)
    articles = Article.objects.bulk_create(article_rows)
    clause_rows, point_nodes = [], []
    for article, nodes in zip(articles, clause_nodes, strict=True):
        for c in nodes:
            clause_rows.append(Clause(article=article, number=c.number, text=nfc(c.text)))
            point_nodes.append(c.points)
    clauses = Clause.objects.bulk_create(clause_rows)
    points = Point.objects.bulk_create(
        Point(clause=clause, letter=nfc(p.letter), text=nfc(p.text), position=position)
        for clause, nodes in zip(clauses, point_nodes, strict=True)
        for position, p in enumerate(nodes)
    )
    return {
        "chapters": len(chapters),
        "sections": len(sections),
        "articles": len(articles),
        "clauses": len(clauses),
        "points": len(points),
    }


# --- responsibilities ----------------------------------------------------------------------


def clause_label(clause: Clause) -> str:
    """ "Điều 5 khoản 2", the way messages name a clause."""
    return _("Điều %(article)s khoản %(clause)s") % {
        "article": clause.article.number,
        "clause": clause.number,
    }


def _whole(value: Any) -> int | None:
    """A whole number given as int or digits ("05"); None when blank; ValueError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ValueError(value)


def _describe(rows: Iterable[Responsibility]) -> list[str]:
    return [
        f"{r.role}:{r.agency.code}:{r.response_days or ''}:{r.response_hours or ''}:{r.task_title}"
        for r in rows
    ]


@transaction.atomic
def responsibilities_save(
    *,
    actor,
    regulation: Regulation,
    rows: Sequence[Mapping[str, Any]],
    clauses: Iterable[Clause] | None = None,
) -> list[Responsibility]:
    """Set who leads and supports the clauses of a draft version, all or nothing.

    Each row is {clause, agency, role, response_days?, response_hours?, task_title?}
    (clause and agency as objects or primary keys). The responsibilities of every
    clause a row names, and of every clause in `clauses` (so a form can empty a clause),
    are replaced by the rows given for it. Every row is checked before anything changes;
    the refusal carries one message per faulty row under "rows.<index>", naming the
    clause ("Điều 5 khoản 2: …").
    """
    if not may_edit(actor) or not policy.allows(actor, policy.VIEW, regulation):
        raise policy.NotFound
    if regulation.status != RegulationStatus.DRAFT:
        raise ServiceError(
            {
                "regulation": _(
                    "Chỉ gán trách nhiệm được cho bản dự thảo; phiên bản này đã chốt văn bản "
                    "hoặc đã ký."
                )
            }
        )
    own = {
        c.pk: c
        for c in Clause.objects.select_related("article").filter(
            article__chapter__regulation=regulation
        )
    }
    agency_ids = {
        getattr(row.get("agency"), "pk", row.get("agency"))
        for row in rows
        if row.get("agency") not in (None, "")
    }
    agencies = Agency.objects.in_bulk([pk for pk in agency_ids if isinstance(pk, int)])
    errors: dict[str, list[str]] = {}
    new: list[Responsibility] = []
    taken: dict[tuple[int, int], str] = {}  # (clause, agency) → role already given
    for index, row in enumerate(rows):
        key = f"rows.{index}"
        clause_id = getattr(row.get("clause"), "pk", row.get("clause"))
        clause = own.get(clause_id) if isinstance(clause_id, int) else None
        if clause is None:
            errors[key] = [
                _("Dòng %(n)d: khoản không thuộc quy chế %(code)s.")
                % {"n": index + 1, "code": regulation.code}
            ]
            continue
        problems, responsibility = _check_row(row, clause, agencies, taken)
        if problems:
            label = clause_label(clause)
            errors[key] = [f"{label}: {problem}" for problem in problems]
        elif responsibility is not None:
            new.append(responsibility)
    if errors:
        raise ServiceError(errors)

    replaced = {r.clause_id for r in new} | {c.pk for c in clauses or () if c.pk in own}
    old = list(
        Responsibility.objects.filter(clause_id__in=replaced)
        .select_related("agency")
        .order_by("clause_id", "role", "agency__name")
    )
    Responsibility.objects.filter(clause_id__in=replaced).delete()
    created = Responsibility.objects.bulk_create(new)
    before: dict[int, list[Responsibility]] = defaultdict(list)
    after: dict[int, list[Responsibility]] = defaultdict(list)
    for r in old:
        before[r.clause_id].append(r)
    for r in sorted(created, key=lambda r: (r.clause_id, r.role, r.agency.name)):
        after[r.clause_id].append(r)
    changes = {}
    for clause_id in sorted(replaced, key=lambda pk: (own[pk].article.number, own[pk].number)):
        was, now = _describe(before[clause_id]), _describe(after[clause_id])
        if was != now:
            changes[clause_label(own[clause_id])] = {"before": was, "after": now}
    if changes:
        audit_record(
            actor=actor,
            action="regulation.responsibilities",
            obj=regulation,
            changes={"clauses": changes},
        )
    return created


def _check_row(
    row: Mapping[str, Any],
    clause: Clause,
    agencies: dict[int, Agency],
    taken: dict[tuple[int, int], str],
) -> tuple[list[str], Responsibility | None]:
    problems: list[str] = []
    raw_agency = row.get("agency")
    agency = raw_agency if isinstance(raw_agency, Agency) else agencies.get(raw_agency)
    if agency is None:
        problems.append(_("chọn cơ quan."))
    elif agency.is_foreign:
        problems.append(
            _(
                "%(name)s là cơ quan nước ngoài; trách nhiệm theo quy chế chỉ giao cho cơ quan trong nước."
            )
            % {"name": agency.name}
        )
    role = row.get("role") or ""
    if role not in ResponsibilityRole.values:
        problems.append(_("chọn vai trò chủ trì hoặc phối hợp."))
    days = hours = None
    try:
        days = _whole(row.get("response_days"))
        if days is not None and not 1 <= days <= MAX_RESPONSE_DAYS:
            problems.append(
                _("thời hạn phải từ 1 đến %(max)d ngày làm việc.") % {"max": MAX_RESPONSE_DAYS}
            )
    except (TypeError, ValueError):
        problems.append(_("thời hạn (ngày làm việc) phải là số nguyên."))
    try:
        hours = _whole(row.get("response_hours"))
        if hours is not None and not 1 <= hours <= MAX_RESPONSE_HOURS:
            problems.append(
                _("thời hạn việc khẩn phải từ 1 đến %(max)d giờ.") % {"max": MAX_RESPONSE_HOURS}
            )
    except (TypeError, ValueError):
        problems.append(_("thời hạn (giờ) phải là số nguyên."))
    task_title = nfc(row.get("task_title") or "")
    if len(task_title) > _TASK_TITLE_MAX:
        problems.append(_("tên nhiệm vụ dài tối đa %(max)d ký tự.") % {"max": _TASK_TITLE_MAX})
    if agency is not None and role in ResponsibilityRole.values:
        earlier = taken.get((clause.pk, agency.pk))
        if earlier == role:
            problems.append(
                _("%(name)s đã có vai trò %(role)s ở khoản này (dòng lặp lại).")
                % {"name": agency.short_name, "role": ResponsibilityRole(role).label.lower()}
            )
        elif earlier is not None:
            problems.append(
                _("%(name)s không thể vừa chủ trì vừa phối hợp trong cùng một khoản.")
                % {"name": agency.short_name}
            )
        else:
            taken[(clause.pk, agency.pk)] = role
    if problems:
        return problems, None
    return [], Responsibility(
        clause=clause,
        agency=agency,
        role=role,
        response_days=days,
        response_hours=hours,
        task_title=task_title,
    )


# --- export --------------------------------------------------------------------------------


def regulation_document(regulation: Regulation, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the version's text as DOCX or PDF.

    The parties, numbers and signature blocks around the text are those of the PDF the
    parties finalise and sign (`selectors.export_meta`), so both read the same.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    tree, meta = regulation_as_tree(regulation), export_meta(regulation)
    content = render_docx(tree, meta) if fmt == "docx" else render_pdf(tree, meta)
    return content, EXPORT_FORMATS[fmt], f"quy-che-{regulation.code}-v{regulation.version}.{fmt}"
