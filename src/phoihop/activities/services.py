"""Writes to foreign-affairs activities: register, plan, notify, vet, answer, report.

An activity is worked as a dossier of the delegation-security category (opened
with `dossiers.services.dossier_open`): its parties, tasks, numbered messages and
timeline are the dossier's. The lead agency (the Department of Foreign Affairs)
registers the activity, its itinerary and members, notifies the Police, records
the briefing and the after-action report; the vetting agency (the Police) vets
the members, assesses the security and sends its opinion. Every function takes
the acting user, checks the policy, changes the data and records the audit event
in one transaction. What an actor may not see answers 404 (`policy.NotFound`).

The vetting reasons are never written where the host side can read them: not in
the timeline, not in the audit trail (which records a digest of them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phoihop.accounts.choices import CASEWORK_ROLES, AgencyKind
from phoihop.accounts.models import Agency, Unit
from phoihop.activities import selectors
from phoihop.activities.choices import (
    ActivityKind,
    ActivityStatus,
    MeasureKind,
    MemberRole,
    Opinion,
    RiskLevel,
    VettingResult,
)
from phoihop.activities.models import Activity, ActivityMember, ItineraryDay, SecurityMeasure
from phoihop.activities.vetting import member_hits
from phoihop.audit.services import audit_record, diff, snapshot
from phoihop.core import policy
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.text import fold, nfc
from phoihop.core.workdays import add_working_days
from phoihop.dossiers import services as dossier_services
from phoihop.dossiers.choices import (
    DossierStatus,
    MessageDirection,
    PartyRole,
    TimelineKind,
)
from phoihop.dossiers.models import Dossier, DossierParty, Task
from phoihop.regulations.choices import CategoryKind, RegulationStatus, ResponsibilityRole
from phoihop.regulations.models import Category, Regulation
from phoihop.subjects.models import IdentityDocument, Subject

# The Police's division that vets delegations, when the Police has one by this code;
# otherwise its liaison unit receives the vetting task.
VETTING_UNIT_CODE = "an-ninh-doi-ngoai"
CLOSED = (ActivityStatus.CLOSED, ActivityStatus.CANCELLED)
UPDATABLE_FIELDS = (
    "kind",
    "title",
    "purpose",
    "starts_on",
    "ends_on",
    "host_unit",
    "host_name",
    "country",
)
ACTIVITY_FIELDS = [
    "kind",
    "host_unit",
    "host_name",
    "purpose",
    "country",
    "starts_on",
    "ends_on",
    "status",
]


# ---------------------------------------------------------------- helpers


def _today() -> dt.date:
    return timezone.localdate()


def _d(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def _may_work(actor) -> bool:
    return policy.is_system(actor) or (
        policy.is_active_user(actor) and actor.role in CASEWORK_ROLES
    )


def _at(day: dt.date | None, actor) -> dt.datetime:
    """Now, or (the system actor recording past work) 8 o'clock on `day`."""
    if day is None or not policy.is_system(actor):
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(8, 0)))


def _system_date(actor, value: dt.date | None, field: str) -> dt.date:
    """A date only the system actor may set (recording past work); users act today."""
    today = _today()
    if value is None:
        return today
    if not policy.is_system(actor) and value != today:
        raise ServiceError({field: _("Chỉ ghi được với ngày hôm nay.")})
    return value


def _open_activity(actor, activity: Activity) -> Activity:
    """The activity, locked for the change, or 404 when the actor may not see it."""
    return policy.get_or_404(
        Activity.objects.select_for_update(of=("self",)).select_related(
            "dossier", "dossier__clause", "vetting_task"
        ),
        actor,
        policy.CHANGE,
        pk=activity.pk,
    )


def _refuse_closed(activity: Activity) -> None:
    if activity.status in CLOSED:
        raise ServiceError(
            {
                "status": _("Hoạt động “%(s)s”: không thay đổi được nữa.")
                % {"s": activity.get_status_display()}
            }
        )


def _as_lead(actor, activity: Activity) -> Activity:
    activity = _open_activity(actor, activity)
    if not selectors.may_lead(actor, activity):
        raise policy.NotFound
    _refuse_closed(activity)
    return activity


def _plan_changed(actor, activity: Activity) -> None:
    """The host changed the programme, the dates or the members after the Police's opinion:
    that opinion no longer covers the activity. It goes back to vetting, the vetting task
    open again with a new due date, the earlier opinion kept in its dispatch."""
    if activity.status != ActivityStatus.ANSWERED:
        return
    fields = ["status", "opinion", "opinion_conditions", "opinion_message", "opinion_on"]
    before = snapshot(activity, fields)
    activity.status = ActivityStatus.VETTING
    activity.opinion = ""
    activity.opinion_conditions = ""
    activity.opinion_message = None
    activity.opinion_on = None
    activity.opinion_late = False
    activity.save(update_fields=[*fields, "opinion_late", "updated_at"])
    task = activity.vetting_task
    if task is not None and task.done_on is not None:
        today = _today()
        days = task.responsibility.response_days if task.responsibility_id else None
        task.done_on = None
        task.due_on = add_working_days(today, days) if days else task.due_on
        task.save(update_fields=["done_on", "due_on", "updated_at"])
    _timeline(
        actor,
        activity,
        _("Bên chủ trì thay đổi hoạt động sau khi Công an có ý kiến: chờ Công an cho ý kiến lại"),
    )
    _audit(actor, "activity.reopen", activity, diff(before, snapshot(activity, fields)))


def _as_vetting(actor, activity: Activity) -> Activity:
    activity = _open_activity(actor, activity)
    if not selectors.may_vet(actor, activity):
        raise policy.NotFound
    _refuse_closed(activity)
    return activity


def _require_notified(activity: Activity, field: str = "status") -> None:
    if activity.status == ActivityStatus.REGISTERED:
        raise ServiceError({field: _("Hoạt động chưa được thông báo cho Công an.")})


def _audit(actor, action: str, activity: Activity, changes: dict[str, Any]) -> None:
    audit_record(actor=actor, action=action, obj=activity, changes=changes)


def _timeline(actor, activity: Activity, text: str, *, kind=TimelineKind.UPDATED, on=None) -> None:
    dossier_services.timeline_add(
        actor=actor, dossier=activity.dossier, kind=kind, text=text, on=on
    )


def _clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Normalise and check an activity's own fields; errors name the field."""
    errors: dict[str, str] = {}
    out = dict(data)
    for name in ("title", "purpose", "host_name"):
        if name in out:
            out[name] = nfc(out[name] or "")
    if "country" in out:
        out["country"] = nfc(out["country"] or "").upper()
        if out["country"] and (len(out["country"]) != 2 or not out["country"].isalpha()):
            errors["country"] = _("Quốc gia phải là mã 2 chữ cái (CN, LA…).")
    if "kind" in out and out["kind"] not in ActivityKind.values:
        errors["kind"] = _("Loại hoạt động không hợp lệ.")
    if "title" in out and not out["title"]:
        errors["title"] = _("Cần nhập tên hoạt động.")
    if "purpose" in out and not out["purpose"]:
        errors["purpose"] = _("Cần nhập mục đích, nội dung của hoạt động.")
    if "host_name" in out and len(out["host_name"]) > 255:
        errors["host_name"] = _("Tên cơ quan chủ trì quá dài (tối đa 255 ký tự).")
    host_unit = out.get("host_unit")
    if host_unit is not None and not isinstance(host_unit, Unit):
        errors["host_unit"] = _("Đơn vị chủ trì không hợp lệ.")
    elif host_unit is not None and host_unit.agency.is_foreign:
        errors["host_unit"] = _("Đơn vị chủ trì phải là đơn vị trong nước.")
    for name in ("starts_on", "ends_on"):
        if name in out and not isinstance(out[name], dt.date):
            errors[name] = _("Cần nhập ngày hợp lệ.")
    if errors:
        raise ServiceError(errors)
    return out


def _check_dates(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < starts_on:
        raise ServiceError({"ends_on": _("Ngày kết thúc phải cùng ngày hoặc sau ngày bắt đầu.")})


def delegation_category(lead_agency: Agency, on: dt.date) -> Category | None:
    """The delegation-security category of the regulation the lead agency is party to,
    in force on `on` (the latest to take effect first); or else of its latest signed one."""
    categories = Category.objects.filter(
        kind=CategoryKind.DELEGATION_SECURITY, regulation__parties=lead_agency
    ).select_related("clause", "regulation")
    in_force = Regulation.objects.in_force(on).values("pk")
    found = (
        categories.filter(regulation__in=in_force)
        .order_by("-regulation__effective_from", "-regulation__version", "pk")
        .first()
    )
    if found is not None:
        return found
    return (
        categories.filter(regulation__status=RegulationStatus.SIGNED)
        .order_by("-regulation__effective_from", "-regulation__version", "pk")
        .first()
    )


# ---------------------------------------------------------------- registration


@transaction.atomic
def activity_register(
    *,
    actor,
    kind: str,
    title: str,
    purpose: str,
    starts_on: dt.date,
    ends_on: dt.date,
    host_unit: Unit | None = None,
    host_name: str = "",
    country: str = "",
    counterpart: Agency | None = None,
    classification: int = Classification.THUONG,
    supporting_agencies: Iterable[Agency] = (),
    lead_agency: Agency | None = None,
    registered_on: dt.date | None = None,
) -> Activity:
    """Register an activity and open its dossier (the lead agency's; the Police supporting).

    A user registers for their own agency, today; the system actor (recording past
    work) names the lead agency and may give the registration date.
    """
    if not _may_work(actor):
        raise policy.NotFound
    if policy.is_system(actor):
        if lead_agency is None:
            raise ServiceError({"lead_agency": _("Cần chỉ rõ cơ quan chủ trì.")})
    elif lead_agency is None:
        lead_agency = actor.agency
    elif lead_agency.pk != actor.agency_id:
        raise ServiceError(
            {"lead_agency": _("Chỉ đăng ký được hoạt động do cơ quan của bạn chủ trì.")}
        )
    registered_on = _system_date(actor, registered_on, "registered_on")
    data = _clean_fields(
        {
            "kind": kind,
            "title": title,
            "purpose": purpose,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "host_unit": host_unit,
            "host_name": host_name,
            "country": country,
        }
    )
    _check_dates(starts_on, ends_on)
    category = delegation_category(lead_agency, starts_on)
    if category is None:
        raise ServiceError(
            _(
                "Quy chế phối hợp của cơ quan chưa có lĩnh vực “Bảo đảm an ninh đoàn nước "
                "ngoài”: không đăng ký được hoạt động."
            )
        )
    dossier = dossier_services.dossier_open(
        actor=actor,
        category=category,
        title=data["title"],
        lead_agency=lead_agency,
        opened_on=registered_on,
        summary=data["purpose"],
        supporting_agencies=supporting_agencies,
        counterpart=counterpart,
        classification=classification,
    )
    activity = Activity.objects.create(
        dossier=dossier,
        kind=data["kind"],
        host_unit=data["host_unit"],
        host_name=data["host_name"],
        purpose=data["purpose"],
        country=data["country"],
        starts_on=starts_on,
        ends_on=ends_on,
    )
    _audit(actor, "activity.register", activity, snapshot(activity, ACTIVITY_FIELDS))
    return activity


@transaction.atomic
def activity_update(*, actor, activity: Activity, **fields: Any) -> Activity:
    """Change the activity's kind, title, purpose, dates, host or country (lead agency)."""
    activity = _as_lead(actor, activity)
    _plan_changed(actor, activity)
    unknown = set(fields) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ServiceError({f: _("Không được sửa trường này.") for f in sorted(unknown)})
    data = _clean_fields(fields)
    starts_on = data.get("starts_on", activity.starts_on)
    ends_on = data.get("ends_on", activity.ends_on)
    _check_dates(starts_on, ends_on)
    outside = (
        activity.itinerary.filter(Q(day__lt=starts_on) | Q(day__gt=ends_on)).order_by("day").first()
    )
    if outside is not None:
        field = "starts_on" if outside.day < starts_on else "ends_on"
        raise ServiceError(
            {
                field: _("Lịch trình có ngày %(d)s nằm ngoài thời gian mới: sửa lịch trình trước.")
                % {"d": _d(outside.day)}
            }
        )
    measure = (
        activity.measures.filter(Q(day__lt=starts_on) | Q(day__gt=ends_on)).order_by("day").first()
    )
    if measure is not None:
        field = "starts_on" if measure.day < starts_on else "ends_on"
        raise ServiceError(
            {
                field: _("Phương án bảo vệ có biện pháp ngày %(d)s nằm ngoài thời gian mới.")
                % {"d": _d(measure.day)}
            }
        )
    title = data.pop("title", None)
    before = snapshot(activity, ACTIVITY_FIELDS)
    for name, value in data.items():
        setattr(activity, name, value)
    activity.save()
    changes = diff(before, snapshot(activity, ACTIVITY_FIELDS))
    dossier_fields: dict[str, Any] = {}
    if title is not None and title != activity.dossier.title:
        dossier_fields["title"] = title
        changes["title"] = [activity.dossier.title, title]
    if "purpose" in data and data["purpose"] != activity.dossier.summary:
        dossier_fields["summary"] = data["purpose"]
    if dossier_fields:
        activity.dossier = dossier_services.dossier_update(
            actor=actor, dossier=activity.dossier, **dossier_fields
        )
    if changes:
        if "title" not in dossier_fields and "summary" not in dossier_fields:
            _timeline(actor, activity, _("Cập nhật thông tin hoạt động đối ngoại"))
        _audit(actor, "activity.update", activity, changes)
    return activity


def _itinerary_rows(activity: Activity) -> list[dict[str, Any]]:
    return [
        {
            "day": d.day.isoformat(),
            "place": d.place,
            "venue": d.venue,
            "border_area": d.border_area,
            "border_gate": d.border_gate,
            "note": d.note,
        }
        for d in activity.itinerary.order_by("day", "id")
    ]


@transaction.atomic
def itinerary_set(*, actor, activity: Activity, days: list[dict]) -> list[ItineraryDay]:
    """Replace the itinerary: each day within the activity's dates, with a place."""
    activity = _as_lead(actor, activity)
    _plan_changed(actor, activity)
    errors: list[str] = []
    rows: list[ItineraryDay] = []
    for i, item in enumerate(days, start=1):
        day = item.get("day")
        place = nfc(item.get("place") or "")
        venue = nfc(item.get("venue") or "")
        gate = nfc(item.get("border_gate") or "")
        note = nfc(item.get("note") or "")
        if not isinstance(day, dt.date):
            errors.append(_("Ngày thứ %(i)d: cần nhập ngày.") % {"i": i})
            continue
        if not activity.starts_on <= day <= activity.ends_on:
            errors.append(
                _("Ngày thứ %(i)d (%(d)s) nằm ngoài thời gian của hoạt động (%(a)s – %(b)s).")
                % {
                    "i": i,
                    "d": _d(day),
                    "a": _d(activity.starts_on),
                    "b": _d(activity.ends_on),
                }
            )
            continue
        if not place:
            errors.append(_("Ngày thứ %(i)d (%(d)s): cần nhập địa điểm.") % {"i": i, "d": _d(day)})
            continue
        if len(place) > 255 or len(venue) > 255 or len(gate) > 255 or len(note) > 500:
            errors.append(_("Ngày thứ %(i)d (%(d)s): nội dung quá dài.") % {"i": i, "d": _d(day)})
            continue
        rows.append(
            ItineraryDay(
                activity=activity,
                day=day,
                place=place,
                venue=venue,
                venue_key=fold(venue)[:255],
                border_area=bool(item.get("border_area")) or bool(gate),
                border_gate=gate,
                note=note,
            )
        )
    if errors:
        raise ServiceError({"days": errors})
    before = _itinerary_rows(activity)
    activity.itinerary.all().delete()
    ItineraryDay.objects.bulk_create(rows)
    after = _itinerary_rows(activity)
    if before != after:
        _timeline(
            actor,
            activity,
            _("Cập nhật lịch trình hoạt động (%(n)d ngày)") % {"n": len(rows)},
        )
        _audit(actor, "activity.itinerary", activity, {"itinerary": [before, after]})
    return list(activity.itinerary.order_by("day", "id"))


# ---------------------------------------------------------------- members


def _member_label(member: ActivityMember) -> str:
    return f"{member.subject.full_name} ({member.get_role_display()})"


@transaction.atomic
def member_add(
    *,
    actor,
    activity: Activity,
    subject: Subject,
    role: str,
    foreign: bool = True,
    document: IdentityDocument | None = None,
) -> ActivityMember:
    """Add a person of the registry to the activity; a foreigner needs an identity document.

    Once the Police is notified, the new member is checked against the registry at once.
    """
    activity = _as_lead(actor, activity)
    _plan_changed(actor, activity)
    subject = policy.get_or_404(Subject.objects.all(), actor, policy.VIEW, pk=subject.pk)
    errors: dict[str, str] = {}
    if subject.merged_into_id is not None:
        errors["subject"] = _(
            "Hồ sơ đối tượng này đã được gộp vào hồ sơ khác: chọn hồ sơ được giữ lại."
        )
    elif ActivityMember.objects.filter(activity=activity, subject=subject).exists():
        errors["subject"] = _("%(name)s đã có trong danh sách thành viên.") % {
            "name": subject.full_name
        }
    if role not in MemberRole.values:
        errors["role"] = _("Vai trò không hợp lệ.")
    if document is not None:
        if document.subject_id != subject.pk:
            errors["document"] = _("Giấy tờ đã chọn không phải của người này.")
        elif document.valid_until is not None and document.valid_until < activity.ends_on:
            errors["document"] = _(
                "Giấy tờ %(doc)s hết hạn ngày %(d)s, trước khi kết thúc hoạt động."
            ) % {"doc": document.number, "d": _d(document.valid_until)}
    elif foreign:
        errors["document"] = _(
            "Người nước ngoài phải có giấy tờ (hộ chiếu, giấy thông hành) ghi trong hồ sơ "
            "đối tượng: chọn giấy tờ của người này."
        )
    if errors:
        raise ServiceError(errors)
    member = ActivityMember.objects.create(
        activity=activity, subject=subject, role=role, foreign=bool(foreign), document=document
    )
    _timeline(
        actor,
        activity,
        _("Thêm thành viên: %(m)s") % {"m": _member_label(member)},
    )
    _audit(
        actor,
        "activity.member_add",
        activity,
        {
            "member": member.pk,
            "subject": subject.pk,
            "role": role,
            "foreign": member.foreign,
            "document": document.pk if document else None,
        },
    )
    if activity.status != ActivityStatus.REGISTERED:
        _vet(actor, activity, [member], by=None)
    return member


@transaction.atomic
def member_remove(*, actor, member: ActivityMember) -> None:
    member = policy.get_or_404(
        ActivityMember.objects.select_related("subject"), actor, policy.CHANGE, pk=member.pk
    )
    activity = _as_lead(actor, member.activity)
    _plan_changed(actor, activity)
    label = _member_label(member)
    changes = {"member": member.pk, "subject": member.subject_id, "role": member.role}
    member.delete()
    _timeline(actor, activity, _("Bỏ thành viên: %(m)s") % {"m": label})
    _audit(actor, "activity.member_remove", activity, changes)


# ---------------------------------------------------------------- notification and vetting


def _vetting_unit(agency: Agency) -> Unit | None:
    units = Unit.objects.filter(agency=agency)
    return (
        units.filter(code=VETTING_UNIT_CODE).first()
        or units.filter(is_liaison=True).order_by("pk").first()
    )


def _reasons_digest(reasons: list[dict[str, Any]]) -> str:
    payload = json.dumps(reasons, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _vet(
    actor, activity: Activity, members: list[ActivityMember], *, by, at=None
) -> list[ActivityMember]:
    """Check `members` against the registry; the timeline tells only the counts."""
    agency = selectors.vetting_agency(activity)
    at = at or timezone.now()
    changes = []
    attention = 0
    for member in members:
        reasons = member_hits(member, activity=activity, agency_id=agency.pk if agency else None)
        # The officer's notes stay with the member. Their latest conclusion stands while
        # the registry says what it said then; anything new found asks for attention again.
        notes = [r for r in member.vetting_reasons or [] if r.get("kind") == "note"]
        last = notes[-1] if notes else None
        before = member.vetting
        if last is not None and last.get("basis") == _reasons_digest(reasons):
            member.vetting = last["result"]
        elif reasons or (last is not None and last["result"] == VettingResult.ATTENTION):
            member.vetting = VettingResult.ATTENTION
        else:
            member.vetting = VettingResult.CLEARED
        member.vetting_reasons = reasons + notes
        member.vetted_at = at
        member.vetted_by = by
        member.save(update_fields=["vetting", "vetting_reasons", "vetted_at", "vetted_by"])
        attention += member.vetting == VettingResult.ATTENTION
        changes.append(
            {
                "member": member.pk,
                "subject": member.subject_id,
                # Nothing of the reasons (not even their number): the dossier's history,
                # where this event is filed, is read by the host side too.
                "vetting": [before, member.vetting],
            }
        )
    if members:
        _timeline(
            actor,
            activity,
            _("Đã thẩm tra %(n)d thành viên, %(m)d cần lưu ý")
            % {"n": len(members), "m": attention},
            kind=TimelineKind.VERIFICATION,
            on=timezone.localtime(at).date(),
        )
        _audit(actor, "activity.vet", activity, {"members": changes})
    return members


@transaction.atomic
def activity_notify(
    *,
    actor,
    activity: Activity,
    police: Agency | None = None,
    notified_on: dt.date | None = None,
) -> Activity:
    """Notify the Police: it becomes a party, its division receives the vetting task due
    by the clause's deadline in working days, and the members are checked at once."""
    activity = _as_lead(actor, activity)
    if activity.status != ActivityStatus.REGISTERED:
        raise ServiceError({"status": _("Hoạt động đã được thông báo cho Công an.")})
    notified_on = _system_date(actor, notified_on, "notified_on")
    dossier = activity.dossier
    if notified_on < dossier.opened_on:
        raise ServiceError(
            {"notified_on": _("Ngày thông báo không được trước ngày đăng ký hoạt động.")}
        )
    if police is None:
        police = selectors.vetting_agency(activity)
        if police is None:
            support = (
                dossier.clause.responsibilities.filter(role=ResponsibilityRole.SUPPORT)
                .exclude(agency_id=dossier.lead_agency_id)
                .exclude(agency__kind=AgencyKind.FOREIGN)
                .select_related("agency")
                .order_by("pk")
                .first()
            )
            police = support.agency if support else None
    if police is None:
        raise ServiceError({"police": _("Cần chọn cơ quan Công an được thông báo.")})
    if police.is_foreign or police.pk == dossier.lead_agency_id:
        raise ServiceError(
            {
                "police": _(
                    "Cơ quan được thông báo phải là cơ quan trong nước, khác cơ quan chủ trì."
                )
            }
        )
    added_party = False
    if not DossierParty.objects.filter(dossier=dossier, agency=police).exists():
        DossierParty.objects.create(dossier=dossier, agency=police, role=PartyRole.SUPPORT)
        added_party = True
    responsibility = (
        dossier.clause.responsibilities.filter(
            agency=police, role=ResponsibilityRole.SUPPORT
        ).first()
        or dossier.clause.responsibilities.filter(agency=police).first()
    )
    due_on = (
        add_working_days(notified_on, responsibility.response_days)
        if responsibility is not None and responsibility.response_days is not None
        else None
    )
    unit = _vetting_unit(police)
    task = (
        Task.objects.filter(dossier=dossier, agency=police, done_on__isnull=True)
        .filter(responsibility__clause_id=dossier.clause_id)
        .order_by("pk")
        .first()
    )
    if task is not None:
        task.unit = unit
        task.due_on = due_on
        task.save(update_fields=["unit", "due_on", "updated_at"])
    else:
        task = Task.objects.create(
            dossier=dossier,
            title=(
                responsibility.task_title if responsibility and responsibility.task_title else ""
            )
            or _("Thẩm tra thành viên, đánh giá an ninh và có ý kiến"),
            agency=police,
            unit=unit,
            responsibility=responsibility,
            due_on=due_on,
        )
    before = snapshot(activity, ["status", "notified_at", "vetting_task"])
    activity.status = ActivityStatus.VETTING
    activity.notified_at = _at(notified_on, actor)
    activity.vetting_task = task
    activity.save(update_fields=["status", "notified_at", "vetting_task", "updated_at"])
    if dossier.status == DossierStatus.OPENED:
        activity.dossier = dossier = dossier_services.dossier_transition(
            actor=actor, dossier=dossier, status=DossierStatus.IN_PROGRESS, on=notified_on
        )
    # The lead's own task under the clause is this notification: done on its date.
    for own in Task.objects.filter(
        dossier=dossier,
        agency_id=dossier.lead_agency_id,
        responsibility__role=ResponsibilityRole.LEAD,
        responsibility__clause_id=dossier.clause_id,
        done_on__isnull=True,
    ):
        dossier_services.task_complete(actor=actor, task=own, done_on=notified_on)
    _timeline(
        actor,
        activity,
        _("Thông báo cho %(a)s để thẩm tra, có ý kiến về an ninh%(due)s")
        % {
            "a": police.short_name,
            "due": (_(" (hạn %(d)s)") % {"d": _d(due_on)}) if due_on else "",
        },
        kind=TimelineKind.TASK,
        on=notified_on,
    )
    changes = diff(before, snapshot(activity, ["status", "notified_at", "vetting_task"]))
    changes["police"] = police.pk
    changes["task"] = {
        "id": task.pk,
        "unit": unit.pk if unit else None,
        "due_on": due_on.isoformat() if due_on else None,
    }
    if added_party:
        changes["supporting_agencies"] = [police.pk]
    _audit(actor, "activity.notify", activity, changes)
    members = list(activity.members.select_related("subject").order_by("id"))
    _vet(actor, activity, members, by=None, at=activity.notified_at)
    return activity


@transaction.atomic
def vetting_check(
    *, actor, activity: Activity, vetted_on: dt.date | None = None
) -> list[ActivityMember]:
    """Check every member against the registry again (vetting agency)."""
    activity = _as_vetting(actor, activity)
    _require_notified(activity)
    vetted_on = _system_date(actor, vetted_on, "vetted_on")
    members = list(activity.members.select_related("subject").order_by("id"))
    by = None if policy.is_system(actor) else actor
    return _vet(actor, activity, members, by=by, at=_at(vetted_on, actor))


@transaction.atomic
def member_vetting_set(
    *,
    actor,
    member: ActivityMember,
    result: str,
    note: str = "",
    vetted_on: dt.date | None = None,
) -> ActivityMember:
    """The vetting officer's own conclusion on a member, with a note only vetters read."""
    member = policy.get_or_404(
        ActivityMember.objects.select_related("subject"), actor, policy.CHANGE, pk=member.pk
    )
    activity = _as_vetting(actor, member.activity)
    _require_notified(activity)
    vetted_on = _system_date(actor, vetted_on, "vetted_on")
    note = nfc(note)
    if result not in (VettingResult.CLEARED, VettingResult.ATTENTION):
        raise ServiceError({"result": _("Kết quả thẩm tra không hợp lệ.")})
    found = [r for r in member.vetting_reasons or [] if r.get("kind") != "note"]
    if not note:
        if result == VettingResult.ATTENTION and not found:
            raise ServiceError({"note": _("Cần ghi lý do khi đánh giá thành viên cần lưu ý.")})
        if result == VettingResult.CLEARED and found:
            raise ServiceError(
                {
                    "note": _(
                        "Có thông tin cần lưu ý về người này: cần ghi lý do khi kết luận "
                        "không có vấn đề."
                    )
                }
            )
    if len(note) > 2000:
        raise ServiceError({"note": _("Ghi chú quá dài (tối đa 2000 ký tự).")})
    before = member.vetting
    reasons = list(member.vetting_reasons or [])
    if note:
        reasons.append(
            {
                "kind": "note",
                "text": note,
                "by": "" if policy.is_system(actor) else actor.username,
                "on": vetted_on.isoformat(),
                "result": result,
                # What the registry said when the officer concluded (see `_vet`).
                "basis": _reasons_digest(found),
            }
        )
    member.vetting = result
    member.vetting_reasons = reasons
    member.vetted_at = _at(vetted_on, actor)
    member.vetted_by = None if policy.is_system(actor) else actor
    member.save(update_fields=["vetting", "vetting_reasons", "vetted_at", "vetted_by"])
    _timeline(
        actor,
        activity,
        _("Kết quả thẩm tra %(m)s: %(r)s")
        % {"m": member.subject.full_name, "r": member.get_vetting_display()},
        kind=TimelineKind.VERIFICATION,
        on=vetted_on,
    )
    _audit(
        actor,
        "activity.member_vetting",
        activity,
        {
            "member": member.pk,
            "subject": member.subject_id,
            "vetting": [before, result],
        },
    )
    return member


# ---------------------------------------------------------------- assessment and opinion


def _measure_rows(activity: Activity) -> list[dict[str, Any]]:
    return [
        {
            "kind": m.kind,
            "unit": m.unit_id,
            "day": m.day.isoformat() if m.day else None,
            "description": m.description,
        }
        for m in activity.measures.order_by("day", "id")
    ]


@transaction.atomic
def assessment_save(
    *,
    actor,
    activity: Activity,
    risk_level: str,
    assessment: str,
    measures: list[dict],
) -> Activity:
    """The Police's risk level, written assessment and security measures (replaced)."""
    activity = _as_vetting(actor, activity)
    _require_notified(activity)
    errors: dict[str, Any] = {}
    if risk_level not in RiskLevel.values:
        errors["risk_level"] = _("Cần chọn mức độ rủi ro.")
    assessment = nfc(assessment)
    if not assessment:
        errors["assessment"] = _("Cần nhập đánh giá an ninh.")
    parties = selectors.party_agency_ids(activity)
    rows, row_errors = [], []
    for i, item in enumerate(measures, start=1):
        kind = item.get("kind")
        unit = item.get("unit")
        day = item.get("day")
        description = nfc(item.get("description") or "")
        if kind not in MeasureKind.values:
            row_errors.append(_("Biện pháp thứ %(i)d: cần chọn loại biện pháp.") % {"i": i})
        elif not isinstance(unit, Unit):
            row_errors.append(_("Biện pháp thứ %(i)d: cần chọn đơn vị thực hiện.") % {"i": i})
        elif unit.agency_id not in parties:
            row_errors.append(
                _("Biện pháp thứ %(i)d: đơn vị “%(u)s” không thuộc cơ quan tham gia hoạt động.")
                % {"i": i, "u": unit.name}
            )
        elif day is not None and not activity.starts_on <= day <= activity.ends_on:
            row_errors.append(
                _("Biện pháp thứ %(i)d: ngày %(d)s nằm ngoài thời gian của hoạt động.")
                % {"i": i, "d": _d(day)}
            )
        elif len(description) > 500:
            row_errors.append(
                _("Biện pháp thứ %(i)d: nội dung quá dài (tối đa 500 ký tự).") % {"i": i}
            )
        else:
            rows.append(
                SecurityMeasure(
                    activity=activity, kind=kind, unit=unit, day=day, description=description
                )
            )
    if row_errors:
        errors["measures"] = row_errors
    if errors:
        raise ServiceError(errors)
    before = snapshot(activity, ["risk_level", "assessment"])
    measures_before = _measure_rows(activity)
    activity.risk_level = risk_level
    activity.assessment = assessment
    activity.save(update_fields=["risk_level", "assessment", "updated_at"])
    activity.measures.all().delete()
    SecurityMeasure.objects.bulk_create(rows)
    changes = diff(before, snapshot(activity, ["risk_level", "assessment"]))
    measures_after = _measure_rows(activity)
    if measures_after != measures_before:
        changes["measures"] = [measures_before, measures_after]
    if changes:
        _timeline(
            actor,
            activity,
            _("Đánh giá an ninh (mức rủi ro: %(r)s), %(n)d biện pháp bảo vệ")
            % {"r": activity.get_risk_level_display(), "n": len(rows)},
        )
        _audit(actor, "activity.assessment", activity, changes)
    return activity


@transaction.atomic
def opinion_send(
    *,
    actor,
    activity: Activity,
    opinion: str,
    conditions: str = "",
    number_symbol: str,
    sent_on: dt.date,
) -> Activity:
    """The Police's written opinion, as a numbered message to the lead agency.

    Sent on or after the activity's first day it is still recorded, flagged late.
    """
    activity = _as_vetting(actor, activity)
    if activity.status == ActivityStatus.ANSWERED:
        raise ServiceError({"status": _("Đã gửi ý kiến về hoạt động này.")})
    _require_notified(activity)
    errors: dict[str, str] = {}
    if opinion not in Opinion.values:
        errors["opinion"] = _("Cần chọn ý kiến.")
    conditions = nfc(conditions)
    if opinion == Opinion.CONDITIONS and not conditions:
        errors["conditions"] = _("Cần ghi rõ điều kiện kèm theo.")
    if not isinstance(sent_on, dt.date):
        errors["sent_on"] = _("Cần nhập ngày văn bản.")
    elif activity.notified_at and sent_on < timezone.localtime(activity.notified_at).date():
        errors["sent_on"] = _("Ngày văn bản không được trước ngày được thông báo.")
    elif not policy.is_system(actor) and sent_on > _today():
        errors["sent_on"] = _("Ngày văn bản không được sau ngày hôm nay.")
    pending = activity.members.filter(vetting=VettingResult.PENDING).count()
    if pending:
        errors["opinion"] = _("Còn %(n)d thành viên chưa được thẩm tra.") % {"n": pending}
    if errors:
        raise ServiceError(errors)
    police = activity.vetting_task.agency if activity.vetting_task_id else actor.agency
    lead = activity.dossier.lead_agency
    summary = _("Ý kiến về an ninh đối với hoạt động “%(t)s” (%(a)s – %(b)s): %(o)s.") % {
        "t": activity.dossier.title,
        "a": _d(activity.starts_on),
        "b": _d(activity.ends_on),
        "o": Opinion(opinion).label,
    }
    if conditions:
        summary += " " + _("Điều kiện: %(c)s") % {"c": conditions}
    message = dossier_services.message_add(
        actor=actor,
        dossier=activity.dossier,
        direction=MessageDirection.INCOMING,
        number_symbol=number_symbol,
        sent_on=sent_on,
        sender=police,
        recipient=lead,
        summary=summary,
        classification=activity.dossier.classification,
    )
    fields = ["opinion", "opinion_conditions", "opinion_on", "opinion_late", "status"]
    before = snapshot(activity, fields)
    activity.opinion = opinion
    activity.opinion_conditions = conditions
    activity.opinion_on = sent_on
    activity.opinion_message = message
    activity.opinion_late = sent_on >= activity.starts_on
    activity.status = ActivityStatus.ANSWERED
    activity.save(update_fields=[*fields, "opinion_message", "updated_at"])
    task = activity.vetting_task
    if task is not None and task.done_on is None:
        activity.vetting_task = dossier_services.task_complete(
            actor=actor, task=task, done_on=sent_on
        )
    changes = diff(before, snapshot(activity, fields))
    changes["opinion_message"] = message.pk
    _audit(actor, "activity.opinion", activity, changes)
    return activity


# ---------------------------------------------------------------- briefing, incidents, end


@transaction.atomic
def briefing_record(*, actor, activity: Activity, on: dt.date, by: str, note: str) -> Activity:
    """The briefing on protecting state secrets before an outgoing delegation leaves."""
    activity = _as_lead(actor, activity)
    if activity.kind != ActivityKind.OUTGOING:
        raise ServiceError(
            {
                "kind": _(
                    "Chỉ đoàn của tỉnh đi nước ngoài mới ghi việc phổ biến bảo vệ bí mật nhà nước."
                )
            }
        )
    errors: dict[str, str] = {}
    by = nfc(by)
    note = nfc(note)
    if not isinstance(on, dt.date):
        errors["on"] = _("Cần nhập ngày phổ biến.")
    elif on > activity.starts_on:
        errors["on"] = _("Việc phổ biến phải trước hoặc ngay ngày đoàn xuất cảnh (%(d)s).") % {
            "d": _d(activity.starts_on)
        }
    elif not policy.is_system(actor) and on > _today():
        errors["on"] = _("Ngày phổ biến không được sau ngày hôm nay.")
    if not by:
        errors["by"] = _("Cần ghi người phổ biến.")
    elif len(by) > 255:
        errors["by"] = _("Tên người phổ biến quá dài (tối đa 255 ký tự).")
    if errors:
        raise ServiceError(errors)
    fields = ["briefing_on", "briefing_by", "briefing_note"]
    before = snapshot(activity, fields)
    activity.briefing_on = on
    activity.briefing_by = by
    activity.briefing_note = note
    activity.save(update_fields=[*fields, "updated_at"])
    _timeline(
        actor,
        activity,
        _("Phổ biến bảo vệ bí mật nhà nước cho đoàn trước khi xuất cảnh (%(by)s)") % {"by": by},
        on=on,
    )
    _audit(actor, "activity.briefing", activity, diff(before, snapshot(activity, fields)))
    return activity


def _as_party(actor, activity: Activity) -> Activity:
    activity = _open_activity(actor, activity)
    if not selectors.may_work(actor, activity):
        raise policy.NotFound
    _refuse_closed(activity)
    return activity


@transaction.atomic
def incident_link(*, actor, activity: Activity, dossier: Dossier) -> Activity:
    """Link a dossier (the actor may see) as an incident during the activity."""
    activity = _as_party(actor, activity)
    dossier = policy.get_or_404(Dossier.objects.all(), actor, policy.VIEW, pk=dossier.pk)
    if dossier.pk == activity.dossier_id:
        raise ServiceError({"dossier": _("Không gắn được hồ sơ của chính hoạt động.")})
    if activity.incidents.filter(pk=dossier.pk).exists():
        raise ServiceError({"dossier": _("Vụ việc này đã được gắn với hoạt động.")})
    activity.incidents.add(dossier)
    # The incident's reference stays off the timeline: not every party may see it.
    _timeline(actor, activity, _("Gắn một vụ việc phát sinh trong hoạt động"))
    # Not which dossier: every party reads this activity's history, not all see the incident.
    _audit(actor, "activity.incident_link", activity, {"incidents": activity.incidents.count()})
    return activity


@transaction.atomic
def incident_open(
    *,
    actor,
    activity: Activity,
    category: Category,
    title: str,
    opened_on: dt.date | None = None,
    summary: str = "",
) -> Dossier:
    """Open a dossier for an incident during the activity, with the activity's parties.

    The agency opening it leads it (the system actor: the activity's lead agency).
    """
    activity = _as_party(actor, activity)
    if category.kind == CategoryKind.DELEGATION_SECURITY:
        raise ServiceError(
            {"category": _("Vụ việc phát sinh phải thuộc lĩnh vực khác bảo đảm an ninh đoàn.")}
        )
    own = activity.dossier
    if opened_on is not None and opened_on < own.opened_on:
        raise ServiceError(
            {"opened_on": _("Ngày mở hồ sơ vụ việc không được trước ngày đăng ký hoạt động.")}
        )
    lead = own.lead_agency if policy.is_system(actor) else actor.agency
    parties = list(
        Agency.objects.filter(dossier_parties__dossier=own).exclude(pk=lead.pk).order_by("pk")
    )
    incident = dossier_services.dossier_open(
        actor=actor,
        category=category,
        title=title,
        lead_agency=lead,
        opened_on=opened_on,
        summary=summary,
        supporting_agencies=parties,
        counterpart=own.counterpart,
        classification=own.classification,
    )
    activity.incidents.add(incident)
    _timeline(actor, activity, _("Mở hồ sơ vụ việc phát sinh trong hoạt động"))
    _audit(actor, "activity.incident_open", activity, {"incidents": activity.incidents.count()})
    return incident


def _end_dossier(actor, activity: Activity, status: str, outcome: str, on: dt.date) -> list[int]:
    """Close the activity's dossier; its tasks still open (the vetting task…) end with it.

    Returns the ids of the tasks so ended, for the caller's audit event."""
    dossier = activity.dossier
    open_tasks = list(
        Task.objects.filter(dossier=dossier, done_on__isnull=True).values_list("pk", flat=True)
    )
    Task.objects.filter(pk__in=open_tasks).update(done_on=on)
    if dossier.is_closed:
        return open_tasks
    if dossier.status == DossierStatus.OPENED and status == DossierStatus.RESOLVED:
        dossier = dossier_services.dossier_transition(
            actor=actor, dossier=dossier, status=DossierStatus.IN_PROGRESS, on=on
        )
    activity.dossier = dossier_services.dossier_transition(
        actor=actor, dossier=dossier, status=status, outcome=outcome, on=on
    )
    return open_tasks


@transaction.atomic
def activity_close(
    *, actor, activity: Activity, report: str, closed_on: dt.date | None = None
) -> Activity:
    """The after-action report: the activity and its dossier are closed."""
    activity = _as_lead(actor, activity)
    _require_notified(activity)
    report = nfc(report)
    closed_on = _system_date(actor, closed_on, "closed_on")
    errors: dict[str, str] = {}
    if not report:
        errors["report"] = _("Cần nhập báo cáo kết quả hoạt động.")
    if closed_on < activity.starts_on:
        errors["closed_on"] = _("Chỉ kết thúc được sau khi hoạt động bắt đầu (%(d)s).") % {
            "d": _d(activity.starts_on)
        }
    elif not policy.is_system(actor) and closed_on > _today():
        errors["closed_on"] = _("Ngày kết thúc không được sau ngày hôm nay.")
    if errors:
        raise ServiceError(errors)
    fields = ["report", "closed_on", "status"]
    before = snapshot(activity, fields)
    activity.report = report
    activity.closed_on = closed_on
    activity.status = ActivityStatus.CLOSED
    activity.save(update_fields=[*fields, "updated_at"])
    ended = _end_dossier(actor, activity, DossierStatus.RESOLVED, report, closed_on)
    changes = diff(before, snapshot(activity, fields))
    changes["tasks_ended"] = ended
    _audit(actor, "activity.close", activity, changes)
    return activity


@transaction.atomic
def activity_cancel(
    *, actor, activity: Activity, reason: str, cancelled_on: dt.date | None = None
) -> Activity:
    """Cancel the activity: its dossier is closed without result, with the reason."""
    activity = _as_lead(actor, activity)
    reason = nfc(reason)
    if not reason:
        raise ServiceError({"reason": _("Cần ghi lý do hủy hoạt động.")})
    cancelled_on = _system_date(actor, cancelled_on, "cancelled_on")
    if cancelled_on < activity.dossier.opened_on:
        raise ServiceError({"cancelled_on": _("Ngày hủy không được trước ngày đăng ký hoạt động.")})
    fields = ["closed_on", "status"]
    before = snapshot(activity, fields)
    activity.closed_on = cancelled_on
    activity.status = ActivityStatus.CANCELLED
    activity.save(update_fields=[*fields, "updated_at"])
    ended = _end_dossier(actor, activity, DossierStatus.CLOSED_NO_RESULT, reason, cancelled_on)
    changes = diff(before, snapshot(activity, fields))
    changes["reason"] = reason
    changes["tasks_ended"] = ended
    _audit(actor, "activity.cancel", activity, changes)
    return activity
