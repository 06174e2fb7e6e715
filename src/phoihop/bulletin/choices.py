from django.db import models
from django.utils.translation import gettext_lazy as _


class Moderation(models.TextChoices):
    PRE = "pre", _("Duyệt trước khi hiện")
    POST = "post", _("Hiện ngay, duyệt sau")


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("Chờ duyệt")
    APPROVED = "approved", _("Đã duyệt")
    REJECTED = "rejected", _("Không duyệt")
    SPAM = "spam", _("Thư rác")
    # Reported by several readers: hidden until a moderator looks again.
    HIDDEN = "hidden", _("Tạm ẩn do bị báo cáo")


class ModeratorRole(models.TextChoices):
    MODERATOR = "moderator", _("Kiểm duyệt ý kiến")
    # Also answers readers in the agency's name.
    EDITOR = "editor", _("Biên tập viên (trả lời thay cơ quan)")
