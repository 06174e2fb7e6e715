from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phoihop.accounts.models import Unit
from phoihop.core.choices import Classification
from phoihop.core.models import TimeStampedModel
from phoihop.regulations.models import Clause, Regulation
from phoihop.reviews.choices import AssessmentStatus, ProposalStatus, ReviewKind, ReviewStatus


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
    # The level of the review's documents (the report carries its mark); readers need the
    # clearance for it. Figures alone are usually "Thường"; the secretariat raises it when
    # the assessments or conclusions hold what must not circulate.
    classification = models.PositiveSmallIntegerField(
        _("độ mật"), choices=Classification.choices, default=Classification.THUONG
    )
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


class Assessment(TimeStampedModel):
    """One unit's part of a review: results, shortcomings and causes, lessons, directions."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="assessments")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("đơn vị")
    )
    status = models.CharField(
        _("tình trạng"),
        max_length=16,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
    )
    results = models.TextField(_("kết quả thực hiện"), blank=True)
    shortcomings = models.TextField(_("tồn tại, hạn chế"), blank=True)
    causes = models.TextField(_("nguyên nhân"), blank=True)
    lessons = models.TextField(_("bài học kinh nghiệm"), blank=True)
    directions = models.TextField(_("phương hướng, nhiệm vụ"), blank=True)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người gửi"),
    )
    reminded_at = models.DateTimeField(_("nhắc lúc"), null=True, blank=True)

    class Meta:
        ordering = ["review", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["review", "unit"], name="assessment_unit_unique")
        ]
        verbose_name = _("báo cáo đánh giá của đơn vị")
        verbose_name_plural = _("báo cáo đánh giá của đơn vị")

    def __str__(self) -> str:
        return f"{self.unit} – {self.review}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:assessment", args=[self.review_id, self.unit_id])


class AmendmentProposal(TimeStampedModel):
    """A unit's proposal to amend a named clause of the regulation under review."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="proposals")
    clause = models.ForeignKey(
        Clause, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("khoản")
    )
    text = models.TextField(_("nội dung đề xuất sửa đổi"))
    status = models.CharField(
        _("tình trạng"),
        max_length=16,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PROPOSED,
    )

    class Meta:
        ordering = ["assessment", "clause", "id"]
        verbose_name = _("đề xuất sửa đổi quy chế")
        verbose_name_plural = _("đề xuất sửa đổi quy chế")

    def __str__(self) -> str:
        return f"{self.clause}: {self.text[:60]}"

    @property
    def audit_scope(self) -> tuple[str, int]:
        return "reviews.review", self.assessment.review_id


class Conference(TimeStampedModel):
    """The review conference (hội nghị sơ kết, tổng kết)."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="conference")
    held_on = models.DateField(_("ngày tổ chức"))
    place = models.CharField(_("địa điểm"), max_length=255)
    chairs = models.TextField(_("chủ trì"), help_text=_("Mỗi người một dòng: họ tên, chức vụ."))
    participants = models.TextField(_("thành phần tham dự"), blank=True)
    conclusions = models.TextField(_("kết luận của hội nghị"), blank=True)

    class Meta:
        verbose_name = _("hội nghị sơ kết, tổng kết")
        verbose_name_plural = _("hội nghị sơ kết, tổng kết")

    def __str__(self) -> str:
        return f"{self.review} – {self.held_on:%d/%m/%Y}"
