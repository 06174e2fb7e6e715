"""Writes to dossiers: open, edit, move through the workflow, tasks, correspondence.

Every function takes the acting user, checks the policy, changes the data and
records the audit event in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
import zipfile
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from phoihop.accounts.choices import CASEWORK_ROLES, Role
from phoihop.accounts.models import Agency, Unit
from phoihop.audit.services import audit_record, diff, snapshot
from phoihop.core import policy
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.text import nfc, search_blob
from phoihop.core.workdays import add_working_days
from phoihop.dossiers.choices import (
    CLOSED_STATUSES,
    TRANSITIONS,
    DossierStatus,
    MessageDirection,
    PartyRole,
    TimelineKind,
)
from phoihop.dossiers.models import (
    Attachment,
    Dossier,
    DossierParty,
    Message,
    Task,
    TimelineEvent,
)
from phoihop.regulations.choices import CategoryKind, ResponsibilityRole
from phoihop.regulations.models import Category, CrimeType
from phoihop.regulations.selectors import category_in_force

EDITABLE_FIELDS = ("title", "summary", "crime_type", "counterpart", "classification")


def _actor_label(actor) -> str:
    return "system" if policy.is_system(actor) else actor.username


def _today() -> dt.date:
    return timezone.localdate()


def timeline_add(
    *,
    actor,
    dossier: Dossier,
    kind: str,
    text: str,
    on: dt.date | None = None,
    classification: int = Classification.THUONG,
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        dossier=dossier,
        at=timezone.now(),
        on=on or _today(),
        kind=kind,
        actor_label=_actor_label(actor),
        text=text[:500],
        classification=classification,
    )


def _check_parties(
    actor,
    *,
    lead_agency: Agency,
    supporting: Iterable[Agency],
    counterpart: Agency | None,
    classification: int,
) -> None:
    errors: dict[str, str] = {}
    if lead_agency.is_foreign:
        errors["lead_agency"] = _("Cơ quan chủ trì phải là cơ quan trong nước.")
    if any(a.is_foreign for a in supporting):
        errors["supporting_agencies"] = _("Cơ quan phối hợp phải là cơ quan trong nước.")
    if counterpart is not None and not counterpart.is_foreign:
        errors["counterpart"] = _("Đối tác phải là cơ quan nước ngoài.")
    if not policy.is_system(actor):
        if actor.agency_id not in {lead_agency.pk, *(a.pk for a in supporting)}:
            errors["lead_agency"] = _(
                "Cơ quan của bạn phải là cơ quan chủ trì hoặc phối hợp của hồ sơ."
            )
        if classification > actor.clearance:
            errors["classification"] = _("Độ mật vượt quá cấp độ tiếp cận của bạn.")
    if errors:
        raise ServiceError(errors)


def _may_work(actor) -> bool:
    return policy.is_system(actor) or (
        policy.is_active_user(actor) and actor.role in CASEWORK_ROLES
    )


def _refresh_search(dossier: Dossier) -> None:
    dossier.search_text = search_blob(
        dossier.reference, dossier.title, dossier.summary, dossier.outcome
    )


@transaction.atomic
def dossier_open(
    *,
    actor,
    category: Category,
    title: str,
    lead_agency: Agency,
    opened_on: dt.date | None = None,
    summary: str = "",
    supporting_agencies: Iterable[Agency] = (),
    counterpart: Agency | None = None,
    crime_type: CrimeType | None = None,
    classification: int = Classification.THUONG,
    named_users: Iterable[Any] = (),
) -> Dossier:
    """Open a dossier under a category's clause, with tasks due by the clause's deadlines."""
    if not _may_work(actor):
        raise policy.NotFound
    # The same agency named twice, or the lead named as support, is one party.
    supporting = list({a.pk: a for a in supporting_agencies if a.pk != lead_agency.pk}.values())
    _check_parties(
        actor,
        lead_agency=lead_agency,
        supporting=supporting,
        counterpart=counterpart,
        classification=classification,
    )
    title = nfc(title)
    if not title:
        raise ServiceError({"title": _("Cần nhập tên hồ sơ.")})
    if crime_type is not None and category.kind != CategoryKind.JOINT_CRIMINAL:
        raise ServiceError({"crime_type": _("Chỉ hồ sơ vụ án hình sự mới có tội danh.")})
    opened_on = opened_on or _today()
    category = category_in_force(category, opened_on)
    named = list(named_users)
    if classification == Classification.TUYET_MAT and not named:
        if policy.is_system(actor):
            raise ServiceError(
                {"named_users": _("Hồ sơ Tuyệt mật phải ghi rõ người được tiếp cận.")}
            )
        named = [actor]
    parties = {lead_agency.pk, *(a.pk for a in supporting)}
    if any(
        not u.is_active or u.agency_id not in parties or u.clearance < classification for u in named
    ):
        raise ServiceError(
            {
                "named_users": _(
                    "Người được tiếp cận phải thuộc một cơ quan của hồ sơ và có cấp độ "
                    "tiếp cận đủ cho độ mật của hồ sơ."
                )
            }
        )
    dossier = Dossier(
        reference=uuid.uuid4().hex,  # replaced below once the primary key is known
        title=title,
        summary=nfc(summary),
        category=category,
        clause=category.clause,
        crime_type=crime_type,
        lead_agency=lead_agency,
        counterpart=counterpart,
        classification=classification,
        status=DossierStatus.OPENED,
        opened_on=opened_on,
        created_by=None if policy.is_system(actor) else actor,
    )
    dossier.save()
    dossier.reference = f"HS-{opened_on.year}-{dossier.pk:06d}"
    _refresh_search(dossier)
    dossier.save(update_fields=["reference", "search_text"])
    DossierParty.objects.bulk_create(
        [DossierParty(dossier=dossier, agency=lead_agency, role=PartyRole.LEAD)]
        + [DossierParty(dossier=dossier, agency=a, role=PartyRole.SUPPORT) for a in supporting]
    )
    if named:
        dossier.named_users.set(named)
    _create_clause_tasks(dossier, {lead_agency.pk, *(a.pk for a in supporting)})
    timeline_add(
        actor=actor,
        dossier=dossier,
        kind=TimelineKind.OPENED,
        on=opened_on,
        text=_("Mở hồ sơ theo %(clause)s") % {"clause": dossier.clause},
    )
    audit_record(
        actor=actor,
        action="dossier.open",
        obj=dossier,
        changes={
            **snapshot(dossier),
            "supporting_agencies": sorted(a.pk for a in supporting),
            "named_users": sorted(u.pk for u in named),
        },
    )
    return dossier


def _create_clause_tasks(dossier: Dossier, agency_ids: set[int]) -> list[Task]:
    tasks = []
    liaison_units = {
        u.agency_id: u for u in Unit.objects.filter(agency_id__in=agency_ids, is_liaison=True)
    }
    for resp in dossier.clause.responsibilities.select_related("agency"):
        if resp.agency_id not in agency_ids or resp.response_days is None:
            continue
        default_title = (
            _("Chủ trì xử lý") if resp.role == ResponsibilityRole.LEAD else _("Phối hợp, trả lời")
        )
        tasks.append(
            Task(
                dossier=dossier,
                category_id=dossier.category_id,
                title=resp.task_title or default_title,
                agency_id=resp.agency_id,
                unit=liaison_units.get(resp.agency_id),
                responsibility=resp,
                due_on=add_working_days(dossier.opened_on, resp.response_days),
            )
        )
    return Task.objects.bulk_create(tasks)


def _check_reclassification(actor, dossier: Dossier, classification: int) -> None:
    """Who may change a dossier's level, and how low it may go.

    The lead agency decides its dossier's level: a supporting agency may not raise
    it (a Tuyệt mật raise would lock the lead agency out). Lowering widens who
    reads it, so only a leader of the lead agency lowers, and never below the
    level of a letter it holds.
    """
    if policy.is_system(actor):
        pass
    elif actor.agency_id != dossier.lead_agency_id:
        raise ServiceError(
            {"classification": _("Chỉ cơ quan chủ trì được thay đổi độ mật của hồ sơ.")}
        )
    elif classification < dossier.classification and actor.role != Role.LEADER:
        raise ServiceError(
            {"classification": _("Chỉ lãnh đạo cơ quan chủ trì được hạ độ mật của hồ sơ.")}
        )
    highest = dossier.messages.aggregate(level=Max("classification"))["level"] or 0
    if classification < highest:
        raise ServiceError(
            {
                "classification": _(
                    "Không hạ được độ mật xuống dưới độ mật của công văn trong hồ sơ (%(level)s)."
                )
                % {"level": Classification(highest).label}
            }
        )


@transaction.atomic
def dossier_update(*, actor, dossier: Dossier, **fields: Any) -> Dossier:
    """Change the editable fields of a dossier the actor may work."""
    dossier = policy.get_or_404(
        Dossier.objects.select_for_update(), actor, policy.CHANGE, pk=dossier.pk
    )
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ServiceError({f: _("Không được sửa trường này.") for f in sorted(unknown)})
    if dossier.is_closed:
        raise ServiceError(_("Hồ sơ đã đóng, không sửa được."))
    classification = fields.get("classification", dossier.classification)
    if not policy.is_system(actor) and classification > actor.clearance:
        raise ServiceError({"classification": _("Độ mật vượt quá cấp độ tiếp cận của bạn.")})
    if classification != dossier.classification:
        _check_reclassification(actor, dossier, classification)
    named_before = sorted(dossier.named_users.values_list("pk", flat=True))
    if classification == Classification.TUYET_MAT and not named_before:
        if policy.is_system(actor):
            raise ServiceError(
                {"classification": _("Hồ sơ Tuyệt mật phải ghi rõ người được tiếp cận.")}
            )
        dossier.named_users.add(actor)
    counterpart = fields.get("counterpart", dossier.counterpart)
    if counterpart is not None and not counterpart.is_foreign:
        raise ServiceError({"counterpart": _("Đối tác phải là cơ quan nước ngoài.")})
    if fields.get("crime_type") and dossier.category.kind != CategoryKind.JOINT_CRIMINAL:
        raise ServiceError({"crime_type": _("Chỉ hồ sơ vụ án hình sự mới có tội danh.")})
    before = snapshot(dossier)
    for name, value in fields.items():
        setattr(dossier, name, nfc(value) if isinstance(value, str) else value)
    if not dossier.title:
        raise ServiceError({"title": _("Cần nhập tên hồ sơ.")})
    _refresh_search(dossier)
    dossier.save()
    changes = diff(before, snapshot(dossier))
    named_after = sorted(dossier.named_users.values_list("pk", flat=True))
    if named_after != named_before:
        changes["named_users"] = [named_before, named_after]
    if changes:
        timeline_add(
            actor=actor,
            dossier=dossier,
            kind=TimelineKind.UPDATED,
            text=_("Cập nhật thông tin hồ sơ"),
        )
        audit_record(actor=actor, action="dossier.update", obj=dossier, changes=changes)
    return dossier


def allowed_transitions(dossier: Dossier) -> list[str]:
    return sorted(TRANSITIONS[dossier.status], key=list(DossierStatus.values).index)


@transaction.atomic
def dossier_transition(
    *, actor, dossier: Dossier, status: str, outcome: str = "", on: dt.date | None = None
) -> Dossier:
    """Move a dossier along the workflow; closing needs an outcome."""
    dossier = policy.get_or_404(
        Dossier.objects.select_for_update(), actor, policy.CHANGE, pk=dossier.pk
    )
    if status not in DossierStatus.values:
        raise ServiceError({"status": _("Trạng thái không hợp lệ.")})
    if status not in TRANSITIONS[dossier.status]:
        raise ServiceError(
            {
                "status": _("Không thể chuyển từ “%(a)s” sang “%(b)s”.")
                % {"a": dossier.get_status_display(), "b": DossierStatus(status).label}
            }
        )
    on = on or _today()
    if on < dossier.opened_on:
        raise ServiceError({"on": _("Ngày chuyển trạng thái không được trước ngày mở hồ sơ.")})
    outcome = nfc(outcome)
    if status in CLOSED_STATUSES and not outcome:
        raise ServiceError({"outcome": _("Cần ghi kết quả khi kết thúc hồ sơ.")})
    before = snapshot(dossier, ["status", "resolved_on", "outcome"])
    dossier.status = status
    if status in CLOSED_STATUSES:
        dossier.resolved_on = on
        dossier.outcome = outcome
    _refresh_search(dossier)
    dossier.save(update_fields=["status", "resolved_on", "outcome", "search_text", "updated_at"])
    timeline_add(
        actor=actor,
        dossier=dossier,
        kind=TimelineKind.STATUS,
        on=on,
        text=_("Chuyển sang “%(s)s”") % {"s": dossier.get_status_display()}
        + (f": {outcome}" if outcome else ""),
    )
    audit_record(
        actor=actor,
        action="dossier.transition",
        obj=dossier,
        changes=diff(before, snapshot(dossier, ["status", "resolved_on", "outcome"])),
    )
    return dossier


@transaction.atomic
def task_add(
    *,
    actor,
    dossier: Dossier,
    title: str,
    agency: Agency,
    unit: Unit | None = None,
    due_on: dt.date | None = None,
) -> Task:
    dossier = policy.get_or_404(Dossier.objects.all(), actor, policy.CHANGE, pk=dossier.pk)
    if not DossierParty.objects.filter(dossier=dossier, agency=agency).exists():
        raise ServiceError({"agency": _("Cơ quan này không tham gia hồ sơ.")})
    if unit is not None and unit.agency_id != agency.pk:
        raise ServiceError({"unit": _("Đơn vị không thuộc cơ quan đã chọn.")})
    title = nfc(title)
    if not title:
        raise ServiceError({"title": _("Cần nhập nội dung nhiệm vụ.")})
    task = Task.objects.create(
        dossier=dossier, title=title, agency=agency, unit=unit, due_on=due_on
    )
    timeline_add(
        actor=actor,
        dossier=dossier,
        kind=TimelineKind.TASK,
        text=_("Giao nhiệm vụ: %(t)s") % {"t": title},
    )
    audit_record(actor=actor, action="task.add", obj=task, changes=snapshot(task))
    return task


@transaction.atomic
def task_complete(*, actor, task: Task, done_on: dt.date | None = None) -> Task:
    task = policy.get_or_404(Task.objects.select_for_update(), actor, policy.CHANGE, pk=task.pk)
    if task.done_on is not None:
        raise ServiceError(_("Nhiệm vụ đã hoàn thành."))
    done_on = done_on or _today()
    if done_on < task.dossier.opened_on:
        raise ServiceError({"done_on": _("Ngày hoàn thành không được trước ngày mở hồ sơ.")})
    task.done_on = done_on
    task.save(update_fields=["done_on", "updated_at"])
    timeline_add(
        actor=actor,
        dossier=task.dossier,
        kind=TimelineKind.TASK,
        on=done_on,
        text=_("Hoàn thành nhiệm vụ: %(t)s") % {"t": task.title},
    )
    audit_record(
        actor=actor, action="task.complete", obj=task, changes={"done_on": [None, done_on]}
    )
    return task


ALLOWED_ATTACHMENT_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
OOXML_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _sniff(f) -> str | None:
    """The content type read from the file's bytes, or None when it is not allowed.

    A ZIP passes only as a real DOCX or XLSX: with [Content_Types].xml and its part folder.
    """
    head = f.read(16)
    f.seek(0)
    for signature, content_type in ALLOWED_ATTACHMENT_SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(f) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            f.seek(0)
        if "[Content_Types].xml" in names:
            for folder, content_type in OOXML_TYPES.items():
                if any(n.startswith(folder) for n in names):
                    return content_type
    return None


@transaction.atomic
def message_add(
    *,
    actor,
    dossier: Dossier,
    direction: str,
    number_symbol: str,
    sent_on: dt.date,
    sender: Agency,
    recipient: Agency,
    summary: str,
    classification: int = Classification.THUONG,
    files: Iterable[Any] = (),
    no_third_party: bool = False,
    no_export: bool = False,
    print_needs_approval: bool = False,
) -> Message:
    """Record official correspondence on a dossier, with its attachments."""
    dossier = policy.get_or_404(Dossier.objects.all(), actor, policy.CHANGE, pk=dossier.pk)
    errors: dict[str, str] = {}
    if direction not in MessageDirection.values:
        errors["direction"] = _("Chiều công văn không hợp lệ.")
    number_symbol = nfc(number_symbol)
    if not number_symbol:
        errors["number_symbol"] = _("Cần nhập số, ký hiệu công văn.")
    if not nfc(summary):
        errors["summary"] = _("Cần nhập trích yếu.")
    if sender.pk == recipient.pk:
        errors["recipient"] = _("Nơi nhận phải khác nơi gửi.")
    parties = set(dossier.parties.values_list("agency_id", flat=True))
    if (
        dossier.no_third_party
        and sender.pk in parties  # whatever the direction says: a party sends it
        and recipient.pk != dossier.counterpart_id
        and recipient.pk not in parties
    ):
        errors["recipient"] = _(
            "Hồ sơ không được sao gửi cho bên thứ ba: nơi nhận phải là một bên của hồ sơ "
            "hoặc đối tác nước ngoài."
        )
    if sent_on < dossier.opened_on - dt.timedelta(days=30):
        errors["sent_on"] = _("Ngày công văn quá xa trước ngày mở hồ sơ.")
    if not policy.is_system(actor) and classification > actor.clearance:
        errors["classification"] = _("Độ mật vượt quá cấp độ tiếp cận của bạn.")
    elif classification > dossier.classification:
        # Who may read a message is decided by its dossier; it may not be classified above it.
        errors["classification"] = _("Độ mật của công văn không được cao hơn độ mật của hồ sơ.")
    files = list(files)
    for f in files:
        if f.size > settings.PHOIHOP_MAX_ATTACHMENT_BYTES:
            errors["files"] = _("Tệp “%(n)s” vượt quá dung lượng cho phép.") % {"n": f.name}
        else:
            if _sniff(f) is None:
                errors["files"] = _(
                    "Tệp “%(n)s” không đúng định dạng cho phép (PDF, DOCX, XLSX, JPEG, PNG)."
                ) % {"n": f.name}
    if errors:
        raise ServiceError(errors)
    message = Message.objects.create(
        dossier=dossier,
        direction=direction,
        number_symbol=number_symbol,
        sent_on=sent_on,
        sender=sender,
        recipient=recipient,
        summary=nfc(summary),
        classification=classification,
        no_third_party=no_third_party,
        no_export=no_export,
        print_needs_approval=print_needs_approval,
    )
    for f in files:
        digest = hashlib.sha256()
        for chunk in f.chunks():
            digest.update(chunk)
        f.seek(0)
        content_type = _sniff(f)
        Attachment.objects.create(
            message=message,
            file=f,
            name=f.name[:255],
            size=f.size,
            content_type=content_type,
            sha256=digest.hexdigest(),
        )
    timeline_add(
        actor=actor,
        dossier=dossier,
        kind=TimelineKind.MESSAGE,
        on=sent_on,
        classification=classification,
        text=_("%(dir)s số %(num)s: %(sum)s")
        % {
            "dir": message.get_direction_display(),
            "num": number_symbol,
            "sum": message.summary[:200],
        },
    )
    audit_record(
        actor=actor,
        action="message.add",
        obj=message,
        changes={
            **snapshot(message),
            # the files' digests: a file swapped on disk is caught against the chain
            "attachments": [
                {"name": a.name, "size": a.size, "sha256": a.sha256}
                for a in message.attachments.order_by("id")
            ],
        },
    )
    return message
