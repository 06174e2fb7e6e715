"""Writes to persons: register, link to a dossier, verification requests and answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phoihop.accounts.choices import CASEWORK_ROLES, AgencyKind
from phoihop.accounts.models import Agency
from phoihop.audit.services import audit_record, diff, snapshot
from phoihop.core import context, policy
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.text import nfc, search_blob
from phoihop.core.workdays import add_working_days
from phoihop.dossiers.choices import MessageDirection, TimelineKind
from phoihop.dossiers.models import Dossier, DossierParty, Message
from phoihop.dossiers.services import message_add, timeline_add
from phoihop.subjects.choices import (
    ANSWER_OUTCOMES,
    AccessKind,
    AccessPurpose,
    AddressKind,
    DocumentKind,
    Sex,
    SubjectRole,
    VerificationField,
    VerificationOutcome,
    VerificationState,
)
from phoihop.subjects.matching import Candidate, MatchQuery, key_rows, match
from phoihop.subjects.models import (
    DossierSubject,
    IdentityDocument,
    Subject,
    SubjectAccess,
    SubjectAddress,
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
    "readings_confirmed",
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
        derived = False
        if not data.get("han_viet"):
            data["han_viet"] = han_viet_of(native)
            derived = True
        if not data.get("pinyin"):
            data["pinyin"] = pinyin_of(native)
            derived = True
        if derived:
            # Only derived, not checked by an officer: never confirmed.
            data["readings_confirmed"] = False
    if "readings_confirmed" in data:
        data["readings_confirmed"] = bool(data["readings_confirmed"]) and bool(
            data.get("han_viet") or data.get("pinyin")
        )
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


# A likely duplicate scores at least this (subjects.matching: 0–100): the same name with the
# birth date unknown scores 90, a namesake born another year 80, a close spelling about 75.
DUPLICATE_MIN_SCORE = 75
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


class LikelyDuplicates(ServiceError):
    """The person may already be recorded: the candidates are shown before anything is saved."""

    def __init__(self, candidates: list[Candidate]):
        super().__init__(
            _("Có thể đã có hồ sơ của người này: kiểm tra %(n)d hồ sơ tương tự trước khi lưu.")
            % {"n": len(candidates)}
        )
        self.candidates = candidates


def subject_likely_duplicates(
    *,
    actor,
    fields: dict[str, Any],
    documents: list[str] = (),
    exclude: Subject | None = None,
    limit: int = 5,
) -> list[Candidate]:
    """Persons the actor may see who are likely the one described by `fields`, best first.

    `fields` are a person's fields as given to `subject_create`; `documents` their
    document numbers. Merged records are never candidates.
    """
    names = [fields.get(k) or "" for k in ("full_name", "native_name", "latin_name")]
    names += [fields.get(k) or "" for k in ("han_viet", "pinyin")]
    names += [a.strip() for a in (fields.get("aliases") or "").replace(";", ",").split(",")]
    names = [n for n in dict.fromkeys(names) if n.strip()]
    numbers = [n for n in documents if n][:3]
    if not names and not numbers:
        return []
    queryset = policy.restrict(Subject.objects.filter(merged_into__isnull=True), actor)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    sex = fields.get("sex") or ""
    best: dict[int, Candidate] = {}
    for number in numbers or [""]:
        query = MatchQuery(
            name=names[0] if names else "",
            other_names=names[1:],
            birth_year=fields.get("birth_year"),
            birth_month=fields.get("birth_month"),
            birth_day=fields.get("birth_day"),
            sex="" if sex == Sex.UNKNOWN else sex,
            nationality=fields.get("nationality") or "",
            document=number,
        )
        for candidate in match(query, queryset=queryset, limit=limit):
            if candidate.id not in best or candidate.score > best[candidate.id].score:
                best[candidate.id] = candidate
    found = [c for c in best.values() if c.score >= DUPLICATE_MIN_SCORE]
    found.sort(key=lambda c: (-c.score, -c.name_score, c.id))
    return found[:limit]


def _row_id(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        raise ServiceError(_("Mã dòng không hợp lệ.")) from None


def _clean_documents(documents) -> list[dict[str, Any]]:
    """Identity documents as {id?, kind, number, country, valid_until}, checked row by row."""
    rows, errors, seen = [], [], set()
    for i, doc in enumerate(documents, start=1):
        number = nfc(doc.get("number") or "").replace(" ", "").upper()
        country = nfc(doc.get("country") or "VN").upper()
        row = {
            "id": _row_id(doc.get("id")),
            "kind": doc.get("kind") or "",
            "number": number,
            "country": country,
            "valid_until": doc.get("valid_until") or None,
        }
        if not number:
            errors.append(_("Giấy tờ thứ %(i)d thiếu số.") % {"i": i})
        elif row["kind"] not in DocumentKind.values:
            errors.append(_("Giấy tờ thứ %(i)d sai loại.") % {"i": i})
        elif len(country) != 2 or not country.isalpha():
            errors.append(_("Giấy tờ thứ %(i)d: nước cấp phải là mã 2 chữ cái.") % {"i": i})
        elif (row["kind"], number) in seen:
            errors.append(_("Giấy tờ thứ %(i)d bị nhập trùng.") % {"i": i})
        elif len(number) > 64:
            errors.append(_("Giấy tờ thứ %(i)d: số quá dài.") % {"i": i})
        seen.add((row["kind"], number))
        rows.append(row)
    if errors:
        raise ServiceError({"documents": errors})
    return rows


def _clean_addresses(addresses) -> list[dict[str, Any]]:
    rows, errors = [], []
    for i, item in enumerate(addresses, start=1):
        text = " ".join(nfc(item.get("text") or "").split())
        kind = item.get("kind") or AddressKind.RESIDENCE
        country = nfc(item.get("country") or "VN").upper()
        if not text:
            continue
        if kind not in AddressKind.values:
            errors.append(_("Địa chỉ thứ %(i)d sai loại.") % {"i": i})
        elif len(text) > 500:
            errors.append(_("Địa chỉ thứ %(i)d quá dài (tối đa 500 ký tự).") % {"i": i})
        elif len(country) != 2 or not country.isalpha():
            errors.append(_("Địa chỉ thứ %(i)d: quốc gia phải là mã 2 chữ cái.") % {"i": i})
        rows.append({"id": _row_id(item.get("id")), "kind": kind, "text": text, "country": country})
    if errors:
        raise ServiceError({"addresses": errors})
    return rows


def _check_photo(photo) -> str:
    """The photo's content type read from its bytes (JPEG or PNG), or ServiceError."""
    limit = getattr(settings, "PHOIHOP_MAX_PHOTO_BYTES", 2 * 1024 * 1024)
    if photo.size > limit:
        raise ServiceError(
            {"photo": _("Ảnh vượt quá %(n)d MB.") % {"n": max(1, limit // (1024 * 1024))}}
        )
    head = photo.read(16)
    photo.seek(0)
    for signature, content_type in PHOTO_TYPES.items():
        if head.startswith(signature):
            return content_type
    raise ServiceError({"photo": _("Ảnh phải là tệp JPEG hoặc PNG.")})


def _document_label(doc) -> str:
    valid = f" →{doc.valid_until:%d/%m/%Y}" if doc.valid_until else ""
    return f"{doc.kind} {doc.number} ({doc.country}){valid}"


def _sync_rows(
    model, subject: Subject, rows: list[dict[str, Any]], fields: tuple[str, ...], name: str
):
    """Make `subject`'s rows of `model` the given ones, keeping the ids of those that stay."""
    existing = {obj.pk: obj for obj in model.objects.filter(subject=subject)}
    keep_ids = {int(r["id"]) for r in rows if r["id"]}
    if keep_ids - set(existing):
        raise ServiceError({name: _("Dòng không thuộc hồ sơ này.")})
    model.objects.filter(subject=subject).exclude(pk__in=keep_ids).delete()
    new, changed = [], []
    for row in rows:
        values = {f: row[f] for f in fields}
        if row["id"]:
            obj = existing[int(row["id"])]
            if any(getattr(obj, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(obj, f, v)
                changed.append(obj)
        else:
            new.append(model(subject=subject, **values))
    if changed:
        model.objects.bulk_update(changed, list(fields))
    model.objects.bulk_create(new)


def _address_summary(rows: list[dict[str, Any]]) -> str:
    return rows[0]["text"] if rows else ""


@transaction.atomic
def subject_create(
    *,
    actor,
    owner_agency: Agency | None = None,
    documents: list[dict[str, Any]] = (),
    addresses: list[dict[str, Any]] | None = None,
    photo=None,
    check_duplicates: bool = False,
    distinct_from: list[int] = (),
    **fields: Any,
) -> Subject:
    """Register a person; Hán-Việt and pinyin are suggested from Hán tự when left empty.

    With `check_duplicates`, likely duplicates among the persons the actor may see
    refuse the creation (`LikelyDuplicates`, with the candidates) unless each was
    declared another person in `distinct_from`, which the audit event records.
    """
    if not _may_register(actor):
        raise policy.NotFound
    fields.setdefault("full_name", "")
    if addresses is None:
        addresses = [{"text": fields.get("address") or ""}]
    address_rows = _clean_addresses(addresses)
    fields["address"] = _address_summary(address_rows)
    data = _clean(fields)
    if owner_agency is None:
        if policy.is_system(actor):
            raise ServiceError({"owner_agency": _("Cần chỉ rõ cơ quan lập hồ sơ.")})
        owner_agency = actor.agency
    elif not policy.is_system(actor) and owner_agency.pk != actor.agency_id:
        raise ServiceError({"owner_agency": _("Chỉ được lập hồ sơ đối tượng cho cơ quan mình.")})
    doc_rows = _clean_documents(documents)
    photo_type = _check_photo(photo) if photo else ""
    distinct = sorted({int(pk) for pk in distinct_from})
    if check_duplicates:
        candidates = subject_likely_duplicates(
            actor=actor, fields=data, documents=[d["number"] for d in doc_rows]
        )
        if any(c.id not in distinct for c in candidates):
            raise LikelyDuplicates(candidates)
    docs = [
        IdentityDocument(
            kind=d["kind"], number=d["number"], country=d["country"], valid_until=d["valid_until"]
        )
        for d in doc_rows
    ]
    subject = Subject(owner_agency=owner_agency, **data)
    if photo:
        subject.photo = photo
        subject.photo_content_type = photo_type
    refresh_search(subject, [d.number for d in docs])
    subject.save()
    for d in docs:
        d.subject = subject
    IdentityDocument.objects.bulk_create(docs)
    SubjectAddress.objects.bulk_create(
        SubjectAddress(subject=subject, kind=a["kind"], text=a["text"], country=a["country"])
        for a in address_rows
    )
    refresh_keys(subject, [d.number for d in docs])
    changes = {
        **snapshot(subject),
        "documents": [d.number for d in docs],
        "addresses": [a["text"] for a in address_rows],
    }
    if distinct:
        # The officer saw these records and declared the person another one.
        changes["distinct_from"] = distinct
    audit_record(actor=actor, action="subject.create", obj=subject, changes=changes)
    return subject


@transaction.atomic
def subject_update(
    *,
    actor,
    subject: Subject,
    documents: list[dict[str, Any]] | None = None,
    addresses: list[dict[str, Any]] | None = None,
    photo=None,
    remove_photo: bool = False,
    **fields: Any,
) -> Subject:
    """Change a person's record; `documents` and `addresses`, when given, replace the lists
    (rows with an `id` are kept and updated, others added, missing ones removed)."""
    subject = policy.get_or_404(
        Subject.objects.select_for_update(), actor, policy.CHANGE, pk=subject.pk
    )
    if subject.merged_into_id:
        raise ServiceError(
            _("Hồ sơ này đã được gộp vào hồ sơ số %(n)d: sửa trên hồ sơ đó.")
            % {"n": subject.merged_into_id}
        )
    legacy_address = addresses is None and "address" in fields
    if legacy_address:
        # The single address of older callers: it replaces the first one recorded.
        addresses = [
            {"id": a.pk, "kind": a.kind, "text": a.text, "country": a.country}
            for a in subject.addresses.order_by("pk")
        ] or [{}]
        addresses[0]["text"] = fields["address"]
    address_rows = None
    if addresses is not None:
        address_rows = _clean_addresses(addresses)
        fields["address"] = _address_summary(address_rows)
    # The birth date is checked as a whole: submitted parts over the stored ones.
    stored = {k: getattr(subject, k) for k in ("birth_year", "birth_month", "birth_day")}
    data = _clean({**stored, **fields})
    doc_rows = _clean_documents(documents) if documents is not None else None
    photo_type = _check_photo(photo) if photo else ""
    before = snapshot(subject)
    docs_before = [_document_label(d) for d in subject.documents.order_by("pk")]
    addresses_before = list(subject.addresses.order_by("pk").values_list("text", flat=True))
    for name, value in data.items():
        setattr(subject, name, value)
    old_photo = subject.photo.name if subject.photo else ""
    if photo:
        subject.photo = photo
        subject.photo_content_type = photo_type
    elif remove_photo and old_photo:
        subject.photo = ""
        subject.photo_content_type = ""
    if doc_rows is not None:
        _sync_rows(
            IdentityDocument,
            subject,
            doc_rows,
            ("kind", "number", "country", "valid_until"),
            "documents",
        )
    if address_rows is not None:
        _sync_rows(SubjectAddress, subject, address_rows, ("kind", "text", "country"), "addresses")
    refresh_search(subject)
    subject.save()
    refresh_keys(subject)
    changes = diff(before, snapshot(subject))
    docs_after = [_document_label(d) for d in subject.documents.order_by("pk")]
    if docs_after != docs_before:
        changes["documents"] = [docs_before, docs_after]
    addresses_after = list(subject.addresses.order_by("pk").values_list("text", flat=True))
    if addresses_after != addresses_before and not legacy_address:  # else `address` says it
        changes["addresses"] = [addresses_before, addresses_after]
    if old_photo and subject.photo.name != old_photo:
        storage = subject.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))
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
    if subject.merged_into_id:
        raise ServiceError(
            {
                "subject": _("Hồ sơ đối tượng này đã được gộp vào hồ sơ số %(n)d.")
                % {"n": subject.merged_into_id}
            }
        )
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


# The reply time usually asked of the foreign side. The regulation binds the domestic
# parties only, so its clauses rarely set one: the officer states it in the request.
FOREIGN_REPLY_WORKING_DAYS = 15


def verification_response_days(dossier: Dossier, requested_of: Agency) -> int | None:
    """Working days the asked agency has to reply under the dossier's clause, if it says."""
    days = (
        dossier.clause.responsibilities.filter(agency=requested_of, response_days__isnull=False)
        .order_by("-role")  # "support" before "lead": answering is supporting work
        .values_list("response_days", flat=True)
        .first()
    )
    return days or None


def verification_data(subject: Subject, fields) -> list[dict[str, str]]:
    """The chosen fields of a person as they would be sent, in the form's order; empty ones left out."""
    chosen = set(fields)
    documents = ""
    if VerificationField.DOCUMENTS in chosen:
        documents = "; ".join(
            f"{d.get_kind_display()} {d.number} ({d.country})"
            for d in IdentityDocument.objects.filter(subject_id=subject.pk).order_by("kind", "id")
        )
    values = {
        VerificationField.SEX: subject.get_sex_display(),
        VerificationField.BIRTH: subject.birth_display,
        VerificationField.DOCUMENTS: documents,
    }
    rows = []
    for field, label in VerificationField.choices:
        if field not in chosen:
            continue
        value = values[field] if field in values else getattr(subject, field)
        if value:
            rows.append({"field": field, "label": str(label), "value": str(value)})
    return rows


def _answering_agency_id(verification: Verification) -> int:
    """Who records the answer: the agency asked, or the requester for the foreign side's reply."""
    if verification.requested_of.kind == AgencyKind.FOREIGN:
        return verification.requested_by_id
    return verification.requested_of_id


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
    message: Message | None = None,
    new_message: dict[str, Any] | None = None,
    fields=(),
) -> Verification:
    """Ask another party of the dossier, or its foreign counterpart, to verify a person.

    The request travels in a dispatch: an outgoing `message` already recorded on the
    dossier, or one recorded now from `new_message` (number_symbol, summary,
    classification). `fields` (VerificationField values) say which of the person's data
    went with it; what was sent is kept as it was. Only the system actor, recording
    past work, may leave out the dispatch and the data.
    """
    dossier = policy.get_or_404(
        Dossier.objects.select_related("clause"), actor, policy.CHANGE, pk=dossier.pk
    )
    system = policy.is_system(actor)
    if not DossierSubject.objects.filter(dossier=dossier, subject_id=subject.pk).exists():
        raise ServiceError({"subject": _("Đối tượng chưa có trong hồ sơ này.")})
    if not system:
        if requested_by is not None and requested_by.pk != actor.agency_id:
            raise ServiceError(
                {"requested_by": _("Chỉ được đề nghị xác minh nhân danh cơ quan mình.")}
            )
        requested_by = actor.agency
    parties = set(DossierParty.objects.filter(dossier=dossier).values_list("agency_id", flat=True))
    if requested_by is None or requested_by.pk not in parties:
        raise ServiceError({"requested_by": _("Cơ quan đề nghị phải tham gia hồ sơ.")})
    errors: dict[str, str] = {}
    if requested_of.pk == requested_by.pk:
        errors["requested_of"] = _("Không thể tự đề nghị chính cơ quan mình.")
    elif requested_of.kind == AgencyKind.FOREIGN:
        if requested_of.pk != dossier.counterpart_id:
            errors["requested_of"] = _("Chỉ đề nghị được đối tác nước ngoài của hồ sơ này.")
    elif requested_of.pk not in parties and not system:
        # The agency asked must see the request, and a request follows its dossier. Past
        # work recorded by the system keeps whom it asked, as it was.
        errors["requested_of"] = _(
            "Cơ quan được đề nghị phải tham gia hồ sơ (chủ trì hoặc phối hợp)."
        )
    question = nfc(question or "").strip()
    if not question:
        errors["question"] = _("Cần nêu nội dung đề nghị xác minh.")
    if message is not None and new_message is not None:
        errors["message"] = _("Chọn công văn đã ghi hoặc ghi công văn mới, không chọn cả hai.")
    elif message is not None:
        message = (
            policy.restrict(Message.objects.all(), actor)
            .filter(pk=message.pk, dossier=dossier)
            .first()
        )
        if message is None:
            errors["message"] = _("Công văn không thuộc hồ sơ này.")
        elif (
            message.direction != MessageDirection.OUTGOING
            or message.sender_id != requested_by.pk
            or message.recipient_id != requested_of.pk
        ):
            errors["message"] = _(
                "Công văn mang đề nghị phải là công văn đi của %(by)s gửi %(of)s."
            ) % {"by": requested_by.short_name, "of": requested_of.short_name}
        elif requested_on is None:
            requested_on = message.sent_on
    elif new_message is None and not system:
        errors["message"] = _("Chọn công văn mang đề nghị hoặc ghi công văn mới.")
    today = timezone.localdate()
    requested_on = requested_on or today
    if not system and requested_on > today:
        errors["requested_on"] = _("Ngày đề nghị không được sau ngày hôm nay.")
    elif message is not None and "message" not in errors and requested_on < message.sent_on:
        errors["requested_on"] = _("Ngày đề nghị không được trước ngày của công văn mang đề nghị.")
    unknown = set(fields) - set(VerificationField.values)
    if unknown:
        errors["fields"] = _("Trường thông tin không hợp lệ: %(f)s.") % {
            "f": ", ".join(sorted(unknown))
        }
    data_sent = [] if unknown else verification_data(subject, fields)
    if not system and not data_sent and "fields" not in errors:
        errors["fields"] = _("Chọn ít nhất một thông tin (có dữ liệu) của đối tượng để gửi.")
    if response_days is not None and not 1 <= response_days <= 365:
        errors["response_days"] = _("Thời hạn trả lời phải từ 1 đến 365 ngày làm việc.")
    elif response_days is None and "requested_of" not in errors:
        response_days = verification_response_days(dossier, requested_of)
        # Past work recorded by the system may lack a deadline; a new request abroad may not.
        if response_days is None and requested_of.kind == AgencyKind.FOREIGN and not system:
            errors["response_days"] = _(
                "Quy chế không quy định thời hạn trả lời cho đối tác nước ngoài: nhập số ngày "
                "làm việc đề nghị phía bạn trả lời (thường là %(n)d ngày)."
            ) % {"n": FOREIGN_REPLY_WORKING_DAYS}
    if errors:
        raise ServiceError(errors)
    if new_message is not None:
        try:
            message = message_add(
                actor=actor,
                dossier=dossier,
                direction=MessageDirection.OUTGOING,
                number_symbol=new_message.get("number_symbol", ""),
                sent_on=requested_on,
                sender=requested_by,
                recipient=requested_of,
                summary=new_message.get("summary")
                or _("Đề nghị xác minh đối tượng %(n)s") % {"n": subject.full_name},
                classification=new_message.get("classification", Classification.THUONG),
            )
        except ServiceError as exc:
            raise ServiceError(
                {f"message_{field}": msgs for field, msgs in exc.message_dict.items()}
            ) from exc
    days = response_days
    verification = Verification.objects.create(
        dossier=dossier,
        subject=subject,
        requested_by=requested_by,
        requested_of=requested_of,
        message=message,
        data_sent=data_sent,
        question=question,
        requested_on=requested_on,
        due_on=add_working_days(requested_on, days) if days else None,
        state=VerificationState.SENT,
    )
    timeline_add(
        actor=actor,
        dossier=dossier,
        kind=TimelineKind.VERIFICATION,
        on=requested_on,
        text=_("Đề nghị %(a)s xác minh %(n)s")
        % {"a": requested_of.short_name, "n": subject.full_name}
        + (_(" (công văn số %(m)s)") % {"m": message.number_symbol} if message else ""),
    )
    audit_record(
        actor=actor, action="verification.request", obj=verification, changes=snapshot(verification)
    )
    return verification


def _open_for_change(actor, verification: Verification) -> Verification:
    return policy.get_or_404(
        Verification.objects.select_for_update().select_related(
            "dossier", "subject", "requested_of", "requested_by"
        ),
        actor,
        policy.CHANGE,
        pk=verification.pk,
    )


def _refuse_unless_sent(verification: Verification, field: str) -> None:
    if verification.state == VerificationState.ANSWERED:
        raise ServiceError(
            {
                field: _("Yêu cầu này đã được trả lời ngày %(d)s; không ghi trả lời lần thứ hai.")
                % {"d": f"{verification.answered_on:%d/%m/%Y}"}
            }
        )
    if verification.state == VerificationState.CLOSED:
        raise ServiceError(
            {
                field: _(
                    "Yêu cầu này đã đóng ngày %(d)s vì không được trả lời đúng hạn; "
                    "nếu cần, lập yêu cầu mới."
                )
                % {"d": f"{verification.closed_on:%d/%m/%Y}"}
            }
        )


@transaction.atomic
def verification_answer(
    *,
    actor,
    verification: Verification,
    outcome: str,
    answer: str,
    answered_on: dt.date | None = None,
    answer_message: Message | None = None,
) -> Verification:
    """Record the answer to a sent request, with its outcome.

    A domestic agency records the answers it gives; the foreign side's replies arrive
    by dispatch and are recorded by the requesting agency.
    """
    verification = _open_for_change(actor, verification)
    _refuse_unless_sent(verification, "answer")
    answering = _answering_agency_id(verification)
    if not policy.is_system(actor) and actor.agency_id != answering:
        raise ServiceError(
            {
                "answer": _("Trả lời yêu cầu này do %(a)s ghi nhận.")
                % {"a": Agency.objects.get(pk=answering).short_name}
            }
        )
    errors: dict[str, str] = {}
    if outcome == VerificationOutcome.NOT_ANSWERED:
        errors["outcome"] = _(
            "«Không được trả lời đúng hạn» không phải là kết quả của một trả lời: "
            "hãy đóng yêu cầu khi đã quá hạn."
        )
    elif outcome not in ANSWER_OUTCOMES:
        errors["outcome"] = _("Kết quả xác minh không hợp lệ.")
    today = timezone.localdate()
    answered_on = answered_on or today
    if answered_on < verification.requested_on:
        errors["answered_on"] = _("Ngày trả lời không được trước ngày đề nghị (%(d)s).") % {
            "d": f"{verification.requested_on:%d/%m/%Y}"
        }
    elif not policy.is_system(actor) and answered_on > today:
        errors["answered_on"] = _("Ngày trả lời không được sau ngày hôm nay.")
    answer = nfc(answer or "").strip()
    if not answer:
        errors["answer"] = _("Cần ghi nội dung trả lời.")
    if answer_message is not None:
        answer_message = (
            policy.restrict(Message.objects.all(), actor)
            .filter(pk=answer_message.pk, dossier_id=verification.dossier_id)
            .first()
        )
        if answer_message is None:
            errors["answer_message"] = _("Công văn không thuộc hồ sơ này.")
        elif (
            answer_message.sender_id != verification.requested_of_id
            or answer_message.recipient_id != verification.requested_by_id
        ):
            errors["answer_message"] = _("Công văn trả lời phải do %(of)s gửi %(by)s.") % {
                "of": verification.requested_of.short_name,
                "by": verification.requested_by.short_name,
            }
    if errors:
        raise ServiceError(errors)
    fields = ["state", "outcome", "answered_on", "answer", "answer_message", "closed_on"]
    before = snapshot(verification, fields)
    verification.state = VerificationState.ANSWERED
    verification.outcome = outcome
    verification.answer = answer
    verification.answered_on = answered_on
    verification.answer_message = answer_message
    verification.closed_on = answered_on
    verification.save(update_fields=[*fields, "updated_at"])
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
        changes=diff(before, snapshot(verification, fields)),
    )
    return verification


@transaction.atomic
def verification_close_unanswered(
    *, actor, verification: Verification, closed_on: dt.date | None = None
) -> Verification:
    """The requester closes a request whose due date passed without an answer.

    The outcome becomes "not answered in time"; a person still to be verified gets a
    new request (a chaser), which keeps each request's own deadline honest.
    """
    verification = _open_for_change(actor, verification)
    _refuse_unless_sent(verification, "closed_on")
    if not policy.is_system(actor) and actor.agency_id != verification.requested_by_id:
        raise ServiceError(
            {
                "closed_on": _("Chỉ %(a)s, cơ quan đề nghị, được đóng yêu cầu này.")
                % {"a": verification.requested_by.short_name}
            }
        )
    today = timezone.localdate()
    closed_on = closed_on or today
    if not policy.is_system(actor) and closed_on > today:
        raise ServiceError({"closed_on": _("Ngày đóng không được sau ngày hôm nay.")})
    if verification.due_on is not None and closed_on <= verification.due_on:
        raise ServiceError(
            {
                "closed_on": _(
                    "Chưa quá hạn trả lời (hạn %(d)s): chỉ đóng là không được trả lời "
                    "đúng hạn từ ngày sau hạn."
                )
                % {"d": f"{verification.due_on:%d/%m/%Y}"}
            }
        )
    if closed_on < verification.requested_on:
        raise ServiceError({"closed_on": _("Ngày đóng không được trước ngày đề nghị.")})
    fields = ["state", "outcome", "closed_on"]
    before = snapshot(verification, fields)
    verification.state = VerificationState.CLOSED
    verification.outcome = VerificationOutcome.NOT_ANSWERED
    verification.closed_on = closed_on
    verification.save(update_fields=[*fields, "updated_at"])
    timeline_add(
        actor=actor,
        dossier=verification.dossier,
        kind=TimelineKind.VERIFICATION,
        on=closed_on,
        text=_("Đóng yêu cầu xác minh %(n)s: %(a)s không trả lời đúng hạn")
        % {"n": verification.subject.full_name, "a": verification.requested_of.short_name},
    )
    audit_record(
        actor=actor,
        action="verification.close",
        obj=verification,
        changes=diff(before, snapshot(verification, fields)),
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
