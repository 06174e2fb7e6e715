from django.db import models
from django.utils.translation import gettext_lazy as _


class RegulationStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    IN_FORCE = "in_force", _("Đang có hiệu lực")
    SUPERSEDED = "superseded", _("Đã được thay thế")


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
