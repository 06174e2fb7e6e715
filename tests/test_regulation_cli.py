"""`phoihop regulation list | import | export | verify`, run through call_command."""

from __future__ import annotations

import io
import json
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document
from pypdf import PdfReader

from phoihop.audit.models import AuditEvent
from phoihop.regulations.choices import RegulationStatus
from phoihop.regulations.importer import parse_docx
from phoihop.regulations.imports import tree_counts
from phoihop.regulations.models import Article, Chapter, Clause, Point, Regulation, TrustedRoot
from phoihop.regulations.selectors import regulation_as_tree
from phoihop.regulations.signing import create_demo_ca, issue_certificate, sign_pdf
from tests.data import sample_regulation as sample

PASSWORD = "mat-khau-ky-so"


def run(*args) -> str:
    out = io.StringIO()
    call_command("regulation", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(*args) -> CommandError:
    with pytest.raises(CommandError) as caught:
        run(*args)
    return caught.value


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def saved_rows() -> tuple[int, ...]:
    return (
        Regulation.objects.count(),
        Chapter.objects.count(),
        Article.objects.count(),
        Clause.objects.count(),
        Point.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def sample_docx(tmp_path):
    return sample.build_docx(tmp_path / "quy-che-mau.docx")


@pytest.fixture
def imported(world, sample_docx):
    run(
        "import",
        str(sample_docx),
        "--code",
        "qcph-2011",
        "--parties",
        "cat,sngv",
        "--number-symbol",
        "02/QCPH-CAT-SNgV",
        "--place",
        "Hà Giang",
    )
    return Regulation.objects.get(code="qcph-2011")


# --- list ----------------------------------------------------------------------------------------


def test_list_shows_each_version_with_its_state_parties_and_dates(world):
    out = run("list")
    assert "QC-THU  v1" in out
    assert "Đang có hiệu lực" in out
    assert "[cat, sngv]" in out
    assert "hiệu lực từ 02/12/2008" in out


def test_list_json_has_stable_keys(world):
    rows = json.loads(run("list", "--json"))
    assert rows == [
        {
            "code": "QC-THU",
            "series": "QC-THU",
            "version": 1,
            "number_symbol": world.regulation.number_symbol,
            "title": world.regulation.title,
            "status": "signed",
            "state": "in_force",
            "state_label": "Đang có hiệu lực",
            "parties": ["cat", "sngv"],
            "signed_on": None,
            "effective_from": "2008-12-02",
            "effective_to": None,
            "signed_pdf": False,
        }
    ]


# --- import --------------------------------------------------------------------------------------


def test_import_dry_run_prints_the_tree_and_saves_nothing(world, sample_docx):
    before = saved_rows()
    out = run("import", str(sample_docx), "--dry-run", "--code", "qcph-2011")
    assert "Nhận dạng được 6 chương, 2 mục, 25 điều, 58 khoản, 23 điểm." in out
    assert "Chương II. NỘI DUNG PHỐI HỢP" in out
    assert "  Mục 1. PHỐI HỢP ĐẤU TRANH PHÒNG, CHỐNG TỘI PHẠM" in out
    assert (
        "    Điều 6. Phối hợp điều tra vụ án hình sự có yếu tố nước ngoài (3 khoản, 5 điểm)" in out
    )
    assert "Mọi đoạn của phần nội dung đều đã được nhận dạng." in out
    assert "Chạy thử: không lưu gì." in out
    assert saved_rows() == before


def test_import_lists_each_unrecognised_paragraph(world, tmp_path):
    path = tmp_path / "quy-che.txt"
    path.write_text(
        "Chương I\nCHUNG\nĐiều 1. Phạm vi\n1. Khoản một.\n3. Khoản ba viết nhầm.\n", "utf-8"
    )
    out = run("import", str(path), "--dry-run")
    assert "1 đoạn chưa nhận dạng được (sẽ không được lưu):" in out
    assert (
        "  Đoạn 5: 3. Khoản ba viết nhầm. — Khoản 3 của Điều 1 bỏ cách số thứ tự "
        "(khoản trước là 1)." in out
    )


def test_import_saves_a_draft_as_the_system(world, imported):
    assert imported.status == RegulationStatus.DRAFT
    assert imported.title == sample.TITLE
    assert imported.place == "Hà Giang"
    assert [a.code for a in imported.parties.order_by("code")] == ["cat", "sngv"]
    assert tree_counts(regulation_as_tree(imported)) == sample.EXPECTED
    event = AuditEvent.objects.get(action="regulation.import")
    assert event.actor_label == "system"


def test_import_of_plain_text_gives_the_same_tree(world, tmp_path, sample_docx):
    path = tmp_path / "quy-che.txt"
    path.write_text(sample.TEXT, "utf-8-sig")  # with the BOM Notepad writes
    run("import", str(path), "--code", "qc-txt", "--parties", "cat")
    assert regulation_as_tree(Regulation.objects.get(code="qc-txt")).same_text(
        parse_docx(sample_docx.read_bytes())
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("quy-che.docx", b"%PDF-1.4\n%%EOF", "Tệp không phải .docx mà là tệp PDF"),
        ("quy-che.docx", b"PK\x03\x04 broken", "Tệp .docx bị hỏng"),
        ("quy-che.txt", "Quy chế\nKhông có điều nào.".encode(), "Không tìm thấy điều nào"),
        (
            "quy-che.txt",
            "Điều 1. Một\nNội dung.\nĐiều 1. Hai\n".encode(),
            "Điều 1 xuất hiện hai lần (đoạn 1 và 3).",
        ),
        ("quy-che.txt", b"\xd0i\xeau 1. M\xf4t", "bảng mã UTF-8"),  # Windows-1258
    ],
    ids=["pdf", "corrupt", "no-article", "duplicate-article", "not-utf8"],
)
def test_import_refuses_bad_input_with_the_message_and_saves_nothing(
    world, tmp_path, name, content, message
):
    path = tmp_path / name
    path.write_bytes(content)
    before = saved_rows()
    error = refused("import", str(path), "--code", "qc-sai", "--parties", "cat")
    assert message in str(error)
    assert saved_rows() == before


def test_import_refuses_a_taken_code_unknown_parties_and_a_missing_file(world, sample_docx):
    before = saved_rows()
    assert "QC-THU" in str(refused("import", str(sample_docx), "--dry-run", "--code", "QC-THU"))
    error = refused("import", str(sample_docx), "--code", "QC-THU", "--parties", "cat")
    assert "code: Mã quy chế “QC-THU” đã tồn tại." in str(error)
    error = refused("import", str(sample_docx), "--code", "qc-moi", "--parties", "cat,khong-co")
    assert "Không có cơ quan mã: khong-co." in str(error)
    assert "Cần --code" in str(refused("import", str(sample_docx)))
    assert "Không đọc được tệp" in str(refused("import", "/khong/co/tep.docx", "--dry-run"))
    assert saved_rows() == before


# --- export --------------------------------------------------------------------------------------


def test_export_docx_round_trips_to_the_imported_tree(imported, tmp_path, sample_docx):
    output = tmp_path / "xuat.docx"
    out = run("export", "qcph-2011", "--format", "docx", "-o", str(output))
    assert "Đã ghi" in out
    data = output.read_bytes()
    text = nfc("\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs))
    assert "Điều 1. Phạm vi điều chỉnh" in text
    assert "Sở Ngoại vụ hướng dẫn thủ tục đối ngoại" in text
    tables = nfc(
        "\n".join(
            cell.text
            for table in Document(io.BytesIO(data)).tables
            for row in table.rows
            for cell in row.cells
        )
    )
    assert "CÔNG AN TỈNH HÀ GIANG" in tables
    assert "SỞ NGOẠI VỤ TỈNH HÀ GIANG" in tables
    again = parse_docx(data)
    assert again.same_text(regulation_as_tree(imported))
    assert again.same_text(parse_docx(sample_docx.read_bytes()))


def test_export_pdf_has_the_vietnamese_text(imported, tmp_path):
    output = tmp_path / "xuat.pdf"
    run("export", "qcph-2011", "-o", str(output))  # the format from the file name
    reader = PdfReader(io.BytesIO(output.read_bytes()))
    text = nfc(" ".join(" ".join(page.extract_text().split()) for page in reader.pages))
    for phrase in (
        "QUY CHẾ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Điều 6. Phối hợp điều tra vụ án hình sự có yếu tố nước ngoài",
        "Đối với công dân Ô-xtrây-li-a",
        "Hà Giang",
    ):
        assert phrase in text, phrase


def test_export_signed_writes_the_signed_pdf_byte_for_byte(world, tmp_path):
    output = tmp_path / "da-ky.pdf"
    error = refused("export", world.regulation.code, "--signed", "-o", str(output))
    assert "chưa có bản PDF đã ký" in str(error)
    signed = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n% two signatures\n%%EOF\n"
    world.regulation.signed_pdf.save("qc-thu.pdf", ContentFile(signed))
    run("export", world.regulation.code, "--signed", "-o", str(output))
    assert output.read_bytes() == signed
    assert "--signed chỉ dùng" in str(
        refused("export", world.regulation.code, "--signed", "--format", "docx", "-o", "x.docx")
    )


def test_export_of_an_unknown_code_or_format_is_refused(world, tmp_path):
    assert "Không có quy chế mã" in str(
        refused("export", "khong-co", "-o", str(tmp_path / "a.pdf"))
    )
    assert "Chọn --format" in str(refused("export", "QC-THU", "-o", str(tmp_path / "a.odt")))


# --- verify --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca():
    return create_demo_ca("CA Thử nghiệm Hà Giang", "Ban Cơ yếu (thử nghiệm)")


@pytest.fixture
def signed_pdf(world, tmp_path, ca):
    """The exported PDF of the world's regulation, signed by the police director."""
    now = datetime.now(UTC)
    pkcs12 = issue_certificate(
        ca,
        common_name="Nông Đức Bình",
        title="Giám đốc Công an tỉnh",
        organization="Công an tỉnh Hà Giang",
        valid_from=now - timedelta(days=1),
        valid_to=now + timedelta(days=365),
        password=PASSWORD,
    )
    unsigned = tmp_path / "chua-ky.pdf"
    run("export", world.regulation.code, "-o", str(unsigned))
    signed = sign_pdf(
        unsigned.read_bytes(),
        pkcs12=pkcs12,
        password=PASSWORD,
        field_name="ChuKyCAT",
        reason="Ký ban hành quy chế",
        location="Hà Giang",
    )
    path = tmp_path / "da-ky.pdf"
    path.write_bytes(signed)
    return path


def test_verify_an_unsigned_pdf_fails_with_a_message(world, tmp_path):
    path = tmp_path / "chua-ky.pdf"
    run("export", world.regulation.code, "-o", str(path))
    error = refused("verify", str(path))
    assert error.returncode == 1
    assert "Tệp không có chữ ký số nào." in str(error)


def test_verify_a_signed_pdf_with_its_trusted_root_prints_every_field(world, ca, signed_pdf):
    TrustedRoot.objects.create(
        name=ca.info.common_name, certificate_pem=ca.certificate_pem().decode()
    )
    out = run("verify", str(signed_pdf))
    assert "Chữ ký 1: HỢP LỆ" in out
    for line in (
        "  Ô chữ ký: ChuKyCAT",
        "  Người ký: Nông Đức Bình",
        "  Chức danh: Giám đốc Công an tỉnh",
        "  Cơ quan: Công an tỉnh Hà Giang",
        "  Nguyên vẹn: có",
        "  Tin cậy: có",
        "  Phạm vi: Toàn bộ tài liệu",
    ):
        assert line in out, line
    assert "Thời gian ký (do người ký khai): " in out
    assert "Chủ thể chứng thư: " in out and "Nông Đức Bình" in out
    assert "Tổ chức cấp: " in out and "CA Thử nghiệm Hà Giang" in out
    report = json.loads(run("verify", str(signed_pdf), "--json"))
    assert [(r["field"], r["signer"], r["ok"]) for r in report] == [
        ("ChuKyCAT", "Nông Đức Bình", True)
    ]


def test_verify_without_the_root_is_untrusted_and_fails(world, signed_pdf):
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("regulation", "verify", str(signed_pdf), stdout=out)
    assert caught.value.returncode == 1
    assert "1 trong 1 chữ ký không hợp lệ." in str(caught.value)
    assert "Tin cậy: không" in out.getvalue()
    assert "Vấn đề: " in out.getvalue()


def test_verify_a_file_that_is_no_pdf(world, tmp_path):
    path = tmp_path / "khong-phai.pdf"
    path.write_bytes(b"hello")
    assert "Tệp không phải là PDF." in str(refused("verify", str(path)))
