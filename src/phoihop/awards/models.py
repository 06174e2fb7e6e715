from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phoihop.accounts.models import Agency, Unit
from phoihop.awards.choices import AwardType, NominationStatus, NomineeKind
from phoihop.core.models import TimeStampedModel
from phoihop.dossiers.models import Dossier
from phoihop.reviews.models import Review


class DisciplineFlag(TimeStampedModel):
    """A pending discipline matter: while open, its subject cannot be commended."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="discipline_flags",
        verbose_name=_("cá nhân"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="discipline_flags",
        verbose_name=_("tập thể"),
    )
    reason = models.CharField(_("nội dung"), max_length=500)
    opened_on = models.DateField(_("ngày mở"))
    closed_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("vụ việc kỷ luật đang xem xét")
        verbose_name_plural = _("vụ việc kỷ luật đang xem xét")

    def __str__(self) -> str:
        return self.reason


class Nomination(TimeStampedModel):
    """A proposal to commend an individual or a unit, with dossiers as its evidence."""

    review = models.ForeignKey(
        Review, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("đợt")
    )
    kind = models.CharField(_("đối tượng khen"), max_length=16, choices=NomineeKind.choices)
    nominee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
        verbose_name=_("cá nhân được đề nghị"),
    )
    nominee_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
        verbose_name=_("tập thể được đề nghị"),
    )
    nominee_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cơ quan của người được khen"),
    )
    awarding_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="awards_given",
        verbose_name=_("cơ quan khen thưởng"),
    )
    award_type = models.CharField(
        _("hình thức khen"), max_length=16, choices=AwardType.choices, default=AwardType.CERTIFICATE
    )
    reason = models.TextField(_("thành tích"))
    evidence = models.ManyToManyField(Dossier, related_name="+", verbose_name=_("hồ sơ minh chứng"))
    contribution = models.JSONField(_("tóm tắt đóng góp"), default=dict)
    status = models.CharField(
        _("tình trạng"),
        max_length=16,
        choices=NominationStatus.choices,
        default=NominationStatus.PROPOSED,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    council_note = models.CharField(_("ý kiến hội đồng thi đua"), max_length=500, blank=True)
    partner_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cơ quan quản lý đồng ý"),
    )
    partner_consent_at = models.DateTimeField(_("đồng ý lúc"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người quyết định"),
    )
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)

    class Meta:
        ordering = ["review", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="individual", nominee_user__isnull=False, nominee_unit__isnull=True
                    )
                    | models.Q(
                        kind="collective", nominee_unit__isnull=False, nominee_user__isnull=True
                    )
                ),
                name="nomination_one_nominee",
            )
        ]
        verbose_name = _("đề nghị khen thưởng")
        verbose_name_plural = _("đề nghị khen thưởng")

    def __str__(self) -> str:
        return f"{self.get_award_type_display()}: {self.nominee_label}"

    def get_absolute_url(self) -> str:
        return reverse("awards:detail", args=[self.pk])

    @property
    def nominee_label(self) -> str:
        if self.nominee_user_id:
            return str(self.nominee_user)
        return str(self.nominee_unit.name) if self.nominee_unit_id else ""

    @property
    def needs_partner_consent(self) -> bool:
        return self.nominee_agency_id != self.awarding_agency_id
