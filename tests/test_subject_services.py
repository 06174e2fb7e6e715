"""Registering persons, placing them in dossiers, and verification requests and answers."""

import datetime as dt

import pytest

from phoihop.audit.models import AuditEvent
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM, NotFound
from phoihop.core.workdays import add_working_days
from phoihop.dossiers.choices import TimelineKind
from phoihop.subjects import services
from phoihop.subjects.choices import (
    DocumentKind,
    Sex,
    SubjectRole,
    VerificationOutcome,
    VerificationState,
)
from phoihop.subjects.models import DossierSubject, IdentityDocument, Subject, Verification
from tests.conftest import VERIFICATION_DAYS
from tests.factories import open_dossier


def counts():
    return {
        m.__name__: m.objects.count()
        for m in (Subject, IdentityDocument, DossierSubject, Verification, AuditEvent)
    }


@pytest.fixture
def dossier(world):
    """A verification dossier led by A, supported by B, with the foreign counterpart."""
    return open_dossier(
        world.verification,
        world.a,
        supporting=[world.b],
        counterpart=world.f,
        opened_on=dt.date(2010, 3, 1),
    )


@pytest.fixture
def person(world):
    return services.subject_create(
        actor=world.officer_a, native_name="王小明", sex=Sex.MALE, nationality="CN", birth_year=1975
    )


# --- subject_create -------------------------------------------------------------------------


def test_han_viet_and_pinyin_are_derived_from_han_characters(world, person):
    assert person.full_name == "Vương Tiểu Minh"
    assert person.han_viet == "Vương Tiểu Minh"
    assert person.pinyin == "Wang Xiaoming"
    assert person.native_name == "王小明"
    assert person.owner_agency == world.a
    for key in ("vuong tieu minh", "wang xiaoming", "王小明"):
        assert key in person.search_text
    audit = AuditEvent.objects.get(action="subject.create")
    assert audit.actor == world.officer_a and audit.object_id == str(person.pk)


def test_surname_with_a_special_reading_is_overridden(world):
    person = services.subject_create(actor=world.officer_a, native_name="单小明")
    assert person.han_viet == "Thiện Tiểu Minh"  # not the common reading "Đơn"
    assert person.pinyin == "Shan Xiaoming"
    assert person.full_name == "Thiện Tiểu Minh"


def test_entered_readings_and_name_are_kept(world):
    person = services.subject_create(
        actor=world.officer_a,
        full_name="Vương Minh",
        native_name="王小明",
        han_viet="Vương Tiểu Minh (đã kiểm)",
        pinyin="WANG Xiao Ming",
    )
    assert person.full_name == "Vương Minh"
    assert person.han_viet == "Vương Tiểu Minh (đã kiểm)"
    assert person.pinyin == "WANG Xiao Ming"


def test_latin_name_becomes_the_name_when_no_other_is_given(world):
    person = services.subject_create(actor=world.officer_a, latin_name="LI MEI")
    assert person.full_name == "LI MEI"
    assert person.han_viet == "" and person.pinyin == ""


def test_a_name_is_required(world):
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        services.subject_create(actor=world.officer_a, full_name="  ", sex=Sex.FEMALE)
    assert "full_name" in excinfo.value.message_dict
    assert counts() == before


@pytest.mark.parametrize(
    ("birth", "shown"),
    [
        ({"birth_year": 1975}, "1975"),
        ({"birth_year": 1975, "birth_month": 3}, "03/1975"),
        ({"birth_year": 1984, "birth_month": 2, "birth_day": 29}, "29/02/1984"),
    ],
)
def test_partial_birth_dates_are_accepted(world, birth, shown):
    person = services.subject_create(actor=world.officer_a, full_name="Giàng Seo Sử", **birth)
    assert person.birth_display == shown


@pytest.mark.parametrize(
    ("birth", "field"),
    [
        ({"birth_month": 3}, "birth_month"),
        ({"birth_year": 1975, "birth_month": 13}, "birth_month"),
        ({"birth_year": 1980, "birth_month": 2, "birth_day": 31}, "birth_day"),
        ({"birth_year": 1983, "birth_month": 2, "birth_day": 29}, "birth_day"),
        ({"birth_year": 1980, "birth_day": 12}, "birth_day"),
        ({"birth_year": 1899}, "birth_year"),
    ],
    ids=[
        "month-without-year",
        "month-13",
        "31-02",
        "29-02-non-leap",
        "day-without-month",
        "year-1899",
    ],
)
def test_invalid_partial_birth_dates_are_refused(world, birth, field):
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        services.subject_create(actor=world.officer_a, full_name="Giàng Seo Sử", **birth)
    assert field in excinfo.value.message_dict
    assert counts() == before


def test_nationality_is_an_upper_case_iso_code(world):
    person = services.subject_create(
        actor=world.officer_a, full_name="Lục Văn Tài", nationality="cn"
    )
    assert person.nationality == "CN"
    with pytest.raises(ServiceError) as excinfo:
        services.subject_create(actor=world.officer_a, full_name="Lục Văn Tài", nationality="CHN")
    assert "nationality" in excinfo.value.message_dict


def test_document_numbers_are_normalised_and_searchable(world):
    person = services.subject_create(
        actor=world.officer_a,
        full_name="Vương Tiểu Minh",
        documents=[{"kind": DocumentKind.PASSPORT, "number": " e 1234 5678 ", "country": "cn"}],
    )
    document = person.documents.get()
    assert (document.number, document.country) == ("E12345678", "CN")
    assert "e12345678" in person.search_text


def test_document_of_unknown_kind_is_refused(world):
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        services.subject_create(
            actor=world.officer_a,
            full_name="Vương Tiểu Minh",
            documents=[{"kind": "bang-lai", "number": "123"}],
        )
    assert "documents" in excinfo.value.message_dict
    assert counts() == before


def test_owner_agency_must_be_the_actors_own(world):
    with pytest.raises(ServiceError) as excinfo:
        services.subject_create(
            actor=world.officer_a, owner_agency=world.b, full_name="Sùng Mí Páo"
        )
    assert "owner_agency" in excinfo.value.message_dict
    with pytest.raises(ServiceError) as excinfo:
        services.subject_create(actor=SYSTEM, full_name="Sùng Mí Páo")
    assert "owner_agency" in excinfo.value.message_dict


@pytest.mark.parametrize("who", ["oversight", "admin"])
def test_roles_without_casework_cannot_register_persons(world, who):
    with pytest.raises(NotFound):
        services.subject_create(actor=getattr(world, who), full_name="Sùng Mí Páo")


# --- subject_update -----------------------------------------------------------------------------


def test_update_changes_fields_and_audits_the_difference(world, person):
    services.subject_update(actor=world.officer_a, subject=person, address="xã Thanh Thủy")
    person.refresh_from_db()
    assert person.address == "xã Thanh Thủy"
    audit = AuditEvent.objects.get(action="subject.update")
    assert audit.changes == {"address": ["", "xã Thanh Thủy"]}


def test_update_by_a_user_who_cannot_see_the_person_is_not_found(world, person):
    with pytest.raises(NotFound):
        services.subject_update(actor=world.officer_b, subject=person, address="Hà Giang")


def test_update_adds_a_birth_day_to_a_known_year_and_month(world):
    person = services.subject_create(
        actor=world.officer_a, full_name="Lý Thị Mai", birth_year=1980, birth_month=2
    )
    services.subject_update(actor=world.officer_a, subject=person, birth_day=15)
    person.refresh_from_db()
    assert person.birth_display == "15/02/1980"


def test_update_refuses_to_leave_a_birth_month_without_a_year(world):
    person = services.subject_create(
        actor=world.officer_a, full_name="Lý Thị Mai", birth_year=1980, birth_month=2
    )
    with pytest.raises(ServiceError):
        services.subject_update(actor=world.officer_a, subject=person, birth_year=None)
    person.refresh_from_db()
    assert (person.birth_year, person.birth_month) == (1980, 2)


# --- subject_link -------------------------------------------------------------------------------


def test_link_places_a_person_in_the_dossier(world, dossier, person):
    link = services.subject_link(
        actor=world.officer_a, dossier=dossier, subject=person, role=SubjectRole.UNDER_VERIFICATION
    )
    assert (link.dossier, link.subject, link.role) == (
        dossier,
        person,
        SubjectRole.UNDER_VERIFICATION,
    )
    event = dossier.timeline.get(kind=TimelineKind.SUBJECT)
    assert "Vương Tiểu Minh" in event.text
    assert AuditEvent.objects.filter(action="subject.link", object_id=str(link.pk)).exists()


def test_linking_twice_returns_the_same_link_and_records_once(world, dossier, person):
    first = services.subject_link(
        actor=world.officer_a, dossier=dossier, subject=person, role=SubjectRole.SUSPECT
    )
    before = counts()
    again = services.subject_link(
        actor=world.officer_b, dossier=dossier, subject=person, role=SubjectRole.SUSPECT
    )
    assert again.pk == first.pk
    assert counts() == before
    assert dossier.timeline.filter(kind=TimelineKind.SUBJECT).count() == 1


def test_link_refuses_a_person_the_actor_cannot_see(world, dossier, person):
    # B sees the dossier but not A's unlinked person record.
    before = counts()
    with pytest.raises(NotFound):
        services.subject_link(
            actor=world.officer_b, dossier=dossier, subject=person, role=SubjectRole.SUSPECT
        )
    assert counts() == before
    assert not DossierSubject.objects.filter(subject=person).exists()


def test_link_refuses_a_dossier_the_actor_cannot_change(world, person):
    above = open_dossier(world.joint, world.a, classification=Classification.TOI_MAT)
    with pytest.raises(NotFound):
        services.subject_link(
            actor=world.officer_a, dossier=above, subject=person, role=SubjectRole.SUSPECT
        )


def test_link_refuses_an_unknown_role(world, dossier, person):
    with pytest.raises(ServiceError) as excinfo:
        services.subject_link(
            actor=world.officer_a, dossier=dossier, subject=person, role="accomplice"
        )
    assert "role" in excinfo.value.message_dict


# --- subject_create_in_dossier -----------------------------------------------------------------


def test_create_in_dossier_registers_and_links_together(world, dossier):
    person = services.subject_create_in_dossier(
        actor=world.officer_b, dossier=dossier, role=SubjectRole.WITNESS, full_name="Lò Văn Sinh"
    )
    assert person.owner_agency == world.b
    assert list(person.dossier_links.values_list("dossier_id", "role")) == [
        (dossier.pk, SubjectRole.WITNESS)
    ]
    assert {"subject.create", "subject.link"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"role": "accomplice", "full_name": "Lò Văn Sinh"}, "role"),
        (
            {"role": SubjectRole.WITNESS, "full_name": "Lò Văn Sinh", "birth_month": 2},
            "birth_month",
        ),
    ],
    ids=["bad-role", "bad-birth"],
)
def test_create_in_dossier_saves_neither_when_refused(world, dossier, kwargs, field):
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        services.subject_create_in_dossier(actor=world.officer_a, dossier=dossier, **kwargs)
    assert field in excinfo.value.message_dict
    assert counts() == before


def test_create_in_a_dossier_the_actor_cannot_change_is_not_found(world):
    above = open_dossier(world.joint, world.a, classification=Classification.TOI_MAT)
    before = counts()
    with pytest.raises(NotFound):
        services.subject_create_in_dossier(
            actor=world.officer_a, dossier=above, role=SubjectRole.SUSPECT, full_name="Lò Văn Sinh"
        )
    assert counts() == before


# --- verifications ------------------------------------------------------------------------------


@pytest.fixture
def linked(world, dossier, person):
    services.subject_link(
        actor=world.officer_a, dossier=dossier, subject=person, role=SubjectRole.UNDER_VERIFICATION
    )
    return person


def request(world, dossier, person, **overrides):
    kwargs = {
        "actor": world.officer_a,
        "dossier": dossier,
        "subject": person,
        "requested_of": world.b,
        "question": "Đề nghị xác minh nhân thân, nơi cư trú",
        "requested_on": dt.date(2010, 3, 2),
        "new_message": {"number_symbol": "15/CAT-PX13"},
        "fields": ["full_name", "birth"],
    }
    kwargs.update(overrides)
    return services.verification_request(**kwargs)


def test_verification_request_is_due_by_the_supporting_agencys_deadline(world, dossier, linked):
    verification = request(world, dossier, linked)
    assert verification.requested_by == world.a  # the actor's agency
    assert verification.state == VerificationState.SENT and verification.outcome == ""
    assert verification.due_on == add_working_days(dt.date(2010, 3, 2), VERIFICATION_DAYS)
    assert verification.due_on == dt.date(2010, 3, 11)
    event = dossier.timeline.get(kind=TimelineKind.VERIFICATION)
    assert event.on == dt.date(2010, 3, 2) and "Sở Ngoại vụ" in event.text
    assert AuditEvent.objects.filter(action="verification.request").count() == 1


def test_a_request_abroad_without_a_clause_deadline_needs_one_stated(world, dossier, linked):
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        request(world, dossier, linked, requested_of=world.f)
    assert "response_days" in excinfo.value.message_dict
    assert counts() == before
    # 15 working days from Tuesday 02/03/2010: no holiday in between.
    stated = request(world, dossier, linked, requested_of=world.f, response_days=15)
    assert stated.due_on == dt.date(2010, 3, 23)
    explicit = request(world, dossier, linked, requested_of=world.f, response_days=3)
    assert explicit.due_on == dt.date(2010, 3, 5)
    # Past work recorded by the system may have no deadline abroad.
    assert (
        request(
            world, dossier, linked, actor=SYSTEM, requested_by=world.a, requested_of=world.f
        ).due_on
        is None
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (lambda w: {"requested_of": w.a}, "requested_of"),
        (lambda w: {"question": "  "}, "question"),
        (lambda w: {"actor": SYSTEM}, "requested_by"),
        (lambda w: {"actor": SYSTEM, "requested_by": w.f}, "requested_by"),
    ],
    ids=["own-agency", "no-question", "system-without-requester", "requester-not-a-party"],
)
def test_verification_request_refuses_invalid_fields(world, dossier, linked, overrides, field):
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        request(world, dossier, linked, **overrides(world))
    assert field in excinfo.value.message_dict
    assert counts() == before


def test_a_user_requests_verification_only_on_behalf_of_their_own_agency(world, dossier, linked):
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        request(world, dossier, linked, requested_by=world.b, requested_of=world.f)
    assert "requested_by" in excinfo.value.message_dict
    assert counts() == before


def test_verification_request_refuses_a_person_not_in_the_dossier(world, dossier, person):
    with pytest.raises(ServiceError) as excinfo:
        request(world, dossier, person)
    assert "subject" in excinfo.value.message_dict
    assert not Verification.objects.exists()


def test_verification_answer_records_the_outcome(world, dossier, linked):
    verification = request(world, dossier, linked)
    answered = services.verification_answer(
        actor=world.officer_b,
        verification=verification,
        outcome=VerificationOutcome.IDENTITY_CONFIRMED,
        answer=" Đúng nhân thân ",
        answered_on=dt.date(2010, 3, 9),
    )
    verification.refresh_from_db()
    assert verification.outcome == answered.outcome == VerificationOutcome.IDENTITY_CONFIRMED
    assert verification.answered_on == dt.date(2010, 3, 9)
    assert verification.answer == "Đúng nhân thân"
    events = dossier.timeline.filter(kind=TimelineKind.VERIFICATION).order_by("on")
    assert events.last().on == dt.date(2010, 3, 9)
    audit = AuditEvent.objects.get(action="verification.answer")
    assert audit.changes["outcome"] == ["", VerificationOutcome.IDENTITY_CONFIRMED]
    assert audit.changes["state"] == [VerificationState.SENT, VerificationState.ANSWERED]


def test_answering_twice_is_refused(world, dossier, linked):
    verification = request(world, dossier, linked)
    services.verification_answer(
        actor=world.officer_b,
        verification=verification,
        outcome=VerificationOutcome.NO_RECORD,
        answer="Không có dữ liệu",
        answered_on=dt.date(2010, 3, 9),
    )
    before = counts()
    with pytest.raises(ServiceError):
        services.verification_answer(
            actor=world.officer_b,
            verification=verification,
            outcome=VerificationOutcome.IDENTITY_CONFIRMED,
            answer="Đã làm rõ",
            answered_on=dt.date(2010, 3, 10),
        )
    assert counts() == before
    verification.refresh_from_db()
    assert verification.outcome == VerificationOutcome.NO_RECORD
    assert verification.answered_on == dt.date(2010, 3, 9)


@pytest.mark.parametrize(
    ("outcome", "answered_on", "field"),
    [
        (VerificationOutcome.NOT_ANSWERED, dt.date(2010, 3, 9), "outcome"),
        ("maybe", dt.date(2010, 3, 9), "outcome"),
        (VerificationOutcome.IDENTITY_CONFIRMED, dt.date(2010, 3, 1), "answered_on"),
    ],
    ids=["not-answered-is-no-answer", "unknown", "before-request"],
)
def test_verification_answer_refuses_invalid_fields(
    world, dossier, linked, outcome, answered_on, field
):
    verification = request(world, dossier, linked)
    with pytest.raises(ServiceError) as excinfo:
        services.verification_answer(
            actor=world.officer_b,
            verification=verification,
            outcome=outcome,
            answer="…",
            answered_on=answered_on,
        )
    assert field in excinfo.value.message_dict
    verification.refresh_from_db()
    assert verification.state == VerificationState.SENT and verification.outcome == ""
