"""Foreign-affairs activities (hoạt động đối ngoại) and their coordination.

An activity is worked as a dossier of the delegation-security category: the dossier
gives it its parties, its classification (and so who may see it, through the one
access policy), the clause it falls under, the tasks with their working-day
deadlines, the numbered messages and the timeline. What is particular to an
activity lives here: its kind, host, dates, itinerary, members and their vetting,
the security assessment and measures, the Police's opinion, the briefing before an
outgoing delegation leaves, incidents during it and the after-action report.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from phoihop.accounts.models import Unit
from phoihop.activities.choices import (
    ActivityKind,
    ActivityStatus,
    MeasureKind,
    MemberRole,
    Opinion,
    RiskLevel,
    VettingResult,
)
from phoihop.core.models import TimeStampedModel
from phoihop.dossiers.models import Dossier, Message, Task
from phoihop.subjects.models import IdentityDocument, Subject


class Activity(TimeStampedModel):
    dossier = models.OneToOneField(
        Dossier, on_delete=models.PROTECT, related_name="activity", verbose_name=_("hồ sơ")
    )
    kind = models.CharField(_("loại hoạt động"), max_length=16, choices=ActivityKind.choices)
    host_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_activities",
        verbose_name=_("đơn vị chủ trì đón tiếp, tổ chức"),
    )
    # A host outside the registry's units (a district People's Committee, a company…).
    host_name = models.CharField(
        _("cơ quan, đơn vị chủ trì (nếu ngoài danh mục)"), max_length=255, blank=True
    )
    purpose = models.TextField(_("mục đích, nội dung"))
    country = models.CharField(_("quốc gia (mã ISO)"), max_length=2, blank=True)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    status = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=ActivityStatus.choices,
        default=ActivityStatus.REGISTERED,
        db_index=True,
    )
    notified_at = models.DateTimeField(_("thông báo cho Công an lúc"), null=True, blank=True)
    vetting_task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The Police's security assessment.
    risk_level = models.CharField(
        _("mức độ rủi ro"), max_length=8, choices=RiskLevel.choices, blank=True
    )
    assessment = models.TextField(_("đánh giá an ninh"), blank=True)
    # The Police's written opinion, sent back as a numbered message of the dossier.
    opinion = models.CharField(_("ý kiến"), max_length=12, choices=Opinion.choices, blank=True)
    opinion_conditions = models.TextField(_("điều kiện kèm theo"), blank=True)
    opinion_message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opinion_on = models.DateField(_("ngày có ý kiến"), null=True, blank=True)
    # Sent on or after the first day of the activity: allowed, and flagged.
    opinion_late = models.BooleanField(_("ý kiến gửi muộn"), default=False)
    # Outgoing delegations: the briefing on protecting state secrets before departure.
    briefing_on = models.DateField(_("ngày phổ biến bảo vệ bí mật nhà nước"), null=True, blank=True)
    briefing_by = models.CharField(_("người phổ biến"), max_length=255, blank=True)
    briefing_note = models.TextField(_("nội dung phổ biến"), blank=True)
    # After the activity.
    report = models.TextField(_("báo cáo kết quả"), blank=True)
    closed_on = models.DateField(_("ngày kết thúc hồ sơ"), null=True, blank=True)
    incidents = models.ManyToManyField(
        Dossier,
        blank=True,
        related_name="during_activities",
        verbose_name=_("vụ việc phát sinh trong hoạt động"),
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("hoạt động đối ngoại")
        verbose_name_plural = _("các hoạt động đối ngoại")
        indexes = [models.Index(fields=["starts_on", "ends_on"])]

    def __str__(self) -> str:
        return self.dossier.title


class ItineraryDay(models.Model):
    """One stop of the programme: a day, a place, a venue (border areas and gates marked)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="itinerary")
    day = models.DateField(_("ngày"))
    place = models.CharField(_("địa điểm (huyện, xã)"), max_length=255)
    venue = models.CharField(_("nơi làm việc, lưu trú"), max_length=255, blank=True)
    # The venue folded (no diacritics, lower case): two activities at one venue on one day
    # are a conflict whatever the spelling.
    venue_key = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    border_area = models.BooleanField(_("thuộc khu vực biên giới"), default=False)
    border_gate = models.CharField(_("cửa khẩu"), max_length=255, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        ordering = ["activity", "day", "id"]
        indexes = [models.Index(fields=["day", "venue_key"])]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.place}"


class ActivityMember(models.Model):
    """A member of the delegation or event: a person of the registry, with passport and role."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="members")
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="activity_memberships"
    )
    role = models.CharField(_("vai trò"), max_length=12, choices=MemberRole.choices)
    # A foreigner must have an identity document (passport) on the activity.
    foreign = models.BooleanField(_("người nước ngoài"), default=True)
    document = models.ForeignKey(
        IdentityDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("giấy tờ (hộ chiếu)"),
    )
    vetting = models.CharField(
        _("kết quả thẩm tra"),
        max_length=10,
        choices=VettingResult.choices,
        default=VettingResult.PENDING,
    )
    # The hits behind "needs attention", for the vetting officer only: a list of
    # {"kind": ..., "text": ..., "dossier"/"verification": id}. Never shown to the host.
    vetting_reasons = models.JSONField(default=list, blank=True)
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    vetted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["activity", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "subject"], name="activities_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_role_display()})"


class SecurityMeasure(models.Model):
    """A measure of the security plan and the unit assigned to it (for all or one day)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("biện pháp"), max_length=10, choices=MeasureKind.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="activity_measures", verbose_name=_("đơn vị")
    )
    # Empty: every day of the activity.
    day = models.DateField(_("ngày"), null=True, blank=True)
    description = models.CharField(_("nội dung"), max_length=500, blank=True)

    class Meta:
        ordering = ["activity", "day", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.unit}"
