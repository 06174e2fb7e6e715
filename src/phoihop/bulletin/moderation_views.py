"""Moderation pages (under /tin-tuc/kiem-duyet/), for the public site's own moderator accounts."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phoihop.bulletin import moderation, ratelimit
from phoihop.bulletin.choices import CommentStatus, ModeratorRole
from phoihop.bulletin.forms import (
    AnswerForm,
    ArticleSettingsForm,
    BlockAddForm,
    BlockForm,
    DecideForm,
    LoginForm,
    QueueFilterForm,
)
from phoihop.bulletin.models import Article, Block, Comment, ModerationEvent

PAGE_SIZE = 50


def moderator_required(view):
    """Only for a signed-in moderator (request.moderator); others go to the moderation sign-in.

    (Not django.contrib.auth's helpers: the public deployment does not install that app.)
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        moderator = moderation.current(request)
        if moderator is None:
            next_url = request.get_full_path() if request.method in ("GET", "HEAD") else None
            login_url = reverse("bulletin:moderation-login")
            if next_url is not None:
                query = QueryDict(mutable=True)
                query["next"] = next_url
                login_url = f"{login_url}?{query.urlencode(safe='/')}"
            return HttpResponseRedirect(login_url)
        request.moderator = moderator
        return view(request, *args, **kwargs)

    return never_cache(wrapped)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _refusal(request, error: moderation.Refused) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- sign-in ------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request):
    if request.method != "POST" and moderation.current(request) is not None:
        return redirect("bulletin:moderation-queue")
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            address = ratelimit.reader_address(request) or ""
            try:
                moderator = moderation.authenticate(
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                    address=address,
                )
            except moderation.LockedOut:
                form.add_error(
                    None,
                    _(
                        "Đăng nhập sai quá nhiều lần: tài khoản tạm khóa trên máy này. "
                        "Vui lòng thử lại sau %(n)d phút."
                    )
                    % {"n": moderation.ratelimit.lockout_minutes()},
                )
                status = 429
            except moderation.LoginRefused:
                form.add_error(None, _("Tên đăng nhập hoặc mật khẩu không đúng."))
            else:
                moderation.login(request, moderator, address=address)
                return redirect(_safe_next(request, reverse("bulletin:moderation-queue")))
    return render(
        request,
        "bulletin/moderation/login.html",
        {"form": form, "next": _safe_next(request, "")},
        status=status,
    )


@never_cache
@require_POST
def logout_view(request):
    moderation.logout(request)
    messages.info(request, _("Bạn đã đăng xuất khỏi trang kiểm duyệt."))
    return redirect("bulletin:moderation-login")


# --- the queue ----------------------------------------------------------------------------------

_UNREVIEWED = Q(status=CommentStatus.APPROVED, moderated_at__isnull=True)
_STATES = {
    QueueFilterForm.WAITING: Q(status__in=[CommentStatus.PENDING, CommentStatus.HIDDEN])
    | _UNREVIEWED,
    "pending": Q(status=CommentStatus.PENDING),
    "hidden": Q(status=CommentStatus.HIDDEN),
    "unreviewed": _UNREVIEWED,
    "approved": Q(status=CommentStatus.APPROVED),
    "rejected": Q(status=CommentStatus.REJECTED),
    "spam": Q(status=CommentStatus.SPAM),
    "all": Q(),
}


@require_GET
@moderator_required
def queue_view(request):
    form = QueueFilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    state = data.get("state") or QueueFilterForm.WAITING
    comments = Comment.objects.all()
    article = None
    if data.get("article"):
        article = Article.objects.filter(slug=data["article"]).first()
        comments = comments.filter(article=article) if article else comments.none()
    if data.get("q"):
        q = data["q"].strip()
        found = Q(name__icontains=q) | Q(text__icontains=q) | Q(email__icontains=q)
        if _looks_like_ip(q):
            found |= Q(address=q)
        comments = comments.filter(found)
    counts = comments.aggregate(
        **{key: Count("pk", filter=condition) for key, condition in _STATES.items()}
    )
    rows = (
        comments.filter(_STATES[state])
        .select_related("article", "parent", "author")
        .order_by("-created_at", "-id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "bulletin/moderation/queue.html",
        {
            "filter_form": form,
            "state": state,
            "states": [(key, label, counts[key]) for key, label in QueueFilterForm.STATES],
            "page": page,
            "filter_article": article,
            "moderator": request.moderator,
        },
    )


def _looks_like_ip(value: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _comment_page(request, comment, *, answer_form=None, status=200):
    moderator = request.moderator
    return render(
        request,
        "bulletin/moderation/comment.html",
        {
            "comment": comment,
            "answers": comment.answers.select_related("author").order_by("created_at", "id"),
            "reports": comment.reports.order_by("created_at", "id"),
            "events": [
                (e, moderation.ACTION_LABELS.get(e.action, e.action))
                for e in ModerationEvent.objects.filter(comment=comment).select_related(
                    "moderator"
                )[:50]
            ],
            "block_form": BlockForm(),
            "may_answer": moderator.role == ModeratorRole.EDITOR
            and not comment.official
            and comment.parent_id is None,
            "answer_form": answer_form or AnswerForm(),
            "moderator": moderator,
        },
        status=status,
    )


def _comment(public_id) -> Comment:
    return get_object_or_404(
        Comment.objects.select_related("article", "parent", "author", "moderated_by"),
        public_id=public_id,
    )


@require_GET
@moderator_required
def comment_view(request, public_id):
    return _comment_page(request, _comment(public_id))


@require_POST
@moderator_required
def decide_view(request):
    form = DecideForm(request.POST)
    fallback = reverse("bulletin:moderation-queue")
    if not form.is_valid():
        messages.error(request, _("Chọn ít nhất một ý kiến và một thao tác."))
        return redirect(_safe_next(request, fallback))
    chosen = list(Comment.objects.filter(public_id__in=form.cleaned_data["comment"]))
    if not chosen:
        raise Http404
    action = form.cleaned_data["action"]
    try:
        changed = moderation.comments_decide(
            actor=request.moderator, comments=chosen, action=action
        )
    except moderation.Refused as exc:
        _refusal(request, exc)
    else:
        label = dict(DecideForm.ACTIONS)[action]
        messages.success(
            request,
            ngettext(
                "%(action)s: đã xử lý %(n)d ý kiến.", "%(action)s: đã xử lý %(n)d ý kiến.", changed
            )
            % {"action": label, "n": changed},
        )
    return redirect(_safe_next(request, fallback))


@require_POST
@moderator_required
def block_view(request, public_id):
    comment = _comment(public_id)
    form = BlockForm(request.POST)
    if form.is_valid():
        try:
            moderation.block_create(
                actor=request.moderator,
                kind=form.cleaned_data["kind"],
                value="",
                note=form.cleaned_data["note"],
                comment=comment,
            )
        except moderation.Refused as exc:
            _refusal(request, exc)
        else:
            messages.success(request, _("Đã chặn: các ý kiến sau này từ địa chỉ đó sẽ bị từ chối."))
    else:
        messages.error(request, _("Chọn chặn theo địa chỉ IP hoặc theo thư điện tử."))
    return redirect("bulletin:moderation-comment", public_id=comment.public_id)


@require_POST
@moderator_required
def answer_view(request, public_id):
    if request.moderator.role != ModeratorRole.EDITOR:
        raise Http404
    comment = _comment(public_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            moderation.answer_create(
                actor=request.moderator, comment=comment, text=form.cleaned_data["text"]
            )
        except moderation.Refused as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Đã đăng trả lời của cơ quan dưới ý kiến."))
            return redirect("bulletin:moderation-comment", public_id=comment.public_id)
    return _comment_page(request, comment, answer_form=form, status=400)


# --- blocks -------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@moderator_required
def blocks_view(request):
    form = BlockAddForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                moderation.block_create(actor=request.moderator, **form.cleaned_data)
            except moderation.Refused as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Đã thêm vào danh sách chặn."))
                return redirect("bulletin:moderation-blocks")
    blocks = Block.objects.select_related("created_by").order_by("-created_at", "-id")
    page = Paginator(blocks, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "bulletin/moderation/blocks.html",
        {"form": form, "page": page, "moderator": request.moderator},
        status=status,
    )


@require_POST
@moderator_required
def unblock_view(request, pk):
    block = get_object_or_404(Block, pk=pk)
    moderation.block_remove(actor=request.moderator, block=block)
    messages.success(request, _("Đã bỏ chặn %(value)s.") % {"value": block.value})
    return redirect("bulletin:moderation-blocks")


# --- articles -----------------------------------------------------------------------------------


@require_GET
@moderator_required
def articles_view(request):
    articles = (
        Article.objects.filter(withdrawn=False)
        .annotate(
            waiting=Count(
                "comments",
                filter=Q(comments__status__in=[CommentStatus.PENDING, CommentStatus.HIDDEN])
                | Q(comments__status=CommentStatus.APPROVED, comments__moderated_at__isnull=True),
            ),
            shown=Count("comments", filter=Q(comments__status=CommentStatus.APPROVED)),
        )
        .order_by("-publish_at", "-id")
    )
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "bulletin/moderation/articles.html",
        {"page": page, "moderator": request.moderator},
    )


@require_POST
@moderator_required
def article_settings_view(request, slug):
    article = get_object_or_404(Article, slug=slug, withdrawn=False)
    form = ArticleSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Thông tin chưa hợp lệ."))
    else:
        try:
            changes = moderation.article_configure(
                actor=request.moderator,
                article=article,
                moderation=form.cleaned_data["moderation"] or None,
                comments_open=form.cleaned_data["comments_open"],
            )
        except moderation.Refused as exc:
            _refusal(request, exc)
        else:
            if changes:
                messages.success(
                    request,
                    _("Đã lưu cách nhận ý kiến của bài “%(title)s”.") % {"title": article.title},
                )
    return redirect(_safe_next(request, reverse("bulletin:moderation-articles")))
