"""Writes of the public bulletin's articles: applying a signed bundle from the back office.

A bundle is a full snapshot; applying it makes the site hold exactly its articles
(others are withdrawn: content cleared, comments kept out of sight, restored if a
later bundle brings the article back). One transaction: a bundle is applied whole
or not at all. Comments and moderation are written by `bulletin.moderation` and
`bulletin.comments`.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import warnings
from typing import BinaryIO

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from phoihop.bulletin import bundle as bundles
from phoihop.bulletin import caching, markup
from phoihop.bulletin.bundle import BundleError
from phoihop.bulletin.models import (
    Article,
    ArticleImage,
    ModerationEvent,
    Publication,
    SiteState,
    Tag,
)
from phoihop.core.text import fold, nfc

logger = logging.getLogger("phoihop.bulletin")

# Images are re-encoded within this box; larger sources are refused before decoding.
IMAGE_BOX = (1600, 1600)
MAX_SOURCE_PIXELS = 40_000_000
JPEG_QUALITY = 85


def apply_bundle(data: bytes | BinaryIO) -> Publication:
    """Apply the bundle in `data` (checked by `bundle.read`) and record it.

    Idempotent: the same bundle again changes nothing and returns its record (with
    `already_applied` set). A bundle made before the newest one applied is refused.
    """
    received = bundles.read(data)
    manifest = received.manifest
    created_at = bundles.parse_time(manifest["created_at"], "", "created_at")
    written: list[str] = []
    try:
        with transaction.atomic():
            # One bundle at a time: the site's state row is the lock (two pushes at once
            # must not both pass the "older than the newest" check).
            SiteState.objects.get_or_create(pk=1)
            SiteState.objects.select_for_update().get(pk=1)
            existing = Publication.objects.select_for_update().filter(digest=received.digest)
            if existing.exists():
                publication = existing.get()
                publication.already_applied = True
                return publication
            newest = Publication.objects.order_by("-created_at").first()
            if newest is not None and created_at < newest.created_at:
                raise BundleError(
                    _(
                        "Gói tin lập lúc %(this)s cũ hơn gói đã áp dụng (lập lúc %(newest)s): "
                        "không áp dụng để tránh quay lại nội dung cũ."
                    )
                    % {"this": created_at.isoformat(), "newest": newest.created_at.isoformat()}
                )
            counts = _apply_snapshot(manifest["articles"], received.files, written)
            publication = Publication.objects.create(
                digest=received.digest,
                created_at=created_at,
                articles=counts["articles"],
                withdrawn=counts["withdrawn"],
            )
            caching.bump()
    except BaseException:
        # Files stored for a transaction that did not commit are orphans.
        for name in written:
            ArticleImage.image.field.storage.delete(name)
        raise
    publication.already_applied = False
    logger.info(
        "bulletin bundle %s applied: %s articles, %s withdrawn",
        received.digest[:12],
        counts["articles"],
        counts["withdrawn"],
    )
    return publication


def _apply_snapshot(articles: list[dict], files: dict[str, bytes], written: list[str]) -> dict:
    incoming = {item["uid"]: item for item in articles}
    by_uid = {str(a.uid): a for a in Article.objects.select_for_update()}
    slug_owner = {item["slug"]: uid for uid, item in incoming.items()}
    # An existing article holding a slug another article now takes gives it up first
    # (renamed, swapped, or withdrawn and its slug reused).
    for uid, article in by_uid.items():
        owner = slug_owner.get(article.slug)
        if owner is not None and owner != uid:
            article.slug = f"tam-{article.uid.hex}"
            article.save(update_fields=["slug"])
    doomed: list[str] = []
    for uid, item in incoming.items():
        _apply_article(by_uid.get(uid), item, files, written, doomed)
    withdrawn = 0
    for uid, article in by_uid.items():
        if uid not in incoming and not article.withdrawn:
            _withdraw(article, doomed)
            withdrawn += 1
    Tag.objects.filter(articles__isnull=True).delete()
    storage = ArticleImage.image.field.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in doomed])
    return {"articles": len(incoming), "withdrawn": withdrawn}


def _item_digest(item: dict) -> str:
    return hashlib.sha256(json.dumps(item, sort_keys=True).encode("utf-8")).hexdigest()


def _closed_by_moderators(article: Article) -> bool:
    last = (
        ModerationEvent.objects.filter(
            article=article, action__in=("comments_open", "comments_closed")
        )
        .order_by("-created_at", "-id")
        .values_list("action", flat=True)
        .first()
    )
    return last == "comments_closed"


def _apply_article(
    article: Article | None, item: dict, files: dict[str, bytes], written: list, doomed: list
) -> None:
    digest = _item_digest(item)
    if article is not None and not article.withdrawn and article.source_digest == digest:
        return
    created = article is None
    if created:
        # Moderation mode comes from the back office once; moderators switch it here after.
        article = Article(uid=item["uid"], moderation=item["moderation"])
    article.slug = item["slug"]
    article.title = nfc(item["title"])
    article.lead = nfc(item.get("lead", ""))
    article.author_agency = nfc(item["author_agency"])
    article.publish_at = bundles.parse_time(item["publish_at"], "", "publish_at")
    article.revised_at = bundles.parse_time(item["revised_at"], "", "revised_at")
    # Open only when the back office says so and the site's moderators have not closed
    # them: a later revision of the article must not reopen what a moderator closed.
    article.comments_open = bool(item["comments_open"]) and (
        created or not _closed_by_moderators(article)
    )
    article.withdrawn = False
    article.body_html = ""
    article.save()
    figures = _apply_images(article, item, files, written, doomed)
    body = nfc(item.get("body", ""))
    tags = _tags(item.get("tags", []))
    article.tags.set(tags)
    article.body_html = markup.render(body, figures)
    article.search_text = markup.search_text(
        article.title,
        article.lead,
        markup.plain_text(body),
        article.author_agency,
        *(t.name for t in tags),
    )
    article.source_digest = digest
    article.save(update_fields=["body_html", "search_text", "source_digest"])


def _apply_images(article, item, files, written: list, doomed: list) -> dict:
    kept = {image.key: image for image in article.images.all()} if article.pk else {}
    figures: dict[str, markup.Figure] = {}
    wanted = set()
    for position, spec in enumerate(item.get("images", [])):
        key = spec["key"]
        wanted.add(key)
        image = kept.get(key)
        if image is None or image.source_sha256 != spec["sha256"]:
            if image is not None:
                doomed.append(image.image.name)
            content, ext, width, height = reencode(files[spec["file"]], key)
            image = image or ArticleImage(article=article, key=key)
            image.image.save(f"anh.{ext}", ContentFile(content), save=False)
            written.append(image.image.name)
            image.width, image.height = width, height
            image.source_sha256 = spec["sha256"]
        image.caption = nfc(spec.get("caption", ""))
        image.alt = nfc(spec.get("alt", ""))
        image.position = position
        image.save()
        name = image.image.name.rsplit("/", 1)[-1]
        figures[key] = markup.Figure(
            url=reverse("bulletin:image", args=[name]),
            caption=image.caption,
            alt=image.alt,
            width=image.width,
            height=image.height,
        )
    for key, image in kept.items():
        if key not in wanted:
            doomed.append(image.image.name)
            image.delete()
    return figures


def reencode(data: bytes, key: str) -> tuple[bytes, str, int, int]:
    """The image re-encoded by Pillow: oriented, within IMAGE_BOX, no metadata kept.

    JPEG, or PNG when the image has transparency. Returns (bytes, ext, width, height).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(data))
            if source.format not in {"JPEG", "PNG", "WEBP", "GIF"}:
                raise BundleError(
                    _("Ảnh “%(key)s”: định dạng %(format)s không được nhận.")
                    % {"key": key, "format": source.format}
                )
            width, height = source.size
            if width * height > MAX_SOURCE_PIXELS:
                raise BundleError(
                    _("Ảnh “%(key)s” quá lớn: %(w)s×%(h)s điểm ảnh.")
                    % {"key": key, "w": width, "h": height}
                )
            source.load()
            picture = ImageOps.exif_transpose(source)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise BundleError(
            _("Ảnh “%(key)s” không đọc được (tệp hỏng hoặc không phải ảnh).") % {"key": key}
        ) from exc
    picture.thumbnail(IMAGE_BOX)
    transparent = picture.mode in ("RGBA", "LA") or (
        picture.mode == "P" and "transparency" in picture.info
    )
    out = io.BytesIO()
    if transparent:
        # A fresh image: nothing of the source's text chunks, profile or EXIF follows.
        clean = Image.new("RGBA", picture.size)
        clean.paste(picture.convert("RGBA"))
        clean.save(out, format="PNG", optimize=True)
        ext = "png"
    else:
        clean = Image.new("RGB", picture.size)
        clean.paste(picture.convert("RGB"))
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        ext = "jpg"
    return out.getvalue(), ext, clean.width, clean.height


def _tags(names: list[str]) -> list[Tag]:
    tags: dict[str, Tag] = {}
    for raw in names:
        name = nfc(raw)[:80]
        slug = tag_slug(name)
        if slug in tags:
            continue
        tag, created = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
        if not created and tag.name != name:
            tag.name = name
            tag.save(update_fields=["name"])
        tags[slug] = tag
    return list(tags.values())


def tag_slug(name: str) -> str:
    """The tag's address: its name folded (đ → d, no diacritics), hyphenated."""
    slug = slugify(fold(name))[:100].strip("-")
    return slug or "the-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]


def _withdraw(article: Article, doomed: list) -> None:
    """Withdrawn by the back office: content gone, comments kept (hidden with it)."""
    for image in article.images.all():
        doomed.append(image.image.name)
    article.images.all().delete()
    article.tags.clear()
    article.title = ""
    article.lead = ""
    article.body_html = ""
    article.search_text = ""
    article.source_digest = ""
    article.withdrawn = True
    article.save()
