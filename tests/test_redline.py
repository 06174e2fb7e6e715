"""The redline between two versions of a regulation: per article and clause, on the page
and as a DOCX annex (struck-through red deletions, underlined blue insertions)."""

from __future__ import annotations

import io

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from docx import Document
from docx.shared import Mm, RGBColor

from phoihop.core.policy import SYSTEM
from phoihop.regulations import redline as rl
from phoihop.regulations.choices import RegulationStatus
from phoihop.regulations.redline import (
    ADDED,
    CHANGED,
    DELETE,
    EQUAL,
    INSERT,
    MOVED,
    REMOVED,
    UNCHANGED,
    diff_text,
    redline,
    redline_between,
)
from phoihop.regulations.services import regulation_create
from phoihop.regulations.tree import (
    ArticleNode,
    ChapterNode,
    ClauseNode,
    PointNode,
    RegulationTree,
)
from tests.signin import force_login

SCOPE = "Quy chế này quy định việc phối hợp giữa Công an tỉnh và Sở Ngoại vụ."
INVESTIGATE_OLD = "Công an tỉnh chủ trì điều tra, trả lời trong thời hạn 05 ngày làm việc."
INVESTIGATE_NEW = "Công an tỉnh chủ trì điều tra, trả lời trong thời hạn 07 ngày làm việc."
SUPPORT = "Sở Ngoại vụ phối hợp:"
INFORMATION = "Hai bên trao đổi thông tin định kỳ hằng tháng."
AWARDS = "Hằng năm hai bên xét khen thưởng tập thể, cá nhân có thành tích."
EFFECT = "Quy chế có hiệu lực kể từ ngày ký."


# --- trees ------------------------------------------------------------------------------------


def _article(number, title, *clauses, text=""):
    return ArticleNode(
        number=number,
        title=title,
        text=text,
        clauses=[
            ClauseNode(number=k, text=c[0], points=[PointNode(x, t) for x, t in c[1]])
            if isinstance(c, tuple)
            else ClauseNode(number=k, text=c)
            for k, c in enumerate(clauses, start=1)
        ],
    )


def _tree(*articles, title="Quy chế phối hợp"):
    return RegulationTree(
        title=title, chapters=[ChapterNode(1, "Quy định chung", [], list(articles))]
    )


OLD = _tree(
    _article(1, "Phạm vi điều chỉnh", text=SCOPE),
    _article(
        2,
        "Phối hợp điều tra",
        INVESTIGATE_OLD,
        (SUPPORT, [("a", "thông báo cho cơ quan lãnh sự;"), ("b", "phiên dịch.")]),
    ),
    _article(3, "Khen thưởng", AWARDS),
    _article(4, "Hiệu lực thi hành", text=EFFECT),
)
NEW = _tree(
    _article(1, "Phạm vi điều chỉnh", text=SCOPE),
    _article(2, "Trao đổi thông tin", INFORMATION),
    _article(
        3,
        "Phối hợp điều tra",
        INVESTIGATE_NEW,
        (
            SUPPORT,
            [("a", "thông báo cho cơ quan lãnh sự;"), ("b", "phiên dịch, biên dịch tài liệu.")],
        ),
    ),
    _article(4, "Hiệu lực thi hành", text=EFFECT),
)


def _by_status(diff):
    return {(a.status, a.old_number, a.new_number) for a in diff.articles}


def test_a_changed_word_in_a_clause_is_one_deletion_and_one_insertion():
    text = diff_text(INVESTIGATE_OLD, INVESTIGATE_NEW)
    assert [s.op for s in text.segments] == [EQUAL, DELETE, INSERT, EQUAL]
    assert text.segments[1].text.strip() == "05"
    assert text.segments[2].text.strip() == "07"
    assert text.old_text == INVESTIGATE_OLD
    assert text.new_text == INVESTIGATE_NEW


def test_articles_added_removed_renumbered_and_unchanged():
    diff = redline(OLD, NEW)
    assert _by_status(diff) == {
        (UNCHANGED, 1, 1),
        (ADDED, None, 2),
        (MOVED, 2, 3),  # the inserted Điều 2 pushed it down; matched by its title
        (REMOVED, 3, None),
        (UNCHANGED, 4, 4),
    }
    # In the new version's order, the removed one after the article before it in the old.
    assert [(a.old_number, a.new_number) for a in diff.articles] == [
        (1, 1),
        (None, 2),
        (2, 3),
        (3, None),
        (4, 4),
    ]
    assert diff.counts == {
        "changed": 1,
        "added": 1,
        "removed": 1,
        "moved": 1,
        "unchanged": 2,
        "clauses_changed": 2,
        "clauses_added": 0,
        "clauses_removed": 0,
    }
    moved = next(a for a in diff.articles if a.status == MOVED)
    assert moved.label == "Điều 3 (Điều 2 cũ)"
    assert moved.content_changed


def test_points_are_compared_as_lines_of_their_clause():
    moved = next(a for a in redline(OLD, NEW).articles if a.status == MOVED)
    first, second = moved.clauses
    assert first.status == second.status == CHANGED
    assert "b) phiên dịch" in second.text.old_text
    assert second.text.new_text.endswith("b) phiên dịch, biên dịch tài liệu.")
    # Punctuation is a word of its own: "dịch." → "dịch, biên dịch tài liệu." keeps "dịch".
    assert [s.text.strip() for s in second.text.segments if s.op != EQUAL] == [
        ", biên dịch tài liệu"
    ]
    assert "\n" in second.text.new_text  # one line per point


def test_identical_versions_are_all_unchanged():
    diff = redline(OLD, OLD)
    assert {a.status for a in diff.articles} == {UNCHANGED}
    assert not diff.changed
    assert diff.counts["changed"] == diff.counts["added"] == diff.counts["removed"] == 0
    assert rl.summary_sentence(diff) == "Hai phiên bản có nội dung giống nhau."


def test_a_retitled_article_under_its_number_is_changed_not_added_and_removed():
    new = _tree(
        _article(1, "Phạm vi điều chỉnh", text=SCOPE),
        _article(2, "Trách nhiệm điều tra", INVESTIGATE_OLD),
    )
    old = _tree(
        _article(1, "Phạm vi điều chỉnh", text=SCOPE),
        _article(2, "Phối hợp điều tra", INVESTIGATE_OLD),
    )
    article = redline(old, new).articles[1]
    assert (article.status, article.old_number, article.new_number) == (CHANGED, 2, 2)
    assert article.title.changed and not article.changed_clauses


def test_a_renumbered_article_with_the_same_words_is_moved_and_nothing_else():
    old = _tree(_article(1, "Khen thưởng", AWARDS), _article(2, "Hiệu lực thi hành", text=EFFECT))
    new = _tree(
        _article(1, "Trao đổi thông tin", INFORMATION),
        _article(2, "Khen thưởng", AWARDS),
        _article(3, "Hiệu lực thi hành", text=EFFECT),
    )
    diff = redline(old, new)
    assert _by_status(diff) == {(ADDED, None, 1), (MOVED, 1, 2), (MOVED, 2, 3)}
    assert not any(a.content_changed for a in diff.articles if a.status == MOVED)
    assert diff.counts["changed"] == 0


# --- saved versions -------------------------------------------------------------------------


def _chapters(tree: RegulationTree):
    return [
        {
            "number": ch.number,
            "title": ch.title,
            "articles": [
                {
                    "number": a.number,
                    "title": a.title,
                    "text": a.text,
                    "clauses": [
                        {
                            "number": c.number,
                            "text": c.text,
                            "points": [(p.letter, p.text) for p in c.points],
                        }
                        for c in a.clauses
                    ],
                }
                for a in ch.articles
            ],
        }
        for ch in tree.chapters
    ]


@pytest.fixture
def versions(world):
    """Version 1 (2008) and version 2 (2011) of one series, and a version of another."""
    v1 = regulation_create(
        actor=SYSTEM,
        code="qchg-2008",
        title="Quy chế phối hợp",
        parties=[world.a, world.b],
        chapters=_chapters(OLD),
        series="qchg",
        version=1,
        number_symbol="01/QCPH-CAT-SNgV",
        status=RegulationStatus.SIGNED,
    )
    v2 = regulation_create(
        actor=SYSTEM,
        code="qchg-2011",
        title="Quy chế phối hợp",
        parties=[world.a, world.b],
        chapters=_chapters(NEW),
        series="qchg",
        version=2,
        previous=v1,
        number_symbol="02/QCPH-CAT-SNgV",
        status=RegulationStatus.SIGNED,
    )
    return v1, v2


def test_saved_versions_compare_as_the_trees_they_were_made_from(versions):
    v1, v2 = versions
    assert redline_between(v1, v2) == redline(OLD, NEW)
    assert not redline_between(v2, v2).changed


def test_the_redline_of_saved_versions_reads_a_bounded_number_of_queries(
    versions, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        diff = redline_between(*versions)
    assert diff.counts["moved"] == 1


# --- the page -----------------------------------------------------------------------------------


def test_the_page_shows_insertions_and_deletions_against_the_previous_version(
    client, world, versions
):
    _v1, v2 = versions
    force_login(client, world.officer_b)
    response = client.get(reverse("regulations:redline", args=[v2.code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<del>05 </del><ins>07 </ins>" in html
    assert "<ins>Hai bên trao đổi thông tin định kỳ hằng tháng.</ins>" in html
    assert "<del>Hằng năm hai bên xét khen thưởng" in html
    assert "Điều 3 (Điều 2 cũ)" in html
    assert "Điều 3 (cũ)" in html  # the removed Khen thưởng
    assert 'value="qchg-2008" selected' in html  # the default: the previous version
    assert reverse("regulations:redline-docx", args=[v2.code]) + "?against=qchg-2008" in html
    assert ' style="' not in html and "<style" not in html


def test_the_older_version_is_the_old_text_whichever_page_asks(client, world, versions):
    v1, v2 = versions
    force_login(client, world.officer_a)
    html = client.get(
        reverse("regulations:redline", args=[v1.code]), {"against": v2.code}
    ).content.decode()
    assert "<del>05 </del><ins>07 </ins>" in html


def test_a_version_of_another_series_or_an_unknown_one_is_404(client, world, versions):
    _v1, v2 = versions
    force_login(client, world.officer_a)
    for name in ("regulations:redline", "regulations:redline-docx"):
        url = reverse(name, args=[v2.code])
        assert client.get(url, {"against": world.regulation.code}).status_code == 404
        assert client.get(url, {"against": "khong-co"}).status_code == 404
        assert client.get(url, {"against": v2.code}).status_code == 404  # itself
        assert client.get(reverse(name, args=["khong-co"])).status_code == 404


def test_a_first_version_without_others_has_nothing_to_compare(client, world):
    force_login(client, world.officer_a)
    code = world.regulation.code
    response = client.get(reverse("regulations:redline", args=[code]))
    assert response.status_code == 200
    assert "chưa có phiên bản nào khác để so sánh" in response.content.decode()
    assert client.get(reverse("regulations:redline-docx", args=[code])).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, versions):
    response = client.get(reverse("regulations:redline", args=[versions[1].code]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_detail_page_links_to_the_redline_against_the_previous_version(client, world, versions):
    v1, v2 = versions
    force_login(client, world.officer_a)
    html = client.get(reverse("regulations:detail", args=[v2.code])).content.decode()
    assert reverse("regulations:redline", args=[v2.code]) in html
    first = client.get(reverse("regulations:detail", args=[v1.code])).content.decode()
    assert reverse("regulations:redline", args=[v1.code]) not in first


def test_the_page_reads_a_bounded_number_of_queries(
    client, world, versions, django_assert_max_num_queries
):
    force_login(client, world.officer_a)
    url = reverse("regulations:redline", args=[versions[1].code])
    client.get(url)
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200


# --- the DOCX annex -----------------------------------------------------------------------------


def _runs(document):
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    yield from paragraph.runs


def test_the_docx_annex_strikes_deletions_in_red_and_underlines_insertions_in_blue(
    client, world, versions
):
    _v1, v2 = versions
    force_login(client, world.officer_a)
    response = client.get(reverse("regulations:redline-docx", args=[v2.code]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert 'filename="so-sanh-qchg-2008-qchg-2011.docx"' in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))

    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "PHỤ LỤC"
    assert texts[1] == "BẢNG SO SÁNH QUY CHẾ PHỐI HỢP"
    assert "02/QCPH-CAT-SNgV" in texts[2] and "01/QCPH-CAT-SNgV" in texts[2]
    assert texts[3].startswith("Sửa đổi 1 điều, bổ sung 1 điều, bãi bỏ 1 điều")
    assert document.core_properties.title.startswith("PHỤ LỤC: BẢNG SO SÁNH")

    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1)
    assert abs(section.page_height - Mm(297)) < Mm(1)
    assert abs(section.left_margin - Mm(30)) < Mm(1)
    assert abs(section.right_margin - Mm(15)) < Mm(1)

    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Điều, khoản", "Văn bản cũ", "Văn bản mới"]
    labels = [row.cells[0].text for row in table.rows[1:]]
    assert labels == [
        "Điều 2",
        "Khoản 1 Điều 2",
        "Điều 3 (Điều 2 cũ)",
        "Khoản 1 Điều 3",
        "Khoản 2 Điều 3",
        "Điều 3 (cũ)",
        "Khoản 1 Điều 3 (cũ)",
    ]
    runs = list(_runs(document))
    struck = [r for r in runs if r.font.strike]
    underlined = [r for r in runs if r.font.underline]
    assert any(r.text.strip() == "05" for r in struck)
    assert any(r.text.strip() == "07" for r in underlined)
    assert all(r.font.color.rgb == RGBColor(0xC0, 0x00, 0x00) for r in struck)
    assert all(r.font.color.rgb == RGBColor(0x00, 0x33, 0xCC) for r in underlined)
    assert not any(r.font.strike for r in underlined)
    # The old column never shows an insertion, nor the new one a deletion.
    for row in table.rows[1:]:
        assert not any(r.font.underline for p in row.cells[1].paragraphs for r in p.runs)
        assert not any(r.font.strike for p in row.cells[2].paragraphs for r in p.runs)
    # A point is a paragraph of its own in the cell.
    clause_2 = table.rows[5].cells[2]
    assert [p.text for p in clause_2.paragraphs] == [
        "2. Sở Ngoại vụ phối hợp:",
        "a) thông báo cho cơ quan lãnh sự;",
        "b) phiên dịch, biên dịch tài liệu.",
    ]


def test_the_annex_of_identical_versions_says_so(world):
    diff = redline(OLD, OLD)
    content = rl.render_redline_docx(
        diff, rl.AnnexMeta(title="Quy chế phối hợp", old_label="bản 1", new_label="bản 2")
    )
    document = Document(io.BytesIO(content))
    assert "Hai phiên bản có nội dung giống nhau." in document.tables[0].rows[1].cells[0].text


# --- the re-signing notice --------------------------------------------------------------------


def test_the_resigning_notice_shows_only_when_the_regulation_needs_it(world):
    regulation = world.regulation
    assert "cần được ký lại" not in render_to_string(
        "regulations/_resigning_notice.html", {"regulation": regulation}
    )
    regulation.needs_resigning = True
    regulation.resigning_reason = "Công an tỉnh Hà Giang đã hợp nhất vào Công an tỉnh Tuyên Quang."
    html = render_to_string("regulations/_resigning_notice.html", {"regulation": regulation})
    assert "Quy chế cần được ký lại." in html
    assert "đã hợp nhất vào Công an tỉnh Tuyên Quang" in html
