from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    INCOMING = "incoming", _("Đoàn nước ngoài vào tỉnh")
    OUTGOING = "outgoing", _("Đoàn của tỉnh đi nước ngoài")
    EVENT = "event", _("Hội nghị, sự kiện quốc tế")
    NGO = "ngo", _("Hoạt động của tổ chức phi chính phủ nước ngoài")
    PRESS = "press", _("Hoạt động báo chí nước ngoài")
    BORDER_VISIT = "border_visit", _("Người nước ngoài vào khu vực biên giới")


class ActivityStatus(models.TextChoices):
    # Registered by the Department of Foreign Affairs, not yet sent to the Police.
    REGISTERED = "registered", _("Đã đăng ký")
    # The Police notified: vetting of the members and the security assessment.
    VETTING = "vetting", _("Đang thẩm tra")
    # The Police's written opinion sent back (agree / with conditions / do not agree).
    ANSWERED = "answered", _("Đã có ý kiến")
    # After-action report recorded: nothing more may change.
    CLOSED = "closed", _("Đã kết thúc")
    CANCELLED = "cancelled", _("Đã hủy")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Thấp")
    MEDIUM = "medium", _("Trung bình")
    HIGH = "high", _("Cao")


class Opinion(models.TextChoices):
    AGREE = "agree", _("Đồng ý")
    CONDITIONS = "conditions", _("Đồng ý, kèm điều kiện")
    DISAGREE = "disagree", _("Không đồng ý")


class VettingResult(models.TextChoices):
    PENDING = "pending", _("Chưa thẩm tra")
    CLEARED = "cleared", _("Không có vấn đề")
    ATTENTION = "attention", _("Cần lưu ý")


class MemberRole(models.TextChoices):
    HEAD = "head", _("Trưởng đoàn")
    DEPUTY = "deputy", _("Phó đoàn")
    MEMBER = "member", _("Thành viên")
    INTERPRETER = "interpreter", _("Phiên dịch")
    JOURNALIST = "journalist", _("Phóng viên")
    ESCORT = "escort", _("Cán bộ tháp tùng, đón tiếp")


class MeasureKind(models.TextChoices):
    ESCORT = "escort", _("Dẫn đường, bảo vệ đoàn")
    VENUE = "venue", _("Kiểm tra, bảo vệ nơi làm việc, lưu trú")
    TRAFFIC = "traffic", _("Bảo đảm giao thông")
    LIAISON = "liaison", _("Cán bộ liên lạc")
    OTHER = "other", _("Biện pháp khác")
