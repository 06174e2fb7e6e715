from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")
    UNKNOWN = "U", _("Chưa rõ")


class SubjectRole(models.TextChoices):
    SUSPECT = "suspect", _("Đối tượng nghi vấn")
    VICTIM = "victim", _("Bị hại")
    UNDER_VERIFICATION = "verification", _("Người cần xác minh")
    WITNESS = "witness", _("Người làm chứng")


class DocumentKind(models.TextChoices):
    CCCD = "cccd", _("Căn cước công dân")
    CMND = "cmnd", _("Chứng minh nhân dân")
    PASSPORT = "passport", _("Hộ chiếu")
    BORDER_PASS = "border_pass", _("Giấy thông hành biên giới")
    CN_ID = "cn_id", _("Thẻ căn cước Trung Quốc")
    OTHER = "other", _("Giấy tờ khác")


class VerificationOutcome(models.TextChoices):
    PENDING = "pending", _("Chờ trả lời")
    CLARIFIED = "clarified", _("Đã xác minh, làm rõ")
    UNRESOLVED = "unresolved", _("Chưa làm rõ được")


# Ethnic groups most present in Hà Giang's border districts; free text remains allowed.
ETHNICITIES = ["Kinh", "H'Mông", "Tày", "Dao", "Nùng", "Giáy", "Lô Lô", "Pu Péo", "Hoa"]


class AccessPurpose(models.TextChoices):
    """Why a user opens a person's file: asked before any personal data is shown."""

    CASEWORK = "casework", _("Giải quyết vụ việc, hồ sơ đang thụ lý")
    VERIFICATION = "verification", _("Xác minh theo đề nghị")
    COUNTERPART = "counterpart", _("Trả lời, trao đổi với phía nước ngoài")
    REVIEW = "review", _("Sơ kết, tổng kết, báo cáo")
    SUPERVISION = "supervision", _("Kiểm tra, giám sát nghiệp vụ")
    OTHER = "other", _("Mục đích khác (ghi rõ)")


class AccessKind(models.TextChoices):
    VIEW = "view", _("Xem")
    EXPORT = "export", _("Xuất dữ liệu")
    PRINT = "print", _("In")
