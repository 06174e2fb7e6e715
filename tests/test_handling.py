"""Handling restrictions enforced, and the register of copies."""

import csv
import io

import pytest
from django.urls import reverse

from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM, NotFound
from phoihop.dossiers import handling
from phoihop.dossiers import services as dossier_services
from phoihop.dossiers.choices import CopyKind, CopyRequestStatus, MessageDirection
from phoihop.dossiers.models import CopyRecord, CopyRequest
from tests.factories import UserFactory, open_dossier
from tests.web_fixtures import login, scene  # noqa: F401


@pytest.fixture
def restricted(scene):
    handling.dossier_set_restrictions(
        actor=SYSTEM, dossier=scene.dossier, no_export=True, print_needs_approval=True
    )
    scene.dossier.refresh_from_db()
    return scene


def _print(client, s):
    """Ask for a printed copy and follow to its page, as the browser does."""
    return client.post(reverse("dossiers:print", args=[s.dossier.pk]), follow=True)


def _download(client, s):
    response = client.get(reverse("dossiers:attachment", args=[s.attachment.pk]))
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response


# --- printing -----------------------------------------------------------------------------------


def test_printing_a_classified_dossier_numbers_the_copy_and_marks_the_level(scene, client):
    login(client, scene.world.officer_a)
    first = _print(client, scene).content.decode()
    second = _print(client, scene).content.decode()
    assert "Bản số: 1" in first and "Bản số: 2" in second
    assert first.count("MẬT") >= 2  # top and bottom
    records = list(CopyRecord.objects.order_by("number"))
    assert [(r.number, r.kind, r.made_by) for r in records] == [
        (1, "print", scene.world.officer_a),
        (2, "print", scene.world.officer_a),
    ]


def test_an_unclassified_unrestricted_dossier_prints_without_a_register_line(scene, client):
    dossier = open_dossier(scene.world.joint, scene.world.a, title="Vụ việc thường")
    login(client, scene.world.officer_a)
    response = client.post(reverse("dossiers:print", args=[dossier.pk]))
    assert response.status_code == 200
    assert "Vụ việc thường" in response.content.decode()
    assert not CopyRecord.objects.exists()


def test_print_of_a_restricted_dossier_is_refused_without_approval(restricted, client):
    login(client, restricted.world.officer_a)
    response = _print(client, restricted)
    assert response.status_code == 403
    assert "Cần lãnh đạo duyệt" in response.content.decode()
    assert not CopyRecord.objects.exists()


def test_a_leader_approves_and_the_officer_prints_exactly_the_approved_copies(restricted, client):
    s = restricted
    login(client, s.world.officer_a)
    response = client.post(
        reverse("dossiers:copy-request", args=[s.dossier.pk]),
        {"kind": "print", "message": "", "copies": 2, "reason": "Gửi Ban chỉ đạo 2 bản"},
    )
    assert response.status_code == 302
    request = CopyRequest.objects.get()
    assert request.status == CopyRequestStatus.PENDING
    assert _print(client, s).status_code == 403  # not yet decided

    login(client, s.world.leader_a)
    client.post(
        reverse("dossiers:copy-decide", args=[request.pk]), {"approve": "1", "note": "Đồng ý"}
    )
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("approved", s.world.leader_a)

    login(client, s.world.officer_a)
    assert _print(client, s).status_code == 200
    assert _print(client, s).status_code == 200
    assert _print(client, s).status_code == 403  # both copies used
    request.refresh_from_db()
    assert (request.used, request.status) == (2, "used")
    assert list(CopyRecord.objects.values_list("number", "request_id")) == [
        (1, request.pk),
        (2, request.pk),
    ]
    register = client.get(reverse("dossiers:copies", args=[s.dossier.pk])).content.decode()
    assert "Gửi Ban chỉ đạo 2 bản" in register


def test_a_refused_request_gives_no_copy(restricted, client):
    s = restricted
    request = handling.copy_request(
        actor=s.world.officer_a, dossier=s.dossier, kind=CopyKind.PRINT, reason="Lưu"
    )
    handling.copy_decide(actor=s.world.leader_a, request=request, approve=False)
    login(client, s.world.officer_a)
    assert _print(client, s).status_code == 403


def test_an_officer_cannot_approve_even_their_own_request(restricted):
    s = restricted
    request = handling.copy_request(
        actor=s.world.officer_a, dossier=s.dossier, kind=CopyKind.PRINT, reason="Lưu"
    )
    with pytest.raises(NotFound):
        handling.copy_decide(actor=s.world.officer_a, request=request, approve=True)
    request.refresh_from_db()
    assert request.status == "pending"


def test_a_leader_of_another_party_agency_does_not_decide_for_this_officer(restricted, client):
    s = restricted
    leader_b = UserFactory(
        username="b.lanhdao", agency=s.world.b, role="leader", clearance=Classification.TOI_MAT
    )
    request = handling.copy_request(
        actor=s.world.officer_a, dossier=s.dossier, kind=CopyKind.PRINT, reason="Lưu"
    )
    login(client, leader_b)
    response = client.post(reverse("dossiers:copy-decide", args=[request.pk]), {"approve": "1"})
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == "pending"


def test_reloading_a_printed_copy_makes_no_new_copy_and_others_cannot_open_it(scene, client):
    login(client, scene.world.officer_a)
    response = client.post(reverse("dossiers:print", args=[scene.dossier.pk]))
    assert response.status_code == 302
    copy_url = response["Location"]
    for _ in range(3):
        assert "Bản số: 1" in client.get(copy_url).content.decode()
    assert CopyRecord.objects.count() == 1
    login(client, scene.world.officer_b)
    assert client.get(copy_url).status_code == 404


def test_a_leader_who_may_not_see_the_dossier_cannot_approve(restricted, client):
    s = restricted
    outsider = UserFactory(
        username="c.lanhdao", agency=s.c, role="leader", clearance=Classification.TUYET_MAT
    )
    request = handling.copy_request(
        actor=s.world.officer_a, dossier=s.dossier, kind=CopyKind.PRINT, reason="Lưu"
    )
    login(client, outsider)
    response = client.post(reverse("dossiers:copy-decide", args=[request.pk]), {"approve": "1"})
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == "pending"


def test_a_leader_of_a_party_prints_a_restricted_dossier_and_it_is_registered(restricted, client):
    login(client, restricted.world.leader_a)
    assert _print(client, restricted).status_code == 200
    record = CopyRecord.objects.get()
    assert (record.made_by, record.request) == (restricted.world.leader_a, None)


# --- downloads and exports ----------------------------------------------------------------------


def test_download_of_a_document_of_an_export_restricted_dossier_needs_approval(restricted, client):
    s = restricted
    leader_b = UserFactory(
        username="b.lanhdao", agency=s.world.b, role="leader", clearance=Classification.TOI_MAT
    )
    login(client, s.world.officer_b)
    assert _download(client, s).status_code == 403
    request = handling.copy_request(
        actor=s.world.officer_b, dossier=s.dossier, kind=CopyKind.EXPORT, reason="Nộp hồ sơ"
    )
    handling.copy_decide(actor=leader_b, request=request, approve=True)
    response = _download(client, s)
    assert response.status_code == 200
    record = CopyRecord.objects.get()
    assert (record.kind, record.attachment, record.made_by) == (
        "export",
        s.attachment,
        s.world.officer_b,
    )


def test_a_restricted_message_restricts_its_documents_only(scene, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.web_fixtures import PDF

    message = dossier_services.message_add(
        actor=SYSTEM,
        dossier=scene.dossier,
        direction=MessageDirection.INCOMING,
        number_symbol="9/CAVS",
        sent_on=scene.dossier.opened_on,
        sender=scene.world.f,
        recipient=scene.world.a,
        summary="Tài liệu hạn chế.",
        files=[SimpleUploadedFile("han-che.pdf", PDF, content_type="application/pdf")],
        no_export=True,
    )
    login(client, scene.world.officer_a)
    restricted_doc = message.attachments.get()
    assert client.get(reverse("dossiers:attachment", args=[restricted_doc.pk])).status_code == 403
    assert _download(client, scene).status_code == 200  # the other message's document


def test_list_export_withholds_restricted_dossiers_and_says_so(restricted, client):
    login(client, restricted.world.officer_a)
    response = client.get(reverse("dossiers:export-csv"))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert restricted.dossier.reference not in body
    assert "1 hồ sơ hạn chế xuất không có trong tệp này." in body


def test_list_export_carries_the_highest_level_mark(scene, client):
    login(client, scene.world.officer_a)
    response = client.get(reverse("dossiers:export-csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["MẬT"]


# --- restrictions themselves --------------------------------------------------------------------


def test_only_a_leader_sets_restrictions(scene, client):
    login(client, scene.world.officer_a)
    url = reverse("dossiers:restrictions", args=[scene.dossier.pk])
    assert client.post(url, {"no_export": "on"}).status_code == 404
    scene.dossier.refresh_from_db()
    assert not scene.dossier.no_export
    login(client, scene.world.leader_a)
    assert client.post(url, {"no_export": "on"}).status_code == 302
    scene.dossier.refresh_from_db()
    assert scene.dossier.no_export and not scene.dossier.print_needs_approval


def test_no_third_party_refuses_an_outgoing_message_to_an_outsider(scene):
    handling.dossier_set_restrictions(actor=SYSTEM, dossier=scene.dossier, no_third_party=True)
    scene.dossier.refresh_from_db()
    with pytest.raises(ServiceError) as exc:
        dossier_services.message_add(
            actor=scene.world.officer_a,
            dossier=scene.dossier,
            direction=MessageDirection.OUTGOING,
            number_symbol="130/CAT-PV11",
            sent_on=scene.dossier.opened_on,
            sender=scene.world.a,
            recipient=scene.c,
            summary="Sao gửi Bộ đội Biên phòng.",
        )
    assert "recipient" in exc.value.message_dict
    # to the foreign counterpart or a party it is allowed
    dossier_services.message_add(
        actor=scene.world.officer_a,
        dossier=scene.dossier,
        direction=MessageDirection.OUTGOING,
        number_symbol="131/CAT-PV11",
        sent_on=scene.dossier.opened_on,
        sender=scene.world.a,
        recipient=scene.world.b,
        summary="Gửi Sở Ngoại vụ.",
    )


def test_a_copy_request_for_a_message_of_another_dossier_is_refused(scene, client):
    other = open_dossier(scene.world.joint, scene.world.a, title="Hồ sơ khác")
    handling.dossier_set_restrictions(actor=SYSTEM, dossier=other, print_needs_approval=True)
    login(client, scene.world.officer_a)
    response = client.post(
        reverse("dossiers:copy-request", args=[other.pk]),
        {"kind": "print", "message": scene.message.pk, "copies": 1, "reason": "x"},
    )
    assert response.status_code == 400
    assert not CopyRequest.objects.exists()


@pytest.mark.parametrize("kind", ["other_agency", "low_clearance", "oversight"])
def test_outsiders_cannot_request_print_or_read_the_register(restricted, client, kind):
    s = restricted
    login(client, s.actors[kind])
    response = client.post(
        reverse("dossiers:copy-request", args=[s.dossier.pk]),
        {"kind": "print", "message": "", "copies": 1, "reason": "x"},
    )
    assert response.status_code == 404
    assert _print(client, s).status_code == 404
    assert client.get(reverse("dossiers:copies", args=[s.dossier.pk])).status_code == 404
    assert not CopyRequest.objects.exists() and not CopyRecord.objects.exists()
