from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phoihop.core.models import TimeStampedModel
from phoihop.regulations.models import Regulation
from phoihop.reviews.choices import ReviewKind, ReviewStatus


class Review(TimeStampedModel):
    """A periodic review (sơ kết, tổng kết) of a regulation, with its statistics frozen."""

    regulation = models.ForeignKey(
        Regulation, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("quy chế")
    )
    kind = models.CharField(_("loại"), max_length=16, choices=ReviewKind.choices)
    title = models.CharField(_("tên đợt sơ kết, tổng kết"), max_length=255)
    period_from = models.DateField(_("từ ngày"))
    period_to = models.DateField(_("đến ngày"))
    status = models.CharField(
        _("tình trạng"), max_length=8, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    # Frozen when the review is opened or recomputed: later edits to dossiers do not move it.
    statistics = models.JSONField(_("số liệu"), default=dict)
    computed_at = models.DateTimeField(_("tính lúc"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tính"),
    )
    warnings = models.JSONField(_("lưu ý"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người mở"),
    )

    class Meta:
        ordering = ["-period_to", "-id"]
        indexes = [models.Index(fields=["regulation", "period_to"], name="review_reg_period_idx")]
        verbose_name = _("đợt sơ kết, tổng kết")
        verbose_name_plural = _("đợt sơ kết, tổng kết")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reviews:detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status == ReviewStatus.CLOSED
