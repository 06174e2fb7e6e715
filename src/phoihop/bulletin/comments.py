"""Readers' comments: what the article page shows, sending one, reporting one.

The article page is cached for every visitor, so it carries no form: it shows the
approved comments (`article_context`) and links to the comment form page, whose
GET holds the per-visitor parts (CSRF token, honeypot, signed start time).

Settings (with their defaults):
  PHOIHOP_BULLETIN_REPORT_HIDE        3   distinct addresses reporting a comment hide it
  PHOIHOP_BULLETIN_MIN_FILL_SECONDS   3   a form sent sooner is refused
  PHOIHOP_BULLETIN_FORM_MAX_AGE       7200   seconds a form page stays valid
  PHOIHOP_BULLETIN_MAX_LINKS          2   links allowed in a comment
  and the rate limits of `bulletin.ratelimit`.
"""

from __future__ import annotations

import re
import time
import unicodedata

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Prefetch, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from phoihop.bulletin import ratelimit
from phoihop.bulletin.choices import CommentStatus, Moderation
from phoihop.bulletin.models import Article, Block, Comment, CommentReport, ModerationEvent
from phoihop.core.text import nfc

NAME_MAX = 100
TEXT_MAX = 2000
REPORT_REASON_MAX = 300
_SALT = "phoihop.bulletin.comment-form"
# What counts as a link: anything with a scheme, starting with www., or a host with a
# dot followed by a path. The text is folded first (NFKC, case), so full-width letters
# or capitals do not slip through.
_LINK = re.compile(
    r"(?:[a-z][a-z0-9+.-]{1,20}://|www\.|mailto:)\S*"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/\S*"
)


class Refused(ValidationError):
    """The comment was refused; nothing was saved. `status` is the HTTP answer to give."""

    def __init__(self, message, *, status: int = 400, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def setting(name: str, default: int) -> int:
    return int(getattr(settings, f"PHOIHOP_BULLETIN_{name}", default))


def notify_public_pages() -> None:
    """After the transaction commits, mark every cached public page stale."""
    from phoihop.bulletin import caching

    transaction.on_commit(caching.bump)


# --- reading ------------------------------------------------------------------------------------


def live_article_or_404(slug: str) -> Article:
    """An article a reader may see, or 404 (withdrawn, scheduled or unknown)."""
    article = Article.objects.live().filter(slug=slug).first()
    if article is None:
        raise Http404
    return article


def accepts_comments(article: Article) -> bool:
    return article.comments_open and not article.withdrawn and article.publish_at <= timezone.now()


def visible_comments(article: Article) -> list[Comment]:
    """Approved comments in the order they were sent, each with its approved answers."""
    answers = Prefetch(
        "answers",
        queryset=Comment.objects.filter(status=CommentStatus.APPROVED).order_by("created_at", "id"),
        to_attr="visible_answers",
    )
    return list(
        Comment.objects.filter(article=article, parent__isnull=True, status=CommentStatus.APPROVED)
        .order_by("created_at", "id")
        .only("public_id", "name", "text", "created_at", "official", "article_id")
        .prefetch_related(answers)
    )


def article_context(request, article: Article) -> dict:
    """The context of "bulletin/comments/section.html" on the (cached) article page.

    `comment_form` is None on purpose: a cached page cannot carry a visitor's CSRF
    token; the section links to the form page instead (`comment_post_url`).
    """
    comments = visible_comments(article) if not article.withdrawn else []
    return {
        "comments": comments,
        "comment_count": len(comments) + sum(len(c.visible_answers) for c in comments),
        "comments_open": accepts_comments(article),
        "comment_post_url": reverse("bulletin:comment-post", args=[article.slug]),
        "comment_form": None,
    }


# --- the form's signed start time ---------------------------------------------------------------


def start_token(article: Article, at: float | None = None) -> str:
    """A signed note of when the form was shown, and for which article (by its public slug:
    the back office's uid is not shown on public pages)."""
    return signing.dumps(
        {"a": article.slug, "t": at if at is not None else time.time()}, salt=_SALT
    )


def _read_start_token(token: str) -> dict:
    return signing.loads(token or "", salt=_SALT, max_age=setting("FORM_MAX_AGE", 7200))


def start_token_readable(token: str) -> bool:
    """Signed by this site and not expired (however fast it came back)."""
    try:
        _read_start_token(token)
    except signing.BadSignature:
        return False
    return True


def check_start_token(article: Article, token: str, now: float | None = None) -> None:
    """Refuse a form without a valid start time, one from another article, or one sent too fast."""
    now = now if now is not None else time.time()
    try:
        data = _read_start_token(token)
        started = float(data["t"])
        valid = data["a"] == article.slug and started <= now + 5
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        valid = False
    if not valid:
        raise Refused(
            _(
                "Trang gửi ý kiến đã hết hạn hoặc không hợp lệ. Vui lòng xem lại nội dung và gửi lại."
            )
        )
    if now - started < setting("MIN_FILL_SECONDS", 3):
        raise Refused(
            _(
                "Ý kiến được gửi quá nhanh sau khi mở trang. Vui lòng đọc lại nội dung, "
                "chờ vài giây rồi gửi lại."
            )
        )


# --- checks on what was typed -------------------------------------------------------------------


def clean_text(value: str) -> str:
    """Text as typed, in NFC, with Windows line ends made plain and no NUL characters."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return nfc(value)


def count_links(text: str) -> int:
    return len(_LINK.findall(unicodedata.normalize("NFKC", text).casefold()))


def _blocked(address: str | None, email: str) -> bool:
    which = Q(pk__in=[])
    if address:
        which |= Q(kind=Block.Kind.ADDRESS, value=address)
    if email:
        which |= Q(kind=Block.Kind.EMAIL, value__iexact=email)
    return Block.objects.filter(which).exists()


# --- writing ------------------------------------------------------------------------------------


@transaction.atomic
def comment_submit(
    *,
    article: Article,
    name: str,
    email: str,
    text: str,
    address: str | None,
    started: str,
    honeypot: str = "",
) -> Comment:
    """Take a reader's comment, or refuse it (`Refused`, nothing saved).

    Pre-moderated articles hold it as pending; post-moderated ones show it at once
    while it stays in the moderators' queue (moderated_at empty). A filled honeypot
    saves it as spam, answered like any held comment.
    """
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not accepts_comments(article):
        raise Refused(_("Bài viết này không còn nhận ý kiến bạn đọc."), status=403)
    check_start_token(article, started)
    name, email, text = clean_text(name), nfc(email), clean_text(text)
    errors = {}
    if not name:
        errors["name"] = _("Cần nhập họ tên.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("Họ tên dài tối đa %(n)d ký tự.") % {"n": NAME_MAX}
    if not text:
        errors["text"] = _("Cần nhập nội dung ý kiến.")
    elif len(text) > TEXT_MAX:
        errors["text"] = _("Ý kiến dài tối đa %(n)s ký tự (hiện có %(m)s).") % {
            "n": f"{TEXT_MAX:,}".replace(",", "."),
            "m": f"{len(text):,}".replace(",", "."),
        }
    else:
        most = setting("MAX_LINKS", 2)
        if count_links(text) > most:
            errors["text"] = ngettext(
                "Ý kiến chỉ được chứa tối đa %(n)d liên kết (địa chỉ trang web).",
                "Ý kiến chỉ được chứa tối đa %(n)d liên kết (địa chỉ trang web).",
                most,
            ) % {"n": most}
    if errors:
        raise Refused(errors)
    ratelimit.serialise(f"address:{address or ''}", f"email:{email.casefold()}")
    if _blocked(address, email):
        raise Refused(
            _("Rất tiếc, hệ thống không thể nhận ý kiến của bạn. Xin liên hệ cơ quan đăng tin."),
            status=403,
        )
    wait = ratelimit.comment_limit_reached(address=address, email=email)
    if wait is not None:
        minutes = max(1, (wait + 59) // 60)
        raise Refused(
            ngettext(
                "Bạn đã gửi nhiều ý kiến trong thời gian ngắn. Vui lòng thử lại sau %(n)d phút.",
                "Bạn đã gửi nhiều ý kiến trong thời gian ngắn. Vui lòng thử lại sau %(n)d phút.",
                minutes,
            )
            % {"n": minutes},
            status=429,
            retry_after=wait,
        )
    if honeypot.strip():
        status = CommentStatus.SPAM
    elif article.moderation == Moderation.POST:
        status = CommentStatus.APPROVED
    else:
        status = CommentStatus.PENDING
    comment = Comment.objects.create(
        article=article, name=name, email=email, text=text, address=address or None, status=status
    )
    if status == CommentStatus.APPROVED:
        notify_public_pages()
    return comment


def reportable(public_id) -> Comment:
    """A reader's approved comment under a live article, or 404 (answers cannot be reported)."""
    comment = (
        Comment.objects.select_related("article")
        .filter(
            public_id=public_id,
            status=CommentStatus.APPROVED,
            official=False,
            article__in=Article.objects.live(),
        )
        .first()
    )
    if comment is None:
        raise Http404
    return comment


@transaction.atomic
def comment_report(*, comment: Comment, address: str | None, reason: str = "") -> bool:
    """Record a reader's report; False when this address reported the comment already.

    Reported by PHOIHOP_BULLETIN_REPORT_HIDE distinct addresses since a moderator last
    looked at it, an approved comment is hidden until reviewed.
    """
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.status != CommentStatus.APPROVED or comment.official:
        raise Http404
    if not address or CommentReport.objects.filter(comment=comment, address=address).exists():
        return False
    CommentReport.objects.create(
        comment=comment, address=address, reason=nfc(reason)[:REPORT_REASON_MAX]
    )
    Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
    comment.refresh_from_db(fields=["report_count"])
    if comment.report_count >= setting("REPORT_HIDE", 3):
        Comment.objects.filter(pk=comment.pk).update(status=CommentStatus.HIDDEN)
        ModerationEvent.objects.create(
            moderator=None,
            action="hide_reported",
            comment=comment,
            article_id=comment.article_id,
            detail={"reports": comment.report_count},
        )
        notify_public_pages()
    return True
