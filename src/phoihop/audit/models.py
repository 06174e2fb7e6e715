from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One append-only event; `hash` chains it to the event before it."""

    seq = models.PositiveBigIntegerField(_("số thứ tự"), unique=True)
    at = models.DateTimeField(_("thời điểm"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_label = models.CharField(_("người thực hiện"), max_length=150)
    action = models.CharField(_("hành động"), max_length=64)
    object_type = models.CharField(_("loại đối tượng"), max_length=64)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    object_repr = models.CharField(_("đối tượng"), max_length=255, blank=True)
    changes = models.JSONField(_("thay đổi"), default=dict)
    # Whose rules govern who may read this event: the dossier for a task or
    # message, the person for an identity document, the object itself otherwise.
    scope_type = models.CharField(_("thuộc loại"), max_length=64, blank=True)
    scope_id = models.BigIntegerField(_("thuộc mã"), null=True, blank=True)
    request_id = models.CharField(_("mã yêu cầu hoặc tác vụ"), max_length=64, blank=True)
    ip = models.CharField(_("địa chỉ IP"), max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["scope_type", "scope_id", "seq"], name="audit_scope_idx"),
            models.Index(fields=["actor", "seq"], name="audit_actor_idx"),
        ]
        verbose_name = _("sự kiện kiểm toán")
        verbose_name_plural = _("sự kiện kiểm toán")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The single row holding the chain's tip; locked to serialise appends."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("đầu chuỗi kiểm toán")

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash[:12]}"
