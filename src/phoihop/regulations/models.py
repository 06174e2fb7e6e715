from django.db import models
from django.utils.translation import gettext_lazy as _

from phoihop.accounts.models import Agency
from phoihop.core.models import TimeStampedModel
from phoihop.regulations.choices import CategoryKind, RegulationStatus, ResponsibilityRole


class Regulation(TimeStampedModel):
    """A coordination regulation (quy chế phối hợp) between agencies."""

    code = models.SlugField(_("mã"), max_length=32, unique=True)
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

    class Meta:
        ordering = ["-effective_from", "code"]
        verbose_name = _("quy chế phối hợp")
        verbose_name_plural = _("quy chế phối hợp")

    def __str__(self) -> str:
        return f"{self.number_symbol or self.code}: {self.title}"


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
        numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
        n, out = self.number, ""
        for value, letters in numerals:
            while n >= value:
                out += letters
                n -= value
        return out


class Article(models.Model):
    """An article (điều); numbered across the whole regulation."""

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="articles")
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
    """A draft amendment of a clause for the regulation's next version.

    Accepted review proposals become drafts here, linked back to their review;
    drafting the new text and signing the new version belong to the
    regulation's lifecycle.
    """

    clause = models.ForeignKey(
        Clause, on_delete=models.PROTECT, related_name="amendments", verbose_name=_("khoản")
    )
    text = models.TextField(_("nội dung sửa đổi đề xuất"))
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
