"""Helpers of the reader-comment and moderation tests: articles, forms, moderators.

Articles are made directly with the bulletin's models (as a bundle would leave them),
never through the back office.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
import uuid
from html.parser import HTMLParser

from django.urls import reverse
from django.utils import timezone

from phoihop.bulletin import markup
from phoihop.bulletin.choices import CommentStatus, ModeratorRole
from phoihop.bulletin.comments import start_token
from phoihop.bulletin.models import Article, Comment, Moderator
from phoihop.bulletin.moderation import moderator_create

PASSWORD = "Kiem-duyet-2011-an-toan"
_numbers = itertools.count(1)


def make_article(*, body="Hội nghị sơ kết **ba năm** thực hiện quy chế.", **fields) -> Article:
    n = next(_numbers)
    now = timezone.now()
    defaults = {
        "uid": uuid.uuid4(),
        "slug": f"so-ket-quy-che-{n}",
        "title": f"Sơ kết ba năm thực hiện quy chế phối hợp ({n})",
        "lead": "Các cơ quan đánh giá kết quả phối hợp trên tuyến biên giới.",
        "body_html": markup.render(body),
        "author_agency": "Sở Ngoại vụ tỉnh Hà Giang",
        "publish_at": now - dt.timedelta(days=1),
        "revised_at": now - dt.timedelta(days=1),
    }
    defaults.update(fields)
    return Article.objects.create(**defaults)


def form_data(article: Article, **overrides) -> dict:
    """A valid comment form, as a reader who took a minute to write it would send it."""
    data = {
        "name": "Nguyễn Thị Lan",
        "email": "lan.nguyen@example.vn",
        "text": "Cảm ơn các cơ quan đã phối hợp tốt.",
        "website": "",
        "started": start_token(article, at=time.time() - 60),
    }
    data.update(overrides)
    return data


def post_comment(client, article: Article, address: str = "198.51.100.7", **overrides):
    return client.post(
        reverse("bulletin:comment-post", args=[article.slug]),
        form_data(article, **overrides),
        REMOTE_ADDR=address,
    )


def approved_comment(article: Article, **fields) -> Comment:
    values = {
        "name": "Trần Văn Minh",
        "email": "minh.tran@example.vn",
        "text": "Ý kiến đã được duyệt.",
        "status": CommentStatus.APPROVED,
        "address": "203.0.113.9",
        "moderated_at": timezone.now(),
    }
    values.update(fields)
    return Comment.objects.create(article=article, **values)


def make_moderator(username="kiemduyet", role=ModeratorRole.MODERATOR, **fields) -> Moderator:
    values = {
        "display_name": "Người kiểm duyệt",
        "agency_name": "Sở Ngoại vụ tỉnh Hà Giang" if role == ModeratorRole.EDITOR else "",
    }
    values.update(fields)
    return moderator_create(username=username, password=PASSWORD, role=role, **values)


def sign_in(client, moderator: Moderator, address: str = "192.0.2.10"):
    response = client.post(
        reverse("bulletin:moderation-login"),
        {"username": moderator.username, "password": PASSWORD},
        REMOTE_ADDR=address,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def article_page(client, article: Article) -> str:
    response = client.get(reverse("bulletin:article", args=[article.slug]))
    assert response.status_code == 200
    return response.content.decode()


class MarkupAudit(HTMLParser):
    """What in a page could run or style something: found while parsing it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name == "style":
                self.problems.append(f"<{tag} style=…>")
            if name in {"href", "src", "action", "formaction", "xlink:href", "data", "srcset"}:
                compact = "".join(value.split()).lower()
                if compact.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.problems.append(f"<{tag} {name}={value!r}>")
                if tag in {"img", "script", "iframe", "link", "source", "video", "audio"} and (
                    "//" in compact[:8] or compact.startswith("//")
                ):
                    self.problems.append(f"<{tag} {name}={value!r}> loads from outside")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.problems.append(f"<script src={src!r}>")
            self._in_script = True
        if tag in {"iframe", "object", "embed", "svg", "math", "base", "form"} and not (
            tag == "form" and (dict(attrs).get("action") or "/").startswith("/")
        ):
            self.problems.append(f"<{tag}>")
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        if tag == "style":
            self.problems.append("<style>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data[:60]!r}")


def executable_markup(html: str) -> list[str]:
    """Everything in `html` that could run script or inline style; empty when inert."""
    audit = MarkupAudit()
    audit.feed(html)
    audit.close()
    return audit.problems


# --- for the authorization matrix (tests/test_authz_matrix.py) ----------------------------------

MATRIX_SLUG = "bai-cua-ma-tran-y-kien"
# A comment that does not exist: moderation pages send everyone who is not a moderator
# to the moderation sign-in before looking anything up.
MATRIX_MISSING_COMMENT = "00000000-0000-4000-8000-000000000000"


def matrix_article_kwargs(scene) -> dict:
    """A live article open to comments, made on first use."""
    article = Article.objects.filter(slug=MATRIX_SLUG).first() or make_article(slug=MATRIX_SLUG)
    return {"slug": article.slug}


def matrix_comment_kwargs(scene) -> dict:
    """An approved reader's comment under a live article, made on first use."""
    article = Article.objects.get(slug=matrix_article_kwargs(scene)["slug"])
    comment = article.comments.filter(status=CommentStatus.APPROVED).first() or approved_comment(
        article
    )
    return {"public_id": comment.public_id}
