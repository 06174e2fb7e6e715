"""The editorial desk's writes: articles, their images, scheduling and publishing.

Each service checks the policy, changes the data and writes its audit event in one
transaction. A change that alters what the bulletin shows (publishing, scheduling,
unpublishing, editing an article that is out or scheduled) then sends the bulletin a
fresh full snapshot, once the transaction has committed (`_sync_bulletin`).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phoihop.accounts.models import Agency
from phoihop.audit.services import audit_record, diff, snapshot
from phoihop.bulletin import bundle as bundle_format
from phoihop.bulletin import markup
from phoihop.bulletin.choices import Moderation
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.text import fold, nfc
from phoihop.newsroom.choices import ArticleStatus
from phoihop.newsroom.images import ImageRejected, clean_image
from phoihop.newsroom.models import NewsArticle, NewsImage
from phoihop.newsroom.policy import works_the_desk

logger = logging.getLogger(__name__)

MAX_TITLE = 300
MAX_LEAD = 1000
MAX_BODY = markup.MAX_BODY
MAX_TAGS = 10
MAX_TAG = 80
MAX_TAGS_FIELD = 500
MAX_SLUG_BASE = 80
MAX_IMAGES = 20
MAX_CAPTION = 500
MAX_ALT = 300

# Addresses the public bulletin uses for its own pages under /tin-tuc/: an article's slug
# never takes one of them (the bundle refuses them).
RESERVED_SLUGS = bundle_format.RESERVED_SLUGS | {"y-kien", "feed", "sitemap"}

ARTICLE_FIELDS = ["title", "slug", "lead", "body", "tags", "moderation", "comments_open"]
STATE_FIELDS = ["status", "publish_at", "published_at"]

# `![caption](key)` in the body: which image it places.
_IMAGE_REF = re.compile(r"!\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)")


@dataclass
class BulletinSync:
    """What became of bringing the bulletin up to date after a change (filled in on commit)."""

    wanted: bool = False
    done: bool = False
    error: str = ""
    result: dict = field(default_factory=dict)


def _sync_bulletin(actor) -> BulletinSync:
    """Send the bulletin a full snapshot once the current transaction has committed.

    Why after the commit and not inside the transaction: the bundle must show what was
    committed, and the bulletin may be another machine. Pushed from inside, a rollback
    after a successful push would leave readers seeing a change the back office never
    kept, and the transaction (with its locks) would stay open for the length of an HTTP
    call. After the commit, the editor's change and its audit event are whole whatever
    the bulletin does; if the bulletin refuses or cannot be reached, the failure is
    recorded (a BundleRecord with its error, shown on the desk) and the next publish
    (any later action, "send again" on the bundles page, or `phoihop bulletin publish`)
    repairs it: every bundle is a full snapshot, so nothing is lost by a missed one.
    """
    sync = BulletinSync(wanted=True)

    def run() -> None:
        from phoihop.newsroom import publishing

        try:
            sync.result = publishing.publish(actor=actor)
        except publishing.PublishError as exc:
            sync.error = str(exc)
        except Exception as exc:  # the change is committed: report, never undo it
            logger.exception("publishing to the bulletin failed")
            sync.error = str(exc) or exc.__class__.__name__
        sync.done = True

    transaction.on_commit(run)
    return sync


def _require_desk(actor) -> None:
    if not works_the_desk(actor):
        raise policy.NotFound


def _locked(article: NewsArticle, actor) -> NewsArticle:
    """The article, locked for the change, if `actor` may change it (else NotFound)."""
    return policy.get_or_404(
        NewsArticle.objects.select_for_update().select_related("agency"),
        actor,
        policy.CHANGE,
        pk=article.pk,
    )


# --- checking what an editor typed -------------------------------------------------------------


def parse_tags(value: str) -> list[str]:
    """Tag names as typed, comma-separated: tidied, without repeats (ignoring case and marks)."""
    tags: list[str] = []
    seen: set[str] = set()
    for part in re.split(r"[,;\n]", nfc(value)):
        name = " ".join(part.split())
        if name and fold(name) not in seen:
            seen.add(fold(name))
            tags.append(name)
    return tags


def clean_article_fields(values: dict) -> tuple[dict, dict]:
    """The article's text fields normalised, and the errors naming each bad one."""
    errors: dict[str, str] = {}
    out: dict = {}
    if "title" in values:
        title = " ".join(nfc(values["title"]).split())
        if not title:
            errors["title"] = _("Cần nhập tiêu đề.")
        elif len(title) > MAX_TITLE:
            errors["title"] = _("Tiêu đề dài quá %(n)s ký tự.") % {"n": MAX_TITLE}
        out["title"] = title
    if "lead" in values:
        lead = nfc(values["lead"])
        if len(lead) > MAX_LEAD:
            errors["lead"] = _("Sa-pô dài quá %(n)s ký tự.") % {"n": MAX_LEAD}
        out["lead"] = lead
    if "body" in values:
        body = nfc(values["body"]).replace("\r\n", "\n")
        if len(body) > MAX_BODY:
            errors["body"] = _("Nội dung dài quá %(n)s ký tự (hiện có %(len)s).") % {
                "n": f"{MAX_BODY:,}".replace(",", "."),
                "len": f"{len(body):,}".replace(",", "."),
            }
        out["body"] = body
    if "tags" in values:
        tags = parse_tags(values["tags"] or "")
        long = [t for t in tags if len(t) > MAX_TAG]
        if long:
            errors["tags"] = _("Thẻ «%(tag)s» dài quá %(n)s ký tự.") % {
                "tag": long[0][:40] + "…",
                "n": MAX_TAG,
            }
        elif len(tags) > MAX_TAGS:
            errors["tags"] = _("Tối đa %(n)s thẻ.") % {"n": MAX_TAGS}
        elif len(", ".join(tags)) > MAX_TAGS_FIELD:
            errors["tags"] = _("Các thẻ dài quá %(n)s ký tự.") % {"n": MAX_TAGS_FIELD}
        out["tags"] = ", ".join(tags)
    if "moderation" in values:
        if values["moderation"] not in Moderation.values:
            errors["moderation"] = _("Chọn một cách kiểm duyệt ý kiến.")
        out["moderation"] = values["moderation"]
    if "comments_open" in values:
        out["comments_open"] = bool(values["comments_open"])
    return out, errors


def _slug_base(title: str) -> str:
    """Lower-case ASCII words joined by hyphens, as the bulletin's addresses are."""
    words = unicodedata.normalize("NFKD", fold(title)).encode("ascii", "ignore").decode()
    full = re.sub(r"[^a-z0-9]+", "-", words).strip("-")
    base = full[:MAX_SLUG_BASE].strip("-")
    if len(full) > MAX_SLUG_BASE and full[MAX_SLUG_BASE] != "-" and "-" in base:
        base = base.rsplit("-", 1)[0]  # not cut inside a word
    base = base or "tin"
    return f"{base}-tin" if base in RESERVED_SLUGS else base


def unique_slug(title: str, exclude_pk: int | None = None) -> str:
    """The title without diacritics as an address, made unique with -2, -3… when taken."""
    base = _slug_base(title)
    taken_qs = NewsArticle.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        taken_qs = taken_qs.exclude(pk=exclude_pk)
    taken = set(taken_qs.values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def missing_images(article: NewsArticle, body: str | None = None) -> list[str]:
    """Images the body places that are not attached to the article."""
    keys = set(article.images.values_list("key", flat=True)) if article.pk else set()
    wanted = _IMAGE_REF.findall(article.body if body is None else body)
    return sorted({k for k in wanted if k not in keys})


def _check_publishable(article: NewsArticle) -> None:
    errors = {}
    if not article.title.strip():
        errors["title"] = _("Cần nhập tiêu đề trước khi đăng.")
    if not article.body.strip():
        errors["body"] = _("Bài chưa có nội dung.")
    missing = missing_images(article)
    if missing:
        errors["body"] = _(
            "Nội dung đặt ảnh không có trong các ảnh đính kèm: %(keys)s. Chỉ ảnh đã đính kèm "
            "(anh-1, anh-2…) mới hiện: đính kèm ảnh hoặc bỏ dòng đặt ảnh."
        ) % {"keys": ", ".join(missing)}
    if errors:
        raise ServiceError(errors)


def _search_text(article: NewsArticle) -> str:
    return fold(" ".join((article.title, article.lead, article.tags)))


# --- articles ------------------------------------------------------------------------------------


def create_unchecked(*, actor, agency: Agency, values: dict, source_review=None) -> NewsArticle:
    """A new draft row from checked text, without asking the policy: the caller has decided
    who acts (article_create, drafting.article_from_review) and writes the audit event."""
    cleaned, errors = clean_article_fields(
        {
            "title": "",
            "lead": "",
            "body": "",
            "tags": "",
            "moderation": Moderation.PRE,
            "comments_open": True,
            **values,
        }
    )
    if errors:
        raise ServiceError(errors)
    article = NewsArticle(
        agency=agency,
        source_review=source_review,
        created_by=None if policy.is_system(actor) else actor,
        slug=unique_slug(cleaned["title"]),
        **cleaned,
    )
    article.search_text = _search_text(article)
    article.save()
    return article


@transaction.atomic
def article_create(
    *,
    actor,
    title: str,
    lead: str = "",
    body: str = "",
    tags: str = "",
    moderation: str = Moderation.PRE,
    comments_open: bool = True,
    agency: Agency | None = None,
) -> NewsArticle:
    """A new draft of the actor's agency (the system actor names the agency)."""
    _require_desk(actor)
    if not policy.is_system(actor):
        agency = actor.agency
    if agency is None:
        raise ServiceError({"agency": _("Cần chọn cơ quan đăng tin.")})
    article = create_unchecked(
        actor=actor,
        agency=agency,
        values={
            "title": title,
            "lead": lead,
            "body": body,
            "tags": tags,
            "moderation": moderation,
            "comments_open": comments_open,
        },
    )
    audit_record(actor=actor, action="news.create", obj=article, changes=snapshot(article))
    return article


@transaction.atomic
def article_update(*, actor, article: NewsArticle, **values) -> NewsArticle:
    """Change an article's text and settings. An article that is out or scheduled is sent
    to the bulletin again; its address (slug) stays once it has been published."""
    unknown = set(values) - {"title", "lead", "body", "tags", "moderation", "comments_open"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    article = _locked(article, actor)
    cleaned, errors = clean_article_fields(values)
    if errors:
        raise ServiceError(errors)
    before = snapshot(article, ARTICLE_FIELDS)
    for name, value in cleaned.items():
        setattr(article, name, value)
    if article.is_on_bulletin:
        _check_publishable(article)
    if article.published_at is None and "title" in cleaned:
        article.slug = unique_slug(article.title, exclude_pk=article.pk)
    article.search_text = _search_text(article)
    changes = diff(before, snapshot(article, ARTICLE_FIELDS))
    if not changes:
        article.sync = BulletinSync()
        return article
    article.save()
    audit_record(actor=actor, action="news.update", obj=article, changes=changes)
    article.sync = _sync_bulletin(actor) if article.is_on_bulletin else BulletinSync()
    return article


def _change_state(actor, article, action, *, status, publish_at, check=True) -> NewsArticle:
    before = snapshot(article, STATE_FIELDS)
    if check:
        _check_publishable(article)
    article.status = status
    article.publish_at = publish_at
    if status in (ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED) and not article.published_at:
        article.published_at = timezone.now()
    article.save()
    audit_record(
        actor=actor,
        action=action,
        obj=article,
        changes=diff(before, snapshot(article, STATE_FIELDS)),
    )
    article.sync = _sync_bulletin(actor)
    return article


@transaction.atomic
def article_publish(
    *, actor, article: NewsArticle, published_on: dt.datetime | None = None
) -> NewsArticle:
    """Out now: readers see it as soon as the bulletin has the bundle.

    Only the system actor (the demo loader, an import of past news) may date the
    publication in the past with `published_on`; an editor publishes now.
    """
    article = _locked(article, actor)
    if published_on is not None and not policy.is_system(actor):
        raise policy.NotFound
    if article.status == ArticleStatus.PUBLISHED or article.is_live():
        raise ServiceError(_("Bài đã đăng."))
    when = published_on or timezone.now()
    if when > timezone.now():
        raise ServiceError(
            {"publish_at": _("Ngày đăng ghi lùi phải ở quá khứ; muốn đăng sau hãy hẹn giờ.")}
        )
    return _change_state(
        actor, article, "news.publish", status=ArticleStatus.PUBLISHED, publish_at=when
    )


@transaction.atomic
def article_schedule(*, actor, article: NewsArticle, publish_at: dt.datetime) -> NewsArticle:
    """Out at `publish_at` (in the future): sent now, shown by the bulletin from that time."""
    article = _locked(article, actor)
    if publish_at is None:
        raise ServiceError({"publish_at": _("Cần nhập thời điểm đăng.")})
    if timezone.is_naive(publish_at):
        publish_at = timezone.make_aware(publish_at)
    if publish_at <= timezone.now():
        raise ServiceError(
            {
                "publish_at": _(
                    "Thời điểm đăng phải ở tương lai; muốn đăng ngay hãy chọn «Đăng ngay»."
                )
            }
        )
    if article.is_live():
        raise ServiceError(
            {"publish_at": _("Bài đang hiện trên trang tin: gỡ bài trước khi hẹn giờ đăng lại.")}
        )
    return _change_state(
        actor, article, "news.schedule", status=ArticleStatus.SCHEDULED, publish_at=publish_at
    )


@transaction.atomic
def article_unpublish(*, actor, article: NewsArticle) -> NewsArticle:
    """Withdraw from the bulletin. A scheduled article not yet out goes back to draft."""
    article = _locked(article, actor)
    if not article.is_on_bulletin:
        raise ServiceError(_("Bài chưa đăng, không có gì để gỡ."))
    if article.is_live():
        return _change_state(
            actor,
            article,
            "news.unpublish",
            status=ArticleStatus.UNPUBLISHED,
            publish_at=article.publish_at,
            check=False,
        )
    return _change_state(
        actor, article, "news.unschedule", status=ArticleStatus.DRAFT, publish_at=None, check=False
    )


# --- images ------------------------------------------------------------------------------------


def _touch(article: NewsArticle) -> None:
    """The article counts as revised (the bulletin shows the revision time)."""
    article.save(update_fields=["updated_at", "next_image"])


@transaction.atomic
def image_add(*, actor, article: NewsArticle, file, caption: str, alt: str) -> NewsImage:
    """Attach an image: checked by its content, resized, stripped of metadata, stored under a
    random name. It gets the next key anh-N, which the body uses to place it."""
    article = _locked(article, actor)
    errors = {}
    caption = " ".join(nfc(caption).split())
    alt = " ".join(nfc(alt).split())
    if not caption:
        errors["caption"] = _("Cần nhập chú thích ảnh (hiện dưới ảnh).")
    elif len(caption) > MAX_CAPTION:
        errors["caption"] = _("Chú thích dài quá %(n)s ký tự.") % {"n": MAX_CAPTION}
    if not alt:
        errors["alt"] = _("Cần mô tả ảnh cho người không xem được ảnh.")
    elif len(alt) > MAX_ALT:
        errors["alt"] = _("Mô tả ảnh dài quá %(n)s ký tự.") % {"n": MAX_ALT}
    if article.images.count() >= MAX_IMAGES:
        errors["image"] = _("Mỗi bài đính kèm tối đa %(n)s ảnh.") % {"n": MAX_IMAGES}
    clean = None
    if file is None:
        errors.setdefault("image", _("Chọn một tệp ảnh."))
    elif "image" not in errors:
        try:
            clean = clean_image(file)
        except ImageRejected as exc:
            errors["image"] = str(exc)
    if errors:
        raise ServiceError(errors)
    key = f"anh-{article.next_image}"
    image = NewsImage(
        article=article,
        key=key,
        content_type=clean.content_type,
        sha256=clean.sha256,
        caption=caption,
        alt=alt,
        width=clean.width,
        height=clean.height,
        position=article.next_image,
    )
    # The stored name is random (upload_to); the original name is not kept anywhere.
    image.image.save(f"anh.{clean.extension}", ContentFile(clean.data), save=False)
    try:
        image.save()
        article.next_image += 1
        _touch(article)
        audit_record(
            actor=actor,
            action="news.image_add",
            obj=image,
            changes={
                "key": key,
                "caption": caption,
                "alt": alt,
                "width": clean.width,
                "height": clean.height,
                "sha256": clean.sha256,
            },
        )
    except Exception:
        # The file was written before the row: no row, no file.
        image.image.storage.delete(image.image.name)
        raise
    image.sync = _sync_bulletin(actor) if article.is_on_bulletin else BulletinSync()
    return image


@transaction.atomic
def image_remove(*, actor, image: NewsImage) -> NewsArticle:
    """Detach an image; its file is deleted once the change is committed."""
    image = policy.get_or_404(
        NewsImage.objects.select_related("article"), actor, policy.CHANGE, pk=image.pk
    )
    article = _locked(image.article, actor)
    if article.is_on_bulletin and image.key in _IMAGE_REF.findall(article.body):
        raise ServiceError(
            {
                "image": _(
                    "Bài đang đăng còn đặt ảnh %(key)s trong nội dung: bỏ dòng đặt ảnh trước khi gỡ ảnh."
                )
                % {"key": image.key}
            }
        )
    storage, name = image.image.storage, image.image.name
    audit_record(
        actor=actor,
        action="news.image_remove",
        obj=image,
        changes={"key": image.key, "caption": image.caption, "sha256": image.sha256},
    )
    image.delete()
    _touch(article)
    transaction.on_commit(lambda: storage.delete(name))
    article.sync = _sync_bulletin(actor) if article.is_on_bulletin else BulletinSync()
    return article
