"""A regulation's tree exported as DOCX and PDF in the Decree 30/2020 layout, read back.

The trees are built by hand: no database. The DOCX is read with python-docx, the PDF with
pypdf; the round trip goes through the importer (`regulations.importer.parse_docx`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from pypdf import PdfReader

from phoihop.core.text import roman
from phoihop.regulations.export import ExportMeta, Issuer, render_docx, render_pdf
from phoihop.regulations.tree import (
    ArticleNode,
    ChapterNode,
    ClauseNode,
    PointNode,
    RegulationTree,
    SectionNode,
)
from phoihop.reviews.report import MARGIN_LEFT, PAGE_HEIGHT, TEXT_WIDTH

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PLACE_DATE = "Hà Giang, ngày 02 tháng 12 năm 2011"
TITLE = (
    "Phối hợp giữa Công an tỉnh và Sở Ngoại vụ trong quản lý, bảo đảm an ninh "
    "hoạt động đối ngoại trên địa bàn tỉnh Hà Giang"
)
HEAD_CAT, HEAD_SNGV = "GIÁM ĐỐC CÔNG AN TỈNH", "GIÁM ĐỐC SỞ NGOẠI VỤ"
MM = 36000  # EMU per millimetre


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def flat(text: str) -> str:
    return " ".join(nfc(text).split())


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", nfc(text)))


def make_tree() -> RegulationTree:
    """Two chapters, two sections in the second, articles with text only and with
    clauses and points, continuation lines; chapter and section titles in uppercase, as
    the importer stores them."""
    return RegulationTree(
        title=TITLE,
        chapters=[
            ChapterNode(
                number=1,
                title="NHỮNG QUY ĐỊNH CHUNG",
                articles=[
                    ArticleNode(
                        number=1,
                        title="Phạm vi điều chỉnh và đối tượng áp dụng",
                        text=(
                            "Quy chế này quy định nguyên tắc, nội dung và trách nhiệm phối hợp "
                            "giữa Công an tỉnh và Sở Ngoại vụ tỉnh Hà Giang.\n"
                            "Quy chế áp dụng đối với các phòng nghiệp vụ, đơn vị trực thuộc "
                            "của hai ngành."
                        ),
                    ),
                    ArticleNode(
                        number=2,
                        title="Nguyên tắc phối hợp",
                        text="Việc phối hợp bảo đảm các nguyên tắc sau đây:",
                        clauses=[
                            ClauseNode(
                                number=1,
                                text=(
                                    "Tuân thủ Hiến pháp, pháp luật; giữ vững độc lập, chủ quyền "
                                    "và an ninh quốc gia."
                                ),
                            ),
                            ClauseNode(
                                number=2,
                                text="Đúng chức năng, nhiệm vụ của mỗi ngành:",
                                points=[
                                    PointNode("a", "Chủ động, kịp thời, chặt chẽ;"),
                                    PointNode(
                                        "b",
                                        "Giữ bí mật nhà nước;\nkhông làm ảnh hưởng đến hoạt động "
                                        "chuyên môn của mỗi ngành;",
                                    ),
                                    PointNode("đ", "Kiểm tra kỹ lưỡng trước khi trả lời."),
                                ],
                            ),
                        ],
                    ),
                ],
            ),
            ChapterNode(
                number=2,
                title="NỘI DUNG PHỐI HỢP",
                sections=[
                    SectionNode(1, "TRAO ĐỔI THÔNG TIN VÀ XÁC MINH ĐỐI TƯỢNG"),
                    SectionNode(2, "BẢO ĐẢM AN NINH ĐOÀN KHÁCH QUỐC TẾ"),
                ],
                articles=[
                    ArticleNode(
                        number=3,
                        title="Trao đổi thông tin",
                        section=1,
                        clauses=[
                            ClauseNode(
                                number=1,
                                text=(
                                    "Hai ngành thường xuyên trao đổi thông tin về người nước "
                                    "ngoài vi phạm pháp luật Việt Nam.\nThông tin được lưu giữ "
                                    "theo chế độ mật."
                                ),
                            ),
                            ClauseNode(
                                number=2,
                                text=(
                                    "Công an tỉnh chủ trì xác minh; Sở Ngoại vụ trả lời trong "
                                    "07 ngày làm việc."
                                ),
                            ),
                        ],
                    ),
                    ArticleNode(
                        number=4,
                        title="Đón tiếp đoàn khách nước ngoài",
                        section=2,
                        text=(
                            "Sở Ngoại vụ thông báo kế hoạch đón đoàn khách, kể cả đoàn của "
                            "Hoa Kỳ và Trung Quốc, để Công an tỉnh bố trí lực lượng bảo vệ."
                        ),
                    ),
                ],
            ),
        ],
    )


def make_meta(**overrides) -> ExportMeta:
    values = {
        "issuers": [
            Issuer(
                "Công an tỉnh Hà Giang", "01/QCPH-CAT", "Giám đốc Công an tỉnh", "Nguyễn Văn Đức"
            ),
            Issuer(
                "Sở Ngoại vụ tỉnh Hà Giang", "02/QCPH-SNgV", "Giám đốc Sở Ngoại vụ", "Lý Thị Hữu"
            ),
        ],
        "place": "Hà Giang",
        "signed_on": dt.date(2011, 12, 2),
        "recipients": ["Như Điều 4;", "Lãnh đạo hai ngành;", "Lưu: VT."],
    }
    values.update(overrides)
    return ExportMeta(**values)


def long_tree(articles: int = 40) -> RegulationTree:
    tree = make_tree()
    number = len(tree.articles())
    for i in range(articles):
        number += 1
        tree.chapters[1].articles.append(
            ArticleNode(
                number=number,
                title=f"Nhiệm vụ phối hợp thứ {i + 1}",
                section=2,
                clauses=[
                    ClauseNode(
                        n,
                        "Hai ngành cử cán bộ đầu mối, thống nhất kế hoạch và báo cáo kết quả "
                        "thực hiện với lãnh đạo mỗi ngành theo định kỳ hằng quý.",
                    )
                    for n in (1, 2, 3)
                ],
            )
        )
    return tree


# The body's paragraphs, in order, as an importer reading `doc.paragraphs` sees them.
EXPECTED_PARAGRAPHS = [
    "QUY CHẾ",
    TITLE,
    "Chương I",
    "NHỮNG QUY ĐỊNH CHUNG",
    "Điều 1. Phạm vi điều chỉnh và đối tượng áp dụng",
    "Quy chế này quy định nguyên tắc, nội dung và trách nhiệm phối hợp giữa Công an tỉnh và "
    "Sở Ngoại vụ tỉnh Hà Giang.",
    "Quy chế áp dụng đối với các phòng nghiệp vụ, đơn vị trực thuộc của hai ngành.",
    "Điều 2. Nguyên tắc phối hợp",
    "Việc phối hợp bảo đảm các nguyên tắc sau đây:",
    "1. Tuân thủ Hiến pháp, pháp luật; giữ vững độc lập, chủ quyền và an ninh quốc gia.",
    "2. Đúng chức năng, nhiệm vụ của mỗi ngành:",
    "a) Chủ động, kịp thời, chặt chẽ;",
    "b) Giữ bí mật nhà nước;",
    "không làm ảnh hưởng đến hoạt động chuyên môn của mỗi ngành;",
    "đ) Kiểm tra kỹ lưỡng trước khi trả lời.",
    "Chương II",
    "NỘI DUNG PHỐI HỢP",
    "Mục 1",
    "TRAO ĐỔI THÔNG TIN VÀ XÁC MINH ĐỐI TƯỢNG",
    "Điều 3. Trao đổi thông tin",
    "1. Hai ngành thường xuyên trao đổi thông tin về người nước ngoài vi phạm pháp luật Việt Nam.",
    "Thông tin được lưu giữ theo chế độ mật.",
    "2. Công an tỉnh chủ trì xác minh; Sở Ngoại vụ trả lời trong 07 ngày làm việc.",
    "Mục 2",
    "BẢO ĐẢM AN NINH ĐOÀN KHÁCH QUỐC TẾ",
    "Điều 4. Đón tiếp đoàn khách nước ngoài",
    "Sở Ngoại vụ thông báo kế hoạch đón đoàn khách, kể cả đoàn của Hoa Kỳ và Trung Quốc, để "
    "Công an tỉnh bố trí lực lượng bảo vệ.",
]


# --- DOCX -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docx_doc():
    return Document(io.BytesIO(render_docx(make_tree(), make_meta())))


def cell_paragraphs(table):
    seen, out = set(), []
    for row in table.rows:
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is listed once per grid column
                continue
            seen.add(id(cell._tc))
            out += cell.paragraphs
    return out


def table_text(table) -> str:
    return "\n".join(p.text for p in cell_paragraphs(table))


def find(paragraphs, text):
    matches = [p for p in paragraphs if p.text == text]
    assert matches, f"no paragraph {text!r}"
    return matches[0]


def test_docx_page_is_a4_with_decree_30_margins(docx_doc):
    section = docx_doc.sections[0]
    assert round(section.page_width / MM) == 210
    assert round(section.page_height / MM) == 297
    assert 20 <= round(section.top_margin / MM) <= 25
    assert 20 <= round(section.bottom_margin / MM) <= 25
    assert 30 <= round(section.left_margin / MM) <= 35
    assert 15 <= round(section.right_margin / MM) <= 20


def test_docx_body_paragraphs_are_exactly_the_title_and_the_structure(docx_doc):
    assert [p.text for p in docx_doc.paragraphs] == [nfc(t) for t in EXPECTED_PARAGRAPHS]


def test_docx_header_table_has_both_agencies_and_their_numbers(docx_doc):
    header = docx_doc.tables[0]
    top = header.rows[0].cells
    assert [c.paragraphs[0].text for c in top] == [
        "CÔNG AN TỈNH HÀ GIANG",
        "SỞ NGOẠI VỤ TỈNH HÀ GIANG",
    ]
    for cell in top:
        assert all(run.bold for run in cell.paragraphs[0].runs)
    text = table_text(header)
    assert "Số: 01/QCPH-CAT" in text
    assert "Số: 02/QCPH-SNgV" in text
    assert text.index("CÔNG AN TỈNH HÀ GIANG") < text.index(NATION)
    paragraphs = cell_paragraphs(header)
    assert all(r.bold for r in find(paragraphs, NATION).runs)
    assert all(r.bold for r in find(paragraphs, MOTTO).runs)
    date = find(paragraphs, PLACE_DATE)
    assert date.runs and all(r.italic for r in date.runs)
    assert date.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_docx_title_and_chapters_are_bold_and_centred(docx_doc):
    paragraphs = docx_doc.paragraphs
    for text in ("QUY CHẾ", TITLE, "Chương I", "NHỮNG QUY ĐỊNH CHUNG", "Mục 1", "Chương II"):
        p = find(paragraphs, text)
        assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER, text
        assert all(r.bold for r in p.runs), text


def test_docx_article_is_one_paragraph_with_a_bold_label(docx_doc):
    for number, title in (
        (1, "Phạm vi điều chỉnh và đối tượng áp dụng"),
        (3, "Trao đổi thông tin"),
    ):
        p = find(docx_doc.paragraphs, f"Điều {number}. {title}")
        assert p.runs[0].text == f"Điều {number}."
        assert p.runs[0].bold
        assert p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY


def test_docx_body_is_14_pt_justified_with_a_first_line_indent(docx_doc):
    body = [
        p
        for p in docx_doc.paragraphs
        if re.match(r"(\d+\. |[a-zđ]\) |Quy chế áp dụng|không làm|Thông tin được)", p.text)
    ]
    assert len(body) >= 8
    for p in body:
        assert p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY, p.text
        assert p.paragraph_format.first_line_indent > 0
        for run in p.runs:
            assert Pt(13) <= run.font.size <= Pt(14)
    assert docx_doc.styles["Normal"].font.name == "Times New Roman"
    assert docx_doc.styles["Normal"].font.size == Pt(14)


def test_docx_signature_table_has_both_heads_and_the_recipients(docx_doc):
    closing = docx_doc.tables[-1]
    signatures = [list(c.paragraphs) for c in closing.rows[0].cells]
    titles = {ps[0].text for ps in signatures}
    assert titles == {HEAD_CAT, HEAD_SNGV}
    # The lead issuer (Công an tỉnh, the first) signs on the right.
    assert signatures[-1][0].text == HEAD_CAT
    for ps in signatures:
        assert all(r.bold for r in ps[0].runs)
        assert sum(1 for p in ps if not p.text) >= 3  # room for the signature and seal
    names = {p.text for ps in signatures for p in ps}
    assert {"Nguyễn Văn Đức", "Lý Thị Hữu"} <= names
    paragraphs = cell_paragraphs(closing)
    label = find(paragraphs, "Nơi nhận:")
    assert all(r.italic and r.bold for r in label.runs)
    assert label.runs[0].font.size < Pt(14)
    assert [p.text for p in paragraphs[paragraphs.index(label) + 1 :]] == [
        "- Như Điều 4;",
        "- Lãnh đạo hai ngành;",
        "- Lưu: VT.",
    ]


def test_docx_page_number_is_a_field_in_the_header_from_page_2(docx_doc):
    section = docx_doc.sections[0]
    assert section.different_first_page_header_footer
    assert not "".join(p.text for p in section.first_page_header.paragraphs).strip()
    header = section.header.paragraphs[0]
    assert header.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "PAGE" in "".join(header._p.itertext())


def test_docx_uppercases_titles_and_shows_a_decision_reference():
    tree = make_tree()
    tree.chapters[0].title = "Những quy định chung"
    tree.chapters[1].sections[0].title = "Trao đổi thông tin và xác minh đối tượng"
    meta = make_meta(decision_ref="Ban hành kèm theo Quyết định số 15/QĐ-UBND")
    texts = [p.text for p in Document(io.BytesIO(render_docx(tree, meta))).paragraphs]
    assert "NHỮNG QUY ĐỊNH CHUNG" in texts
    assert "TRAO ĐỔI THÔNG TIN VÀ XÁC MINH ĐỐI TƯỢNG" in texts
    assert texts[:3] == ["QUY CHẾ", TITLE, "(Ban hành kèm theo Quyết định số 15/QĐ-UBND)"]


def test_docx_with_one_issuer_puts_it_beside_the_national_title():
    meta = make_meta(issuers=[Issuer("Sở Ngoại vụ tỉnh Hà Giang", "Số: 03/QCPH", "Giám đốc")])
    d = Document(io.BytesIO(render_docx(make_tree(), meta)))
    left, right = d.tables[0].rows[0].cells
    assert left.paragraphs[0].text == "SỞ NGOẠI VỤ TỈNH HÀ GIANG"
    assert "Số: 03/QCPH" in [p.text for p in left.paragraphs]  # not "Số: Số: …"
    assert right.paragraphs[0].text == NATION


def test_docx_without_a_date_leaves_room_to_write_it():
    d = Document(io.BytesIO(render_docx(make_tree(), make_meta(signed_on=None))))
    assert "Hà Giang, ngày …… tháng …… năm ……" in table_text(d.tables[0])


def test_chapter_numbers_are_roman():
    assert [roman(n) for n in (1, 2, 4, 9, 14, 40)] == ["I", "II", "IV", "IX", "XIV", "XL"]


# --- PDF ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_reader():
    return PdfReader(io.BytesIO(render_pdf(make_tree(), make_meta())))


def pdf_text(reader) -> str:
    return nfc("\n".join(page.extract_text() for page in reader.pages))


def expected_words(tree: RegulationTree) -> set[str]:
    texts = [tree.title]
    for chapter in tree.chapters:
        texts.append(chapter.title.upper())
        texts += [s.title.upper() for s in chapter.sections]
        for article in chapter.articles:
            texts += [article.title, article.text]
            for clause in article.clauses:
                texts.append(clause.text)
                texts += [p.text for p in clause.points]
    return words(" ".join(texts))


def test_pdf_holds_every_word_of_the_tree_with_its_diacritics(pdf_reader):
    text = pdf_text(pdf_reader)
    missing = expected_words(make_tree()) - words(text)
    assert not missing
    for letter in "ĐữệỹđẢỞ":
        assert letter in text, letter
    flat_text = flat(text)
    for phrase in (
        "QUY CHẾ",
        "Chương I",
        "Chương II",
        "Mục 1",
        "Mục 2",
        "Điều 1. Phạm vi điều chỉnh và đối tượng áp dụng",
        "Điều 4. Đón tiếp đoàn khách nước ngoài",
        "a) Chủ động, kịp thời, chặt chẽ;",
        "đ) Kiểm tra kỹ lưỡng trước khi trả lời.",
        "Thông tin được lưu giữ theo chế độ mật.",
        "NHỮNG QUY ĐỊNH CHUNG",
        "BẢO ĐẢM AN NINH ĐOÀN KHÁCH QUỐC TẾ",
        "vi phạm pháp luật Việt Nam",
    ):
        assert nfc(phrase) in flat_text, phrase


def test_pdf_has_the_header_signatures_and_recipients(pdf_reader):
    text = flat(pdf_text(pdf_reader))
    for phrase in (
        "CÔNG AN TỈNH HÀ GIANG",
        "SỞ NGOẠI VỤ TỈNH HÀ GIANG",
        "Số: 01/QCPH-CAT",
        "Số: 02/QCPH-SNgV",
        NATION,
        MOTTO,
        PLACE_DATE,
        HEAD_CAT,
        HEAD_SNGV,
        "Nguyễn Văn Đức",
        "Lý Thị Hữu",
        "Nơi nhận:",
        "- Lưu: VT.",
    ):
        assert nfc(phrase) in text, phrase


def test_pdf_embeds_its_font_and_has_a_title(pdf_reader):
    assert nfc(pdf_reader.metadata.title) == nfc(TITLE)
    assert "Công an tỉnh Hà Giang" in nfc(pdf_reader.metadata.author)
    box = pdf_reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    for page in pdf_reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert "Helvetica" not in str(font["/BaseFont"])
            assert "/FontFile2" in font["/FontDescriptor"].get_object()


def placed_texts(page) -> list[tuple[str, float, float]]:
    """(text, x, y) of each piece of text drawn on the page, in points."""
    found = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x, y))

    page.extract_text(visitor_text=visit)
    return found


def test_long_pdf_numbers_its_pages_at_the_top_from_page_2():
    reader = PdfReader(io.BytesIO(render_pdf(long_tree(), make_meta())))
    assert len(reader.pages) > 1
    points = 72 / 25.4
    top_of_text = (PAGE_HEIGHT - 20) * points
    centre = (MARGIN_LEFT + TEXT_WIDTH / 2) * points
    numbers = [
        (text, x) for text, x, y in placed_texts(reader.pages[1]) if y > top_of_text and text == "2"
    ]
    assert len(numbers) == 1
    assert abs(numbers[0][1] + 3 - centre) < 10  # centred (x is the start of the digit)
    assert not [t for t, _x, y in placed_texts(reader.pages[0]) if y > top_of_text]
    text = pdf_text(reader)
    assert not expected_words(long_tree()) - words(text)
    assert HEAD_CAT in flat(text)


# --- round trip --------------------------------------------------------------------------------


def test_import_export_import_gives_the_same_tree():
    from phoihop.regulations.importer import parse_docx

    tree = make_tree()
    first = parse_docx(render_docx(tree, make_meta()))
    assert first.same_text(tree)
    second = parse_docx(render_docx(first, make_meta()))
    assert second.same_text(first)
    assert [a.number for a in second.articles()] == [1, 2, 3, 4]


def test_long_tree_with_a_decision_reference_round_trips_too():
    from phoihop.regulations.importer import parse_docx

    tree = long_tree(12)
    meta = make_meta(decision_ref="Ban hành kèm theo Quyết định số 15/QĐ-UBND ngày 02/12/2011")
    back = parse_docx(render_docx(tree, meta))
    assert back.same_text(tree)
    assert not back.unrecognised
