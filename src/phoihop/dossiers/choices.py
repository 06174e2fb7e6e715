from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierStatus(models.TextChoices):
    OPENED = "opened", _("Mới mở")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    AWAITING_COUNTERPART = "awaiting_counterpart", _("Chờ phía đối tác trả lời")
    RESOLVED = "resolved", _("Đã giải quyết, làm rõ")
    CLOSED_NO_RESULT = "closed_no_result", _("Đóng, không có kết quả")


OPEN_STATUSES = frozenset(
    {DossierStatus.OPENED, DossierStatus.IN_PROGRESS, DossierStatus.AWAITING_COUNTERPART}
)
CLOSED_STATUSES = frozenset({DossierStatus.RESOLVED, DossierStatus.CLOSED_NO_RESULT})

# The workflow: from each status, where a dossier may go next.
TRANSITIONS: dict[str, frozenset[str]] = {
    DossierStatus.OPENED: frozenset({DossierStatus.IN_PROGRESS, DossierStatus.CLOSED_NO_RESULT}),
    DossierStatus.IN_PROGRESS: frozenset(
        {DossierStatus.AWAITING_COUNTERPART, DossierStatus.RESOLVED, DossierStatus.CLOSED_NO_RESULT}
    ),
    DossierStatus.AWAITING_COUNTERPART: frozenset(
        {DossierStatus.IN_PROGRESS, DossierStatus.RESOLVED, DossierStatus.CLOSED_NO_RESULT}
    ),
    DossierStatus.RESOLVED: frozenset(),
    DossierStatus.CLOSED_NO_RESULT: frozenset(),
}


class PartyRole(models.TextChoices):
    LEAD = "lead", _("Chủ trì")
    SUPPORT = "support", _("Phối hợp")


class MessageDirection(models.TextChoices):
    OUTGOING = "out", _("Công văn đi")
    INCOMING = "in", _("Công văn đến")


class TimelineKind(models.TextChoices):
    OPENED = "opened", _("Mở hồ sơ")
    UPDATED = "updated", _("Cập nhật")
    STATUS = "status", _("Chuyển trạng thái")
    TASK = "task", _("Nhiệm vụ")
    MESSAGE = "message", _("Công văn")
    SUBJECT = "subject", _("Đối tượng")
    VERIFICATION = "verification", _("Xác minh")


class CopyKind(models.TextChoices):
    """What leaves the system as a copy: a print of the file, or a downloaded document."""

    PRINT = "print", _("In hồ sơ")
    EXPORT = "export", _("Tải, xuất tài liệu")


class CopyRequestStatus(models.TextChoices):
    PENDING = "pending", _("Chờ duyệt")
    APPROVED = "approved", _("Đã duyệt")
    REFUSED = "refused", _("Không duyệt")
    USED = "used", _("Đã sử dụng hết")
