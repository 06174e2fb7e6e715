"""The verification exchange: a request in its dispatch, with the data sent, answered or closed.

The world's verification clause gives B 7 working days to answer; the foreign
counterpart F has no deadline in the clause, so a request to it states one.
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps as global_apps
from django.urls import reverse
from django.utils import timezone

from phoihop.accounts.choices import Role
from phoihop.audit.models import AuditEvent
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM, NotFound
from phoihop.dossiers.choices import MessageDirection, TimelineKind
from phoihop.dossiers.models import Message
from phoihop.dossiers.services import message_add
from phoihop.reviews.statistics import compute_statistics
from phoihop.subjects import services
from phoihop.subjects.choices import (
    DocumentKind,
    SubjectRole,
    VerificationOutcome,
    VerificationState,
)
from phoihop.subjects.models import Verification
from tests.factories import AgencyFactory, UserFactory, open_dossier
from tests.web_fixtures import login

CONFIRMED = VerificationOutcome.IDENTITY_CONFIRMED
FOUND = VerificationOutcome.RECORD_FOUND
NO_RECORD = VerificationOutcome.NO_RECORD
NOT_ANSWERED = VerificationOutcome.NOT_ANSWERED


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def outsider(world):
    """An officer of a third domestic agency, party to nothing here."""
    c = AgencyFactory(code="bdbp", name="Bộ đội Biên phòng tỉnh Hà Giang", short_name="BĐBP")
    return UserFactory(
        username="c.canbo", agency=c, role=Role.OFFICER, clearance=Classification.TUYET_MAT
    )


def make_dossier(world, opened_on):
    return open_dossier(
        world.verification,
        world.a,
        supporting=[world.b],
        counterpart=world.f,
        opened_on=opened_on,
        title="Trao đổi, xác minh đối tượng với Công an châu Văn Sơn",
    )


def make_person(dossier, name="Vương Tiểu Minh", **fields):
    return services.subject_create_in_dossier(
        actor=SYSTEM,
        dossier=dossier,
        role=SubjectRole.UNDER_VERIFICATION,
        owner_agency=dossier.lead_agency,
        full_name=name,
        **fields,
    )


@pytest.fixture
def dossier(world):
    return make_dossier(world, dt.date(2010, 2, 1))


@pytest.fixture
def person(dossier):
    return make_person(
        dossier,
        native_name="王小明",
        sex="M",
        birth_year=1985,
        nationality="CN",
        address="Ma Lật Pha, Văn Sơn, Vân Nam",
        documents=[{"kind": DocumentKind.PASSPORT, "number": "E12345678", "country": "CN"}],
    )


def ask(world, dossier, person, **overrides):
    kwargs = {
        "actor": world.officer_a,
        "dossier": dossier,
        "subject": person,
        "requested_of": world.b,
        "question": "Đề nghị xác minh nhân thân, nơi cư trú.",
        "requested_on": dt.date(2010, 2, 10),
        "new_message": {"number_symbol": "21/CAT-PX13", "summary": "Đề nghị xác minh"},
        "fields": ["full_name", "native_name", "birth", "documents"],
    }
    kwargs.update(overrides)
    return services.verification_request(**kwargs)


def counts():
    return (
        Verification.objects.count(),
        Message.objects.count(),
        AuditEvent.objects.count(),
        tuple(Verification.objects.order_by("pk").values_list("state", "outcome", "answered_on")),
    )


# --- through the services ---------------------------------------------------------------------


def test_a_request_travels_in_its_dispatch_with_the_data_sent_kept_as_sent(world, dossier, person):
    verification = ask(world, dossier, person)
    assert verification.state == VerificationState.SENT
    assert verification.requested_by == world.a
    message = verification.message
    assert (message.number_symbol, message.direction, message.sender, message.recipient) == (
        "21/CAT-PX13",
        MessageDirection.OUTGOING,
        world.a,
        world.b,
    )
    assert message.sent_on == dt.date(2010, 2, 10) and message.dossier == dossier
    # only the fields chosen, in the form's order, as text
    assert verification.data_sent == [
        {"field": "full_name", "label": "Họ và tên", "value": "Vương Tiểu Minh"},
        {"field": "native_name", "label": "Tên theo chữ gốc", "value": "王小明"},
        {"field": "birth", "label": "Ngày, tháng, năm sinh", "value": "1985"},
        {"field": "documents", "label": "Giấy tờ tùy thân", "value": "Hộ chiếu E12345678 (CN)"},
    ]
    services.subject_update(actor=SYSTEM, subject=person, birth_year=1986)
    verification.refresh_from_db()
    assert verification.data_sent[2]["value"] == "1985"  # what left, not what is now


def test_the_due_date_counts_working_days_across_tet(world, dossier, person):
    # Wednesday 10/02/2010 + 7 working days: 11, 12, then Tết (13–21/02) is skipped,
    # then 22, 23, 24, 25, 26 → Friday 26/02/2010.
    assert ask(world, dossier, person).due_on == dt.date(2010, 2, 26)


def test_the_due_date_skips_a_weekend_and_the_30_april_holidays(world, dossier, person):
    # Thursday 29/04/2010 + 7: 30/04 holiday, weekend, Monday 03/05 in lieu of 01/05,
    # then 04, 05, 06, 07, 10, 11, 12 → 12/05/2010.
    verification = ask(world, dossier, person, requested_on=dt.date(2010, 4, 29))
    assert verification.due_on == dt.date(2010, 5, 12)


def test_the_agency_asked_records_the_answer_with_its_dispatch(world, dossier, person):
    verification = ask(world, dossier, person)
    reply = message_add(
        actor=world.officer_b,
        dossier=dossier,
        direction=MessageDirection.INCOMING,
        number_symbol="45/SNgV-LS",
        sent_on=dt.date(2010, 2, 24),
        sender=world.b,
        recipient=world.a,
        summary="Trả lời đề nghị xác minh",
    )
    services.verification_answer(
        actor=world.officer_b,
        verification=verification,
        outcome=FOUND,
        answer="Có hồ sơ xuất nhập cảnh qua cửa khẩu Thanh Thủy năm 2009.",
        answered_on=dt.date(2010, 2, 24),
        answer_message=reply,
    )
    verification.refresh_from_db()
    assert verification.state == VerificationState.ANSWERED
    assert verification.outcome == FOUND
    assert verification.answer_message == reply
    assert verification.closed_on == verification.answered_on == dt.date(2010, 2, 24)
    event = AuditEvent.objects.get(action="verification.answer")
    assert event.changes["state"] == ["sent", "answered"]
    texts = list(
        dossier.timeline.filter(kind=TimelineKind.VERIFICATION).values_list("text", flat=True)
    )
    assert any("Có hồ sơ, thông tin về người này" in t for t in texts)
    assert any("21/CAT-PX13" in t for t in texts)


def test_the_requester_records_the_foreign_sides_answer_and_the_asked_agency_does_not(
    world, dossier, person
):
    verification = ask(world, dossier, person, requested_of=world.f, response_days=15)
    with pytest.raises(ServiceError) as excinfo:
        services.verification_answer(
            actor=world.officer_b,
            verification=verification,
            outcome=CONFIRMED,
            answer="Đúng nhân thân",
            answered_on=dt.date(2010, 2, 25),
        )
    assert "answer" in excinfo.value.message_dict
    services.verification_answer(
        actor=world.officer_a,
        verification=verification,
        outcome=CONFIRMED,
        answer="Đúng nhân thân",
        answered_on=dt.date(2010, 2, 25),
    )
    verification.refresh_from_db()
    assert verification.outcome == CONFIRMED


def test_an_overdue_request_is_closed_as_not_answered_by_the_requester_only(world, dossier, person):
    verification = ask(world, dossier, person, requested_of=world.f, response_days=3)
    assert verification.due_on == dt.date(2010, 2, 22)  # 11, 12, (Tết 13–21), 22
    with pytest.raises(ServiceError) as excinfo:
        services.verification_close_unanswered(
            actor=world.officer_a, verification=verification, closed_on=dt.date(2010, 2, 22)
        )
    assert "closed_on" in excinfo.value.message_dict
    assert "22/02/2010" in excinfo.value.message_dict["closed_on"][0]
    with pytest.raises(ServiceError) as excinfo:
        services.verification_close_unanswered(
            actor=world.officer_b, verification=verification, closed_on=dt.date(2010, 3, 1)
        )
    assert "closed_on" in excinfo.value.message_dict
    services.verification_close_unanswered(
        actor=world.officer_a, verification=verification, closed_on=dt.date(2010, 3, 1)
    )
    verification.refresh_from_db()
    assert (verification.state, verification.outcome) == (VerificationState.CLOSED, NOT_ANSWERED)
    assert verification.closed_on == dt.date(2010, 3, 1) and verification.answered_on is None
    assert AuditEvent.objects.filter(action="verification.close").count() == 1
    # a closed request takes no late answer: a new request does
    with pytest.raises(ServiceError) as excinfo:
        services.verification_answer(
            actor=world.officer_a,
            verification=verification,
            outcome=CONFIRMED,
            answer="Trả lời muộn",
            answered_on=dt.date(2010, 3, 2),
        )
    assert "answer" in excinfo.value.message_dict


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (lambda w, d: {"new_message": None}, "message"),
        (lambda w, d: {"fields": []}, "fields"),
        (lambda w, d: {"fields": ["full_name", "religion"]}, "fields"),
        (lambda w, d: {"fields": ["aliases"]}, "fields"),  # chosen but empty: nothing to send
        (lambda w, d: {"requested_of": w.a}, "requested_of"),
        (lambda w, d: {"requested_of": AgencyFactory(code="cqk")}, "requested_of"),
        (lambda w, d: {"requested_of": w.f}, "response_days"),
        (lambda w, d: {"response_days": 0}, "response_days"),
        (lambda w, d: {"requested_on": today() + dt.timedelta(days=1)}, "requested_on"),
        (lambda w, d: {"new_message": {"number_symbol": " "}}, "message_number_symbol"),
        (lambda w, d: {"new_message": None, "message": d.other_message}, "message"),
        (lambda w, d: {"new_message": None, "message": d.wrong_way}, "message"),
    ],
    ids=[
        "no-dispatch",
        "no-fields",
        "unknown-field",
        "only-empty-fields",
        "own-agency",
        "agency-not-in-dossier",
        "abroad-without-deadline",
        "zero-days",
        "in-the-future",
        "dispatch-without-number",
        "dispatch-of-another-dossier",
        "dispatch-to-someone-else",
    ],
)
def test_a_bad_request_names_the_field_and_saves_nothing(world, dossier, person, overrides, field):
    other = make_dossier(world, dt.date(2010, 2, 1))
    dossier.other_message = message_add(
        actor=SYSTEM,
        dossier=other,
        direction=MessageDirection.OUTGOING,
        number_symbol="1/CAT-PX13",
        sent_on=dt.date(2010, 2, 2),
        sender=world.a,
        recipient=world.b,
        summary="Công văn của hồ sơ khác",
    )
    dossier.wrong_way = message_add(
        actor=SYSTEM,
        dossier=dossier,
        direction=MessageDirection.OUTGOING,
        number_symbol="2/CAT-PX13",
        sent_on=dt.date(2010, 2, 2),
        sender=world.a,
        recipient=world.f,
        summary="Công văn gửi phía bạn",
    )
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        ask(world, dossier, person, **overrides(world, dossier))
    assert field in excinfo.value.message_dict
    assert counts() == before


def test_a_request_in_an_existing_dispatch_dates_from_it(world, dossier, person):
    letter = message_add(
        actor=world.officer_a,
        dossier=dossier,
        direction=MessageDirection.OUTGOING,
        number_symbol="30/CAT-PX13",
        sent_on=dt.date(2010, 3, 1),
        sender=world.a,
        recipient=world.f,
        summary="Đề nghị phía bạn xác minh",
    )
    verification = ask(
        world,
        dossier,
        person,
        requested_of=world.f,
        response_days=15,
        new_message=None,
        message=letter,
        requested_on=None,
    )
    assert verification.message == letter and verification.requested_on == dt.date(2010, 3, 1)


@pytest.mark.parametrize(
    ("outcome", "answered_on", "field"),
    [
        (CONFIRMED, dt.date(2010, 2, 9), "answered_on"),  # the day before the request
        ("maybe", dt.date(2010, 2, 24), "outcome"),
        (NOT_ANSWERED, dt.date(2010, 2, 24), "outcome"),  # closing, not an answer
        ("", dt.date(2010, 2, 24), "outcome"),
    ],
    ids=["before-request", "unknown-outcome", "not-answered-is-no-answer", "empty-outcome"],
)
def test_a_bad_answer_names_the_field_and_saves_nothing(
    world, dossier, person, outcome, answered_on, field
):
    verification = ask(world, dossier, person)
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        services.verification_answer(
            actor=world.officer_b,
            verification=verification,
            outcome=outcome,
            answer="Trả lời",
            answered_on=answered_on,
        )
    assert field in excinfo.value.message_dict
    assert counts() == before


def test_answering_twice_is_refused_naming_the_first_answer(world, dossier, person):
    verification = ask(world, dossier, person)
    services.verification_answer(
        actor=world.officer_b,
        verification=verification,
        outcome=NO_RECORD,
        answer="Không có dữ liệu",
        answered_on=dt.date(2010, 2, 22),
    )
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        services.verification_answer(
            actor=world.officer_b,
            verification=verification,
            outcome=CONFIRMED,
            answer="Đúng nhân thân",
            answered_on=dt.date(2010, 2, 23),
        )
    assert "22/02/2010" in excinfo.value.message_dict["answer"][0]
    assert counts() == before


# --- the access policy ------------------------------------------------------------------------


def test_another_agency_can_neither_request_nor_answer_nor_see(
    world, dossier, person, outsider, client
):
    with pytest.raises(NotFound):
        ask(world, dossier, person, actor=outsider)
    verification = ask(world, dossier, person)
    with pytest.raises(NotFound):
        services.verification_answer(
            actor=outsider,
            verification=verification,
            outcome=CONFIRMED,
            answer="…",
            answered_on=dt.date(2010, 2, 22),
        )
    with pytest.raises(NotFound):
        services.verification_close_unanswered(actor=outsider, verification=verification)
    login(client, outsider)
    for url in (
        reverse("subjects:verification-detail", args=[verification.pk]),
        reverse("subjects:verification-create", args=[dossier.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert person.full_name not in response.content.decode()
    listing = client.get(reverse("subjects:verification-list")).content.decode()
    assert person.full_name not in listing and "0 yêu cầu" in listing
    answer = client.post(
        reverse("subjects:verification-answer", args=[verification.pk]),
        {"outcome": CONFIRMED, "answer": "…", "answered_on": "22/02/2010"},
    )
    assert answer.status_code == 404
    verification.refresh_from_db()
    assert verification.state == VerificationState.SENT


# --- pages ------------------------------------------------------------------------------------


def test_the_full_exchange_through_the_pages(world, dossier, person, client):
    login(client, world.officer_a)
    page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    create_url = reverse("subjects:verification-create", args=[dossier.pk])
    assert create_url in page
    form = client.get(create_url).content.decode()
    assert (
        "Vương Tiểu Minh" in form and "Sở Ngoại vụ" in form and "Cục Công an châu Văn Sơn" in form
    )
    data = {
        "subject": person.pk,
        "requested_of": world.b.pk,
        "question": "Đề nghị xác minh nhân thân, nơi cư trú.",
        "fields": ["full_name", "native_name", "documents"],
        "message": "",
        "message_number_symbol": "33/CAT-PX13",
        "message_summary": "",
        "requested_on": "10/02/2010",
        "response_days": "",
    }
    preview = client.post(create_url, {**data, "preview": "1"})
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "Xem trước thông tin sẽ gửi" in body
    assert "王小明" in body and "Hộ chiếu E12345678 (CN)" in body
    assert "26/02/2010" in body  # the due date, past Tết
    assert not Verification.objects.exists() and not Message.objects.exists()

    response = client.post(create_url, data)
    verification = Verification.objects.get()
    assert response.status_code == 302 and response["Location"] == dossier.get_absolute_url()
    assert verification.get_absolute_url() in client.get(response["Location"]).content.decode()
    detail = client.get(verification.get_absolute_url()).content.decode()
    assert "33/CAT-PX13" in detail and "Đã gửi, chờ trả lời" in detail
    assert "Hộ chiếu E12345678 (CN)" not in detail  # personal data: a purpose first
    client.post(
        reverse("subjects:detail", args=[verification.subject_id]),
        {"purpose": "verification", "note": ""},
    )
    detail = client.get(verification.get_absolute_url()).content.decode()
    assert "Hộ chiếu E12345678 (CN)" in detail
    assert "Ghi trả lời" not in detail  # B answers, not A

    login(client, world.officer_b)
    detail = client.get(verification.get_absolute_url()).content.decode()
    assert "Ghi trả lời" in detail
    answer_url = reverse("subjects:verification-answer", args=[verification.pk])
    bad = client.post(
        answer_url, {"outcome": CONFIRMED, "answer": "Đúng", "answered_on": "09/02/2010"}
    )
    assert bad.status_code == 400
    assert "Ngày trả lời không được trước ngày đề nghị (10/02/2010)." in bad.content.decode()
    good = client.post(
        answer_url,
        {"outcome": CONFIRMED, "answer": "Đúng nhân thân", "answered_on": "22/02/2010"},
    )
    assert good.status_code == 302
    detail = client.get(verification.get_absolute_url()).content.decode()
    assert "Xác nhận đúng nhân thân" in detail and "22/02/2010" in detail
    dossier_page = client.get(reverse("dossiers:detail", args=[dossier.pk])).content.decode()
    assert "Xác nhận đúng nhân thân" in dossier_page


def test_a_request_form_with_errors_names_the_fields(world, dossier, person, client):
    login(client, world.officer_a)
    response = client.post(
        reverse("subjects:verification-create", args=[dossier.pk]),
        {
            "subject": person.pk,
            "requested_of": world.f.pk,
            "question": "Xác minh",
            "fields": ["full_name"],
            "requested_on": "10/02/2010",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Chọn công văn mang đề nghị hoặc ghi công văn mới." in body
    assert "nhập số ngày làm việc đề nghị phía bạn trả lời" in body
    assert not Verification.objects.exists()


def test_closing_an_overdue_request_on_its_page(world, dossier, person, client):
    verification = ask(world, dossier, person, requested_of=world.f, response_days=3)
    login(client, world.officer_a)
    detail = client.get(verification.get_absolute_url()).content.decode()
    assert "Quá hạn" in detail and "Đóng yêu cầu" in detail
    response = client.post(reverse("subjects:verification-close", args=[verification.pk]), {})
    assert response.status_code == 302
    detail = client.get(verification.get_absolute_url()).content.decode()
    assert "Không được trả lời đúng hạn" in detail and "Đã đóng, không được trả lời" in detail


@pytest.fixture
def listed(world):
    """Requests of today's work: A→B overdue, A→F overdue, A→B answered, B→A due soon."""
    t = today()
    dossier = make_dossier(world, t - dt.timedelta(days=60))
    names = ["Lò Văn Páo", "Giàng Seo Sử", "Hoàng Thị Mai", "Sùng Mí Chứ"]
    people = {n: make_person(dossier, n) for n in names}
    month_ago = t - dt.timedelta(days=30)
    common = {"new_message": {"number_symbol": "9/CAT-PX13"}, "fields": ["full_name"]}
    overdue_b = ask(world, dossier, people[names[0]], requested_on=month_ago, **common)
    overdue_f = ask(
        world,
        dossier,
        people[names[1]],
        requested_of=world.f,
        response_days=5,
        requested_on=month_ago,
        **common,
    )
    answered = ask(world, dossier, people[names[2]], requested_on=month_ago, **common)
    services.verification_answer(
        actor=world.officer_b, verification=answered, outcome=CONFIRMED, answer="Đúng"
    )
    soon_a = ask(
        world,
        dossier,
        people[names[3]],
        actor=world.officer_b,
        requested_of=world.a,
        response_days=2,
        requested_on=t,
        new_message={"number_symbol": "5/SNgV-LS"},
        fields=["full_name"],
    )
    return dict(zip(names, (overdue_b, overdue_f, answered, soon_a), strict=True))


def _section(page: str, heading: str) -> str:
    start = page.index(heading)
    end = page.find("<h3", start + 1)
    return page[start : end if end != -1 else page.index("</section>", start)]


def test_overdue_requests_show_on_the_dashboard_of_whoever_must_act(
    world, listed, outsider, client
):
    login(client, world.officer_b)
    page = client.get(reverse("core:dashboard")).content.decode()
    to_answer = _section(page, "Cơ quan bạn phải trả lời")
    assert "Lò Văn Páo" in to_answer and "(1 quá hạn)" in to_answer
    assert "Giàng Seo Sử" not in page  # A's request abroad is A's to chase
    assert "Hoàng Thị Mai" not in page  # answered
    assert "Sùng Mí Chứ" not in page  # B's own request to A

    login(client, world.officer_a)
    page = client.get(reverse("core:dashboard")).content.decode()
    to_chase = _section(page, "Đối tác nước ngoài chưa trả lời")
    assert "Giàng Seo Sử" in to_chase and "Lò Văn Páo" not in to_chase
    to_answer = _section(page, "Cơ quan bạn phải trả lời")
    assert "Sùng Mí Chứ" in to_answer  # due soon, for A to answer
    assert "Lò Văn Páo" not in to_answer

    login(client, outsider)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert not any(name in page for name in listed)
    assert "Yêu cầu xác minh cần xử lý" not in page


def test_the_dashboard_reads_requests_in_a_bounded_number_of_queries(
    world, listed, client, django_assert_max_num_queries
):
    login(client, world.officer_b)
    client.get(reverse("core:dashboard"))  # warm the session and caches
    dossier = Verification.objects.first().dossier
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("core:dashboard"))
    for i in range(10):
        person = make_person(dossier, f"Người thứ {i}")
        ask(
            world,
            dossier,
            person,
            requested_on=today() - dt.timedelta(days=30),
            new_message={"number_symbol": f"{i}/CAT"},
            fields=["full_name"],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("core:dashboard")).content.decode()
    assert "(11 quá hạn)" in page


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("", {"Lò Văn Páo", "Giàng Seo Sử", "Hoàng Thị Mai", "Sùng Mí Chứ"}),
        ("state=sent", {"Lò Văn Páo", "Giàng Seo Sử", "Sùng Mí Chứ"}),
        ("state=answered", {"Hoàng Thị Mai"}),
        ("overdue=on", {"Lò Văn Páo", "Giàng Seo Sử"}),
        ("direction=to_me", {"Sùng Mí Chứ"}),
        ("direction=from_me&overdue=on", {"Lò Văn Páo", "Giàng Seo Sử"}),
    ],
)
def test_the_list_filters_by_state_overdue_and_direction(world, listed, client, query, shown):
    login(client, world.officer_a)
    page = client.get(f"{reverse('subjects:verification-list')}?{query}").content.decode()
    assert {name for name in listed if name in page} == shown
    assert f"{len(shown)} yêu cầu" in page


# --- review statistics and old data -----------------------------------------------------------


def test_statistics_count_persons_confirmed_or_found_and_unanswered_as_late(world, dossier):
    people = [make_person(dossier, n) for n in ("Người A", "Người B", "Người C", "Người D")]
    outcomes = [CONFIRMED, FOUND, NO_RECORD, None]
    for subject, outcome in zip(people, outcomes, strict=True):
        v = ask(world, dossier, subject, fields=["full_name"])  # due 26/02/2010
        if outcome is None:
            services.verification_close_unanswered(
                actor=world.officer_a, verification=v, closed_on=dt.date(2010, 3, 1)
            )
        else:
            services.verification_answer(
                actor=world.officer_b,
                verification=v,
                outcome=outcome,
                answer="Trả lời",
                answered_on=dt.date(2010, 2, 22),
            )
    stats = compute_statistics(
        actor=SYSTEM,
        date_from=dt.date(2010, 1, 1),
        date_to=dt.date(2010, 12, 31),
        regulation=world.regulation,
    )
    assert stats["subjects_verified"] == 2
    assert stats["verifications_answered"] == 3
    assert stats["verifications_clarified"] == 2
    t = stats["timeliness"]
    assert (t["verifications_due"], t["verifications_on_time"], t["verifications_late"]) == (
        4,
        3,
        1,
    )


def test_the_migration_keeps_the_meaning_of_old_outcomes(world, dossier):
    migration = importlib.import_module("phoihop.subjects.migrations.0008_verification_exchange")
    suspect = services.subject_create_in_dossier(
        actor=SYSTEM,
        dossier=dossier,
        role=SubjectRole.SUSPECT,
        owner_agency=world.a,
        full_name="Đối tượng nghi vấn",
    )
    people = [suspect] + [
        make_person(dossier, n) for n in ("Người A", "Người B", "Người C", "Người D")
    ]
    old = [
        ("clarified", "Có tiền án", dt.date(2010, 3, 1)),
        ("clarified", "Đúng nhân thân", dt.date(2010, 3, 1)),
        ("unresolved", "Không có dữ liệu", dt.date(2010, 3, 2)),
        ("unresolved", "", dt.date(2010, 3, 3)),
        ("pending", "", None),
    ]
    rows = []
    for subject, (outcome, answer, on) in zip(people, old, strict=True):
        v = ask(world, dossier, subject, actor=SYSTEM, requested_by=world.a, new_message=None)
        Verification.objects.filter(pk=v.pk).update(outcome=outcome, answer=answer, answered_on=on)
        rows.append(v.pk)
    migration.forwards(global_apps, None)
    got = [
        Verification.objects.values_list("state", "outcome", "answered_on", "closed_on").get(pk=pk)
        for pk in rows
    ]
    march = dt.date(2010, 3, 1)
    assert got == [
        ("answered", "record_found", march, march),
        ("answered", "confirmed", march, march),
        ("answered", "no_record", dt.date(2010, 3, 2), dt.date(2010, 3, 2)),
        ("closed", "not_answered", None, dt.date(2010, 3, 3)),
        ("sent", "", None, None),
    ]


def test_the_data_sent_is_shown_only_after_a_declared_purpose_and_logged(
    client, world, dossier, person
):
    """The fields sent are a person's data: hidden until the reader says why, then logged."""
    from phoihop.subjects.models import SubjectAccess

    verification = ask(world, dossier, person)
    login(client, world.officer_a)
    url = reverse("subjects:verification-detail", args=[verification.pk])
    page = client.get(url).content.decode()
    first_value = verification.data_sent[0]["value"]
    assert "khai báo mục đích" in page
    assert f"<td>{first_value}</td>" not in page
    assert not SubjectAccess.objects.filter(subject=person, user=world.officer_a).exists()
    client.post(
        reverse("subjects:detail", args=[person.pk]), {"purpose": "verification", "note": ""}
    )
    page = client.get(url).content.decode()
    assert f"<td>{first_value}</td>" in page
    assert SubjectAccess.objects.filter(subject=person, user=world.officer_a).count() == 1
