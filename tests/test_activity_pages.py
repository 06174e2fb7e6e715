"""The pages of foreign-affairs activities, as each side sees them.

The Department of Foreign Affairs (the world's agency B) registers an activity, its
itinerary and members, and notifies the Police (agency A); a Police officer vets the
members, assesses the security and answers with a numbered letter; the department
sees "Cần lưu ý" without the reasons and closes the activity with its report.

The helpers `delegation_category`, `matrix_activity` and `matrix_member` also serve the
authorization matrix (tests/test_authz_matrix.py, slot "activities: pages").
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, reverse
from django.utils import timezone

from phoihop.accounts.choices import Role
from phoihop.activities import services
from phoihop.activities import urls as activity_urls
from phoihop.activities.choices import ActivityStatus, VettingResult
from phoihop.activities.models import Activity, ActivityMember, ItineraryDay
from phoihop.audit.models import AuditEvent
from phoihop.core.choices import Classification
from phoihop.core.policy import SYSTEM
from phoihop.dossiers.models import Dossier, Task
from phoihop.regulations.choices import CategoryKind, ResponsibilityRole
from phoihop.regulations.models import Category
from phoihop.subjects import services as subject_services
from phoihop.subjects.choices import DocumentKind, SubjectRole
from phoihop.subjects.models import IdentityDocument, Subject
from tests.factories import (
    AgencyFactory,
    CategoryFactory,
    UserFactory,
    clause_with_responsibilities,
    open_dossier,
)
from tests.web_fixtures import d, login

POLICE_DAYS = 5
TITLE = "Đoàn Chính quyền châu Văn Sơn (Vân Nam) thăm và làm việc"
QUERY_BUDGET = 20
CRIME_NOTE = "Có tên trong vụ án mua bán người"


# --- helpers, shared with the authorization matrix ------------------------------------------


def delegation_category(world) -> Category:
    """The world's regulation given a delegation-security clause, on first use.

    B (the Department of Foreign Affairs) leads; A (the Police) supports within
    POLICE_DAYS working days.
    """
    found = Category.objects.filter(
        regulation=world.regulation, kind=CategoryKind.DELEGATION_SECURITY
    ).first()
    if found is not None:
        return found
    clause = clause_with_responsibilities(
        world.article,
        9,
        [
            {
                "agency": world.b,
                "role": ResponsibilityRole.LEAD,
                "response_days": 2,
                "task_title": "Đăng ký hoạt động, thông báo cho Công an",
            },
            {
                "agency": world.a,
                "role": ResponsibilityRole.SUPPORT,
                "response_days": POLICE_DAYS,
                "task_title": "Thẩm tra thành viên, đánh giá an ninh, có ý kiến",
            },
        ],
    )
    return CategoryFactory(
        regulation=world.regulation,
        clause=clause,
        code="an-ninh-doan",
        name="Bảo đảm an ninh đoàn nước ngoài",
        kind=CategoryKind.DELEGATION_SECURITY,
    )


def matrix_activity(s) -> Activity:
    """An activity for the matrix, made on first use, shaped like the scene's dossier.

    With the `scene`: Mật, led by A with B supporting (so B vets, as the supporting
    domestic party). With the `tuyet_mat` fixture (it has `named`): Tuyệt mật,
    registered by the named officer of A, who alone of A may see it.
    """
    world = s.world
    delegation_category(world)
    if hasattr(s, "named"):
        found = Activity.objects.filter(dossier__classification=Classification.TUYET_MAT).first()
        return found or services.activity_register(
            actor=s.named,
            kind="incoming",
            title="Đoàn công tác đặc biệt",
            purpose="Làm việc về chuyên án.",
            starts_on=d("15/03/2010"),
            ends_on=d("16/03/2010"),
            classification=Classification.TUYET_MAT,
            supporting_agencies=[world.b],
        )
    found = Activity.objects.filter(dossier__classification=Classification.MAT).first()
    return found or services.activity_register(
        actor=SYSTEM,
        lead_agency=world.a,
        supporting_agencies=[world.b],
        counterpart=world.f,
        kind="incoming",
        title=TITLE,
        purpose="Trao đổi về công tác quản lý biên giới.",
        starts_on=d("15/03/2010"),
        ends_on=d("17/03/2010"),
        classification=Classification.MAT,
    )


def matrix_member(s) -> ActivityMember:
    """The scene's person, a member of the matrix activity, on first use."""
    activity = matrix_activity(s)
    return ActivityMember.objects.filter(activity=activity).first() or services.member_add(
        actor=SYSTEM, activity=activity, subject=s.subject, role="escort", foreign=False
    )


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """Set the day the application believes it is (users act "today")."""
    state = SimpleNamespace(now=None)
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: state.now or real_now())

    def set_day(day: str):
        state.now = timezone.make_aware(dt.datetime.combine(d(day), dt.time(9, 0)))

    return set_day


@pytest.fixture
def ha(world, clock):
    """The world with a delegation clause, a criminal case of the Police naming a person,
    and the persons the Department of Foreign Affairs registers as members."""
    clock("01/03/2010")
    delegation_category(world)
    # The Police's case: the person as they know him, with his passport.
    case = open_dossier(
        world.joint,
        world.a,
        classification=Classification.MAT,
        title="Vụ mua bán phụ nữ qua cửa khẩu Thanh Thủy",
        crime_type=world.crime,
        opened_on=d("10/01/2010"),
    )
    subject_services.subject_create_in_dossier(
        actor=SYSTEM,
        dossier=case,
        role=SubjectRole.SUSPECT,
        owner_agency=world.a,
        full_name="Vương Gia Lương",
        native_name="王家良",
        sex="M",
        birth_year=1975,
        nationality="CN",
        documents=[{"kind": DocumentKind.PASSPORT, "number": "G30417788", "country": "CN"}],
    )
    # The department's own records of the delegation's members.
    head = subject_services.subject_create(
        actor=SYSTEM,
        owner_agency=world.b,
        full_name="Lý Minh Hoa",
        native_name="李明华",
        sex="F",
        birth_year=1968,
        nationality="CN",
        documents=[{"kind": DocumentKind.PASSPORT, "number": "G12345678", "country": "CN"}],
    )
    flagged = subject_services.subject_create(
        actor=SYSTEM,
        owner_agency=world.b,
        full_name="Vương Gia Lương",
        native_name="王家良",
        sex="M",
        birth_year=1975,
        nationality="CN",
        documents=[{"kind": DocumentKind.PASSPORT, "number": "G30417788", "country": "CN"}],
    )
    no_passport = subject_services.subject_create(
        actor=SYSTEM,
        owner_agency=world.b,
        full_name="Trương Vĩ",
        sex="M",
        birth_year=1980,
        nationality="CN",
    )
    c = AgencyFactory(code="bdbp", name="Bộ đội Biên phòng tỉnh", short_name="BĐBP")
    outsider = UserFactory(
        username="c.canbo", agency=c, role=Role.OFFICER, clearance=Classification.TUYET_MAT
    )
    low_b = UserFactory(
        username="b.thuong",
        agency=world.b,
        unit=world.unit_b,
        role=Role.OFFICER,
        clearance=Classification.THUONG,
    )
    return SimpleNamespace(
        world=world,
        clock=clock,
        case=case,
        head=head,
        flagged=flagged,
        no_passport=no_passport,
        dfa=world.officer_b,
        police=world.officer_a,
        outsider=outsider,
        low_b=low_b,
    )


def _page(response) -> str:
    return unescape(response.content.decode())


def _text(response) -> str:
    """The page's visible text, tags removed, whitespace collapsed."""
    body = _page(response)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def _register(client, ha, **changes):
    data = {
        "kind": "incoming",
        "title": TITLE,
        "purpose": "Trao đổi về quản lý biên giới, thăm cửa khẩu Thanh Thủy.",
        "host_unit": ha.world.unit_b.pk,
        "host_name": "",
        "country": "cn",
        "starts_on": "15/03/2010",
        "ends_on": "17/03/2010",
        "classification": Classification.MAT,
        "counterpart": ha.world.f.pk,
        **changes,
    }
    return client.post(reverse("activities:create"), data)


def _registered(ha) -> Activity:
    """An activity the department registered (through the service), with two members."""
    activity = services.activity_register(
        actor=ha.dfa,
        kind="incoming",
        title=TITLE,
        purpose="Trao đổi về quản lý biên giới.",
        starts_on=d("15/03/2010"),
        ends_on=d("17/03/2010"),
        host_unit=ha.world.unit_b,
        country="CN",
        counterpart=ha.world.f,
        classification=Classification.MAT,
    )
    for subject, role in ((ha.head, "head"), (ha.flagged, "member")):
        services.member_add(
            actor=ha.dfa,
            activity=activity,
            subject=subject,
            role=role,
            foreign=True,
            document=IdentityDocument.objects.get(subject=subject),
        )
    return activity


def _notified(ha) -> Activity:
    activity = _registered(ha)
    return services.activity_notify(actor=ha.dfa, activity=activity)


def _opinion_data(**changes):
    return {
        "opinion-opinion": "conditions",
        "opinion-conditions": "Không đưa đoàn vào khu vực đồn Biên phòng.",
        "opinion-number_symbol": "215/CAT-PA61",
        "opinion-sent_on": "05/03/2010",
        **changes,
    }


# --- the workflow, as each side sees it -------------------------------------------------------


def test_the_department_registers_and_notifies_the_police_vets_and_answers_and_the_report_closes(
    ha, client
):
    w = ha.world
    # The department registers the activity.
    login(client, ha.dfa)
    assert client.get(reverse("activities:list")).status_code == 200
    form = client.get(reverse("activities:create"))
    assert "Đăng ký hoạt động đối ngoại" in _text(form)
    response = _register(client, ha)
    assert response.status_code == 302, _text(response)[:3000]
    activity = Activity.objects.get()
    assert response["Location"] == reverse("activities:detail", args=[activity.pk])
    detail = _text(client.get(response["Location"]))
    assert TITLE in detail and "Đã đăng ký" in detail
    assert activity.dossier.reference in detail and "MẬT" in detail
    assert activity.country == "CN"

    # Its itinerary, as lines.
    lines = (
        "15/03/2010; TP Hà Giang; UBND tỉnh\n"
        "16/03/2010; xã Thanh Thủy, huyện Vị Xuyên; Trạm Kiểm soát liên hợp; có; "
        "Cửa khẩu Thanh Thủy\n"
    )
    response = client.post(reverse("activities:itinerary", args=[activity.pk]), {"lines": lines})
    assert response.status_code == 302, _text(response)[:3000]
    days = list(ItineraryDay.objects.filter(activity=activity).order_by("day"))
    assert [(x.day, x.border_area, x.border_gate) for x in days] == [
        (d("15/03/2010"), False, ""),
        (d("16/03/2010"), True, "Cửa khẩu Thanh Thủy"),
    ]
    # The page shows the lines back, to edit.
    page = _page(client.get(reverse("activities:itinerary", args=[activity.pk])))
    assert "16/03/2010; xã Thanh Thủy, huyện Vị Xuyên; Trạm Kiểm soát liên hợp; có" in page

    # Its members: found by search among the persons the department may see.
    add_url = reverse("activities:member-add", args=[activity.pk])
    found = _page(client.get(add_url, {"q": "vuong gia"}))
    assert f"?subject={ha.flagged.pk}" in found
    # The Police's record of the same man is not the department's to see.
    police_record = Subject.objects.get(full_name="Vương Gia Lương", owner_agency=w.a)
    assert f"?subject={police_record.pk}" not in found
    for subject, role in ((ha.head, "head"), (ha.flagged, "member")):
        chosen = _page(client.get(add_url, {"subject": subject.pk}))
        assert subject.full_name in chosen
        passport = IdentityDocument.objects.get(subject=subject)
        response = client.post(
            add_url,
            {"subject": subject.pk, "role": role, "foreign": "on", "document": passport.pk},
        )
        assert response.status_code == 302, _text(response)[:3000]
    detail = _text(client.get(reverse("activities:detail", args=[activity.pk])))
    assert "Lý Minh Hoa" in detail and "G12345678" in detail and "Trưởng đoàn" in detail
    assert "Chưa thẩm tra" in detail

    # The department notifies the Police: a task due in working days.
    response = client.post(reverse("activities:notify", args=[activity.pk]), {"notify-police": ""})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.VETTING
    task = Task.objects.get(pk=activity.vetting_task_id)
    assert task.agency == w.a and task.due_on == d("08/03/2010")  # 5 working days
    detail = _text(client.get(reverse("activities:detail", args=[activity.pk])))
    assert "Đang thẩm tra" in detail and "hạn 08/03/2010" in detail

    # A Police officer vets: the hit is shown with its reason.
    login(client, ha.police)
    detail = _text(client.get(reverse("activities:detail", args=[activity.pk])))
    assert "Cần lưu ý" in detail and "Không có vấn đề" in detail
    assert "Vụ mua bán phụ nữ qua cửa khẩu Thanh Thủy" in detail or ha.case.reference in detail
    response = client.post(reverse("activities:vetting-run", args=[activity.pk]))
    assert response.status_code == 302
    flagged = ActivityMember.objects.get(activity=activity, subject=ha.flagged)
    assert flagged.vetting == VettingResult.ATTENTION
    response = client.post(
        reverse("activities:member-vetting", args=[flagged.pk]),
        {f"m{flagged.pk}-result": "attention", f"m{flagged.pk}-note": CRIME_NOTE},
    )
    assert response.status_code == 302, _text(response)[:3000]
    assert CRIME_NOTE in _text(client.get(reverse("activities:detail", args=[activity.pk])))

    # The assessment and the measures.
    assessment_url = reverse("activities:assessment", args=[activity.pk])
    assert client.get(assessment_url).status_code == 200
    response = client.post(
        assessment_url,
        {
            "risk_level": "medium",
            "assessment": "Một thành viên có tên trong vụ án; cần bố trí lực lượng đi cùng.",
            "measures-TOTAL_FORMS": "3",
            "measures-INITIAL_FORMS": "0",
            "measures-0-kind": "escort",
            "measures-0-unit": w.unit_a.pk,
            "measures-0-day": "",
            "measures-0-description": "Dẫn đường, bảo vệ đoàn suốt lịch trình",
            "measures-1-kind": "venue",
            "measures-1-unit": w.unit_a.pk,
            "measures-1-day": "16/03/2010",
            "measures-1-description": "Kiểm tra Trạm Kiểm soát liên hợp",
        },
    )
    assert response.status_code == 302, _text(response)[:3000]
    assert activity.measures.count() == 2

    # The opinion, as a numbered letter, before the activity starts.
    ha.clock("05/03/2010")
    login(client, ha.police)
    response = client.post(reverse("activities:opinion", args=[activity.pk]), _opinion_data())
    assert response.status_code == 302, _text(response)[:3000]
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.ANSWERED and not activity.opinion_late

    # The department sees the answer and "Cần lưu ý", never why.
    login(client, ha.dfa)
    detail = _text(client.get(reverse("activities:detail", args=[activity.pk])))
    assert "Đã có ý kiến" in detail
    assert "Đồng ý, kèm điều kiện" in detail and "215/CAT-PA61, 05/03/2010" in detail
    assert "Không đưa đoàn vào khu vực đồn Biên phòng." in detail
    assert "gửi muộn" not in detail
    assert "Cần lưu ý" in detail
    assert CRIME_NOTE not in detail
    assert "Vụ mua bán phụ nữ" not in detail and ha.case.reference not in detail
    assert "Dẫn đường, bảo vệ đoàn suốt lịch trình" in detail
    assert "Gửi ý kiến" not in detail  # not the department's action

    # After the activity, the report closes it.
    ha.clock("18/03/2010")
    login(client, ha.dfa)
    response = client.post(
        reverse("activities:close", args=[activity.pk]),
        {
            "close-report": "Đoàn làm việc đúng chương trình, không phát sinh vụ việc.",
            "close-closed_on": "",
        },
    )
    assert response.status_code == 302, _text(response)[:3000]
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CLOSED and activity.closed_on == d("18/03/2010")
    detail = _text(client.get(reverse("activities:detail", args=[activity.pk])))
    assert "Đã kết thúc" in detail and "không phát sinh vụ việc" in detail
    assert "Sửa thông tin" not in detail and "Thêm thành viên" not in detail
    assert "Hủy hoạt động" not in detail


def test_the_list_filters_and_counts_what_the_user_may_see(ha, client):
    activity = _registered(ha)
    services.activity_register(
        actor=ha.dfa,
        kind="outgoing",
        title="Đoàn của tỉnh thăm châu Hồng Hà",
        purpose="Xúc tiến thương mại.",
        starts_on=d("10/05/2010"),
        ends_on=d("12/05/2010"),
        country="CN",
    )
    login(client, ha.dfa)
    page = _text(client.get(reverse("activities:list")))
    assert "2 hoạt động" in page and TITLE in page and "Hồng Hà" in page
    page = _text(client.get(reverse("activities:list"), {"kind": "outgoing"}))
    assert "1 hoạt động" in page and TITLE not in page
    page = _text(client.get(reverse("activities:list"), {"q": "van son"}))
    assert "1 hoạt động" in page and TITLE in page
    page = _text(
        client.get(reverse("activities:list"), {"date_from": "01/05/2010", "date_to": "31/05/2010"})
    )
    assert "1 hoạt động" in page and "Hồng Hà" in page
    page = _text(client.get(reverse("activities:list"), {"status": "closed"}))
    assert "0 hoạt động" in page
    page = _text(client.get(reverse("activities:list")))  # the latest first
    assert page.index("Hồng Hà") < page.index(TITLE)
    page = _text(client.get(reverse("activities:list"), {"sort": "starts"}))
    assert page.index(TITLE) < page.index("Hồng Hà")
    # A filter value the form refuses shows nothing, and says why on the field.
    bad = client.get(reverse("activities:list"), {"date_from": "31/02/2010"})
    assert 'href="#id_date_from"' in _page(bad)
    assert TITLE not in _text(bad)
    # The htmx request gets the rows alone.
    rows = _page(client.get(reverse("activities:list"), HTTP_HX_REQUEST="true"))
    assert "<html" not in rows and activity.dossier.reference in rows
    # Nobody outside the dossier sees the activities; the low-cleared colleague sees only
    # the unclassified one.
    login(client, ha.outsider)
    page = _text(client.get(reverse("activities:list")))
    assert "0 hoạt động" in page and TITLE not in page
    login(client, ha.low_b)
    page = _text(client.get(reverse("activities:list")))
    assert "1 hoạt động" in page and TITLE not in page


def test_the_nav_link_is_for_casework_roles(ha, client):
    login(client, ha.dfa)
    assert "Hoạt động đối ngoại" in _text(client.get(reverse("core:dashboard")))
    login(client, ha.world.oversight)
    assert "Hoạt động đối ngoại" not in _text(client.get(reverse("core:dashboard")))


def test_the_dossier_page_links_to_its_activity(ha, client):
    activity = _registered(ha)
    login(client, ha.dfa)
    page = _page(client.get(activity.dossier.get_absolute_url()))
    assert reverse("activities:detail", args=[activity.pk]) in page


# --- bad input, shown on the field ------------------------------------------------------------


def test_dates_out_of_order_are_refused_on_the_field(ha, client):
    login(client, ha.dfa)
    response = _register(client, ha, starts_on="17/03/2010", ends_on="15/03/2010")
    assert response.status_code == 400
    page = _page(response)
    assert 'href="#id_ends_on"' in page
    assert "Ngày kết thúc không được trước ngày bắt đầu." in page
    assert not Activity.objects.exists() and not Dossier.objects.filter(title=TITLE).exists()


def test_a_country_that_is_not_a_code_is_refused_by_the_service_on_the_field(ha, client):
    login(client, ha.dfa)
    response = _register(client, ha, country="C1")
    assert response.status_code == 400
    assert 'href="#id_country"' in _page(response)
    assert "mã 2 chữ cái" in _text(response)
    assert not Activity.objects.exists()


def test_itinerary_errors_name_their_lines_and_nothing_is_saved(ha, client):
    activity = _registered(ha)
    services.itinerary_set(
        actor=ha.dfa,
        activity=activity,
        days=[{"day": d("15/03/2010"), "place": "TP Hà Giang"}],
    )
    login(client, ha.dfa)
    lines = (
        "15/03/2010; TP Hà Giang; UBND tỉnh\n"
        "\n"
        "32/03/2010; Vị Xuyên\n"
        "20/03/2010; Thanh Thủy\n"
        "16/03/2010; \n"
        "16/03/2010; Thanh Thủy; Trạm; không rõ\n"
    )
    response = client.post(reverse("activities:itinerary", args=[activity.pk]), {"lines": lines})
    assert response.status_code == 400
    text = _text(response)
    assert "Dòng 3: ngày «32/03/2010» không đúng định dạng ngày/tháng/năm." in text
    assert "Dòng 4: ngày 20/03/2010 nằm ngoài thời gian của hoạt động" in text
    assert "Dòng 5: cần ghi địa điểm." in text
    assert "Dòng 6: cột khu vực biên giới" in text
    assert 'href="#id_lines"' in _page(response)
    assert [x.place for x in activity.itinerary.all()] == ["TP Hà Giang"]


def test_a_foreigner_without_a_document_is_refused_on_the_document_field(ha, client):
    activity = _registered(ha)
    login(client, ha.dfa)
    url = reverse("activities:member-add", args=[activity.pk])
    page = _text(client.get(url, {"subject": ha.no_passport.pk}))
    assert "chưa có giấy tờ nào" in page
    response = client.post(
        url, {"subject": ha.no_passport.pk, "role": "member", "foreign": "on", "document": ""}
    )
    assert response.status_code == 400
    assert 'href="#id_document"' in _page(response)
    assert "Người nước ngoài phải có giấy tờ" in _text(response)
    assert not activity.members.filter(subject=ha.no_passport).exists()


def test_a_person_already_in_the_delegation_is_refused_and_marked_in_the_search(ha, client):
    activity = _registered(ha)
    login(client, ha.dfa)
    url = reverse("activities:member-add", args=[activity.pk])
    assert "Đã có trong đoàn" in _text(client.get(url, {"q": "ly minh hoa"}))
    passport = IdentityDocument.objects.get(subject=ha.head)
    response = client.post(
        url, {"subject": ha.head.pk, "role": "member", "foreign": "on", "document": passport.pk}
    )
    assert response.status_code == 400
    assert "đã có trong danh sách thành viên" in _text(response)
    assert activity.members.count() == 2


def test_an_opinion_sent_once_the_activity_started_is_recorded_and_marked_late(ha, client):
    activity = _notified(ha)
    ha.clock("15/03/2010")
    login(client, ha.police)
    response = client.post(
        reverse("activities:opinion", args=[activity.pk]),
        _opinion_data(**{"opinion-opinion": "agree", "opinion-sent_on": "15/03/2010"}),
    )
    assert response.status_code == 302, _text(response)[:3000]
    login(client, ha.dfa)
    detail = _text(client.get(reverse("activities:detail", args=[activity.pk])))
    assert "Đồng ý" in detail and "gửi muộn" in detail


def test_an_opinion_with_conditions_needs_them_and_the_form_stays_on_the_page(ha, client):
    activity = _notified(ha)
    login(client, ha.police)
    response = client.post(
        reverse("activities:opinion", args=[activity.pk]),
        _opinion_data(**{"opinion-conditions": ""}),
    )
    assert response.status_code == 400
    page = _page(response)
    assert 'href="#id_opinion-conditions"' in page
    assert "Cần ghi điều kiện khi đồng ý kèm điều kiện." in page
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.VETTING and not activity.opinion


def test_a_member_needing_attention_needs_a_reason_from_the_vetting_officer(ha, client):
    activity = _notified(ha)
    head = ActivityMember.objects.get(activity=activity, subject=ha.head)
    assert head.vetting == VettingResult.CLEARED
    login(client, ha.police)
    response = client.post(
        reverse("activities:member-vetting", args=[head.pk]),
        {f"m{head.pk}-result": "attention", f"m{head.pk}-note": ""},
    )
    assert response.status_code == 400
    assert f'href="#id_m{head.pk}-note"' in _page(response)
    assert "Cần ghi lý do" in _text(response)
    head.refresh_from_db()
    assert head.vetting == VettingResult.CLEARED


def test_measure_rows_name_their_errors(ha, client):
    activity = _notified(ha)
    login(client, ha.police)
    response = client.post(
        reverse("activities:assessment", args=[activity.pk]),
        {
            "risk_level": "",
            "assessment": "Bình thường.",
            "measures-TOTAL_FORMS": "2",
            "measures-INITIAL_FORMS": "0",
            "measures-0-kind": "escort",
            "measures-0-unit": ha.world.unit_a.pk,
            "measures-0-day": "",
            "measures-0-description": "",
            "measures-1-kind": "venue",
            "measures-1-unit": "",
            "measures-1-day": "20/03/2010",
            "measures-1-description": "Kiểm tra nơi lưu trú",
        },
    )
    assert response.status_code == 400
    text = _text(response)
    assert "Biện pháp dòng 2, đơn vị thực hiện: Chọn đơn vị thực hiện." in text
    assert "Biện pháp dòng 2, ngày: Ngày phải trong thời gian của hoạt động" in text
    assert 'href="#id_risk_level"' in _page(response)
    assert not activity.measures.exists()


def test_an_unknown_incident_reference_is_refused_on_its_field(ha, client):
    activity = _notified(ha)
    login(client, ha.dfa)
    # The Police's case exists, but the department is no party to it: "not found" as well.
    for reference in ("HS-2010-999999", ha.case.reference):
        response = client.post(
            reverse("activities:incident-link", args=[activity.pk]), {"link-dossier": reference}
        )
        assert response.status_code == 400
        assert 'href="#id_link-dossier"' in _page(response)
        assert "Không tìm thấy hồ sơ có số này." in _text(response)
    assert not activity.incidents.exists()


def test_incidents_are_opened_and_linked_and_shown_to_who_may_see_them(ha, client):
    activity = _notified(ha)
    login(client, ha.police)
    response = client.post(
        reverse("activities:incident-link", args=[activity.pk]),
        {"link-dossier": ha.case.reference.lower()},
    )
    assert response.status_code == 302, _text(response)[:3000]
    response = client.post(
        reverse("activities:incident-open", args=[activity.pk]),
        {
            "incident-category": ha.world.border.pk,
            "incident-title": "Thành viên đoàn đi lạc vào khu vực cấm",
            "incident-opened_on": "",
            "incident-summary": "",
        },
    )
    assert response.status_code == 302, _text(response)[:3000]
    detail = _text(client.get(reverse("activities:detail", args=[activity.pk])))
    assert ha.case.reference in detail and "đi lạc vào khu vực cấm" in detail
    # The department sees the incident it is party to, not the Police's own case.
    login(client, ha.dfa)
    detail = _text(client.get(reverse("activities:detail", args=[activity.pk])))
    assert "đi lạc vào khu vực cấm" in detail
    assert ha.case.reference not in detail


def test_editing_a_closed_activity_is_refused_and_changes_nothing(ha, client):
    activity = _notified(ha)
    ha.clock("18/03/2010")
    services.activity_close(actor=ha.dfa, activity=activity, report="Hoàn thành.")
    login(client, ha.dfa)
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("activities:edit", args=[activity.pk]),
        {
            "kind": "incoming",
            "title": "Tên khác",
            "purpose": "Khác.",
            "host_unit": "",
            "host_name": "",
            "country": "CN",
            "starts_on": "15/03/2010",
            "ends_on": "17/03/2010",
        },
    )
    assert response.status_code == 400
    assert "không thay đổi được nữa" in _text(response)
    activity.refresh_from_db()
    assert activity.dossier.title == TITLE and AuditEvent.objects.count() == before
    response = client.post(
        reverse("activities:itinerary", args=[activity.pk]), {"lines": "16/03/2010; Vị Xuyên"}
    )
    assert response.status_code == 400 and "không thay đổi được nữa" in _text(response)
    assert not activity.itinerary.exists()


def test_a_cancelled_activity_shows_why_and_offers_no_action(ha, client):
    activity = _registered(ha)
    login(client, ha.dfa)
    response = client.post(reverse("activities:cancel", args=[activity.pk]), {"cancel-reason": ""})
    assert response.status_code == 400 and 'href="#id_cancel-reason"' in _page(response)
    response = client.post(
        reverse("activities:cancel", args=[activity.pk]),
        {"cancel-reason": "Phía bạn thông báo hoãn chuyến thăm."},
    )
    assert response.status_code == 302
    detail = _text(client.get(reverse("activities:detail", args=[activity.pk])))
    assert "Đã hủy" in detail and "hoãn chuyến thăm" in detail
    assert "Thông báo để thẩm tra" not in detail


def test_the_briefing_is_recorded_for_an_outgoing_delegation_only(ha, client):
    outgoing = services.activity_register(
        actor=ha.dfa,
        kind="outgoing",
        title="Đoàn của tỉnh sang châu Văn Sơn",
        purpose="Hội đàm.",
        starts_on=d("20/03/2010"),
        ends_on=d("22/03/2010"),
        country="CN",
    )
    incoming = _registered(ha)
    login(client, ha.dfa)
    assert "Phổ biến bảo vệ bí mật" not in _text(
        client.get(reverse("activities:detail", args=[incoming.pk]))
    )
    url = reverse("activities:briefing", args=[outgoing.pk])
    response = client.post(
        url, {"briefing-on": "25/03/2010", "briefing-by": "", "briefing-note": "Quy định."}
    )
    assert response.status_code == 400
    page = _page(response)
    assert 'href="#id_briefing-by"' in page or 'href="#id_briefing-on"' in page
    response = client.post(
        url,
        {
            "briefing-on": "01/03/2010",
            "briefing-by": "Đ/c Hoàng Văn Nam, PA61",
            "briefing-note": "Không mang tài liệu mật ra nước ngoài.",
        },
    )
    assert response.status_code == 302, _text(response)[:3000]
    detail = _text(client.get(reverse("activities:detail", args=[outgoing.pk])))
    assert "Đ/c Hoàng Văn Nam, PA61" in detail and "01/03/2010" in detail


# --- the policy on every route ----------------------------------------------------------------

ROUTES = [p.name for p in activity_urls.urlpatterns if isinstance(p, URLPattern) and p.name]


GET_PAGES = {"detail", "edit", "itinerary", "member-add", "assessment"}


def _url(name, activity, member) -> str:
    if name in ("list", "create"):
        return reverse(f"activities:{name}")
    if name.startswith("member-") and name != "member-add":
        return reverse(f"activities:{name}", args=[member.pk])
    return reverse(f"activities:{name}", args=[activity.pk])


def test_every_page_route_is_covered_here():
    assert set(ROUTES) == {
        "list",
        "create",
        "detail",
        "edit",
        "itinerary",
        "member-add",
        "notify",
        "vetting-run",
        "assessment",
        "opinion",
        "briefing",
        "incident-link",
        "incident-open",
        "close",
        "cancel",
        "member-remove",
        "member-vetting",
    }


@pytest.mark.parametrize("name", ROUTES)
def test_anonymous_users_go_to_sign_in_on_every_route(ha, client, name):
    activity = _notified(ha)
    member = activity.members.first()
    url = _url(name, activity, member)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, (name, method)
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


@pytest.mark.parametrize("name", [n for n in ROUTES if n not in ("list", "create")])
def test_outsiders_get_404_on_every_route_and_change_nothing(ha, client, name):
    activity = _notified(ha)
    member = activity.members.first()
    url = _url(name, activity, member)
    before = (AuditEvent.objects.count(), ActivityMember.objects.count())
    for user in (ha.outsider, ha.low_b, ha.world.oversight, ha.world.admin):
        login(client, user)
        # A page answers 404; a POST-only action says so to anyone signed in (405).
        expected = 404 if name in GET_PAGES else 405
        assert client.get(url).status_code == expected, (name, user.username)
        response = client.post(url, {})
        # The detail page takes no POST at all.
        expected = 405 if name == "detail" else 404
        assert response.status_code == expected, (name, user.username, response.status_code)
        assert TITLE not in _text(response)
    assert (AuditEvent.objects.count(), ActivityMember.objects.count()) == before


def test_each_side_reaches_only_its_own_pages(ha, client):
    activity = _notified(ha)
    login(client, ha.police)
    for name in ("edit", "itinerary", "member-add"):
        assert client.get(reverse(f"activities:{name}", args=[activity.pk])).status_code == 404
    response = client.post(reverse("activities:cancel", args=[activity.pk]), {"cancel-reason": "x"})
    assert response.status_code == 404
    login(client, ha.dfa)
    assert client.get(reverse("activities:assessment", args=[activity.pk])).status_code == 404
    response = client.post(reverse("activities:opinion", args=[activity.pk]), _opinion_data())
    assert response.status_code == 404
    member = activity.members.first()
    response = client.post(
        reverse("activities:member-vetting", args=[member.pk]),
        {f"m{member.pk}-result": "cleared", f"m{member.pk}-note": ""},
    )
    assert response.status_code == 404
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.VETTING


def test_oversight_and_administrators_reach_no_activity_page(ha, client):
    for user in (ha.world.oversight, ha.world.admin):
        login(client, user)
        assert client.get(reverse("activities:list")).status_code == 404
        assert client.get(reverse("activities:create")).status_code == 404


# --- query budgets ----------------------------------------------------------------------------


def _many(ha, n: int) -> list[Activity]:
    return [
        services.activity_register(
            actor=ha.dfa,
            kind="event",
            title=f"Hội chợ thương mại quốc tế lần {i}",
            purpose="Hội chợ.",
            starts_on=d("10/05/2010"),
            ends_on=d("12/05/2010"),
            host_unit=ha.world.unit_b,
            classification=Classification.MAT,
        )
        for i in range(n)
    ]


def test_the_list_reads_a_fixed_number_of_queries(ha, client, django_assert_max_num_queries):
    _many(ha, 12)
    login(client, ha.dfa)
    with django_assert_max_num_queries(QUERY_BUDGET) as ctx:
        page = _text(client.get(reverse("activities:list")))
    assert "12 hoạt động" in page
    few = len(ctx.captured_queries)
    _many(ha, 12)
    with django_assert_max_num_queries(few):
        page = _text(client.get(reverse("activities:list")))
    assert "24 hoạt động" in page


def test_the_detail_page_reads_a_bounded_number_of_queries(
    ha, client, django_assert_max_num_queries
):
    activity = _notified(ha)
    login(client, ha.police)
    with django_assert_max_num_queries(QUERY_BUDGET + 25) as ctx:
        client.get(reverse("activities:detail", args=[activity.pk]))
    few = len(ctx.captured_queries)
    for i in range(5):
        subject = subject_services.subject_create(
            actor=SYSTEM,
            owner_agency=ha.world.b,
            full_name=f"Thành viên số {i}",
            nationality="CN",
            documents=[{"kind": DocumentKind.PASSPORT, "number": f"E0000{i}", "country": "CN"}],
        )
        services.member_add(
            actor=ha.dfa,
            activity=activity,
            subject=subject,
            role="member",
            document=IdentityDocument.objects.get(subject=subject),
        )
    with django_assert_max_num_queries(few):
        client.get(reverse("activities:detail", args=[activity.pk]))
