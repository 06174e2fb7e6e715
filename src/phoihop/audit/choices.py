from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "dossier.open": _("Mở hồ sơ"),
    "dossier.update": _("Sửa hồ sơ"),
    "dossier.transition": _("Chuyển trạng thái hồ sơ"),
    "dossier.restrictions": _("Đặt hạn chế xử lý"),
    "task.add": _("Giao nhiệm vụ"),
    "task.complete": _("Hoàn thành nhiệm vụ"),
    "message.add": _("Ghi công văn"),
    "subject.create": _("Thêm đối tượng"),
    "subject.update": _("Sửa thông tin đối tượng"),
    "subject.link": _("Gắn đối tượng vào hồ sơ"),
    "subject.accessed": _("Xem dữ liệu cá nhân"),
    "verification.request": _("Đề nghị xác minh"),
    "verification.answer": _("Ghi kết quả xác minh"),
    "regulation.create": _("Tạo quy chế"),
    "category.create": _("Tạo loại việc"),
    "copy.request": _("Đề nghị xuất, in"),
    "copy.decide": _("Duyệt đề nghị xuất, in"),
    "copy.made": _("Xuất, in bản sao"),
    "demo.generate": _("Sinh dữ liệu"),
    "review.open": _("Mở đợt sơ kết, tổng kết"),
    "review.recompute": _("Tính lại số liệu sơ kết, tổng kết"),
    "review.close": _("Kết thúc đợt sơ kết, tổng kết"),
    "account.user_create": _("Tạo tài khoản"),
    "account.user_update": _("Sửa tài khoản"),
    "account.unlock": _("Mở khóa đăng nhập"),
    "account.two_factor_reset": _("Đặt lại xác thực hai lớp"),
    "account.two_factor_enrol": _("Thiết lập xác thực hai lớp"),
    "account.sessions_revoked": _("Đăng xuất khỏi mọi phiên"),
    "account.password_change": _("Đổi mật khẩu"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
