"""Checking a list of persons at once (issue 6, point 7): the page, its row actions, the CLI."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from phoihop.audit.models import AuditEvent
from phoihop.core.policy import SYSTEM
from phoihop.subjects import batch as batches
from phoihop.subjects import services
from phoihop.subjects.choices import DocumentKind, Sex, SubjectRole
from phoihop.subjects.models import DossierSubject, Subject, SubjectAccess, Verification
from tests.web_fixtures import login, scene  # noqa: F401

HEADER = list(batches.TEMPLATE_COLUMNS)


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    """Kept lists live in the media storage: a fresh one per test (user ids repeat)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def register(agency, **fields):
    return services.subject_create(actor=SYSTEM, owner_agency=agency, **fields)


@pytest.fixture
def people(scene):
    """Persons registered by A (in no dossier: A's casework users see them), decoys around
    them, and a namesake registered by C that A's users may not see."""
    w = scene.world
    wang = register(
        w.a,
        native_name="王小明",
        sex=Sex.MALE,
        nationality="CN",
        birth_year=1975,
        birth_month=3,
        documents=[{"kind": DocumentKind.PASSPORT, "number": "E12345678", "country": "CN"}],
    )
    register(w.a, native_name="汪晓明", sex=Sex.MALE, nationality="CN", birth_year=1975)
    register(w.a, native_name="王小红", sex=Sex.FEMALE, nationality="CN", birth_year=1980)
    liu = register(w.a, native_name="刘建国", sex=Sex.MALE, nationality="CN", birth_year=1968)
    register(w.a, native_name="刘建军", sex=Sex.MALE, nationality="CN", birth_year=1968)
    duc = register(w.a, full_name="Đặng Văn Đức", sex=Sex.MALE, birth_year=1982)
    register(w.a, full_name="Đặng Văn Đạt", sex=Sex.MALE, birth_year=1982)
    hidden = register(scene.c, full_name="Đặng Văn Đức", sex=Sex.MALE, birth_year=1982)
    return {"wang": wang, "liu": liu, "duc": duc, "hidden": hidden, "dinh": scene.subject}


# Row 2: Hán tự in ten_goc; 3: passport spelling in ten_latinh; 4: a Vietnamese name without
# diacritics in ho_ten; 5: a birth date only; 6: the scene's H'Mông person, lower case, no
# marks; 7: nobody on record.
ROWS = [
    ["", "王小明", "", "Nam", "1975", "CN", "", ""],
    ["", "", "LIU JIANGUO", "M", "", "Trung Quốc", "", ""],
    ["Dang Van Duc", "", "", "", "1982", "", "", ""],
    ["", "", "", "", "12/05/1990", "", "", ""],
    ["vang seo dinh", "", "", "", "1982", "VN", "H'Mông", ""],
    ["Sùng A Páo", "", "", "Nam", "03/1991", "VN", "H'Mông", "012345678901"],
]


def csv_bytes(rows=ROWS, header=HEADER) -> bytes:
    out = io.StringIO()
    out.write(",".join(header) + "\n")
    for row in rows:
        out.write(",".join(row) + "\n")
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(rows=ROWS, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes, name="danh-sach.csv", **extra):
    body = {"file": SimpleUploadedFile(name, data), "purpose": "verification", "note": ""}
    body.update(extra)
    return client.post(reverse("subjects:batch"), body)


def the_batch(user) -> batches.Batch:
    (kept,) = batches.user_batches(user)
    return batches.batch_load(user, kept["token"])


def top(batch, number):
    return [c[0] for c in batch.row(number)["candidates"]]


def result_url(batch, **query):
    url = reverse("subjects:batch-result", args=[batch.token])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# --- reading and matching -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_each_name_form_in_its_column_finds_its_person_first(scene, people, client, kind):
    data, name = (csv_bytes(), "ds.csv") if kind == "csv" else (xlsx_bytes(), "ds.xlsx")
    login(client, scene.world.officer_a)
    response = upload(client, data, name)
    batch = the_batch(scene.world.officer_a)
    assert response.status_code == 302
    assert response["Location"] == result_url(batch)
    assert top(batch, 2)[0] == people["wang"].pk
    assert top(batch, 3)[0] == people["liu"].pk
    assert top(batch, 4)[0] == people["duc"].pk
    assert top(batch, 6)[0] == people["dinh"].pk
    assert top(batch, 5) == []
    for number in (2, 3, 4, 6):
        scores = [c[1] for c in batch.row(number)["candidates"]]
        assert scores == sorted(scores, reverse=True)

    page = client.get(result_url(batch)).content.decode()
    assert "王小明" in page and "LIU JIANGUO" in page and "Dang Van Duc" in page
    assert "Dòng 5 không có tên: cần ít nhất một trong các cột ho_ten, ten_goc, ten_latinh." in page
    # the reasons say which name form agreed
    assert "Chữ Hán trùng khớp (王小明)." in page


def test_a_row_with_only_a_birth_date_is_an_error_naming_the_row(scene, people):
    rows = batches.read_rows(io.BytesIO(csv_bytes()), "ds.csv")
    by_number = {r.number: r for r in rows}
    assert [r.number for r in rows] == [2, 3, 4, 5, 6, 7]
    assert by_number[5].query is None
    assert by_number[5].errors == [(None, batches.no_name_message(5))]
    assert "Dòng 5" in by_number[5].errors[0][1]
    assert by_number[2].errors == [] and by_number[2].query.name == "王小明"


def test_an_empty_nationality_is_unknown_not_vietnamese(scene, people):
    rows = batches.read_rows(io.BytesIO(csv_bytes()), "ds.csv")
    assert rows[2].query.nationality == ""  # row 4 leaves quoc_tich empty
    assert rows[1].query.nationality == "CN"  # "Trung Quốc"


def test_another_agencys_persons_never_appear_as_candidates(scene, people, client):
    login(client, scene.world.officer_a)
    upload(client, csv_bytes())
    batch = the_batch(scene.world.officer_a)
    every = {c[0] for row in batch.rows for c in row["candidates"]}
    assert people["hidden"].pk not in every
    assert people["duc"].pk in every
    # C's officer sees C's namesake, and none of A's persons
    login(client, scene.officer_c)
    upload(client, csv_bytes())
    theirs = the_batch(scene.officer_c)
    assert top(theirs, 4) == [people["hidden"].pk]
    assert {c[0] for row in theirs.rows for c in row["candidates"]} == {people["hidden"].pk}
    page = client.get(result_url(theirs)).content.decode()
    assert f"#{people['wang'].pk} " not in page


def test_matching_is_one_logged_read_for_the_whole_list(scene, people, client):
    login(client, scene.world.officer_a)
    before = AuditEvent.objects.filter(action="subject.accessed").count()
    upload(client, csv_bytes(), note="")
    batch = the_batch(scene.world.officer_a)
    events = AuditEvent.objects.filter(action="subject.accessed")
    assert events.count() == before + 1
    every = {c[0] for row in batch.rows for c in row["candidates"]}
    logged = SubjectAccess.objects.filter(user=scene.world.officer_a)
    assert set(logged.values_list("subject_id", flat=True)) == every
    assert set(logged.values_list("purpose", flat=True)) == {"verification"}
    assert logged.values("event").distinct().count() == 1
    # reading the result again logs nothing more
    client.get(result_url(batch))
    assert AuditEvent.objects.filter(action="subject.accessed").count() == before + 1


def test_a_long_list_is_matched_in_parts_and_logged_once_at_the_end(
    scene, people, client, monkeypatch
):
    from phoihop.subjects import batch_views

    monkeypatch.setattr(batch_views, "ADVANCE_SECONDS", 0)  # one row per request
    login(client, scene.world.officer_a)
    upload(client, csv_bytes())
    batch = the_batch(scene.world.officer_a)
    page = client.get(result_url(batch)).content.decode()
    assert "Đã đối chiếu 1/6 dòng (16%)." in page
    assert "Tiếp tục đối chiếu" in page and 'hx-trigger="load"' in page
    assert not AuditEvent.objects.filter(action="subject.accessed").exists()
    # the rows' pages wait for the whole list
    assert client.get(reverse("subjects:batch-create", args=[batch.token, 2])).status_code == 404
    listed = client.get(reverse("subjects:batch")).content.decode()
    assert "đang đối chiếu (1 dòng)" in listed
    response = client.post(result_url(batch), HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"
    for _ in range(3):
        assert client.post(result_url(batch))["Location"] == result_url(batch)
    assert "Đã đối chiếu 5/6 dòng" in client.get(result_url(batch)).content.decode()
    client.post(result_url(batch))
    page = client.get(result_url(batch)).content.decode()
    assert 'id="dong-7"' in page and "Xác nhận là người này" in page
    assert AuditEvent.objects.filter(action="subject.accessed").count() == 1
    client.post(result_url(batch))  # nothing left to match: nothing logged again
    assert AuditEvent.objects.filter(action="subject.accessed").count() == 1


def test_no_purpose_no_check(scene, people, client):
    login(client, scene.world.officer_a)
    response = upload(client, csv_bytes(), purpose="")
    assert response.status_code == 400
    assert "Mục đích truy cập" in response.content.decode()
    assert batches.user_batches(scene.world.officer_a) == []
    assert not SubjectAccess.objects.exists()


def test_a_list_over_the_limit_is_refused_with_a_clear_message(scene, client):
    rows = [[f"Nguyen Van {i}", "", "", "", "", "", "", ""] for i in range(batches.MAX_ROWS + 1)]
    login(client, scene.world.officer_a)
    response = upload(client, csv_bytes(rows))
    page = response.content.decode()
    assert response.status_code == 400
    assert "hơn 2.000 dòng dữ liệu" in page
    assert "tối đa 2.000 dòng" in page  # said above the form before anyone tries
    assert batches.user_batches(scene.world.officer_a) == []


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "ds.csv", "Tệp rỗng"),
        (b"%PDF-1.4 xxx", "ds.pdf", "không phải bảng CSV hay XLSX"),
        ("ho_ten,Địa chỉ\nA,B\n".encode(), "ds.csv", "Cột không thuộc mẫu: «Địa chỉ»."),
        (b"ngay_sinh\n1980\n", "ds.csv", "Dòng tiêu đề phải dùng các cột của mẫu"),
    ],
)
def test_a_file_that_is_not_a_list_says_why(scene, client, data, name, message):
    login(client, scene.world.officer_a)
    response = upload(client, data, name)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_page_is_for_casework_users_and_is_linked_from_the_persons_list(scene, client):
    login(client, scene.world.officer_a)
    assert reverse("subjects:batch") in client.get(reverse("subjects:list")).content.decode()
    login(client, scene.world.oversight)
    assert client.get(reverse("subjects:batch")).status_code == 404


# --- kept between requests ------------------------------------------------------------------


def test_a_list_is_only_its_owners_and_expires(scene, people, client, monkeypatch):
    login(client, scene.world.officer_a)
    upload(client, csv_bytes())
    batch = the_batch(scene.world.officer_a)
    assert client.get(result_url(batch)).status_code == 200
    login(client, scene.world.officer_b)
    assert client.get(result_url(batch)).status_code == 404
    login(client, scene.world.officer_a)
    monkeypatch.setattr(batches, "EXPIRY_SECONDS", -1)
    assert client.get(result_url(batch)).status_code == 404
    monkeypatch.undo()
    assert batches.user_batches(scene.world.officer_a) == []  # the expired file is gone


def test_a_changed_file_is_refused(scene, people, client):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    login(client, scene.world.officer_a)
    upload(client, csv_bytes())
    batch = the_batch(scene.world.officer_a)
    path = f"{batches.STORAGE_DIR}/{scene.world.officer_a.pk}/{batch.token}"
    default_storage.delete(path)
    forged = {**batch.to_payload(), "rows": []}
    default_storage.save(path, ContentFile(json.dumps(forged).encode()))
    assert client.get(result_url(batch)).status_code == 404


def test_the_result_page_reads_the_persons_in_a_fixed_number_of_queries(
    scene, people, client, django_assert_max_num_queries
):
    rows = ROWS * 8  # 48 rows, one page
    login(client, scene.world.officer_a)
    upload(client, csv_bytes(rows))
    batch = the_batch(scene.world.officer_a)
    with django_assert_max_num_queries(8):
        response = client.get(result_url(batch))
    assert response.status_code == 200
    assert response.content.decode().count("Xác nhận là người này") >= 5 * 8


def test_the_filters_show_the_rows_asked_for(scene, people, client):
    login(client, scene.world.officer_a)
    upload(client, csv_bytes())
    batch = the_batch(scene.world.officer_a)
    errors = client.get(result_url(batch, show="errors")).content.decode()
    assert 'id="dong-5"' in errors and 'id="dong-2"' not in errors
    none = client.get(result_url(batch, show="none")).content.decode()
    assert 'id="dong-5"' in none and 'id="dong-2"' not in none


# --- row actions ----------------------------------------------------------------------------


def test_confirm_marks_the_row_and_places_the_person_in_the_lists_dossier(scene, people, client):
    login(client, scene.world.officer_a)
    upload(client, csv_bytes(), dossier=scene.dossier.pk)
    batch = the_batch(scene.world.officer_a)
    url = reverse("subjects:batch-confirm", args=[batch.token, 2])
    response = client.post(url, {"candidate": people["wang"].pk})
    assert response.status_code == 302
    assert response["Location"] == result_url(batch) + "#dong-2"
    assert DossierSubject.objects.filter(
        dossier=scene.dossier, subject=people["wang"], role=SubjectRole.UNDER_VERIFICATION
    ).exists()
    page = client.get(result_url(batch)).content.decode()
    row = page.split('id="dong-2"')[1].split("</section>")[0]
    assert "Đã xác nhận là" in row and people["wang"].full_name in row
    assert f"trong hồ sơ {scene.dossier.reference}" in row


def test_confirm_refuses_a_person_who_is_not_a_candidate_of_the_row(scene, people, client):
    login(client, scene.world.officer_a)
    upload(client, csv_bytes(), dossier=scene.dossier.pk)
    batch = the_batch(scene.world.officer_a)
    links = DossierSubject.objects.count()
    url = reverse("subjects:batch-confirm", args=[batch.token, 2])
    response = client.post(url, {"candidate": people["duc"].pk}, follow=True)
    assert "Người được chọn không phải ứng viên của dòng này." in response.content.decode()
    assert DossierSubject.objects.count() == links
    assert batches.batch_load(scene.world.officer_a, batch.token).row(2)["outcome"] is None
    # a person of another agency is not a candidate either, and is not revealed
    response = client.post(url, {"candidate": people["hidden"].pk}, follow=True)
    page = response.content.decode()
    assert "Người được chọn không phải ứng viên của dòng này." in page
    assert f"#{people['hidden'].pk} " not in page


def test_create_is_prefilled_from_the_row_and_registers_the_person(scene, people, client):
    login(client, scene.world.officer_a)
    upload(client, csv_bytes(), dossier=scene.dossier.pk)
    batch = the_batch(scene.world.officer_a)
    url = reverse("subjects:batch-create", args=[batch.token, 7])
    form = client.get(url).content.decode()
    assert 'value="Sùng A Páo"' in form
    assert 'value="1991"' in form and 'value="012345678901"' in form
    assert re.search(r'<option value="cccd" selected>', form)
    response = client.post(
        url,
        {
            "full_name": "Sùng A Páo",
            "native_name": "",
            "latin_name": "",
            "sex": "M",
            "birth_year": "1991",
            "birth_month": "3",
            "birth_day": "",
            "nationality": "VN",
            "ethnicity": "H'Mông",
            "document_kind": "cccd",
            "document_number": "012345678901",
            "role": SubjectRole.UNDER_VERIFICATION,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = Subject.objects.get(full_name="Sùng A Páo")
    assert created.owner_agency == scene.world.a and created.birth_month == 3
    assert list(created.documents.values_list("number", flat=True)) == ["012345678901"]
    assert DossierSubject.objects.filter(dossier=scene.dossier, subject=created).exists()
    page = client.get(result_url(batch)).content.decode()
    row = page.split('id="dong-7"')[1].split("</section>")[0]
    assert "Đã ghi nhận mới" in row and "Sùng A Páo" in row


def test_create_shows_the_likely_matches_before_saving(scene, people, client):
    login(client, scene.world.officer_a)
    upload(client, csv_bytes())
    batch = the_batch(scene.world.officer_a)
    url = reverse("subjects:batch-create", args=[batch.token, 4])
    page = client.get(url).content.decode()
    assert "Có thể người này đã có trong hệ thống" in page
    assert people["duc"].get_absolute_url() in page
    count = Subject.objects.count()
    body = {"full_name": "Dang Van Duc", "sex": "U", "nationality": "VN", "birth_year": "1982"}
    response = client.post(url, body)
    assert response.status_code == 400
    assert (
        "xác nhận một người ở danh sách kết quả, hoặc đánh dấu ô này" in response.content.decode()
    )
    assert Subject.objects.count() == count
    # declared another person: saved, and the audit event says whom it was told apart from
    response = client.post(url, {**body, "not_any": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Subject.objects.count() == count + 1
    event = AuditEvent.objects.filter(action="subject.create").latest("seq")
    assert people["duc"].pk in event.changes["distinct_from"]


def test_create_with_bad_data_saves_nothing_and_says_why(scene, people, client):
    login(client, scene.world.officer_a)
    upload(client, csv_bytes())
    batch = the_batch(scene.world.officer_a)
    count = Subject.objects.count()
    url = reverse("subjects:batch-create", args=[batch.token, 7])
    response = client.post(
        url, {"full_name": "", "sex": "M", "nationality": "VN", "birth_year": "1991"}
    )
    assert response.status_code == 400
    assert "Cần nhập họ và tên." in response.content.decode()
    assert Subject.objects.count() == count


def test_request_opens_a_verification_in_the_chosen_dossier(scene, people, client):
    w = scene.world
    login(client, w.officer_a)
    upload(client, csv_bytes())
    batch = the_batch(w.officer_a)
    client.post(
        reverse("subjects:batch-confirm", args=[batch.token, 2]), {"candidate": people["wang"].pk}
    )
    url = reverse("subjects:batch-request", args=[batch.token, 2])
    form = client.get(url).content.decode()
    assert "Đề nghị xác minh nhân thân, lý lịch của người có tên 王小明" in form
    response = client.post(
        url,
        {
            "subject": people["wang"].pk,
            "dossier": scene.dossier.pk,
            "requested_of": w.f.pk,
            "question": "Đề nghị phía bạn xác minh nhân thân Vương Tiểu Minh.",
            "fields": ["native_name", "birth", "nationality", "documents"],
            "message_number_symbol": "125/CAT-PX13",
            "message_summary": "Đề nghị xác minh danh sách đối tượng",
            "response_days": "15",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    verification = Verification.objects.get(subject=people["wang"])
    assert verification.dossier == scene.dossier and verification.requested_of == w.f
    assert verification.requested_by == w.a
    assert verification.message.number_symbol == "125/CAT-PX13"
    assert verification.due_on is not None
    assert DossierSubject.objects.filter(dossier=scene.dossier, subject=people["wang"]).exists()
    page = client.get(result_url(batch)).content.decode()
    row = page.split('id="dong-2"')[1].split("</section>")[0]
    assert "Đã đề nghị xác minh" in row and scene.dossier.reference in row


def test_request_without_a_person_asks_to_confirm_or_create_first(scene, people, client):
    login(client, scene.world.officer_a)
    upload(client, csv_bytes())
    batch = the_batch(scene.world.officer_a)
    page = client.get(reverse("subjects:batch-request", args=[batch.token, 7])).content.decode()
    assert "hãy xác nhận một ứng viên hoặc ghi nhận người mới trước" in page


def test_a_refused_request_saves_nothing(scene, people, client):
    w = scene.world
    login(client, w.officer_a)
    upload(client, csv_bytes())
    batch = the_batch(w.officer_a)
    links = DossierSubject.objects.count()
    response = client.post(
        reverse("subjects:batch-request", args=[batch.token, 2]),
        {
            "subject": people["wang"].pk,
            "dossier": scene.dossier.pk,
            "requested_of": scene.c.pk,  # not a party of the dossier: refused by the service
            "question": "Xác minh.",
            "fields": ["native_name"],
            "message_number_symbol": "126/CAT-PX13",
        },
    )
    assert response.status_code == 400
    assert "Cơ quan được đề nghị phải tham gia hồ sơ" in response.content.decode()
    assert not Verification.objects.exists()
    assert DossierSubject.objects.count() == links  # the link is undone with the request
    assert batches.batch_load(w.officer_a, batch.token).row(2)["outcome"] is None


# --- CLI ------------------------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command("subjects", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_cli_batch_json_lines_parse_and_follow_the_file(scene, people, tmp_path, kind):
    path = tmp_path / f"ds.{kind}"
    path.write_bytes(csv_bytes() if kind == "csv" else xlsx_bytes())
    lines = [json.loads(line) for line in run("match", "--batch", str(path), "--json").splitlines()]
    assert [line["row"] for line in lines] == [2, 3, 4, 5, 6, 7]
    by_row = {line["row"]: line for line in lines}
    assert by_row[2]["candidates"][0]["id"] == people["wang"].pk
    assert by_row[2]["candidates"][0]["documents"] == ["E12345678"]
    assert by_row[3]["candidates"][0]["id"] == people["liu"].pk
    assert by_row[6]["candidates"][0]["id"] == people["dinh"].pk
    # the system actor sees every agency's persons: both namesakes, A's and C's
    assert {c["id"] for c in by_row[4]["candidates"][:2]} == {
        people["duc"].pk,
        people["hidden"].pk,
    }
    for line in lines:
        scores = [c["score"] for c in line["candidates"]]
        assert scores == sorted(scores, reverse=True)
    assert by_row[5]["candidates"] == []
    assert by_row[5]["errors"] == [{"column": None, "message": batches.no_name_message(5)}]
    assert "errors" not in by_row[2]
    assert {"id", "score", "reasons", "full_name", "native_name", "latin_name", "documents"} <= set(
        by_row[2]["candidates"][0]
    )


def test_cli_batch_limit_and_readable_listing(scene, people, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes(csv_bytes())
    lines = [
        json.loads(x)
        for x in run("match", "--batch", str(path), "--json", "--limit", "1").split("\n")
        if x
    ]
    assert all(len(line["candidates"]) <= 1 for line in lines)
    text = run("match", "--batch", str(path))
    assert "Dòng 2: 王小明" in text
    assert "Dòng 5: —" in text and "! Dòng 5 không có tên" in text
    assert "Dòng 7: Sùng A Páo" in text and "Không tìm thấy ứng viên nào." in text
    assert f"#{people['wang'].pk} Vương Tiểu Minh" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Wang", "--batch", "x.csv"], "NAME và --batch không dùng cùng nhau."),
        (["--batch", "x.csv", "--born", "1975"], "--born: không dùng với --batch"),
        (["--batch", "/khong/co/tep.csv"], "không mở được tệp"),
        ([], "NAME: cần tên cần tìm"),
    ],
)
def test_cli_batch_bad_arguments_say_which(world, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        run("match", *args)


def test_cli_batch_unreadable_file_names_the_problem(world, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text("Tên,Địa chỉ\nA,B\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Dòng tiêu đề phải dùng các cột của mẫu"):
        run("match", "--batch", str(path), "--json")
