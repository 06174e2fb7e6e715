import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phoihop.accounts.models import Agency
from phoihop.core.models import TimeStampedModel
from phoihop.core.text import roman
from phoihop.regulations.choices import (
    AmendmentOrigin,
    AmendmentStatus,
    CategoryKind,
    RegulationState,
    RegulationStatus,
    ResponsibilityRole,
)


class RegulationQuerySet(models.QuerySet):
    def in_force(self, on: dt.date):
        """The signed versions in force on `on`: effective by then and not yet ended."""
        return self.filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=on),
            status=RegulationStatus.SIGNED,
            effective_from__lte=on,
        )


class Regulation(TimeStampedModel):
    """One version of a coordination regulation (quy chế phối hợp) between agencies.

    The versions of one regulation share a `series`; each new version starts as a copy
    of the one in force (`previous`), is finalised as a PDF, signed by every party's
    head, and takes effect on its `effective_from`, when the previous version's
    `effective_to` ends the day before. Dossiers count under the version whose
    categories they were opened in.
    """

    code = models.SlugField(_("mã"), max_length=32, unique=True)
    series = models.SlugField(
        _("bộ quy chế"),
        max_length=32,
        blank=True,
        help_text=_("Các phiên bản của cùng một quy chế có chung mã bộ."),
    )
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_versions",
        verbose_name=_("phiên bản trước"),
    )
    title = models.CharField(_("tên quy chế"), max_length=500)
    number_symbol = models.CharField(_("số, ký hiệu"), max_length=128, blank=True)
    parties = models.ManyToManyField(Agency, related_name="regulations", verbose_name=_("các bên"))
    signed_on = models.DateField(_("ngày ký"), null=True, blank=True)
    effective_from = models.DateField(_("có hiệu lực từ"), null=True, blank=True)
    effective_to = models.DateField(_("hết hiệu lực"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng"),
        max_length=16,
        choices=RegulationStatus.choices,
        default=RegulationStatus.DRAFT,
    )
    place = models.CharField(_("địa danh"), max_length=64, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("được thay thế bởi"),
    )
    # The PDF the parties sign, frozen when the text is finalised, and the same PDF with
    # every signature so far (each an incremental update of the one before).
    final_pdf = models.FileField(_("bản PDF để ký"), upload_to="regulations/", blank=True)
    signed_pdf = models.FileField(_("bản PDF đã ký"), upload_to="regulations/", blank=True)
    needs_resigning = models.BooleanField(_("cần ký lại"), default=False)
    resigning_reason = models.CharField(_("lý do cần ký lại"), max_length=500, blank=True)

    objects = RegulationQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from", "code"]
        constraints = [
            models.UniqueConstraint(fields=["series", "version"], name="regulation_version_unique")
        ]
        verbose_name = _("quy chế phối hợp")
        verbose_name_plural = _("quy chế phối hợp")

    def __str__(self) -> str:
        return f"{self.number_symbol or self.code}: {self.title}"

    def save(self, *args, **kwargs):
        if not self.series:
            self.series = self.code
        super().save(*args, **kwargs)

    def state_on(self, day: dt.date) -> str:
        if self.status == RegulationStatus.DRAFT:
            return RegulationState.DRAFT
        if self.status == RegulationStatus.FINAL:
            return RegulationState.SIGNING
        if self.effective_from is None or day < self.effective_from:
            return RegulationState.PENDING
        if self.effective_to is not None and day > self.effective_to:
            return RegulationState.SUPERSEDED if self.superseded_by_id else RegulationState.EXPIRED
        return RegulationState.IN_FORCE

    def state_label_on(self, day: dt.date) -> str:
        return RegulationState(self.state_on(day)).label

    @property
    def state(self) -> str:
        """The version's standing today (a `RegulationState` value), for pages."""
        return self.state_on(timezone.localdate())

    @property
    def state_label(self) -> str:
        """The version's standing today, for pages."""
        return self.state_label_on(timezone.localdate())

    @property
    def is_draft(self) -> bool:
        return self.status == RegulationStatus.DRAFT


class Chapter(models.Model):
    """A chapter (chương) of a regulation."""

    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="chapters")
    number = models.PositiveSmallIntegerField(_("số chương"))
    title = models.CharField(_("tên chương"), max_length=500)

    class Meta:
        ordering = ["regulation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["regulation", "number"], name="chapter_number_unique")
        ]
        verbose_name = _("chương")
        verbose_name_plural = _("chương")

    def __str__(self) -> str:
        return f"Chương {self.roman}. {self.title}"

    @property
    def roman(self) -> str:
        return roman(self.number)


class Section(models.Model):
    """A section (mục) between a chapter and its articles, where a chapter has them."""

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="sections")
    number = models.PositiveSmallIntegerField(_("số mục"))
    title = models.CharField(_("tên mục"), max_length=500)

    class Meta:
        ordering = ["chapter", "number"]
        constraints = [
            models.UniqueConstraint(fields=["chapter", "number"], name="section_number_unique")
        ]
        verbose_name = _("mục")
        verbose_name_plural = _("mục")

    def __str__(self) -> str:
        return f"Mục {self.number}. {self.title}"


class Article(models.Model):
    """An article (điều); numbered across the whole regulation."""

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="articles")
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, null=True, blank=True, related_name="articles"
    )
    number = models.PositiveSmallIntegerField(_("số điều"))
    title = models.CharField(_("tên điều"), max_length=500)
    text = models.TextField(_("nội dung (khi điều không chia khoản)"), blank=True)

    class Meta:
        ordering = ["chapter__regulation", "number"]
        verbose_name = _("điều")
        verbose_name_plural = _("điều")

    def __str__(self) -> str:
        return f"Điều {self.number}. {self.title}"


class Clause(models.Model):
    """A clause (khoản) of an article; the unit that responsibilities attach to."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="clauses")
    number = models.PositiveSmallIntegerField(_("số khoản"))
    text = models.TextField(_("nội dung"))

    class Meta:
        ordering = ["article__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="clause_number_unique")
        ]
        verbose_name = _("khoản")
        verbose_name_plural = _("khoản")

    def __str__(self) -> str:
        return f"Khoản {self.number} Điều {self.article.number}"


class Point(models.Model):
    """A point (điểm a, b, c…) of a clause."""

    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="points")
    letter = models.CharField(_("điểm"), max_length=2)
    text = models.TextField(_("nội dung"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["clause", "position"]
        verbose_name = _("điểm")
        verbose_name_plural = _("điểm")

    def __str__(self) -> str:
        return f"Điểm {self.letter} {self.clause}"


class Responsibility(models.Model):
    """Who leads or supports the work of a clause, and within how long they answer."""

    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="responsibilities")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="responsibilities")
    role = models.CharField(_("vai trò"), max_length=8, choices=ResponsibilityRole.choices)
    response_days = models.PositiveSmallIntegerField(
        _("thời hạn (ngày làm việc)"), null=True, blank=True
    )
    response_hours = models.PositiveSmallIntegerField(
        _("thời hạn (giờ, việc khẩn)"), null=True, blank=True
    )
    task_title = models.CharField(_("nhiệm vụ"), max_length=255, blank=True)

    class Meta:
        ordering = ["clause", "role", "agency"]
        constraints = [
            models.UniqueConstraint(
                fields=["clause", "agency", "role"], name="responsibility_unique"
            )
        ]
        verbose_name = _("trách nhiệm")
        verbose_name_plural = _("trách nhiệm")

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.agency.short_name} ({self.clause})"


class CrimeType(models.Model):
    """A crime type with its Penal Code article, for joint criminal cases."""

    code = models.SlugField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tội danh"), max_length=255)
    penal_code_article = models.CharField(_("điều luật (BLHS)"), max_length=64)

    class Meta:
        ordering = ["code"]
        verbose_name = _("loại tội phạm")
        verbose_name_plural = _("loại tội phạm")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A kind of coordination defined by a regulation, tied to the clause that governs it."""

    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="categories")
    code = models.SlugField(_("mã"), max_length=32)
    name = models.CharField(_("lĩnh vực phối hợp"), max_length=255)
    kind = models.CharField(_("loại thống kê"), max_length=32, choices=CategoryKind.choices)
    clause = models.ForeignKey(
        Clause, on_delete=models.PROTECT, related_name="categories", verbose_name=_("khoản")
    )

    class Meta:
        ordering = ["regulation", "code"]
        constraints = [
            models.UniqueConstraint(fields=["regulation", "code"], name="category_code_unique")
        ]
        verbose_name = _("lĩnh vực phối hợp")
        verbose_name_plural = _("lĩnh vực phối hợp")

    def __str__(self) -> str:
        return self.name


class ClauseAmendment(TimeStampedModel):
    """A proposed amendment of a clause, for the regulation's next version.

    It comes from a review (an accepted proposal of a unit's assessment, linked back to
    its review), from a unit, or from a leader, with its rationale. The secretariat
    accepts or rejects it; an accepted one is merged into a draft version, whose clause
    then holds its text, and records which version took it.
    """

    clause = models.ForeignKey(
        Clause, on_delete=models.PROTECT, related_name="amendments", verbose_name=_("khoản")
    )
    text = models.TextField(_("nội dung sửa đổi đề xuất"))
    rationale = models.TextField(_("lý do"), blank=True)
    origin = models.CharField(
        _("nguồn"), max_length=8, choices=AmendmentOrigin.choices, default=AmendmentOrigin.REVIEW
    )
    status = models.CharField(
        _("tình trạng"),
        max_length=8,
        choices=AmendmentStatus.choices,
        default=AmendmentStatus.PROPOSED,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người đề xuất"),
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị đề xuất"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người quyết định"),
    )
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    merged_into = models.ForeignKey(
        Regulation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_amendments",
        verbose_name=_("đã đưa vào phiên bản"),
    )
    source_proposal = models.OneToOneField(
        "reviews.AmendmentProposal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendment",
        verbose_name=_("đề xuất gốc"),
    )
    source_review = models.ForeignKey(
        "reviews.Review",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("đợt sơ kết, tổng kết"),
    )

    class Meta:
        ordering = ["clause", "id"]
        verbose_name = _("dự thảo sửa đổi khoản")
        verbose_name_plural = _("dự thảo sửa đổi khoản")

    def __str__(self) -> str:
        return f"{self.clause}: {self.text[:60]}"


class RegulationSignature(models.Model):
    """One party's PAdES signature on a version's PDF, as the app verified it when made."""

    regulation = models.ForeignKey(Regulation, on_delete=models.PROTECT, related_name="signatures")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("ký lúc"))
    field_name = models.CharField(_("trường chữ ký"), max_length=64)
    subject = models.CharField(_("chủ thể chứng thư"), max_length=500)
    issuer = models.CharField(_("tổ chức cấp"), max_length=500)
    serial = models.CharField(_("số hiệu chứng thư"), max_length=64)
    certificate = models.BinaryField(_("chứng thư (DER)"))

    class Meta:
        ordering = ["regulation", "signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["regulation", "agency"], name="regulation_signature_unique"
            )
        ]
        verbose_name = _("chữ ký số")
        verbose_name_plural = _("chữ ký số")

    def __str__(self) -> str:
        return f"{self.agency}: {self.subject}"


class TrustedRoot(models.Model):
    """A certificate authority whose certificates the app accepts for signing regulations."""

    name = models.CharField(_("tên"), max_length=255)
    certificate_pem = models.TextField(_("chứng thư gốc (PEM)"))
    added_at = models.DateTimeField(_("thêm lúc"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tổ chức chứng thực tin cậy")
        verbose_name_plural = _("tổ chức chứng thực tin cậy")

    def __str__(self) -> str:
        return self.name
