"""Public pages kept cheap: one version for everything readers see, and HTTP caching.

`bump()` marks every public page stale: it increments a counter in the database
(`SiteState`, so that every process serving the site agrees) and drops this
process's copy of it. `version()` reads it from Django's cache, going back to the
database at most every few seconds, so a change made in another process is seen
within `PHOIHOP_BULLETIN_STATE_SECONDS`. The version also carries the publication
time of the latest article gone live, so a scheduled article appears at its time
without anyone bumping anything.

`public_page` wraps a public view: rendered pages are kept in the cache under the
version, the language and the path; responses carry Cache-Control, ETag and
Last-Modified, and a conditional GET answers 304 without rendering. A page holds
nothing personal (no form, so no CSRF token): when a visitor has a message waiting
(after posting a comment), the page is rendered for them alone and not kept.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Max, Min, Q
from django.http import HttpResponse, HttpResponseNotAllowed
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

# The query parameters public pages read (page number, search words); the cache keys on these.
PAGE_PARAMETERS = ("page", "q")
STATE_KEY = "bulletin:state"


def _seconds(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def bump() -> None:
    """Mark every public page stale (call after any change readers would see)."""
    from phoihop.bulletin.models import SiteState

    now = timezone.now()
    if not SiteState.objects.filter(pk=1).update(version=F("version") + 1, changed_at=now):
        SiteState.objects.get_or_create(pk=1, defaults={"version": 1, "changed_at": now})
    cache.delete(STATE_KEY)
    # Read again once the change is visible to others: a page rendered before the
    # commit must not be kept under the new version.
    transaction.on_commit(lambda: cache.delete(STATE_KEY))


def _load() -> dict:
    from phoihop.bulletin.models import Article, SiteState

    now = timezone.now()
    row = SiteState.objects.filter(pk=1).values_list("version", "changed_at").first()
    counter, changed_at = row or (0, None)
    times = Article.objects.filter(withdrawn=False).aggregate(
        latest=Max("publish_at", filter=Q(publish_at__lte=now)),
        upcoming=Min("publish_at", filter=Q(publish_at__gt=now)),
    )
    latest, upcoming = times["latest"], times["upcoming"]
    modified = max(
        (t for t in (changed_at, latest) if t is not None),
        default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
    )
    return {
        # The bump's time too: a database restored from a backup (its counter gone back)
        # does not meet the pages cached before.
        "version": f"{counter}.{_micro(changed_at)}.{_micro(latest)}",
        "modified": int(modified.timestamp()),
        "upcoming": upcoming.timestamp() if upcoming else None,
    }


def _micro(moment: dt.datetime | None) -> int:
    return int(moment.timestamp() * 1_000_000) if moment else 0


def state() -> dict:
    """The current version, last-modified time and next scheduled publication."""
    current = cache.get(STATE_KEY)
    now = timezone.now().timestamp()
    if current is None or (current["upcoming"] is not None and now >= current["upcoming"]):
        current = _load()
        timeout = _seconds("PHOIHOP_BULLETIN_STATE_SECONDS", 5)
        if current["upcoming"] is not None:
            timeout = max(1, min(timeout, int(current["upcoming"] - now) + 1))
        cache.set(STATE_KEY, current, timeout)
    return current


def version() -> str:
    """A string that changes whenever any public page may have changed."""
    return state()["version"]


def _has_messages(request) -> bool:
    """A message waits for this visitor (cookie or session storage)."""
    if "messages" in request.COOKIES:
        return True
    if settings.SESSION_COOKIE_NAME in request.COOKIES and hasattr(request, "session"):
        return bool(request.session.get("_messages"))
    return False


def public_page(view=None, *, keep: bool = True):
    """Cache headers, conditional GET and (when `keep`) the rendered page in the cache."""
    if view is None:
        return functools.partial(public_page, keep=keep)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        if _has_messages(request):
            response = _render(view(request, *args, **kwargs))
            patch_cache_control(response, private=True, no_cache=True)
            return response
        current = state()
        language = translation.get_language() or settings.LANGUAGE_CODE
        # The scheme and host too: the feed and the sitemap carry absolute links. Of the
        # query, only what the pages read: any other parameter would only fill the cache.
        query = "&".join(
            f"{name}={request.GET.get(name, '')[:200]}"
            for name in PAGE_PARAMETERS
            if name in request.GET
        )
        where = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
        digest = hashlib.sha256(f"{current['version']}|{language}|{where}".encode()).hexdigest()
        etag = f'"{digest[:32]}"'
        response = get_conditional_response(request, etag=etag, last_modified=current["modified"])
        if response is None:
            key = f"bulletin:page:{digest}"
            kept = cache.get(key) if keep else None
            if kept is not None:
                response = HttpResponse(kept[1], content_type=kept[0])
            else:
                response = _render(view(request, *args, **kwargs))
                if keep and response.status_code == 200 and not response.streaming:
                    timeout = _seconds("PHOIHOP_BULLETIN_PAGE_SECONDS", 300)
                    cache.set(key, (response["Content-Type"], response.content), timeout)
        if response.status_code in (200, 304):
            response["ETag"] = etag
            response["Last-Modified"] = http_date(current["modified"])
            patch_cache_control(
                response, public=True, max_age=_seconds("PHOIHOP_BULLETIN_MAX_AGE", 60)
            )
        # The language comes from the cookie or the browser's preference.
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    return wrapper


def _render(response):
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    return response
