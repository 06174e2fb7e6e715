"""Fixtures for the page and API tests, built on the `world` fixture of conftest.py.

`scene` adds to the world a third domestic agency C (party to nothing), an officer
of A whose clearance is below Mật, and one Mật dossier led by A with B supporting,
carrying a task, a message with a PDF attachment and a linked person.

Import what you use: ``from tests.web_fixtures import scene  # noqa: F401``.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from phoihop.accounts.choices import Role
from phoihop.core.choices import Classification
from phoihop.core.policy import SYSTEM
from phoihop.dossiers import services as dossier_services
from phoihop.dossiers.choices import MessageDirection
from phoihop.dossiers.models import Attachment, Task
from phoihop.subjects import services as subject_services
from phoihop.subjects.choices import DocumentKind, SubjectRole
from tests.factories import AgencyFactory, UserFactory, open_dossier

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
SCENE_TITLE = "Vụ mua bán người qua biên giới huyện Đồng Văn"

# The actor kinds of the authorization matrix, in the order their columns are read.
ACTOR_KINDS = (
    "anonymous",
    "lead",
    "support",
    "leader",
    "other_agency",
    "low_clearance",
    "oversight",
    "admin",
)


@pytest.fixture
def scene(world):
    c = AgencyFactory(
        code="bdbp", name="Bộ đội Biên phòng tỉnh Hà Giang", short_name="BĐBP", document_prefix="BP"
    )
    officer_c = UserFactory(
        username="c.canbo", agency=c, role=Role.OFFICER, clearance=Classification.TUYET_MAT
    )
    low_a = UserFactory(
        username="a.thuong",
        agency=world.a,
        unit=world.unit_a,
        role=Role.OFFICER,
        clearance=Classification.THUONG,
    )
    dossier = open_dossier(
        world.joint,
        world.a,
        supporting=[world.b],
        counterpart=world.f,
        crime_type=world.crime,
        classification=Classification.MAT,
        title=SCENE_TITLE,
        summary="Nhóm đối tượng dụ dỗ phụ nữ sang Văn Sơn, Vân Nam.",
    )
    task = Task.objects.get(dossier=dossier, agency=world.a)
    message = dossier_services.message_add(
        actor=SYSTEM,
        dossier=dossier,
        direction=MessageDirection.OUTGOING,
        number_symbol="125/CAT-PV11",
        sent_on=dossier.opened_on,
        sender=world.a,
        recipient=world.f,
        summary="Đề nghị phía bạn phối hợp xác minh nhóm đối tượng.",
        files=[SimpleUploadedFile("cong-van.pdf", PDF, content_type="application/pdf")],
    )
    attachment = Attachment.objects.get(message=message)
    subject = subject_services.subject_create_in_dossier(
        actor=SYSTEM,
        dossier=dossier,
        role=SubjectRole.SUSPECT,
        owner_agency=world.a,
        full_name="Vàng Seo Dính",
        sex="M",
        birth_year=1982,
        nationality="VN",
        ethnicity="H'Mông",
        documents=[{"kind": DocumentKind.CMND, "number": "073012345"}],
    )
    return SimpleNamespace(
        world=world,
        c=c,
        officer_c=officer_c,
        low_a=low_a,
        dossier=dossier,
        task=task,
        message=message,
        attachment=attachment,
        subject=subject,
        actors={
            "anonymous": None,
            "lead": world.officer_a,
            "support": world.officer_b,
            "leader": world.leader_a,
            "other_agency": officer_c,
            "low_clearance": low_a,
            "oversight": world.oversight,
            "admin": world.admin,
        },
    )


@pytest.fixture
def tuyet_mat(scene):
    """A Tuyệt mật dossier of A (B supporting) naming one officer of A, with the same objects."""
    world = scene.world
    named = UserFactory(
        username="a.tuyetmat",
        agency=world.a,
        unit=world.unit_a,
        role=Role.OFFICER,
        clearance=Classification.TUYET_MAT,
    )
    unnamed_leader = UserFactory(
        username="a.lanhdao.tm",
        agency=world.a,
        unit=world.unit_a,
        role=Role.LEADER,
        clearance=Classification.TUYET_MAT,
    )
    dossier = open_dossier(
        world.joint,
        world.a,
        supporting=[world.b],
        counterpart=world.f,
        classification=Classification.TUYET_MAT,
        title="Chuyên án tuyệt mật",
        named_users=[named],
    )
    message = dossier_services.message_add(
        actor=SYSTEM,
        dossier=dossier,
        direction=MessageDirection.INCOMING,
        number_symbol="7/CAVS",
        sent_on=dossier.opened_on,
        sender=world.f,
        recipient=world.a,
        summary="Phía bạn thông báo kết quả xác minh.",
        files=[SimpleUploadedFile("tra-loi.pdf", PDF, content_type="application/pdf")],
    )
    subject = subject_services.subject_create_in_dossier(
        actor=SYSTEM,
        dossier=dossier,
        role=SubjectRole.SUSPECT,
        owner_agency=world.a,
        full_name="Đối tượng chuyên án",
        sex="M",
        nationality="VN",
    )
    return SimpleNamespace(
        world=world,
        dossier=dossier,
        task=Task.objects.filter(dossier=dossier).first(),
        message=message,
        attachment=Attachment.objects.get(message=message),
        subject=subject,
        named=named,
        unnamed_leader=unnamed_leader,
    )


def login(client, user):
    """Sign `user` in on `client` (None: stay anonymous); return the client.

    Leaders and administrators get a session that has passed two-factor authentication.
    """
    from tests.signin import force_login

    client.logout()
    if user is not None:
        force_login(client, user)
    return client


def d(day: str) -> dt.date:
    """'dd/mm/yyyy' → date, to keep test data readable."""
    return dt.datetime.strptime(day, "%d/%m/%Y").date()
