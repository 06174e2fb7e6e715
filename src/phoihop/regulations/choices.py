from django.db import models
from django.utils.translation import gettext_lazy as _


class RegulationStatus(models.TextChoices):
    """Where a version is in its making. Whether a signed version is in force on a day
    follows from its dates (see `Regulation.state_on`), not from this field."""

    DRAFT = "draft", _("Dự thảo")
    FINAL = "final", _("Đã chốt văn bản, đang ký")
    SIGNED = "signed", _("Đã ký")


class RegulationState(models.TextChoices):
    """A version's standing on a given day, as shown to users."""

    DRAFT = "draft", _("Dự thảo")
    SIGNING = "signing", _("Đang ký")
    PENDING = "pending", _("Đã ký, chưa đến ngày hiệu lực")
    IN_FORCE = "in_force", _("Đang có hiệu lực")
    SUPERSEDED = "superseded", _("Đã được thay thế")
    EXPIRED = "expired", _("Hết hiệu lực")


class AmendmentOrigin(models.TextChoices):
    REVIEW = "review", _("Từ đợt sơ kết, tổng kết")
    UNIT = "unit", _("Đơn vị đề xuất")
    LEADER = "leader", _("Lãnh đạo đề xuất")


class AmendmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Đề xuất")
    ACCEPTED = "accepted", _("Chấp nhận")
    REJECTED = "rejected", _("Không chấp nhận")
    MERGED = "merged", _("Đã đưa vào phiên bản mới")


class ResponsibilityRole(models.TextChoices):
    LEAD = "lead", _("Chủ trì")
    SUPPORT = "support", _("Phối hợp")


class CategoryKind(models.TextChoices):
    """What a category of coordination is, for the statistics that count it."""

    JOINT_CRIMINAL = "joint_criminal", _("Vụ án hình sự phối hợp với công an nước ngoài")
    BORDER_INCIDENT = "border_incident", _("Vụ việc an ninh, trật tự tuyến biên giới")
    VERIFICATION = "verification", _("Trao đổi, xác minh đối tượng")
    DELEGATION_SECURITY = "delegation_security", _("Bảo đảm an ninh đoàn nước ngoài")
    CONSULAR = "consular", _("Vụ việc liên quan đến người nước ngoài (lãnh sự)")
    OTHER = "other", _("Khác")
