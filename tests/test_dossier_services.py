"""Opening, editing and working a dossier through the services."""

import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from phoihop.accounts.choices import Role
from phoihop.audit.models import AuditEvent
from phoihop.audit.services import audit_verify
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM, NotFound
from phoihop.core.workdays import add_working_days
from phoihop.dossiers import services
from phoihop.dossiers.choices import DossierStatus, MessageDirection, PartyRole, TimelineKind
from phoihop.dossiers.models import (
    Attachment,
    Dossier,
    DossierParty,
    Message,
    Task,
    TimelineEvent,
)
from tests.conftest import LEAD_DAYS, SUPPORT_DAYS
from tests.factories import AgencyFactory, UserFactory, open_dossier

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _office_zip(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<document/>")
    return buffer.getvalue()


DOCX = _office_zip("word/document.xml")


def counts():
    """Row counts a refused change must leave as they were."""
    return {
        m.__name__: m.objects.count()
        for m in (Dossier, DossierParty, Task, TimelineEvent, Message, Attachment, AuditEvent)
    }


def open_as(actor, world, **overrides):
    kwargs = {
        "category": world.joint,
        "title": "Vụ mua bán người, xã Thanh Thủy, huyện Vị Xuyên",
        "lead_agency": world.a,
        "supporting_agencies": [world.b],
        "counterpart": world.f,
        "crime_type": world.crime,
        "opened_on": dt.date(2010, 3, 1),
    }
    kwargs.update(overrides)
    return services.dossier_open(actor=actor, **kwargs)


@pytest.fixture
def outsider(world):
    c = AgencyFactory(code="bdbp", name="Bộ đội Biên phòng tỉnh", short_name="BĐBP")
    return UserFactory(
        username="c.canbo", agency=c, role=Role.OFFICER, clearance=Classification.TUYET_MAT
    )


@pytest.fixture
def dossier(world):
    return open_as(world.officer_a, world)


def message_kwargs(world, **overrides):
    kwargs = {
        "direction": MessageDirection.OUTGOING,
        "number_symbol": "125/CAT-PV11",
        "sent_on": dt.date(2010, 3, 3),
        "sender": world.a,
        "recipient": world.f,
        "summary": "Đề nghị phía bạn xác minh nhân thân đối tượng",
    }
    kwargs.update(overrides)
    return kwargs


# --- dossier_open ---------------------------------------------------------------------------


def test_open_creates_lead_and_supporting_parties(world, dossier):
    parties = {(p.agency_id, p.role) for p in dossier.parties.all()}
    assert parties == {(world.a.pk, PartyRole.LEAD), (world.b.pk, PartyRole.SUPPORT)}
    assert dossier.status == DossierStatus.OPENED
    assert dossier.reference == f"HS-2010-{dossier.pk:06d}"
    assert dossier.clause == world.clause
    assert dossier.created_by == world.officer_a
    assert "vu mua ban nguoi" in dossier.search_text


def test_open_creates_a_task_per_responsibility_due_in_working_days(world, dossier):
    tasks = {t.agency_id: t for t in dossier.tasks.all()}
    assert set(tasks) == {world.a.pk, world.b.pk}
    lead, support = tasks[world.a.pk], tasks[world.b.pk]
    assert lead.due_on == add_working_days(dossier.opened_on, LEAD_DAYS) == dt.date(2010, 3, 15)
    assert (
        support.due_on == add_working_days(dossier.opened_on, SUPPORT_DAYS) == dt.date(2010, 3, 8)
    )
    assert lead.title == "Chủ trì điều tra, xác minh"  # the responsibility's own title
    assert support.title == "Phối hợp, trả lời"  # the default for a supporting agency
    assert lead.unit == world.unit_a and support.unit == world.unit_b  # liaison units
    assert lead.done_on is None and support.done_on is None


def test_task_deadlines_skip_tet(world):
    dossier = open_as(SYSTEM, world, opened_on=dt.date(2010, 2, 10))
    due = dict(dossier.tasks.values_list("agency_id", "due_on"))
    assert due == {world.a.pk: dt.date(2010, 3, 2), world.b.pk: dt.date(2010, 2, 24)}


def test_responsibility_without_days_or_agency_outside_the_dossier_makes_no_task(world):
    only_b = open_as(SYSTEM, world, category=world.verification, crime_type=None)
    assert [(t.agency_id, t.due_on) for t in only_b.tasks.all()] == [
        (world.b.pk, add_working_days(only_b.opened_on, 7))
    ]
    lead_alone = open_as(world.officer_a, world, supporting_agencies=[])
    assert list(lead_alone.tasks.values_list("agency_id", flat=True)) == [world.a.pk]


def test_lead_repeated_among_supporting_agencies_stays_the_lead(world):
    dossier = open_as(SYSTEM, world, supporting_agencies=[world.a, world.b])
    assert dict(dossier.parties.values_list("agency_id", "role")) == {
        world.a.pk: PartyRole.LEAD,
        world.b.pk: PartyRole.SUPPORT,
    }


def test_supporting_agency_listed_twice_is_one_party(world):
    dossier = open_as(SYSTEM, world, supporting_agencies=[world.b, world.b])
    assert dossier.parties.filter(agency=world.b).count() == 1


def test_open_records_timeline_and_audit_events(world, dossier):
    event = dossier.timeline.get()
    assert event.kind == TimelineKind.OPENED
    assert event.on == dossier.opened_on
    assert event.actor_label == "a.canbo"
    assert "Khoản 1 Điều 5" in event.text
    audit = AuditEvent.objects.get(action="dossier.open")
    assert audit.actor == world.officer_a
    assert audit.object_type == "dossiers.dossier"
    assert audit.object_id == str(dossier.pk)
    assert audit.changes["status"] == DossierStatus.OPENED
    assert audit_verify().ok


def test_open_as_system_is_audited_as_system(world):
    dossier = open_dossier(world.border, world.a, supporting=[world.b])
    audit = AuditEvent.objects.get(action="dossier.open", object_id=str(dossier.pk))
    assert audit.actor is None and audit.actor_label == "system"
    assert dossier.created_by is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (lambda w: {"lead_agency": w.f, "supporting_agencies": [w.a]}, "lead_agency"),
        (lambda w: {"counterpart": w.b}, "counterpart"),
        (lambda w: {"supporting_agencies": [w.f]}, "supporting_agencies"),
        (lambda w: {"classification": Classification.TOI_MAT}, "classification"),
        (lambda w: {"title": "   "}, "title"),
        (lambda w: {"category": w.border}, "crime_type"),
    ],
    ids=[
        "foreign-lead",
        "domestic-counterpart",
        "foreign-support",
        "above-clearance",
        "empty-title",
        "crime-type-outside-criminal-case",
    ],
)
def test_open_refuses_and_saves_nothing(world, overrides, field):
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        open_as(world.officer_a, world, **overrides(world))
    assert field in excinfo.value.message_dict
    assert counts() == before


def test_open_refuses_an_actor_whose_agency_is_not_a_party(world):
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        open_as(world.officer_b, world, supporting_agencies=[])
    assert "lead_agency" in excinfo.value.message_dict
    assert counts() == before


def test_system_is_refused_a_foreign_lead_too(world):
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        open_as(SYSTEM, world, lead_agency=world.f, supporting_agencies=[world.a])
    assert "lead_agency" in excinfo.value.message_dict
    assert counts() == before


@pytest.mark.parametrize("who", ["oversight", "admin"])
def test_roles_without_casework_cannot_open(world, who):
    before = counts()
    with pytest.raises(NotFound):
        open_as(getattr(world, who), world)
    assert counts() == before


def test_tuyet_mat_opened_by_a_user_names_that_user(world):
    top = UserFactory(
        username="a.tuyetmat", agency=world.a, role=Role.LEADER, clearance=Classification.TUYET_MAT
    )
    dossier = open_as(top, world, classification=Classification.TUYET_MAT)
    assert list(dossier.named_users.all()) == [top]


def test_tuyet_mat_opened_by_system_must_name_users(world):
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        open_as(SYSTEM, world, classification=Classification.TUYET_MAT)
    assert "named_users" in excinfo.value.message_dict
    assert counts() == before


# --- dossier_update ---------------------------------------------------------------------------


def test_update_changes_fields_and_audits_the_difference(world, dossier):
    services.dossier_update(
        actor=world.officer_b,
        dossier=dossier,
        title="  Vụ giết người tại xã Lũng Cú ",
        summary="Đã có manh mối",
    )
    dossier.refresh_from_db()
    assert dossier.title == "Vụ giết người tại xã Lũng Cú"
    assert "vu giet nguoi tai xa lung cu" in dossier.search_text
    audit = AuditEvent.objects.get(action="dossier.update")
    assert audit.actor == world.officer_b
    assert audit.changes["title"] == [
        "Vụ mua bán người, xã Thanh Thủy, huyện Vị Xuyên",
        "Vụ giết người tại xã Lũng Cú",
    ]
    assert dossier.timeline.filter(kind=TimelineKind.UPDATED).count() == 1


def test_update_without_a_change_records_nothing(world, dossier):
    before = counts()
    services.dossier_update(actor=world.officer_a, dossier=dossier, title=dossier.title)
    assert counts() == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (lambda w: {"status": DossierStatus.RESOLVED}, "status"),
        (lambda w: {"classification": Classification.TOI_MAT}, "classification"),
        (lambda w: {"counterpart": w.b}, "counterpart"),
        (lambda w: {"title": ""}, "title"),
    ],
    ids=["not-editable", "above-clearance", "domestic-counterpart", "empty-title"],
)
def test_update_refuses_and_saves_nothing(world, dossier, fields, field):
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        services.dossier_update(actor=world.officer_a, dossier=dossier, **fields(world))
    assert field in excinfo.value.message_dict
    assert counts() == before
    dossier.refresh_from_db()
    assert dossier.title == "Vụ mua bán người, xã Thanh Thủy, huyện Vị Xuyên"
    assert dossier.classification == Classification.THUONG


def test_other_agency_actor_gets_not_found_on_update_and_transition(world, dossier, outsider):
    before = counts()
    for actor in (outsider, world.oversight, world.admin):
        with pytest.raises(NotFound):
            services.dossier_update(actor=actor, dossier=dossier, title="Đổi tên")
        with pytest.raises(NotFound):
            services.dossier_transition(
                actor=actor,
                dossier=dossier,
                status=DossierStatus.IN_PROGRESS,
                on=dt.date(2010, 3, 2),
            )
    assert counts() == before
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.OPENED


def test_user_above_whose_clearance_the_dossier_was_raised_loses_it(world, dossier):
    services.dossier_update(
        actor=world.leader_a, dossier=dossier, classification=Classification.TOI_MAT
    )
    with pytest.raises(NotFound):
        services.dossier_update(actor=world.officer_a, dossier=dossier, title="Đổi tên")


# --- workflow -------------------------------------------------------------------------------


def transition(actor, dossier, status, on=dt.date(2010, 3, 10), outcome=""):
    return services.dossier_transition(
        actor=actor, dossier=dossier, status=status, on=on, outcome=outcome
    )


def test_allowed_transitions_from_each_status(world, dossier):
    assert services.allowed_transitions(dossier) == [
        DossierStatus.IN_PROGRESS,
        DossierStatus.CLOSED_NO_RESULT,
    ]
    dossier = transition(world.officer_a, dossier, DossierStatus.IN_PROGRESS)
    assert services.allowed_transitions(dossier) == [
        DossierStatus.AWAITING_COUNTERPART,
        DossierStatus.RESOLVED,
        DossierStatus.CLOSED_NO_RESULT,
    ]


def test_full_workflow_to_resolved(world, dossier):
    transition(world.officer_a, dossier, DossierStatus.IN_PROGRESS, on=dt.date(2010, 3, 2))
    transition(world.officer_b, dossier, DossierStatus.AWAITING_COUNTERPART, on=dt.date(2010, 3, 5))
    transition(world.officer_a, dossier, DossierStatus.IN_PROGRESS, on=dt.date(2010, 3, 20))
    dossier = transition(
        world.officer_a,
        dossier,
        DossierStatus.RESOLVED,
        on=dt.date(2010, 4, 2),
        outcome=" Đã giải cứu nạn nhân ",
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RESOLVED
    assert dossier.is_closed
    assert dossier.resolved_on == dt.date(2010, 4, 2)
    assert dossier.outcome == "Đã giải cứu nạn nhân"
    assert "da giai cuu nan nhan" in dossier.search_text
    statuses = list(dossier.timeline.filter(kind=TimelineKind.STATUS).values_list("on", "text"))
    assert [on for on, _ in statuses] == [
        dt.date(2010, 3, 2),
        dt.date(2010, 3, 5),
        dt.date(2010, 3, 20),
        dt.date(2010, 4, 2),
    ]
    assert statuses[-1][1].endswith(": Đã giải cứu nạn nhân")
    last = AuditEvent.objects.filter(action="dossier.transition").last()
    assert last.changes == {
        "outcome": ["", "Đã giải cứu nạn nhân"],
        "resolved_on": [None, "2010-04-02"],
        "status": [DossierStatus.IN_PROGRESS, DossierStatus.RESOLVED],
    }
    assert audit_verify().ok


@pytest.mark.parametrize(
    "status", [DossierStatus.RESOLVED, DossierStatus.AWAITING_COUNTERPART, DossierStatus.OPENED]
)
def test_refused_transitions_from_opened(world, dossier, status):
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        transition(world.officer_a, dossier, status, outcome="Kết quả")
    assert "status" in excinfo.value.message_dict
    assert counts() == before
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.OPENED


def test_unknown_status_is_refused(world, dossier):
    with pytest.raises(ServiceError) as excinfo:
        transition(world.officer_a, dossier, "deleted")
    assert "status" in excinfo.value.message_dict


@pytest.mark.parametrize("ended", [DossierStatus.RESOLVED, DossierStatus.CLOSED_NO_RESULT])
def test_ended_dossier_is_terminal(world, dossier, ended):
    transition(world.officer_a, dossier, DossierStatus.IN_PROGRESS, on=dt.date(2010, 3, 2))
    transition(world.officer_a, dossier, ended, outcome="Kết thúc")
    dossier.refresh_from_db()
    assert services.allowed_transitions(dossier) == []
    for status in DossierStatus.values:
        with pytest.raises(ServiceError):
            transition(world.officer_a, dossier, status, outcome="Mở lại")
    with pytest.raises(ServiceError):
        services.dossier_update(actor=world.officer_a, dossier=dossier, title="Sửa sau khi đóng")
    dossier.refresh_from_db()
    assert dossier.status == ended


@pytest.mark.parametrize("status", [DossierStatus.RESOLVED, DossierStatus.CLOSED_NO_RESULT])
@pytest.mark.parametrize("outcome", ["", "   "], ids=["empty", "blank"])
def test_closing_requires_an_outcome(world, dossier, status, outcome):
    transition(world.officer_a, dossier, DossierStatus.IN_PROGRESS, on=dt.date(2010, 3, 2))
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        transition(world.officer_a, dossier, status, outcome=outcome)
    assert "outcome" in excinfo.value.message_dict
    assert counts() == before
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.IN_PROGRESS and dossier.resolved_on is None


def test_opened_may_be_closed_without_result_directly(world, dossier):
    dossier = transition(
        world.officer_a,
        dossier,
        DossierStatus.CLOSED_NO_RESULT,
        outcome="Không xác định được đối tượng",
    )
    assert dossier.status == DossierStatus.CLOSED_NO_RESULT
    assert dossier.resolved_on == dt.date(2010, 3, 10)


def test_transition_dated_before_opening_is_refused(world, dossier):
    with pytest.raises(ServiceError) as excinfo:
        transition(world.officer_a, dossier, DossierStatus.IN_PROGRESS, on=dt.date(2010, 2, 28))
    assert "on" in excinfo.value.message_dict


# --- tasks ----------------------------------------------------------------------------------


def test_task_complete_records_the_day_timeline_and_audit(world, dossier):
    task = dossier.tasks.get(agency=world.b)
    done = services.task_complete(actor=world.officer_b, task=task, done_on=dt.date(2010, 3, 5))
    task.refresh_from_db()
    assert task.done_on == done.done_on == dt.date(2010, 3, 5)
    event = dossier.timeline.filter(kind=TimelineKind.TASK).get()
    assert event.on == dt.date(2010, 3, 5) and task.title in event.text
    audit = AuditEvent.objects.get(action="task.complete")
    assert audit.changes == {"done_on": [None, "2010-03-05"]}
    assert audit.actor == world.officer_b


def test_task_complete_twice_is_refused(world, dossier):
    task = dossier.tasks.get(agency=world.a)
    services.task_complete(actor=world.officer_a, task=task, done_on=dt.date(2010, 3, 5))
    before = counts()
    with pytest.raises(ServiceError):
        services.task_complete(actor=world.officer_a, task=task, done_on=dt.date(2010, 3, 6))
    assert counts() == before
    task.refresh_from_db()
    assert task.done_on == dt.date(2010, 3, 5)


def test_task_complete_before_opening_is_refused(world, dossier):
    task = dossier.tasks.get(agency=world.a)
    with pytest.raises(ServiceError) as excinfo:
        services.task_complete(actor=world.officer_a, task=task, done_on=dt.date(2010, 2, 1))
    assert "done_on" in excinfo.value.message_dict


def test_task_complete_by_outsider_is_not_found(world, dossier, outsider):
    task = dossier.tasks.get(agency=world.a)
    with pytest.raises(NotFound):
        services.task_complete(actor=outsider, task=task, done_on=dt.date(2010, 3, 5))
    task.refresh_from_db()
    assert task.done_on is None


def test_task_add_checks_agency_and_unit(world, dossier, outsider):
    with pytest.raises(ServiceError) as excinfo:
        services.task_add(
            actor=world.officer_a, dossier=dossier, title="Xác minh", agency=outsider.agency
        )
    assert "agency" in excinfo.value.message_dict
    with pytest.raises(ServiceError) as excinfo:
        services.task_add(
            actor=world.officer_a,
            dossier=dossier,
            title="Xác minh",
            agency=world.b,
            unit=world.unit_a,
        )
    assert "unit" in excinfo.value.message_dict
    task = services.task_add(
        actor=world.officer_a,
        dossier=dossier,
        title=" Xác minh ",
        agency=world.b,
        unit=world.unit_b,
        due_on=dt.date(2010, 3, 12),
    )
    assert task.title == "Xác minh" and task.responsibility is None
    assert dossier.tasks.count() == 3


# --- correspondence ---------------------------------------------------------------------------


def test_message_add_with_allowed_files(world, dossier):
    files = [
        SimpleUploadedFile("cong-van.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("anh.png", PNG, content_type="image/png"),
        SimpleUploadedFile("bien-ban.docx", DOCX, content_type="application/octet-stream"),
    ]
    message = services.message_add(
        actor=world.officer_a, dossier=dossier, files=files, **message_kwargs(world)
    )
    attachments = list(message.attachments.order_by("id"))
    assert [a.name for a in attachments] == ["cong-van.pdf", "anh.png", "bien-ban.docx"]
    assert [a.content_type for a in attachments] == [
        "application/pdf",
        "image/png",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ]
    assert attachments[0].size == len(PDF)
    assert attachments[0].sha256 == hashlib.sha256(PDF).hexdigest()
    assert Path(attachments[0].file.path).read_bytes() == PDF
    event = dossier.timeline.get(kind=TimelineKind.MESSAGE)
    assert "125/CAT-PV11" in event.text and event.on == dt.date(2010, 3, 3)
    assert AuditEvent.objects.filter(action="message.add", object_id=str(message.pk)).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cong-van.pdf", b"Day khong phai la PDF"),
        ("chuong-trinh.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("trang.html", b"<!DOCTYPE html><script>alert(1)</script>"),
        ("anh.gif", b"GIF89a\x01\x00\x01\x00"),
        ("trong.pdf", b""),
    ],
    ids=["text-named-pdf", "exe", "html", "gif", "empty"],
)
def test_message_add_refuses_a_file_of_another_format_and_saves_nothing(
    world, dossier, settings, name, content
):
    good = SimpleUploadedFile("tot.pdf", PDF)
    bad = SimpleUploadedFile(name, content, content_type="application/pdf")
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        services.message_add(
            actor=world.officer_a, dossier=dossier, files=[good, bad], **message_kwargs(world)
        )
    assert "files" in excinfo.value.message_dict
    assert name in excinfo.value.message_dict["files"][0]
    assert counts() == before
    media = Path(settings.MEDIA_ROOT)
    assert not [p for p in media.rglob("*") if p.is_file() and p.name.startswith("tot")]


def test_message_add_refuses_a_file_over_the_size_limit(world, dossier, settings):
    settings.PHOIHOP_MAX_ATTACHMENT_BYTES = 16
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        services.message_add(
            actor=world.officer_a,
            dossier=dossier,
            files=[SimpleUploadedFile("lon.pdf", PDF)],
            **message_kwargs(world),
        )
    assert "files" in excinfo.value.message_dict
    assert counts() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (lambda w: {"recipient": w.a}, "recipient"),
        (lambda w: {"number_symbol": " "}, "number_symbol"),
        (lambda w: {"summary": ""}, "summary"),
        (lambda w: {"direction": "sideways"}, "direction"),
        (lambda w: {"sent_on": dt.date(2010, 1, 1)}, "sent_on"),
        (lambda w: {"classification": Classification.TOI_MAT}, "classification"),
    ],
    ids=[
        "same-sender-recipient",
        "no-number",
        "no-summary",
        "direction",
        "too-early",
        "above-clearance",
    ],
)
def test_message_add_refuses_invalid_fields(world, dossier, overrides, field):
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        services.message_add(
            actor=world.officer_a, dossier=dossier, **message_kwargs(world, **overrides(world))
        )
    assert field in excinfo.value.message_dict
    assert counts() == before


def test_message_add_by_outsider_is_not_found(world, dossier, outsider):
    before = counts()
    with pytest.raises(NotFound):
        services.message_add(actor=outsider, dossier=dossier, **message_kwargs(world))
    assert counts() == before


def _zip(**entries: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_message_add_refuses_a_zip_archive_that_is_not_an_office_document(world, dossier):
    archive = _zip(**{"payload.exe": b"MZ\x90\x00"})
    before = counts()
    with pytest.raises(ServiceError) as excinfo:
        services.message_add(
            actor=world.officer_a,
            dossier=dossier,
            **message_kwargs(world),
            files=[SimpleUploadedFile("bien-ban.docx", archive)],
        )
    assert "files" in excinfo.value.message_dict
    assert counts() == before


def test_a_named_user_outside_the_parties_or_below_the_level_is_refused(world):
    outsider = UserFactory(
        username="x.tm", agency=world.f, role=Role.OFFICER, clearance=Classification.TUYET_MAT
    )
    for named in ([outsider], [world.officer_a]):  # another agency; a Mật clearance
        with pytest.raises(ServiceError) as exc:
            open_dossier(
                world.joint,
                world.a,
                classification=Classification.TUYET_MAT,
                named_users=named,
                title="Chuyên án",
            )
        assert "named_users" in exc.value.message_dict
    assert not Dossier.objects.filter(title="Chuyên án").exists()
