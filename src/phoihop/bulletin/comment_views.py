"""Readers' pages: the comment form and reporting a comment (no login).

These pages carry a per-visitor CSRF token, so they are never cached; the article
page (cached) only links to them.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from phoihop.bulletin import comments, ratelimit
from phoihop.bulletin.forms import CommentForm, ReportForm


def _add_errors(form, error: comments.Refused) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@method_decorator(never_cache, name="dispatch")
class CommentPostView(View):
    """GET: the form (a fragment when htmx loads it into the article page); POST: send."""

    def get(self, request, slug):
        article = comments.live_article_or_404(slug)
        form = CommentForm(initial={"started": comments.start_token(article)})
        template = "bulletin/comments/_form.html" if _is_htmx(request) else None
        return self._form(request, article, form, template=template)

    def post(self, request, slug):
        article = comments.live_article_or_404(slug)
        form = CommentForm(request.POST)
        status = 400
        if not comments.accepts_comments(article):
            return self._form(request, article, None, status=403)
        if form.is_valid():
            data = form.cleaned_data
            try:
                comment = comments.comment_submit(
                    article=article,
                    name=data["name"],
                    email=data["email"],
                    text=data["text"],
                    address=ratelimit.reader_address(request),
                    started=data["started"],
                    honeypot=data["website"],
                )
            except comments.Refused as exc:
                _add_errors(form, exc)
                status = exc.status
                retry_after = exc.retry_after
            else:
                return render(
                    request,
                    "bulletin/comments/sent.html",
                    {"article": article, "comment": comment, "shown": comment.status == "approved"},
                )
        else:
            retry_after = None
        response = self._form(request, article, self._keep_start(form, article), status=status)
        if retry_after:
            response["Retry-After"] = str(retry_after)
        return response

    @staticmethod
    def _keep_start(form, article):
        """Keep the start time of a still valid form (its wait goes on), else start afresh."""
        form.data = form.data.copy()
        if not comments.start_token_readable(form.data.get("started", "")):
            form.data["started"] = comments.start_token(article)
        return form

    @staticmethod
    def _form(request, article, form, *, status=200, template=None):
        return render(
            request,
            template or "bulletin/comments/form.html",
            {"article": article, "form": form, "open": comments.accepts_comments(article)},
            status=status,
        )


@method_decorator(never_cache, name="dispatch")
class CommentReportView(View):
    """GET: ask why; POST: record the report (one per address and comment)."""

    def get(self, request, public_id):
        comment = comments.reportable(public_id)
        return self._page(request, comment, ReportForm())

    def post(self, request, public_id):
        comment = comments.reportable(public_id)
        form = ReportForm(request.POST)
        if not form.is_valid():
            return self._page(request, comment, form, status=400)
        recorded = comments.comment_report(
            comment=comment, address=ratelimit.reader_address(request), reason=form.reason_text()
        )
        return render(
            request,
            "bulletin/comments/reported.html",
            {"article": comment.article, "recorded": recorded},
        )

    @staticmethod
    def _page(request, comment, form, status=200):
        return render(
            request,
            "bulletin/comments/report.html",
            {"article": comment.article, "comment": comment, "form": form},
            status=status,
        )
