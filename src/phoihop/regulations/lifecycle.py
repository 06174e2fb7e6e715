"""The life of a regulation's versions: drafting, amendments, finalising and signing.

A new version starts as a copy of an earlier one (normally the one in force) and is a
draft: the secretariat edits its clauses by hand and merges accepted amendments into it.
Finalising freezes the text as a PDF (Decree 30 layout); each party's head then signs
that PDF in turn with a PAdES signature. When every party has signed, the version is
signed: it takes effect on its `effective_from`, and the version it replaces ends the day
before (`Regulation.state_on` reads the standing of a version on any day from its dates).

Each write checks who may make it, records its audit event in the same transaction, and
raises `ServiceError` ({field: Vietnamese message}) on bad input, with nothing saved.

How an amendment's text, or a hand edit, lands in a clause: the text is the clause's own
text, optionally followed by its points, one a line, beginning "a)", "b)", "đ)"…
(continuation lines belong to the point above). A hand edit (`clause_edit`) sets both:
no point lines, no points. A merged amendment replaces the clause's text and keeps its
points, unless the amendment lists points itself, which then replace them all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_slug
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phoihop.accounts.choices import CASEWORK_ROLES, Role
from phoihop.accounts.models import Agency, Unit
from phoihop.audit.services import audit_record
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.text import fold, nfc
from phoihop.regulations import signing
from phoihop.regulations.choices import (
    AmendmentOrigin,
    AmendmentStatus,
    RegulationStatus,
    ResponsibilityRole,
)
from phoihop.regulations.models import (
    Article,
    Category,
    Chapter,
    Clause,
    ClauseAmendment,
    Point,
    Regulation,
    RegulationSignature,
    Responsibility,
    Section,
    TrustedRoot,
)
from phoihop.regulations.policy import may_edit
from phoihop.regulations.selectors import export_meta, parties_in_order, regulation_as_tree

__all__ = [
    "amendment_decide",
    "amendment_merge",
    "amendment_propose",
    "clause_as_text",
    "clause_edit",
    "is_party_head",
    "proposal_origins",
    "signable_agencies",
    "signature_field_name",
    "split_points",
    "trust_roots",
    "verify_signed",
    "version_create",
    "version_finalise",
    "version_sign",
]

FINAL_TEXT = gettext_lazy("Phiên bản đã chốt, không sửa được")
SIGN_REASON = "Ký ban hành Quy chế phối hợp"

_REGULATION_SCOPE = "regulations.regulation"


def _require_editor(actor) -> None:
    if not may_edit(actor):
        raise policy.NotFound


def _scope(regulation: Regulation) -> tuple[str, int]:
    """Events about a version's rows show in that version's history."""
    return _REGULATION_SCOPE, regulation.pk


def _locked(regulation: Regulation) -> Regulation:
    """The version's row, locked until the end of the transaction: edits, finalising and
    signatures of one version happen one after the other."""
    return Regulation.objects.select_for_update().get(pk=regulation.pk)


def _require_draft(regulation: Regulation, field: str = "version") -> None:
    if regulation.status != RegulationStatus.DRAFT:
        raise ServiceError({field: str(FINAL_TEXT)})


def _read(fieldfile) -> bytes:
    with fieldfile.open("rb") as handle:
        return handle.read()


# --- clause text with its points -------------------------------------------------------------

_POINT_LINE = re.compile(r"^([a-zđ])\)\s*(.*)$")


def split_points(text: str) -> tuple[str, list[tuple[str, str]]]:
    """A clause's text as typed, split into its own text and its points.

    "Phối hợp:\\na) xác minh;\\nb) trả lời." → ("Phối hợp:", [("a", "xác minh;"),
    ("b", "trả lời.")]). Lines after a point line continue that point.
    """
    own: list[str] = []
    points: list[list[str]] = []
    for raw in nfc(text).splitlines():
        line = nfc(raw)
        if not line:
            continue
        match = _POINT_LINE.match(line)
        if match:
            points.append([match[1], nfc(match[2])])
        elif points:
            points[-1][1] = f"{points[-1][1]}\n{line}"
        else:
            own.append(line)
    return "\n".join(own), [(letter, body) for letter, body in points]


def clause_as_text(clause: Clause) -> str:
    """The clause's text followed by its points, as `split_points` reads it back."""
    lines = [clause.text] if clause.text else []
    lines += [f"{p.letter}) {p.text}" for p in clause.points.all()]
    return "\n".join(lines)


def _set_points(clause: Clause, points: list[tuple[str, str]]) -> None:
    Point.objects.filter(clause=clause).delete()
    Point.objects.bulk_create(
        Point(clause=clause, letter=letter, text=body, position=i)
        for i, (letter, body) in enumerate(points)
    )


def _points_of(clause: Clause) -> list[list[str]]:
    return [[p.letter, p.text] for p in clause.points.all()]


# --- versions --------------------------------------------------------------------------------


def _bulk(model, objects: list, key, **lookup) -> list:
    """`bulk_create`, with the primary keys filled in even where the database does not
    return them (SQLite before 3.35), by reading the new rows back by their natural key."""
    created = model.objects.bulk_create(objects)
    if created and any(obj.pk is None for obj in created):
        by_key = {key(row): row.pk for row in model.objects.filter(**lookup)}
        for obj in created:
            obj.pk = by_key[key(obj)]
    return created


@transaction.atomic
def version_create(
    *, actor, regulation: Regulation, code: str, number_symbol: str = "", title: str = ""
) -> Regulation:
    """A new draft version of `regulation`'s series, copied from `regulation`.

    The copy holds the whole text (chapters, sections, articles, clauses, points), the
    responsibilities and the categories (tied to the copied clauses, under the same codes,
    so dossiers opened once it is in force follow its clauses). A party that has since
    been succeeded by another agency is replaced by its successor, in the parties and the
    responsibilities alike; the new version does not need re-signing, whatever the old
    one. A constant number of queries, whatever the size of the text: one read and one
    bulk insert per level.
    """
    _require_editor(actor)
    code = nfc(code)
    errors: dict[str, str] = {}
    try:
        validate_slug(code)
    except ValidationError:
        errors["code"] = _(
            "Mã chỉ gồm chữ cái không dấu, chữ số, dấu gạch ngang và gạch dưới, không để trống."
        )
    else:
        if len(code) > Regulation._meta.get_field("code").max_length:
            errors["code"] = _("Mã dài quá 32 ký tự.")
        elif Regulation.objects.filter(code__iexact=code).exists():
            errors["code"] = _("Mã quy chế “%(code)s” đã tồn tại.") % {"code": code}
    # Lock the series: two versions are not numbered at once.
    series = list(
        Regulation.objects.select_for_update()
        .filter(series=regulation.series)
        .only("pk", "code", "version", "status")
    )
    draft = next((r for r in series if r.status == RegulationStatus.DRAFT), None)
    if draft is not None:
        errors["regulation"] = _(
            "Bộ quy chế này đã có phiên bản dự thảo “%(code)s”; hãy soạn tiếp trên phiên bản đó."
        ) % {"code": draft.code}
    if errors:
        raise ServiceError(errors)

    source = regulation
    # Not copied: the flag asking for the old version to be signed again
    # (`needs_resigning`), which the new version, signed anew, answers.
    version = Regulation.objects.create(
        code=code,
        series=source.series,
        version=max(r.version for r in series) + 1,
        previous=source,
        title=nfc(title) or source.title,
        number_symbol=nfc(number_symbol),
        place=source.place,
        status=RegulationStatus.DRAFT,
    )
    through = Regulation.parties.through
    current = _current_agencies()
    source_parties = list(
        through.objects.filter(regulation_id=source.pk)
        .order_by("pk")
        .values_list("agency_id", flat=True)
    )
    parties = list(dict.fromkeys(current.get(pk, pk) for pk in source_parties))
    through.objects.bulk_create(
        through(regulation_id=version.pk, agency_id=agency_id) for agency_id in parties
    )

    chapters = list(Chapter.objects.filter(regulation=source).order_by("number"))
    new_chapters = _bulk(
        Chapter,
        [Chapter(regulation=version, number=c.number, title=c.title) for c in chapters],
        key=lambda c: c.number,
        regulation=version,
    )
    chapter_ids = {old.pk: new.pk for old, new in zip(chapters, new_chapters, strict=True)}

    sections = list(Section.objects.filter(chapter__regulation=source).order_by("pk"))
    new_sections = _bulk(
        Section,
        [
            Section(chapter_id=chapter_ids[s.chapter_id], number=s.number, title=s.title)
            for s in sections
        ],
        key=lambda s: (s.chapter_id, s.number),
        chapter__regulation=version,
    )
    section_ids = {old.pk: new.pk for old, new in zip(sections, new_sections, strict=True)}

    articles = list(Article.objects.filter(chapter__regulation=source).order_by("number", "pk"))
    new_articles = _bulk(
        Article,
        [
            Article(
                chapter_id=chapter_ids[a.chapter_id],
                section_id=section_ids.get(a.section_id),
                number=a.number,
                title=a.title,
                text=a.text,
            )
            for a in articles
        ],
        key=lambda a: (a.chapter_id, a.number),
        chapter__regulation=version,
    )
    article_ids = {old.pk: new.pk for old, new in zip(articles, new_articles, strict=True)}

    clauses = list(Clause.objects.filter(article__chapter__regulation=source).order_by("pk"))
    new_clauses = _bulk(
        Clause,
        [
            Clause(article_id=article_ids[c.article_id], number=c.number, text=c.text)
            for c in clauses
        ],
        key=lambda c: (c.article_id, c.number),
        article__chapter__regulation=version,
    )
    clause_ids = {old.pk: new.pk for old, new in zip(clauses, new_clauses, strict=True)}

    Point.objects.bulk_create(
        Point(clause_id=clause_ids[p.clause_id], letter=p.letter, text=p.text, position=p.position)
        for p in Point.objects.filter(clause__article__chapter__regulation=source).order_by("pk")
    )
    responsibilities, seen = [], set()
    for r in (
        Responsibility.objects.filter(clause__article__chapter__regulation=source)
        .order_by("pk")
        .iterator()
    ):
        row = (clause_ids[r.clause_id], current.get(r.agency_id, r.agency_id), r.role)
        if row in seen:  # the successor already had the same role in the clause
            continue
        seen.add(row)
        responsibilities.append(
            Responsibility(
                clause_id=row[0],
                agency_id=row[1],
                role=r.role,
                response_days=r.response_days,
                response_hours=r.response_hours,
                task_title=r.task_title,
            )
        )
    Responsibility.objects.bulk_create(responsibilities)
    categories = list(Category.objects.filter(regulation=source).order_by("pk"))
    Category.objects.bulk_create(
        Category(
            regulation=version,
            code=c.code,
            name=c.name,
            kind=c.kind,
            clause_id=clause_ids[c.clause_id],
        )
        for c in categories
    )
    changes: dict[str, Any] = {
        "previous_id": source.pk,
        "version": version.version,
        "code": code,
        "articles": len(articles),
        "clauses": len(clauses),
        "categories": len(categories),
    }
    succeeded = {str(pk): current[pk] for pk in source_parties if pk in current}
    if succeeded:
        changes["parties_succeeded"] = succeeded
    audit_record(actor=actor, action="regulation.version_create", obj=version, changes=changes)
    return version


def _current_agencies() -> dict[int, int]:
    """{agency id: id of the agency that took it over} for every agency succeeded by
    another (`accounts.succession`), following successions of successors: a new version
    names, and is signed by, the agencies that exist now. One query."""
    successor = dict(
        Agency.objects.filter(successor__isnull=False).values_list("pk", "successor_id")
    )
    current = {}
    for pk in successor:
        now, steps = successor[pk], 0
        while now in successor and steps <= len(successor):  # no endless loop on bad data
            now, steps = successor[now], steps + 1
        current[pk] = now
    return current


# --- amendments ------------------------------------------------------------------------------


def proposal_origins(actor, regulation: Regulation) -> list[str]:
    """The origins `actor` may propose amendments of `regulation` under.

    A unit's proposal comes from a casework user of a party agency who belongs to a unit
    (the unit is theirs); a leader's from a leader of a party agency. Proposals from a
    review come only through the review (`reviews.services.proposal_decide`).
    """
    if policy.is_system(actor):
        return [AmendmentOrigin.UNIT, AmendmentOrigin.LEADER]
    if not policy.is_active_user(actor) or actor.role not in CASEWORK_ROLES:
        return []
    if not actor.agency_id or not regulation.parties.filter(pk=actor.agency_id).exists():
        return []
    origins = []
    if actor.unit_id:
        origins.append(AmendmentOrigin.UNIT)
    if actor.role == Role.LEADER:
        origins.append(AmendmentOrigin.LEADER)
    return origins


@transaction.atomic
def amendment_propose(
    *,
    actor,
    clause: Clause,
    text: str,
    rationale: str,
    origin: str,
    unit: Unit | None = None,
) -> ClauseAmendment:
    """A unit's or a leader's proposal to amend a clause, with its rationale.

    The unit is the actor's own; `unit` is read only from the system actor (the demo).
    """
    regulation = clause.article.chapter.regulation
    allowed = proposal_origins(actor, regulation)
    if not allowed:
        raise policy.NotFound
    errors: dict[str, str] = {}
    if origin == AmendmentOrigin.REVIEW:
        errors["origin"] = _(
            "Đề xuất từ đợt sơ kết, tổng kết được tạo khi thư ký chấp nhận đề xuất của đơn vị "
            "trong đợt đó."
        )
    elif origin not in allowed:
        errors["origin"] = (
            _("Chỉ lãnh đạo của một bên mới đề xuất với tư cách lãnh đạo.")
            if origin == AmendmentOrigin.LEADER
            else _("Tài khoản không thuộc đơn vị nào của các bên nên không đề xuất thay đơn vị.")
        )
    text, rationale = nfc(text), nfc(rationale)
    if not text:
        errors["text"] = _("Cần nhập nội dung sửa đổi đề xuất.")
    if not rationale:
        errors["rationale"] = _("Cần nêu lý do sửa đổi.")
    if errors:
        raise ServiceError(errors)
    if policy.is_system(actor):
        proposer, proposing_unit = None, unit
    else:
        proposer = actor
        proposing_unit = actor.unit if origin == AmendmentOrigin.UNIT else None
    amendment = ClauseAmendment.objects.create(
        clause=clause,
        text=text,
        rationale=rationale,
        origin=origin,
        status=AmendmentStatus.PROPOSED,
        proposed_by=proposer,
        unit=proposing_unit,
    )
    audit_record(
        actor=actor,
        action="amendment.propose",
        obj=amendment,
        changes={
            "clause_id": clause.pk,
            "origin": origin,
            "unit_id": proposing_unit.pk if proposing_unit else None,
            "text": text,
            "rationale": rationale,
        },
        scope=_scope(regulation),
    )
    return amendment


def _locked_amendment(amendment: ClauseAmendment) -> ClauseAmendment:
    return (
        ClauseAmendment.objects.select_for_update(of=("self",))
        .select_related("clause__article__chapter__regulation")
        .get(pk=amendment.pk)
    )


@transaction.atomic
def amendment_decide(
    *, actor, amendment: ClauseAmendment, accept: bool, note: str = ""
) -> ClauseAmendment:
    """The secretariat accepts or rejects a proposed amendment (the note goes to the audit
    trail)."""
    _require_editor(actor)
    amendment = _locked_amendment(amendment)
    if amendment.status != AmendmentStatus.PROPOSED:
        raise ServiceError(
            {
                "amendment": _("Đề xuất sửa đổi này đã được xử lý (%(status)s).")
                % {"status": amendment.get_status_display()}
            }
        )
    before = amendment.status
    amendment.status = AmendmentStatus.ACCEPTED if accept else AmendmentStatus.REJECTED
    amendment.decided_by = None if policy.is_system(actor) else actor
    amendment.decided_at = timezone.now()
    amendment.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    changes: dict[str, Any] = {"status": [before, amendment.status]}
    if nfc(note):
        changes["note"] = nfc(note)
    audit_record(
        actor=actor,
        action="amendment.decide",
        obj=amendment,
        changes=changes,
        scope=_scope(amendment.clause.article.chapter.regulation),
    )
    return amendment


@transaction.atomic
def amendment_merge(*, actor, amendment: ClauseAmendment, version: Regulation) -> ClauseAmendment:
    """An accepted amendment written into a draft version of the same series: the clause
    with the same article and clause numbers takes its text (see the module's note on
    points)."""
    _require_editor(actor)
    amendment = _locked_amendment(amendment)
    version = _locked(version)
    source = amendment.clause
    if amendment.status != AmendmentStatus.ACCEPTED:
        raise ServiceError(
            {"amendment": _("Chỉ đưa vào phiên bản mới những đề xuất sửa đổi đã được chấp nhận.")}
        )
    _require_draft(version)
    if version.series != source.article.chapter.regulation.series:
        raise ServiceError(
            {
                "version": _("Phiên bản “%(code)s” không thuộc cùng bộ quy chế.")
                % {"code": version.code}
            }
        )
    target = (
        Clause.objects.filter(
            article__chapter__regulation=version,
            article__number=source.article.number,
            number=source.number,
        )
        .prefetch_related("points")
        .first()
    )
    if target is None:
        raise ServiceError(
            {
                "version": _(
                    "Phiên bản “%(code)s” không có khoản %(clause)s Điều %(article)s để đưa sửa đổi vào."
                )
                % {"code": version.code, "clause": source.number, "article": source.article.number}
            }
        )
    text, points = split_points(amendment.text)
    before = {"text": target.text, "points": _points_of(target)}
    target.text = text
    target.save(update_fields=["text"])
    if points:
        _set_points(target, points)
    amendment.status = AmendmentStatus.MERGED
    amendment.merged_into = version
    amendment.save(update_fields=["status", "merged_into", "updated_at"])
    changes: dict[str, Any] = {
        "status": [AmendmentStatus.ACCEPTED, AmendmentStatus.MERGED],
        "merged_into_id": [None, version.pk],
        "clause_id": target.pk,
        "text": [before["text"], text],
    }
    if points:
        changes["points"] = [before["points"], [list(p) for p in points]]
    audit_record(
        actor=actor, action="amendment.merge", obj=amendment, changes=changes, scope=_scope(version)
    )
    return amendment


# --- hand edits of a draft -------------------------------------------------------------------


def _responsibility_rows(clause: Clause) -> list[list[Any]]:
    return [
        [r.agency_id, r.role, r.response_days, r.response_hours, r.task_title]
        for r in Responsibility.objects.filter(clause=clause).order_by("role", "agency_id", "pk")
    ]


def _clean_responsibilities(
    regulation: Regulation, rows: Iterable[dict[str, Any]]
) -> list[Responsibility]:
    party_ids = set(regulation.parties.values_list("pk", flat=True))
    out, seen = [], set()
    for row in rows:
        agency = row["agency"]
        agency_id = agency.pk if isinstance(agency, Agency) else agency
        role = row["role"]
        if agency_id not in party_ids:
            raise ServiceError(
                {"responsibilities": _("Cơ quan được giao không phải một bên của quy chế.")}
            )
        if role not in ResponsibilityRole.values:
            raise ServiceError({"responsibilities": _("Vai trò không hợp lệ.")})
        if (agency_id, role) in seen:
            raise ServiceError(
                {"responsibilities": _("Một cơ quan được ghi hai lần cùng vai trò.")}
            )
        seen.add((agency_id, role))
        days, hours = row.get("response_days"), row.get("response_hours")
        for value in (days, hours):
            if value is not None and (not isinstance(value, int) or value <= 0):
                raise ServiceError({"responsibilities": _("Thời hạn phải là số nguyên dương.")})
        out.append(
            Responsibility(
                agency_id=agency_id,
                role=role,
                response_days=days,
                response_hours=hours,
                task_title=nfc(row.get("task_title", "")),
            )
        )
    return out


@transaction.atomic
def clause_edit(
    *,
    actor,
    clause: Clause,
    text: str,
    article_title: str | None = None,
    responsibilities: Iterable[dict[str, Any]] | None = None,
) -> Clause:
    """The secretariat drafts a clause of a draft version by hand.

    `text` is the clause's text followed by its points (see the module's note);
    `article_title`, when given, renames its article; `responsibilities`, when given,
    replace the clause's ([{agency, role, response_days?, response_hours?, task_title?}]).
    """
    _require_editor(actor)
    clause = Clause.objects.select_related("article__chapter").get(pk=clause.pk)
    regulation = _locked(clause.article.chapter.regulation)
    _require_draft(regulation)
    own, points = split_points(text)
    errors: dict[str, str] = {}
    if not own and not points:
        errors["text"] = _("Cần nhập nội dung khoản.")
    title = nfc(article_title) if article_title is not None else None
    if title is not None and not title:
        errors["article_title"] = _("Cần nhập tên điều.")
    if errors:
        raise ServiceError(errors)
    new_responsibilities = (
        _clean_responsibilities(regulation, responsibilities)
        if responsibilities is not None
        else None
    )
    changes: dict[str, Any] = {}
    before_points = _points_of(clause)
    if own != clause.text:
        changes["text"] = [clause.text, own]
        clause.text = own
        clause.save(update_fields=["text"])
    if [list(p) for p in points] != before_points:
        changes["points"] = [before_points, [list(p) for p in points]]
        _set_points(clause, points)
    if title is not None and title != clause.article.title:
        changes["article_title"] = [clause.article.title, title]
        Article.objects.filter(pk=clause.article_id).update(title=title)
        clause.article.title = title
    if new_responsibilities is not None:
        before = _responsibility_rows(clause)
        Responsibility.objects.filter(clause=clause).delete()
        for resp in new_responsibilities:
            resp.clause = clause
        Responsibility.objects.bulk_create(new_responsibilities)
        after = _responsibility_rows(clause)
        if after != before:
            changes["responsibilities"] = [before, after]
    if changes:
        audit_record(
            actor=actor, action="clause.edit", obj=clause, changes=changes, scope=_scope(regulation)
        )
    return clause


# --- finalising and signing ------------------------------------------------------------------


@transaction.atomic
def version_finalise(
    *,
    actor,
    regulation: Regulation,
    effective_from: dt.date | None,
    signed_place: str = "",
    dated: dt.date | None = None,
) -> Regulation:
    """Freeze a draft's text as the PDF the parties sign (Decree 30 layout).

    The PDF carries every party side by side, each with its own number and symbol
    (`selectors.party_number_symbol`) and its head's signature block. `dated` is the
    date printed under the place; left out, the line keeps its blanks ("ngày …… tháng
    …… năm ……"), as a paper original waiting for its signing day does.
    """
    _require_editor(actor)
    regulation = _locked(regulation)
    _require_draft(regulation, "regulation")
    errors: dict[str, str] = {}
    if effective_from is None:
        errors["effective_from"] = _("Cần nhập ngày có hiệu lực.")
    previous = regulation.previous
    if (
        effective_from is not None
        and previous is not None
        and previous.status == RegulationStatus.SIGNED
        and previous.effective_from is not None
        and effective_from <= previous.effective_from
    ):
        errors["effective_from"] = _(
            "Ngày có hiệu lực phải sau ngày có hiệu lực của phiên bản trước (%(day)s)."
        ) % {"day": previous.effective_from.strftime("%d/%m/%Y")}
    if not Article.objects.filter(chapter__regulation=regulation).exists():
        errors["regulation"] = _("Phiên bản chưa có điều nào; không chốt được văn bản.")
    parties = parties_in_order(regulation)
    if not parties:
        errors["regulation"] = _("Quy chế chưa có bên nào ký kết.")
    headless = [a.name for a in parties if a.head_id is None]
    if headless:
        errors["parties"] = _("Chưa khai báo người đứng đầu (người ký) của: %(names)s.") % {
            "names": "; ".join(headless)
        }
    if errors:
        raise ServiceError(errors)
    from phoihop.regulations.export import render_pdf

    regulation.place = nfc(signed_place) or regulation.place
    pdf = render_pdf(regulation_as_tree(regulation), export_meta(regulation, signed_on=dated))
    before = {"status": regulation.status, "effective_from": None}
    regulation.effective_from = effective_from
    regulation.status = RegulationStatus.FINAL
    regulation.final_pdf.save(
        f"{regulation.code}-v{regulation.version}.pdf", ContentFile(pdf), save=False
    )
    regulation.save(update_fields=["effective_from", "status", "place", "final_pdf", "updated_at"])
    audit_record(
        actor=actor,
        action="regulation.finalise",
        obj=regulation,
        changes={
            "status": [before["status"], regulation.status],
            "effective_from": [None, effective_from],
            "place": regulation.place,
            "final_pdf_sha256": hashlib.sha256(pdf).hexdigest(),
        },
    )
    return regulation


def trust_roots() -> list[bytes]:
    """The certificates (PEM) of the certificate authorities the app trusts."""
    return [pem.encode() for pem in TrustedRoot.objects.values_list("certificate_pem", flat=True)]


def signature_field_name(agency: Agency) -> str:
    """The PDF signature field of a party: one per agency, named after its code."""
    return f"Ky-{agency.code}"


def is_party_head(actor, regulation: Regulation) -> bool:
    """Whether `actor` is the head of one of the parties: only a person signs."""
    if policy.is_system(actor) or not policy.is_active_user(actor):
        return False
    return regulation.parties.filter(head=actor).exists()


def signable_agencies(actor, regulation: Regulation) -> list[Agency]:
    """The parties `actor` heads that have not signed `regulation` yet (whatever its status)."""
    if policy.is_system(actor) or not policy.is_active_user(actor):
        return []
    signed = set(regulation.signatures.values_list("agency_id", flat=True))
    return [a for a in regulation.parties.filter(head=actor).order_by("pk") if a.pk not in signed]


def _expected_signer(actor, agency: Agency):
    """The certificate must name the head (CN) and the agency (O), accents and case aside."""

    def check(info: signing.CertificateInfo) -> bool:
        if fold(info.organization) != fold(agency.name):
            raise signing.SigningError(
                _(
                    "Chứng thư số cấp cho tổ chức “%(org)s”, không phải “%(agency)s”: không dùng "
                    "để ký thay mặt cơ quan này được."
                )
                % {"org": info.organization or "?", "agency": agency.name}
            )
        if fold(info.common_name) != fold(actor.get_full_name()):
            raise signing.SigningError(
                _("Chứng thư số cấp cho “%(cn)s”, không phải %(name)s, người đứng đầu %(agency)s.")
                % {
                    "cn": info.common_name or "?",
                    "name": actor.get_full_name(),
                    "agency": agency.name,
                }
            )
        return True

    return check


def _pkcs12_field(data: bytes) -> str:
    """Which form field a refused PKCS#12 concerns: a readable file → its password."""
    return "password" if data and signing._looks_like_pkcs12(bytes(data)) else "pkcs12"


@transaction.atomic
def version_sign(
    *,
    actor,
    regulation: Regulation,
    pkcs12: bytes,
    password: str,
    signing_time: dt.datetime | None = None,
) -> RegulationSignature:
    """The head of a party signs the finalised version's PDF with a PAdES signature.

    Signatures follow each other as incremental updates of the same PDF. The certificate
    must be the actor's (CN = their full name) for the agency they head (O = its name),
    valid now, and chain to a trusted root; the new file is verified before it is kept.
    When every party has signed, the version is signed (`signed_on` the day of the last
    signature) and the version of the series in force on its effective date ends the day
    before and is superseded by it.
    """
    if not is_party_head(actor, regulation):
        raise policy.NotFound
    regulation = _locked(regulation)
    if regulation.status == RegulationStatus.DRAFT:
        raise ServiceError(
            {
                "regulation": _(
                    "Phiên bản còn là dự thảo, chưa chốt văn bản: chưa ký được. Thư ký cần chốt "
                    "văn bản trước."
                )
            }
        )
    if regulation.status == RegulationStatus.SIGNED:
        raise ServiceError({"regulation": _("Phiên bản đã được các bên ký đủ.")})
    pending = signable_agencies(actor, regulation)
    if not pending:
        raise ServiceError({"regulation": _("Cơ quan của bạn đã ký phiên bản này.")})
    agency = pending[0]
    roots = trust_roots()
    if not roots:
        raise ServiceError(
            {
                "pkcs12": _(
                    "Chưa khai báo tổ chức chứng thực tin cậy nào: quản trị viên cần thêm chứng "
                    "thư gốc trước khi ký."
                )
            }
        )
    moment = (signing_time or timezone.now()).replace(microsecond=0)
    source = regulation.signed_pdf or regulation.final_pdf
    if not source:
        raise ServiceError({"regulation": _("Không tìm thấy bản PDF để ký; cần chốt lại văn bản.")})
    field_name = signature_field_name(agency)
    try:
        bundle = signing.load_pkcs12(pkcs12, password)
    except signing.SigningError as exc:
        raise signing.SigningError({_pkcs12_field(pkcs12): exc.messages}) from None
    try:
        signed = signing.sign_pdf(
            _read(source),
            pkcs12=pkcs12,
            password=password,
            field_name=field_name,
            reason=SIGN_REASON,
            location=regulation.place or agency.name,
            signing_time=moment,
            expected_signer=_expected_signer(actor, agency),
        )
    except signing.SigningError as exc:
        raise signing.SigningError({"pkcs12": exc.messages}) from None
    reports = signing.verify_pdf(signed, trust_roots=roots)
    mine = next((r for r in reports if r.field_name == field_name), None)
    if mine is None or not mine.ok:
        problems = mine.problems if mine else [_("Không tìm thấy chữ ký vừa tạo trong tệp.")]
        raise signing.SigningError({"pkcs12": problems})
    broken = [r for r in reports if r is not mine and not r.ok]
    if broken:
        raise signing.SigningError(
            {
                "regulation": [
                    _("Bản PDF đã ký trước đó không còn nguyên vẹn, không ký tiếp được: %(s)s")
                    % {"s": r.summary}
                    for r in broken
                ]
            }
        )

    info = bundle.info
    signature = RegulationSignature.objects.create(
        regulation=regulation,
        agency=agency,
        signer=actor,
        signed_at=moment,
        field_name=field_name,
        subject=info.subject[:500],
        issuer=info.issuer[:500],
        serial=info.serial[:64],
        certificate=bundle.certificate_der(),
    )
    count = regulation.signatures.count()
    regulation.signed_pdf.save(
        f"{regulation.code}-v{regulation.version}-ky-{count}.pdf", ContentFile(signed), save=False
    )
    changes: dict[str, Any] = {
        "agency_id": agency.pk,
        "signer_id": actor.pk,
        "field_name": field_name,
        "subject": info.subject,
        "issuer": info.issuer,
        "serial": info.serial,
        "fingerprint_sha256": info.fingerprint_sha256,
    }
    fields = ["signed_pdf", "updated_at"]
    party_ids = set(regulation.parties.values_list("pk", flat=True))
    signed_ids = set(regulation.signatures.values_list("agency_id", flat=True))
    if party_ids <= signed_ids:
        signed_on = timezone.localtime(moment).date()
        changes["status"] = [regulation.status, RegulationStatus.SIGNED]
        changes["signed_on"] = [None, signed_on]
        regulation.status = RegulationStatus.SIGNED
        regulation.signed_on = signed_on
        fields += ["status", "signed_on"]
    regulation.save(update_fields=fields)
    audit_record(actor=actor, action="regulation.sign", obj=regulation, changes=changes)
    if regulation.status == RegulationStatus.SIGNED:
        _supersede(actor, regulation)
    return signature


def _supersede(actor, regulation: Regulation) -> None:
    """The versions of the series in force on the new one's effective date end the day
    before, superseded by it."""
    start = regulation.effective_from
    ending = start - dt.timedelta(days=1)
    replaced = (
        Regulation.objects.select_for_update()
        .in_force(start)
        .filter(series=regulation.series, effective_from__lt=start)
        .exclude(pk=regulation.pk)
    )
    for old in replaced:
        before = [old.effective_to, old.superseded_by_id]
        old.effective_to = ending
        old.superseded_by = regulation
        old.save(update_fields=["effective_to", "superseded_by", "updated_at"])
        audit_record(
            actor=actor,
            action="regulation.supersede",
            obj=old,
            changes={
                "effective_to": [before[0], ending],
                "superseded_by_id": [before[1], regulation.pk],
            },
        )


def verify_signed(regulation: Regulation) -> list[signing.SignatureReport]:
    """Each signature of the version's signed PDF as the app verifies it now, against the
    trusted roots; [] when nobody has signed. A PDF that cannot be read raises
    `signing.SigningError`."""
    if not regulation.signed_pdf:
        return []
    return signing.verify_pdf(_read(regulation.signed_pdf), trust_roots=trust_roots())
