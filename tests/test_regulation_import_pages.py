"""Importing a regulation through the pages: upload, preview, confirm, responsibilities,
export; and the services underneath (`regulations.imports`)."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from phoihop.audit.models import AuditEvent
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM
from phoihop.regulations.choices import RegulationStatus, ResponsibilityRole
from phoihop.regulations.importer import parse_docx
from phoihop.regulations.imports import (
    regulation_import,
    responsibilities_save,
    tree_counts,
)
from phoihop.regulations.models import (
    Article,
    Chapter,
    Clause,
    Point,
    Regulation,
    Responsibility,
    Section,
)
from phoihop.regulations.selectors import regulation_as_tree
from phoihop.regulations.tree import ArticleNode, ChapterNode, RegulationTree
from tests.data import sample_regulation as sample
from tests.factories import AgencyFactory
from tests.signin import force_login

IMPORT = reverse("regulations:import")
PREVIEW = reverse("regulations:import-preview")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def sample_docx(tmp_path) -> bytes:
    return sample.build_docx(tmp_path / "quy-che.docx").read_bytes()


@pytest.fixture
def editor(client, world):
    return force_login(client, world.secretariat)


def docx_bytes(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, name: str = "quy-che.docx"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data, content_type=DOCX_TYPE)})


def rows_in_db() -> dict[str, int]:
    return {
        "regulations": Regulation.objects.count(),
        "chapters": Chapter.objects.count(),
        "sections": Section.objects.count(),
        "articles": Article.objects.count(),
        "clauses": Clause.objects.count(),
        "points": Point.objects.count(),
        "responsibilities": Responsibility.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def counts_of(regulation: Regulation) -> dict[str, int]:
    return {
        "chapters": Chapter.objects.filter(regulation=regulation).count(),
        "sections": Section.objects.filter(chapter__regulation=regulation).count(),
        "articles": Article.objects.filter(chapter__regulation=regulation).count(),
        "clauses": Clause.objects.filter(article__chapter__regulation=regulation).count(),
        "points": Point.objects.filter(clause__article__chapter__regulation=regulation).count(),
    }


def confirm_data(client, **overrides) -> dict:
    """The confirmation form as the preview page fills it, plus a code."""
    form = client.get(PREVIEW).context["form"]
    data = {
        "token": form.initial["token"],
        "code": "qcph-2011",
        "title": form.initial["title"],
        "parties": [str(pk) for pk in form.initial["parties"]],
        "number_symbol": "02/QCPH-CAT-SNgV",
        "place": "Hà Giang",
        "previous": "",
    }
    data.update(overrides)
    return data


def imported(world, sample_docx, code="qcph-2011") -> Regulation:
    return regulation_import(
        actor=world.secretariat,
        tree=parse_docx(sample_docx),
        code=code,
        parties=[world.a, world.b],
        number_symbol="02/QCPH-CAT-SNgV",
        place="Hà Giang",
    )


# --- upload and preview ------------------------------------------------------------------------


def test_upload_shows_the_recognised_tree_and_saves_nothing_yet(editor, sample_docx):
    before = rows_in_db()
    response = upload(editor, sample_docx)
    assert response.status_code == 302
    assert response["Location"] == PREVIEW
    page = editor.get(PREVIEW)
    assert page.status_code == 200
    html = page.content.decode()
    assert "chưa có gì được lưu" in html
    assert "Chương I. QUY ĐỊNH CHUNG" in html
    assert "Mục 1. PHỐI HỢP ĐẤU TRANH PHÒNG, CHỐNG TỘI PHẠM" in html
    assert "Điều 6. Phối hợp điều tra vụ án hình sự có yếu tố nước ngoài" in html
    assert "<details>" in html
    assert "Các vụ bắt cóc, chiếm đoạt, mua bán trẻ em qua biên giới" in html  # the full text
    assert "3 khoản, 5 điểm" in html  # Điều 6
    assert "Mọi đoạn của phần nội dung đều đã được nhận dạng." in html
    assert page.context["counts"] == sample.EXPECTED
    assert page.context["form"].initial["title"] == sample.TITLE
    assert rows_in_db() == before


def test_confirm_saves_a_draft_with_exactly_the_samples_parts(editor, world, sample_docx):
    upload(editor, sample_docx)
    response = editor.post(PREVIEW, confirm_data(editor))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse("regulations:responsibilities", args=["qcph-2011"])
    regulation = Regulation.objects.get(code="qcph-2011")
    assert regulation.status == RegulationStatus.DRAFT
    assert regulation.title == sample.TITLE
    assert regulation.number_symbol == "02/QCPH-CAT-SNgV"
    assert regulation.place == "Hà Giang"
    assert (regulation.series, regulation.version) == ("qcph-2011", 1)
    assert set(regulation.parties.all()) == {world.a, world.b}
    assert counts_of(regulation) == sample.EXPECTED
    event = AuditEvent.objects.filter(action="regulation.import").get()
    assert event.object_id == str(regulation.pk)
    assert event.actor_label == world.secretariat.username
    # the upload is forgotten once saved
    assert editor.get(PREVIEW)["Location"] == IMPORT


def test_pasted_plain_text_gives_the_same_preview(editor):
    response = editor.post(IMPORT, {"text": sample.TEXT})
    assert response.status_code == 302
    page = editor.get(PREVIEW)
    assert page.context["counts"] == sample.EXPECTED
    assert "Nội dung dán vào" in page.content.decode()


def test_unrecognised_paragraphs_are_listed_with_their_number_and_reason(editor):
    text = "\n".join(
        [
            "Chương I",
            "QUY ĐỊNH CHUNG",
            "Điều 1. Phạm vi",
            "1. Khoản một.",
            "3. Khoản ba viết nhầm số.",
            "Điều 2. Hiệu lực",
            "Quy chế có hiệu lực từ ngày ký.",
        ]
    )
    editor.post(IMPORT, {"text": text})
    html = editor.get(PREVIEW).content.decode()
    assert "Đoạn chưa nhận dạng được" in html
    assert '<td class="num">5</td>' in html
    assert "3. Khoản ba viết nhầm số." in html
    assert "Khoản 3 của Điều 1 bỏ cách số thứ tự (khoản trước là 1)." in html


def test_a_tree_the_service_would_refuse_is_shown_without_a_confirm_form(editor):
    editor.post(
        IMPORT,
        {"text": "Điều 2. Hai\nNội dung.\nĐiều 1. Một\nNội dung."},
    )
    page = editor.get(PREVIEW)
    html = page.content.decode()
    assert "Văn bản chưa lưu được" in html
    assert "Điều 1 không đúng thứ tự" in html
    assert "Lưu thành bản dự thảo</button>" not in html


BAD_INPUTS = [
    ("pdf", lambda d: b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF", "Tệp không phải .docx mà là tệp PDF"),
    ("corrupt", lambda d: d[: len(d) // 2], "Tệp .docx bị hỏng"),
    (
        "no-article",
        lambda d: docx_bytes("QUY CHẾ", "Phối hợp", "Chương I", "Nội dung chung."),
        "Không tìm thấy điều nào trong văn bản",
    ),
    (
        "duplicate-article",
        lambda d: docx_bytes("Chương I", "CHUNG", "Điều 1. Một", "Nội dung.", "Điều 1. Lại một"),
        "Điều 1 xuất hiện hai lần (đoạn 3 và 5).",
    ),
    ("old-word", lambda d: bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 600, "Word 97–2003"),
]


@pytest.mark.parametrize(
    ("data", "message"), [(b[1], b[2]) for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_files_are_refused_on_the_form_and_nothing_is_kept(editor, sample_docx, data, message):
    before = rows_in_db()
    response = upload(editor, data(sample_docx))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert editor.get(PREVIEW)["Location"] == IMPORT  # nothing pending
    assert rows_in_db() == before


def test_pasted_text_without_any_article_is_refused_on_the_text_field(editor):
    response = editor.post(IMPORT, {"text": "Quy chế phối hợp\nHai cơ quan phối hợp."})
    assert response.status_code == 400
    assert "Không tìm thấy điều nào" in str(response.context["form"].errors["text"])


def test_the_upload_form_needs_exactly_one_of_file_and_text(editor, sample_docx):
    empty = editor.post(IMPORT, {})
    assert empty.status_code == 400
    assert "Chọn tệp .docx của quy chế" in empty.content.decode()
    both = editor.post(
        IMPORT,
        {"file": SimpleUploadedFile("a.docx", sample_docx), "text": sample.TEXT},
    )
    assert both.status_code == 400
    assert "Chỉ chọn một cách" in both.content.decode()


def test_a_file_over_the_limit_is_refused(editor, monkeypatch):
    from phoihop.regulations import import_views

    monkeypatch.setattr(import_views, "MAX_UPLOAD_BYTES", 1000)
    response = upload(editor, b"PK" + b"x" * 2000)
    assert response.status_code == 400
    assert "Tệp quá lớn" in response.content.decode()


def test_a_duplicate_code_is_refused_on_its_field_and_nothing_is_saved(editor, world, sample_docx):
    upload(editor, sample_docx)
    before = rows_in_db()
    response = editor.post(PREVIEW, confirm_data(editor, code=world.regulation.code))
    assert response.status_code == 400
    assert "Mã quy chế “QC-THU” đã tồn tại." in str(response.context["form"].errors["code"])
    assert rows_in_db() == before


def test_a_stale_preview_cannot_save_another_upload(editor, sample_docx):
    upload(editor, sample_docx)
    stale = confirm_data(editor)
    editor.post(IMPORT, {"text": "Điều 1. Một\nNội dung."})  # another tab, another file
    before = rows_in_db()
    response = editor.post(PREVIEW, stale)
    assert response.status_code == 400
    assert "Trang xem trước này đã cũ" in response.content.decode()
    assert rows_in_db() == before


def test_confirm_without_a_pending_upload_goes_back_to_the_upload(editor):
    response = editor.post(PREVIEW, {"token": "x", "code": "qc"})
    assert response.status_code == 302
    assert response["Location"] == IMPORT


@pytest.mark.parametrize("who", ["officer_a", "leader_a", "oversight"])
def test_those_who_do_not_draft_regulations_get_404(client, world, who, sample_docx):
    force_login(client, getattr(world, who))
    code = world.regulation.code
    for url in (IMPORT, PREVIEW, reverse("regulations:responsibilities", args=[code])):
        assert client.get(url).status_code == 404, url
    before = rows_in_db()
    assert upload(client, sample_docx).status_code == 404
    assert client.post(PREVIEW, {"code": "x"}).status_code == 404
    assert rows_in_db() == before


def test_the_list_page_links_to_the_import_only_for_editors(client, world):
    force_login(client, world.secretariat)
    assert IMPORT in client.get(reverse("regulations:list")).content.decode()
    force_login(client, world.officer_a)
    assert IMPORT not in client.get(reverse("regulations:list")).content.decode()


# --- responsibilities --------------------------------------------------------------------------


def _row_data(response) -> dict:
    """The responsibilities form as the page fills it."""
    data = {"save": "1"}
    for group in response.context["groups"]:
        for row in group.rows:
            form = row.form
            for name in ("origin", "agency", "role", "response_days", "response_hours"):
                value = form.initial.get(name)
                data[form.add_prefix(name)] = "" if value is None else str(value)
            data[form.add_prefix("task_title")] = form.initial.get("task_title", "")
    return data


def _row_prefix(response, article: int, clause: int, agency) -> str:
    for group in response.context["groups"]:
        if (group.clause.article.number, group.clause.number) == (article, clause):
            for row in group.rows:
                if row.form.initial.get("agency") == agency.pk:
                    return row.form.prefix
    raise AssertionError((article, clause, agency))


def test_responsibilities_page_offers_the_suggestions_read_from_the_text(
    editor, world, sample_docx
):
    regulation = imported(world, sample_docx)
    response = editor.get(reverse("regulations:responsibilities", args=[regulation.code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Gợi ý" in html
    assert "Cần xác nhận trước khi lưu." in html
    # Điều 10 khoản 1: "Sở Ngoại vụ phối hợp … trả lời chậm nhất 07 ngày làm việc"
    assert "Sở Ngoại vụ phối hợp" in html
    assert "chậm nhất 07 ngày làm việc" in html
    prefix = _row_prefix(response, 10, 1, world.b)
    form = next(
        row.form for g in response.context["groups"] for row in g.rows if row.form.prefix == prefix
    )
    assert form.initial["role"] == ResponsibilityRole.SUPPORT
    assert form.initial["response_days"] == 7
    assert (
        Responsibility.objects.filter(clause__article__chapter__regulation=regulation).count() == 0
    )


def test_the_responsibilities_page_costs_a_bounded_number_of_queries(
    editor, world, sample_docx, django_assert_max_num_queries
):
    regulation = imported(world, sample_docx)
    url = reverse("regulations:responsibilities", args=[regulation.code])
    with django_assert_max_num_queries(12):
        assert editor.get(url).status_code == 200


def test_saving_the_confirmed_suggestions_assigns_them_per_clause(editor, world, sample_docx):
    regulation = imported(world, sample_docx)
    url = reverse("regulations:responsibilities", args=[regulation.code])
    page = editor.get(url)
    data = _row_data(page)
    lead = _row_prefix(page, 8, 1, world.a)
    data[f"{lead}-task_title"] = "Chủ trì xác minh, giải quyết vụ việc"
    response = editor.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse("regulations:detail", args=[regulation.code])
    saved = Responsibility.objects.filter(clause__article__chapter__regulation=regulation)
    assert saved.count() == sum(len(g.rows) for g in page.context["groups"])
    support = saved.get(clause__article__number=10, clause__number=1)
    assert (support.agency, support.role, support.response_days) == (
        world.b,
        ResponsibilityRole.SUPPORT,
        7,
    )
    lead_row = saved.get(clause__article__number=8, clause__number=1, agency=world.a)
    assert (lead_row.role, lead_row.response_hours) == (ResponsibilityRole.LEAD, 24)
    assert lead_row.task_title == "Chủ trì xác minh, giải quyết vụ việc"
    assert AuditEvent.objects.filter(action="regulation.responsibilities").count() == 1
    # once saved, the page shows the saved rows, no longer suggestions
    again = editor.get(url)
    assert {r.origin for g in again.context["groups"] for r in g.rows} == {"saved"}


def test_errors_are_shown_per_row_naming_the_clause_and_nothing_is_saved(
    editor, world, sample_docx
):
    regulation = imported(world, sample_docx)
    url = reverse("regulations:responsibilities", args=[regulation.code])
    page = editor.get(url)
    data = _row_data(page)
    support = _row_prefix(page, 10, 1, world.b)
    data[f"{support}-response_days"] = "400"
    lead = _row_prefix(page, 8, 1, world.a)
    data[f"{lead}-role"] = ResponsibilityRole.SUPPORT
    other = _row_prefix(page, 8, 1, world.b)
    data[f"{other}-agency"] = str(world.a.pk)  # A twice as supporting agency in 8.1
    before = rows_in_db()
    response = editor.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Có lỗi cần sửa; chưa có gì được lưu" in html
    assert "Điều 10 khoản 1: thời hạn phải từ 1 đến 365 ngày làm việc." in html
    assert "Điều 8 khoản 1: Công an tỉnh đã có vai trò phối hợp ở khoản này" in html
    assert f'href="#id_{support}-agency"' in html
    assert rows_in_db() == before


def test_a_value_that_is_no_number_is_a_row_error(editor, world, sample_docx):
    regulation = imported(world, sample_docx)
    url = reverse("regulations:responsibilities", args=[regulation.code])
    page = editor.get(url)
    data = _row_data(page)
    support = _row_prefix(page, 10, 1, world.b)
    data[f"{support}-response_days"] = "bảy"
    response = editor.post(url, data)
    assert response.status_code == 400
    assert "Điều 10 khoản 1 – Thời hạn (ngày làm việc):" in response.content.decode()
    assert not Responsibility.objects.filter(clause__article__chapter__regulation=regulation)


def test_add_row_shows_one_more_empty_row_and_saves_nothing(editor, world, sample_docx):
    regulation = imported(world, sample_docx)
    url = reverse("regulations:responsibilities", args=[regulation.code])
    page = editor.get(url)
    clause = Clause.objects.get(
        article__chapter__regulation=regulation, article__number=2, number=1
    )
    data = _row_data(page)
    data.pop("save")
    data["add"] = str(clause.pk)
    response = editor.post(url, data)
    assert response.status_code == 200
    group = next(g for g in response.context["groups"] if g.clause == clause)
    assert [r.origin for r in group.rows] == ["new"]
    assert not Responsibility.objects.filter(clause__article__chapter__regulation=regulation)
    # fill it in and save: a row of one's own, and the dropped suggestion is not saved
    data = {k: v for k, v in response.context["request"].POST.items() if k != "add"}
    prefix = group.rows[0].form.prefix
    data.update(
        {
            f"{prefix}-origin": "new",
            f"{prefix}-agency": str(world.a.pk),
            f"{prefix}-role": ResponsibilityRole.LEAD,
            f"{prefix}-response_days": "5",
            f"{prefix}-response_hours": "",
            f"{prefix}-task_title": "",
            "save": "1",
        }
    )
    dropped = _row_prefix(page, 10, 1, world.b)
    data[f"{dropped}-drop"] = "on"
    assert editor.post(url, data).status_code == 302
    saved = Responsibility.objects.filter(clause__article__chapter__regulation=regulation)
    assert saved.filter(clause=clause, agency=world.a, response_days=5).exists()
    assert not saved.filter(clause__article__number=10, clause__number=1).exists()


def test_a_signed_version_shows_its_responsibilities_read_only(editor, world):
    url = reverse("regulations:responsibilities", args=[world.regulation.code])
    response = editor.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "không còn là dự thảo" in html
    assert "Chủ trì điều tra, xác minh" in html
    assert 'name="save"' not in html
    before = rows_in_db()
    refused = editor.post(url, {"save": "1"})
    assert refused.status_code == 400
    assert "Chỉ gán trách nhiệm được cho bản dự thảo" in refused.content.decode()
    assert rows_in_db() == before


# --- export ------------------------------------------------------------------------------------


def test_export_docx_reads_back_as_the_imported_tree(client, world, sample_docx):
    regulation = imported(world, sample_docx)
    force_login(client, world.officer_b)  # any reader
    response = client.get(reverse("regulations:export-docx", args=[regulation.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    assert 'filename="quy-che-qcph-2011-v1.docx"' in response["Content-Disposition"]
    again = parse_docx(response.content)
    assert again.same_text(regulation_as_tree(regulation))
    assert again.same_text(parse_docx(sample_docx))
    assert tree_counts(again) == sample.EXPECTED


def test_export_pdf_and_the_signed_pdf_as_signed(client, world):
    force_login(client, world.officer_a)
    url = reverse("regulations:export-pdf", args=[world.regulation.code])
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert client.get(url + "?signed=1").status_code == 404
    signed = b"%PDF-1.7\n% signed by both heads\n%%EOF\n"
    world.regulation.signed_pdf.save("qc-thu-da-ky.pdf", ContentFile(signed))
    response = client.get(url + "?signed=1")
    assert response.status_code == 200
    assert response.content == signed


def test_export_of_an_unknown_regulation_is_404(client, world):
    force_login(client, world.officer_a)
    assert client.get(reverse("regulations:export-docx", args=["khong-co"])).status_code == 404


# --- the services ------------------------------------------------------------------------------


def test_the_tree_of_a_regulation_is_read_in_five_queries(
    world, sample_docx, django_assert_num_queries
):
    regulation = imported(world, sample_docx)
    with django_assert_num_queries(5):
        tree = regulation_as_tree(regulation)
    assert tree.same_text(parse_docx(sample_docx))


def test_import_refuses_duplicate_article_numbers_in_a_tree_built_by_hand(world):
    tree = RegulationTree(
        title="Quy chế thử",
        chapters=[
            ChapterNode(1, "MỘT", articles=[ArticleNode(1, "Một", "Nội dung.")]),
            ChapterNode(2, "HAI", articles=[ArticleNode(1, "Lại một", "Nội dung.")]),
        ],
    )
    before = rows_in_db()
    with pytest.raises(ServiceError) as caught:
        regulation_import(actor=SYSTEM, tree=tree, code="qc-thu-2", parties=[world.a])
    assert caught.value.message_dict["tree"] == ["Điều 1 bị trùng số (ở Chương 1 và Chương 2)."]
    assert rows_in_db() == before


def test_import_refuses_missing_parties_a_foreign_party_and_a_reserved_code(world):
    tree = RegulationTree(
        title="", chapters=[ChapterNode(1, "", articles=[ArticleNode(1, "Một", "Nội dung.")])]
    )
    with pytest.raises(ServiceError) as caught:
        regulation_import(actor=SYSTEM, tree=tree, code="import", parties=[world.f])
    errors = caught.value.message_dict
    assert "trùng với tên một trang" in errors["code"][0]
    assert "cơ quan nước ngoài" in errors["parties"][0]
    assert "không nhận dạng được tên" in errors["title"][0]


def test_import_is_for_editors_only(world):
    tree = RegulationTree(title="T", chapters=[ChapterNode(1, "", articles=[ArticleNode(1, "A")])])
    with pytest.raises(policy.NotFound):
        regulation_import(actor=world.officer_a, tree=tree, code="qc-x", parties=[world.a])


def test_a_new_version_continues_the_series_of_the_previous(world, sample_docx):
    regulation = regulation_import(
        actor=SYSTEM,
        tree=parse_docx(sample_docx),
        code="qc-thu-2011",
        parties=[world.b, world.a],
        previous=world.regulation,
    )
    assert (regulation.series, regulation.version) == (world.regulation.series, 2)
    assert regulation.previous == world.regulation


def test_responsibilities_save_replaces_only_the_named_clauses(world, sample_docx):
    regulation = imported(world, sample_docx)
    one, two = Clause.objects.filter(
        article__chapter__regulation=regulation, article__number=6
    ).order_by("number")[:2]
    responsibilities_save(
        actor=world.secretariat,
        regulation=regulation,
        rows=[
            {"clause": one, "agency": world.a, "role": ResponsibilityRole.LEAD},
            {"clause": two, "agency": world.b, "role": "lead", "response_days": "05"},
        ],
    )
    responsibilities_save(
        actor=world.secretariat,
        regulation=regulation,
        rows=[{"clause": one, "agency": world.b, "role": "support", "response_hours": 48}],
    )
    rows = Responsibility.objects.filter(clause__article__chapter__regulation=regulation)
    assert sorted((r.clause.number, r.agency.code, r.role) for r in rows) == [
        (1, "sngv", "support"),
        (2, "sngv", "lead"),
    ]
    assert rows.get(clause=two).response_days == 5


def test_responsibilities_save_is_all_or_nothing_with_a_message_per_row(world, sample_docx):
    regulation = imported(world, sample_docx)
    clause = Clause.objects.get(
        article__chapter__regulation=regulation, article__number=9, number=2
    )
    other = AgencyFactory(code="bdbp", name="Bộ đội Biên phòng tỉnh", short_name="BĐBP")
    with pytest.raises(ServiceError) as caught:
        responsibilities_save(
            actor=world.secretariat,
            regulation=regulation,
            rows=[
                {"clause": clause, "agency": other, "role": "lead", "response_hours": 24},
                {"clause": clause, "agency": world.f, "role": "support"},
                {"clause": clause, "agency": world.a, "role": "boss"},
                {"clause": world.clause, "agency": world.a, "role": "lead"},
                {"clause": clause, "agency": world.b, "role": "lead", "response_hours": 1000},
            ],
        )
    errors = caught.value.message_dict
    assert "rows.0" not in errors
    assert errors["rows.1"] == [
        "Điều 9 khoản 2: Cục Công an châu Văn Sơn là cơ quan nước ngoài; trách nhiệm theo "
        "quy chế chỉ giao cho cơ quan trong nước."
    ]
    assert errors["rows.2"] == ["Điều 9 khoản 2: chọn vai trò chủ trì hoặc phối hợp."]
    assert errors["rows.3"] == ["Dòng 4: khoản không thuộc quy chế qcph-2011."]
    assert errors["rows.4"] == ["Điều 9 khoản 2: thời hạn việc khẩn phải từ 1 đến 720 giờ."]
    assert not Responsibility.objects.filter(clause=clause).exists()


def test_an_agency_cannot_lead_and_support_the_same_clause(world, sample_docx):
    regulation = imported(world, sample_docx)
    clause = Clause.objects.filter(article__chapter__regulation=regulation).first()
    with pytest.raises(ServiceError) as caught:
        responsibilities_save(
            actor=world.secretariat,
            regulation=regulation,
            rows=[
                {"clause": clause, "agency": world.a, "role": "lead"},
                {"clause": clause, "agency": world.a, "role": "support"},
            ],
        )
    assert "không thể vừa chủ trì vừa phối hợp" in caught.value.message_dict["rows.1"][0]


def test_a_code_differing_only_in_case_is_a_duplicate(world):
    tree = RegulationTree(
        title="Quy chế thử",
        chapters=[
            ChapterNode(1, "QUY ĐỊNH CHUNG", articles=[ArticleNode(1, "Phạm vi", "Nội dung.")])
        ],
    )
    with pytest.raises(ServiceError) as exc:
        regulation_import(actor=SYSTEM, tree=tree, code="qc-thu", parties=[world.a, world.b])
    assert "đã tồn tại" in str(exc.value.message_dict["code"])
