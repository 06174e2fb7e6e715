"""The editorial desk's articles (back office): written, previewed, scheduled, published.

What readers see is a copy sent to the public bulletin in a signed bundle
(`newsroom.publishing`); nothing here is read by a public page.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phoihop.accounts.models import Agency
from phoihop.bulletin.choices import Moderation
from phoihop.core.models import TimeStampedModel
from phoihop.newsroom.choices import ArticleStatus


class NewsArticle(TimeStampedModel):
    """A news article of an agency, from draft to publication."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="news_articles", verbose_name=_("cơ quan")
    )
    title = models.CharField(_("tiêu đề"), max_length=300)
    slug = models.SlugField(_("đường dẫn"), max_length=200, unique=True)
    lead = models.TextField(_("sa-pô"), blank=True)
    body = models.TextField(_("nội dung (Markdown)"), blank=True)
    # Tag names, comma-separated as typed.
    tags = models.CharField(_("thẻ"), max_length=500, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    publish_at = models.DateTimeField(_("thời điểm đăng"), null=True, blank=True)
    moderation = models.CharField(
        _("kiểm duyệt ý kiến"), max_length=8, choices=Moderation.choices, default=Moderation.PRE
    )
    comments_open = models.BooleanField(_("nhận ý kiến bạn đọc"), default=True)
    source_review = models.ForeignKey(
        "reviews.Review",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="news_articles",
        verbose_name=_("sơ kết, tổng kết nguồn"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # First sent to the bulletin: from then on the slug (the public address) stays.
    published_at = models.DateTimeField(_("gửi đăng lúc"), null=True, blank=True)
    # The number of the next attached image (anh-N): never reused, so a body that still
    # names a removed image never shows another one in its place.
    next_image = models.PositiveSmallIntegerField(default=1, editable=False)
    # Title, lead and tags folded (no diacritics, đ → d, lower case) for the desk's search.
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["agency", "status"], name="newsroom_agency_status_idx")]
        verbose_name = _("tin bài")
        verbose_name_plural = _("tin bài")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("newsroom:detail", args=[self.pk])

    @property
    def is_on_bulletin(self) -> bool:
        """Sent to the public site (shown now, or at its scheduled time)."""
        return self.status in (ArticleStatus.PUBLISHED, ArticleStatus.SCHEDULED)

    def is_live(self, now=None) -> bool:
        """Whether readers see it now: sent, and its publication time reached."""
        return bool(
            self.is_on_bulletin
            and self.publish_at is not None
            and self.publish_at <= (now or timezone.now())
        )

    @property
    def shown_status(self) -> str:
        """The status as an editor reads it: a scheduled article whose time has come is out."""
        if self.status == ArticleStatus.SCHEDULED and self.is_live():
            return ArticleStatus.PUBLISHED
        return self.status

    def get_shown_status_display(self) -> str:
        return str(ArticleStatus(self.shown_status).label)

    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


def news_image_path(instance, filename: str) -> str:
    """A random name; only the extension of the re-encoded format is kept."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    suffix = f".{ext}" if ext in ("jpg", "png", "webp") else ""
    return f"newsroom/{uuid.uuid4().hex}{suffix}"


class NewsImage(models.Model):
    """An image attached to an article: resized and stripped of metadata on upload."""

    article = models.ForeignKey(NewsArticle, on_delete=models.CASCADE, related_name="images")
    key = models.CharField(_("khóa trong bài"), max_length=40)
    image = models.FileField(_("ảnh"), upload_to=news_image_path)
    content_type = models.CharField(max_length=40, default="image/jpeg")
    sha256 = models.CharField(max_length=64, blank=True)
    caption = models.CharField(_("chú thích"), max_length=500, blank=True)
    alt = models.CharField(_("mô tả ảnh"), max_length=300, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["article", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "key"], name="newsroom_image_key_unique")
        ]
        verbose_name = _("ảnh của tin bài")
        verbose_name_plural = _("ảnh của tin bài")

    def __str__(self) -> str:
        return f"{self.key}: {self.caption}"

    @property
    def extension(self) -> str:
        return {"image/png": "png", "image/webp": "webp"}.get(self.content_type, "jpg")

    @property
    def markdown(self) -> str:
        """How the body places this image."""
        caption = self.caption.replace("[", "(").replace("]", ")")
        return f"![{caption}]({self.key})"

    @property
    def audit_scope(self) -> tuple[str, int]:
        return "newsroom.newsarticle", self.article_id


class BundleRecord(models.Model):
    """A bundle sent to the bulletin (or an attempt that failed): who, when, where to, its digest."""

    digest = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    target = models.CharField(max_length=300)
    articles = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    # Why the bulletin did not take it; empty when it did.
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("gói tin đã gửi")
        verbose_name_plural = _("gói tin đã gửi")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} → {self.target}"

    @property
    def ok(self) -> bool:
        return not self.error
