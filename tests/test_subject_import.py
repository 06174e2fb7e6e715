"""Importing persons from CSV/XLSX: reading, mapping, dry run, warnings, commit by the worker, CLI."""

from __future__ import annotations

import io
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from phoihop.audit.models import AuditEvent
from phoihop.core.exceptions import ServiceError
from phoihop.subjects import imports, tabular
from phoihop.subjects import services as subject_services
from phoihop.subjects.choices import DocumentKind, ImportStatus
from phoihop.subjects.models import IdentityDocument, ImportJob, Subject, SubjectNameKey
from tests.web_fixtures import login

HEADER = ",".join(tabular.TEMPLATE_COLUMNS)
GOOD_ROWS = [
    "Nguyễn Văn Hùng,,,Nam,12/05/1985,VN,Kinh,001085012345",
    "Vương Tiểu Minh,王小明,Wang Xiaoming,M,1990,CN,Hoa,E12345678",
    "Giàng A Páo,,,Nam,03/1978,VN,H'Mông,",
]


def csv_bytes(rows, header=HEADER, bom=False, sep=","):
    text = "\n".join([header.replace(",", sep), *[r.replace(",", sep) for r in rows]]) + "\n"
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def xlsx_bytes(rows, header=tabular.TEMPLATE_COLUMNS):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(actor, data: bytes, name="ds.csv", **kw):
    return imports.import_upload(actor=actor, file=io.BytesIO(data), filename=name, **kw)


def problems(job):
    return [(p.row, p.column, p.level, p.message) for p in job.problems.order_by("row", "id")]


def run_worker():
    """The real worker, until the queue is empty, inside the test's transaction.

    It closes connections that are not in autocommit between jobs (as Django does between
    requests), which would drop the test's transaction on PostgreSQL; pytest-django keeps
    the connection in its request tests the same way.
    """
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        call_command("worker", batch=True, verbosity=0)


# ---------------------------------------------------------------- reading files


@pytest.mark.parametrize(
    "data",
    [csv_bytes(GOOD_ROWS), csv_bytes(GOOD_ROWS, bom=True), csv_bytes(GOOD_ROWS, sep=";")],
    ids=["csv", "csv-bom", "csv-semicolon"],
)
def test_a_template_csv_with_or_without_bom_or_semicolons_checks_clean(world, data):
    job = upload(world.officer_a, data)
    assert job.status == ImportStatus.CHECKED
    assert job.mapping == {c: i for i, c in enumerate(tabular.TEMPLATE_COLUMNS)}
    assert (job.row_count, job.error_count, job.warning_count) == (3, 0, 0), problems(job)
    assert Subject.objects.filter(full_name="Nguyễn Văn Hùng").count() == 0


def test_a_template_xlsx_checks_clean_with_dates_and_numbers_as_typed(world):
    import datetime as dt

    data = xlsx_bytes(
        [
            [
                "Nguyễn Văn Hùng",
                None,
                None,
                "Nam",
                dt.datetime(1985, 5, 12),
                "VN",
                "Kinh",
                1085012345,
            ],
            ["Lò Thị Mai", None, None, "Nữ", 1990, "VN", "Tày", None],
        ]
    )
    job = upload(world.officer_a, data, "ds.xlsx")
    assert (job.row_count, job.error_count) == (2, 0), problems(job)
    staged = dict(job.rows.values_list("row", "fields"))
    assert staged[2]["birth_day"] == 12 and staged[2]["birth_month"] == 5
    assert staged[2]["documents"][0]["number"] == "1085012345"
    assert staged[3]["birth_year"] == 1990 and staged[3]["sex"] == "F"


def test_vietnamese_header_labels_are_the_template(world):
    header = "Họ và tên,Tên gốc,Ngày sinh,Quốc tịch,Số giấy tờ"
    job = upload(world.officer_a, csv_bytes(["Lò Văn Sáng,,1980,VN,"], header=header))
    assert job.mapping == {
        "ho_ten": 0,
        "ten_goc": 1,
        "ngay_sinh": 2,
        "quoc_tich": 3,
        "so_giay_to": 4,
    }
    assert job.status == ImportStatus.CHECKED and job.error_count == 0


# ---------------------------------------------------------------- bad input


def refused(actor, data, name="ds.csv"):
    before = (ImportJob.objects.count(), Subject.objects.count())
    with pytest.raises(ServiceError) as exc:
        upload(actor, data, name)
    assert (ImportJob.objects.count(), Subject.objects.count()) == before
    return exc.value.message_dict["file"][0]


def test_a_file_that_is_not_a_table_is_refused(world):
    assert "không phải bảng CSV hay XLSX" in refused(world.officer_a, b"%PDF-1.4\x00\x01", "a.pdf")
    assert "không phải bảng XLSX" in refused(world.officer_a, b"PK\x03\x04junk", "a.docx")
    assert ".xls" in refused(world.officer_a, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)


def test_a_file_not_in_utf8_is_refused_saying_to_save_as_utf8(world):
    data = "ho_ten,ngay_sinh\nNguyên Đăng,1985\n".encode("cp1252", errors="replace")
    data = b"ho_ten,ngay_sinh\n" + "Hoàng Anh,1985\n".encode("cp1252")
    message = refused(world.officer_a, data)
    assert "UTF-8" in message and "dòng 2" in message


def test_an_empty_file_and_a_file_without_header_are_refused(world):
    assert "rỗng" in refused(world.officer_a, b"")
    assert "rỗng" in refused(world.officer_a, b"\xef\xbb\xbf\n\n")
    message = refused(world.officer_a, "Nguyễn Văn Hùng,12/05/1985,VN\n".encode())
    assert "Thiếu dòng tiêu đề" in message and "dòng 1 cột B" in message


def test_too_many_rows_is_refused_naming_the_limit_and_nothing_is_saved(world, settings):
    settings.PHOIHOP_IMPORT_MAX_ROWS = 5
    job = upload(world.officer_a, csv_bytes([f"Người Số {chr(65 + i)},,,,,,," for i in range(7)]))
    assert job.error_count == 1
    [(row, _column, level, message)] = problems(job)
    assert row == 0 and level == "error" and "hơn 5 dòng" in message and "dòng 7" in message
    assert job.rows.count() == 0
    with pytest.raises(ServiceError):
        imports.import_commit(actor=world.officer_a, job=job)


def test_a_formula_cell_is_refused_naming_row_and_column(world):
    data = xlsx_bytes([["Lò Văn Sáng", None, None, None, "=DATE(1980,1,1)", "VN", None, None]])
    job = upload(world.officer_a, data, "ds.xlsx")
    [(_row, _column, _level, message)] = problems(job)
    assert "công thức" in message and "dòng 2, cột ngay_sinh" in message and "E2" in message


@pytest.mark.parametrize(
    ("row", "column", "text"),
    [
        (",,,,1980,VN,,", "ho_ten", "Thiếu tên"),
        ("@@ ## !!,,,,1980,VN,,", "ho_ten", "chỉ gồm khoảng trắng hoặc ký hiệu"),
        ("Lò Văn Sáng,,,,01/01/2999,VN,,", "ngay_sinh", "ở tương lai"),
        ("Lò Văn Sáng,,,,31/02/1980,VN,,", "ngay_sinh", "không có thật"),
        ("Lò Văn Sáng,,,,năm 80,VN,,", "ngay_sinh", "yyyy, mm/yyyy hoặc dd/mm/yyyy"),
        ("Lò Văn Sáng,,,,1980,XY,,", "quoc_tich", "ISO 3166"),
        ("Lò Văn Sáng,,,X,1980,VN,,", "gioi_tinh", "Nam, Nữ"),
    ],
)
def test_each_bad_cell_is_an_error_naming_row_and_column_and_blocks_the_commit(
    world, row, column, text
):
    job = upload(world.officer_a, csv_bytes([GOOD_ROWS[0], row]))
    assert [(r, c, lvl) for r, c, lvl, _m in problems(job)] == [(3, column, "error")]
    assert text in problems(job)[0][3]
    with pytest.raises(ServiceError, match="1 lỗi"):
        imports.import_commit(actor=world.officer_a, job=job)
    assert not Subject.objects.filter(full_name="Nguyễn Văn Hùng").exists()


def test_a_document_number_twice_in_the_file_or_on_record_is_an_error(world):
    subject_services.subject_create(
        actor=world.officer_a,
        full_name="Hoàng Văn Đã Có",
        documents=[{"kind": DocumentKind.CCCD, "number": "002090000001"}],
    )
    job = upload(
        world.officer_a,
        csv_bytes(
            [
                "Lò Văn A,,,,1980,VN,,B7654321",
                "Lò Văn B,,,,1981,VN,,b 7654321",
                "Lò Văn C,,,,1982,VN,,002090000001",
            ]
        ),
    )
    errors = [(r, c, m) for r, c, lvl, m in problems(job) if lvl == "error"]
    assert (3, "so_giay_to", "Số giấy tờ B7654321 trùng với dòng 2 của tệp.") in errors
    assert any(
        r == 4 and "002090000001 đã có" in m and "Hoàng Văn Đã Có" in m for r, _c, m in errors
    )
    assert job.error_count == 2


# ---------------------------------------------------------------- warnings


def test_a_likely_match_on_record_or_in_the_file_is_a_warning_resolved_by_link_or_accept(
    world, django_capture_on_commit_callbacks
):
    known = subject_services.subject_create(
        actor=world.officer_a, full_name="Vương Tiểu Minh", native_name="王小明", birth_year=1990
    )
    rows = [
        "Vuong Tieu Minh,,,,1990,CN,,",  # the known person, without diacritics
        "Lò Văn Sáng,,,,1980,VN,,",
        "LO VAN SANG,,,,1980,VN,,",  # the row above again
        "Lò Văn Sáng,,,,1955,VN,,",  # a namesake of another year: no warning
    ]
    job = upload(world.officer_a, csv_bytes(rows))
    assert job.error_count == 0 and job.warning_count == 2
    on_record = job.problems.get(row=2)
    assert on_record.candidates == [known.pk] and "Vương Tiểu Minh" in on_record.message
    in_file = job.problems.get(row=4)
    assert in_file.same_rows == [3] and "dòng 3" in in_file.message

    with pytest.raises(ServiceError, match="cảnh báo chưa xử lý"):
        imports.import_commit(actor=world.officer_a, job=job)
    imports.import_resolve(
        actor=world.officer_a,
        job=job,
        problem_id=on_record.pk,
        resolution="link",
        subject_id=known.pk,
    )
    imports.import_resolve(
        actor=world.officer_a, job=job, problem_id=in_file.pk, resolution="accept"
    )
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_commit(actor=world.officer_a, job=job)
    run_worker()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.message
    assert (job.created_count, job.linked_count) == (3, 1)
    assert Subject.objects.filter(full_name="Vương Tiểu Minh").count() == 1
    assert Subject.objects.filter(full_name__in=["Lò Văn Sáng", "LO VAN SANG"]).count() == 3


# ---------------------------------------------------------------- commit


def test_the_commit_runs_in_the_real_worker_creating_persons_documents_keys_and_audit(
    world, django_capture_on_commit_callbacks
):
    job = upload(world.officer_a, csv_bytes(GOOD_ROWS))
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_commit(actor=world.officer_a, job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED and job.task_id
    assert imports.read_progress(job)["percent"] == 0
    run_worker()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.message
    assert job.created_count == 3
    wang = Subject.objects.get(native_name="王小明")
    assert wang.owner_agency == world.a and wang.birth_year == 1990 and wang.pinyin
    assert IdentityDocument.objects.get(number="E12345678").kind == DocumentKind.PASSPORT
    assert IdentityDocument.objects.get(number="001085012345").kind == DocumentKind.CCCD
    assert SubjectNameKey.objects.filter(subject=wang, kind="han", key="王小明").exists()
    assert imports.read_progress(job) == {"done": 3, "total": 3, "percent": 100, "stalled": False}
    assert AuditEvent.objects.filter(action="subject.import.create").count() == 1
    assert not job.rows.exists()


def test_a_commit_that_fails_midway_leaves_nothing_saved(world, monkeypatch):
    job = upload(world.officer_a, csv_bytes(GOOD_ROWS))
    imports.import_commit(actor=world.officer_a, job=job, enqueue=False)
    monkeypatch.setattr(imports, "BATCH", 1)
    calls = []

    def dying(done, total):
        calls.append(done)
        if done == 2:
            raise KeyboardInterrupt  # the worker stopped midway

    with pytest.raises(KeyboardInterrupt):
        imports.import_run(job.pk, progress=dying)
    assert calls == [0, 1, 2]
    assert not Subject.objects.filter(full_name__in=["Nguyễn Văn Hùng", "Vương Tiểu Minh"]).exists()
    assert not IdentityDocument.objects.filter(number="001085012345").exists()
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "không người nào được tạo" in job.message


# ---------------------------------------------------------------- pages


def test_the_mapping_step_prefills_a_guess_and_checks_with_the_users_columns(world, client):
    login(client, world.officer_a)
    data = csv_bytes(
        ["Lò Văn Sáng,31/02/1980,Việt Nam,X1", "Lò Thị Mai,1985,VN,"],
        header="Tên đầy đủ người,Sinh ngày tháng,Quốc tịch,Ghi chú",
    )
    response = client.post(
        reverse("subjects:import-upload"), {"file": SimpleUploadedFile("ds.csv", data)}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "subjects:import-map", args=[job.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert '<option value="2" selected>Quốc tịch</option>' in page
    response = client.post(
        reverse("subjects:import-map", args=[job.pk]),
        {"ho_ten": "0", "ngay_sinh": "1", "quoc_tich": "2"},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Sinh ngày tháng" in page and "31/02/1980" in page and "không có thật" in page
    job.refresh_from_db()
    assert job.mapping == {"ho_ten": 0, "ngay_sinh": 1, "quoc_tich": 2} and job.error_count == 1


def test_a_mapping_without_a_name_column_is_refused_on_the_page(world, client):
    login(client, world.officer_a)
    client.post(
        reverse("subjects:import-upload"),
        {"file": SimpleUploadedFile("ds.csv", csv_bytes(["A,1"], header="X,Y"))},
    )
    job = ImportJob.objects.get()
    response = client.post(reverse("subjects:import-map", args=[job.pk]), {"ngay_sinh": "1"})
    assert response.status_code == 400
    assert "Cần ghép ít nhất một cột tên" in response.content.decode()


def test_a_bad_file_is_refused_on_the_upload_page_with_its_reason(world, client):
    login(client, world.officer_a)
    response = client.post(
        reverse("subjects:import-upload"), {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4\0")}
    )
    assert response.status_code == 400
    assert "không phải bảng CSV hay XLSX" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_warnings_are_resolved_on_the_page_then_the_commit_shows_progress_until_done(
    world, client, django_capture_on_commit_callbacks
):
    known = subject_services.subject_create(
        actor=world.officer_a, full_name="Lò Văn Sáng", birth_year=1980
    )
    login(client, world.officer_a)
    client.post(
        reverse("subjects:import-upload"),
        {"file": SimpleUploadedFile("ds.csv", csv_bytes(["lo van sang,,,,1980,VN,,", *GOOD_ROWS]))},
    )
    job = ImportJob.objects.get()
    page = client.get(job.get_absolute_url()).content.decode()
    assert f"#{known.pk} Lò Văn Sáng" in page and "Xử lý hết các cảnh báo trước khi ghi" in page
    refused = client.post(reverse("subjects:import-commit", args=[job.pk]))
    assert refused.status_code == 400 and "cảnh báo chưa xử lý" in refused.content.decode()
    warning = job.problems.get()
    client.post(
        reverse("subjects:import-resolve", args=[job.pk]),
        {"problem": warning.pk, "choice": f"subject:{known.pk}"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("subjects:import-commit", args=[job.pk]))
    assert response.status_code == 302
    progress_url = reverse("subjects:import-progress", args=[job.pk])
    polling = client.get(progress_url, headers={"HX-Request": "true"})
    body = polling.content.decode()
    assert 'hx-trigger="every 2s"' in body and "0 / 4 dòng" in body and "<script" not in body
    run_worker()
    done = client.get(progress_url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true" and "hx-trigger" not in done.content.decode()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Đã ghi 3 người mới; 1 dòng là người đã có" in page
    assert Subject.objects.filter(full_name="Lò Văn Sáng").count() == 1


def test_another_officer_cannot_see_or_commit_an_import(world, client):
    job = upload(world.officer_a, csv_bytes(GOOD_ROWS))
    login(client, world.officer_b)
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.post(reverse("subjects:import-commit", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED


def test_the_problem_list_reads_in_a_bounded_number_of_queries(
    world, client, django_assert_max_num_queries
):
    rows = [f"Lò Văn {chr(65 + i)},,,,2999,VN,," for i in range(20)]
    job = upload(world.officer_a, csv_bytes(rows))
    assert job.error_count == 20
    login(client, world.officer_a)
    with django_assert_max_num_queries(15):
        assert client.get(job.get_absolute_url()).status_code == 200


# ---------------------------------------------------------------- CLI


def write(tmp_path, data: bytes, name="ds.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_the_cli_dry_run_prints_every_problem_row_and_saves_nothing(world, tmp_path, capsys):
    path = write(tmp_path, csv_bytes([GOOD_ROWS[0], "Lò Văn Sáng,,,,1980,XX,,", ",,,,1980,VN,,"]))
    with pytest.raises(CommandError, match="2 lỗi"):
        call_command("subjects", "import", path, "--dry-run", "--agency", "cat")
    out = capsys.readouterr().out
    assert "LỖI: dòng 3, cột quoc_tich: Quốc tịch «XX»" in out
    assert "LỖI: dòng 4, cột ho_ten: Thiếu tên" in out
    assert not Subject.objects.exists() and not ImportJob.objects.exists()


def test_the_cli_commits_a_clean_file_printing_progress(world, tmp_path, capsys):
    path = write(tmp_path, xlsx_bytes([r.split(",") for r in GOOD_ROWS]), "ds.xlsx")
    call_command("subjects", "import", path, "--dry-run", "--agency", "cat")
    assert not Subject.objects.exists()
    call_command("subjects", "import", path, "--agency", "cat")
    captured = capsys.readouterr()
    assert "đã ghi 3/3 dòng" in captured.err and "Đã ghi: 3 người mới" in captured.out
    assert set(Subject.objects.values_list("owner_agency__code", flat=True)) == {"cat"}


def test_the_cli_needs_template_columns_and_an_agency(world, tmp_path):
    with pytest.raises(CommandError, match="không theo cột mẫu"):
        call_command(
            "subjects",
            "import",
            write(tmp_path, csv_bytes(["A"], header="Ghi chú")),
            "--agency",
            "cat",
        )
    with pytest.raises(CommandError, match="--agency"):
        call_command("subjects", "import", write(tmp_path, csv_bytes(GOOD_ROWS)))
    assert not ImportJob.objects.exists()


def test_the_committed_persons_have_the_keys_and_search_text_of_one_created_by_hand(world):
    """The import derives keys and search text in the dry run (cached per name): the same as
    `matching.subject_keys` and `services.refresh_search` give for the saved person."""
    from phoihop.subjects import matching

    rows = [
        *GOOD_ROWS,
        "Đặng Thị Sinh,,,Nữ,01/02/2000,VN,Kinh,001300000001; C1234567",
        ",王小明,,M,05/1990,CN,Hoa,",  # the name in Vietnamese derived from the Hán tự
        ",張偉,,M,1985,CN,Hoa,",  # traditional characters
        ",,ZHANG WEI,M,,CN,,G12345678",  # only the passport spelling, no birth date
        "Nguyễn Văn Hùng,,,Nam,1985,VN,Kinh,",  # the same name, another date
    ]
    job = upload(world.officer_a, csv_bytes(rows))
    assert job.error_count == 0, problems(job)
    imports.import_commit(actor=world.officer_a, job=job, accept_warnings=True, enqueue=False)
    assert imports.import_run(job.pk)["created"] == len(rows)
    created = Subject.objects.filter(owner_agency=world.a).prefetch_related("documents")
    assert created.count() == len(rows)
    for subject in created:
        numbers = [d.number for d in subject.documents.all()]
        expected = matching.subject_keys(
            {f: getattr(subject, f) for f in matching.NAME_FIELDS}, numbers
        )
        stored = set(SubjectNameKey.objects.filter(subject=subject).values_list("kind", "key"))
        assert stored == expected, subject.full_name
        search_text = subject.search_text
        subject_services.refresh_search(subject, numbers)
        assert search_text == subject.search_text
    zhang = Subject.objects.get(native_name="張偉")
    assert zhang.full_name == zhang.han_viet and zhang.pinyin and not zhang.readings_confirmed
    assert Subject.objects.get(latin_name="ZHANG WEI").full_name == "ZHANG WEI"
