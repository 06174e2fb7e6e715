"""The public bulletin's pages: no login, only live articles, addressed by slug.

Every read goes through `Article.objects.live()`; nothing here reads a model of
the back office (the same views serve the public deployment, which has none).
"""

from __future__ import annotations

import json
import logging
import mimetypes
import re
import tempfile

from django.conf import settings
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from phoihop.bulletin import comments
from phoihop.bulletin.bundle import BundleError
from phoihop.bulletin.caching import public_page
from phoihop.bulletin.models import Article, ArticleImage, Tag
from phoihop.core.text import fold

logger = logging.getLogger("phoihop.bulletin")

PER_PAGE = 10
# Longest query searched (characters) and most words: a search is a few words.
MAX_QUERY = 200
MAX_WORDS = 8


def _live_articles():
    return (
        Article.objects.live()
        .only("slug", "title", "lead", "author_agency", "publish_at", "revised_at")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("name", "slug")))
    )


def _page(request, queryset):
    paginator = Paginator(queryset, PER_PAGE)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as exc:
        raise Http404(_("Không có trang này.")) from exc


@public_page
def article_list(request):
    page = _page(request, _live_articles())
    return TemplateResponse(request, "bulletin/list.html", {"page": page})


@public_page
def article_detail(request, slug: str):
    article = get_object_or_404(
        Article.objects.live().prefetch_related(
            Prefetch("tags", queryset=Tag.objects.only("name", "slug"))
        ),
        slug=slug,
    )
    context = {"article": article}
    context.update(comments.article_context(request, article))
    return TemplateResponse(request, "bulletin/article.html", context)


@public_page
def tag_detail(request, slug: str):
    tag = get_object_or_404(
        Tag.objects.filter(Exists(Article.objects.live().filter(tags=OuterRef("pk")))),
        slug=slug,
    )
    page = _page(request, _live_articles().filter(tags=tag))
    return TemplateResponse(request, "bulletin/tag.html", {"tag": tag, "page": page})


def search_words(query: str) -> list[str]:
    """The folded words of a reader's query (diacritics, đ and case ignored)."""
    return fold(query[:MAX_QUERY]).split()[:MAX_WORDS]


@public_page(keep=False)
def search(request):
    query = request.GET.get("q", "").strip()
    words = search_words(query)
    page = None
    if words:
        articles = _live_articles()
        for word in words:
            articles = articles.filter(search_text__contains=word)
        page = _page(request, articles)
    return TemplateResponse(
        request, "bulletin/search.html", {"query": query[:MAX_QUERY], "page": page}
    )


@public_page
def sitemap(request):
    articles = Article.objects.live().values_list("slug", "revised_at")
    tags = (
        Tag.objects.filter(Exists(Article.objects.live().filter(tags=OuterRef("pk"))))
        .values_list("slug", flat=True)
        .order_by("slug")
    )
    return TemplateResponse(
        request,
        "bulletin/sitemap.xml",
        {"articles": articles, "tags": tags, "base": request.build_absolute_uri("/")[:-1]},
        content_type="application/xml; charset=utf-8",
    )


_IMAGE_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png)$")
IMAGE_MAX_AGE = 365 * 24 * 3600


@require_GET
def image(request, name: str):
    """An image of a live article; anything else is missing. Names are never reused."""
    if not _IMAGE_NAME.match(name):
        raise Http404
    found = (
        ArticleImage.objects.filter(
            image=f"bulletin/{name}", article__in=Article.objects.live().values("pk")
        )
        .only("image")
        .first()
    )
    if found is None:
        raise Http404
    etag = f'"{name}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        try:
            handle = found.image.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(handle, content_type=mimetypes.guess_type(name)[0])
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={IMAGE_MAX_AGE}, immutable"
    return response


@require_GET
def language(request):
    """Switch the reading language with a plain link (a cached page carries no form)."""
    code = request.GET.get("lang", "")
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if code in dict(settings.LANGUAGES):
        translation.activate(code)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def _max_bundle_bytes() -> int:
    from phoihop.bulletin import bundle

    return bundle.limits()["max_bytes"]


@csrf_exempt  # authenticated by the bundle's signature alone; no cookie is involved
@require_POST
def receive(request):
    """Apply a bundle pushed by the back office: 200 with a summary, 400 with the reason."""
    from phoihop.bulletin.services import apply_bundle

    limit = _max_bundle_bytes()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        logger.warning("bulletin bundle refused: %s bytes over the limit", length)
        return _refusal(_("Gói tin quá lớn (tối đa %(n)s byte).") % {"n": limit}, status=413)
    # Spooled to disk past a few megabytes: a large body is not held in memory.
    with tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024) as body:
        received = 0
        while chunk := request.read(min(1024 * 1024, limit + 1 - received)):
            received += len(chunk)
            if received > limit:
                return _refusal(
                    _("Gói tin quá lớn (tối đa %(n)s byte).") % {"n": limit}, status=413
                )
            body.write(chunk)
        try:
            publication = apply_bundle(body)
        except BundleError as exc:
            logger.warning("bulletin bundle refused: %r", exc.message)
            return _refusal(exc.message)
    applied = not publication.already_applied
    logger.info(
        "bulletin bundle %s %s: %s articles, %s withdrawn",
        publication.digest[:12],
        "applied" if applied else "already applied",
        publication.articles,
        publication.withdrawn,
    )
    return JsonResponse(
        {
            "applied": applied,
            "digest": publication.digest,
            "created_at": publication.created_at.isoformat(),
            "articles": publication.articles,
            "withdrawn": publication.withdrawn,
        }
    )


def _refusal(message: str, status: int = 400) -> HttpResponse:
    return HttpResponse(
        json.dumps({"error": message}, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def not_found(request, exception=None):
    """The public deployment's 404 page (its own look; no back-office link)."""
    return TemplateResponse(request, "bulletin/404.html", status=404)


def server_error(request):
    """The public deployment's 500 page, rendered without a request context."""
    from django.template import loader

    return HttpResponse(loader.get_template("bulletin/500.html").render(), status=500)


def csrf_failure(request, reason=""):
    """The public deployment's page for a refused form (expired or missing CSRF token)."""
    return TemplateResponse(request, "bulletin/403_csrf.html", status=403)
