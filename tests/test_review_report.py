"""The review report as DOCX and PDF, laid out by Decree 30/2020/NĐ-CP, read back and checked.

The demo is loaded once for the class of demo tests, inside a transaction rolled back at its
end (as test_demo.py does for its module); its report is rendered once, timed, and read back.
The tests on hand-made dossiers come after it, on the usual `world`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import unicodedata
import zipfile
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from phoihop.core.choices import Classification
from phoihop.core.policy import SYSTEM
from phoihop.demo import hagiang
from phoihop.dossiers.choices import DossierStatus
from phoihop.regulations.models import Regulation
from phoihop.reviews import report, services
from phoihop.reviews.models import Review
from phoihop.subjects import services as subject_services
from phoihop.subjects.choices import DocumentKind
from phoihop.subjects.models import Subject
from tests.factories import end_dossier, open_dossier
from tests.web_fixtures import login

FROM, TO = dt.date(2008, 12, 2), dt.date(2011, 12, 2)
ISSUED = dt.date(2011, 12, 5)
BUDGET_SECONDS = 3.0
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
# The demo's crime types (demo/regulation_2008.py) and what the review must find.
CRIMES = {
    "Giết người (Điều 93 BLHS 1999): 5 vụ",
    "Mua bán, đánh tráo hoặc chiếm đoạt trẻ em (Điều 120 BLHS 1999): 6 vụ",
    "Mua bán người (Điều 119 BLHS 1999): 10 vụ",
}
HEADLINES = (
    "làm rõ 21 vụ án hình sự",
    "giải quyết 76 vụ việc an ninh, trật tự trên tuyến biên giới",
    "xác minh làm rõ 166 đối tượng",
)


def flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


# --- reading the files back -------------------------------------------------------------------


def docx_of(content: bytes):
    return Document(io.BytesIO(content))


def docx_table_texts(table) -> list[str]:
    return [p.text for row in table.rows for cell in row.cells for p in cell.paragraphs]


def docx_text(d) -> str:
    """Every word of the document: paragraphs, tables, headers."""
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        parts += docx_table_texts(table)
    for section in d.sections:
        for part in (section.header, section.first_page_header, section.footer):
            parts += [p.text for p in part.paragraphs]
    return flat("\n".join(parts))


def body_paragraphs(d):
    """The body's paragraphs: those set with a first-line indent."""
    return [p for p in d.paragraphs if p.paragraph_format.first_line_indent and p.text.strip()]


def pdf_pages(content: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


def pdf_text_in_top_margin(page) -> list[str]:
    """Text drawn above the text area (the top 20 mm of the page): the page number."""
    top = float(page.mediabox.top) - report.MARGIN_TOP * 72 / 25.4
    found = []

    def visit(text, cm, tm, _font, _size):
        y = tm[5] * cm[3] + cm[5]
        if text.strip() and y > top:
            found.append(text.strip())

    page.extract_text(visitor_text=visit)
    return found


# --- the demo ---------------------------------------------------------------------------------


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        hagiang.load()
        regulation = Regulation.objects.get(code="QCPH-2008")
        review = (
            Review.objects.filter(regulation=regulation, period_from=FROM, period_to=TO)
            .order_by("pk")
            .first()
        ) or services.review_open(actor=SYSTEM, regulation=regulation, date_from=FROM, date_to=TO)
        seconds = {}
        files = {}
        for fmt in report.FORMATS:
            started = time.perf_counter()
            files[fmt], _type, _name = report.render(review, fmt, issued_on=ISSUED)
            seconds[fmt] = time.perf_counter() - started
        names = set()
        for row in Subject.objects.values_list("full_name", "latin_name", "native_name"):
            names |= {flat(n) for n in row if n and len(flat(n)) > 3}
        yield SimpleNamespace(
            review=review,
            stats=review.statistics,
            docx=files["docx"],
            pdf=files["pdf"],
            seconds=seconds,
            names=names,
        )
        transaction.set_rollback(True)


class TestTheDemoReport:
    """The report of the demo review of 02/12/2008–02/12/2011, rendered once for the class
    (the demo data stays in a transaction until the class ends)."""

    def test_the_demo_report_is_made_within_the_time_budget(self, demo):
        assert demo.seconds["docx"] < BUDGET_SECONDS, demo.seconds
        assert demo.seconds["pdf"] < BUDGET_SECONDS, demo.seconds

    def test_without_a_date_the_report_is_dated_the_day_of_the_conference(self, demo):
        assert report.build_report(demo.review).place_date == "Hà Giang, ngày 02 tháng 12 năm 2011"

    def test_docx_page_is_a4_with_decree_30_margins(self, demo):
        section = docx_of(demo.docx).sections[0]
        assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
        assert 20 <= round(section.top_margin.mm) <= 25
        assert 20 <= round(section.bottom_margin.mm) <= 25
        assert 30 <= round(section.left_margin.mm) <= 35
        assert 15 <= round(section.right_margin.mm) <= 20

    def test_docx_header_has_issuers_number_national_title_motto_and_italic_date(self, demo):
        d = docx_of(demo.docx)
        left, right = d.tables[0].rows[0].cells
        left_text = [p.text for p in left.paragraphs if p.text]
        assert left_text[:2] == ["CÔNG AN TỈNH HÀ GIANG", "SỞ NGOẠI VỤ TỈNH HÀ GIANG"]
        assert all(r.bold for p in left.paragraphs[:2] for r in p.runs)
        assert any(re.fullmatch(r"Số: \d{2,}/BC-CAT-SNgV", t) for t in left_text)
        right_runs = [r for p in right.paragraphs for r in p.runs]
        nation = next(r for r in right_runs if r.text == NATION)
        motto = next(r for r in right_runs if r.text == MOTTO)
        assert nation.bold and motto.bold and motto.underline
        date = next(r for r in right_runs if "ngày" in r.text)
        assert date.text == "Hà Giang, ngày 05 tháng 12 năm 2011"
        assert date.italic
        # Thường: no classification mark
        assert "MẬT" not in left_text

    def test_docx_body_states_the_figures_and_the_crime_types(self, demo):
        d = docx_of(demo.docx)
        text = docx_text(d)
        assert "BÁO CÁO" in [p.text for p in d.paragraphs]
        for sentence in HEADLINES:
            assert sentence in text
        body = flat("\n".join(p.text for p in body_paragraphs(d)))
        for line in CRIMES:
            assert line in body
        headings = [p.text for p in body_paragraphs(d) if re.match(r"[IVX]+\. ", p.text)]
        assert headings == [
            "I. ĐẶC ĐIỂM TÌNH HÌNH",
            "II. KẾT QUẢ THỰC HIỆN",
            "III. ĐÁNH GIÁ CHUNG",
            "IV. BÀI HỌC KINH NGHIỆM",
            "V. PHƯƠNG HƯỚNG, NHIỆM VỤ",
            "VI. ĐỀ XUẤT, KIẾN NGHỊ",
        ]
        for sub in ("1. Ưu điểm", "2. Tồn tại, hạn chế", "3. Nguyên nhân"):
            assert sub in [p.text for p in body_paragraphs(d)]

    def test_docx_body_is_14_pt_justified_in_times_new_roman(self, demo):
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        d = docx_of(demo.docx)
        normal = d.styles["Normal"].font
        assert normal.name == "Times New Roman"
        paragraphs = body_paragraphs(d)
        assert len(paragraphs) > 20
        for p in paragraphs:
            assert p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY, p.text
            assert 1.0 <= p.paragraph_format.line_spacing <= 1.5
            for run in p.runs:
                size = (run.font.size or normal.size).pt
                assert 13 <= size <= 14, (p.text, size)

    def test_docx_has_signature_blocks_recipients_and_page_numbers_from_page_2(self, demo):
        d = docx_of(demo.docx)
        signatures = next(t for t in d.tables if "GIÁM ĐỐC CÔNG AN TỈNH" in docx_table_texts(t))
        left, right = signatures.rows[0].cells
        assert left.paragraphs[0].text == "GIÁM ĐỐC SỞ NGOẠI VỤ"
        assert right.paragraphs[0].text == "GIÁM ĐỐC CÔNG AN TỈNH"  # the lead signs on the right
        texts = [p.text for p in d.paragraphs]
        recipients = texts.index("Nơi nhận:")
        assert texts[recipients + 1].startswith("- ")
        assert any(t.startswith("- Lưu: VT") for t in texts[recipients:])
        section = d.sections[0]
        assert section.different_first_page_header_footer
        assert "PAGE" in section.header._element.xml
        assert "fldChar" not in section.first_page_header._element.xml

    def test_docx_annex_tables_match_the_frozen_statistics(self, demo):
        d = docx_of(demo.docx)
        texts = [p.text for p in d.paragraphs]
        assert "PHỤ LỤC" in texts

        def rows_of(header_cell):
            table = next(t for t in d.tables if t.rows[0].cells[1].text == header_cell)
            return [[c.text for c in row.cells] for row in table.rows[1:]]

        crimes = rows_of("Tội danh")
        assert [(r[1], int(r[3])) for r in crimes[:-1]] == [
            (row["name"], row["count"]) for row in demo.stats["by_crime_type"]
        ]
        assert crimes[-1][1] == "Tổng cộng" and crimes[-1][3] == "21"
        categories = rows_of("Lĩnh vực")
        assert [int(r[3].replace(".", "")) for r in categories[:-1]] == [
            row["count"] for row in demo.stats["by_category"]
        ]
        headline = {r[1]: r[2] for r in rows_of("Chỉ tiêu")[:9]}
        assert headline["Vụ án hình sự phối hợp đã làm rõ"] == "21"
        assert headline["Vụ việc biên giới đã giải quyết"] == "76"
        assert headline["Đối tượng đã trao đổi, xác minh làm rõ"] == "166"
        years = rows_of("Năm")
        assert sum(int(r[3].replace(".", "")) for r in years[:-1]) == sum(
            row["count"] for row in demo.stats["by_year"]
        )
        assert len(d.inline_shapes) == 1  # the chart

    def test_no_person_is_named_anywhere_in_the_report(self, demo):
        assert demo.names  # the demo has persons
        text = docx_text(docx_of(demo.docx))
        pdf = " ".join(pdf_pages(demo.pdf))
        named = sorted(n for n in demo.names if n in text or n in pdf)
        assert not named

    def test_pdf_has_the_figures_and_intact_vietnamese(self, demo):
        pages = pdf_pages(demo.pdf)
        text = " ".join(pages)
        assert NATION in pages[0] and MOTTO in pages[0]
        assert "Công an tỉnh Hà Giang" in text and "Sở Ngoại vụ" in text
        assert re.search(r"Số: \d{2,}/BC-CAT-SNgV", pages[0])
        assert "Hà Giang, ngày 05 tháng 12 năm 2011" in pages[0]
        for sentence in HEADLINES:
            assert sentence in text
        for line in CRIMES:
            assert line in text
        assert "Nơi nhận:" in text and "PHỤ LỤC" in text
        assert "\ufffd" not in text

    def test_pdf_numbers_pages_from_the_second(self, demo):
        reader = PdfReader(io.BytesIO(demo.pdf))
        assert len(reader.pages) >= 2
        assert pdf_text_in_top_margin(reader.pages[0]) == []
        assert pdf_text_in_top_margin(reader.pages[1]) == ["2"]
        page = reader.pages[0]
        assert round(float(page.mediabox.width) * 25.4 / 72) == 210
        assert round(float(page.mediabox.height) * 25.4 / 72) == 297

    def test_pdf_embeds_a_truetype_serif_with_italics(self, demo):
        reader = PdfReader(io.BytesIO(demo.pdf))
        fonts = {}
        for page in reader.pages[:2]:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                fonts[str(font["/BaseFont"])] = font
        family, _files = report.serif_font_files()
        stem = family.replace(" ", "")
        assert fonts
        for name, font in fonts.items():
            assert font["/Subtype"] == "/TrueType", name
            assert stem in name, (name, family)
            assert "/FontFile2" in font["/FontDescriptor"], name  # embedded
        assert any("Italic" in name for name in fonts)  # the place and date


# --- hand-made dossiers -----------------------------------------------------------------------


@pytest.fixture
def cases(world):
    """Two joint cases and one border incident ended in 2010; the regulation has a place."""
    world.regulation.place = "Hà Giang"
    world.regulation.number_symbol = "01/QCPH-CAT-SNgV"
    world.regulation.save()
    world.a.head_title = "Giám đốc Công an tỉnh"
    world.a.save()
    for day in (dt.date(2010, 3, 3), dt.date(2010, 9, 9)):
        dossier = open_dossier(world.joint, world.a, counterpart=world.f, crime_type=world.crime)
        end_dossier(dossier, DossierStatus.RESOLVED, on=day)
    border = open_dossier(world.border, world.a, supporting=[world.b])
    end_dossier(border, DossierStatus.RESOLVED, on=dt.date(2010, 5, 5))
    return world


def _open(world, date_from=dt.date(2010, 1, 1), date_to=dt.date(2010, 12, 31)):
    return services.review_open(
        actor=world.secretariat, regulation=world.regulation, date_from=date_from, date_to=date_to
    )


def test_a_review_of_hand_made_dossiers(cases):
    person = subject_services.subject_create(
        actor=cases.officer_a,
        full_name="Vàng Seo Páo",
        documents=[{"kind": DocumentKind.CMND, "number": "073123456"}],
    )
    subject_services.subject_create(
        actor=cases.officer_a, full_name="Vương Tiểu Minh", native_name="王小明"
    )
    review = _open(cases)
    services.assessment_save(
        actor=SYSTEM,
        review=review,
        unit=cases.unit_a,
        submit=True,
        results="Phối hợp chặt chẽ với phía bạn.",
        shortcomings=f"Đối tượng {person.full_name.upper()} trốn sang bên kia biên giới.",
        causes="Thiếu phiên dịch tiếng Trung.",
        lessons=f"Trao đổi sớm qua đầu mối về {person.full_name.lower()} và 王小明.",
        directions="Duy trì giao ban định kỳ.",
    )
    assessment = review.assessments.get(unit=cases.unit_a)
    services.proposal_add(
        actor=SYSTEM,
        assessment=assessment,
        clause=cases.clause,
        text="Rút thời hạn xuống 7 ngày làm việc.",
    )
    # a draft does not count
    services.assessment_save(actor=SYSTEM, review=review, unit=cases.unit_b, results="Bản nháp")
    d = docx_of(report.render(review, "docx", issued_on=dt.date(2011, 2, 3))[0])
    text = docx_text(d)
    assert "làm rõ 2 vụ án hình sự" in text
    assert "Mua bán người (Điều 119 BLHS 1999): 2 vụ." in text
    assert "giải quyết 1 vụ việc" in text
    assert "Phòng Tham mưu (Công an tỉnh): Thiếu phiên dịch tiếng Trung." in text
    assert "Khoản 1 Điều 5" in text and "Rút thời hạn xuống 7 ngày làm việc." in text
    assert "Bản nháp" not in text
    assert "Vàng Seo Páo".upper() not in text and "[đã lược họ tên]" in text
    assert "vàng seo páo" not in text and "王小明" not in text
    assert "Hà Giang, ngày 03 tháng 02 năm 2011" in text  # days < 10 and months < 3 padded
    assert re.search(r"Số: \d{2,}/BC-CAT-SNgV", text)
    assert "GIÁM ĐỐC CÔNG AN TỈNH" in text


def test_the_report_is_downloaded_by_its_readers(cases, client):
    review = _open(cases)
    login(client, cases.leader_a)
    for fmt, magic in (("docx", b"PK"), ("pdf", b"%PDF")):
        response = client.get(reverse(f"reviews:report-{fmt}", args=[review.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == report.FORMATS[fmt]
        disposition = response["Content-Disposition"]
        assert (
            disposition
            == f'attachment; filename="bao-cao-so-ket-{review.pk}-20100101-20101231.{fmt}"'
        )
        assert response.content.startswith(magic)
    page = client.get(review.get_absolute_url()).content.decode()
    assert reverse("reviews:report-pdf", args=[review.pk]) in page
    assert reverse("reviews:report-docx", args=[review.pk]) in page
    login(client, cases.officer_a)  # who may not read the review gets nothing
    assert client.get(reverse("reviews:report-pdf", args=[review.pk])).status_code == 404


def test_a_period_with_no_dossiers_says_so(cases):
    empty = _open(cases, date_from=dt.date(2005, 1, 1), date_to=dt.date(2005, 12, 31))
    docx, _type, name = report.render(empty, "docx")
    text = docx_text(docx_of(docx))
    assert "Trong kỳ không có hồ sơ nào được mở hoặc kết thúc." in text
    assert "không có vụ án hình sự nào được làm rõ" in text
    assert "Không có hồ sơ đã giải quyết trong kỳ để vẽ biểu đồ." in text
    assert name == f"bao-cao-so-ket-{empty.pk}-20050101-20051231.docx"
    pdf = " ".join(pdf_pages(report.render(empty, "pdf")[0]))
    assert "Trong kỳ không có hồ sơ nào được mở hoặc kết thúc." in pdf


def test_a_classified_report_carries_its_mark(cases):
    review = _open(cases)
    d = docx_of(report.render(review, "docx", classification=Classification.MAT)[0])
    left = d.tables[0].rows[0].cells[0]
    assert "MẬT" in [p.text for p in left.paragraphs]
    pages = pdf_pages(report.render(review, "pdf", classification=Classification.TOI_MAT)[0])
    assert "TỐI MẬT" in pages[0]


def test_the_cli_writes_the_report(cases, tmp_path):
    review = _open(cases)
    pdf = tmp_path / "bao-cao.pdf"
    out = io.StringIO()
    call_command(
        "review",
        "report",
        "--review",
        str(review.pk),
        "--format",
        "pdf",
        "-o",
        str(pdf),
        stdout=out,
    )
    assert pdf.read_bytes().startswith(b"%PDF") and "Đã ghi" in out.getvalue()
    docx = tmp_path / "bao-cao.docx"  # the format follows the file name
    call_command("review", "report", "--review", str(review.pk), "-o", str(docx), stdout=out)
    assert zipfile.is_zipfile(docx)
    assert "làm rõ 2 vụ án hình sự" in docx_text(Document(str(docx)))


def test_the_pdf_falls_back_to_matplotlibs_dejavu_serif(monkeypatch):
    monkeypatch.setattr(report, "_fc_match", lambda family: None)
    monkeypatch.setattr(report, "_TNR_PATHS", ())
    monkeypatch.setattr(report, "_LIBERATION_PATHS", ())
    family, files = report.serif_font_files.__wrapped__()
    assert family == "DejaVu Serif"
    assert all(report._has_vietnamese(f) for f in files)


def test_long_date_pads_as_decree_30_says():
    assert report.long_date("Hà Giang", dt.date(2012, 2, 5)) == (
        "Hà Giang, ngày 05 tháng 02 năm 2012"
    )
    assert report.long_date("Hà Giang", dt.date(2011, 3, 15)) == (
        "Hà Giang, ngày 15 tháng 3 năm 2011"
    )
