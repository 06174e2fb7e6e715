"""Foreign-affairs activities through the services: register, plan, notify, answer, report.

In the `world` fixture A is the provincial Police and B the Department of Foreign
Affairs; `deleg` adds the clause on delegations (B leads within 5 working days, A
supports within 3) and its delegation-security category.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from phoihop.accounts.choices import Role
from phoihop.activities import selectors
from phoihop.activities import services as svc
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
from phoihop.audit.choices import ACTION_LABELS
from phoihop.audit.models import AuditEvent
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM, NotFound
from phoihop.dossiers.choices import DossierStatus, MessageDirection
from phoihop.dossiers.models import Dossier, DossierParty, Task, TimelineEvent
from phoihop.regulations.choices import CategoryKind, ResponsibilityRole
from phoihop.subjects import services as subject_services
from tests.factories import (
    AgencyFactory,
    CategoryFactory,
    UnitFactory,
    UserFactory,
    clause_with_responsibilities,
)

NOTIFY_DAYS = 3


def build_delegation(world) -> SimpleNamespace:
    """The delegation clause and category on `world`, the Police's vetting division, a
    third agency that takes no part, and a foreign and a Vietnamese member."""
    clause = clause_with_responsibilities(
        world.article,
        3,
        [
            {
                "agency": world.b,
                "role": ResponsibilityRole.LEAD,
                "response_days": 5,
                "task_title": "Thông báo kế hoạch đón đoàn",
            },
            {
                "agency": world.a,
                "role": ResponsibilityRole.SUPPORT,
                "response_days": NOTIFY_DAYS,
                "task_title": "Có ý kiến về an ninh, bố trí bảo vệ",
            },
        ],
    )
    category = CategoryFactory(
        regulation=world.regulation,
        clause=clause,
        code="doan-vao",
        name="Bảo đảm an ninh đoàn nước ngoài",
        kind=CategoryKind.DELEGATION_SECURITY,
    )
    division = UnitFactory(agency=world.a, code="an-ninh-doi-ngoai", name="Phòng An ninh đối ngoại")
    hop_tac = UnitFactory(agency=world.b, code="hop-tac-quoc-te", name="Phòng Hợp tác quốc tế")
    c = AgencyFactory(code="bdbp", name="Bộ đội Biên phòng tỉnh", short_name="BĐBP")
    officer_c = UserFactory(
        username="c.canbo", agency=c, role=Role.OFFICER, clearance=Classification.TOI_MAT
    )
    guest = subject_services.subject_create(
        actor=SYSTEM,
        owner_agency=world.b,
        full_name="Vương Tiểu Minh",
        native_name="王小明",
        latin_name="WANG XIAOMING",
        sex="M",
        birth_year=1968,
        nationality="CN",
        documents=[{"kind": "passport", "number": "G12345678", "country": "CN"}],
    )
    official = subject_services.subject_create(
        actor=SYSTEM,
        owner_agency=world.b,
        full_name="Hoàng Văn Thắng",
        sex="M",
        birth_year=1970,
        nationality="VN",
    )
    return SimpleNamespace(
        clause=clause,
        category=category,
        division=division,
        hop_tac=hop_tac,
        c=c,
        officer_c=officer_c,
        guest=guest,
        passport=guest.documents.get(),
        official=official,
    )


@pytest.fixture
def deleg(world):
    return build_delegation(world)


def register(world, deleg, *, actor=None, **overrides):
    """A Yunnan delegation registered by the Department of Foreign Affairs."""
    today = timezone.localdate()
    kwargs = {
        "kind": ActivityKind.INCOMING,
        "title": "Đoàn Ủy ban nhân dân châu Văn Sơn thăm, làm việc tại tỉnh",
        "purpose": "Trao đổi hợp tác quản lý biên giới, thương mại qua cửa khẩu Thanh Thủy.",
        "starts_on": today + dt.timedelta(days=20),
        "ends_on": today + dt.timedelta(days=22),
        "host_unit": deleg.hop_tac,
        "country": "cn",
        "counterpart": world.f,
        "supporting_agencies": [world.a],
    }
    kwargs.update(overrides)
    return svc.activity_register(actor=actor or world.officer_b, **kwargs)


def add_guest(world, deleg, activity, *, actor=None):
    return svc.member_add(
        actor=actor or world.officer_b,
        activity=activity,
        subject=deleg.guest,
        role=MemberRole.HEAD,
        foreign=True,
        document=deleg.passport,
    )


def labels(actions):
    return sorted(set(actions))


# ---------------------------------------------------------------- end to end


def test_an_incoming_delegation_goes_from_registration_to_the_after_action_report(
    world, deleg, monkeypatch
):
    activity = register(world, deleg)
    dossier = activity.dossier
    assert dossier.category == deleg.category
    assert dossier.title == "Đoàn Ủy ban nhân dân châu Văn Sơn thăm, làm việc tại tỉnh"
    assert dossier.lead_agency == world.b
    assert dossier.opened_on == timezone.localdate()
    assert activity.status == ActivityStatus.REGISTERED
    assert activity.country == "CN"
    assert set(dossier.parties.values_list("agency__code", flat=True)) == {"sngv", "cat"}

    start = activity.starts_on
    days = svc.itinerary_set(
        actor=world.officer_b,
        activity=activity,
        days=[
            {"day": start, "place": "Thành phố Hà Giang", "venue": "Khách sạn Đồng Văn"},
            {
                "day": start + dt.timedelta(days=1),
                "place": "Xã Thanh Thủy, huyện Vị Xuyên",
                "venue": "Nhà khách cửa khẩu",
                "border_gate": "Cửa khẩu quốc tế Thanh Thủy",
            },
        ],
    )
    assert [d.venue_key for d in days] == ["khach san dong van", "nha khach cua khau"]
    assert days[1].border_area is True
    add_guest(world, deleg, activity)
    svc.member_add(
        actor=world.officer_b,
        activity=activity,
        subject=deleg.official,
        role=MemberRole.ESCORT,
        foreign=False,
    )

    activity = svc.activity_notify(actor=world.officer_b, activity=activity)
    assert activity.status == ActivityStatus.VETTING
    assert activity.notified_at is not None
    task = activity.vetting_task
    assert (task.agency, task.unit) == (world.a, deleg.division)
    assert task.title == "Có ý kiến về an ninh, bố trí bảo vệ"
    # The clause task made when the dossier opened is reused, not doubled.
    assert Task.objects.filter(dossier=dossier, agency=world.a).count() == 1
    # The Department's own clause task (notify the plan) is done by notifying.
    own = Task.objects.get(dossier=dossier, agency=world.b)
    assert own.done_on == timezone.localdate()
    assert Dossier.objects.get(pk=dossier.pk).status == DossierStatus.IN_PROGRESS
    assert sorted(m.vetting for m in activity.members.all()) == [
        VettingResult.CLEARED,
        VettingResult.CLEARED,
    ]

    svc.assessment_save(
        actor=world.officer_a,
        activity=activity,
        risk_level=RiskLevel.MEDIUM,
        assessment="Đoàn đi qua khu vực biên giới; có hoạt động của đối tượng buôn lậu.",
        measures=[
            {"kind": MeasureKind.ESCORT, "unit": deleg.division, "day": None, "description": ""},
            {
                "kind": MeasureKind.VENUE,
                "unit": world.unit_a,
                "day": start + dt.timedelta(days=1),
                "description": "Kiểm tra nhà khách cửa khẩu trước khi đoàn đến.",
            },
        ],
    )
    today = timezone.localdate()
    activity = svc.opinion_send(
        actor=world.officer_a,
        activity=activity,
        opinion=Opinion.CONDITIONS,
        conditions="Không đưa đoàn vào khu vực đồn Biên phòng Thanh Thủy.",
        number_symbol="215/CAT-PA67",
        sent_on=today,
    )
    assert activity.status == ActivityStatus.ANSWERED
    assert activity.opinion_late is False
    message = activity.opinion_message
    assert (message.sender, message.recipient) == (world.a, world.b)
    assert message.direction == MessageDirection.INCOMING
    assert message.number_symbol == "215/CAT-PA67"
    assert "Đồng ý, kèm điều kiện" in message.summary
    assert "Không đưa đoàn vào khu vực đồn Biên phòng Thanh Thủy" in message.summary
    assert Task.objects.get(pk=task.pk).done_on == today

    incident = svc.incident_open(
        actor=world.officer_a,
        activity=activity,
        category=world.border,
        title="Thành viên đoàn chụp ảnh khu vực cấm tại cửa khẩu Thanh Thủy",
    )
    assert incident.lead_agency == world.a
    assert set(incident.parties.values_list("agency_id", flat=True)) == {world.a.pk, world.b.pk}
    assert list(activity.incidents.all()) == [incident]

    with pytest.raises(ServiceError) as err:
        svc.activity_close(actor=world.officer_b, activity=activity, report="  ")
    assert "report" in err.value.message_dict
    # The report is written once the delegation has left.
    with pytest.raises(ServiceError) as err:
        svc.activity_close(
            actor=world.officer_b, activity=activity, report="Đoàn đã về nước.", closed_on=today
        )
    assert "closed_on" in err.value.message_dict
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: activity.ends_on)
    activity = svc.activity_close(
        actor=world.officer_b,
        activity=activity,
        report="Đoàn hoàn thành chương trình, không phát sinh vụ việc phức tạp.",
    )
    assert activity.closed_on == activity.ends_on
    assert activity.status == ActivityStatus.CLOSED
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RESOLVED
    assert dossier.outcome == "Đoàn hoàn thành chương trình, không phát sinh vụ việc phức tạp."

    actions = AuditEvent.objects.filter(action__startswith="activity.").values_list(
        "action", flat=True
    )
    assert labels(actions) == [
        "activity.assessment",
        "activity.close",
        "activity.incident_open",
        "activity.itinerary",
        "activity.member_add",
        "activity.notify",
        "activity.opinion",
        "activity.register",
        "activity.vet",
    ]
    assert all(a in ACTION_LABELS for a in actions)
    # The activity's events are read with its dossier's rights.
    assert set(
        AuditEvent.objects.filter(action__startswith="activity.").values_list(
            "scope_type", "scope_id"
        )
    ) == {("dossiers.dossier", dossier.pk)}


def test_the_vetting_task_is_due_in_working_days_across_a_weekend_and_tet(world, deleg):
    """Notified on Friday 28/01/2011: three working days skip the weekend and Tết
    (02–07/02/2011) and fall on Tuesday 08/02/2011."""
    activity = svc.activity_register(
        actor=SYSTEM,
        lead_agency=world.b,
        registered_on=dt.date(2011, 1, 27),
        kind=ActivityKind.INCOMING,
        title="Đoàn Chính phủ nhân dân huyện Ma Lật Pha chúc Tết",
        purpose="Thăm, chúc Tết Tân Mão lãnh đạo huyện Vị Xuyên.",
        starts_on=dt.date(2011, 2, 9),
        ends_on=dt.date(2011, 2, 10),
        host_name="UBND huyện Vị Xuyên",
    )
    assert activity.dossier.opened_on == dt.date(2011, 1, 27)
    activity = svc.activity_notify(
        actor=SYSTEM, activity=activity, notified_on=dt.date(2011, 1, 28)
    )
    assert activity.vetting_task.due_on == dt.date(2011, 2, 8)
    assert timezone.localtime(activity.notified_at).date() == dt.date(2011, 1, 28)
    # The Police was not named at registration: notifying made it a party.
    party = DossierParty.objects.get(dossier=activity.dossier, agency=world.a)
    assert party.role == "support"
    timeline = TimelineEvent.objects.filter(dossier=activity.dossier).values_list("text", flat=True)
    assert any("hạn 08/02/2011" in t for t in timeline)


def test_the_vetting_task_goes_to_the_liaison_unit_without_a_vetting_division(world, deleg):
    deleg.division.delete()
    activity = register(world, deleg, supporting_agencies=[])
    activity = svc.activity_notify(actor=world.officer_b, activity=activity, police=world.a)
    assert activity.vetting_task.unit == world.unit_a
    assert activity.vetting_task.agency == world.a


def test_an_outgoing_delegation_records_the_state_secret_briefing_before_leaving(world, deleg):
    activity = register(
        world,
        deleg,
        kind=ActivityKind.OUTGOING,
        title="Đoàn đại biểu tỉnh Hà Giang thăm tỉnh Vân Nam",
        country="CN",
    )
    today = timezone.localdate()
    with pytest.raises(ServiceError) as err:
        svc.briefing_record(
            actor=world.officer_b, activity=activity, on=today, by="", note="Phổ biến quy định."
        )
    assert "by" in err.value.message_dict
    svc.briefing_record(
        actor=world.officer_b,
        activity=activity,
        on=today,
        by="Phó Giám đốc Sở Ngoại vụ",
        note="Không mang tài liệu mật ra nước ngoài; báo cáo khi tiếp xúc bất thường.",
    )
    activity.refresh_from_db()
    assert activity.briefing_on == today
    assert activity.briefing_by == "Phó Giám đốc Sở Ngoại vụ"
    # The Police may not record the Department's briefing.
    with pytest.raises(NotFound):
        svc.briefing_record(actor=world.officer_a, activity=activity, on=today, by="Ai đó", note="")


def test_the_briefing_is_only_for_outgoing_delegations(world, deleg):
    activity = register(world, deleg)
    with pytest.raises(ServiceError) as err:
        svc.briefing_record(
            actor=world.officer_b,
            activity=activity,
            on=timezone.localdate(),
            by="Phó Giám đốc Sở",
            note="",
        )
    assert "Chỉ đoàn của tỉnh đi nước ngoài" in err.value.message_dict["kind"][0]
    activity.refresh_from_db()
    assert activity.briefing_on is None


def test_a_cancelled_activity_closes_its_dossier_without_result(world, deleg):
    activity = register(world, deleg)
    with pytest.raises(ServiceError) as err:
        svc.activity_cancel(actor=world.officer_b, activity=activity, reason="")
    assert "reason" in err.value.message_dict
    activity = svc.activity_cancel(
        actor=world.officer_b, activity=activity, reason="Phía bạn hoãn chuyến thăm."
    )
    assert activity.status == ActivityStatus.CANCELLED
    activity.dossier.refresh_from_db()
    assert activity.dossier.status == DossierStatus.CLOSED_NO_RESULT
    assert activity.dossier.outcome == "Phía bạn hoãn chuyến thăm."


def test_updating_the_title_renames_the_dossier(world, deleg):
    activity = register(world, deleg)
    svc.activity_update(
        actor=world.officer_b,
        activity=activity,
        title="Đoàn Châu ủy Văn Sơn thăm tỉnh",
        host_name="UBND tỉnh Hà Giang",
    )
    activity.refresh_from_db()
    assert activity.dossier.title == "Đoàn Châu ủy Văn Sơn thăm tỉnh"
    assert activity.host_name == "UBND tỉnh Hà Giang"
    with pytest.raises(ServiceError) as err:
        svc.activity_update(actor=world.officer_b, activity=activity, status="closed")
    assert "status" in err.value.message_dict


def test_an_incident_dossier_the_actor_sees_can_be_linked_once(world, deleg):
    activity = register(world, deleg)
    from tests.factories import open_dossier

    other = open_dossier(world.border, world.a, supporting=[world.b], opened_on=dt.date(2010, 3, 1))
    svc.incident_link(actor=world.officer_a, activity=activity, dossier=other)
    assert list(activity.incidents.all()) == [other]
    with pytest.raises(ServiceError) as err:
        svc.incident_link(actor=world.officer_b, activity=activity, dossier=other)
    assert "dossier" in err.value.message_dict
    with pytest.raises(ServiceError):
        svc.incident_link(actor=world.officer_b, activity=activity, dossier=activity.dossier)
    hidden = open_dossier(world.border, world.a, opened_on=dt.date(2010, 3, 1))
    with pytest.raises(NotFound):
        svc.incident_link(actor=world.officer_b, activity=activity, dossier=hidden)
    # The timeline, read by every party, does not name the incident.
    texts = TimelineEvent.objects.filter(dossier=activity.dossier).values_list("text", flat=True)
    assert not any(other.reference in t for t in texts)


# ---------------------------------------------------------------- bad input


def test_dates_out_of_order_are_refused_naming_the_end_date_and_nothing_is_saved(world, deleg):
    today = timezone.localdate()
    with pytest.raises(ServiceError) as err:
        register(world, deleg, starts_on=today + dt.timedelta(days=5), ends_on=today)
    assert (
        "Ngày kết thúc phải cùng ngày hoặc sau ngày bắt đầu" in err.value.message_dict["ends_on"][0]
    )
    assert not Activity.objects.exists()
    assert not Dossier.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["dossier.open", "activity.register"]).exists()

    activity = register(world, deleg)
    with pytest.raises(ServiceError) as err:
        svc.activity_update(
            actor=world.officer_b, activity=activity, ends_on=activity.starts_on - dt.timedelta(1)
        )
    assert "ends_on" in err.value.message_dict
    activity.refresh_from_db()
    assert activity.ends_on > activity.starts_on


def test_bad_fields_at_registration_name_each_field(world, deleg):
    with pytest.raises(ServiceError) as err:
        register(world, deleg, kind="picnic", title=" ", purpose="", country="CHN")
    assert set(err.value.message_dict) == {"kind", "title", "purpose", "country"}
    assert not Activity.objects.exists()


def test_a_user_registers_only_for_their_own_agency(world, deleg):
    with pytest.raises(ServiceError) as err:
        register(world, deleg, lead_agency=world.a)
    assert "lead_agency" in err.value.message_dict
    with pytest.raises(ServiceError) as err:
        register(world, deleg, registered_on=dt.date(2010, 1, 4))
    assert "registered_on" in err.value.message_dict
    with pytest.raises(NotFound):
        register(world, deleg, actor=world.oversight)
    assert not Dossier.objects.exists()


def test_registration_needs_a_delegation_category_in_the_regulation(world):
    with pytest.raises(ServiceError) as err:
        svc.activity_register(
            actor=world.officer_b,
            kind=ActivityKind.EVENT,
            title="Hội chợ thương mại quốc tế Việt – Trung",
            purpose="Hội chợ tại thành phố Hà Giang.",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
        )
    assert "Bảo đảm an ninh đoàn nước ngoài" in err.value.messages[0]
    assert not Dossier.objects.exists()


def test_an_itinerary_day_outside_the_activity_is_refused_naming_the_row(world, deleg):
    activity = register(world, deleg)
    start = activity.starts_on
    svc.itinerary_set(
        actor=world.officer_b,
        activity=activity,
        days=[{"day": start, "place": "Thành phố Hà Giang", "venue": "Khách sạn Đồng Văn"}],
    )
    late = start + dt.timedelta(days=10)
    with pytest.raises(ServiceError) as err:
        svc.itinerary_set(
            actor=world.officer_b,
            activity=activity,
            days=[
                {"day": start, "place": "Thành phố Hà Giang"},
                {"day": start + dt.timedelta(days=1), "place": "Huyện Đồng Văn"},
                {"day": late, "place": "Huyện Mèo Vạc"},
                {"day": start, "place": ""},
            ],
        )
    messages = err.value.message_dict["days"]
    assert messages[0].startswith(f"Ngày thứ 3 ({late:%d/%m/%Y}) nằm ngoài thời gian của hoạt động")
    assert messages[1].startswith("Ngày thứ 4")
    assert "cần nhập địa điểm" in messages[1]
    # The earlier itinerary is untouched.
    assert list(ItineraryDay.objects.values_list("venue", flat=True)) == ["Khách sạn Đồng Văn"]


def test_moving_the_dates_away_from_the_itinerary_is_refused(world, deleg):
    activity = register(world, deleg)
    svc.itinerary_set(
        actor=world.officer_b,
        activity=activity,
        days=[{"day": activity.ends_on, "place": "Huyện Mèo Vạc"}],
    )
    with pytest.raises(ServiceError) as err:
        svc.activity_update(
            actor=world.officer_b,
            activity=activity,
            ends_on=activity.ends_on - dt.timedelta(days=1),
        )
    assert "Lịch trình có ngày" in err.value.message_dict["ends_on"][0]


def test_a_foreigner_without_identity_document_is_refused(world, deleg):
    activity = register(world, deleg)
    with pytest.raises(ServiceError) as err:
        svc.member_add(
            actor=world.officer_b,
            activity=activity,
            subject=deleg.guest,
            role=MemberRole.HEAD,
            foreign=True,
        )
    assert err.value.message_dict["document"][0].startswith(
        "Người nước ngoài phải có giấy tờ (hộ chiếu"
    )
    assert not ActivityMember.objects.exists()
    # Another person's passport is no better.
    other = subject_services.subject_create(
        actor=SYSTEM,
        owner_agency=world.b,
        full_name="Lý Quốc Cường",
        nationality="CN",
        documents=[{"kind": "passport", "number": "E00011122", "country": "CN"}],
    )
    with pytest.raises(ServiceError) as err:
        svc.member_add(
            actor=world.officer_b,
            activity=activity,
            subject=deleg.guest,
            role=MemberRole.HEAD,
            document=other.documents.get(),
        )
    assert "không phải của người này" in err.value.message_dict["document"][0]
    assert not ActivityMember.objects.exists()


def test_a_person_is_a_member_once(world, deleg):
    activity = register(world, deleg)
    add_guest(world, deleg, activity)
    with pytest.raises(ServiceError) as err:
        add_guest(world, deleg, activity)
    assert "đã có trong danh sách thành viên" in err.value.message_dict["subject"][0]
    assert ActivityMember.objects.count() == 1


def test_a_passport_expiring_before_the_end_is_refused(world, deleg):
    activity = register(world, deleg)
    deleg.passport.valid_until = activity.starts_on
    deleg.passport.save()
    with pytest.raises(ServiceError) as err:
        add_guest(world, deleg, activity)
    assert "hết hạn" in err.value.message_dict["document"][0]


def test_an_opinion_sent_after_the_start_is_recorded_and_flagged_late(world, deleg):
    activity = svc.activity_register(
        actor=SYSTEM,
        lead_agency=world.b,
        registered_on=dt.date(2010, 3, 1),
        kind=ActivityKind.BORDER_VISIT,
        title="Phóng viên Tân Hoa xã vào khu vực biên giới huyện Hoàng Su Phì",
        purpose="Ghi hình về hợp tác quản lý biên giới.",
        starts_on=dt.date(2010, 3, 8),
        ends_on=dt.date(2010, 3, 9),
        supporting_agencies=[world.a],
    )
    svc.activity_notify(actor=SYSTEM, activity=activity, notified_on=dt.date(2010, 3, 2))
    activity = svc.opinion_send(
        actor=SYSTEM,
        activity=activity,
        opinion=Opinion.AGREE,
        number_symbol="88/CAT-PA67",
        sent_on=dt.date(2010, 3, 8),
    )
    assert activity.opinion_late is True
    assert activity.status == ActivityStatus.ANSWERED
    assert activity.vetting_task.done_on == dt.date(2010, 3, 8)
    # Sent once: a second opinion is refused.
    with pytest.raises(ServiceError) as err:
        svc.opinion_send(
            actor=SYSTEM,
            activity=activity,
            opinion=Opinion.DISAGREE,
            number_symbol="89/CAT-PA67",
            sent_on=dt.date(2010, 3, 9),
        )
    assert "status" in err.value.message_dict


def test_an_opinion_with_conditions_needs_the_conditions_and_nothing_is_sent(world, deleg):
    activity = register(world, deleg)
    svc.activity_notify(actor=world.officer_b, activity=activity)
    with pytest.raises(ServiceError) as err:
        svc.opinion_send(
            actor=world.officer_a,
            activity=activity,
            opinion=Opinion.CONDITIONS,
            number_symbol="12/CAT-PA67",
            sent_on=timezone.localdate(),
        )
    assert "conditions" in err.value.message_dict
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.VETTING
    assert not activity.dossier.messages.exists()


def test_an_opinion_before_notification_is_refused(world, deleg):
    activity = register(world, deleg)
    with pytest.raises(ServiceError) as err:
        svc.opinion_send(
            actor=world.officer_a,
            activity=activity,
            opinion=Opinion.AGREE,
            number_symbol="12/CAT-PA67",
            sent_on=timezone.localdate(),
        )
    assert "chưa được thông báo" in err.value.message_dict["status"][0]


def test_measures_need_a_unit_of_a_party_and_a_day_within_the_activity(world, deleg):
    activity = register(world, deleg)
    svc.activity_notify(actor=world.officer_b, activity=activity)
    outsider = UnitFactory(agency=deleg.c, code="trinh-sat", name="Phòng Trinh sát")
    with pytest.raises(ServiceError) as err:
        svc.assessment_save(
            actor=world.officer_a,
            activity=activity,
            risk_level=RiskLevel.HIGH,
            assessment="Nguy cơ cao.",
            measures=[
                {"kind": MeasureKind.TRAFFIC, "unit": outsider, "day": None},
                {
                    "kind": MeasureKind.LIAISON,
                    "unit": deleg.division,
                    "day": activity.ends_on + dt.timedelta(days=1),
                },
            ],
        )
    rows = err.value.message_dict["measures"]
    assert "Phòng Trinh sát" in rows[0]
    assert "nằm ngoài thời gian" in rows[1]
    activity.refresh_from_db()
    assert activity.risk_level == ""
    assert not SecurityMeasure.objects.exists()


def test_a_closed_activity_refuses_every_change_naming_the_status(world, deleg):
    activity = register(world, deleg)
    add_guest(world, deleg, activity)
    svc.activity_notify(actor=world.officer_b, activity=activity)
    # The activity starts in the future: close it as the system, on its last day.
    activity = svc.activity_close(
        actor=SYSTEM,
        activity=activity,
        report="Đoàn kết thúc chuyến thăm an toàn.",
        closed_on=activity.ends_on,
    )
    member = activity.members.get()
    day = activity.starts_on
    attempts = [
        lambda: svc.activity_update(actor=world.officer_b, activity=activity, title="Tên mới"),
        lambda: svc.itinerary_set(
            actor=world.officer_b, activity=activity, days=[{"day": day, "place": "Hà Giang"}]
        ),
        lambda: svc.member_add(
            actor=world.officer_b,
            activity=activity,
            subject=deleg.official,
            role=MemberRole.ESCORT,
            foreign=False,
        ),
        lambda: svc.member_remove(actor=world.officer_b, member=member),
        lambda: svc.activity_notify(actor=world.officer_b, activity=activity),
        lambda: svc.vetting_check(actor=world.officer_a, activity=activity),
        lambda: svc.member_vetting_set(
            actor=world.officer_a, member=member, result=VettingResult.CLEARED
        ),
        lambda: svc.assessment_save(
            actor=world.officer_a,
            activity=activity,
            risk_level=RiskLevel.LOW,
            assessment="Thấp.",
            measures=[],
        ),
        lambda: svc.opinion_send(
            actor=world.officer_a,
            activity=activity,
            opinion=Opinion.AGREE,
            number_symbol="1/CAT",
            sent_on=day,
        ),
        lambda: svc.briefing_record(
            actor=world.officer_b, activity=activity, on=day, by="Ai", note=""
        ),
        lambda: svc.incident_open(
            actor=world.officer_a, activity=activity, category=world.border, title="Vụ việc"
        ),
        lambda: svc.activity_close(actor=world.officer_b, activity=activity, report="Lần hai"),
        lambda: svc.activity_cancel(actor=world.officer_b, activity=activity, reason="Hủy"),
    ]
    events = AuditEvent.objects.count()
    for attempt in attempts:
        with pytest.raises(ServiceError) as err:
            attempt()
        assert "Đã kết thúc" in err.value.message_dict["status"][0]
    assert AuditEvent.objects.count() == events
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CLOSED
    assert activity.members.count() == 1


# ---------------------------------------------------------------- policy


def test_an_agency_not_party_gets_not_found_on_every_service(world, deleg):
    activity = register(world, deleg)
    add_guest(world, deleg, activity)
    member = activity.members.get()
    svc.activity_notify(actor=world.officer_b, activity=activity)
    outsider = deleg.officer_c
    day = activity.starts_on
    calls = [
        lambda u: svc.activity_update(actor=u, activity=activity, title="Tên mới"),
        lambda u: svc.itinerary_set(actor=u, activity=activity, days=[]),
        lambda u: svc.member_add(
            actor=u, activity=activity, subject=deleg.official, role="member", foreign=False
        ),
        lambda u: svc.member_remove(actor=u, member=member),
        lambda u: svc.activity_notify(actor=u, activity=activity),
        lambda u: svc.vetting_check(actor=u, activity=activity),
        lambda u: svc.member_vetting_set(actor=u, member=member, result="cleared"),
        lambda u: svc.assessment_save(
            actor=u, activity=activity, risk_level="low", assessment="x", measures=[]
        ),
        lambda u: svc.opinion_send(
            actor=u, activity=activity, opinion="agree", number_symbol="1", sent_on=day
        ),
        lambda u: svc.briefing_record(actor=u, activity=activity, on=day, by="x", note=""),
        lambda u: svc.incident_link(actor=u, activity=activity, dossier=activity.dossier),
        lambda u: svc.incident_open(
            actor=u, activity=activity, category=world.border, title="Vụ việc"
        ),
        lambda u: svc.activity_close(actor=u, activity=activity, report="x"),
        lambda u: svc.activity_cancel(actor=u, activity=activity, reason="x"),
    ]
    for user in (outsider, world.oversight, world.admin):
        for call in calls:
            with pytest.raises(NotFound):
                call(user)
    assert not selectors.visible_activities(outsider).exists()
    with pytest.raises(NotFound):
        selectors.members_for(outsider, activity)


def test_each_side_does_only_its_own_part(world, deleg):
    activity = register(world, deleg)
    add_guest(world, deleg, activity)
    member = activity.members.get()
    # The Police does not register the Department's members nor notify itself.
    with pytest.raises(NotFound):
        svc.member_add(
            actor=world.officer_a,
            activity=activity,
            subject=deleg.official,
            role=MemberRole.ESCORT,
            foreign=False,
        )
    with pytest.raises(NotFound):
        svc.activity_notify(actor=world.officer_a, activity=activity)
    svc.activity_notify(actor=world.officer_b, activity=activity)
    # The Department does not vet, assess nor answer for the Police.
    with pytest.raises(NotFound):
        svc.vetting_check(actor=world.officer_b, activity=activity)
    with pytest.raises(NotFound):
        svc.member_vetting_set(actor=world.officer_b, member=member, result="cleared")
    with pytest.raises(NotFound):
        svc.opinion_send(
            actor=world.officer_b,
            activity=activity,
            opinion=Opinion.AGREE,
            number_symbol="1/SNgV",
            sent_on=timezone.localdate(),
        )
    assert selectors.may_lead(world.officer_b, activity)
    assert not selectors.may_lead(world.officer_a, activity)
    assert selectors.may_vet(world.officer_a, activity)
    assert selectors.may_vet(world.leader_a, activity)
    assert not selectors.may_vet(world.officer_b, activity)
    assert not selectors.may_vet(world.oversight, activity)


def test_a_classified_activity_is_hidden_from_users_below_its_level(world, deleg):
    low = UserFactory(
        username="b.thuong", agency=world.b, role=Role.OFFICER, clearance=Classification.THUONG
    )
    activity = register(world, deleg, classification=Classification.MAT)
    assert list(selectors.visible_activities(world.officer_b)) == [activity]
    assert list(selectors.visible_activities(world.officer_a)) == [activity]
    assert not selectors.visible_activities(low).exists()
    with pytest.raises(NotFound):
        svc.activity_update(actor=low, activity=activity, title="Tên mới")
    # Statistics count it all the same.
    from phoihop.core import policy

    assert policy.restrict(Activity.objects.all(), world.oversight, policy.AGGREGATE).count() == 1
    assert not policy.restrict(Activity.objects.all(), world.oversight, policy.VIEW).exists()


# ---------------------------------------------------------------- after the review of the change


def answered(world, deleg):
    activity = register(world, deleg)
    add_guest(world, deleg, activity)
    svc.activity_notify(actor=world.officer_b, activity=activity)
    return svc.opinion_send(
        actor=world.officer_a,
        activity=activity,
        opinion=Opinion.AGREE,
        number_symbol="41/CAT-ANĐN",
        sent_on=timezone.localdate(),
    )


def test_changing_the_members_after_the_opinion_sends_the_activity_back_to_vetting(world, deleg):
    activity = answered(world, deleg)
    assert activity.vetting_task.done_on is not None
    svc.member_remove(actor=world.officer_b, member=activity.members.get())
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.VETTING
    assert activity.opinion == "" and activity.opinion_message is None
    task = activity.vetting_task
    task.refresh_from_db()
    assert task.done_on is None and task.due_on > timezone.localdate()
    texts = TimelineEvent.objects.filter(dossier=activity.dossier).values_list("text", flat=True)
    assert any("chờ Công an cho ý kiến lại" in t for t in texts)
    # The earlier opinion stays on record, in its dispatch.
    assert activity.dossier.messages.filter(number_symbol="41/CAT-ANĐN").exists()
    assert AuditEvent.objects.filter(action="activity.reopen").count() == 1


def test_ending_an_activity_ends_its_open_tasks(world, deleg):
    activity = register(world, deleg)
    svc.activity_notify(actor=world.officer_b, activity=activity)
    assert Task.objects.filter(dossier=activity.dossier, done_on__isnull=True).exists()
    svc.activity_cancel(actor=world.officer_b, activity=activity, reason="Phía bạn hoãn chuyến đi.")
    assert not Task.objects.filter(dossier=activity.dossier, done_on__isnull=True).exists()


def test_a_user_closes_an_activity_today_not_on_a_past_date(world, deleg):
    activity = register(
        world,
        deleg,
        starts_on=timezone.localdate() - dt.timedelta(days=5),
        ends_on=timezone.localdate() - dt.timedelta(days=3),
    )
    svc.activity_notify(actor=world.officer_b, activity=activity)
    with pytest.raises(ServiceError) as err:
        svc.activity_close(
            actor=world.officer_b,
            activity=activity,
            report="Đoàn hoàn thành chương trình.",
            closed_on=timezone.localdate() - dt.timedelta(days=2),
        )
    assert "closed_on" in err.value.message_dict
