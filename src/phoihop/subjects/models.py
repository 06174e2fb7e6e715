import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phoihop.accounts.models import Agency
from phoihop.core.models import TimeStampedModel
from phoihop.dossiers.models import Dossier
from phoihop.subjects.choices import (
    AccessKind,
    AccessPurpose,
    AddressKind,
    DocumentKind,
    ImportLevel,
    ImportResolution,
    ImportStatus,
    Sex,
    SubjectRole,
    VerificationOutcome,
    VerificationState,
)


def photo_path(instance, filename: str) -> str:
    """A random name: the uploaded file's name is neither trusted nor kept."""
    return f"subjects/photos/{uuid.uuid4().hex}"


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
    # Whether an officer checked the Hán-Việt reading and pinyin, or they were only derived
    # from the Hán tự (names.py): identity never rests on a derived reading alone.
    readings_confirmed = models.BooleanField(_("cán bộ đã xác nhận cách đọc"), default=False)
    # Served only through the policy (views.SubjectPhotoView), never from a public media URL.
    photo = models.FileField(_("ảnh"), upload_to=photo_path, blank=True)
    photo_content_type = models.CharField(max_length=32, blank=True, editable=False)
    # A duplicate merged into another record stays, pointing to the one kept (merge.py).
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
        verbose_name=_("đã gộp vào"),
        editable=False,
    )
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
    # The dispatch that carried the request; empty only on requests recorded before it
    # was kept (data from before the exchange was tracked).
    message = models.ForeignKey(
        "dossiers.Message",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verifications",
        verbose_name=_("công văn đề nghị"),
    )
    # What left the agency about the person, as sent: [{"field", "label", "value"}, …]
    # in the order chosen; later edits of the person do not change it.
    data_sent = models.JSONField(_("thông tin đã gửi"), default=list, blank=True)
    question = models.TextField(_("nội dung đề nghị xác minh"))
    requested_on = models.DateField(_("ngày đề nghị"))
    due_on = models.DateField(_("hạn trả lời"), null=True, blank=True)
    state = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=VerificationState.choices,
        default=VerificationState.SENT,
    )
    answered_on = models.DateField(_("ngày trả lời"), null=True, blank=True)
    outcome = models.CharField(
        _("kết quả"), max_length=16, choices=VerificationOutcome.choices, blank=True, default=""
    )
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    answer_message = models.ForeignKey(
        "dossiers.Message",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answered_verifications",
        verbose_name=_("công văn trả lời"),
    )
    closed_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)

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
                include=["answered_on", "outcome"],
                name="verif_category_due_v2_idx",
            ),
            # The dashboards: open requests of an agency, asked or asking, by due date.
            models.Index(fields=["requested_of", "state", "due_on"], name="verif_asked_open_idx"),
            models.Index(fields=["requested_by", "state", "due_on"], name="verif_asking_open_idx"),
        ]
        verbose_name = _("yêu cầu xác minh")
        verbose_name_plural = _("yêu cầu xác minh")

    def __str__(self) -> str:
        return f"{self.subject} → {self.requested_of.short_name} ({self.requested_on:%d/%m/%Y})"

    def save(self, *args, **kwargs):
        if self.category_id is None and self.dossier_id is not None:
            self.category_id = self.dossier.category_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("subjects:verification-detail", args=[self.pk])

    @property
    def overdue(self) -> bool:
        """Sent, not answered, and read after its due date: judged on reading, no scheduler."""
        return (
            self.state == VerificationState.SENT
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )


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


class SubjectAddress(models.Model):
    """One address of a person: permanent, temporary, current or abroad."""

    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("đối tượng")
    )
    kind = models.CharField(
        _("loại địa chỉ"), max_length=16, choices=AddressKind.choices, default=AddressKind.RESIDENCE
    )
    text = models.CharField(_("địa chỉ"), max_length=500)
    country = models.CharField(_("quốc gia"), max_length=2, default="VN")

    class Meta:
        ordering = ["subject", "id"]
        verbose_name = _("địa chỉ")
        verbose_name_plural = _("địa chỉ")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text}"


class SubjectMerge(models.Model):
    """Two records of one person merged: what moved from `merged` to `kept`, to undo it exactly."""

    kept = models.ForeignKey(
        Subject,
        on_delete=models.PROTECT,
        related_name="merges_kept",
        verbose_name=_("hồ sơ giữ lại"),
    )
    merged = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="merges_merged", verbose_name=_("hồ sơ gộp")
    )
    reason = models.CharField(_("lý do gộp"), max_length=500)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("người gộp"),
    )
    merged_at = models.DateTimeField(_("thời điểm gộp"))
    # Ids of the rows moved or removed, and the kept record's aliases before and after.
    moved = models.JSONField(_("nội dung đã chuyển"), default=dict)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người hoàn tác"),
    )
    undone_at = models.DateTimeField(_("thời điểm hoàn tác"), null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        verbose_name = _("lần gộp hồ sơ đối tượng")
        verbose_name_plural = _("các lần gộp hồ sơ đối tượng")

    def __str__(self) -> str:
        return f"#{self.merged_id} → #{self.kept_id}"

    def get_absolute_url(self) -> str:
        return reverse("subjects:merge-detail", args=[self.pk])

    @property
    def audit_scope(self) -> tuple[str, int]:
        return "subjects.subject", self.kept_id


class ImportJob(TimeStampedModel):
    """A file of persons being imported: checked (dry run), then committed by a worker."""

    file = models.FileField(_("tệp"), upload_to="imports/%Y/%m/")
    filename = models.CharField(_("tên tệp"), max_length=255)
    headers = models.JSONField(_("dòng tiêu đề"), default=list)
    # {template column: index of the file's column}
    mapping = models.JSONField(_("ghép cột"), default=dict)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    row_count = models.PositiveIntegerField(_("số dòng"), default=0)
    error_count = models.PositiveIntegerField(_("số lỗi"), default=0)
    warning_count = models.PositiveIntegerField(_("số cảnh báo"), default=0)
    created_count = models.PositiveIntegerField(_("số người tạo mới"), default=0)
    linked_count = models.PositiveIntegerField(_("số dòng là người đã có"), default=0)
    message = models.TextField(_("thông báo"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nhập"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan lập hồ sơ")
    )
    task_id = models.CharField(_("mã tác vụ"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("bắt đầu ghi"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lần nhập đối tượng")
        verbose_name_plural = _("các lần nhập đối tượng")

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("subjects:import-detail", args=[self.pk])


class ImportRow(models.Model):
    """One checked row of an import, as the service arguments it will be created from."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    row = models.PositiveIntegerField(_("dòng"))
    fields = models.JSONField(_("dữ liệu"), default=dict)

    class Meta:
        ordering = ["job", "row"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row"], name="import_row_unique"),
        ]
        verbose_name = _("dòng nhập")
        verbose_name_plural = _("dòng nhập")

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row}"


class ImportRowKey(models.Model):
    """A strong key of a checked row (name form, Hán tự, document), to find repeats in the file."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="+")
    row = models.PositiveIntegerField()
    kind = models.CharField(max_length=16)
    key = models.CharField(max_length=255)
    birth_year = models.PositiveSmallIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["job", "kind", "key", "row"], name="import_row_key_idx")]
        verbose_name = _("khóa dòng nhập")
        verbose_name_plural = _("khóa dòng nhập")

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class ImportProblem(models.Model):
    """An error (blocks the commit) or a warning (the officer resolves it) on a row of an import."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="problems")
    row = models.PositiveIntegerField(_("dòng"))  # 0: the file as a whole
    column = models.CharField(_("cột"), max_length=255, blank=True)
    level = models.CharField(_("mức"), max_length=8, choices=ImportLevel.choices)
    message = models.TextField(_("nội dung"))
    # Persons on record this row may be (warnings), best first; and earlier rows of the file.
    candidates = models.JSONField(_("người có thể trùng"), default=list)
    same_rows = models.JSONField(_("dòng có thể trùng"), default=list)
    resolution = models.CharField(
        _("xử lý"),
        max_length=8,
        choices=ImportResolution.choices,
        default=ImportResolution.PENDING,
        blank=True,
    )
    linked_subject = models.ForeignKey(
        Subject,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("là người đã có"),
    )
    linked_row = models.PositiveIntegerField(_("là người ở dòng"), null=True, blank=True)

    class Meta:
        ordering = ["job", "row", "level", "id"]
        indexes = [models.Index(fields=["job", "level", "row"], name="import_problem_idx")]
        verbose_name = _("vấn đề khi nhập")
        verbose_name_plural = _("vấn đề khi nhập")

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row} {self.level}"
