"""The restricted annex of a review report: the persons verified in the period, by name.

The report's body names no person (see `reviews.report`). Who needs the names asks for
this annex on its own: a "PHỤ LỤC" under the report's number, marked "MẬT" or the
higher level of the review or of a dossier it draws on, listing one row per person
whose verification was answered "identity confirmed" or "record found" within the review's period, in dossiers of
the review's regulation. The list holds only what the one access policy lets the person
producing it see (the person and the dossier of the answer); how many persons of the
period are left out is said, not who.

`build_persons_annex` makes the neutral `ReportDocument` that `reviews.report` lays out
as DOCX or PDF; `persons_annex_export` produces the file and logs it, per person, in the
personal-data read log (`subjects.services.subject_access_record`), in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phoihop.audit.services import audit_record
from phoihop.core import policy
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.dossiers.models import Dossier
from phoihop.reviews import report
from phoihop.reviews.choices import ReviewKind
from phoihop.reviews.models import Review
from phoihop.subjects.choices import VERIFIED_OUTCOMES, AccessKind
from phoihop.subjects.models import Subject, Verification
from phoihop.subjects.services import access_purpose_errors, subject_access_record

# At most this many persons in one annex: the cap of the persons' CSV export
# (subjects.views.EXPORT_LIMIT; a test keeps the two equal, without this module
# importing another app's views).
LIMIT = 5000

# The lowest mark of the annex: a list of named persons from coordination work.
MIN_CLASSIFICATION = Classification.MAT

NATIONALITIES = {
    "VN": gettext_lazy("Việt Nam"),
    "CN": gettext_lazy("Trung Quốc"),
    "LA": gettext_lazy("Lào"),
    "KH": gettext_lazy("Campuchia"),
    "TH": gettext_lazy("Thái Lan"),
    "MM": gettext_lazy("Mi-an-ma"),
}

# Cell padding of the renderers' tables (points, both sides) plus a little air.
_CELL_PADDING_PT = 14
_CELL_PT = 13


class AnnexTooLarge(ServiceError):
    """More persons than one annex may list."""


@dataclass(frozen=True)
class _Listing:
    rows: list[Verification]  # one per person: the earliest clarified answer in the period
    total: int  # persons of the period over the whole regulation (the statistics' count)


def may_view_persons(actor) -> bool:
    """Whether the access policy lets `actor` see at least one person."""
    return policy.restrict(Subject.objects.all(), actor).exists()


def _clarified(review: Review):
    return Verification.objects.filter(
        outcome__in=VERIFIED_OUTCOMES,
        answered_on__gte=review.period_from,
        answered_on__lte=review.period_to,
    )


def _collect(review: Review, actor) -> _Listing:
    """The persons `actor` may see, and how many the period has in all: two queries."""
    visible = (
        policy.restrict(_clarified(review), actor)
        .filter(dossier__category__regulation_id=review.regulation_id)
        .filter(subject__in=policy.restrict(Subject.objects.all(), actor).values("pk"))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("subject_id")],
                order_by=[F("answered_on").asc(), F("pk").asc()],
            )
        )
        .filter(rank=1)
        .select_related("subject", "requested_of", "dossier")
        .order_by("answered_on", "subject__full_name", "pk")
    )
    rows = list(visible[: LIMIT + 1])
    if len(rows) > LIMIT:
        raise AnnexTooLarge(
            _(
                "Danh sách có %(n)s người, vượt giới hạn %(max)s người của một lần xuất; "
                "không lập được phụ lục."
            )
            % {"n": report._n(visible.count()), "max": report._n(LIMIT)}
        )
    # Counted as the statistics count it: over the regulation's dossiers the actor may
    # aggregate (the roles reading reviews aggregate all of them).
    dossiers = policy.restrict(Dossier.objects.all(), actor, policy.AGGREGATE).filter(
        category__regulation_id=review.regulation_id
    )
    total = (
        _clarified(review)
        .filter(dossier__in=dossiers.values("pk"))
        .aggregate(n=Count("subject", distinct=True))["n"]
    )
    return _Listing(rows=rows, total=max(total, len(rows)))


def build_persons_annex(review: Review, actor, *, for_pdf: bool = False) -> report.ReportDocument:
    """The restricted annex of `review`'s report for `actor`, as a neutral document model.

    `for_pdf`: a name in a script the PDF's embedded serif cannot draw (Hán tự where the
    machine has no such font) is left out of the cells, and the annex says so; the DOCX
    keeps it. Raises AnnexTooLarge past `LIMIT` persons.
    """
    return _build(review, actor, _collect(review, actor), _pdf_draws if for_pdf else None)


def _pdf_draws(text: str) -> bool:
    """Whether the PDF's embedded serif has a glyph for every letter of `text`."""
    from reportlab.pdfbase import pdfmetrics

    mapped = pdfmetrics.getFont(report.pdf_fonts()[0]).face.charToGlyph
    return all(ord(c) in mapped for c in text if not c.isspace())


def _other_names(subject: Subject, drawable: Callable[[str], bool] | None) -> tuple[str, bool]:
    """The name in its own script and its romanisation, and whether the script was left out."""
    native = report._nfc(subject.native_name)
    dropped = bool(native) and drawable is not None and not drawable(native)
    romanised = report._nfc(subject.pinyin) or report._nfc(subject.latin_name)
    parts = [native] if native and not dropped else []
    if romanised:
        parts.append(romanised)
    if dropped and not romanised and report._nfc(subject.han_viet):
        parts.append(report._nfc(subject.han_viet))
    full = report._nfc(subject.full_name).casefold()
    seen, out = set(), []
    for part in parts:
        if part.casefold() not in seen and part.casefold() != full:
            seen.add(part.casefold())
            out.append(part)
    return " / ".join(out), dropped


def _nationality(code: str) -> str:
    code = (code or "").upper()
    return str(NATIONALITIES[code]) if code in NATIONALITIES else code or "—"


def _widths(columns, rows, *, flexible: tuple[int, ...]) -> tuple[float, ...]:
    """Column widths (fractions of the text width) measured in the PDF's serif.

    Every column gets its longest word (the header's in bold), so dates and references
    do not break; the flexible ones (names) share what is left in proportion to their
    longest text.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    regular, bold, *_faces = report.pdf_fonts()

    def longest_word(text, font):
        return max((stringWidth(w, font, _CELL_PT) for w in text.split()), default=0)

    words, texts = [], []
    for c, header in enumerate(columns):
        cells = [r[c] for r in rows]
        words.append(
            _CELL_PADDING_PT
            + max([longest_word(header, bold), *(longest_word(v, regular) for v in cells)])
        )
        texts.append(
            _CELL_PADDING_PT + max([stringWidth(v, regular, _CELL_PT) for v in cells], default=0)
        )
    widths = list(words)
    room = report.TEXT_WIDTH * 72 / 25.4 - sum(words)
    # Short of room, every column shrinks alike (the PDF then splits long words).
    if room > 0:
        wants = {c: max(texts[c] - words[c], 1.0) for c in flexible}
        for c in flexible:
            widths[c] += room * wants[c] / sum(wants.values())
    return tuple(w / sum(widths) for w in widths)


def _build(
    review: Review, actor, listing: _Listing, drawable: Callable[[str], bool] | None
) -> report.ReportDocument:
    with translation.override("vi"):
        return _document(review, actor, listing, drawable)


def _document(review, actor, listing, drawable) -> report.ReportDocument:
    regulation = review.regulation
    parties = report._parties(regulation)
    prefixes = [a.document_prefix for a in parties if a.document_prefix]
    number, symbol = report.report_number(review, prefixes)  # of the report it belongs to
    kind_label = str(ReviewKind(review.kind).label) if review.kind in ReviewKind.values else ""
    period = {"a": report._d(review.period_from), "b": report._d(review.period_to)}
    rows = listing.rows
    hidden = listing.total - len(rows)

    body: list = [
        report.Para(
            _(
                "(Kèm theo Báo cáo số %(n)s/%(s)s %(kind)s kỳ từ ngày %(a)s đến ngày %(b)s; "
                "tài liệu hạn chế, chỉ lưu hành nội bộ)"
            )
            % {"n": number, "s": symbol, "kind": kind_label.lower(), **period},
            italic=True,
        )
    ]
    if not listing.total:
        body.append(
            report.Para(
                _(
                    "Trong kỳ từ ngày %(a)s đến ngày %(b)s không có người nào được trao đổi, "
                    "xác minh làm rõ."
                )
                % period
            )
        )
    elif not rows:
        body.append(
            report.Para(
                _(
                    "Trong kỳ có %(total)s người được trao đổi, xác minh làm rõ; không có người "
                    "nào thuộc phạm vi quyền truy cập của người lập phụ lục."
                )
                % {"total": report._n(listing.total)}
            )
        )
    else:
        body.append(
            report.Para(
                _(
                    "Trong kỳ có %(total)s người được trao đổi, xác minh làm rõ; danh sách dưới "
                    "đây gồm %(listed)s người."
                )
                % {"total": report._n(listing.total), "listed": report._n(len(rows))}
            )
        )
    if hidden:
        body.append(
            report.Para(
                _(
                    "Có %(n)s người được tính trong số liệu của kỳ không được liệt kê vì nằm "
                    "ngoài phạm vi quyền truy cập của người lập phụ lục."
                )
                % {"n": report._n(hidden)}
            )
        )
    frozen = (review.statistics or {}).get("subjects_verified")
    if frozen is not None and frozen != listing.total:
        body.append(
            report.Para(
                _(
                    "Số liệu đã chốt của đợt ghi %(frozen)s người; dữ liệu hiện tại có %(now)s "
                    "người (dữ liệu đã thay đổi sau khi chốt số liệu)."
                )
                % {"frozen": report._n(frozen), "now": report._n(listing.total)}
            )
        )

    dropped_script = False
    if rows:
        columns = (
            _("STT"),
            # the name in its own script and its romanisation follow, in brackets, if any
            _("Họ và tên (tên gốc, phiên âm)"),
            _("Năm sinh"),
            _("Quốc tịch"),
            _("Cơ quan xác minh"),
            _("Ngày trả lời"),
            _("Số hồ sơ"),
        )
        cells = []
        for i, v in enumerate(rows, 1):
            s = v.subject
            name = report._nfc(s.full_name)
            other, dropped = _other_names(s, drawable)
            dropped_script |= dropped
            cells.append(
                (
                    str(i),
                    f"{name} ({other})" if other else name,
                    str(s.birth_year) if s.birth_year else "—",
                    _nationality(s.nationality),
                    report._nfc(v.requested_of.short_name or v.requested_of.name),
                    report._d(v.answered_on),
                    v.dossier.reference,
                )
            )
        body.append(
            report.Table(
                _("Bảng. Người được trao đổi, xác minh làm rõ trong kỳ"),
                columns,
                tuple(cells),
                _widths(columns, cells, flexible=(1, 4)),
                (False, False, True, False, False, False, False),
            )
        )

    notes = [
        _(
            "Danh sách gồm những người có yêu cầu trao đổi, xác minh được trả lời «đã xác minh, "
            "làm rõ» trong kỳ, thuộc các hồ sơ phối hợp theo %(regulation)s; mỗi người ghi một "
            "lần, theo lần trả lời làm rõ đầu tiên trong kỳ."
        )
        % {"regulation": report._nfc(regulation.title)},
        _(
            "Chỉ liệt kê người và hồ sơ mà người lập phụ lục được quyền xem; số liệu của báo "
            "cáo tính toàn bộ người được xác minh trong kỳ."
        ),
    ]
    if dropped_script:
        notes.append(
            _(
                "Tên viết bằng chữ gốc (Hán tự…) không hiển thị được bằng phông chữ của bản PDF "
                "này; xem bản Word (DOCX)."
            )
        )
    made_at = timezone.localtime()
    notes += [
        _("Người lập phụ lục: %(who)s, lúc %(t)s ngày %(d)s.")
        % {
            "who": _actor_label(actor),
            "t": made_at.strftime("%H:%M"),
            "d": report._d(made_at.date()),
        },
        _(
            "Tài liệu hạn chế: không sao chụp, không cung cấp cho người không có thẩm quyền; "
            "mỗi lần tải phụ lục được ghi vào nhật ký truy cập dữ liệu cá nhân."
        ),
    ]

    # At least Mật, the review's own level, and the level of every dossier a row comes from.
    level = max(
        [MIN_CLASSIFICATION, review.classification, *(v.dossier.classification for v in rows)],
        key=int,
    )
    issued_on = timezone.localdate()
    return report.ReportDocument(
        issuers=tuple(report._nfc(a.name).upper() for a in parties),
        number_symbol=_("Số: %(n)s/%(s)s") % {"n": number, "s": symbol},
        classification=str(Classification(level).label).upper(),
        nation=_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        motto=_("Độc lập - Tự do - Hạnh phúc"),
        place_date=report.long_date(report._nfc(regulation.place) or "……", issued_on),
        doc_type=_("PHỤ LỤC"),
        title=_("Danh sách người được trao đổi, xác minh làm rõ trong kỳ"),
        body=tuple(body),
        # No signature block: the annex goes with the signed report.
        signers=(),
        annex_title=_("GHI CHÚ"),
        annex=tuple(report.Para(text, bullet=True) for text in _closed(notes)),
        filename=f"phu-luc-nguoi-xac-minh-{review.pk}-{review.period_from:%Y%m%d}-{review.period_to:%Y%m%d}",
        meta_title=_("Phụ lục danh sách người được xác minh, Báo cáo số %(n)s/%(s)s")
        % {"n": number, "s": symbol},
        meta_author=", ".join(a.name for a in parties),
    )


def _closed(lines: list[str]) -> list[str]:
    """Items of a list: a semicolon after each but the last, which ends with a full stop."""
    out = [line.rstrip(".;") + ";" for line in lines]
    if out:
        out[-1] = out[-1][:-1] + "."
    return out


def _actor_label(actor) -> str:
    name = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    name = report._nfc(name) or getattr(actor, "username", "") or str(actor)
    agency = getattr(actor, "agency", None)
    return f"{name} ({agency.short_name or agency.name})" if agency else name


@transaction.atomic
def persons_annex_export(
    *, actor, review: Review, fmt: str, purpose: str, note: str = ""
) -> tuple[bytes, str, str]:
    """(content, content type, ASCII file name) of the annex in `fmt`, logged per person.

    The file is produced and every listed person's read-log row written in one
    transaction: a refusal or a failure leaves no trace but the refusal. NotFound for
    who may not read the review or sees no person; ServiceError for a bad purpose;
    AnnexTooLarge past `LIMIT`.
    """
    if fmt not in report.FORMATS:
        raise ValueError(f"unknown annex format {fmt!r}")
    review = policy.get_or_404(Review.objects.select_related("regulation"), actor, pk=review.pk)
    if not may_view_persons(actor):
        raise policy.NotFound
    if errors := access_purpose_errors(purpose, note):
        raise ServiceError(errors)
    listing = _collect(review, actor)
    doc = _build(review, actor, listing, _pdf_draws if fmt == "pdf" else None)
    content = report.render_docx(doc) if fmt == "docx" else report.render_pdf(doc)
    subjects = [v.subject for v in listing.rows]
    subject_access_record(
        actor=actor, subjects=subjects, kind=AccessKind.EXPORT, purpose=purpose, note=note
    )
    audit_record(
        actor=actor,
        action="review.persons_annex",
        obj=review,
        changes={
            "format": fmt,
            "purpose": purpose,
            "listed": len(subjects),
            "not_listed": listing.total - len(subjects),
        },
    )
    return content, report.FORMATS[fmt], f"{doc.filename}.{fmt}"
