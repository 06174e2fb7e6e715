"""Readers' comments on the public bulletin: sending, showing, closing, reporting, answers."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from phoihop.bulletin import caching
from phoihop.bulletin.choices import CommentStatus, Moderation, ModeratorRole
from phoihop.bulletin.comments import article_context, visible_comments
from phoihop.bulletin.models import Comment, CommentReport, ModerationEvent
from phoihop.bulletin.moderation import answer_create
from tests.comment_helpers import (
    approved_comment,
    article_page,
    form_data,
    make_article,
    make_moderator,
    post_comment,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_pages():
    """Rendered public pages are kept in the cache: no test sees another's."""
    cache.clear()
    yield
    cache.clear()


# --- sending ------------------------------------------------------------------------------------


def test_the_form_page_has_the_fields_their_limits_a_honeypot_and_is_not_cached(client):
    article = make_article()
    response = client.get(reverse("bulletin:comment-post", args=[article.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in html
    for label in ("Họ tên", "Thư điện tử", "Ý kiến"):
        assert label in html
    assert "Tối đa 100 ký tự" in html
    assert "Tối đa 2.000 ký tự và 2 liên kết" in html
    assert "Không hiện công khai" in html
    assert 'class="b-c-hp"' in html and 'name="website"' in html
    assert 'name="started"' in html
    assert "kiểm duyệt trước khi đăng" in html
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]
    assert 'style="' not in html


def test_htmx_gets_the_form_alone_to_place_it_in_the_article_page(client):
    article = make_article()
    response = client.get(
        reverse("bulletin:comment-post", args=[article.slug]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<form" in html and "csrfmiddlewaretoken" in html


def test_a_comment_is_held_for_moderation_by_default(client):
    article = make_article()
    response = post_comment(client, article, text="Đề nghị tăng cường tuần tra chung.")
    html = response.content.decode()
    assert response.status_code == 200
    assert "đang chờ kiểm duyệt" in html
    comment = Comment.objects.get()
    assert comment.status == CommentStatus.PENDING
    assert comment.address == "198.51.100.7"
    assert comment.email == "lan.nguyen@example.vn"
    page = article_page(client, article)
    assert "Đề nghị tăng cường tuần tra chung." not in page
    assert "Chưa có ý kiến nào được đăng." in page


def test_on_a_post_moderated_article_a_comment_shows_at_once_and_stays_in_the_queue(
    client, django_capture_on_commit_callbacks
):
    article = make_article(moderation=Moderation.POST)
    article_page(client, article)  # rendered and kept before the comment
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_comment(client, article, text="Hiện ngay dưới bài.")
    assert caching.bump in callbacks
    assert "đã được đăng dưới bài viết" in response.content.decode()
    comment = Comment.objects.get()
    assert comment.status == CommentStatus.APPROVED and comment.moderated_at is None
    page = article_page(client, article)
    assert "Hiện ngay dưới bài." in page
    assert f'id="y-kien-{comment.public_id}"' in page


def test_text_is_stored_as_typed_in_nfc(client):
    article = make_article()
    decomposed = unicodedata.normalize("NFD", "Tuần tra biên giới Đồng Văn")
    post_comment(client, article, name=unicodedata.normalize("NFD", "Lò Thị Mỷ"), text=decomposed)
    comment = Comment.objects.get()
    assert comment.text == "Tuần tra biên giới Đồng Văn"
    assert comment.name == "Lò Thị Mỷ"
    assert unicodedata.is_normalized("NFC", comment.text)


def test_a_missing_field_is_named_and_nothing_is_saved(client):
    article = make_article()
    response = post_comment(client, article, name="", email="khong-phai-thu")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Họ tên" in html and "Thư điện tử" in html
    assert 'href="#id_name"' in html and 'href="#id_email"' in html
    assert not Comment.objects.exists()


# --- showing ------------------------------------------------------------------------------------


def test_approved_comments_show_in_order_with_their_local_time(client):
    article = make_article()
    times = [
        dt.datetime(2011, 3, 5, 1, 30, tzinfo=dt.UTC),  # 08:30 in Hà Nội
        dt.datetime(2011, 3, 5, 17, 5, tzinfo=dt.UTC),  # 00:05 on the 6th
        dt.datetime(2011, 3, 4, 23, 59, tzinfo=dt.UTC),  # 06:59 on the 5th
    ]
    for n, when in enumerate(times):
        c = approved_comment(article, name=f"Bạn đọc {n}", text=f"Ý kiến số {n}")
        Comment.objects.filter(pk=c.pk).update(created_at=when)
    approved_comment(article, name="Chưa duyệt", text="Ý kiến chờ", status=CommentStatus.PENDING)
    approved_comment(article, name="Bị từ chối", text="Ý kiến xấu", status=CommentStatus.REJECTED)
    approved_comment(article, name="Thư rác", text="Quảng cáo", status=CommentStatus.SPAM)
    page = article_page(client, article)
    positions = [page.index(f"Ý kiến số {n}") for n in (2, 0, 1)]
    assert positions == sorted(positions)
    assert "05/03/2011 06:59" in page
    assert "05/03/2011 08:30" in page
    assert "06/03/2011 00:05" in page
    for hidden in ("Ý kiến chờ", "Ý kiến xấu", "Quảng cáo"):
        assert hidden not in page
    assert "Ý kiến bạn đọc" in page and "(3)" in page


def test_the_email_is_never_on_a_public_page(client):
    article = make_article(moderation=Moderation.POST)
    email = "rieng.tu@example.vn"
    sent = post_comment(client, article, email=email, text="Ý kiến có thư điện tử.")
    assert email not in sent.content.decode()
    comment = Comment.objects.get()
    answer_create(
        actor=make_moderator("bientap", role=ModeratorRole.EDITOR),
        comment=comment,
        text="Cảm ơn bạn.",
    )
    pages = [
        reverse("bulletin:article", args=[article.slug]),
        reverse("bulletin:list"),
        reverse("bulletin:search") + "?q=y+kien",
        reverse("bulletin:feed"),
        reverse("bulletin:sitemap"),
        reverse("bulletin:comment-post", args=[article.slug]),
        reverse("bulletin:comment-report", args=[comment.public_id]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert email not in body, url
        assert "rieng.tu" not in body, url
    assert "Ý kiến có thư điện tử." in client.get(pages[0]).content.decode()


def test_the_article_context_reads_comments_and_answers_in_two_queries(
    django_assert_num_queries,
):
    article = make_article()
    editor = make_moderator("bientap", role=ModeratorRole.EDITOR)
    for n in range(12):
        c = approved_comment(article, text=f"Ý kiến {n}")
        answer_create(actor=editor, comment=c, text=f"Trả lời {n}")
    with django_assert_num_queries(2):
        context = article_context(None, article)
        shown = [(c.text, [a.text for a in c.visible_answers]) for c in context["comments"]]
    assert len(shown) == 12 and shown[3] == ("Ý kiến 3", ["Trả lời 3"])
    assert context["comment_form"] is None and context["comments_open"] is True
    assert context["comment_count"] == 24


# --- closed comments, articles not live ---------------------------------------------------------


def test_closed_comments_say_so_and_refuse_a_post(client):
    article = make_article(comments_open=False)
    approved_comment(article, text="Ý kiến cũ vẫn hiện.")
    page = article_page(client, article)
    assert "Bài viết này không nhận thêm ý kiến." in page
    assert reverse("bulletin:comment-post", args=[article.slug]) not in page
    assert "Ý kiến cũ vẫn hiện." in page
    form_page = client.get(reverse("bulletin:comment-post", args=[article.slug]))
    assert form_page.status_code == 200
    assert "không nhận thêm ý kiến" in form_page.content.decode()
    assert 'name="text"' not in form_page.content.decode()
    response = post_comment(client, article)
    assert response.status_code == 403
    assert "không nhận thêm ý kiến" in response.content.decode()
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("state", ["withdrawn", "scheduled", "unknown"])
def test_an_article_that_is_not_live_answers_404_to_the_form_and_a_post(client, state):
    fields = {
        "withdrawn": {"withdrawn": True},
        "scheduled": {"publish_at": timezone.now() + dt.timedelta(hours=2)},
        "unknown": {},
    }[state]
    article = make_article(**fields)
    slug = "khong-co-bai-nay" if state == "unknown" else article.slug
    url = reverse("bulletin:comment-post", args=[slug])
    assert client.get(url).status_code == 404
    assert client.post(url, form_data(article)).status_code == 404
    assert not Comment.objects.exists()


def test_comments_of_a_withdrawn_article_are_kept_but_not_reachable(client):
    article = make_article()
    comment = approved_comment(article, text="Ý kiến của bài đã gỡ.")
    article.withdrawn = True
    article.save()
    assert client.get(reverse("bulletin:article", args=[article.slug])).status_code == 404
    assert (
        client.get(reverse("bulletin:comment-report", args=[comment.public_id])).status_code == 404
    )
    assert Comment.objects.filter(pk=comment.pk).exists()


# --- reports ------------------------------------------------------------------------------------


def _report(client, comment, address, reason="offensive"):
    return client.post(
        reverse("bulletin:comment-report", args=[comment.public_id]),
        {"reason": reason, "note": ""},
        REMOTE_ADDR=address,
    )


def test_the_report_page_quotes_the_comment_and_asks_why(client):
    article = make_article()
    comment = approved_comment(article, text="Ý kiến bị báo cáo.")
    response = client.get(reverse("bulletin:comment-report", args=[comment.public_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ý kiến bị báo cáo." in html and "Lý do báo cáo" in html
    assert "csrfmiddlewaretoken" in html
    assert comment.email not in html
    assert _report(client, comment, "198.51.100.1", reason="").status_code == 400
    assert not CommentReport.objects.exists()


def test_one_report_per_address_and_comment(client):
    article = make_article()
    comment = approved_comment(article)
    first = _report(client, comment, "198.51.100.1")
    again = _report(client, comment, "198.51.100.1", reason="spam")
    assert "đã được ghi nhận" in first.content.decode()
    assert "đã báo cáo ý kiến này trước đây" in again.content.decode()
    assert CommentReport.objects.filter(comment=comment).count() == 1
    comment.refresh_from_db()
    assert comment.report_count == 1 and comment.status == CommentStatus.APPROVED


def test_a_comment_reported_by_three_addresses_is_hidden_pending_review(
    client, django_capture_on_commit_callbacks
):
    article = make_article()
    comment = approved_comment(article, text="Ý kiến gây tranh cãi.")
    approved_comment(article, text="Ý kiến khác vẫn hiện.")
    assert "Ý kiến gây tranh cãi." in article_page(client, article)
    for n in (1, 2):
        _report(client, comment, f"198.51.100.{n}")
    comment.refresh_from_db()
    assert comment.status == CommentStatus.APPROVED
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _report(client, comment, "198.51.100.3", reason="false")
    assert caching.bump in callbacks
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HIDDEN and comment.report_count == 3
    page = article_page(client, article)
    assert "Ý kiến gây tranh cãi." not in page
    assert "Ý kiến khác vẫn hiện." in page
    event = ModerationEvent.objects.get(action="hide_reported")
    assert event.comment == comment and event.moderator is None
    assert (
        client.get(reverse("bulletin:comment-report", args=[comment.public_id])).status_code == 404
    )


@override_settings(PHOIHOP_BULLETIN_REPORT_HIDE=5)
def test_the_hiding_threshold_is_a_setting(client):
    comment = approved_comment(make_article())
    for n in range(4):
        _report(client, comment, f"198.51.100.{n}")
    comment.refresh_from_db()
    assert comment.status == CommentStatus.APPROVED
    _report(client, comment, "198.51.100.99")
    comment.refresh_from_db()
    assert comment.status == CommentStatus.HIDDEN


@pytest.mark.parametrize(
    "status", [CommentStatus.PENDING, CommentStatus.SPAM, CommentStatus.REJECTED]
)
def test_only_a_shown_comment_can_be_reported(client, status):
    comment = approved_comment(make_article(), status=status)
    url = reverse("bulletin:comment-report", args=[comment.public_id])
    assert client.get(url).status_code == 404
    assert _report(client, comment, "198.51.100.1").status_code == 404
    assert not CommentReport.objects.exists()


# --- the agency's answers -----------------------------------------------------------------------


def test_the_agencys_answer_shows_under_the_comment_it_answers(client):
    article = make_article()
    first = approved_comment(article, name="Hoàng Văn Chiến", text="Khi nào mở lại cửa khẩu?")
    second = approved_comment(article, name="Vàng Thị Dung", text="Xin cảm ơn.")
    Comment.objects.filter(pk=second.pk).update(created_at=first.created_at + dt.timedelta(hours=1))
    editor = make_moderator(
        "bientap", role=ModeratorRole.EDITOR, agency_name="Sở Ngoại vụ Hà Giang"
    )
    answer = answer_create(actor=editor, comment=first, text="Cửa khẩu mở lại từ tuần sau.")
    assert answer.official and answer.author == editor and answer.name == "Sở Ngoại vụ Hà Giang"
    page = article_page(client, article)
    start = page.index("Khi nào mở lại cửa khẩu?")
    assert start < page.index("Cửa khẩu mở lại từ tuần sau.") < page.index("Xin cảm ơn.")
    block = page[page.index(f'id="y-kien-{answer.public_id}"') :]
    assert "Trả lời của cơ quan" in block[:600] and "Sở Ngoại vụ Hà Giang" in block[:600]
    assert editor.display_name not in page
    # An answer cannot be reported by readers.
    url = reverse("bulletin:comment-report", args=[answer.public_id])
    assert client.get(url).status_code == 404


def test_answers_of_a_rejected_comment_leave_with_it():
    article = make_article()
    comment = approved_comment(article, text="Sẽ bị gỡ.")
    answer_create(
        actor=make_moderator("bientap", role=ModeratorRole.EDITOR), comment=comment, text="Trả lời."
    )
    Comment.objects.filter(pk=comment.pk).update(status=CommentStatus.REJECTED)
    assert visible_comments(article) == []
