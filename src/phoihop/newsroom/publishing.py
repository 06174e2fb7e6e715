"""Publishing to the public bulletin: a full, signed snapshot of what is out or scheduled.

`publish(actor=…)` builds the manifest of every article that is published or scheduled
(of every agency: the bulletin is one site, and an article missing from a snapshot is
withdrawn there), with its images as files, signs it into a bundle
(`bulletin.bundle.write`) and delivers it:

* by default, to the bulletin of this same installation (`bulletin.services.apply_bundle`,
  the embedded default: one process serves both);
* `out=path`: written to a file, to carry to a separate public deployment
  (`phoihop bulletin import FILE` there);
* `push=url`: POSTed to the public site's receiver (`/tin-tuc/nhan-goi-tin/`).

Each attempt is recorded (a BundleRecord, with the error when the bulletin did not take
it) with its audit event. A bundle is a full snapshot, so any later publish repairs a
failed one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phoihop.audit.services import audit_record
from phoihop.core import policy
from phoihop.newsroom.choices import ArticleStatus
from phoihop.newsroom.models import BundleRecord, NewsArticle
from phoihop.newsroom.policy import works_the_desk
from phoihop.newsroom.services import parse_tags

logger = logging.getLogger(__name__)

FORMAT = "phoihop-bulletin/1"
PUSH_TIMEOUT = 30  # seconds
LOCAL_TARGET = "local"


class PublishError(Exception):
    """The bulletin did not take the bundle; the message says why, in Vietnamese."""


class Unreachable(PublishError):
    """The public site could not be reached at all (trying again at once would not help)."""


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def build_manifest(*, now: dt.datetime | None = None) -> tuple[dict, dict[str, bytes]]:
    """The snapshot: the manifest and its image files (name in the bundle → bytes)."""
    now = now or timezone.now()
    files: dict[str, bytes] = {}
    articles = []
    queryset = (
        NewsArticle.objects.filter(status__in=[ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED])
        .exclude(publish_at__isnull=True)
        .select_related("agency")
        .prefetch_related("images")
        .order_by("publish_at", "pk")
    )
    for article in queryset:
        images = []
        for image in article.images.all():
            with image.image.open("rb") as fh:
                data = fh.read()
            digest = hashlib.sha256(data).hexdigest()
            name = f"images/{digest}.{image.extension}"
            files[name] = data
            images.append(
                {
                    "key": image.key,
                    "file": name,
                    "sha256": digest,
                    "caption": image.caption,
                    "alt": image.alt,
                    "width": image.width,
                    "height": image.height,
                }
            )
        articles.append(
            {
                "uid": str(article.uid),
                "slug": article.slug,
                "title": article.title,
                "lead": article.lead,
                "body": article.body,
                "author_agency": article.agency.name,
                "tags": parse_tags(article.tags),
                "publish_at": _iso(article.publish_at),
                "revised_at": _iso(article.updated_at),
                "moderation": article.moderation,
                "comments_open": article.comments_open,
                "images": images,
            }
        )
    manifest = {"format": FORMAT, "created_at": _iso(now), "articles": articles}
    return manifest, files


def _withdrawn_here(manifest: dict) -> int:
    """Articles once sent to the bulletin that this snapshot no longer carries."""
    sent = {a["uid"] for a in manifest["articles"]}
    once = NewsArticle.objects.filter(published_at__isnull=False).values_list("uid", flat=True)
    return sum(1 for uid in once if str(uid) not in sent)


def _write_file(out: Path, data: bytes) -> str:
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        # Written beside, then renamed: a reader never sees half a bundle.
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".goi-tin-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, out)
    except OSError as exc:
        raise PublishError(
            _("Không ghi được tệp gói tin %(path)s: %(error)s")
            % {"path": out, "error": exc.strerror or exc}
        ) from exc
    return str(out)


def _push(url: str, data: bytes) -> dict:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PublishError(
            _("Địa chỉ nhận gói tin không hợp lệ: %(url)s (cần http:// hoặc https://).")
            % {"url": url}
        )
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/zip", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=PUSH_TIMEOUT) as response:  # noqa: S310
            body = response.read(65536)
    except urllib.error.HTTPError as exc:
        detail = exc.read(2000).decode("utf-8", "replace").strip()
        with contextlib.suppress(ValueError, AttributeError):
            detail = json.loads(detail).get("error", detail)
        raise PublishError(
            _("Trang tin công khai từ chối gói tin (HTTP %(code)s): %(detail)s")
            % {"code": exc.code, "detail": detail[:500] or exc.reason}
        ) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Unreachable(
            _("Không gửi được gói tin tới %(url)s: %(reason)s") % {"url": url, "reason": reason}
        ) from exc
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        answer = {}
    return answer if isinstance(answer, dict) else {}


def _apply_here(data: bytes):
    from phoihop.bulletin import bundle, services

    try:
        return services.apply_bundle(data)
    except bundle.BundleError as exc:
        raise PublishError(_("Trang tin không nhận gói tin: %(error)s") % {"error": exc}) from exc


def _deliver(data: bytes, manifest: dict, out, push) -> dict:
    """Send the bundle; what the bulletin reports back (how many it withdrew) if it says."""
    if out is not None:
        return {"target": _write_file(out, data)}
    if push:
        answer = _push(push, data)
        return {
            "target": push,
            **({"withdrawn": answer["withdrawn"]} if "withdrawn" in answer else {}),
        }
    publication = _apply_here(data)
    return {"target": LOCAL_TARGET, "withdrawn": publication.withdrawn}


def _record(actor, *, digest, target, articles, withdrawn, error="") -> BundleRecord:
    with transaction.atomic():
        record = BundleRecord.objects.create(
            digest=digest,
            created_by=None if policy.is_system(actor) else actor,
            target=target[:300],
            articles=articles,
            withdrawn=withdrawn,
            error=error,
        )
        audit_record(
            actor=actor,
            action="bulletin.publish_failed" if error else "bulletin.publish",
            obj=record,
            changes={
                "digest": digest,
                "target": target,
                "articles": articles,
                "withdrawn": withdrawn,
                **({"error": error} if error else {}),
            },
        )
    return record


def _attempt(actor, out, push) -> dict:
    from phoihop.bulletin import bundle

    manifest, files = build_manifest()
    try:
        data = bundle.write(manifest, files)
    except Exception as exc:
        logger.exception("the bundle could not be signed")
        raise PublishError(
            _("Không lập được gói tin: %(error)s") % {"error": exc or exc.__class__.__name__}
        ) from exc
    try:
        # Read back as the bulletin will: a bundle it would refuse never leaves, and the
        # digest is the one the bulletin records (that of the signed manifest).
        digest = bundle.read(data).digest
    except bundle.BundleError as exc:
        raise PublishError(_("Gói tin lập ra không hợp lệ: %(error)s") % {"error": exc}) from exc
    delivered = _deliver(data, manifest, out, push)
    withdrawn = delivered.get("withdrawn")
    return {
        "articles": len(manifest["articles"]),
        "withdrawn": withdrawn if isinstance(withdrawn, int) else _withdrawn_here(manifest),
        "digest": digest,
        "target": delivered["target"],
    }


def publish(*, actor, out: Path | None = None, push: str | None = None) -> dict:
    """Build the full snapshot bundle and deliver it (see the module's docstring).

    Returns {"articles": n, "withdrawn": m, "digest": "...", "target": "..."}; raises
    PublishError with a clear message when the bundle could not be delivered (the
    attempt is recorded either way).
    """
    if not works_the_desk(actor):
        raise policy.NotFound
    target = str(out) if out is not None else (push or LOCAL_TARGET)
    try:
        try:
            result = _attempt(actor, out, push)
        except Unreachable:
            raise
        except PublishError:
            # Two editors publishing at once: the bulletin keeps the newer snapshot and
            # refuses the older one. One fresh snapshot (newer than anything sent) settles it.
            result = _attempt(actor, out, push)
    except PublishError as exc:
        _record(actor, digest="", target=target, articles=0, withdrawn=0, error=str(exc))
        raise
    _record(
        actor,
        digest=result["digest"],
        target=result["target"],
        articles=result["articles"],
        withdrawn=result["withdrawn"],
    )
    return result
