"""The editorial desk's pages. Thin: parse, call the service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from phoihop.bulletin import markup
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.forms import add_service_errors
from phoihop.core.text import fold
from phoihop.core.views import AllowedUsersMixin
from phoihop.newsroom import drafting, services
from phoihop.newsroom.choices import ArticleStatus
from phoihop.newsroom.forms import ArticleFilterForm, ArticleForm, ImageForm, ScheduleForm
from phoihop.newsroom.models import BundleRecord, NewsArticle, NewsImage
from phoihop.newsroom.policy import works_the_desk
from phoihop.reviews.models import Review

PAGE_SIZE = 50


class DeskMixin(AllowedUsersMixin):
    """A page of the desk: editors and administrators of an agency; everyone else 404."""

    def allowed(self, user) -> bool:
        return works_the_desk(user)


def _article(request, pk, action=policy.VIEW) -> NewsArticle:
    return policy.get_or_404(
        NewsArticle.objects.select_related("agency", "source_review"), request.user, action, pk=pk
    )


def figures_for(article: NewsArticle | None) -> dict[str, markup.Figure]:
    """The article's images as the body places them, served from the desk (not public)."""
    if article is None:
        return {}
    return {
        image.key: markup.Figure(
            url=reverse("newsroom:image", args=[image.pk]),
            caption=image.caption,
            alt=image.alt,
            width=image.width,
            height=image.height,
        )
        for image in article.images.all()
    }


def public_url(article: NewsArticle) -> str | None:
    """Where readers find the article on this installation's bulletin."""
    try:
        return reverse("bulletin:article", kwargs={"slug": article.slug})
    except NoReverseMatch:
        return None


def _report_sync(request, sync, done: str) -> None:
    """The action's outcome, and the bulletin's: up to date, or why not."""
    if sync is None or not sync.wanted or not sync.done:
        # Nothing to send, or sent when the surrounding transaction commits.
        messages.success(request, done)
    elif sync.error:
        messages.warning(
            request,
            _(
                "%(done)s Nhưng trang tin công khai chưa được cập nhật: %(error)s Có thể gửi lại "
                "ở trang «Gói tin đã gửi»."
            )
            % {"done": done, "error": sync.error},
        )
    else:
        messages.success(
            request, _("%(done)s Trang tin công khai đã được cập nhật.") % {"done": done}
        )


def _initial(article: NewsArticle) -> dict:
    return {
        "title": article.title,
        "lead": article.lead,
        "body": article.body,
        "tags": article.tags,
        "moderation": article.moderation,
        "comments_open": article.comments_open,
    }


def _preview_context(data, article) -> dict:
    body = (data.get("body") or "")[: services.MAX_BODY]
    return {
        "previewed": True,
        "preview_title": data.get("title", ""),
        "preview_lead": data.get("lead", ""),
        "preview_html": markup.render(body, figures_for(article)),
        "preview_missing": services.missing_images(article, body) if article else [],
    }


# --- lists ------------------------------------------------------------------------------------


class ArticleListView(DeskMixin, View):
    def get(self, request):
        form = ArticleFilterForm(request.GET or None)
        articles = policy.restrict(NewsArticle.objects.all(), request.user)
        now = timezone.now()
        live = Q(status=ArticleStatus.PUBLISHED) | Q(
            status=ArticleStatus.SCHEDULED, publish_at__lte=now
        )
        shown = {
            ArticleStatus.DRAFT: Q(status=ArticleStatus.DRAFT),
            ArticleStatus.SCHEDULED: Q(status=ArticleStatus.SCHEDULED, publish_at__gt=now),
            ArticleStatus.PUBLISHED: live,
            ArticleStatus.UNPUBLISHED: Q(status=ArticleStatus.UNPUBLISHED),
        }
        counts = articles.aggregate(
            **{key: Count("pk", filter=q) for key, q in shown.items()}, all=Count("pk")
        )
        if form.is_valid():
            if form.cleaned_data["q"]:
                articles = articles.filter(search_text__contains=fold(form.cleaned_data["q"]))
            if form.cleaned_data["status"]:
                articles = articles.filter(shown[form.cleaned_data["status"]])
        page = Paginator(articles.select_related("created_by"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "newsroom/list.html",
            {
                "form": form,
                "page_obj": page,
                "articles": page.object_list,
                "counts": counts,
                "statuses": [(s, s.label, counts[s]) for s in ArticleStatus],
                "last_bundle": policy.restrict(BundleRecord.objects.all(), request.user).first(),
            },
        )


class BundleListView(DeskMixin, View):
    def get(self, request):
        records = policy.restrict(BundleRecord.objects.all(), request.user).select_related(
            "created_by"
        )
        page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "newsroom/bundles.html", {"page_obj": page, "records": page})


class BundleSendView(DeskMixin, View):
    """Send the whole snapshot again (after a failure, or to refresh the public site)."""

    def post(self, request):
        from phoihop.newsroom import publishing

        try:
            result = publishing.publish(actor=request.user)
        except publishing.PublishError as exc:
            messages.error(request, _("Chưa gửi được: %(error)s") % {"error": exc})
        else:
            messages.success(
                request,
                _("Đã gửi %(n)s bài tới trang tin công khai.") % {"n": result["articles"]},
            )
        return redirect("newsroom:bundles")


# --- one article ------------------------------------------------------------------------------


class ArticleCreateView(DeskMixin, View):
    def get(self, request):
        return self._render(request, ArticleForm())

    def post(self, request):
        form = ArticleForm(request.POST)
        if "preview" in request.POST:
            return self._render(request, form, preview=_preview_context(request.POST, None))
        if form.is_valid():
            try:
                article = services.article_create(actor=request.user, **form.cleaned_data)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Đã lưu bản nháp. Bạn có thể đính kèm ảnh ở cuối trang.")
                )
                return redirect("newsroom:edit", pk=article.pk)
        return self._render(request, form, status=400)

    def _render(self, request, form, preview=None, status=200):
        return render(
            request,
            "newsroom/form.html",
            {"form": form, "article": None, **(preview or {})},
            status=status,
        )


def _edit_page(request, article, form=None, image_form=None, preview=None, status=200):
    return render(
        request,
        "newsroom/form.html",
        {
            "article": article,
            "form": form or ArticleForm(initial=_initial(article), article=article),
            "image_form": image_form or ImageForm(),
            "images": article.images.all(),
            **(preview or {}),
        },
        status=status,
    )


class ArticleEditView(DeskMixin, View):
    def get(self, request, pk):
        article = _article(request, pk, policy.CHANGE)
        return _edit_page(request, article, preview=_preview_context(_initial(article), article))

    def post(self, request, pk):
        article = _article(request, pk, policy.CHANGE)
        form = ArticleForm(request.POST, article=article)
        if "preview" in request.POST:
            return _edit_page(
                request, article, form, preview=_preview_context(request.POST, article)
            )
        if form.is_valid():
            try:
                article = services.article_update(
                    actor=request.user, article=article, **form.cleaned_data
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                _report_sync(request, article.sync, _("Đã lưu."))
                return redirect(article)
        return _edit_page(request, article, form, status=400)


def _detail_page(request, article, schedule_form=None, status=200):
    return render(
        request,
        "newsroom/detail.html",
        {
            "article": article,
            "images": article.images.all(),
            "body_html": markup.render(article.body, figures_for(article)),
            "missing": services.missing_images(article),
            "schedule_form": schedule_form or ScheduleForm(),
            "public_url": public_url(article) if article.is_live() else None,
        },
        status=status,
    )


class ArticleDetailView(DeskMixin, View):
    def get(self, request, pk):
        return _detail_page(request, _article(request, pk))


class _ArticleActionView(DeskMixin, View):
    done = ""

    def post(self, request, pk):
        article = _article(request, pk, policy.CHANGE)
        try:
            article = self.perform(request, article)
        except ServiceError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(article)
        _report_sync(request, getattr(article, "sync", None), str(self.done))
        return redirect(article)


class ArticlePublishView(_ArticleActionView):
    done = _("Đã đăng bài.")

    def perform(self, request, article):
        return services.article_publish(actor=request.user, article=article)


class ArticleUnpublishView(_ArticleActionView):
    def perform(self, request, article):
        was_live = article.is_live()
        article = services.article_unpublish(actor=request.user, article=article)
        self.done = _("Đã gỡ bài khỏi trang tin.") if was_live else _("Đã hủy hẹn giờ đăng.")
        return article


class ArticleScheduleView(DeskMixin, View):
    def post(self, request, pk):
        article = _article(request, pk, policy.CHANGE)
        form = ScheduleForm(request.POST)
        if form.is_valid():
            try:
                article = services.article_schedule(
                    actor=request.user, article=article, publish_at=form.publish_at()
                )
            except ServiceError as exc:
                for field, errors in exc.message_dict.items():
                    for message in errors:
                        form.add_error("publish_on" if field == "publish_at" else None, message)
            else:
                local = timezone.localtime(article.publish_at)
                _report_sync(
                    request,
                    article.sync,
                    _("Đã hẹn đăng lúc %(at)s.") % {"at": local.strftime("%H:%M %d/%m/%Y")},
                )
                return redirect(article)
        return _detail_page(request, article, form, status=400)


# --- images and preview ------------------------------------------------------------------------


class ImageAddView(DeskMixin, View):
    def post(self, request, pk):
        article = _article(request, pk, policy.CHANGE)
        form = ImageForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                image = services.image_add(
                    actor=request.user,
                    article=article,
                    file=data["image"],
                    caption=data["caption"],
                    alt=data["alt"],
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                _report_sync(
                    request,
                    image.sync,
                    _("Đã đính kèm ảnh %(key)s. Đặt ảnh vào bài bằng dòng %(md)s.")
                    % {"key": image.key, "md": image.markdown},
                )
                return redirect(reverse("newsroom:edit", args=[article.pk]) + "#anh")
        return _edit_page(request, article, image_form=form, status=400)


class ImageFileView(DeskMixin, View):
    """An attached image, for the desk's pages (the bulletin serves its own copy)."""

    def get(self, request, pk):
        image = policy.get_or_404(NewsImage.objects.all(), request.user, pk=pk)
        try:
            handle = image.image.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
        response = FileResponse(handle, content_type=image.content_type)
        response["Cache-Control"] = "private, max-age=3600"
        return response


class ImageRemoveView(DeskMixin, View):
    def post(self, request, pk):
        image = policy.get_or_404(
            NewsImage.objects.select_related("article"), request.user, policy.CHANGE, pk=pk
        )
        article = image.article
        try:
            article = services.image_remove(actor=request.user, image=image)
        except ServiceError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            _report_sync(request, article.sync, _("Đã gỡ ảnh %(key)s.") % {"key": image.key})
        return redirect(reverse("newsroom:edit", args=[article.pk]) + "#anh")


class PreviewView(DeskMixin, View):
    """The body as readers will see it, for the live preview (htmx posts the form here)."""

    def post(self, request):
        article = None
        if request.POST.get("article"):
            article = _article(request, request.POST["article"], policy.CHANGE)
        return render(request, "newsroom/_preview.html", _preview_context(request.POST, article))


# --- a draft from a review ---------------------------------------------------------------------


class FromReviewView(LoginRequiredMixin, View):
    """A leader or the secretariat hands a review's public results to their editors."""

    def _review(self, request, pk) -> Review:
        review = policy.get_or_404(Review.objects.select_related("regulation"), request.user, pk=pk)
        if not drafting.may_draft_from_review(request.user, review):
            raise policy.NotFound
        return review

    def _render(self, request, review, error=None, status=200):
        draft = None
        if error is None:
            try:
                drafting.check_review_for_draft(review)
            except ServiceError as exc:
                error = " ".join(exc.messages)
        if error is None:
            draft = drafting.review_draft(review)
        return render(
            request,
            "newsroom/from_review.html",
            {
                "review": review,
                "draft": draft,
                "draft_html": markup.render(draft.body) if draft else "",
                "error": error,
                "waiting": NewsArticle.objects.filter(
                    agency_id=request.user.agency_id,
                    source_review=review,
                    status=ArticleStatus.DRAFT,
                ).exists(),
            },
            status=status,
        )

    def get(self, request, review_pk):
        return self._render(request, self._review(request, review_pk))

    def post(self, request, review_pk):
        review = self._review(request, review_pk)
        try:
            article = drafting.article_from_review(actor=request.user, review=review)
        except ServiceError as exc:
            return self._render(request, review, error=" ".join(exc.messages), status=400)
        messages.success(
            request,
            _(
                "Đã gửi bản nháp tin «%(title)s» cho biên tập viên của %(agency)s. Tin chỉ được "
                "đăng sau khi biên tập viên hoàn thiện và bấm đăng."
            )
            % {"title": article.title, "agency": article.agency.name},
        )
        return redirect(review)
