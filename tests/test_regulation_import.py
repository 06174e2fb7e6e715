"""Importing a regulation from .docx or plain text into the neutral tree, and reading responsibilities."""

from __future__ import annotations

import io
import unicodedata
import zipfile

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from phoihop.accounts.models import Agency
from phoihop.regulations.choices import ResponsibilityRole
from phoihop.regulations.importer import (
    ImportFailed,
    Suggestion,
    docx_paragraphs,
    parse_docx,
    parse_paragraphs,
    parse_text,
    suggest_responsibilities,
)
from phoihop.regulations.tree import ChapterNode, ClauseNode, PointNode
from tests.data import sample_regulation as sample

LEAD = ResponsibilityRole.LEAD
SUPPORT = ResponsibilityRole.SUPPORT


@pytest.fixture(scope="module")
def sample_docx() -> bytes:
    return sample.DOCX_PATH.read_bytes()


@pytest.fixture(scope="module")
def sample_tree(sample_docx):
    return parse_docx(sample_docx)


def docx_bytes(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def counts(tree) -> dict[str, int]:
    return {
        "chapters": len(tree.chapters),
        "sections": sum(len(c.sections) for c in tree.chapters),
        "articles": len(tree.articles()),
        "clauses": len(tree.clauses()),
        "points": sum(len(clause.points) for _article, clause in tree.clauses()),
    }


def article(tree, number: int):
    return next(a for a in tree.articles() if a.number == number)


def failure(call, *args) -> str:
    with pytest.raises(ImportFailed) as caught:
        call(*args)
    return str(caught.value)


# --- the sample regulation ---------------------------------------------------------------------


def test_sample_docx_parses_into_the_expected_numbers_of_each_part(sample_tree):
    assert counts(sample_tree) == sample.EXPECTED
    assert [a.number for a in sample_tree.articles()] == list(range(1, 26))
    assert [c.number for c in sample_tree.chapters] == [1, 2, 3, 4, 5, 6]
    assert sample_tree.unrecognised == []


def test_sample_preamble_and_signature_block_are_neither_text_nor_unrecognised(sample_tree):
    assert sample_tree.title == sample.TITLE
    last = article(sample_tree, 25).clauses[-1]
    assert last.text.endswith("việc thực hiện Quy chế./.")
    assert "\n" not in last.text
    everything = repr(sample_tree.chapters)
    for leftover in ("Nơi nhận", "GIÁM ĐỐC", "Như Điều 25", "Căn cứ chức năng", "Độc lập"):
        assert leftover not in everything


def test_sample_chapter_and_section_titles_and_which_articles_sit_in_which_section(sample_tree):
    assert [c.title for c in sample_tree.chapters] == [
        "QUY ĐỊNH CHUNG",
        "NỘI DUNG PHỐI HỢP",
        "PHƯƠNG THỨC PHỐI HỢP",
        "TRÁCH NHIỆM CỦA CÁC BÊN",
        "SƠ KẾT, TỔNG KẾT VÀ KHEN THƯỞNG",
        "ĐIỀU KHOẢN THI HÀNH",
    ]
    content = sample_tree.chapters[1]
    assert [(s.number, s.title) for s in content.sections] == [
        (1, "PHỐI HỢP ĐẤU TRANH PHÒNG, CHỐNG TỘI PHẠM VÀ GIẢI QUYẾT VỤ VIỆC TRÊN TUYẾN BIÊN GIỚI"),
        (2, "PHỐI HỢP XÁC MINH, TRAO ĐỔI THÔNG TIN VÀ BẢO ĐẢM AN NINH ĐOÀN NƯỚC NGOÀI"),
    ]
    assert [(a.number, a.section) for a in content.articles] == [
        (6, 1),
        (7, 1),
        (8, 1),
        (9, 1),
        (10, 2),
        (11, 2),
        (12, 2),
        (13, 2),
    ]
    assert all(
        a.section is None for c in sample_tree.chapters if c is not content for a in c.articles
    )


def test_sample_article_texts_clauses_and_points_read_as_written(sample_tree):
    first = article(sample_tree, 1)
    assert first.title == "Phạm vi điều chỉnh"
    assert first.clauses == []
    assert first.text.startswith("Quy chế này quy định nguyên tắc, nội dung, phương thức")

    definitions = article(sample_tree, 3)
    assert definitions.text == "Trong Quy chế này, các từ ngữ dưới đây được hiểu như sau:"
    assert [c.number for c in definitions.clauses] == [1, 2, 3, 4]

    crimes = article(sample_tree, 6)
    assert crimes.title == "Phối hợp điều tra vụ án hình sự có yếu tố nước ngoài"
    assert [p.letter for p in crimes.clauses[0].points] == ["a", "b", "c", "d", "đ"]
    assert crimes.clauses[0].points[4] == PointNode(
        "đ", "Các vụ buôn lậu, vận chuyển trái phép hàng hóa, vũ khí qua biên giới."
    )
    assert crimes.clauses[1].text.endswith(
        "trong thời hạn 05 ngày làm việc kể từ ngày nhận được đề nghị của Công an tỉnh."
    )


def test_sample_continuation_lines_join_their_clause_or_point(sample_tree):
    assert article(sample_tree, 6).clauses[2].text == (
        "Kết quả điều tra, xử lý vụ án được Công an tỉnh thông báo cho Sở Ngoại vụ để phối hợp "
        "trả lời phía nước ngoài khi có yêu cầu.\n"
        "Việc thông báo thực hiện bằng văn bản, có chữ ký của lãnh đạo Công an tỉnh."
    )
    assert article(sample_tree, 12).clauses[1].points[0].text == (
        "Đoàn cấp cao: xây dựng phương án bảo vệ riêng;\n"
        "Phương án bảo vệ do lãnh đạo Công an tỉnh phê duyệt."
    )


def test_docx_specific_runs_tabs_and_non_breaking_spaces_read_like_plain_text(sample_docx):
    paragraphs = docx_paragraphs(sample_docx)
    assert "Điều 12. Bảo đảm an ninh cho đoàn nước ngoài" in [
        " ".join(p.split()) for p in paragraphs
    ]
    tree = parse_docx(sample_docx)
    assert article(tree, 12).title == "Bảo đảm an ninh cho đoàn nước ngoài"
    assert article(tree, 2).clauses[0].text.startswith("Công an tỉnh, Sở Ngoại vụ")


def test_tables_of_the_docx_are_left_out(sample_docx):
    paragraphs = docx_paragraphs(sample_docx)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in paragraphs
    assert "GIÁM ĐỐC CÔNG AN TỈNH" not in paragraphs
    assert paragraphs[0] == "QUY CHẾ"


def test_stored_sample_docx_is_what_the_builder_makes(tmp_path, sample_docx):
    rebuilt = sample.build_docx(tmp_path / "mau.docx").read_bytes()
    assert docx_paragraphs(rebuilt) == docx_paragraphs(sample_docx)
    assert parse_docx(rebuilt) == parse_docx(sample_docx)


def test_plain_text_import_gives_the_same_tree_as_the_docx(sample_tree):
    from_text = parse_text(sample.TEXT)
    assert from_text.same_text(sample_tree)
    assert from_text == sample_tree


def test_nfd_input_is_normalised_to_nfc(sample_tree):
    decomposed = unicodedata.normalize("NFD", sample.TEXT)
    assert decomposed != sample.TEXT
    tree = parse_text(decomposed)
    assert tree.same_text(sample_tree)
    assert unicodedata.is_normalized("NFC", tree.title)
    assert all(unicodedata.is_normalized("NFC", c.text) for _a, c in tree.clauses())


def test_nfd_docx_is_normalised_to_nfc():
    tree = parse_docx(
        docx_bytes(
            *(
                unicodedata.normalize("NFD", t)
                for t in ("Điều 1. Phạm vi điều chỉnh", "1. Khoản đầu.")
            )
        )
    )
    assert article(tree, 1).title == "Phạm vi điều chỉnh"
    assert article(tree, 1).clauses == [ClauseNode(1, "Khoản đầu.")]


# --- headings in their different spellings -----------------------------------------------------


@pytest.mark.parametrize(
    "heading",
    [
        ["Chương I. Quy định chung"],
        ["CHƯƠNG I: QUY ĐỊNH CHUNG"],
        ["Chương 1 - Quy định chung"],
        ["Chương I – Quy định chung"],
        ["Chương I QUY ĐỊNH CHUNG"],
        ["Chương I", "QUY ĐỊNH CHUNG"],
        ["Chương I", "Quy định chung"],
        ["chương I.", "", "Quy định chung"],
    ],
)
def test_chapter_heading_spellings_give_one_upper_case_title(heading):
    tree = parse_paragraphs([*heading, "Điều 1. Phạm vi điều chỉnh", "Nội dung."])
    assert tree.chapters == [ChapterNode(1, "QUY ĐỊNH CHUNG", articles=tree.chapters[0].articles)]
    assert tree.unrecognised == []


@pytest.mark.parametrize(
    "line",
    [
        "Điều 1. Phạm vi điều chỉnh",
        "Điều 1: Phạm vi điều chỉnh",
        "Điều 1 . Phạm vi điều chỉnh",
        "ĐIỀU 1. Phạm vi điều chỉnh",
        "Điều 1 - Phạm vi điều chỉnh",
        "Điều 1.Phạm vi điều chỉnh",
        "Điều\u00a01.\u00a0Phạm vi\u200b điều chỉnh",
        "Ðiều 1. Phạm vi điều chỉnh",  # Icelandic eth, as legacy font converters leave it
        "  Điều   1.\tPhạm vi điều chỉnh  ",
    ],
)
def test_article_heading_spellings(line):
    tree = parse_text(f"{line}\nNội dung.")
    assert [(a.number, a.title, a.text) for a in tree.articles()] == [
        (1, "Phạm vi điều chỉnh", "Nội dung.")
    ]


def test_article_titles_keep_their_case():
    tree = parse_text("Điều 1. PHẠM VI điều chỉnh\nĐiều 2. đối tượng áp dụng")
    assert [a.title for a in tree.articles()] == ["PHẠM VI điều chỉnh", "đối tượng áp dụng"]


def test_a_sentence_that_starts_with_dieu_or_chuong_is_not_a_heading():
    tree = parse_text(
        "Điều 1. Sửa đổi\n"
        "Điều 5 của Quy chế năm 2008 được thay thế.\n"
        "Chương trình phối hợp được xây dựng hằng năm.\n"
        "Mục tiêu là bảo đảm an ninh."
    )
    assert len(tree.articles()) == 1
    assert article(tree, 1).text.splitlines() == [
        "Điều 5 của Quy chế năm 2008 được thay thế.",
        "Chương trình phối hợp được xây dựng hằng năm.",
        "Mục tiêu là bảo đảm an ninh.",
    ]


def test_sections_number_the_articles_until_the_next_section_or_chapter():
    tree = parse_text(
        "Chương II. Nội dung\n"
        "Điều 3. Trước mục\n"
        "Mục I. Phối hợp điều tra\n"
        "Điều 4. Trong mục một\n"
        "Mục 2\n"
        "Xác minh\n"
        "Điều 5. Trong mục hai\n"
        "Chương III: Phương thức\n"
        "Điều 6. Sau chương mới"
    )
    assert [(a.number, a.section) for a in tree.articles()] == [
        (3, None),
        (4, 1),
        (5, 2),
        (6, None),
    ]
    assert [(s.number, s.title) for s in tree.chapters[0].sections] == [
        (1, "PHỐI HỢP ĐIỀU TRA"),
        (2, "XÁC MINH"),
    ]
    assert [(c.number, c.title) for c in tree.chapters] == [(2, "NỘI DUNG"), (3, "PHƯƠNG THỨC")]


def test_articles_without_any_chapter_go_into_chapter_1_with_an_empty_title():
    tree = parse_text(
        "Quy chế phối hợp trao đổi thông tin\nĐiều 1. Phạm vi\nNội dung một.\nĐiều 2. Hiệu lực\n1. Có hiệu lực từ ngày ký."
    )
    assert tree.title == "Quy chế phối hợp trao đổi thông tin"
    assert [(c.number, c.title) for c in tree.chapters] == [(1, "")]
    assert [a.number for a in tree.chapters[0].articles] == [1, 2]
    assert tree.unrecognised == []


def test_title_of_plain_text_is_its_first_line():
    tree = parse_text("\nPhối hợp xác minh đối tượng\nĐiều 1. Phạm vi\nNội dung.")
    assert tree.title == "Phối hợp xác minh đối tượng"


def test_title_from_a_capitalised_quy_che_line_when_there_is_no_separate_title():
    tree = parse_text(
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\n"
        "Hà Giang, ngày 02 tháng 12 năm 2011\n"
        "QUY CHẾ PHỐI HỢP GIỮA CÔNG AN TỈNH VÀ SỞ NGOẠI VỤ\n"
        "Điều 1. Phạm vi\nNội dung."
    )
    assert tree.title == "QUY CHẾ PHỐI HỢP GIỮA CÔNG AN TỈNH VÀ SỞ NGOẠI VỤ"
    assert tree.unrecognised == []


def test_a_quy_che_line_with_no_title_under_it_gives_an_empty_title():
    tree = parse_text("QUY CHẾ\n\nChương I\nĐiều 1. Phạm vi\nNội dung.")
    assert tree.title == ""
    assert tree.unrecognised == []


def test_title_skips_the_national_heading_motto_number_and_date():
    tree = parse_text(
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập – Tự do – Hạnh phúc\n"
        "-------------\n"
        "Số: 02/QCPH\n"
        "Hà Giang, ngày 02 tháng 12 năm 2011\n"
        "CÔNG AN TỈNH HÀ GIANG\n"
        "Phối hợp bảo đảm an ninh đoàn nước ngoài\n"
        "Điều 1. Phạm vi\nNội dung."
    )
    assert tree.title == "Phối hợp bảo đảm an ninh đoàn nước ngoài"


def test_the_signature_block_ends_the_last_article_even_before_dash_lines():
    tree = parse_text(
        "Điều 1. Phạm vi\n"
        "1. Nội dung:\n"
        "- gạch đầu dòng trong khoản;\n"
        "Nơi nhận:\n"
        "- Như trên;\n"
        "- Lưu: VT.\n"
        "KT. GIÁM ĐỐC\n"
        "PHÓ GIÁM ĐỐC\n"
        "Nguyễn Văn Thử"
    )
    assert article(tree, 1).clauses == [ClauseNode(1, "Nội dung:\n- gạch đầu dòng trong khoản;")]
    assert tree.unrecognised == []


def test_a_section_number_used_twice_in_one_chapter_is_refused():
    message = failure(parse_text, "Chương I. A\nMục 1. B\nĐiều 1. C\nMục 1. D\nĐiều 2. E")
    assert message == "Mục 1 xuất hiện hai lần trong cùng một chương (đoạn 2 và 4)."


def test_clauses_numbered_with_a_parenthesis_and_points_up_to_d_bar():
    tree = parse_text(
        "Điều 1. Nội dung\n1) Khoản một:\na) một;\nb) hai;\nc) ba;\nd) bốn;\nđ) năm.\n2) Khoản hai."
    )
    first = article(tree, 1)
    assert [c.number for c in first.clauses] == [1, 2]
    assert [p.letter for p in first.clauses[0].points] == ["a", "b", "c", "d", "đ"]
    assert first.clauses[0].points[-1].text == "năm."


def test_article_text_and_continuations_with_several_paragraphs():
    tree = parse_text(
        "Điều 1. Nội dung\n"
        "Câu mở đầu.\n"
        "Câu mở đầu thứ hai.\n"
        "1. Khoản một.\n"
        "Dòng tiếp của khoản một.\n"
        "a) Điểm a;\n"
        "Dòng tiếp của điểm a.\n"
        "2. Khoản hai."
    )
    first = article(tree, 1)
    assert first.text == "Câu mở đầu.\nCâu mở đầu thứ hai."
    assert first.clauses == [
        ClauseNode(
            1,
            "Khoản một.\nDòng tiếp của khoản một.",
            [PointNode("a", "Điểm a;\nDòng tiếp của điểm a.")],
        ),
        ClauseNode(2, "Khoản hai."),
    ]


# --- what cannot be placed ---------------------------------------------------------------------


def test_unrecognised_paragraphs_are_listed_with_their_paragraph_number_and_a_reason():
    lines = [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",  # 1 preamble
        "QUY CHẾ",  # 2
        "Phối hợp công tác",  # 3 title
        "Chương I",  # 4
        "QUY ĐỊNH CHUNG",  # 5 its title
        "Một câu lạc giữa chương và điều.",  # 6 unrecognised
        "Điều 1. Phạm vi",  # 7
        "a) Điểm trước khoản.",  # 8 unrecognised: point before any clause
        "1. Khoản một.",  # 9
        "3. Khoản ba nhảy số.",  # 10 unrecognised: skips 2
        "a) Điểm của khoản nhảy số.",  # 11 unrecognised: follows it
        "2. Khoản hai.",  # 12
        "2. Khoản hai lặp lại.",  # 13 unrecognised: repeats 2
        "3. Khoản ba.",  # 14
        "Điều 2. Không khoản một",  # 15
        "2. Bắt đầu bằng khoản hai.",  # 16 unrecognised
        "GIÁM ĐỐC",  # 17 trailing
        "Nơi nhận:",  # 18 trailing
        "- Như trên;",  # 19 trailing
    ]
    tree = parse_paragraphs(lines)
    assert [(u.index, u.text) for u in tree.unrecognised] == [
        (6, "Một câu lạc giữa chương và điều."),
        (8, "a) Điểm trước khoản."),
        (10, "3. Khoản ba nhảy số."),
        (11, "a) Điểm của khoản nhảy số."),
        (13, "2. Khoản hai lặp lại."),
        (16, "2. Bắt đầu bằng khoản hai."),
    ]
    reasons = [u.reason for u in tree.unrecognised]
    assert "Chương I" in reasons[0]
    assert reasons[1] == "Điểm a) đứng trước khoản đầu tiên của Điều 1."
    assert reasons[2] == "Khoản 3 của Điều 1 bỏ cách số thứ tự (khoản trước là 1)."
    assert reasons[3] == "Đi sau đoạn 10 không xếp được vào điều, khoản nào."
    assert reasons[4] == "Khoản 2 của Điều 1 lặp lại hoặc sai thứ tự (khoản trước là 2)."
    assert reasons[5] == "Điều 2 bắt đầu bằng khoản 2 thay vì khoản 1."
    assert [c.text for c in article(tree, 1).clauses] == ["Khoản một.", "Khoản hai.", "Khoản ba."]
    assert article(tree, 1).text == ""
    assert tree.title == "Phối hợp công tác"


def test_text_between_a_section_heading_and_its_first_article_is_unrecognised():
    tree = parse_text("Chương I. Chung\nMục 1. Một\nLời dẫn của mục.\nĐiều 1. A\nNội dung.")
    assert [(u.index, u.text) for u in tree.unrecognised] == [(3, "Lời dẫn của mục.")]
    assert "Mục 1" in tree.unrecognised[0].reason


def test_articles_before_the_first_chapter_are_unrecognised_when_the_text_has_chapters():
    tree = parse_text("Điều 1. Lạc chỗ\n1. Khoản.\nChương I. Chung\nĐiều 2. Đúng chỗ\nNội dung.")
    assert [(u.index, u.text) for u in tree.unrecognised] == [
        (1, "Điều 1. Lạc chỗ"),
        (2, "1. Khoản."),
    ]
    assert [a.number for a in tree.articles()] == [2]


def test_a_repeated_point_letter_is_unrecognised():
    tree = parse_text("Điều 1. A\n1. Khoản:\na) một;\na) một nữa;\nb) hai.")
    assert [(u.index, u.reason) for u in tree.unrecognised] == [
        (4, "Điểm a) lặp lại trong khoản 1 Điều 1.")
    ]
    assert [p.letter for p in article(tree, 1).clauses[0].points] == ["a", "b"]


# --- bad input ---------------------------------------------------------------------------------


def test_import_failed_is_a_value_error():
    assert issubclass(ImportFailed, ValueError)


def test_a_pdf_is_refused_as_not_a_docx():
    message = failure(parse_docx, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    assert message.startswith("Tệp không phải .docx")
    assert "PDF" in message


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x01random bytes\xff" * 20, "Điều 1. Văn bản thường".encode()],
    ids=["empty", "random", "plain-text"],
)
def test_bytes_that_are_no_docx_are_refused(data):
    assert failure(parse_docx, data).startswith("Tệp không phải .docx")


def test_an_old_word_doc_is_refused_with_a_hint_to_save_as_docx():
    message = failure(parse_docx, bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 512)
    assert message.startswith("Tệp không phải .docx")
    assert ".doc" in message


def test_a_zip_that_is_not_a_word_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert failure(parse_docx, buffer.getvalue()).startswith("Tệp không phải .docx")


def test_a_truncated_docx_is_reported_as_damaged(sample_docx):
    message = failure(parse_docx, sample_docx[: len(sample_docx) // 2])
    assert message.startswith("Tệp .docx bị hỏng")


def test_a_docx_with_broken_xml_is_reported_as_damaged(sample_docx):
    source = zipfile.ZipFile(io.BytesIO(sample_docx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            archive.writestr(item, data)
    assert failure(parse_docx, buffer.getvalue()).startswith("Tệp .docx bị hỏng")


def test_a_docx_without_any_article_is_refused():
    message = failure(parse_docx, docx_bytes("QUY CHẾ", "Phối hợp", "Chương I", "QUY ĐỊNH CHUNG"))
    assert message.startswith("Không tìm thấy điều nào")


def test_a_text_without_any_article_is_refused():
    assert failure(parse_text, "Chỉ là một đoạn văn.\nKhông có điều nào.").startswith(
        "Không tìm thấy điều nào"
    )
    assert failure(parse_text, "").startswith("Không tìm thấy điều nào")


def test_an_article_number_used_twice_names_both_paragraphs():
    lines = ["QUY CHẾ", "Thử", "Chương I", "CHUNG", "Điều 5. Một", "Nội dung."]
    lines += ["Nội dung tiếp."] * 30
    lines += ["Điều 5. Lặp lại", "Nội dung."]
    assert len(lines) == 38
    assert failure(parse_paragraphs, lines) == "Điều 5 xuất hiện hai lần (đoạn 5 và 37)."


def test_an_article_number_used_twice_in_a_docx_names_body_paragraphs(sample_docx):
    document = Document(io.BytesIO(sample_docx))
    recipients = next(p for p in document.paragraphs if p.text == "Nơi nhận:")
    recipients.insert_paragraph_before("Điều 7. Lặp lại")
    buffer = io.BytesIO()
    document.save(buffer)
    paragraphs = docx_paragraphs(buffer.getvalue())
    first = paragraphs.index("Điều 7. Bàn giao đối tượng, nạn nhân và tang vật") + 1
    second = paragraphs.index("Điều 7. Lặp lại") + 1
    assert failure(parse_docx, buffer.getvalue()) == (
        f"Điều 7 xuất hiện hai lần (đoạn {first} và {second})."
    )


def test_a_chapter_number_used_twice_is_refused():
    message = failure(parse_text, "Chương I. Một\nĐiều 1. A\nChương 1. Lại một\nĐiều 2. B")
    assert message == "Chương 1 xuất hiện hai lần (đoạn 1 và 3)."


# --- Word's automatic numbering ----------------------------------------------------------------


def _numbered(paragraph, num_id: int, level: int = 0) -> None:
    paragraph._p.get_or_add_pPr().append(
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'
        )
    )


def test_word_automatic_numbering_is_written_back_in_front_of_the_text():
    document = Document()
    numbering = document.part.numbering_part.element
    definitions = parse_xml(
        f"<w:numbering {nsdecls('w')}>"
        '<w:abstractNum w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="decimal"/><w:lvlText w:val="Điều %1."/></w:lvl></w:abstractNum>'
        '<w:abstractNum w:abstractNumId="91"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>'
        '<w:lvlText w:val="%2)"/></w:lvl></w:abstractNum>'
        '<w:num w:numId="90"><w:abstractNumId w:val="90"/></w:num>'
        '<w:num w:numId="91"><w:abstractNumId w:val="91"/></w:num>'
        '<w:num w:numId="92"><w:abstractNumId w:val="91"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
        "</w:numbering>"
    )
    first_num = numbering.find(f"{{{numbering.nsmap['w']}}}num")
    for child in list(definitions):
        if child.tag.endswith("abstractNum"):
            first_num.addprevious(child)
        else:
            numbering.append(child)
    plan = [
        ("Phạm vi điều chỉnh", 90, 0),
        ("Khoản thứ nhất:", 91, 0),
        ("điểm thứ nhất;", 91, 1),
        ("điểm thứ hai.", 91, 1),
        ("Khoản thứ hai.", 91, 0),
        ("Đối tượng áp dụng", 90, 0),
        ("Khoản đầu của điều hai.", 92, 0),
    ]
    for text, num_id, level in plan:
        _numbered(document.add_paragraph(text), num_id, level)
    document.add_paragraph("2. Khoản gõ tay.")
    document.add_paragraph("Khoản ba theo kiểu danh sách.", style="List Number")
    buffer = io.BytesIO()
    document.save(buffer)

    assert docx_paragraphs(buffer.getvalue()) == [
        "Điều 1. Phạm vi điều chỉnh",
        "1. Khoản thứ nhất:",
        "a) điểm thứ nhất;",
        "b) điểm thứ hai.",
        "2. Khoản thứ hai.",
        "Điều 2. Đối tượng áp dụng",
        "1. Khoản đầu của điều hai.",
        "2. Khoản gõ tay.",
        "1. Khoản ba theo kiểu danh sách.",
    ]
    tree = parse_docx(buffer.getvalue())
    assert [c.number for c in article(tree, 1).clauses] == [1, 2]
    assert [p.letter for p in article(tree, 1).clauses[0].points] == ["a", "b"]
    assert [c.number for c in article(tree, 2).clauses] == [1, 2]
    # The list-styled paragraph restarts at 1 in its own list: it cannot be placed.
    assert [u.index for u in tree.unrecognised] == [9]


# --- responsibilities --------------------------------------------------------------------------

POLICE = Agency(code="cat-hagiang", name="Công an tỉnh Hà Giang", short_name="Công an tỉnh")
FOREIGN_AFFAIRS = Agency(
    code="sngv-hagiang", name="Sở Ngoại vụ tỉnh Hà Giang", short_name="Sở Ngoại vụ"
)
BORDER_GUARD = Agency(
    code="bdbp-hagiang",
    name="Bộ Chỉ huy Bộ đội Biên phòng tỉnh Hà Giang",
    short_name="BĐBP tỉnh",
)
AGENCIES = [POLICE, FOREIGN_AFFAIRS, BORDER_GUARD]


def roles(text: str) -> list[tuple[str, str, int | None, int | None]]:
    return [
        (s.agency.short_name, s.role, s.response_days, s.response_hours)
        for s in suggest_responsibilities(text, AGENCIES)
    ]


def test_lead_then_support_with_a_deadline_in_working_days():
    suggestions = suggest_responsibilities(
        "Công an tỉnh chủ trì, phối hợp với Sở Ngoại vụ xác minh, trả lời trong thời hạn "
        "05 ngày làm việc.",
        AGENCIES,
    )
    assert suggestions == [
        Suggestion(
            POLICE,
            LEAD,
            5,
            None,
            "Công an tỉnh chủ trì … trong thời hạn 05 ngày làm việc",
        ),
        Suggestion(
            FOREIGN_AFFAIRS,
            SUPPORT,
            5,
            None,
            "phối hợp với Sở Ngoại vụ … trong thời hạn 05 ngày làm việc",
        ),
    ]


def test_agency_after_which_comes_phoi_hop_supports():
    assert roles("Sở Ngoại vụ phối hợp thông báo cho cơ quan đại diện nước ngoài.") == [
        ("Sở Ngoại vụ", SUPPORT, None, None)
    ]


def test_chu_tri_after_do_and_the_agency():
    assert roles("Việc thăm lãnh sự do Công an tỉnh chủ trì tổ chức.") == [
        ("Công an tỉnh", LEAD, None, None)
    ]


def test_chu_tri_before_the_agency():
    assert roles("Cơ quan chủ trì: Sở Ngoại vụ; cơ quan phối hợp: Công an tỉnh.") == [
        ("Sở Ngoại vụ", LEAD, None, None),
        ("Công an tỉnh", SUPPORT, None, None),
    ]


def test_without_diacritics_and_within_48_hours():
    assert roles(
        "Cong an tinh chu tri, So Ngoai vu phoi hop thong bao lanh su trong vong 48 gio."
    ) == [
        ("Công an tỉnh", LEAD, None, 48),
        ("Sở Ngoại vụ", SUPPORT, None, 48),
    ]


def test_full_names_lists_of_supporting_agencies_and_cham_nhat():
    assert roles(
        "Công an tỉnh Hà Giang chủ trì, phối hợp với Sở Ngoại vụ tỉnh Hà Giang và "
        "Bộ Chỉ huy Bộ đội Biên phòng tỉnh Hà Giang giải quyết, chậm nhất 07 ngày làm việc."
    ) == [
        ("Công an tỉnh", LEAD, 7, None),
        ("Sở Ngoại vụ", SUPPORT, 7, None),
        ("BĐBP tỉnh", SUPPORT, 7, None),
    ]


def test_a_note_in_brackets_and_co_trach_nhiem_between_agency_and_role():
    assert roles("Công an tỉnh (Phòng An ninh đối ngoại) có trách nhiệm phối hợp.") == [
        ("Công an tỉnh", SUPPORT, None, None)
    ]


def test_deadlines_follow_their_own_part_of_the_sentence():
    assert roles(
        "Sở Ngoại vụ chủ trì thông báo kế hoạch; Công an tỉnh phối hợp, có ý kiến "
        "trong thời hạn 03 ngày làm việc; trường hợp khẩn cấp trong vòng 24 giờ."
    ) == [
        ("Sở Ngoại vụ", LEAD, None, 24),
        ("Công an tỉnh", SUPPORT, 3, 24),
    ]


def test_a_deadline_in_a_sentence_of_its_own_counts_for_every_agency():
    assert roles(
        "Việc xác minh do Công an tỉnh chủ trì, Sở Ngoại vụ phối hợp. Thời hạn trả lời "
        "trong thời hạn 05 (năm) ngày làm việc."
    ) == [
        ("Công an tỉnh", LEAD, 5, None),
        ("Sở Ngoại vụ", SUPPORT, 5, None),
    ]


def test_nothing_is_suggested_where_nothing_is_said():
    assert roles("Hai cơ quan thường xuyên trao đổi thông tin.") == []
    assert roles("") == []
    assert roles("Công an tỉnh tổ chức giao ban.") == []


def test_suggestions_from_the_sample_regulation(sample_tree):
    clause = article(sample_tree, 10).clauses[0]
    assert roles(clause.text) == [("Sở Ngoại vụ", SUPPORT, 7, None)]
    clause = article(sample_tree, 8).clauses[0]
    assert roles(clause.text) == [
        ("Công an tỉnh", LEAD, None, 24),
        ("Sở Ngoại vụ", SUPPORT, None, 24),
        ("BĐBP tỉnh", SUPPORT, None, 24),
    ]
    nfd = unicodedata.normalize("NFD", article(sample_tree, 9).clauses[2].text)
    assert roles(nfd) == [("Công an tỉnh", LEAD, None, None), ("Sở Ngoại vụ", SUPPORT, None, None)]
