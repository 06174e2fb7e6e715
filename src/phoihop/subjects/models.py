from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phoihop.accounts.models import Agency
from phoihop.core.models import TimeStampedModel
from phoihop.dossiers.models import Dossier
from phoihop.subjects.choices import (
    AccessKind,
    AccessPurpose,
    DocumentKind,
    Sex,
    SubjectRole,
    VerificationOutcome,
)


class Subject(TimeStampedModel):
    """A person (đối tượng) as recorded in coordination work."""

    full_name = models.CharField(_("họ và tên (tiếng Việt)"), max_length=255)
    native_name = models.CharField(_("tên theo chữ gốc (Hán tự…)"), max_length=255, blank=True)
    latin_name = models.CharField(_("tên Latin (hộ chiếu)"), max_length=255, blank=True)
    han_viet = models.CharField(_("âm Hán Việt"), max_length=255, blank=True)
    pinyin = models.CharField(_("phiên âm pinyin"), max_length=255, blank=True)
    aliases = models.CharField(_("tên gọi khác"), max_length=500, blank=True)
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"), null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(_("tháng sinh"), null=True, blank=True)
    birth_day = models.PositiveSmallIntegerField(_("ngày sinh"), null=True, blank=True)
    birth_place = models.CharField(_("nơi sinh"), max_length=255, blank=True)
    nationality = models.CharField(_("quốc tịch (mã ISO)"), max_length=2, default="VN")
    ethnicity = models.CharField(_("dân tộc"), max_length=64, blank=True)
    address = models.CharField(_("nơi cư trú"), max_length=500, blank=True)
    owner_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="registered_subjects",
        verbose_name=_("cơ quan lập hồ sơ"),
    )
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name = _("đối tượng")
        verbose_name_plural = _("đối tượng")

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("subjects:detail", args=[self.pk])

    @property
    def birth_display(self) -> str:
        """dd/mm/yyyy, mm/yyyy or yyyy, as much as is known."""
        if not self.birth_year:
            return ""
        if self.birth_month and self.birth_day:
            return f"{self.birth_day:02d}/{self.birth_month:02d}/{self.birth_year}"
        if self.birth_month:
            return f"{self.birth_month:02d}/{self.birth_year}"
        return str(self.birth_year)


class IdentityDocument(models.Model):
    """An identity document of a person."""

    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="documents", verbose_name=_("đối tượng")
    )
    kind = models.CharField(_("loại giấy tờ"), max_length=16, choices=DocumentKind.choices)
    number = models.CharField(_("số"), max_length=64)
    country = models.CharField(_("nước cấp"), max_length=2, default="VN")
    valid_until = models.DateField(_("có giá trị đến"), null=True, blank=True)

    class Meta:
        ordering = ["subject", "kind"]
        indexes = [models.Index(fields=["number"], name="identity_number_idx")]
        verbose_name = _("giấy tờ tùy thân")
        verbose_name_plural = _("giấy tờ tùy thân")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class DossierSubject(models.Model):
    """A person's place in a dossier."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="subject_links", verbose_name=_("hồ sơ")
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="dossier_links", verbose_name=_("đối tượng")
    )
    role = models.CharField(_("tư cách"), max_length=16, choices=SubjectRole.choices)

    class Meta:
        ordering = ["dossier", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "subject", "role"], name="dossier_subject_unique"
            )
        ]
        indexes = [models.Index(fields=["subject", "dossier"], name="link_subject_dossier_idx")]
        verbose_name = _("đối tượng trong hồ sơ")
        verbose_name_plural = _("đối tượng trong hồ sơ")

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_role_display()})"


class Verification(TimeStampedModel):
    """A request to another agency or the foreign side to verify a person, and its answer."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="verifications", verbose_name=_("hồ sơ")
    )
    # The dossier's category, copied when the request is made, as on Task: a review
    # counts a regulation's requests without joining the dossiers.
    category = models.ForeignKey(
        "regulations.Category", on_delete=models.PROTECT, related_name="+", editable=False
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="verifications", verbose_name=_("đối tượng")
    )
    requested_by = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan đề nghị")
    )
    requested_of = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan được đề nghị")
    )
    question = models.TextField(_("nội dung đề nghị xác minh"))
    requested_on = models.DateField(_("ngày đề nghị"))
    due_on = models.DateField(_("hạn trả lời"), null=True, blank=True)
    answered_on = models.DateField(_("ngày trả lời"), null=True, blank=True)
    outcome = models.CharField(
        _("kết quả"),
        max_length=16,
        choices=VerificationOutcome.choices,
        default=VerificationOutcome.PENDING,
    )
    answer = models.TextField(_("nội dung trả lời"), blank=True)

    class Meta:
        ordering = ["-requested_on", "-id"]
        indexes = [
            models.Index(fields=["outcome", "answered_on"], name="verif_outcome_answered_idx"),
            # A review's counts: requests answered, and requests due, in a period.
            models.Index(
                fields=["category", "answered_on"],
                include=["outcome", "subject", "due_on", "requested_of"],
                name="verif_category_answered_idx",
            ),
            models.Index(
                fields=["category", "due_on"],
                include=["answered_on"],
                name="verif_category_due_idx",
            ),
        ]
        verbose_name = _("yêu cầu xác minh")
        verbose_name_plural = _("yêu cầu xác minh")

    def __str__(self) -> str:
        return f"{self.subject} → {self.requested_of.short_name} ({self.requested_on:%d/%m/%Y})"

    def save(self, *args, **kwargs):
        if self.category_id is None and self.dossier_id is not None:
            self.category_id = self.dossier.category_id
        super().save(*args, **kwargs)


class SubjectAccess(models.Model):
    """One look at a person's data: who, when, from where, how and why.

    Each record is also an event in the audit chain (`event`), so a deleted or
    edited record is detectable against the chain.
    """

    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="accesses", verbose_name=_("đối tượng")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="subject_accesses",
        verbose_name=_("người truy cập"),
    )
    at = models.DateTimeField(_("thời điểm"), db_index=True)
    ip = models.CharField(_("địa chỉ IP"), max_length=45, blank=True)
    request_id = models.CharField(_("mã yêu cầu"), max_length=64, blank=True)
    kind = models.CharField(_("hình thức"), max_length=8, choices=AccessKind.choices)
    purpose = models.CharField(_("mục đích"), max_length=16, choices=AccessPurpose.choices)
    note = models.CharField(_("ghi rõ mục đích"), max_length=255, blank=True)
    event = models.ForeignKey(
        "audit.AuditEvent",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("sự kiện nhật ký"),
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["subject", "-at"], name="subject_access_subject_idx"),
            models.Index(fields=["user", "-at"], name="subject_access_user_idx"),
        ]
        verbose_name = _("lượt truy cập dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký truy cập dữ liệu cá nhân")

    def __str__(self) -> str:
        return f"{self.user} → {self.subject_id} ({self.kind}, {self.purpose})"


class SubjectNameKey(models.Model):
    """A search key derived from a person's names, birth year or documents (subjects.matching)."""

    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="name_keys", verbose_name=_("đối tượng")
    )
    kind = models.CharField(_("loại khóa"), max_length=16)
    key = models.CharField(_("khóa"), max_length=255)

    class Meta:
        # Covering: a lookup by (kind, key) reads the person's id from the index alone.
        indexes = [models.Index(fields=["kind", "key", "subject"], name="subject_name_key_idx")]
        verbose_name = _("khóa tìm kiếm đối tượng")
        verbose_name_plural = _("khóa tìm kiếm đối tượng")

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"
