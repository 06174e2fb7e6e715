"""What the demo's 2011 regulation changes in the 2008 one, written for this project.

At the review conference of 02/12/2011 the two directors signed a new version of the
regulation. Its changes come from the units' proposals in the review (each accepted by
the secretariat, which makes it an amendment of its clause) and from the secretariat's
own drafting. Agencies are named by role, as in `regulation_2008`: "CA" (Công an tỉnh)
and "NV" (Sở Ngoại vụ).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from phoihop.demo import regulation_2008 as previous

CODE = "QCPH-2011"
NUMBER_SYMBOL = "02/QCPH-CAT-SNgV"
TITLE = previous.TITLE
SIGNED_ON = dt.date(2011, 12, 2)
EFFECTIVE_FROM = SIGNED_ON  # "có hiệu lực kể từ ngày ký"; QCPH-2008 ends the day before
PLACE = "Hà Giang"

# The heads sign at the conference, one after the other: (username, local time).
_VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
SIGNATURES = [
    ("ca.lanhdao", dt.datetime(2011, 12, 2, 10, 30, tzinfo=_VIETNAM)),
    ("sngv.lanhdao", dt.datetime(2011, 12, 2, 10, 35, tzinfo=_VIETNAM)),
]

# The units' proposals in the review, each the new wording of a clause of QCPH-2008:
# (unit code, article, clause, text). Points, one a line, replace the clause's points.
PROPOSALS = [
    (
        "canh-sat-hinh-su",
        7,
        2,
        "Khi cần xác minh nhân thân, lý lịch của đối tượng với phía nước ngoài, Công an tỉnh "
        "chủ trì lập yêu cầu trong thời hạn 05 ngày làm việc; Sở Ngoại vụ chuyển yêu cầu theo "
        "kênh đối ngoại trong thời hạn 03 ngày làm việc, theo dõi và thông báo ngay kết quả "
        "trả lời cho Công an tỉnh.",
    ),
    (
        "lanh-su",
        7,
        1,
        "Hai cơ quan thường xuyên trao đổi thông tin về người nước ngoài cư trú, hoạt động "
        "trên địa bàn và công dân Việt Nam có dấu hiệu vi phạm pháp luật liên quan đến yếu tố "
        "nước ngoài. Khi trao đổi:\n"
        "a) họ tên người Trung Quốc ghi đủ bằng chữ Hán, phiên âm La-tinh và âm Hán Việt;\n"
        "b) địa danh phía Trung Quốc ghi theo tên chính thức, kèm chữ Hán.",
    ),
    (
        "lanh-su",
        10,
        1,
        "Phòng Tham mưu Công an tỉnh và Văn phòng Sở Ngoại vụ là đầu mối tiếp nhận, phân loại "
        "và chuyển yêu cầu phối hợp đến đơn vị chức năng; mỗi đầu mối cử cán bộ thường trực, "
        "thông báo họ tên, số điện thoại liên hệ cho bên kia và cập nhật ngay khi có thay đổi.",
    ),
]

# The secretariat's own drafting of the new version: (article, clause, text or None to
# keep it, responsibilities or None to keep them). The verification deadlines follow the
# accepted proposal on Article 7, clause 2.
EDITS = [
    (
        7,
        2,
        None,
        [
            {
                "agency": "CA",
                "role": "lead",
                "response_days": 5,
                "task_title": "Lập yêu cầu xác minh",
            },
            {
                "agency": "NV",
                "role": "support",
                "response_days": 3,
                "task_title": "Chuyển yêu cầu, theo dõi và thông báo kết quả",
            },
        ],
    ),
    (
        18,
        1,
        "Quy chế có hiệu lực kể từ ngày ký và thay thế Quy chế phối hợp số 01/QCPH-CAT-SNgV "
        "ngày 02 tháng 12 năm 2008 giữa Công an tỉnh và Sở Ngoại vụ tỉnh Hà Giang.",
        None,
    ),
]
