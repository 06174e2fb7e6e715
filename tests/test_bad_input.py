"""Forged ids and bad files through the pages: a clear error on the field, nothing saved."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from phoihop.audit.models import AuditEvent
from phoihop.dossiers.models import Attachment, Message, Task
from tests.factories import UnitFactory
from tests.web_fixtures import PDF, login, scene  # noqa: F401


def _counts():
    return (
        Task.objects.count(),
        Message.objects.count(),
        Attachment.objects.count(),
        AuditEvent.objects.count(),
    )


def _message(scene, file):
    return {
        "direction": "in",
        "number_symbol": "88/CAVS",
        "sent_on": "02/03/2010",
        "sender": scene.world.f.pk,
        "recipient": scene.world.a.pk,
        "summary": "Phía bạn trả lời.",
        "classification": 0,
        "file": file,
    }


def test_a_task_for_a_unit_of_an_agency_outside_the_dossier_is_refused(scene, client):
    foreign_unit = UnitFactory(agency=scene.c, code="don-bien-phong", name="Đồn Biên phòng")
    before = _counts()
    login(client, scene.world.officer_a)
    response = client.post(
        reverse("dossiers:task-add", args=[scene.dossier.pk]),
        {"title": "Tuần tra", "agency": scene.world.a.pk, "unit": foreign_unit.pk, "due_on": ""},
    )
    assert response.status_code == 400
    assert "Đơn vị" in response.content.decode()
    assert _counts() == before


def test_a_task_for_a_made_up_agency_id_is_refused(scene, client):
    before = _counts()
    login(client, scene.world.officer_a)
    response = client.post(
        reverse("dossiers:task-add", args=[scene.dossier.pk]),
        {"title": "Tuần tra", "agency": 999_999, "unit": "", "due_on": ""},
    )
    assert response.status_code == 400
    assert _counts() == before


def test_an_oversized_attachment_is_refused_naming_the_file(scene, client, settings):
    settings.PHOIHOP_MAX_ATTACHMENT_BYTES = 1024
    before = _counts()
    login(client, scene.world.officer_a)
    big = SimpleUploadedFile("bien-ban.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    response = client.post(
        reverse("dossiers:message-add", args=[scene.dossier.pk]), _message(scene, big)
    )
    assert response.status_code == 400
    assert "bien-ban.pdf" in response.content.decode()
    assert "vượt quá dung lượng" in response.content.decode()
    assert _counts() == before


def test_a_file_whose_content_is_not_what_its_name_says_is_refused(scene, client):
    before = _counts()
    login(client, scene.world.officer_a)
    fake = SimpleUploadedFile(
        "cong-van.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    response = client.post(
        reverse("dossiers:message-add", args=[scene.dossier.pk]), _message(scene, fake)
    )
    assert response.status_code == 400
    assert "không đúng định dạng" in response.content.decode()
    assert _counts() == before


def test_a_request_body_over_the_limit_is_refused_before_any_view(scene, client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    before = _counts()
    login(client, scene.world.officer_a)
    data = _message(scene, "")
    data["summary"] = "x" * 4096
    response = client.post(reverse("dossiers:message-add", args=[scene.dossier.pk]), data)
    assert response.status_code == 400
    assert _counts() == before
