"""Vetting an activity's members against the person registry.

Hits (a person in a criminal or border dossier, a verification still waiting for
its answer, a member of an earlier activity the Police did not agree to) mark the
member "needs attention"; the reasons are read by the Police's vetting officers
only. A is the Police, B the Department of Foreign Affairs (see test_activities).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from phoihop.activities import selectors
from phoihop.activities import services as svc
from phoihop.activities.choices import ActivityKind, ActivityStatus, MemberRole, Opinion
from phoihop.activities.choices import VettingResult as V
from phoihop.audit.models import AuditEvent
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM
from phoihop.dossiers.models import TimelineEvent
from phoihop.subjects import services as subject_services
from phoihop.subjects.choices import VerificationOutcome
from tests.factories import open_dossier
from tests.test_activities import add_guest, build_delegation, register


@pytest.fixture
def deleg(world):
    return build_delegation(world)


def police_record(world, **fields):
    """A person as the Police recorded them, in its own registry entry."""
    return subject_services.subject_create(actor=SYSTEM, owner_agency=world.a, **fields)


def in_criminal_case(world, subject, *, classification=Classification.THUONG, **kwargs):
    dossier = open_dossier(
        world.joint,
        world.a,
        title="Vụ buôn bán người qua biên giới Thanh Thủy",
        classification=classification,
        **kwargs,
    )
    subject_services.subject_link(actor=SYSTEM, dossier=dossier, subject=subject, role="suspect")
    return dossier


def notified_with_guest(world, deleg):
    activity = register(world, deleg)
    add_guest(world, deleg, activity)
    svc.member_add(
        actor=world.officer_b,
        activity=activity,
        subject=deleg.official,
        role=MemberRole.ESCORT,
        foreign=False,
    )
    return activity


def by_subject(rows):
    return {member.subject.full_name: (label, reasons) for member, label, reasons in rows}


def test_a_member_in_a_criminal_dossier_needs_attention_and_only_the_police_reads_why(world, deleg):
    activity = notified_with_guest(world, deleg)
    case = in_criminal_case(world, deleg.guest)
    svc.activity_notify(actor=world.officer_b, activity=activity)

    police = by_subject(selectors.members_for(world.officer_a, activity))
    label, reasons = police["Vương Tiểu Minh"]
    assert label == "Cần lưu ý"
    assert [r["kind"] for r in reasons] == ["criminal"]
    assert reasons[0]["text"] == (
        f"Có tên trong hồ sơ vụ án hình sự {case.reference} (Đối tượng nghi vấn)."
    )
    assert reasons[0]["dossier"] == case.pk
    assert police["Hoàng Văn Thắng"] == ("Không có vấn đề", [])

    host = by_subject(selectors.members_for(world.officer_b, activity))
    assert host == {
        "Vương Tiểu Minh": ("Cần lưu ý", None),
        "Hoàng Văn Thắng": ("Không có vấn đề", None),
    }
    # Nothing the host side reads names the reason: not the timeline, not the audit trail.
    texts = list(
        TimelineEvent.objects.filter(dossier=activity.dossier).values_list("text", flat=True)
    )
    assert "Đã thẩm tra 2 thành viên, 1 cần lưu ý" in texts
    assert not any(case.reference in t or "hình sự" in t for t in texts)
    events = AuditEvent.objects.filter(scope_type="dossiers.dossier", scope_id=activity.dossier_id)
    dumped = json.dumps(list(events.values_list("changes", flat=True)), ensure_ascii=False)
    assert case.reference not in dumped
    assert "hình sự" not in dumped
    assert events.filter(action="activity.vet").exists()
    # Not even how many reasons, nor a digest of them one could rebuild and compare.
    assert "reasons" not in dumped


def test_a_pending_verification_is_a_hit_until_it_is_answered(world, deleg):
    activity = notified_with_guest(world, deleg)
    asking = open_dossier(
        world.verification,
        world.a,
        supporting=[world.b],
        title="Xác minh cán bộ tháp tùng đoàn",
        opened_on=dt.date(2010, 3, 1),
    )
    subject_services.subject_link(
        actor=SYSTEM, dossier=asking, subject=deleg.official, role="verification"
    )
    verification = subject_services.verification_request(
        actor=SYSTEM,
        dossier=asking,
        subject=deleg.official,
        requested_by=world.a,
        requested_of=world.b,
        question="Đề nghị xác minh nhân thân, quá trình công tác.",
        requested_on=dt.date(2010, 3, 2),
    )
    svc.activity_notify(actor=world.officer_b, activity=activity)
    label, reasons = by_subject(selectors.members_for(world.officer_a, activity))["Hoàng Văn Thắng"]
    assert label == "Cần lưu ý"
    assert reasons[0]["kind"] == "verification"
    assert reasons[0]["verification"] == verification.pk
    assert "chưa được trả lời" in reasons[0]["text"]
    assert "02/03/2010" in reasons[0]["text"]

    subject_services.verification_answer(
        actor=SYSTEM,
        verification=verification,
        outcome=VerificationOutcome.NO_RECORD,
        answered_on=dt.date(2010, 3, 5),
        answer="Không có thông tin tiêu cực.",
    )
    svc.vetting_check(actor=world.officer_a, activity=activity)
    member = activity.members.get(subject=deleg.official)
    assert member.vetting == V.CLEARED
    assert member.vetting_reasons == []
    # An officer who ran the check is recorded as the one who vetted.
    assert member.vetted_by == world.officer_a
    assert member.vetted_at is not None


def test_a_member_of_an_earlier_refused_activity_needs_attention(world, deleg):
    earlier = svc.activity_register(
        actor=SYSTEM,
        lead_agency=world.b,
        registered_on=dt.date(2010, 5, 3),
        kind=ActivityKind.PRESS,
        title="Phóng viên báo Vân Nam nhật báo đến huyện Đồng Văn",
        purpose="Làm phóng sự về chợ phiên.",
        starts_on=dt.date(2010, 5, 20),
        ends_on=dt.date(2010, 5, 21),
        supporting_agencies=[world.a],
    )
    svc.member_add(
        actor=SYSTEM,
        activity=earlier,
        subject=deleg.guest,
        role=MemberRole.JOURNALIST,
        document=deleg.passport,
    )
    svc.activity_notify(actor=SYSTEM, activity=earlier, notified_on=dt.date(2010, 5, 4))
    svc.opinion_send(
        actor=SYSTEM,
        activity=earlier,
        opinion=Opinion.DISAGREE,
        number_symbol="301/CAT-PA67",
        sent_on=dt.date(2010, 5, 10),
    )

    activity = notified_with_guest(world, deleg)
    svc.activity_notify(actor=world.officer_b, activity=activity)
    label, reasons = by_subject(selectors.members_for(world.officer_a, activity))["Vương Tiểu Minh"]
    assert label == "Cần lưu ý"
    assert [r["kind"] for r in reasons] == ["refusal"]
    assert reasons[0]["activity"] == earlier.pk
    assert "Phóng viên báo Vân Nam nhật báo" in reasons[0]["text"]
    assert "không đồng ý" in reasons[0]["text"]


def test_another_record_of_the_same_person_is_found_by_name_and_birth_year(world, deleg):
    """The Police knows the guest under its own record (same Hán tự, same birth year);
    a namesake born in another year is not the guest."""
    same = police_record(
        world,
        full_name="Wang Xiaoming",
        native_name="王小明",
        latin_name="WANG XIAOMING",
        sex="M",
        birth_year=1968,
        nationality="CN",
    )
    namesake = police_record(
        world, full_name="Vương Tiểu Minh", native_name="王小明", birth_year=1985, nationality="CN"
    )
    case = in_criminal_case(world, same)
    border = open_dossier(world.border, world.a, title="Vượt biên trái phép mốc 280")
    subject_services.subject_link(actor=SYSTEM, dossier=border, subject=namesake, role="suspect")

    activity = notified_with_guest(world, deleg)
    svc.activity_notify(actor=world.officer_b, activity=activity)
    _label, reasons = by_subject(selectors.members_for(world.officer_a, activity))[
        "Vương Tiểu Minh"
    ]
    assert [(r["kind"], r["dossier"], r["subject"]) for r in reasons] == [
        ("criminal", case.pk, same.pk)
    ]
    assert "qua hồ sơ đối tượng «Wang Xiaoming» trùng khớp" in reasons[0]["text"]


def test_work_the_police_takes_no_part_in_is_not_searched(world, deleg):
    """A border dossier of another agency alone: the Police vetting officer is not told."""
    activity = notified_with_guest(world, deleg)
    outside = open_dossier(world.border, deleg.c, title="Vụ việc của Biên phòng")
    subject_services.subject_link(
        actor=SYSTEM, dossier=outside, subject=deleg.guest, role="witness"
    )
    svc.activity_notify(actor=world.officer_b, activity=activity)
    member = activity.members.get(subject=deleg.guest)
    assert member.vetting == V.CLEARED


def test_a_reason_from_a_dossier_above_the_officers_clearance_is_counted_not_shown(world, deleg):
    activity = notified_with_guest(world, deleg)
    case = in_criminal_case(world, deleg.guest, classification=Classification.TOI_MAT)
    svc.activity_notify(actor=world.officer_b, activity=activity)
    _label, reasons = by_subject(selectors.members_for(world.officer_a, activity))[
        "Vương Tiểu Minh"
    ]
    assert [r["kind"] for r in reasons] == ["hidden"]
    assert case.reference not in reasons[0]["text"]
    assert "1 thông tin" in reasons[0]["text"]
    _label, reasons = by_subject(selectors.members_for(world.leader_a, activity))["Vương Tiểu Minh"]
    assert [r["kind"] for r in reasons] == ["criminal"]


def test_a_member_added_after_notification_is_vetted_at_once(world, deleg):
    activity = register(world, deleg)
    svc.activity_notify(actor=world.officer_b, activity=activity)
    in_criminal_case(world, deleg.guest, supporting=[world.b])
    member = add_guest(world, deleg, activity)
    member.refresh_from_db()
    assert member.vetting == V.ATTENTION
    texts = TimelineEvent.objects.filter(dossier=activity.dossier).values_list("text", flat=True)
    assert "Đã thẩm tra 1 thành viên, 1 cần lưu ý" in texts


def test_the_vetting_officer_concludes_with_a_note_the_host_never_reads(world, deleg):
    activity = notified_with_guest(world, deleg)
    svc.activity_notify(actor=world.officer_b, activity=activity)
    official = activity.members.get(subject=deleg.official)
    assert official.vetting == V.CLEARED
    with pytest.raises(ServiceError) as err:
        svc.member_vetting_set(actor=world.officer_a, member=official, result=V.ATTENTION)
    assert "note" in err.value.message_dict
    official.refresh_from_db()
    assert official.vetting == V.CLEARED

    svc.member_vetting_set(
        actor=world.officer_a,
        member=official,
        result=V.ATTENTION,
        note="Có quan hệ với đối tượng buôn lậu ở Thanh Thủy.",
    )
    label, reasons = by_subject(selectors.members_for(world.officer_a, activity))["Hoàng Văn Thắng"]
    assert label == "Cần lưu ý"
    assert reasons[-1]["kind"] == "note"
    assert reasons[-1]["text"] == "Có quan hệ với đối tượng buôn lậu ở Thanh Thủy."
    assert by_subject(selectors.members_for(world.officer_b, activity))["Hoàng Văn Thắng"] == (
        "Cần lưu ý",
        None,
    )
    dumped = json.dumps(
        list(AuditEvent.objects.values_list("changes", flat=True)), ensure_ascii=False
    )
    assert "buôn lậu" not in dumped
    # The note survives a fresh check against the registry.
    svc.vetting_check(actor=world.officer_a, activity=activity)
    official.refresh_from_db()
    assert official.vetting == V.ATTENTION


def test_vetting_waits_for_the_notification(world, deleg):
    activity = notified_with_guest(world, deleg)
    # Before notification the members stay unvetted and the Police may not run the check.
    assert set(activity.members.values_list("vetting", flat=True)) == {V.PENDING}
    with pytest.raises(ServiceError) as err:
        svc.vetting_check(actor=world.officer_a, activity=activity)
    assert "chưa được thông báo" in err.value.message_dict["status"][0]
    svc.activity_notify(actor=world.officer_b, activity=activity)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.VETTING
    assert V.PENDING not in set(activity.members.values_list("vetting", flat=True))
    assert timezone.localtime(activity.notified_at).date() == timezone.localdate()


def test_an_officer_clears_a_hit_with_a_reason_until_the_registry_shows_more(world, deleg):
    activity = notified_with_guest(world, deleg)
    in_criminal_case(world, deleg.guest)
    svc.activity_notify(actor=world.officer_b, activity=activity)
    guest = activity.members.get(subject=deleg.guest)
    assert guest.vetting == V.ATTENTION
    with pytest.raises(ServiceError) as err:
        svc.member_vetting_set(actor=world.officer_a, member=guest, result=V.CLEARED)
    assert "cần ghi lý do" in err.value.message_dict["note"][0]
    svc.member_vetting_set(
        actor=world.officer_a,
        member=guest,
        result=V.CLEARED,
        note="Chỉ là người làm chứng trong vụ án, đã kết thúc điều tra.",
    )
    svc.vetting_check(actor=world.officer_a, activity=activity)
    guest.refresh_from_db()
    assert guest.vetting == V.CLEARED
    assert by_subject(selectors.members_for(world.officer_b, activity))["Vương Tiểu Minh"] == (
        "Không có vấn đề",
        None,
    )
    # Something new in the registry asks for attention again.
    border = open_dossier(world.border, world.a, title="Vận chuyển hàng cấm qua mốc 301")
    subject_services.subject_link(actor=SYSTEM, dossier=border, subject=deleg.guest, role="suspect")
    svc.vetting_check(actor=world.officer_a, activity=activity)
    guest.refresh_from_db()
    assert guest.vetting == V.ATTENTION
    assert [r["kind"] for r in guest.vetting_reasons] == ["criminal", "border", "note"]
