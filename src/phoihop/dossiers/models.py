from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phoihop.accounts.models import Agency, Unit
from phoihop.core.choices import Classification
from phoihop.core.models import TimeStampedModel
from phoihop.dossiers.choices import (
    CLOSED_STATUSES,
    CopyKind,
    CopyRequestStatus,
    DossierStatus,
    MessageDirection,
    PartyRole,
    TimelineKind,
)
from phoihop.regulations.models import Category, Clause, CrimeType, Responsibility


class Dossier(TimeStampedModel):
    """One piece of coordinated work (hồ sơ phối hợp) opened under a clause."""

    reference = models.CharField(_("số hồ sơ"), max_length=32, unique=True)
    title = models.CharField(_("tên hồ sơ"), max_length=255)
    summary = models.TextField(_("tóm tắt"), blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("lĩnh vực")
    )
    clause = models.ForeignKey(
        Clause, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("khoản")
    )
    crime_type = models.ForeignKey(
        CrimeType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
        verbose_name=_("tội danh"),
    )
    lead_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="led_dossiers",
        verbose_name=_("cơ quan chủ trì"),
    )
    counterpart = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="counterpart_dossiers",
        verbose_name=_("đối tác nước ngoài"),
    )
    classification = models.PositiveSmallIntegerField(
        _("độ mật"), choices=Classification.choices, default=Classification.THUONG
    )
    status = models.CharField(
        _("trạng thái"), max_length=24, choices=DossierStatus.choices, default=DossierStatus.OPENED
    )
    opened_on = models.DateField(_("ngày mở"))
    resolved_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    outcome = models.TextField(_("kết quả"), blank=True)
    named_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="named_dossiers",
        verbose_name=_("người được tiếp cận (Tuyệt mật)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tạo"),
    )
    # Handling restrictions (state-secret rules): enforced by dossiers.handling.
    no_third_party = models.BooleanField(_("không sao gửi cho bên thứ ba"), default=False)
    no_export = models.BooleanField(
        _("không xuất, tải khi chưa được lãnh đạo duyệt"), default=False
    )
    print_needs_approval = models.BooleanField(_("in phải được lãnh đạo duyệt"), default=False)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["status", "resolved_on"], name="dossier_status_resolved_idx"),
            models.Index(fields=["category", "status", "resolved_on"], name="dossier_cat_stat_idx"),
            models.Index(fields=["-opened_on", "-id"], name="dossier_opened_idx"),
            # The list's sorts and its status filter, read in index order up to the page's
            # LIMIT (backwards for the descending sorts) instead of sorting every row. No
            # index on classification: four values, and the policy's `<= clearance` keeps
            # most rows; SQLite, which keeps no statistics, would read through it anyway.
            models.Index(fields=["status", "-opened_on", "-id"], name="dossier_status_opened_idx"),
            models.Index(fields=["resolved_on", "id"], name="dossier_resolved_idx"),
            # A review's statistics read the dossiers of a period from these two alone
            # (index-only scans on PostgreSQL; SQLite keeps the key columns).
            models.Index(
                fields=["resolved_on"],
                include=["category", "status", "crime_type", "lead_agency", "counterpart"],
                name="dossier_ended_cover_idx",
            ),
            models.Index(
                fields=["opened_on"],
                include=["category", "resolved_on"],
                name="dossier_opened_cover_idx",
            ),
            models.Index(fields=["title", "id"], name="dossier_title_idx"),
        ]
        verbose_name = _("hồ sơ phối hợp")
        verbose_name_plural = _("hồ sơ phối hợp")

    def __str__(self) -> str:
        return f"{self.reference} – {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("dossiers:detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class DossierParty(models.Model):
    """An agency taking part in a dossier: the lead, or a supporting agency."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="parties", verbose_name=_("hồ sơ")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="dossier_parties", verbose_name=_("cơ quan")
    )
    role = models.CharField(_("vai trò"), max_length=8, choices=PartyRole.choices)

    class Meta:
        ordering = ["dossier", "role"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "agency"], name="dossier_party_unique")
        ]
        indexes = [models.Index(fields=["agency", "dossier"], name="party_agency_dossier_idx")]
        verbose_name = _("bên tham gia")
        verbose_name_plural = _("bên tham gia")

    def __str__(self) -> str:
        return f"{self.agency.short_name} ({self.get_role_display()})"


class Task(TimeStampedModel):
    """Work owed by a unit under a dossier, due by the clause's deadline."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("hồ sơ")
    )
    # The dossier's category, copied when the task is made (a dossier's category never
    # changes): a review counts the tasks of a regulation's dossiers from one index,
    # without joining a million dossiers.
    category = models.ForeignKey(
        "regulations.Category", on_delete=models.PROTECT, related_name="+", editable=False
    )
    title = models.CharField(_("nhiệm vụ"), max_length=255)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("cơ quan thực hiện")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("đơn vị thực hiện"),
    )
    responsibility = models.ForeignKey(
        Responsibility,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("trách nhiệm theo quy chế"),
    )
    due_on = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    done_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["agency", "done_on", "due_on"], name="task_open_due_idx"),
            # Timeliness in a review: the tasks due in a period, index only (PostgreSQL).
            models.Index(
                fields=["category", "due_on"], include=["done_on"], name="task_category_due_idx"
            ),
        ]
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.category_id is None and self.dossier_id is not None:
            self.category_id = self.dossier.category_id
        super().save(*args, **kwargs)


class Message(TimeStampedModel):
    """Official correspondence (công văn) in or out, numbered and dated."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="messages", verbose_name=_("hồ sơ")
    )
    direction = models.CharField(_("chiều"), max_length=3, choices=MessageDirection.choices)
    number_symbol = models.CharField(_("số, ký hiệu"), max_length=64)
    sent_on = models.DateField(_("ngày văn bản"))
    sender = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="sent_messages", verbose_name=_("nơi gửi")
    )
    recipient = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="received_messages",
        verbose_name=_("nơi nhận"),
    )
    summary = models.TextField(_("trích yếu"))
    classification = models.PositiveSmallIntegerField(
        _("độ mật"), choices=Classification.choices, default=Classification.THUONG
    )
    # Handling restrictions (state-secret rules): enforced by dossiers.handling.
    no_third_party = models.BooleanField(_("không sao gửi cho bên thứ ba"), default=False)
    no_export = models.BooleanField(
        _("không xuất, tải khi chưa được lãnh đạo duyệt"), default=False
    )
    print_needs_approval = models.BooleanField(_("in phải được lãnh đạo duyệt"), default=False)

    class Meta:
        ordering = ["sent_on", "id"]
        verbose_name = _("công văn")
        verbose_name_plural = _("công văn")

    def __str__(self) -> str:
        return f"{self.number_symbol} ({self.sent_on:%d/%m/%Y})"


class Attachment(TimeStampedModel):
    """A file attached to a message, stored outside the web root."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("công văn")
    )
    file = models.FileField(_("tệp"), upload_to="attachments/%Y/%m/")
    name = models.CharField(_("tên tệp"), max_length=255)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    content_type = models.CharField(_("kiểu nội dung"), max_length=128)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")

    def __str__(self) -> str:
        return self.name

    @property
    def audit_scope(self) -> tuple[str, int]:
        return "dossiers.dossier", self.message.dossier_id


class TimelineEvent(models.Model):
    """A line in a dossier's history as its users read it."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="timeline", verbose_name=_("hồ sơ")
    )
    at = models.DateTimeField(_("thời điểm"))
    on = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=16, choices=TimelineKind.choices)
    actor_label = models.CharField(_("người thực hiện"), max_length=150)
    text = models.CharField(_("nội dung"), max_length=500)
    # The level of what the line says (a letter's summary): read with the letter's rights.
    classification = models.PositiveSmallIntegerField(
        _("độ mật"), choices=Classification.choices, default=Classification.THUONG
    )

    class Meta:
        ordering = ["on", "at", "id"]
        verbose_name = _("diễn biến")
        verbose_name_plural = _("diễn biến")

    def __str__(self) -> str:
        return self.text


class CopyRequest(models.Model):
    """A request to print or export a restricted dossier or document, decided by a leader."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="copy_requests", verbose_name=_("hồ sơ")
    )
    message = models.ForeignKey(
        Message,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="copy_requests",
        verbose_name=_("công văn"),
    )
    kind = models.CharField(_("hình thức"), max_length=8, choices=CopyKind.choices)
    copies = models.PositiveSmallIntegerField(_("số bản"), default=1)
    used = models.PositiveSmallIntegerField(_("đã dùng"), default=0)
    reason = models.CharField(_("lý do, nơi nhận bản sao"), max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="copy_requests",
        verbose_name=_("người đề nghị"),
    )
    requested_at = models.DateTimeField(_("thời điểm đề nghị"))
    status = models.CharField(
        _("trạng thái"),
        max_length=8,
        choices=CopyRequestStatus.choices,
        default=CopyRequestStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người duyệt"),
    )
    decided_at = models.DateTimeField(_("thời điểm duyệt"), null=True, blank=True)
    decision_note = models.CharField(_("ý kiến lãnh đạo"), max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("đề nghị in, xuất")
        verbose_name_plural = _("đề nghị in, xuất")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dossier.reference} ({self.get_status_display()})"


class CopyRecord(models.Model):
    """A line of the register of copies (sổ quản lý bản sao): one print or export made."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="copy_records", verbose_name=_("hồ sơ")
    )
    message = models.ForeignKey(
        Message,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("công văn"),
    )
    attachment = models.ForeignKey(
        "Attachment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tệp đính kèm"),
    )
    kind = models.CharField(_("hình thức"), max_length=8, choices=CopyKind.choices)
    number = models.PositiveIntegerField(_("bản số"))
    classification = models.PositiveSmallIntegerField(_("độ mật"), choices=Classification.choices)
    request = models.ForeignKey(
        CopyRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("đề nghị in, xuất"),
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    made_at = models.DateTimeField(_("thời điểm"))
    ip = models.CharField(_("địa chỉ IP"), max_length=45, blank=True)

    class Meta:
        ordering = ["dossier", "number"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "number"], name="copy_record_number_unique")
        ]
        verbose_name = _("bản sao đã cấp")
        verbose_name_plural = _("sổ quản lý bản sao")

    def __str__(self) -> str:
        return f"{self.dossier_id} #{self.number}"
