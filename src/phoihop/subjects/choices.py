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


class VerificationState(models.TextChoices):
    """Where a verification request stands.

    A request exists once its carrying dispatch does (it is drafted on the dispatch,
    not here), so it starts as sent. It ends either answered (an outcome from the
    answer) or closed by the requester as not answered in time. Being overdue is not a
    state: a sent request is overdue whenever it is read after its due date.
    """

    SENT = "sent", _("Đã gửi, chờ trả lời")
    ANSWERED = "answered", _("Đã có trả lời")
    CLOSED = "closed", _("Đã đóng, không được trả lời")


class AddressKind(models.TextChoices):
    RESIDENCE = "residence", _("Nơi cư trú")
    PERMANENT = "permanent", _("Nơi thường trú")
    TEMPORARY = "temporary", _("Nơi tạm trú")
    ABROAD = "abroad", _("Địa chỉ ở nước ngoài")
    OTHER = "other", _("Địa chỉ khác")


class VerificationOutcome(models.TextChoices):
    IDENTITY_CONFIRMED = "confirmed", _("Xác nhận đúng nhân thân")
    RECORD_FOUND = "record_found", _("Có hồ sơ, thông tin về người này")
    NO_RECORD = "no_record", _("Không có hồ sơ, thông tin về người này")
    NOT_ANSWERED = "not_answered", _("Không được trả lời đúng hạn")


# The outcomes an answer can carry; "not answered in time" is recorded by closing instead.
ANSWER_OUTCOMES = (
    VerificationOutcome.IDENTITY_CONFIRMED,
    VerificationOutcome.RECORD_FOUND,
    VerificationOutcome.NO_RECORD,
)
# A person counts as verified (review statistics) when an answer confirmed who they are
# or found their record.
VERIFIED_OUTCOMES = (VerificationOutcome.IDENTITY_CONFIRMED, VerificationOutcome.RECORD_FOUND)


class VerificationField(models.TextChoices):
    """A piece of a person's data the officer may choose to send with a request."""

    FULL_NAME = "full_name", _("Họ và tên")
    NATIVE_NAME = "native_name", _("Tên theo chữ gốc")
    LATIN_NAME = "latin_name", _("Tên Latin (hộ chiếu)")
    ALIASES = "aliases", _("Tên gọi khác")
    SEX = "sex", _("Giới tính")
    BIRTH = "birth", _("Ngày, tháng, năm sinh")
    BIRTH_PLACE = "birth_place", _("Nơi sinh")
    NATIONALITY = "nationality", _("Quốc tịch")
    ETHNICITY = "ethnicity", _("Dân tộc")
    ADDRESS = "address", _("Nơi cư trú")
    DOCUMENTS = "documents", _("Giấy tờ tùy thân")


# The person's data sent with a verification request unless the officer changes it.
DEFAULT_SENT_FIELDS = [
    VerificationField.FULL_NAME,
    VerificationField.NATIVE_NAME,
    VerificationField.LATIN_NAME,
    VerificationField.SEX,
    VerificationField.BIRTH,
    VerificationField.NATIONALITY,
    VerificationField.DOCUMENTS,
]


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


class ImportStatus(models.TextChoices):
    """Where a person import stands: uploaded → checked → queued → running → done/failed."""

    UPLOADED = "uploaded", _("Đã tải lên, chờ ghép cột")
    CHECKED = "checked", _("Đã kiểm tra")
    QUEUED = "queued", _("Đang chờ ghi")
    RUNNING = "running", _("Đang ghi")
    DONE = "done", _("Đã ghi xong")
    FAILED = "failed", _("Không ghi được")


class ImportLevel(models.TextChoices):
    ERROR = "error", _("Lỗi")
    WARNING = "warning", _("Cảnh báo")


class ImportResolution(models.TextChoices):
    """What the officer decided on a warning: the row is that known person, or a new one."""

    PENDING = "", _("Chưa xử lý")
    LINK = "link", _("Là người đã có (không tạo mới)")
    ACCEPT = "accept", _("Vẫn tạo người mới")
