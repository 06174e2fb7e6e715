"""Moderation on the public side: its own accounts, their sign-in, and what they may do.

Moderators are `bulletin.Moderator` rows, not the back office's users: the public
deployment has no back-office account. Every action writes a ModerationEvent in the
same transaction and marks the cached public pages stale once the transaction
commits (even when readers would see no change: one rule, nothing to forget).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from phoihop.bulletin import ratelimit
from phoihop.bulletin.choices import CommentStatus, Moderation, ModeratorRole
from phoihop.bulletin.comments import clean_text, notify_public_pages
from phoihop.bulletin.models import Article, Block, Comment, ModerationEvent, Moderator
from phoihop.core.text import nfc

SESSION_ID = "bulletin_moderator"
SESSION_HASH = "bulletin_moderator_hash"
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")
ANSWER_MAX = 5000

# What each decision does: the status it leaves, and the event's name.
APPROVE, REJECT, SPAM, RESTORE = "approve", "reject", "spam", "restore"
DECISIONS = {
    APPROVE: CommentStatus.APPROVED,
    RESTORE: CommentStatus.APPROVED,
    REJECT: CommentStatus.REJECTED,
    SPAM: CommentStatus.SPAM,
}


# How the moderation pages name each event.
ACTION_LABELS = {
    APPROVE: _lazy("Duyệt"),
    REJECT: _lazy("Không duyệt"),
    SPAM: _lazy("Đánh dấu thư rác"),
    RESTORE: _lazy("Khôi phục ý kiến bị tạm ẩn"),
    "hide_reported": _lazy("Tự động tạm ẩn do nhiều bạn đọc báo cáo"),
    "answer": _lazy("Trả lời thay cơ quan"),
    "block": _lazy("Chặn người gửi"),
    "unblock": _lazy("Bỏ chặn"),
    "moderation_mode": _lazy("Đổi cách kiểm duyệt"),
    "comments_open": _lazy("Mở nhận ý kiến"),
    "comments_closed": _lazy("Đóng nhận ý kiến"),
    "login": _lazy("Đăng nhập"),
    "login_failed": _lazy("Đăng nhập sai"),
    "logout": _lazy("Đăng xuất"),
    "moderator_create": _lazy("Tạo tài khoản kiểm duyệt"),
    "moderator_password": _lazy("Đổi mật khẩu"),
}


class Refused(ValidationError):
    """A moderation request refused: nothing was saved. Built like ValidationError."""


class LoginRefused(Exception):
    """Wrong username or password (which one is not said), or an inactive account."""


class LockedOut(LoginRefused):
    """Too many failures: sign-in refused for a while, whatever the password."""


def event(*, moderator, action: str, comment=None, article=None, **detail) -> ModerationEvent:
    return ModerationEvent.objects.create(
        moderator=moderator,
        action=action,
        comment=comment,
        article=article if article is not None else getattr(comment, "article", None),
        detail=detail,
    )


# --- accounts -----------------------------------------------------------------------------------


def normalise_username(username: str) -> str:
    return nfc(username).lower()


@transaction.atomic
def moderator_create(
    *,
    username: str,
    display_name: str,
    password: str,
    role: str = ModeratorRole.MODERATOR,
    agency_name: str = "",
) -> Moderator:
    """A new moderator (or editor) account of the public site; the password is checked
    with the project's password validators."""
    username = normalise_username(username)
    moderator = Moderator(
        username=username,
        display_name=nfc(display_name),
        agency_name=nfc(agency_name),
        role=role,
    )
    errors: dict[str, list[str]] = {}
    if not USERNAME.match(username):
        errors["username"] = [
            _(
                "Tên đăng nhập gồm 3–80 ký tự: chữ thường không dấu, số, dấu chấm, "
                "gạch ngang hoặc gạch dưới."
            )
        ]
    elif Moderator.objects.filter(username=username).exists():
        errors["username"] = [_("Tên đăng nhập này đã có.")]
    if not moderator.display_name:
        errors["display_name"] = [_("Cần nhập tên hiển thị.")]
    if role not in ModeratorRole.values:
        errors["role"] = [_("Vai trò không hợp lệ.")]
    if role == ModeratorRole.EDITOR and not moderator.agency_name:
        errors["agency_name"] = [_("Biên tập viên trả lời thay cơ quan: cần nhập tên cơ quan.")]
    try:
        validate_password(password, user=moderator)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise Refused(errors)
    moderator.password = make_password(password)
    moderator.save()
    event(moderator=None, action="moderator_create", username=username, role=role)
    return moderator


@transaction.atomic
def moderator_set_password(*, moderator: Moderator, password: str) -> None:
    """A new password; the account's open sessions end (their hash no longer matches)."""
    try:
        validate_password(password, user=moderator)
    except ValidationError as exc:
        raise Refused({"password": exc.messages}) from exc
    moderator.password = make_password(password)
    moderator.save(update_fields=["password"])
    event(moderator=None, action="moderator_password", username=moderator.username)


# --- sign-in ------------------------------------------------------------------------------------


def authenticate(*, username: str, password: str, address: str) -> Moderator:
    """The active moderator with these credentials, or LoginRefused / LockedOut.

    A failure is recorded as a "login_failed" event: it counts towards the lockout.
    """
    username = normalise_username(username)[:80]
    with transaction.atomic():
        # Attempts on one account are taken one at a time: parallel guesses cannot all
        # pass the lockout check while the first is still being hashed.
        ratelimit.serialise(f"login:{username}")
        moderator, refusal = _authenticate(username, password, address)
    # Raised once the transaction is committed: the failure it records must stay.
    if refusal is not None:
        raise refusal
    return moderator


def _authenticate(username: str, password: str, address: str):
    if ratelimit.login_locked(username=username, address=address):
        return None, LockedOut()
    moderator = Moderator.objects.filter(username=username, is_active=True).first()
    if moderator is None:
        make_password(password)  # the same time spent as for a real account
        ok = False
    else:

        def upgrade(raw):
            moderator.password = make_password(raw)
            moderator.save(update_fields=["password"])

        ok = check_password(password, moderator.password, upgrade)
    if not ok:
        event(
            moderator=moderator,
            action=ratelimit.LOGIN_FAILED,
            username=username,
            address=address,
        )
        if ratelimit.login_locked(username=username, address=address):
            return None, LockedOut()
        return None, LoginRefused()
    return moderator, None


def _session_hash(moderator: Moderator) -> str:
    return salted_hmac(
        "phoihop.bulletin.moderator", moderator.password, algorithm="sha256"
    ).hexdigest()


@transaction.atomic
def login(request, moderator: Moderator, *, address: str) -> None:
    """Open the moderator's session: a new session key (no fixation), the event recorded."""
    request.session.cycle_key()
    request.session[SESSION_ID] = moderator.pk
    request.session[SESSION_HASH] = _session_hash(moderator)
    moderator.last_login = timezone.now()
    moderator.save(update_fields=["last_login"])
    event(moderator=moderator, action=ratelimit.LOGIN, username=moderator.username, address=address)


def logout(request) -> None:
    moderator = current(request)
    request.session.pop(SESSION_ID, None)
    request.session.pop(SESSION_HASH, None)
    request.session.cycle_key()
    if moderator is not None:
        event(moderator=moderator, action="logout", username=moderator.username)


def current(request) -> Moderator | None:
    """The moderator signed in on this session, if still active and with the same password."""
    session = getattr(request, "session", None)
    if session is None or SESSION_ID not in session:
        return None
    moderator = Moderator.objects.filter(pk=session.get(SESSION_ID), is_active=True).first()
    if moderator is None or not constant_time_compare(
        session.get(SESSION_HASH, ""), _session_hash(moderator)
    ):
        return None
    return moderator


# --- deciding on comments -----------------------------------------------------------------------


def _require(actor) -> None:
    if not isinstance(actor, Moderator) or not actor.is_active:
        raise Http404


@transaction.atomic
def comments_decide(*, actor: Moderator, comments: Iterable[Comment], action: str) -> int:
    """Approve, reject, mark as spam or restore (a hidden one) each comment; how many changed.

    Approving marks a post-moderated comment reviewed; restoring shows a hidden one
    again and starts its report count afresh.
    """
    _require(actor)
    if action not in DECISIONS:
        raise Refused({"action": _("Chọn một thao tác.")})
    ids = [c.pk for c in comments]
    if not ids:
        raise Refused({"comment": _("Chọn ít nhất một ý kiến.")})
    now = timezone.now()
    changed = 0
    rows = Comment.objects.select_for_update().filter(pk__in=ids).select_related("article")
    for comment in rows.order_by("pk"):
        before = comment.status
        status = DECISIONS[action]
        if action == RESTORE and before != CommentStatus.HIDDEN:
            continue
        if before == status and comment.moderated_at is not None:
            continue
        comment.status = status
        comment.moderated_at = now
        comment.moderated_by = actor
        fields = ["status", "moderated_at", "moderated_by"]
        if status == CommentStatus.APPROVED and before == CommentStatus.HIDDEN:
            comment.report_count = 0
            fields.append("report_count")
        comment.save(update_fields=fields)
        name = (
            RESTORE
            if before == CommentStatus.HIDDEN and status == CommentStatus.APPROVED
            else action
        )
        event(moderator=actor, action=name, comment=comment, before=before, after=status)
        changed += 1
    if changed:
        notify_public_pages()
    return changed


@transaction.atomic
def answer_create(*, actor: Moderator, comment: Comment, text: str) -> Comment:
    """The agency's answer to a reader's approved comment (editors only), shown at once."""
    _require(actor)
    if actor.role != ModeratorRole.EDITOR:
        raise Http404
    comment = Comment.objects.select_for_update().select_related("article").get(pk=comment.pk)
    text = clean_text(text)
    if comment.parent_id is not None or comment.official:
        raise Refused({"text": _("Chỉ trả lời ý kiến của bạn đọc, không trả lời một câu trả lời.")})
    if comment.status != CommentStatus.APPROVED:
        raise Refused({"text": _("Hãy duyệt ý kiến này trước khi trả lời.")})
    if not text:
        raise Refused({"text": _("Cần nhập nội dung trả lời.")})
    if len(text) > ANSWER_MAX:
        raise Refused({"text": _("Câu trả lời dài tối đa %(n)s ký tự.") % {"n": "5.000"}})
    now = timezone.now()
    answer = Comment.objects.create(
        article=comment.article,
        parent=comment,
        name=(actor.agency_name or comment.article.author_agency)[:100],
        email="",
        text=text,
        status=CommentStatus.APPROVED,
        official=True,
        author=actor,
        moderated_at=now,
        moderated_by=actor,
    )
    if comment.moderated_at is None:
        # Answering a post-moderated comment is reviewing it.
        Comment.objects.filter(pk=comment.pk).update(moderated_at=now, moderated_by=actor)
    event(moderator=actor, action="answer", comment=answer, parent=str(comment.public_id))
    notify_public_pages()
    return answer


# --- blocks -------------------------------------------------------------------------------------


@transaction.atomic
def block_create(
    *, actor: Moderator, kind: str, value: str, note: str = "", comment: Comment | None = None
) -> Block:
    """Refuse later comments from an address or an e-mail (the one of `comment` if given)."""
    _require(actor)
    if kind not in Block.Kind.values:
        raise Refused({"kind": _("Chọn chặn theo địa chỉ IP hoặc theo thư điện tử.")})
    if comment is not None:
        value = (comment.address if kind == Block.Kind.ADDRESS else comment.email) or ""
    value = nfc(value)
    if kind == Block.Kind.EMAIL:
        value = value.lower()
    if not value:
        raise Refused({"value": _("Ý kiến này không có địa chỉ để chặn.")})
    if kind == Block.Kind.ADDRESS:
        import ipaddress

        try:
            value = str(ipaddress.ip_address(value))
        except ValueError as exc:
            raise Refused({"value": _("Địa chỉ IP không hợp lệ.")}) from exc
    elif "@" not in value or len(value) > 254:
        raise Refused({"value": _("Địa chỉ thư điện tử không hợp lệ.")})
    block, created = Block.objects.get_or_create(
        kind=kind, value=value, defaults={"note": nfc(note)[:300], "created_by": actor}
    )
    if not created:
        raise Refused({"value": _("Địa chỉ này đã bị chặn từ trước.")})
    event(moderator=actor, action="block", comment=comment, kind=kind, value=value)
    notify_public_pages()
    return block


@transaction.atomic
def block_remove(*, actor: Moderator, block: Block) -> None:
    _require(actor)
    event(moderator=actor, action="unblock", kind=block.kind, value=block.value)
    block.delete()
    notify_public_pages()


# --- articles -----------------------------------------------------------------------------------


@transaction.atomic
def article_configure(
    *,
    actor: Moderator,
    article: Article,
    moderation: str | None = None,
    comments_open: bool | None = None,
) -> list[str]:
    """Switch an article between moderation before and after showing, and open or close its
    comments; returns what changed (events "moderation_mode", "comments_open", "comments_closed")."""
    _require(actor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    changes = []
    if moderation is not None and moderation != article.moderation:
        if moderation not in Moderation.values:
            raise Refused({"moderation": _("Cách kiểm duyệt không hợp lệ.")})
        event(
            moderator=actor,
            action="moderation_mode",
            article=article,
            before=article.moderation,
            after=moderation,
        )
        article.moderation = moderation
        changes.append("moderation")
    if comments_open is not None and comments_open != article.comments_open:
        event(
            moderator=actor,
            action="comments_open" if comments_open else "comments_closed",
            article=article,
        )
        article.comments_open = comments_open
        changes.append("comments_open")
    if changes:
        # A plain update: `received_at` (auto_now) tells when the back office's bundle came.
        Article.objects.filter(pk=article.pk).update(
            moderation=article.moderation, comments_open=article.comments_open
        )
        notify_public_pages()
    return changes
