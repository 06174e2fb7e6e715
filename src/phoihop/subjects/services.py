"""Writes to persons: register, link to a dossier, verification requests and answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phoihop.accounts.choices import CASEWORK_ROLES
from phoihop.accounts.models import Agency
from phoihop.audit.services import audit_record, diff, snapshot
from phoihop.core import context, policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.text import nfc, search_blob
from phoihop.core.workdays import add_working_days
from phoihop.dossiers.choices import TimelineKind
from phoihop.dossiers.models import Dossier, DossierParty
from phoihop.dossiers.services import timeline_add
from phoihop.regulations.choices import ResponsibilityRole
from phoihop.subjects.choices import (
    AccessKind,
    AccessPurpose,
    DocumentKind,
    Sex,
    SubjectRole,
    VerificationOutcome,
)
from phoihop.subjects.matching import key_rows
from phoihop.subjects.models import (
    DossierSubject,
    IdentityDocument,
    Subject,
    SubjectAccess,
    SubjectNameKey,
    Verification,
)
from phoihop.subjects.names import han_viet_of, has_han, pinyin_of

SUBJECT_FIELDS = (
    "full_name",
    "native_name",
    "latin_name",
    "han_viet",
    "pinyin",
    "aliases",
    "sex",
    "birth_year",
    "birth_month",
    "birth_day",
    "birth_place",
    "nationality",
    "ethnicity",
    "address",
)


def refresh_search(subject: Subject, document_numbers: list[str] | None = None) -> None:
    if document_numbers is None:
        document_numbers = (
            list(subject.documents.values_list("number", flat=True)) if subject.pk else []
        )
    subject.search_text = search_blob(
        subject.full_name,
        subject.native_name,
        subject.latin_name,
        subject.han_viet,
        subject.pinyin,
        subject.aliases,
        *document_numbers,
    )


def refresh_keys(subject: Subject, document_numbers: list[str] | None = None) -> None:
    """Replace the saved person's search keys (subjects.matching) with ones from its current data."""
    if document_numbers is None:
        document_numbers = list(subject.documents.values_list("number", flat=True))
    SubjectNameKey.objects.filter(subject=subject).delete()
    SubjectNameKey.objects.bulk_create(key_rows(subject, document_numbers))


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    data = {k: (nfc(v) if isinstance(v, str) else v) for k, v in fields.items()}
    errors: dict[str, str] = {}
    unknown = set(data) - set(SUBJECT_FIELDS)
    if unknown:
        raise ServiceError({f: _("Trường không hợp lệ.") for f in sorted(unknown)})
    if "full_name" in data and not data["full_name"]:
        if data.get("native_name") and has_han(data["native_name"]):
            data["full_name"] = han_viet_of(data["native_name"])
        elif data.get("latin_name"):
            data["full_name"] = data["latin_name"]
        else:
            errors["full_name"] = _("Cần nhập họ và tên.")
    native = data.get("native_name", "")
    if native and has_han(native):
        if not data.get("han_viet"):
            data["han_viet"] = han_viet_of(native)
        if not data.get("pinyin"):
            data["pinyin"] = pinyin_of(native)
    if "sex" in data and data["sex"] not in Sex.values:
        errors["sex"] = _("Giới tính không hợp lệ.")
    year, month, day = data.get("birth_year"), data.get("birth_month"), data.get("birth_day")
    this_year = timezone.localdate().year
    if year is not None and not 1900 <= year <= this_year:
        errors["birth_year"] = _("Năm sinh phải từ 1900 đến %(y)s.") % {"y": this_year}
    if month is not None and (year is None or not 1 <= month <= 12):
        errors["birth_month"] = _("Tháng sinh phải từ 1 đến 12 và đi cùng năm sinh.")
    if day is not None:
        try:
            if year is None or month is None:
                raise ValueError
            dt.date(year, month, day)
        except ValueError:
            errors["birth_day"] = _("Ngày sinh không hợp lệ.")
    if "nationality" in data:
        data["nationality"] = (data["nationality"] or "").upper()
        if len(data["nationality"]) != 2 or not data["nationality"].isalpha():
            errors["nationality"] = _("Quốc tịch phải là mã quốc gia 2 chữ cái (VN, CN…).")
    if errors:
        raise ServiceError(errors)
    return data


def _may_register(actor) -> bool:
    return policy.is_system(actor) or (
        policy.is_active_user(actor) and actor.role in CASEWORK_ROLES
    )


@transaction.atomic
def subject_create(
    *,
    actor,
    owner_agency: Agency | None = None,
    documents: list[dict[str, Any]] = (),
    **fields: Any,
) -> Subject:
    """Register a person; Hán-Việt and pinyin are suggested from Hán tự when left empty."""
    if not _may_register(actor):
        raise policy.NotFound
    fields.setdefault("full_name", "")
    data = _clean(fields)
    if owner_agency is None:
        if policy.is_system(actor):
            raise ServiceError({"owner_agency": _("Cần chỉ rõ cơ quan lập hồ sơ.")})
        owner_agency = actor.agency
    elif not policy.is_system(actor) and owner_agency.pk != actor.agency_id:
        raise ServiceError({"owner_agency": _("Chỉ được lập hồ sơ đối tượng cho cơ quan mình.")})
    docs = []
    for i, doc in enumerate(documents):
        number = nfc(doc.get("number", "")).replace(" ", "").upper()
        if not number:
            raise ServiceError({"documents": _("Giấy tờ thứ %(i)d thiếu số.") % {"i": i + 1}})
        if doc.get("kind") not in DocumentKind.values:
            raise ServiceError({"documents": _("Giấy tờ thứ %(i)d sai loại.") % {"i": i + 1}})
        docs.append(
            IdentityDocument(
                kind=doc["kind"],
                number=number,
                country=(doc.get("country") or "VN").upper()[:2],
                valid_until=doc.get("valid_until"),
            )
        )
    subject = Subject(owner_agency=owner_agency, **data)
    refresh_search(subject, [d.number for d in docs])
    subject.save()
    for d in docs:
        d.subject = subject
    IdentityDocument.objects.bulk_create(docs)
    refresh_keys(subject, [d.number for d in docs])
    audit_record(
        actor=actor,
        action="subject.create",
        obj=subject,
        changes={**snapshot(subject), "documents": [d.number for d in docs]},
    )
    return subject


@transaction.atomic
def subject_update(*, actor, subject: Subject, **fields: Any) -> Subject:
    subject = policy.get_or_404(
        Subject.objects.select_for_update(), actor, policy.CHANGE, pk=subject.pk
    )
    # The birth date is checked as a whole: submitted parts over the stored ones.
    stored = {k: getattr(subject, k) for k in ("birth_year", "birth_month", "birth_day")}
    data = _clean({**stored, **fields})
    before = snapshot(subject)
    for name, value in data.items():
        setattr(subject, name, value)
    refresh_search(subject)
    subject.save()
    refresh_keys(subject)
    changes = diff(before, snapshot(subject))
    if changes:
        audit_record(actor=actor, action="subject.update", obj=subject, changes=changes)
    return subject


@transaction.atomic
def subject_link(
    *, actor, dossier: Dossier, subject: Subject, role: str, on: dt.date | None = None
) -> DossierSubject:
    """Place a person in a dossier; both must be visible to the actor.

    `on` dates the timeline entry (default today), for work recorded after the fact.
    """
    dossier = policy.get_or_404(Dossier.objects.all(), actor, policy.CHANGE, pk=dossier.pk)
    subject = policy.get_or_404(Subject.objects.all(), actor, policy.VIEW, pk=subject.pk)
    if role not in SubjectRole.values:
        raise ServiceError({"role": _("Tư cách không hợp lệ.")})
    link, created = DossierSubject.objects.get_or_create(
        dossier=dossier, subject=subject, role=role
    )
    if created:
        timeline_add(
            actor=actor,
            dossier=dossier,
            kind=TimelineKind.SUBJECT,
            text=_("Bổ sung đối tượng %(n)s (%(r)s)")
            % {"n": subject.full_name, "r": link.get_role_display()},
            on=on,
        )
        audit_record(
            actor=actor,
            action="subject.link",
            obj=link,
            changes={"dossier": dossier.pk, "subject": subject.pk, "role": role},
        )
    return link


def _verification_days(dossier: Dossier, agency: Agency) -> int | None:
    resp = dossier.clause.responsibilities.filter(
        agency=agency, role=ResponsibilityRole.SUPPORT
    ).first()
    return resp.response_days if resp else None


@transaction.atomic
def verification_request(
    *,
    actor,
    dossier: Dossier,
    subject: Subject,
    requested_of: Agency,
    question: str,
    requested_on: dt.date | None = None,
    requested_by: Agency | None = None,
    response_days: int | None = None,
) -> Verification:
    """Ask another agency or the foreign counterpart to verify a person of the dossier."""
    dossier = policy.get_or_404(Dossier.objects.all(), actor, policy.CHANGE, pk=dossier.pk)
    if not DossierSubject.objects.filter(dossier=dossier, subject_id=subject.pk).exists():
        raise ServiceError({"subject": _("Đối tượng chưa có trong hồ sơ này.")})
    if not policy.is_system(actor):
        if requested_by is not None and requested_by.pk != actor.agency_id:
            raise ServiceError(
                {"requested_by": _("Chỉ được đề nghị xác minh nhân danh cơ quan mình.")}
            )
        requested_by = actor.agency
    if (
        requested_by is None
        or not DossierParty.objects.filter(dossier=dossier, agency=requested_by).exists()
    ):
        raise ServiceError({"requested_by": _("Cơ quan đề nghị phải tham gia hồ sơ.")})
    if requested_of.pk == requested_by.pk:
        raise ServiceError({"requested_of": _("Không thể tự đề nghị chính cơ quan mình.")})
    question = nfc(question)
    if not question:
        raise ServiceError({"question": _("Cần nêu nội dung đề nghị xác minh.")})
    requested_on = requested_on or timezone.localdate()
    days = response_days if response_days is not None else _verification_days(dossier, requested_of)
    verification = Verification.objects.create(
        dossier=dossier,
        subject=subject,
        requested_by=requested_by,
        requested_of=requested_of,
        question=question,
        requested_on=requested_on,
        due_on=add_working_days(requested_on, days) if days else None,
    )
    timeline_add(
        actor=actor,
        dossier=dossier,
        kind=TimelineKind.VERIFICATION,
        on=requested_on,
        text=_("Đề nghị %(a)s xác minh %(n)s")
        % {"a": requested_of.short_name, "n": subject.full_name},
    )
    audit_record(
        actor=actor, action="verification.request", obj=verification, changes=snapshot(verification)
    )
    return verification


@transaction.atomic
def verification_answer(
    *,
    actor,
    verification: Verification,
    outcome: str,
    answer: str,
    answered_on: dt.date | None = None,
) -> Verification:
    """Record the answer to a verification request."""
    verification = policy.get_or_404(
        Verification.objects.select_for_update().select_related("dossier", "subject"),
        actor,
        policy.CHANGE,
        pk=verification.pk,
    )
    if verification.outcome != VerificationOutcome.PENDING:
        raise ServiceError(_("Yêu cầu xác minh này đã có trả lời."))
    if outcome not in (VerificationOutcome.CLARIFIED, VerificationOutcome.UNRESOLVED):
        raise ServiceError({"outcome": _("Kết quả xác minh không hợp lệ.")})
    answered_on = answered_on or timezone.localdate()
    if answered_on < verification.requested_on:
        raise ServiceError({"answered_on": _("Ngày trả lời không được trước ngày đề nghị.")})
    before = snapshot(verification, ["outcome", "answered_on", "answer"])
    verification.outcome = outcome
    verification.answer = nfc(answer)
    verification.answered_on = answered_on
    verification.save(update_fields=["outcome", "answer", "answered_on", "updated_at"])
    timeline_add(
        actor=actor,
        dossier=verification.dossier,
        kind=TimelineKind.VERIFICATION,
        on=answered_on,
        text=_("Kết quả xác minh %(n)s: %(o)s")
        % {"n": verification.subject.full_name, "o": verification.get_outcome_display()},
    )
    audit_record(
        actor=actor,
        action="verification.answer",
        obj=verification,
        changes=diff(before, snapshot(verification, ["outcome", "answered_on", "answer"])),
    )
    return verification


@transaction.atomic
def subject_create_in_dossier(
    *,
    actor,
    dossier: Dossier,
    role: str,
    documents: list[dict[str, Any]] = (),
    on: dt.date | None = None,
    **fields: Any,
) -> Subject:
    """Register a person and place them in a dossier: both or neither (`on`: see subject_link)."""
    policy.get_or_404(Dossier.objects.all(), actor, policy.CHANGE, pk=dossier.pk)
    if role not in SubjectRole.values:
        raise ServiceError({"role": _("Tư cách không hợp lệ.")})
    subject = subject_create(actor=actor, documents=documents, **fields)
    subject_link(actor=actor, dossier=dossier, subject=subject, role=role, on=on)
    return subject


def access_purpose_errors(purpose: str, note: str) -> dict[str, str]:
    """What is wrong with a declared purpose, by field; empty when it is acceptable."""
    if purpose not in AccessPurpose.values:
        return {"purpose": _("Chọn mục đích truy cập dữ liệu cá nhân.")}
    if purpose == AccessPurpose.OTHER and not nfc(note).strip():
        return {"note": _("Ghi rõ mục đích khi chọn «Mục đích khác».")}
    return {}


@transaction.atomic
def subject_access_record(
    *, actor, subjects: list[Subject], kind: str, purpose: str, note: str = ""
) -> list[SubjectAccess]:
    """Log that `actor` viewed, exported or printed these persons' data, and why.

    One chained audit event covers the whole action; one read-log row per person
    points to it. Refuses (404) if any of the persons is not visible to `actor`.
    """
    if policy.is_system(actor) or not policy.is_active_user(actor):
        raise ValueError("personal-data reads are logged for signed-in users only")
    if kind not in AccessKind.values:
        raise ValueError(f"unknown access kind {kind!r}")
    if errors := access_purpose_errors(purpose, note):
        raise ServiceError(errors)
    note = nfc(note).strip()[:255]
    ids = sorted({s.pk for s in subjects})
    if not ids:
        return []
    visible = policy.restrict(Subject.objects.filter(pk__in=ids), actor)
    if visible.count() != len(ids):
        raise policy.NotFound
    single = subjects[0] if len(ids) == 1 else None
    event = audit_record(
        actor=actor,
        action="subject.accessed",
        obj=single,
        object_type="subjects.subject",
        object_repr="" if single else _("%(n)d đối tượng") % {"n": len(ids)},
        changes={"kind": kind, "purpose": purpose, "note": note, "subjects": ids},
        scope=None if single else ("subjects.subject", None),
    )
    ctx = context.current()
    return SubjectAccess.objects.bulk_create(
        [
            SubjectAccess(
                subject_id=pk,
                user=actor,
                at=event.at,
                ip=ctx.ip,
                request_id=ctx.request_id,
                kind=kind,
                purpose=purpose,
                note=note,
                event=event,
            )
            for pk in ids
        ],
        batch_size=1000,
    )
