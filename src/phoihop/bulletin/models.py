"""The public bulletin's data: only what was published to it, and its readers' comments.

Nothing here refers to the back office: articles arrive in signed bundles
(`bulletin.bundle`) and are identified by the back office's opaque `uid`; the
public pages address them by slug and never show a database id.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from phoihop.bulletin.choices import CommentStatus, Moderation, ModeratorRole

# ---------------------------------------------------------------- articles (published)


class Tag(models.Model):
    name = models.CharField(_("tên"), max_length=80, unique=True)
    slug = models.SlugField(_("đường dẫn"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("thẻ")
        verbose_name_plural = _("thẻ")

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet):
    def live(self, now=None):
        """Articles a reader may see: published, their publication time reached."""
        from django.utils import timezone

        return self.filter(withdrawn=False, publish_at__lte=now or timezone.now())


class Article(models.Model):
    """A published news article, as received from the back office."""

    uid = models.UUIDField(_("mã bản tin"), unique=True, editable=False)
    slug = models.SlugField(_("đường dẫn"), max_length=200, unique=True)
    title = models.CharField(_("tiêu đề"), max_length=300)
    lead = models.TextField(_("sa-pô"), blank=True)
    body_html = models.TextField(_("nội dung (HTML đã lọc)"))
    author_agency = models.CharField(_("cơ quan đăng tin"), max_length=255)
    tags = models.ManyToManyField(Tag, related_name="articles", blank=True)
    publish_at = models.DateTimeField(_("thời điểm đăng"), db_index=True)
    revised_at = models.DateTimeField(_("cập nhật lần cuối"))
    moderation = models.CharField(
        _("kiểm duyệt ý kiến"), max_length=8, choices=Moderation.choices, default=Moderation.PRE
    )
    comments_open = models.BooleanField(_("nhận ý kiến bạn đọc"), default=True)
    # Withdrawn by the back office: its content is cleared, its comments kept (hidden)
    # in case it is published again.
    withdrawn = models.BooleanField(_("đã gỡ"), default=False)
    # Title, lead and body text folded (no diacritics, đ → d, lower case) for search.
    search_text = models.TextField(editable=False, default="")
    # sha256 of the article as the last bundle described it: an unchanged article is
    # left alone (no re-rendering, no image re-encoding) when the next bundle arrives.
    source_digest = models.CharField(max_length=64, blank=True, editable=False)
    received_at = models.DateTimeField(_("nhận lúc"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-id"]
        verbose_name = _("bài viết")
        verbose_name_plural = _("bài viết")

    def __str__(self) -> str:
        return self.title


def image_path(instance, filename: str) -> str:
    """A random name: names in the bundle are neither trusted nor kept."""
    return f"bulletin/{uuid.uuid4().hex}{filename[filename.rfind('.') :][:6] if '.' in filename else ''}"


class ArticleImage(models.Model):
    """An image of an article (re-encoded on arrival: no metadata, bounded size)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    key = models.CharField(_("khóa trong bài"), max_length=40)
    image = models.FileField(_("ảnh"), upload_to=image_path)
    caption = models.CharField(_("chú thích"), max_length=500, blank=True)
    alt = models.CharField(_("mô tả ảnh"), max_length=300, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    # sha256 of the file as received (before re-encoding): the same image is kept.
    source_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["article", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "key"], name="bulletin_image_key_unique")
        ]

    def __str__(self) -> str:
        return self.key


class Publication(models.Model):
    """A bundle applied to this site: which, when, what it changed (the public side's record)."""

    digest = models.CharField(_("mã băm gói"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("gói lập lúc"))
    applied_at = models.DateTimeField(_("áp dụng lúc"), auto_now_add=True)
    articles = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.digest[:12]


class SiteState(models.Model):
    """One row: a counter bumped whenever what readers see changes (`bulletin.caching`).

    Kept in the database so that every process serving the site agrees on it, whatever
    cache backend each one has.
    """

    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"v{self.version}"


# ---------------------------------------------------------------- comments (public side)


class Moderator(models.Model):
    """An account of the public site (moderator, or editor who may answer as the agency).

    Deliberately not the back office's user model: the public deployment has no
    back-office account. The password is kept as Django's password hash.
    """

    username = models.CharField(_("tên đăng nhập"), max_length=80, unique=True)
    display_name = models.CharField(_("tên hiển thị"), max_length=200)
    agency_name = models.CharField(_("cơ quan"), max_length=255, blank=True)
    role = models.CharField(
        _("vai trò"), max_length=16, choices=ModeratorRole.choices, default=ModeratorRole.MODERATOR
    )
    password = models.CharField(max_length=256)
    is_active = models.BooleanField(default=True)
    last_login = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("người kiểm duyệt")
        verbose_name_plural = _("người kiểm duyệt")

    def __str__(self) -> str:
        return self.display_name or self.username


class Comment(models.Model):
    """A reader's comment (ý kiến bạn đọc), or the agency's answer to one."""

    # How a public page names the comment (reporting it): never the database id.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="answers"
    )
    name = models.CharField(_("họ tên"), max_length=100)
    # Never shown on a public page.
    email = models.EmailField(_("thư điện tử"), max_length=254, blank=True)
    text = models.TextField(_("ý kiến"))
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=CommentStatus.choices,
        default=CommentStatus.PENDING,
        db_index=True,
    )
    official = models.BooleanField(_("trả lời của cơ quan"), default=False)
    author = models.ForeignKey(
        Moderator, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True, db_index=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        Moderator, null=True, blank=True, on_delete=models.SET_NULL, related_name="moderated"
    )
    report_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["article", "status", "created_at"]),
            models.Index(fields=["address", "created_at"]),
            models.Index(fields=["email", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.text[:40]}"


class CommentReport(models.Model):
    """A reader's report of a comment; one per address and comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    address = models.GenericIPAddressField(null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "address"], name="bulletin_report_once_per_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.address}: {self.reason[:40]}"


class Block(models.Model):
    """An address or e-mail whose comments are refused."""

    class Kind(models.TextChoices):
        ADDRESS = "address", _("địa chỉ IP")
        EMAIL = "email", _("thư điện tử")

    kind = models.CharField(_("loại"), max_length=8, choices=Kind.choices)
    value = models.CharField(_("giá trị"), max_length=254)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    created_by = models.ForeignKey(Moderator, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="bulletin_block_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class ModerationEvent(models.Model):
    """What a moderator did (the public side's own log; append-only by convention)."""

    moderator = models.ForeignKey(Moderator, null=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=40)
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.SET_NULL)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
