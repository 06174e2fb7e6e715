"""Moderation of readers' comments, and the comment form's defences against abuse."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from phoihop.bulletin import caching
from phoihop.bulletin.choices import CommentStatus, Moderation, ModeratorRole
from phoihop.bulletin.comments import start_token
from phoihop.bulletin.models import Article, Block, Comment, ModerationEvent, Moderator
from phoihop.bulletin.moderation import Refused, moderator_create, moderator_set_password
from tests.comment_helpers import (
    PASSWORD,
    approved_comment,
    article_page,
    make_article,
    make_moderator,
    post_comment,
    sign_in,
)

pytestmark = pytest.mark.django_db
QUEUE = "/tin-tuc/kiem-duyet/"
LOGIN = "/tin-tuc/kiem-duyet/dang-nhap/"


@pytest.fixture(autouse=True)
def _fresh_pages():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def moderator():
    return make_moderator()


@pytest.fixture
def editor():
    return make_moderator(
        "bientap",
        role=ModeratorRole.EDITOR,
        display_name="Lương Văn Bình",
        agency_name="Sở Ngoại vụ tỉnh Hà Giang",
    )


def _login(client, username, password, address="192.0.2.10"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _decide(client, action, *comments, **extra):
    data = {"action": action, "comment": [str(c.public_id) for c in comments], **extra}
    return client.post(reverse("bulletin:moderation-decide"), data)


# --- accounts and sign-in -----------------------------------------------------------------------


def test_moderator_create_checks_the_password_and_the_names():
    with pytest.raises(Refused) as short:
        moderator_create(username="kiemduyet", display_name="A", password="ngan", role="moderator")
    assert "password" in short.value.message_dict
    with pytest.raises(Refused) as bad:
        moderator_create(username="Kiểm Duyệt", display_name="", password=PASSWORD, role="editor")
    assert {"username", "display_name", "agency_name"} <= set(bad.value.message_dict)
    created = moderator_create(username="KiemDuyet", display_name="Lò Văn Sử", password=PASSWORD)
    assert created.username == "kiemduyet"
    assert (
        created.password.startswith(("argon2", "pbkdf2", "md5"))
        and PASSWORD not in created.password
    )
    with pytest.raises(Refused) as twice:
        moderator_create(username="kiemduyet", display_name="Khác", password=PASSWORD)
    assert "username" in twice.value.message_dict
    assert ModerationEvent.objects.filter(action="moderator_create").count() == 1


def test_an_anonymous_visitor_is_sent_to_the_moderation_sign_in(client):
    for url in (
        QUEUE,
        reverse("bulletin:moderation-blocks"),
        reverse("bulletin:moderation-articles"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next={url}"
    response = client.post(reverse("bulletin:moderation-decide"), {"action": "approve"})
    assert response.status_code == 302 and response["Location"] == LOGIN


def test_a_back_office_session_is_not_a_moderator(client, world):
    from tests.web_fixtures import login

    login(client, world.admin)
    assert client.get(QUEUE)["Location"].startswith(LOGIN)


def test_sign_in_rotates_the_session_and_goes_where_asked(client, moderator):
    from importlib import import_module

    from django.conf import settings

    before = client.session.session_key  # a session (and its cookie) exists before sign-in
    assert before
    response = client.post(
        LOGIN,
        {
            "username": "KiemDuyet",
            "password": PASSWORD,
            "next": reverse("bulletin:moderation-blocks"),
        },
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("bulletin:moderation-blocks")
    assert client.session.session_key != before
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    assert not store.exists(before)
    page = client.get(QUEUE)
    assert page.status_code == 200 and "Người kiểm duyệt" in page.content.decode()
    assert "no-cache" in page["Cache-Control"] or "private" in page["Cache-Control"]
    moderator.refresh_from_db()
    assert moderator.last_login is not None
    assert ModerationEvent.objects.filter(action="login", moderator=moderator).exists()


def test_sign_in_ignores_a_next_address_elsewhere(client, moderator):
    response = client.post(
        LOGIN, {"username": "kiemduyet", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == QUEUE


def test_a_wrong_password_says_so_without_saying_which_part(client, moderator):
    for username in ("kiemduyet", "khongco"):
        response = _login(client, username, "sai-mat-khau-roi")
        assert response.status_code == 400
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    assert client.get(QUEUE).status_code == 302
    assert ModerationEvent.objects.filter(action="login_failed").count() == 2


def test_an_inactive_moderator_cannot_sign_in_and_loses_an_open_session(client, moderator):
    sign_in(client, moderator)
    Moderator.objects.filter(pk=moderator.pk).update(is_active=False)
    assert client.get(QUEUE).status_code == 302
    assert _login(client, "kiemduyet", PASSWORD).status_code == 400


def test_a_new_password_ends_the_open_sessions(client, moderator):
    sign_in(client, moderator)
    moderator_set_password(moderator=moderator, password="Mat-khau-moi-2012-an-toan")
    assert client.get(QUEUE).status_code == 302


def test_five_failures_lock_the_username_on_that_address(client, moderator):
    for _ in range(5):
        _login(client, "kiemduyet", "sai-mat-khau-roi")
    locked = _login(client, "kiemduyet", PASSWORD)
    assert locked.status_code == 429
    assert "tạm khóa" in locked.content.decode()
    assert client.get(QUEUE).status_code == 302
    # Another address is not locked out.
    assert _login(Client(), "kiemduyet", PASSWORD, address="192.0.2.99").status_code == 302
    # The lockout ends with its window.
    ModerationEvent.objects.filter(action="login_failed").update(
        created_at=timezone.now() - dt.timedelta(minutes=16)
    )
    assert _login(client, "kiemduyet", PASSWORD).status_code == 302


def test_many_failures_from_one_address_lock_every_username_there(client, moderator):
    for n in range(20):
        _login(client, f"doan{n}", "sai-mat-khau-roi")
    assert _login(client, "kiemduyet", PASSWORD).status_code == 429
    assert _login(Client(), "kiemduyet", PASSWORD, address="192.0.2.11").status_code == 302


def test_a_successful_sign_in_starts_the_failure_count_afresh(client, moderator):
    for _ in range(4):
        _login(client, "kiemduyet", "sai-mat-khau-roi")
    sign_in(client, moderator)
    for _ in range(4):
        _login(Client(), "kiemduyet", "sai-mat-khau-roi")
    assert _login(Client(), "kiemduyet", PASSWORD).status_code == 302


def test_logout_is_a_post_and_ends_the_moderators_session(client, moderator):
    sign_in(client, moderator)
    assert client.get(reverse("bulletin:moderation-logout")).status_code == 405
    response = client.post(reverse("bulletin:moderation-logout"))
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert client.get(QUEUE).status_code == 302
    assert ModerationEvent.objects.filter(action="logout", moderator=moderator).exists()


def test_the_assets_of_the_comment_and_moderation_pages_exist(client, moderator):
    import re

    from django.conf import settings
    from django.contrib.staticfiles import finders

    article = make_article()
    comment = approved_comment(article)
    found = set()

    def check(url):
        html = client.get(url).content.decode()
        for path in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
            name = path.removeprefix(settings.STATIC_URL)
            assert finders.find(name), f"{url} asks for {path}, which no finder has"
            found.add(name)

    for url in (
        reverse("bulletin:article", args=[article.slug]),
        reverse("bulletin:comment-post", args=[article.slug]),
        reverse("bulletin:comment-report", args=[comment.public_id]),
        LOGIN,
    ):
        check(url)
    sign_in(client, moderator)
    check(QUEUE)
    check(reverse("bulletin:moderation-comment", args=[comment.public_id]))
    assert {"bulletin/comments.css", "bulletin/moderation.css"} <= found


# --- the queue ----------------------------------------------------------------------------------


def test_the_queue_shows_what_waits_with_the_senders_details(client, moderator):
    article = make_article()
    pending = approved_comment(
        article, name="Hà Văn Chờ", status=CommentStatus.PENDING, email="cho@example.vn"
    )
    hidden = approved_comment(
        article, name="Vừ Thị Ẩn", status=CommentStatus.HIDDEN, report_count=3
    )
    unreviewed = approved_comment(article, name="Sùng Văn Ngay", moderated_at=None)
    approved_comment(article, name="Giàng Thị Xong")
    approved_comment(article, name="Máy Gửi Quảng Cáo", status=CommentStatus.SPAM)
    sign_in(client, moderator)
    html = client.get(QUEUE).content.decode()
    for c in (pending, hidden, unreviewed):
        assert c.name in html
    assert "Giàng Thị Xong" not in html and "Máy Gửi Quảng Cáo" not in html
    assert "cho@example.vn" in html and "203.0.113.9" in html
    assert "Cần xử lý (chờ duyệt, tạm ẩn, hiện ngay chưa duyệt) (3)" in html
    spam = client.get(QUEUE, {"state": "spam"}).content.decode()
    assert "Máy Gửi Quảng Cáo" in spam and "Hà Văn Chờ" not in spam
    other = make_article()
    approved_comment(other, name="Lý Bài Khác", status=CommentStatus.PENDING)
    by_article = client.get(QUEUE, {"state": "pending", "article": other.slug}).content.decode()
    assert "Lý Bài Khác" in by_article and "Hà Văn Chờ" not in by_article
    found = client.get(QUEUE, {"state": "all", "q": "cho@example"}).content.decode()
    assert "Hà Văn Chờ" in found and "Sùng Văn Ngay" not in found


def test_the_queue_reads_a_page_of_comments_in_a_few_queries(
    client, moderator, django_assert_max_num_queries
):
    article = make_article()
    for n in range(40):
        approved_comment(article, name=f"Người {n}", status=CommentStatus.PENDING)
    sign_in(client, moderator)
    with django_assert_max_num_queries(8):
        assert client.get(QUEUE).status_code == 200


# --- every action, and its event ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "before", "after", "shown"),
    [
        ("approve", CommentStatus.PENDING, CommentStatus.APPROVED, True),
        ("reject", CommentStatus.PENDING, CommentStatus.REJECTED, False),
        ("spam", CommentStatus.PENDING, CommentStatus.SPAM, False),
        ("reject", CommentStatus.APPROVED, CommentStatus.REJECTED, False),
        ("restore", CommentStatus.HIDDEN, CommentStatus.APPROVED, True),
        ("approve", CommentStatus.HIDDEN, CommentStatus.APPROVED, True),
    ],
)
def test_a_decision_changes_the_comment_writes_its_event_and_refreshes_the_page(
    client, moderator, django_capture_on_commit_callbacks, action, before, after, shown
):
    article = make_article()
    comment = approved_comment(article, text="Ý kiến đang xét.", status=before, report_count=3)
    article_page(client, article)  # kept in the cache before the decision
    sign_in(client, moderator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _decide(client, action, comment)
    assert response.status_code == 302
    assert caching.bump in callbacks
    comment.refresh_from_db()
    assert comment.status == after
    assert comment.moderated_by == moderator and comment.moderated_at is not None
    name = "restore" if before == CommentStatus.HIDDEN else action
    event = ModerationEvent.objects.get(action=name)
    assert event.moderator == moderator and event.comment == comment and event.article == article
    assert event.detail == {"before": before, "after": after}
    if before == CommentStatus.HIDDEN:
        assert comment.report_count == 0
    assert ("Ý kiến đang xét." in article_page(client, article)) is shown


def test_approving_a_post_moderated_comment_marks_it_reviewed(client, moderator):
    comment = approved_comment(make_article(), moderated_at=None)
    sign_in(client, moderator)
    _decide(client, "approve", comment)
    comment.refresh_from_db()
    assert comment.moderated_at is not None and comment.status == CommentStatus.APPROVED
    assert comment.name not in client.get(QUEUE).content.decode()


def test_several_comments_are_decided_at_once_or_by_their_row_button(client, moderator):
    article = make_article()
    a, b, c = (approved_comment(article, status=CommentStatus.PENDING) for _ in range(3))
    sign_in(client, moderator)
    _decide(client, "spam", a, b)
    client.post(
        reverse("bulletin:moderation-decide"),
        {"action": "approve", "comment": [str(a.public_id)], "row_action": f"reject:{c.public_id}"},
    )
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses == {a.pk: "spam", b.pk: "spam", c.pk: "rejected"}
    assert ModerationEvent.objects.filter(action="spam").count() == 2


def test_restore_leaves_a_comment_that_is_not_hidden_alone(client, moderator):
    comment = approved_comment(make_article(), status=CommentStatus.SPAM)
    sign_in(client, moderator)
    _decide(client, "restore", comment)
    comment.refresh_from_db()
    assert comment.status == CommentStatus.SPAM
    assert not ModerationEvent.objects.filter(action="restore").exists()


def test_the_comment_page_shows_reports_history_and_block_buttons(client, moderator):
    comment = approved_comment(make_article(), status=CommentStatus.HIDDEN, email="x@example.vn")
    comment.reports.create(address="198.51.100.4", reason="Quảng cáo, thư rác")
    sign_in(client, moderator)
    html = client.get(
        reverse("bulletin:moderation-comment", args=[comment.public_id])
    ).content.decode()
    assert "Quảng cáo, thư rác" in html and "198.51.100.4" in html
    assert "Khôi phục (hiện lại)" in html
    assert "Chặn địa chỉ IP" in html and "Chặn thư điện tử" in html
    assert "Trả lời thay cơ quan" not in html  # a moderator, not an editor


@pytest.mark.parametrize("kind", ["address", "email"])
def test_a_block_refuses_later_comments_without_saying_why(
    client, moderator, django_capture_on_commit_callbacks, kind
):
    article = make_article()
    post_comment(client, article, address="198.51.100.50", email="Spam.Er@Example.vn")
    comment = Comment.objects.get()
    sign_in(client, moderator)
    response = client.post(
        reverse("bulletin:moderation-block", args=[comment.public_id]),
        {"kind": kind, "note": "rác"},
    )
    assert response.status_code == 302
    block = Block.objects.get()
    assert block.kind == kind
    assert block.value == ("198.51.100.50" if kind == "address" else "spam.er@example.vn")
    assert block.created_by == moderator
    assert ModerationEvent.objects.get(action="block").detail == {
        "kind": kind,
        "value": block.value,
    }
    other = {"address": "198.51.100.60"} if kind == "email" else {"email": "moi@example.vn"}
    refused = post_comment(
        Client(), article, **{"address": "198.51.100.50", "email": "SPAM.ER@example.vn", **other}
    )
    assert refused.status_code == 403
    body = refused.content.decode()
    assert "không thể nhận ý kiến của bạn" in body
    assert "chặn" not in body.lower()
    assert Comment.objects.count() == 1
    # Someone else still may.
    assert (
        post_comment(
            Client(), article, address="198.51.100.70", email="khac@example.vn"
        ).status_code
        == 200
    )


def test_blocks_are_listed_added_and_removed(client, moderator):
    sign_in(client, moderator)
    added = client.post(
        reverse("bulletin:moderation-blocks"),
        {"kind": "address", "value": "2001:db8::1", "note": ""},
    )
    assert added.status_code == 302
    bad = client.post(
        reverse("bulletin:moderation-blocks"), {"kind": "address", "value": "khong-phai-ip"}
    )
    assert bad.status_code == 400 and "Địa chỉ IP không hợp lệ." in bad.content.decode()
    again = client.post(
        reverse("bulletin:moderation-blocks"), {"kind": "address", "value": "2001:db8::1"}
    )
    assert "đã bị chặn từ trước" in again.content.decode()
    block = Block.objects.get()
    assert "2001:db8::1" in client.get(reverse("bulletin:moderation-blocks")).content.decode()
    assert client.get(reverse("bulletin:moderation-unblock", args=[block.pk])).status_code == 405
    client.post(reverse("bulletin:moderation-unblock", args=[block.pk]))
    assert not Block.objects.exists()
    assert list(
        ModerationEvent.objects.filter(action__in=["block", "unblock"]).values_list(
            "action", flat=True
        )
    ) == [
        "unblock",
        "block",
    ]
    article = make_article()
    assert post_comment(Client(), article, address="2001:db8::1").status_code == 200


def test_an_article_is_switched_to_post_moderation_and_back(
    client, moderator, django_capture_on_commit_callbacks
):
    article = make_article()
    sign_in(client, moderator)
    assert article.title in client.get(reverse("bulletin:moderation-articles")).content.decode()
    url = reverse("bulletin:moderation-article", args=[article.slug])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(url, {"moderation": "post"})
    assert caching.bump in callbacks
    article.refresh_from_db()
    assert article.moderation == Moderation.POST
    event = ModerationEvent.objects.get(action="moderation_mode")
    assert event.detail == {"before": "pre", "after": "post"} and event.article == article
    post_comment(Client(), article, text="Hiện ngay sau khi đổi.")
    assert Comment.objects.get().status == CommentStatus.APPROVED
    client.post(url, {"moderation": "pre"})
    article.refresh_from_db()
    assert article.moderation == Moderation.PRE


def test_comments_on_an_article_are_closed_and_opened_again(client, moderator):
    article = make_article()
    sign_in(client, moderator)
    url = reverse("bulletin:moderation-article", args=[article.slug])
    client.post(url, {"comments_open": "0"})
    article.refresh_from_db()
    assert article.comments_open is False
    assert post_comment(Client(), article).status_code == 403
    client.post(url, {"comments_open": "1"})
    article.refresh_from_db()
    assert article.comments_open is True
    assert post_comment(Client(), article).status_code == 200
    actions = set(ModerationEvent.objects.values_list("action", flat=True))
    assert {"comments_closed", "comments_open"} <= actions


# --- answers as the agency ----------------------------------------------------------------------


def test_only_an_editor_answers_as_the_agency(
    client, moderator, editor, django_capture_on_commit_callbacks
):
    article = make_article()
    comment = approved_comment(article, text="Câu hỏi của bạn đọc.")
    url = reverse("bulletin:moderation-answer", args=[comment.public_id])
    sign_in(client, moderator)
    assert client.post(url, {"text": "Không được."}).status_code == 404
    assert not Comment.objects.filter(official=True).exists()
    editor_client = sign_in(Client(), editor)
    page = editor_client.get(reverse("bulletin:moderation-comment", args=[comment.public_id]))
    assert "Trả lời thay cơ quan" in page.content.decode()
    assert editor_client.post(url, {"text": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = editor_client.post(url, {"text": "Cơ quan đã tiếp nhận và sẽ trả lời."})
    assert response.status_code == 302
    assert caching.bump in callbacks
    answer = Comment.objects.get(official=True)
    assert answer.parent == comment and answer.author == editor
    assert answer.name == "Sở Ngoại vụ tỉnh Hà Giang" and answer.status == CommentStatus.APPROVED
    assert ModerationEvent.objects.get(action="answer").comment == answer
    page = article_page(Client(), article)
    assert "Cơ quan đã tiếp nhận và sẽ trả lời." in page and "Trả lời của cơ quan" in page


def test_an_editor_answers_only_an_approved_readers_comment(client, editor):
    article = make_article()
    pending = approved_comment(article, status=CommentStatus.PENDING)
    sign_in(client, editor)
    response = client.post(
        reverse("bulletin:moderation-answer", args=[pending.public_id]), {"text": "Trả lời."}
    )
    assert response.status_code == 400
    assert "Hãy duyệt ý kiến này trước khi trả lời." in response.content.decode()
    assert not Comment.objects.filter(official=True).exists()


# --- abuse resistance ---------------------------------------------------------------------------


def test_the_rate_limit_per_address_answers_429_and_saves_nothing(client):
    article = make_article()
    for n in range(3):
        assert post_comment(client, article, email=f"nguoi{n}@example.vn").status_code == 200
    response = post_comment(client, article, email="nguoi9@example.vn")
    assert response.status_code == 429
    assert "Bạn đã gửi nhiều ý kiến trong thời gian ngắn" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 600
    assert Comment.objects.count() == 3
    # Another address with another e-mail is not held back.
    assert (
        post_comment(client, article, address="198.51.100.8", email="khac@example.vn").status_code
        == 200
    )


def test_the_rate_limit_per_email_answers_429_and_saves_nothing(client):
    article = make_article()
    for n in range(3):
        post_comment(client, article, address=f"198.51.100.{n + 1}", email="cung.mot@example.vn")
    response = post_comment(client, article, address="198.51.100.99", email="Cung.Mot@Example.vn")
    assert response.status_code == 429
    assert Comment.objects.count() == 3


def test_the_burst_window_passes_but_the_daily_limit_holds(client):
    article = make_article()
    for n in range(20):
        c = approved_comment(article, address="198.51.100.7", email=f"n{n}@example.vn")
        Comment.objects.filter(pk=c.pk).update(
            created_at=timezone.now() - dt.timedelta(hours=1, minutes=n)
        )
    response = post_comment(client, article, email="moi@example.vn")
    assert response.status_code == 429
    assert Comment.objects.count() == 20
    Comment.objects.filter(pk=c.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    assert post_comment(client, article, email="moi@example.vn").status_code == 200


@override_settings(PHOIHOP_BULLETIN_COMMENT_RATES=[(60, 1)])
def test_the_rates_are_a_setting(client):
    article = make_article()
    assert post_comment(client, article).status_code == 200
    assert post_comment(client, article, email="khac@example.vn").status_code == 429


@pytest.mark.parametrize("moderation", [Moderation.PRE, Moderation.POST])
def test_a_filled_honeypot_is_kept_as_spam_and_never_shown(client, moderation):
    article = make_article(moderation=moderation)
    response = post_comment(client, article, website="http://ban-thuoc.example", text="Mua ngay!")
    assert response.status_code == 200
    assert "đang chờ kiểm duyệt" in response.content.decode()
    assert Comment.objects.get().status == CommentStatus.SPAM
    assert "Mua ngay!" not in article_page(client, article)


def test_the_honeypot_is_hidden_by_the_stylesheet_not_inline(client):
    from django.contrib.staticfiles import finders

    article = make_article()
    html = client.get(reverse("bulletin:comment-post", args=[article.slug])).content.decode()
    assert '<div class="b-c-hp" aria-hidden="true">' in html
    assert "/static/bulletin/comments.css" in html
    with open(finders.find("bulletin/comments.css"), encoding="utf-8") as css:
        assert ".b-c-hp { position: absolute; left: -10000px" in css.read()


def test_a_form_sent_faster_than_the_minimum_time_is_refused(client):
    article = make_article()
    token = start_token(article, at=time.time() - 1)
    response = post_comment(client, article, started=token)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ý kiến được gửi quá nhanh" in html
    assert not Comment.objects.exists()
    assert f'value="{token}"' in html  # the wait goes on from when the form was shown


@override_settings(PHOIHOP_BULLETIN_MIN_FILL_SECONDS=30)
def test_the_minimum_fill_time_is_a_setting(client):
    article = make_article()
    assert (
        post_comment(client, article, started=start_token(article, at=time.time() - 20)).status_code
        == 400
    )
    assert (
        post_comment(client, article, started=start_token(article, at=time.time() - 31)).status_code
        == 200
    )


@pytest.mark.parametrize("token", ["", "gia-mao", "other-article", "tampered", "expired"])
def test_a_missing_forged_or_stale_start_time_is_refused(client, token):
    article = make_article()
    other = make_article()
    value = {
        "": "",
        "gia-mao": "eyJhIjoiYSIsInQiOjB9:1abc:xyz",
        "other-article": start_token(other, at=time.time() - 60),
        "tampered": start_token(article, at=time.time() - 60)[:-2] + "xx",
        "expired": start_token(article, at=time.time() - 60),
    }[token]
    if token == "expired":
        with override_settings(PHOIHOP_BULLETIN_FORM_MAX_AGE=-1):
            response = post_comment(client, article, started=value)
    else:
        response = post_comment(client, article, started=value)
    assert response.status_code == 400
    assert "hết hạn hoặc không hợp lệ" in response.content.decode()
    assert not Comment.objects.exists()


def test_at_most_two_links(client):
    article = make_article()
    three = "Xem https://a.example/1, www.b.example và c.example/tin-tuc nhé."
    response = post_comment(client, article, text=three)
    assert response.status_code == 400
    assert "tối đa 2 liên kết" in response.content.decode()
    assert not Comment.objects.exists()
    sneaky = "ＨＴＴＰＳ://a.example/1 HTTP://b.example/2 mailto:c@example.vn"
    assert post_comment(client, article, text=sneaky).status_code == 400
    two = "Xem https://a.example/1 và www.b.example thêm."
    assert post_comment(client, article, text=two).status_code == 200


def test_length_limits_name_and_text(client):
    article = make_article()
    long_name = post_comment(client, article, name="Ạ" * 101)
    assert long_name.status_code == 400
    assert "Họ tên dài tối đa 100 ký tự" in long_name.content.decode()
    long_text = post_comment(client, article, text="ý" * 2001)
    assert long_text.status_code == 400
    assert "Ý kiến dài tối đa 2.000 ký tự (hiện có 2001 ký tự)" in long_text.content.decode()
    assert not Comment.objects.exists()
    # Counted as stored: 2,000 characters in NFC, even typed decomposed, with Windows line ends.
    import unicodedata

    half = unicodedata.normalize("NFD", "ệ" * 995)
    text = half + "\r\n" * 10 + half
    assert len(text) > 2000
    assert post_comment(client, article, name="Ạ" * 100, text=text).status_code == 200
    assert Comment.objects.get().text == "ệ" * 995 + "\n" * 10 + "ệ" * 995


def test_without_a_csrf_token_every_post_is_refused():
    article = make_article()
    comment = approved_comment(article, status=CommentStatus.PENDING)
    shown = approved_comment(article)
    moderator = make_moderator()
    client = Client(enforce_csrf_checks=True)
    refused = client.post(
        reverse("bulletin:comment-post", args=[article.slug]),
        {"name": "A", "email": "a@example.vn", "text": "B", "started": start_token(article, at=0)},
    )
    assert refused.status_code == 403
    assert (
        client.post(
            reverse("bulletin:comment-report", args=[shown.public_id]), {"reason": "spam"}
        ).status_code
        == 403
    )
    assert client.post(LOGIN, {"username": "kiemduyet", "password": PASSWORD}).status_code == 403
    # Signed in (with the token), a decision or a logout without it is still refused.
    page = client.get(LOGIN)
    token = page.cookies["csrftoken"].value
    assert (
        client.post(
            LOGIN, {"username": "kiemduyet", "password": PASSWORD, "csrfmiddlewaretoken": token}
        ).status_code
        == 302
    )
    for url, data in [
        (
            reverse("bulletin:moderation-decide"),
            {"action": "approve", "comment": str(comment.public_id)},
        ),
        (reverse("bulletin:moderation-block", args=[comment.public_id]), {"kind": "address"}),
        (reverse("bulletin:moderation-answer", args=[comment.public_id]), {"text": "A"}),
        (reverse("bulletin:moderation-blocks"), {"kind": "address", "value": "192.0.2.1"}),
        (reverse("bulletin:moderation-unblock", args=[1]), {}),
        (reverse("bulletin:moderation-article", args=[article.slug]), {"comments_open": "0"}),
        (reverse("bulletin:moderation-logout"), {}),
    ]:
        assert client.post(url, data).status_code == 403, url
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING
    assert Comment.objects.count() == 2 and not Block.objects.exists()
    assert Article.objects.get().comments_open is True
    assert moderator.pk and client.get(QUEUE).status_code == 200


def test_with_the_forms_csrf_token_a_reader_can_post(client):
    article = make_article()
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(reverse("bulletin:comment-post", args=[article.slug]))
    token = page.cookies["csrftoken"].value
    data = {
        "name": "Lù Văn Tỉnh",
        "email": "tinh@example.vn",
        "text": "Ý kiến gửi đúng cách.",
        "website": "",
        "started": start_token(article, at=time.time() - 60),
        "csrfmiddlewaretoken": token,
    }
    response = browser.post(reverse("bulletin:comment-post", args=[article.slug]), data)
    assert response.status_code == 200
    assert Comment.objects.get().text == "Ý kiến gửi đúng cách."


# --- after the security review ------------------------------------------------------------------


def test_addresses_of_one_ipv6_network_count_as_one_reader(client):
    article = make_article()
    for n in range(3):
        response = post_comment(
            client, article, address=f"2001:db8:7:1::{n + 1}", email=f"nguoi{n}@example.vn"
        )
        assert response.status_code == 200
    # The same /64 with yet another host part: the same subscriber, held back.
    other_host = post_comment(client, article, address="2001:db8:7:1:ffff::9", email="x@example.vn")
    assert other_host.status_code == 429
    assert set(Comment.objects.values_list("address", flat=True)) == {"2001:db8:7:1::"}
    # Another network is another reader.
    assert (
        post_comment(client, article, address="2001:db8:7:2::1", email="y@example.vn").status_code
        == 200
    )


def test_one_username_guessed_from_many_addresses_is_locked_everywhere(moderator):
    for n in range(20):
        _login(Client(), "kiemduyet", "sai-mat-khau-roi", address=f"203.0.113.{n + 1}")
    locked = _login(Client(), "kiemduyet", PASSWORD, address="192.0.2.200")
    assert locked.status_code == 429
    # The failure that locked the account was kept (not undone with the refusal).
    assert ModerationEvent.objects.filter(action="login_failed").count() == 20
