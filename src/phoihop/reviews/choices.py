from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewKind(models.TextChoices):
    INTERIM = "so_ket", _("Sơ kết")
    FINAL = "tong_ket", _("Tổng kết")


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Đang thực hiện")
    CLOSED = "closed", _("Đã kết thúc")


# The headline figures a review shows, compares with the previous one and audits on recompute.
HEADLINE_KEYS = (
    "joint_criminal_cases_cleared",
    "border_incidents_resolved",
    "subjects_verified",
    "dossiers_opened",
    "dossiers_resolved",
    "dossiers_closed_no_result",
    "dossiers_open_at_end",
    "verifications_answered",
    "verifications_clarified",
)

# How the page and the report name them.
HEADLINE_LABELS = {
    "joint_criminal_cases_cleared": _("Vụ án hình sự phối hợp đã làm rõ"),
    "border_incidents_resolved": _("Vụ việc biên giới đã giải quyết"),
    "subjects_verified": _("Đối tượng đã trao đổi, xác minh làm rõ"),
    "dossiers_opened": _("Hồ sơ mở trong kỳ"),
    "dossiers_resolved": _("Hồ sơ đã giải quyết"),
    "dossiers_closed_no_result": _("Hồ sơ đóng, không có kết quả"),
    "dossiers_open_at_end": _("Hồ sơ còn mở cuối kỳ"),
    "verifications_answered": _("Yêu cầu xác minh đã được trả lời"),
    "verifications_clarified": _("Yêu cầu xác minh đã làm rõ"),
}


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    SUBMITTED = "submitted", _("Đã gửi")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Đề xuất")
    ACCEPTED = "accepted", _("Được chấp nhận")
    REJECTED = "rejected", _("Không chấp nhận")
