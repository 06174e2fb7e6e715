"""The pages as a user sees them: dashboard, dossier list and exports, forms, statistics,
sign-in, security headers and query budgets."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from phoihop.audit.models import AuditEvent
from phoihop.core.choices import Classification
from phoihop.core.policy import SYSTEM
from phoihop.dossiers import services as dossier_services
from phoihop.dossiers.choices import DossierStatus
from phoihop.dossiers.models import Attachment, Dossier, DossierParty, Message, Task, TimelineEvent
from phoihop.subjects import services as subject_services
from phoihop.subjects.choices import SubjectRole, VerificationOutcome
from phoihop.subjects.models import DossierSubject, Subject
from tests.factories import TEST_PASSWORD, UserFactory, end_dossier, open_dossier
from tests.web_fixtures import PDF, SCENE_TITLE, d, login, scene  # noqa: F401

REQUIRED = "Trường này là bắt buộc."


def html(response) -> str:
    return response.content.decode()


def listed(response) -> list[str]:
    """The references on a dossier list page, in the order shown."""
    return [dossier.reference for dossier in response.context["page_obj"].object_list]


# --- dashboard --------------------------------------------------------------------------------


@pytest.fixture
def tasks_world(scene):
    """Overdue tasks of A, of B (in a dossier A sees) and of C; a done one; a closed dossier's."""
    w = scene.world
    shared = open_dossier(w.verification, w.a, supporting=[w.b], opened_on=d("01/03/2010"))
    theirs = open_dossier(w.verification, scene.c, opened_on=d("01/03/2010"), title="Tuần tra")
    closed = open_dossier(w.verification, w.a, opened_on=d("01/03/2010"), title="Đã đóng")

    def add(dossier, agency, title, due):
        return dossier_services.task_add(
            actor=SYSTEM, dossier=dossier, title=title, agency=agency, due_on=d(due)
        )

    add(shared, w.a, "Lập biên bản làm việc với phía bạn", "05/03/2010")
    add(shared, w.b, "Sở Ngoại vụ trả lời công hàm", "05/03/2010")
    done = add(shared, w.a, "Nhiệm vụ đã xong từ lâu", "04/03/2010")
    dossier_services.task_complete(actor=SYSTEM, task=done, done_on=d("03/03/2010"))
    add(theirs, scene.c, "Tuần tra khu vực mốc 428", "05/03/2010")
    add(closed, w.a, "Nhiệm vụ của hồ sơ đã đóng", "05/03/2010")
    end_dossier(closed, on=d("10/03/2010"))
    return scene


def test_dashboard_shows_the_users_agency_overdue_tasks_and_not_anothers(client, tasks_world):
    s = tasks_world
    login(client, s.world.officer_a)
    response = client.get(reverse("core:dashboard"))
    page = html(response)
    assert response.status_code == 200
    # A's own overdue tasks: the one added, and the clause task of the scene's dossier
    titles = {t.title for t in response.context["tasks_due"]}
    assert titles == {"Lập biên bản làm việc với phía bạn", "Chủ trì điều tra, xác minh"}
    assert response.context["overdue_count"] == 2
    assert "Lập biên bản làm việc với phía bạn" in page
    assert "Quá hạn" in page
    for foreign in (
        "Sở Ngoại vụ trả lời công hàm",  # B's, in a dossier A sees
        "Tuần tra khu vực mốc 428",  # C's
        "Nhiệm vụ đã xong từ lâu",  # done
        "Nhiệm vụ của hồ sơ đã đóng",  # dossier closed
    ):
        assert foreign not in page

    login(client, s.officer_c)
    page = html(client.get(reverse("core:dashboard")))
    assert "Tuần tra khu vực mốc 428" in page
    assert "Lập biên bản làm việc với phía bạn" not in page


def test_dashboard_of_oversight_lists_no_dossier_or_task(client, tasks_world):
    login(client, tasks_world.world.oversight)
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    assert response.context["open_count"] == 0
    assert list(response.context["tasks_due"]) == []
    assert tasks_world.dossier.reference not in html(response)


# --- dossier list: visibility, search, filters, sort ------------------------------------------


@pytest.fixture
def listing(scene):
    """Dossiers A's officer sees (dong_van from the scene, muong, duong) and two they do not."""
    w = scene.world
    muong = open_dossier(
        w.border,
        w.a,
        supporting=[w.b],
        counterpart=w.f,
        opened_on=d("05/04/2010"),
        title="Vụ vượt biên trái phép tại cửa khẩu Thanh Thủy",
    )
    end_dossier(muong, on=d("20/04/2010"))
    duong = open_dossier(
        w.border,
        w.a,
        opened_on=d("03/05/2010"),
        title="Vụ trộm cắp đàn dê tại xã Đường Thượng",
    )
    hidden_agency = open_dossier(
        w.border, scene.c, opened_on=d("04/05/2010"), title="Vụ buôn lậu gia súc qua Đồng Văn"
    )
    hidden_level = open_dossier(
        w.joint,
        w.a,
        classification=Classification.TOI_MAT,
        opened_on=d("06/05/2010"),
        title="Chuyên án Đồng Văn (tối mật)",
    )
    return scene, {
        "dong_van": scene.dossier,
        "muong": muong,
        "duong": duong,
        "hidden_agency": hidden_agency,
        "hidden_level": hidden_level,
    }


def _refs(ds, *keys):
    return {ds[k].reference for k in keys}


def test_list_shows_only_visible_dossiers(client, listing):
    s, ds = listing
    login(client, s.world.officer_a)
    response = client.get(reverse("dossiers:list"))
    assert set(listed(response)) == _refs(ds, "dong_van", "muong", "duong")
    assert response.context["count"] == 3
    page = html(response)
    assert SCENE_TITLE in page
    assert "Vụ buôn lậu gia súc" not in page
    assert "Chuyên án Đồng Văn" not in page


@pytest.mark.parametrize(
    ("q", "keys"),
    [
        ("dong van", ["dong_van"]),
        ("Dong  Van", ["dong_van"]),
        ("ĐỒNG VĂN", ["dong_van"]),
        ("đồng văn", ["dong_van"]),
        ("duong thuong", ["duong"]),  # đ typed as d
        ("đường thượng", ["duong"]),
        ("Duong", ["duong"]),
        ("thanh thuy", ["muong"]),
        ("văn sơn", ["dong_van"]),  # from the summary
        ("vu", ["dong_van", "muong", "duong"]),
        ("hoang su phi", []),
    ],
)
def test_list_search_ignores_diacritics_and_case(client, listing, q, keys):
    s, ds = listing
    login(client, s.world.officer_a)
    response = client.get(reverse("dossiers:list"), {"q": q})
    assert response.status_code == 200
    assert set(listed(response)) == _refs(ds, *keys)


def test_list_search_finds_a_reference(client, listing):
    s, ds = listing
    login(client, s.world.officer_a)
    response = client.get(reverse("dossiers:list"), {"q": ds["duong"].reference.lower()})
    assert listed(response) == [ds["duong"].reference]


def test_list_search_does_not_reach_hidden_dossiers(client, listing):
    s, ds = listing
    login(client, s.world.officer_a)
    response = client.get(reverse("dossiers:list"), {"q": "dong van"})
    assert ds["hidden_agency"].reference not in listed(response)
    assert ds["hidden_level"].reference not in listed(response)
    login(client, s.officer_c)
    response = client.get(reverse("dossiers:list"), {"q": "dong van"})
    assert listed(response) == [ds["hidden_agency"].reference]


@pytest.mark.parametrize(
    ("params", "keys"),
    [
        ({"status": "resolved"}, ["muong"]),
        ({"status": "open"}, ["dong_van", "duong"]),
        ({"status": "opened"}, ["dong_van", "duong"]),
        ({"status": "closed_no_result"}, []),
        ({"category": "border"}, ["muong", "duong"]),
        ({"category": "joint"}, ["dong_van"]),
        ({"agency": "b"}, ["dong_van", "muong"]),
        ({"classification": "1"}, ["dong_van"]),
        ({"date_from": "01/04/2010", "date_to": "30/04/2010"}, ["muong"]),
        ({"status": "open", "category": "border"}, ["duong"]),
    ],
)
def test_list_filters(client, listing, params, keys):
    s, ds = listing
    w = s.world
    resolved = {
        k: ({"border": w.border.pk, "joint": w.joint.pk, "b": w.b.pk}.get(v, v))
        for k, v in params.items()
    }
    login(client, w.officer_a)
    response = client.get(reverse("dossiers:list"), resolved)
    assert response.status_code == 200
    assert set(listed(response)) == _refs(ds, *keys)


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        (None, ["duong", "muong", "dong_van"]),  # newest first
        ("-opened", ["duong", "muong", "dong_van"]),
        ("opened", ["dong_van", "muong", "duong"]),
        ("title", ["dong_van", "duong", "muong"]),  # mua…, trộm…, vượt…
        ("-title", ["muong", "duong", "dong_van"]),
        ("reference", ["dong_van", "muong", "duong"]),
        ("-reference", ["duong", "muong", "dong_van"]),
        ("nonsense", ["duong", "muong", "dong_van"]),
    ],
)
def test_list_sorts(client, listing, sort, order):
    s, ds = listing
    login(client, s.world.officer_a)
    response = client.get(reverse("dossiers:list"), {"sort": sort} if sort else {})
    assert listed(response) == [ds[k].reference for k in order]


def test_list_answers_htmx_with_the_rows_only(client, listing):
    s, ds = listing
    login(client, s.world.officer_a)
    response = client.get(reverse("dossiers:list"), {"q": "dong van"}, HTTP_HX_REQUEST="true")
    page = html(response)
    assert response.status_code == 200
    assert "<html" not in page
    assert ds["dong_van"].reference in page
    assert ds["muong"].reference not in page


# --- exports ----------------------------------------------------------------------------------


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return _from_header(list(csv.reader(io.StringIO(body[1:]))))


def _from_header(rows):
    """The table from its header row on: a level mark or a note may come before it."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == "Số hồ sơ")
    return rows[start:]


def _xlsx_rows(response) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["Hồ sơ"]
    return _from_header(list(workbook["Hồ sơ"].iter_rows(values_only=True)))


def test_csv_export_has_only_visible_rows(client, listing):
    s, ds = listing
    login(client, s.world.officer_a)
    response = client.get(reverse("dossiers:export-csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _csv_rows(response)
    assert header[0] == "Số hồ sơ"
    assert {r[0] for r in rows} == _refs(ds, "dong_van", "muong", "duong")
    by_ref = {r[0]: r for r in rows}
    assert by_ref[ds["dong_van"].reference][1] == SCENE_TITLE  # diacritics intact
    assert by_ref[ds["muong"].reference][8] == "20/04/2010"


def test_csv_export_follows_the_filters(client, listing):
    s, ds = listing
    login(client, s.world.officer_a)
    response = client.get(reverse("dossiers:export-csv"), {"q": "dong van"})
    _header, *rows = _csv_rows(response)
    assert [r[0] for r in rows] == [ds["dong_van"].reference]


def test_xlsx_export_has_only_visible_rows(client, listing):
    s, ds = listing
    login(client, s.world.officer_a)
    response = client.get(reverse("dossiers:export-xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    header, *rows = _xlsx_rows(response)
    assert header[:2] == ("Số hồ sơ", "Tên hồ sơ")
    assert {r[0] for r in rows} == _refs(ds, "dong_van", "muong", "duong")
    titles = {r[1] for r in rows}
    assert SCENE_TITLE in titles
    assert not any("Đồng Văn (tối mật)" in t or "buôn lậu" in t for t in titles)


def test_xlsx_export_for_an_outsider_is_only_the_header(client, listing):
    s, _ds = listing
    login(client, s.world.oversight)
    rows = _xlsx_rows(client.get(reverse("dossiers:export-xlsx")))
    assert len(rows) == 1


# --- creating a dossier through the form ------------------------------------------------------


def _create_data(w, **overrides):
    data = {
        "category": w.joint.pk,
        "title": "Vụ lừa bán trẻ em tại xã Phó Bảng, huyện Đồng Văn",
        "summary": "Tin báo từ Đồn Biên phòng Phó Bảng.",
        "lead_agency": w.a.pk,
        "supporting_agencies": [w.b.pk],
        "counterpart": w.f.pk,
        "crime_type": w.crime.pk,
        "classification": int(Classification.MAT),
        "opened_on": "02/03/2010",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    ("overrides", "label", "message"),
    [
        ({"title": ""}, "Tên hồ sơ", REQUIRED),
        ({"title": "   "}, "Tên hồ sơ", REQUIRED),
        (
            {"classification": int(Classification.TOI_MAT)},
            "Độ mật",
            "Lựa chọn không hợp lệ: 2 không có trong danh sách.",
        ),
        (
            {"lead_agency": "b", "supporting_agencies": []},
            "Cơ quan chủ trì",
            "Cơ quan của bạn phải là cơ quan chủ trì hoặc phối hợp của hồ sơ.",
        ),
        (
            {"category": "border"},
            "Tội danh",
            "Chỉ hồ sơ vụ án hình sự mới có tội danh.",
        ),
        ({"opened_on": "31/02/2010"}, "Ngày mở", "Nhập một ngày hợp lệ."),
        ({"counterpart": "b"}, "Đối tác nước ngoài", None),  # domestic agency: not a choice
    ],
    ids=[
        "empty-title",
        "blank-title",
        "above-clearance",
        "not-my-agency",
        "crime-type",
        "date",
        "counterpart",
    ],
)
def test_create_with_bad_input_rerenders_naming_the_field_and_saves_nothing(
    client, scene, overrides, label, message
):
    w = scene.world
    overrides = {
        k: ({"b": w.b.pk, "border": w.border.pk}.get(v, v) if isinstance(v, str) else v)
        for k, v in overrides.items()
    }
    before = (Dossier.objects.count(), DossierParty.objects.count(), AuditEvent.objects.count())
    login(client, w.officer_a)
    response = client.post(reverse("dossiers:create"), _create_data(w, **overrides))
    page = html(response)
    assert response.status_code == 400
    assert "Có lỗi cần sửa" in page
    if message is None:
        assert f"{label}: Lựa chọn không hợp lệ" in page
    else:
        assert f"{label}: {message}" in page  # in the error summary, linked to the field
        assert f'<p class="error-message">{message}</p>' in page  # next to the field
    assert (
        Dossier.objects.count(),
        DossierParty.objects.count(),
        AuditEvent.objects.count(),
    ) == before


def test_create_form_offers_only_levels_within_the_clearance(client, scene):
    login(client, scene.world.officer_a)  # Mật
    form = client.get(reverse("dossiers:create")).context["form"]
    assert [v for v, _label in form.fields["classification"].choices] == [0, 1]
    assert form.fields["lead_agency"].initial == scene.world.a.pk


def test_create_redirects_to_the_detail_page_showing_the_reference(client, scene):
    w = scene.world
    login(client, w.officer_a)
    response = client.post(reverse("dossiers:create"), _create_data(w))
    dossier = Dossier.objects.get(title="Vụ lừa bán trẻ em tại xã Phó Bảng, huyện Đồng Văn")
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:detail", args=[dossier.pk])
    page = html(client.get(response["Location"]))
    assert dossier.reference.startswith("HS-2010-")
    assert f"{dossier.reference}: {dossier.title}" in page
    assert f"Đã mở hồ sơ {dossier.reference}." in page
    assert "MẬT" in page  # the classification banner
    assert dossier.created_by == w.officer_a
    assert set(dossier.parties.values_list("agency__code", flat=True)) == {"cat", "sngv"}


# --- the transition form ----------------------------------------------------------------------


def test_transition_form_refuses_closing_without_an_outcome(client, scene):
    dossier = scene.dossier
    login(client, scene.world.officer_a)
    url = reverse("dossiers:transition", args=[dossier.pk])
    events = TimelineEvent.objects.count()
    response = client.post(url, {"status": "closed_no_result", "outcome": "  ", "on": ""})
    page = html(response)
    assert response.status_code == 400
    assert "Kết quả: Cần ghi kết quả khi kết thúc hồ sơ." in page
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.OPENED
    assert dossier.resolved_on is None
    assert TimelineEvent.objects.count() == events

    response = client.post(
        url,
        {"status": "closed_no_result", "outcome": "Phía bạn không trả lời.", "on": "15/04/2010"},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.CLOSED_NO_RESULT
    assert dossier.resolved_on == d("15/04/2010")


def test_transition_form_offers_and_accepts_only_the_workflows_next_steps(client, scene):
    login(client, scene.world.officer_a)
    detail = client.get(scene.dossier.get_absolute_url())
    choices = [v for v, _l in detail.context["transition_form"].fields["status"].choices]
    assert choices == ["in_progress", "closed_no_result"]
    response = client.post(
        reverse("dossiers:transition", args=[scene.dossier.pk]),
        {"status": "resolved", "outcome": "Đã làm rõ."},
    )
    assert response.status_code == 400
    assert "Chuyển sang: Lựa chọn không hợp lệ" in html(response)
    scene.dossier.refresh_from_db()
    assert scene.dossier.status == DossierStatus.OPENED


def test_transition_date_before_opening_is_refused(client, scene):
    login(client, scene.world.officer_a)
    response = client.post(
        reverse("dossiers:transition", args=[scene.dossier.pk]),
        {"status": "in_progress", "on": "01/01/2009"},
    )
    assert response.status_code == 400
    assert "Ngày chuyển trạng thái không được trước ngày mở hồ sơ." in html(response)


# --- adding a person to a dossier -------------------------------------------------------------


def _person(**overrides):
    data = {
        "full_name": "Lý Thị Mai",
        "native_name": "",
        "latin_name": "",
        "sex": "F",
        "birth_year": "1990",
        "birth_month": "",
        "birth_day": "",
        "nationality": "vn",
        "ethnicity": "Dao",
        "birth_place": "",
        "address": "Thôn Lũng Phìn, xã Lũng Phìn, huyện Đồng Văn",
        "document_kind": "cccd",
        "document_number": "002190001234",
        "role": SubjectRole.VICTIM,
    }
    data.update(overrides)
    return data


def test_adding_a_person_to_a_dossier(client, scene):
    dossier = scene.dossier
    login(client, scene.world.officer_a)
    url = f"{reverse('subjects:create')}?dossier={dossier.pk}"
    form_page = client.get(url)
    assert form_page.status_code == 200
    assert f"Đối tượng sẽ được đưa vào hồ sơ {dossier.reference}." in html(form_page)
    assert "role" in form_page.context["form"].fields

    response = client.post(url, {**_person(), "dossier": dossier.pk})
    assert response.status_code == 302
    assert response["Location"] == dossier.get_absolute_url()
    subject = Subject.objects.get(full_name="Lý Thị Mai")
    assert subject.owner_agency == scene.world.a
    assert subject.nationality == "VN"
    assert DossierSubject.objects.filter(
        dossier=dossier, subject=subject, role=SubjectRole.VICTIM
    ).exists()
    page = html(client.get(response["Location"]))
    assert "Đã ghi nhận đối tượng Lý Thị Mai." in page
    assert "Lý Thị Mai" in page
    assert "Bị hại" in page
    assert "Bổ sung đối tượng Lý Thị Mai (Bị hại)" in page  # the timeline


@pytest.mark.parametrize(
    ("overrides", "text"),
    [
        ({"role": ""}, f"Tư cách trong hồ sơ: {REQUIRED}"),
        ({"birth_month": "13"}, "Tháng sinh: Tháng sinh phải từ 1 đến 12 và đi cùng năm sinh."),
        ({"document_number": ""}, "Số giấy tờ: Cần nhập cả loại và số giấy tờ."),
        ({"full_name": "", "native_name": ""}, "Cần nhập họ và tên."),
    ],
)
def test_adding_a_person_with_bad_input_saves_nothing(client, scene, overrides, text):
    dossier = scene.dossier
    before = (Subject.objects.count(), DossierSubject.objects.count(), AuditEvent.objects.count())
    login(client, scene.world.officer_a)
    url = f"{reverse('subjects:create')}?dossier={dossier.pk}"
    response = client.post(url, {**_person(**overrides), "dossier": dossier.pk})
    assert response.status_code == 400
    assert text in html(response)
    assert (
        Subject.objects.count(),
        DossierSubject.objects.count(),
        AuditEvent.objects.count(),
    ) == before


# --- tasks and correspondence on the detail page ----------------------------------------------


def _message(w, **overrides):
    data = {
        "direction": "in",
        "number_symbol": "88/CAVS",
        "sent_on": "05/03/2010",
        "sender": w.f.pk,
        "recipient": w.a.pk,
        "summary": "Phía bạn trả lời kết quả xác minh nhóm đối tượng.",
        "classification": int(Classification.MAT),
    }
    data.update(overrides)
    return data


def test_message_with_attachment_through_the_form_and_download(client, scene):
    w = scene.world
    login(client, w.officer_b)
    upload = SimpleUploadedFile("tra-loi.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("dossiers:message-add", args=[scene.dossier.pk]), {**_message(w), "file": upload}
    )
    assert response.status_code == 302
    message = Message.objects.get(number_symbol="88/CAVS")
    attachment = Attachment.objects.get(message=message)
    page = html(client.get(scene.dossier.get_absolute_url()))
    assert "Đã ghi công văn." in page
    assert "Phía bạn trả lời kết quả xác minh nhóm đối tượng." in page
    assert reverse("dossiers:attachment", args=[attachment.pk]) in page
    download = client.get(reverse("dossiers:attachment", args=[attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="tra-loi.pdf"'


def test_message_with_a_disguised_file_is_refused_on_the_page(client, scene):
    w = scene.world
    before = (Message.objects.count(), Attachment.objects.count())
    login(client, w.officer_a)
    upload = SimpleUploadedFile(
        "tai-lieu.pdf", b"<html><script>alert(1)</script>", "application/pdf"
    )
    response = client.post(
        reverse("dossiers:message-add", args=[scene.dossier.pk]), {**_message(w), "file": upload}
    )
    assert response.status_code == 400
    assert "không đúng định dạng cho phép" in html(response)
    assert (Message.objects.count(), Attachment.objects.count()) == before


def test_message_classified_above_its_dossier_is_never_shown_below_it(client, scene):
    """A Tối mật message in a Mật dossier: refused, or hidden from Mật-cleared officers."""
    w = scene.world
    login(client, w.leader_a)  # Tối mật clearance
    response = client.post(
        reverse("dossiers:message-add", args=[scene.dossier.pk]),
        _message(w, classification=int(Classification.TOI_MAT), summary="Nội dung Tối mật"),
    )
    if response.status_code == 400:
        assert "Độ mật: " in html(response)
        assert not Message.objects.filter(summary="Nội dung Tối mật").exists()
    else:
        assert response.status_code == 302
    for officer in (w.officer_a, w.officer_b):
        login(client, officer)
        assert "Nội dung Tối mật" not in html(client.get(scene.dossier.get_absolute_url()))


def test_task_added_and_completed_through_the_page(client, scene):
    w = scene.world
    login(client, w.officer_a)
    response = client.post(
        reverse("dossiers:task-add", args=[scene.dossier.pk]),
        {
            "title": "Làm việc với gia đình bị hại",
            "agency": w.b.pk,
            "unit": w.unit_b.pk,
            "due_on": "12/03/2010",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(title="Làm việc với gia đình bị hại")
    assert (task.agency, task.unit, task.due_on) == (w.b, w.unit_b, d("12/03/2010"))

    complete = reverse("dossiers:task-complete", args=[task.pk])
    response = client.post(complete, follow=True)
    assert "Đã ghi nhận hoàn thành nhiệm vụ." in html(response)
    task.refresh_from_db()
    assert task.done_on is not None
    response = client.post(complete, follow=True)
    assert "Nhiệm vụ đã hoàn thành." in html(response)


def test_task_for_an_agency_outside_the_dossier_is_refused(client, scene):
    w = scene.world
    before = Task.objects.count()
    login(client, w.officer_a)
    response = client.post(
        reverse("dossiers:task-add", args=[scene.dossier.pk]),
        {"title": "Tuần tra", "agency": scene.c.pk, "unit": "", "due_on": ""},
    )
    assert response.status_code == 400
    assert "Cơ quan: Lựa chọn không hợp lệ" in html(response)
    assert Task.objects.count() == before


def test_list_pages_keep_the_filters(client, listing, monkeypatch):
    s, ds = listing
    monkeypatch.setattr("phoihop.dossiers.views.PAGE_SIZE", 2)
    login(client, s.world.officer_a)
    first = client.get(reverse("dossiers:list"), {"q": "vu", "sort": "opened"})
    assert listed(first) == [ds["dong_van"].reference, ds["muong"].reference]
    assert "q=vu" in html(first) and "page=2" in html(first)
    second = client.get(reverse("dossiers:list"), {"q": "vu", "sort": "opened", "page": 2})
    assert listed(second) == [ds["duong"].reference]
    # an out-of-range page shows the last one rather than failing
    assert listed(client.get(reverse("dossiers:list"), {"page": 99})) == listed(
        client.get(reverse("dossiers:list"), {"page": 2})
    )


# --- statistics -------------------------------------------------------------------------------


@pytest.fixture
def figures(world):
    """2 joint cases cleared, 1 border incident resolved, 2 persons verified in 2010."""
    w = world

    def ended(category, status, on, counterpart=w.f, opened="01/03/2010"):
        dossier = open_dossier(category, w.a, counterpart=counterpart, opened_on=d(opened))
        return end_dossier(dossier, status, on=d(on))

    ended(w.joint, DossierStatus.RESOLVED, "03/05/2010")
    ended(w.joint, DossierStatus.RESOLVED, "01/06/2010")
    ended(w.joint, DossierStatus.RESOLVED, "02/06/2010", counterpart=None)  # no foreign side
    ended(w.joint, DossierStatus.CLOSED_NO_RESULT, "03/06/2010")
    ended(w.joint, DossierStatus.RESOLVED, "01/02/2011")  # after the period
    ended(w.border, DossierStatus.RESOLVED, "01/07/2010")
    ended(w.border, DossierStatus.CLOSED_NO_RESULT, "02/07/2010")
    open_dossier(w.border, w.a, opened_on=d("01/08/2010"))  # still open

    vd = open_dossier(w.verification, w.a, supporting=[w.b], opened_on=d("01/03/2010"))
    people = [
        subject_services.subject_create_in_dossier(
            actor=SYSTEM,
            dossier=vd,
            role=SubjectRole.UNDER_VERIFICATION,
            owner_agency=w.a,
            full_name=name,
        )
        for name in ("Giàng Mí Sử", "Sùng Thị Mỷ", "Lầu Văn Chứ")
    ]

    def verify(subject, outcome, answered):
        v = subject_services.verification_request(
            actor=SYSTEM,
            dossier=vd,
            subject=subject,
            requested_of=w.b,
            requested_by=w.a,
            question="Đề nghị xác minh nhân thân, nơi cư trú.",
            requested_on=d("02/03/2010"),
        )
        subject_services.verification_answer(
            actor=SYSTEM,
            verification=v,
            outcome=outcome,
            answer="Đã xác minh.",
            answered_on=d(answered),
        )

    verify(people[0], VerificationOutcome.IDENTITY_CONFIRMED, "10/03/2010")
    verify(people[0], VerificationOutcome.IDENTITY_CONFIRMED, "01/04/2010")  # the same person again
    verify(people[1], VerificationOutcome.IDENTITY_CONFIRMED, "12/03/2010")
    verify(people[2], VerificationOutcome.NO_RECORD, "12/03/2010")
    return world


PERIOD_2010 = {"date_from": "01/01/2010", "date_to": "31/12/2010"}


def _headline(page: str) -> dict[str, int]:
    return {key: int(value) for key, value in re.findall(r'data-key="([a-z_]+)">(\d+)<', page)}


def test_statistics_page_shows_the_three_headline_figures(client, figures):
    login(client, figures.oversight)
    response = client.get(reverse("reviews:statistics"), PERIOD_2010)
    page = html(response)
    assert response.status_code == 200
    assert _headline(page) == {
        "joint_criminal_cases_cleared": 2,
        "border_incidents_resolved": 1,
        "subjects_verified": 2,
    }
    assert "Mua bán người" not in page  # no crime type was given to the cleared cases
    assert "Vụ án hình sự phối hợp" in page
    chart = re.search(r'<img class="chart" src="([^"]+)"', page).group(1)
    assert chart.startswith(reverse("reviews:statistics-chart") + "?")


def test_statistics_page_default_period_covers_the_regulation(client, figures):
    login(client, figures.oversight)
    response = client.get(reverse("reviews:statistics"))
    assert response.status_code == 200
    # 02/12/2008 – 02/12/2011 also takes in the case cleared in February 2011
    assert _headline(html(response))["joint_criminal_cases_cleared"] == 3


def test_statistics_of_an_officer_count_only_what_they_see(client, figures, scene):
    login(client, scene.officer_c)
    response = client.get(reverse("reviews:statistics"), PERIOD_2010)
    assert _headline(html(response)) == {
        "joint_criminal_cases_cleared": 0,
        "border_incidents_resolved": 0,
        "subjects_verified": 0,
    }


def test_statistics_with_a_reversed_period_is_refused(client, figures):
    login(client, figures.oversight)
    response = client.get(
        reverse("reviews:statistics"), {"date_from": "31/12/2010", "date_to": "01/01/2010"}
    )
    assert response.status_code == 400
    assert "Ngày kết thúc phải sau ngày bắt đầu." in html(response)
    chart = client.get(
        reverse("reviews:statistics-chart"), {"date_from": "x", "date_to": "01/01/2010"}
    )
    assert chart.status_code == 400


def test_statistics_chart_is_an_svg(client, figures):
    login(client, figures.oversight)
    response = client.get(reverse("reviews:statistics-chart"), PERIOD_2010)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert "<svg" in svg
    assert "<script" not in svg
    assert "Vụ án hình sự phối hợp" in svg  # text kept as text
    assert "Vụ việc biên giới" in svg
    csp = _directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'none'"]
    assert "script-src" not in csp


# --- signing in -------------------------------------------------------------------------------


@pytest.fixture
def demo_user(world):
    return UserFactory(username="demo.canbo", agency=world.a, is_demo=True)


def _sign_in(client, username):
    return client.post(reverse("accounts:login"), {"username": username, "password": TEST_PASSWORD})


def test_demo_user_cannot_sign_in_when_the_demo_is_off(client, settings, demo_user):
    settings.PHOIHOP_DEMO = False
    response = _sign_in(client, demo_user.username)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Có lỗi cần sửa" in html(response)


def test_demo_user_signs_in_when_the_demo_is_on(client, settings, demo_user):
    settings.PHOIHOP_DEMO = True
    response = _sign_in(client, demo_user.username)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:dashboard")
    assert client.session["_auth_user_id"] == str(demo_user.pk)


def test_ordinary_user_signs_in_when_the_demo_is_off(client, settings, world):
    settings.PHOIHOP_DEMO = False
    response = _sign_in(client, world.officer_a.username)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.officer_a.pk)


def test_a_demo_session_ends_when_the_demo_is_turned_off(client, settings, demo_user):
    settings.PHOIHOP_DEMO = True
    assert _sign_in(client, demo_user.username).status_code == 302
    assert client.get(reverse("core:dashboard")).status_code == 200
    settings.PHOIHOP_DEMO = False
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_wrong_password_is_refused(client, world):
    response = client.post(
        reverse("accounts:login"), {"username": world.officer_a.username, "password": "sai"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# --- security headers -------------------------------------------------------------------------


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def _html_pages(s):
    """(user, url) for the HTML pages, including error and form-error pages."""
    w = s.world
    a = w.officer_a
    return [
        (None, reverse("accounts:login")),
        (a, reverse("core:dashboard")),
        (a, reverse("dossiers:list")),
        (a, reverse("dossiers:list") + "?q=dong+van&sort=title"),
        (a, reverse("dossiers:create")),
        (a, reverse("dossiers:detail", args=[s.dossier.pk])),
        (a, reverse("dossiers:edit", args=[s.dossier.pk])),
        (a, reverse("subjects:list") + "?q=vang"),
        (a, reverse("subjects:create") + f"?dossier={s.dossier.pk}"),
        (a, reverse("subjects:detail", args=[s.subject.pk])),
        (a, reverse("regulations:list")),
        (a, reverse("regulations:detail", args=[w.regulation.code])),
        (a, reverse("reviews:statistics")),
        (a, reverse("reviews:statistics") + "?date_from=x&date_to=y"),  # 400
        (s.officer_c, reverse("dossiers:detail", args=[s.dossier.pk])),  # 404
        (a, "/no-such-page/"),  # 404
        (a, reverse("api-docs")),
    ]


def test_every_html_page_carries_a_strict_content_security_policy(client, scene):
    checked = 0
    for user, url in _html_pages(scene):
        login(client, user)
        response = client.get(url)
        assert response["Content-Type"].startswith("text/html"), url
        header = response.get("Content-Security-Policy")
        assert header, f"{url}: no Content-Security-Policy"
        csp = _directives(header)
        script_src = csp.get("script-src", csp.get("default-src"))
        assert script_src, f"{url}: neither script-src nor default-src"
        assert "'unsafe-inline'" not in script_src, url
        assert "'unsafe-eval'" not in script_src, url
        assert "*" not in script_src, url
        assert csp.get("object-src") == ["'none'"], url
        assert csp.get("frame-ancestors") == ["'none'"], url
        page = html(response)
        # The policy would block inline script: the pages must not need any.
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page), f"{url}: inline <script>"
        assert not re.search(r"\son[a-z]+\s*=", page), f"{url}: inline event handler"
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        checked += 1
    assert checked == len(_html_pages(scene))


def test_a_posted_form_with_errors_carries_the_policy_too(client, scene):
    login(client, scene.world.officer_a)
    response = client.post(reverse("dossiers:create"), {"title": ""})
    assert response.status_code == 400
    assert "'unsafe-inline'" not in _directives(response["Content-Security-Policy"])["script-src"]


# --- query budgets ----------------------------------------------------------------------------

LIST_PAGE_BUDGET = 8
API_LIST_BUDGET = 5
EXPORT_BUDGET = 4


def _open_many(world, n, start=0):
    for i in range(start, start + n):
        open_dossier(
            world.joint if i % 2 else world.border,
            world.a,
            supporting=[world.b] if i % 3 else [],
            counterpart=world.f if i % 2 else None,
            crime_type=world.crime if i % 2 else None,
            opened_on=d("01/03/2010"),
            title=f"Vụ việc số {i} tại huyện Đồng Văn",
        )


def _queries(client, url) -> int:
    client.get(url)  # warm up (session, caches)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("url_name", "budget"),
    [
        ("dossiers:list", LIST_PAGE_BUDGET),
        ("dossier-list", API_LIST_BUDGET),
        ("dossiers:export-csv", EXPORT_BUDGET),
    ],
)
def test_list_queries_stay_within_budget_and_do_not_grow(
    client, world, django_assert_max_num_queries, url_name, budget
):
    login(client, world.officer_a)
    url = reverse(url_name)
    _open_many(world, 10)
    with_10 = _queries(client, url)
    _open_many(world, 20, start=10)
    with_30 = _queries(client, url)
    assert with_30 == with_10, f"{url}: {with_10} queries with 10 dossiers, {with_30} with 30"
    with django_assert_max_num_queries(budget):
        response = client.get(url)
        if getattr(response, "streaming", False):
            rows = b"".join(response.streaming_content).decode().splitlines()
            assert len(rows) == 31
    if url_name == "dossier-list":
        assert response.json()["count"] == 30
    elif url_name == "dossiers:list":
        assert response.context["count"] == 30
