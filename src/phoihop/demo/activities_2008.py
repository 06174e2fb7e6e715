"""Foreign-affairs activities of the Hà Giang demo, 2008–2011 (and two current ones).

Written by hand, not drawn from the scenario's random generator, so every other
date and figure of the demo stays as it was. Every activity goes through the
activities services as the system actor, with its dates in the past: the
Department of Foreign Affairs registers it and notifies the Police, the members
are checked against the person registry, the Police's Phòng An ninh đối ngoại
assesses it, assigns its units and sends its opinion back as a numbered dispatch,
the Department records the briefing of outgoing delegations and the after-action
report.

What the review of 02/12/2008–02/12/2011 finds here: 4 incoming delegations
secured (the border meeting of October 2008 is before the period), 3 delegations
of the province to Yunnan, 4 international events (the trade fair, a foreign NGO's
project visit, foreign reporters and foreign visitors in the border area; the
NGO's survey of March 2011 was cancelled and does not count), and 1 incident
during an activity. The incident's border dossier is resolved after the period,
and no person created here has a verification answered: the review's 21 / 76 /
166 do not move.

Two members need attention: a member of the Honghe delegation who is, by the
registry's matching, a person of a border-incident dossier, and a trader at the
2011 fair who is a person with a verification request still unanswered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from phoihop.accounts.models import Agency, Unit
from phoihop.activities import services as activity_services
from phoihop.activities.choices import (
    ActivityKind,
    MeasureKind,
    MemberRole,
    Opinion,
    RiskLevel,
)
from phoihop.activities.models import Activity
from phoihop.core.choices import Classification
from phoihop.core.policy import SYSTEM
from phoihop.dossiers import services as dossier_services
from phoihop.dossiers.choices import DossierStatus, MessageDirection
from phoihop.regulations.choices import CategoryKind
from phoihop.subjects import services as subject_services
from phoihop.subjects.choices import (
    DocumentKind,
    Sex,
    SubjectRole,
    VerificationState,
)
from phoihop.subjects.models import DossierSubject, Subject, Verification
from phoihop.subjects.names import han_viet_of

D = dt.date
M, F = Sex.MALE, Sex.FEMALE

# The gate the Yunnan delegations come through (Thiên Bảo, 天保, on the Chinese side).
GATE = "Cửa khẩu quốc tế Thanh Thủy"

# -- the persons of the registry the activities name ------------------------------------------
# Chinese: Hán tự, sex, birth date, birth place, passport (SE: service, E: ordinary).
CHINESE = {
    "doan-chinh-hoanh": ("段正宏", M, D(1961, 5, 12), "Văn Sơn, Vân Nam", "SE0417352"),
    "thi-minh-hoa": ("施明华", M, D(1966, 9, 3), "Khâu Bắc, Vân Nam", "SE0417361"),
    "long-tuyet-mai": ("龙雪梅", F, D(1982, 2, 17), "Văn Sơn, Vân Nam", "SE0417388"),
    "dang-chi-cuong": ("邓志强", M, D(1963, 11, 25), "Nghiễm Sơn, Vân Nam", "SE0392214"),
    "hau-ve-dong": ("侯卫东", M, D(1968, 7, 8), "Ma Lật Pha, Vân Nam", "SE0392230"),
    "mac-hai-yen": ("莫海燕", F, D(1979, 4, 30), "Phú Ninh, Vân Nam", "SE0392247"),
    "vi-duc-ban": ("韦德斌", M, D(1975, 1, 19), "Quảng Nam, Vân Nam", "SE0528816"),
    "pho-quoc-binh": ("普国平", M, D(1960, 8, 21), "Mông Tự, Vân Nam", "SE0455102"),
    "tien-hieu-dong": ("钱晓东", M, D(1970, 12, 2), "Cá Cựu, Vân Nam", "SE0455127"),
    "tuong-nha-cam": ("蒋雅琴", F, D(1984, 6, 15), "Khai Viễn, Vân Nam", "SE0455139"),
    "hung-quang-minh": ("熊光明", M, D(1972, 3, 9), "Văn Sơn, Vân Nam", "E21874503"),
    "hoa-xuan-lan": ("和春兰", F, D(1978, 10, 11), "Mã Quan, Vân Nam", "E22031967"),
    "dao-kien-dan": ("陶建民", M, D(1969, 5, 27), "Ma Lật Pha, Vân Nam", "E21590448"),
}
# Other foreigners: Latin name, sex, birth date, nationality, passport.
OTHERS = {
    "michael-harris": ("Michael Harris", M, D(1964, 3, 22), "AU", "N4471025"),
    "emma-clarke": ("Emma Clarke", F, D(1981, 8, 5), "AU", "N5520318"),
    "sato-ken": ("Sato Ken", M, D(1972, 11, 14), "JP", "TK2265091"),
    "julien-moreau": ("Julien Moreau", M, D(1977, 6, 2), "FR", "07FK41382"),
    "claire-dubois": ("Claire Dubois", F, D(1985, 1, 28), "FR", "09AC77215"),
    "marc-lefevre": ("Marc Lefèvre", M, D(1983, 9, 9), "FR", "09AC77230"),
    "anna-keller": ("Anna Keller", F, D(1979, 12, 6), "DE", "C4RJ1L0X7"),
}
# Vietnamese officials: name, sex, birth year, ethnicity, identity card, passport.
OFFICIALS = {
    "chu-quang-thien": ("Chu Quang Thiện", M, 1958, "Kinh", "073041186", "B2041573"),
    "phan-tien-loc": ("Phan Tiến Lộc", M, 1962, "Tày", "073052214", "B2041588"),
    "mac-thu-trang": ("Mạc Thị Thu Trang", F, 1967, "Tày", "073067341", "B2306612"),
    "kieu-van-khai": ("Kiều Văn Khải", M, 1974, "Kinh", "073088925", "B2306627"),
    "tong-ngoc-anh": ("Tống Thị Ngọc Ánh", F, 1983, "Kinh", "073101472", "B2306635"),
    "dam-quoc-huy": ("Đàm Quốc Huy", M, 1970, "Nùng", "073079658", ""),
    "vu-mi-ho": ("Vừ Mí Hờ", M, 1976, "H'Mông", "073090317", ""),
    "ta-quang-vinh": ("Tạ Quang Vinh", M, 1971, "Kinh", "073063580", "B3118742"),
}

# A member who is, by the registry's matching, someone the Police already knows of.
KNOWN_IN_BORDER_DOSSIER = "@border"
KNOWN_PENDING_VERIFICATION = "@pending"

# -- the activities ----------------------------------------------------------------------------
# Each: kind, title, purpose, dates, registration and notification, host, country, whether
# the Wenshan police is the counterpart, classification, the Border Guard among the parties,
# itinerary (day, place, venue, border area, gate, note), members (person, role), the
# Police's assessment and measures (kind, unit, day or None, description), its opinion
# (opinion, conditions, date), the briefing (outgoing), the end (report and date, or
# cancellation) and the incident during it.


def _day(d, place, venue="", border=False, gate="", note=""):
    return {
        "day": d,
        "place": place,
        "venue": venue,
        "border_area": border,
        "border_gate": gate,
        "note": note,
    }


def _gate(d, note):
    """A stop at the Thanh Thủy border gate (xã Thanh Thủy, Vị Xuyên: a border area)."""
    return _day(d, "xã Thanh Thủy, huyện Vị Xuyên", "", True, GATE, note)


ACTIVITIES: list[dict[str, Any]] = [
    {
        "key": "hoi-dam-2008",
        "kind": ActivityKind.INCOMING,
        "title": "Đoàn Cục Công an châu Văn Sơn hội đàm với Công an tỉnh tại cửa khẩu Thanh Thủy",
        "purpose": "Trao đổi kết quả phối hợp phòng, chống tội phạm mua bán người và ma túy qua "
        "biên giới năm 2008, thống nhất đầu mối liên lạc giữa hai bên.",
        "dates": (D(2008, 10, 21), D(2008, 10, 22)),
        "registered": D(2008, 10, 2),
        "notified": D(2008, 10, 3),
        "host": ("cat-hagiang", "tham-muu"),
        "country": "CN",
        "counterpart": True,
        "classification": Classification.MAT,
        "border_guard": True,
        "itinerary": [
            _day(
                D(2008, 10, 21),
                "xã Thanh Thủy, huyện Vị Xuyên",
                "Nhà hội đàm cửa khẩu",
                True,
                GATE,
                "Đón đoàn, hội đàm",
            ),
            _day(
                D(2008, 10, 22),
                "thị xã Hà Giang",
                "Trụ sở Công an tỉnh",
                note="Làm việc với Ban Giám đốc Công an tỉnh, tiễn đoàn chiều cùng ngày",
            ),
        ],
        "members": [
            ("dang-chi-cuong", MemberRole.HEAD),
            ("hau-ve-dong", MemberRole.DEPUTY),
            ("mac-hai-yen", MemberRole.INTERPRETER),
            ("dam-quoc-huy", MemberRole.ESCORT),
        ],
        "risk": RiskLevel.LOW,
        "assessment": "Đoàn làm việc theo kênh hợp tác đã có giữa hai cơ quan công an; thành "
        "viên đều đã qua lại nhiều lần, không phát hiện vấn đề về an ninh.",
        "measures": [
            (MeasureKind.LIAISON, "an-ninh-doi-ngoai", None, "Cán bộ liên lạc đi cùng đoàn"),
            (
                MeasureKind.VENUE,
                "an-ninh-doi-ngoai",
                D(2008, 10, 21),
                "Kiểm tra nhà hội đàm trước buổi làm việc",
            ),
        ],
        "opinion": (Opinion.AGREE, "", D(2008, 10, 8)),
        "end": (
            "Hai bên ký biên bản hội đàm, thống nhất trao đổi thông tin hằng quý và lập "
            "đường dây nóng giữa hai cơ quan. Đoàn xuất cảnh đúng lịch trình.",
            D(2008, 10, 24),
        ),
    },
    {
        "key": "van-son-2009",
        "kind": ActivityKind.INCOMING,
        "title": "Đoàn đại biểu chính quyền châu Văn Sơn (Vân Nam, Trung Quốc) thăm, làm việc "
        "tại tỉnh Hà Giang",
        "purpose": "Hội đàm về hợp tác kinh tế, thương mại qua cặp cửa khẩu Thanh Thủy – Thiên "
        "Bảo và quản lý biên giới; khảo sát khu kinh tế cửa khẩu.",
        "dates": (D(2009, 4, 14), D(2009, 4, 16)),
        "registered": D(2009, 3, 20),
        "notified": D(2009, 3, 23),
        "host": ("sngv-hagiang", "hop-tac-quoc-te"),
        "country": "CN",
        "itinerary": [
            _gate(D(2009, 4, 14), "Làm thủ tục nhập cảnh, đón đoàn"),
            _day(
                D(2009, 4, 14),
                "thị xã Hà Giang",
                "Nhà khách Ủy ban nhân dân tỉnh",
                note="Hội đàm, chiêu đãi",
            ),
            _day(
                D(2009, 4, 15),
                "huyện Vị Xuyên",
                "Khu kinh tế cửa khẩu Thanh Thủy",
                True,
                note="Khảo sát khu kinh tế, chợ cửa khẩu",
            ),
            _gate(D(2009, 4, 16), "Tiễn đoàn"),
        ],
        "members": [
            ("doan-chinh-hoanh", MemberRole.HEAD),
            ("thi-minh-hoa", MemberRole.MEMBER),
            ("hung-quang-minh", MemberRole.MEMBER),
            ("long-tuyet-mai", MemberRole.INTERPRETER),
            ("kieu-van-khai", MemberRole.ESCORT),
        ],
        "risk": RiskLevel.LOW,
        "assessment": "Đoàn cấp châu, chương trình công khai; khu vực cửa khẩu đông người qua "
        "lại nên cần bố trí lực lượng dẫn đường và bảo đảm giao thông.",
        "measures": [
            (
                MeasureKind.ESCORT,
                "an-ninh-doi-ngoai",
                None,
                "Dẫn đường, bảo vệ đoàn suốt chương trình",
            ),
            (
                MeasureKind.VENUE,
                "an-ninh-doi-ngoai",
                D(2009, 4, 14),
                "Kiểm tra an ninh nhà khách trước khi đoàn đến",
            ),
            (
                MeasureKind.TRAFFIC,
                "canh-sat-giao-thong",
                D(2009, 4, 15),
                "Phân luồng tuyến quốc lộ 2 từ thị xã lên cửa khẩu",
            ),
            (
                MeasureKind.OTHER,
                "xuat-nhap-canh",
                D(2009, 4, 14),
                "Phối hợp Đồn Biên phòng cửa khẩu làm thủ tục nhập cảnh cho đoàn",
            ),
        ],
        "opinion": (Opinion.AGREE, "", D(2009, 3, 26)),
        "end": (
            "Đoàn hoàn thành chương trình; hai bên ký biên bản ghi nhớ về tạo thuận lợi "
            "thông quan hàng hóa. Không phát sinh vụ việc về an ninh, trật tự.",
            D(2009, 4, 20),
        ),
    },
    {
        "key": "gap-go-2009",
        "kind": ActivityKind.INCOMING,
        "title": "Gặp gỡ định kỳ với Cục Công an châu Văn Sơn tại cửa khẩu Thanh Thủy",
        "purpose": "Trao đổi tình hình an ninh, trật tự khu vực biên giới sáu tháng đầu năm, "
        "bàn giao hồ sơ hai vụ việc đã xác minh xong.",
        "dates": (D(2009, 8, 18), D(2009, 8, 18)),
        "registered": D(2009, 8, 10),
        "notified": D(2009, 8, 11),
        "host": ("sngv-hagiang", "bien-gioi"),
        "country": "CN",
        "counterpart": True,
        "classification": Classification.MAT,
        "border_guard": True,
        "itinerary": [
            _day(
                D(2009, 8, 18),
                "xã Thanh Thủy, huyện Vị Xuyên",
                "Nhà hội đàm cửa khẩu",
                True,
                GATE,
                "Gặp gỡ, bàn giao hồ sơ; đoàn về nước trong ngày",
            ),
        ],
        "members": [
            ("dang-chi-cuong", MemberRole.HEAD),
            ("hau-ve-dong", MemberRole.MEMBER),
            ("mac-hai-yen", MemberRole.INTERPRETER),
        ],
        "risk": RiskLevel.LOW,
        "assessment": "Buổi gặp ngắn trong khu vực cửa khẩu, thành phần quen thuộc.",
        "measures": [
            (
                MeasureKind.LIAISON,
                "an-ninh-doi-ngoai",
                D(2009, 8, 18),
                "Cán bộ liên lạc tại cửa khẩu",
            ),
        ],
        # Sent on the day of the meeting: recorded, and flagged late.
        "opinion": (Opinion.AGREE, "", D(2009, 8, 18)),
        "end": (
            "Hai bên bàn giao hồ sơ hai vụ việc, thống nhất lịch gặp gỡ lần sau.",
            D(2009, 8, 19),
        ),
    },
    {
        "key": "van-son-di-2009",
        "kind": ActivityKind.OUTGOING,
        "title": "Đoàn đại biểu tỉnh Hà Giang thăm, làm việc tại châu Văn Sơn, Vân Nam",
        "purpose": "Đáp lễ chuyến thăm tháng 4/2009; trao đổi về mở rộng hợp tác thương mại, du "
        "lịch và phối hợp quản lý cặp cửa khẩu Thanh Thủy – Thiên Bảo.",
        "dates": (D(2009, 10, 20), D(2009, 10, 23)),
        "registered": D(2009, 9, 25),
        "notified": D(2009, 9, 28),
        "host": ("sngv-hagiang", "hop-tac-quoc-te"),
        "country": "CN",
        "itinerary": [
            _gate(D(2009, 10, 20), "Xuất cảnh sang cửa khẩu Thiên Bảo"),
            _day(
                D(2009, 10, 21),
                "thành phố Văn Sơn, châu Văn Sơn (Trung Quốc)",
                "Trụ sở Chính phủ nhân dân châu Văn Sơn",
                note="Hội đàm",
            ),
            _day(
                D(2009, 10, 22),
                "huyện Ma Lật Pha, châu Văn Sơn (Trung Quốc)",
                "Khu cửa khẩu Thiên Bảo",
                note="Khảo sát hạ tầng cửa khẩu phía bạn",
            ),
            _gate(D(2009, 10, 23), "Nhập cảnh"),
        ],
        "members": [
            ("chu-quang-thien", MemberRole.HEAD),
            ("phan-tien-loc", MemberRole.MEMBER),
            ("kieu-van-khai", MemberRole.MEMBER),
            ("tong-ngoc-anh", MemberRole.INTERPRETER),
        ],
        "risk": RiskLevel.LOW,
        "assessment": "Đoàn công tác của tỉnh; cần phổ biến quy định bảo vệ bí mật nhà nước và "
        "lưu ý về tài liệu mang theo trước khi xuất cảnh.",
        "measures": [
            (
                MeasureKind.OTHER,
                "an-ninh-doi-ngoai",
                None,
                "Phổ biến bảo vệ bí mật nhà nước, hướng dẫn quản lý tài liệu mang theo",
            ),
            (
                MeasureKind.OTHER,
                "xuat-nhap-canh",
                D(2009, 10, 20),
                "Kiểm tra hộ chiếu, thủ tục xuất cảnh của đoàn",
            ),
        ],
        "opinion": (Opinion.AGREE, "", D(2009, 10, 1)),
        "briefing": (
            D(2009, 10, 16),
            "Đàm Quốc Huy, Phòng An ninh đối ngoại Công an tỉnh",
            "Quy định bảo vệ bí mật nhà nước khi làm việc với nước ngoài; không mang "
            "tài liệu mật ra nước ngoài; cách xử lý khi có người tiếp cận, gợi hỏi.",
        ),
        "end": (
            "Đoàn về nước đúng hẹn; các thành viên báo cáo không có hiện tượng bị tiếp cận, "
            "khai thác thông tin. Tài liệu mang theo đã được thu hồi đầy đủ.",
            D(2009, 10, 28),
        ),
    },
    {
        "key": "hong-ha-2010",
        "kind": ActivityKind.INCOMING,
        "title": "Đoàn công tác châu Hồng Hà (Vân Nam, Trung Quốc) tìm hiểu hợp tác thương mại "
        "tại Hà Giang",
        "purpose": "Tìm hiểu cơ hội đầu tư, trao đổi hàng nông sản qua cửa khẩu Thanh Thủy; "
        "làm việc với Sở Công Thương và Ban quản lý khu kinh tế cửa khẩu.",
        "dates": (D(2010, 3, 23), D(2010, 3, 25)),
        "registered": D(2010, 3, 1),
        "notified": D(2010, 3, 3),
        "host": ("sngv-hagiang", "hop-tac-quoc-te"),
        "country": "CN",
        "itinerary": [
            _gate(D(2010, 3, 23), "Nhập cảnh"),
            _day(
                D(2010, 3, 23),
                "thị xã Hà Giang",
                "Hội trường Sở Công Thương",
                note="Làm việc với Sở Công Thương",
            ),
            _day(
                D(2010, 3, 24),
                "huyện Vị Xuyên",
                "Ban quản lý khu kinh tế cửa khẩu Thanh Thủy",
                True,
            ),
            _gate(D(2010, 3, 25), "Xuất cảnh"),
        ],
        "members": [
            ("pho-quoc-binh", MemberRole.HEAD),
            ("tien-hieu-dong", MemberRole.MEMBER),
            (KNOWN_IN_BORDER_DOSSIER, MemberRole.MEMBER),
            ("tuong-nha-cam", MemberRole.INTERPRETER),
            ("kieu-van-khai", MemberRole.ESCORT),
        ],
        "risk": RiskLevel.MEDIUM,
        "assessment": "Một thành viên trùng khớp với người có tên trong hồ sơ vụ việc trên tuyến "
        "biên giới; đoàn đi vào khu vực biên giới. Đồng ý có điều kiện, tăng cường theo dõi.",
        "measures": [
            (
                MeasureKind.ESCORT,
                "an-ninh-doi-ngoai",
                None,
                "Cán bộ đi cùng đoàn suốt chương trình",
            ),
            (
                MeasureKind.OTHER,
                "xuat-nhap-canh",
                D(2010, 3, 23),
                "Kiểm tra giấy tờ toàn bộ thành viên khi nhập cảnh",
            ),
            (
                MeasureKind.VENUE,
                "an-ninh-doi-ngoai",
                D(2010, 3, 24),
                "Nắm tình hình tại khu kinh tế cửa khẩu trong thời gian đoàn làm việc",
            ),
        ],
        "opinion": (
            Opinion.CONDITIONS,
            "Sở Ngoại vụ bố trí cán bộ đi cùng đoàn suốt chương trình; đoàn đi đúng lịch trình "
            "đã thông báo, không vào khu vực biên giới ngoài khu kinh tế cửa khẩu; thông báo "
            "ngay cho Công an tỉnh khi đoàn thay đổi chương trình hoặc thành phần.",
            D(2010, 3, 8),
        ),
        "end": (
            "Đoàn làm việc đúng chương trình, không thay đổi thành phần. Cán bộ đi cùng "
            "không ghi nhận biểu hiện bất thường.",
            D(2010, 3, 29),
        ),
    },
    {
        "key": "mong-tu-2010",
        "kind": ActivityKind.OUTGOING,
        "title": "Đoàn Sở Ngoại vụ tỉnh Hà Giang làm việc với Văn phòng Ngoại vụ châu Hồng Hà "
        "tại Mông Tự",
        "purpose": "Trao đổi kinh nghiệm quản lý đoàn ra, đoàn vào và công tác lãnh sự vùng "
        "biên; thống nhất cơ chế thông báo khi công dân hai bên gặp sự cố.",
        "dates": (D(2010, 6, 8), D(2010, 6, 11)),
        "registered": D(2010, 5, 14),
        "notified": D(2010, 5, 17),
        "host": ("sngv-hagiang", "lanh-su"),
        "country": "CN",
        "itinerary": [
            _gate(D(2010, 6, 8), "Xuất cảnh"),
            _day(
                D(2010, 6, 9),
                "thành phố Mông Tự, châu Hồng Hà (Trung Quốc)",
                "Văn phòng Ngoại vụ châu Hồng Hà",
                note="Hội đàm",
            ),
            _day(
                D(2010, 6, 10),
                "thành phố Mông Tự, châu Hồng Hà (Trung Quốc)",
                note="Tham quan, làm việc với cơ quan quản lý xuất nhập cảnh châu",
            ),
            _gate(D(2010, 6, 11), "Nhập cảnh"),
        ],
        "members": [
            ("mac-thu-trang", MemberRole.HEAD),
            ("kieu-van-khai", MemberRole.MEMBER),
            ("tong-ngoc-anh", MemberRole.INTERPRETER),
        ],
        "risk": RiskLevel.LOW,
        "assessment": "Đoàn chuyên môn, nội dung làm việc không liên quan bí mật nhà nước; cần "
        "phổ biến quy định trước khi đi.",
        "measures": [
            (
                MeasureKind.OTHER,
                "an-ninh-doi-ngoai",
                None,
                "Phổ biến bảo vệ bí mật nhà nước trước khi xuất cảnh",
            ),
        ],
        "opinion": (Opinion.AGREE, "", D(2010, 5, 20)),
        "briefing": (
            D(2010, 6, 4),
            "Đàm Quốc Huy, Phòng An ninh đối ngoại Công an tỉnh",
            "Nhắc lại quy định không mang tài liệu mật, không sử dụng thiết bị lưu trữ "
            "cá nhân để làm việc; báo cáo ngay khi có người lạ tiếp cận.",
        ),
        "end": (
            "Hai bên thống nhất đầu mối thông báo vụ việc lãnh sự. Đoàn về nước an toàn, "
            "không có vấn đề phát sinh.",
            D(2010, 6, 16),
        ),
    },
    {
        "key": "ngo-dong-van-2010",
        "kind": ActivityKind.NGO,
        "title": "Tổ chức phi chính phủ nước ngoài khảo sát dự án nước sạch tại huyện Đồng Văn",
        "purpose": "Khảo sát thực địa, làm việc với chính quyền xã về dự án cấp nước sinh hoạt "
        "cho các thôn vùng cao do tổ chức tài trợ.",
        "dates": (D(2010, 8, 10), D(2010, 8, 13)),
        "registered": D(2010, 7, 15),
        "notified": D(2010, 7, 19),
        "host_name": "Ủy ban nhân dân huyện Đồng Văn",
        "country": "AU",
        "border_guard": True,
        "itinerary": [
            _day(
                D(2010, 8, 10),
                "thị xã Hà Giang",
                "Sở Ngoại vụ",
                note="Làm việc, nghe phổ biến quy định",
            ),
            _day(D(2010, 8, 11), "xã Sà Phìn, huyện Đồng Văn", "Ủy ban nhân dân xã Sà Phìn", True),
            _day(D(2010, 8, 12), "xã Lũng Táo, huyện Đồng Văn", "Các thôn hưởng lợi dự án", True),
            _day(
                D(2010, 8, 13), "huyện Đồng Văn", "Ủy ban nhân dân huyện", note="Tổng kết khảo sát"
            ),
        ],
        "members": [
            ("michael-harris", MemberRole.HEAD),
            ("emma-clarke", MemberRole.MEMBER),
            ("vu-mi-ho", MemberRole.ESCORT),
        ],
        "risk": RiskLevel.MEDIUM,
        "assessment": "Hoạt động tại xã biên giới; tổ chức đã có giấy đăng ký hoạt động, nội dung "
        "dự án phù hợp. Cần cán bộ đi cùng và thông báo cho đồn biên phòng sở tại.",
        "measures": [
            (MeasureKind.LIAISON, "an-ninh-doi-ngoai", None, "Cán bộ liên lạc đi cùng đoàn"),
            (
                MeasureKind.OTHER,
                "trinh-sat",
                D(2010, 8, 11),
                "Đồn Biên phòng sở tại nắm tình hình trong thời gian đoàn ở xã biên giới",
            ),
        ],
        "opinion": (Opinion.AGREE, "", D(2010, 7, 23)),
        "end": (
            "Đoàn khảo sát đúng địa bàn đã đăng ký; dự án được phê duyệt triển khai năm "
            "2011. Không phát sinh vụ việc.",
            D(2010, 8, 18),
        ),
    },
    {
        "key": "bao-chi-2010",
        "kind": ActivityKind.PRESS,
        "title": "Phóng viên nước ngoài tìm hiểu đời sống đồng bào vùng biên Đồng Văn, Mèo Vạc",
        "purpose": "Ghi hình, phỏng vấn về đời sống, văn hóa của đồng bào các dân tộc trên Cao "
        "nguyên đá theo chương trình đã được Bộ Ngoại giao chấp thuận.",
        "dates": (D(2010, 10, 5), D(2010, 10, 8)),
        "registered": D(2010, 9, 13),
        "notified": D(2010, 9, 15),
        "host": ("sngv-hagiang", "van-phong"),
        "country": "JP",
        "border_guard": True,
        "itinerary": [
            _day(
                D(2010, 10, 5),
                "thành phố Hà Giang",
                "Sở Ngoại vụ",
                note="Làm việc, thống nhất chương trình",
            ),
            _day(D(2010, 10, 6), "thị trấn Đồng Văn, huyện Đồng Văn", "Phố cổ Đồng Văn"),
            _day(D(2010, 10, 7), "xã Lũng Cú, huyện Đồng Văn", "Khu vực cột cờ Lũng Cú", True),
            _day(D(2010, 10, 8), "thị trấn Mèo Vạc, huyện Mèo Vạc", "Chợ phiên Mèo Vạc"),
        ],
        "members": [
            ("sato-ken", MemberRole.JOURNALIST),
            ("julien-moreau", MemberRole.JOURNALIST),
            ("tong-ngoc-anh", MemberRole.ESCORT),
        ],
        "risk": RiskLevel.MEDIUM,
        "assessment": "Phóng viên ghi hình tại khu vực biên giới; cần cán bộ hướng dẫn, không ghi "
        "hình mục tiêu quân sự và công trình biên giới.",
        "measures": [
            (MeasureKind.ESCORT, "an-ninh-doi-ngoai", None, "Cán bộ hướng dẫn, đi cùng phóng viên"),
            (
                MeasureKind.OTHER,
                "trinh-sat",
                D(2010, 10, 7),
                "Đồn Biên phòng Lũng Cú hướng dẫn khu vực được ghi hình",
            ),
        ],
        "opinion": (Opinion.AGREE, "", D(2010, 9, 20)),
        "end": (
            "Phóng viên thực hiện đúng nội dung đăng ký; tư liệu ghi hình được xem trước "
            "khi rời địa bàn, không có hình ảnh thuộc khu vực cấm.",
            D(2010, 10, 12),
        ),
    },
    {
        "key": "ngo-xin-man-2011",
        "kind": ActivityKind.NGO,
        "title": "Tổ chức phi chính phủ nước ngoài khảo sát dự án sinh kế tại huyện Xín Mần",
        "purpose": "Khảo sát nhu cầu hỗ trợ giống cây trồng, vật nuôi cho hộ nghèo.",
        "dates": (D(2011, 3, 14), D(2011, 3, 16)),
        "registered": D(2011, 2, 14),
        "notified": D(2011, 2, 16),
        "host_name": "Ủy ban nhân dân huyện Xín Mần",
        "country": "DE",
        "itinerary": [
            _day(D(2011, 3, 14), "thành phố Hà Giang", "Sở Ngoại vụ"),
            _day(D(2011, 3, 15), "xã Xín Mần, huyện Xín Mần", "Ủy ban nhân dân xã", True),
        ],
        "members": [("anna-keller", MemberRole.HEAD), ("vu-mi-ho", MemberRole.ESCORT)],
        "risk": RiskLevel.LOW,
        "assessment": "Hoạt động nhỏ, nội dung phù hợp đăng ký của tổ chức.",
        "measures": [(MeasureKind.LIAISON, "an-ninh-doi-ngoai", None, "Cán bộ liên lạc")],
        "opinion": (Opinion.AGREE, "", D(2011, 2, 21)),
        "cancel": (
            "Tổ chức thông báo hoãn chuyến khảo sát do thay đổi kế hoạch tài trợ.",
            D(2011, 3, 2),
        ),
    },
    {
        "key": "du-lich-2011",
        "kind": ActivityKind.BORDER_VISIT,
        "title": "Khách du lịch nước ngoài tham quan khu vực biên giới Lũng Cú",
        "purpose": "Đoàn khách theo chương trình du lịch Cao nguyên đá, nghỉ đêm tại xã biên giới.",
        "dates": (D(2011, 5, 16), D(2011, 5, 18)),
        "registered": D(2011, 4, 25),
        "notified": D(2011, 4, 27),
        "host_name": "Doanh nghiệp lữ hành tổ chức chuyến đi",
        "country": "FR",
        "border_guard": True,
        "itinerary": [
            _day(D(2011, 5, 16), "thị trấn Đồng Văn, huyện Đồng Văn", "Phố cổ Đồng Văn"),
            _day(
                D(2011, 5, 17),
                "xã Lũng Cú, huyện Đồng Văn",
                "Khu vực cột cờ Lũng Cú",
                True,
                note="Nghỉ đêm tại nhà dân",
            ),
            _day(D(2011, 5, 18), "xã Lũng Cú, huyện Đồng Văn", "", True),
        ],
        "members": [("claire-dubois", MemberRole.MEMBER), ("marc-lefevre", MemberRole.MEMBER)],
        "risk": RiskLevel.LOW,
        "assessment": "Khách du lịch, có giấy phép vào khu vực biên giới; nghỉ đêm tại nhà dân "
        "đã đăng ký tạm trú.",
        "measures": [
            (
                MeasureKind.LIAISON,
                "an-ninh-doi-ngoai",
                D(2011, 5, 17),
                "Cán bộ nắm tình hình lưu trú tại xã Lũng Cú",
            ),
            (
                MeasureKind.OTHER,
                "trinh-sat",
                D(2011, 5, 17),
                "Đồn Biên phòng Lũng Cú kiểm tra giấy phép",
            ),
        ],
        "opinion": (Opinion.AGREE, "", D(2011, 5, 3)),
        "end": ("Đoàn tham quan đúng lộ trình, khai báo tạm trú đầy đủ.", D(2011, 5, 20)),
    },
    {
        "key": "gap-go-2011",
        "kind": ActivityKind.INCOMING,
        "title": "Gặp gỡ định kỳ năm 2011 với Cục Công an châu Văn Sơn tại cửa khẩu Thanh Thủy",
        "purpose": "Sơ kết phối hợp phòng, chống tội phạm qua biên giới; thống nhất kế hoạch "
        "tuyên truyền cho cư dân biên giới hai bên.",
        "dates": (D(2011, 5, 17), D(2011, 5, 17)),
        "registered": D(2011, 5, 4),
        "notified": D(2011, 5, 5),
        "host": ("sngv-hagiang", "bien-gioi"),
        "country": "CN",
        "counterpart": True,
        "classification": Classification.MAT,
        "border_guard": True,
        "itinerary": [
            _day(
                D(2011, 5, 17),
                "xã Thanh Thủy, huyện Vị Xuyên",
                "Nhà hội đàm cửa khẩu",
                True,
                GATE,
                "Gặp gỡ; đoàn về nước trong ngày",
            ),
        ],
        "members": [
            ("dang-chi-cuong", MemberRole.HEAD),
            ("hau-ve-dong", MemberRole.DEPUTY),
            ("vi-duc-ban", MemberRole.MEMBER),
            ("mac-hai-yen", MemberRole.INTERPRETER),
        ],
        "risk": RiskLevel.LOW,
        "assessment": "Buổi gặp định kỳ, thành phần quen thuộc, có thêm một cán bộ mới của "
        "phía bạn: đã thẩm tra, không có vấn đề.",
        "measures": [
            (
                MeasureKind.LIAISON,
                "an-ninh-doi-ngoai",
                D(2011, 5, 17),
                "Cán bộ liên lạc tại cửa khẩu",
            ),
            (MeasureKind.VENUE, "xuat-nhap-canh", D(2011, 5, 17), "Bố trí lối đi riêng cho đoàn"),
        ],
        "opinion": (Opinion.AGREE, "", D(2011, 5, 10)),
        "end": (
            "Hai bên ký biên bản gặp gỡ, thống nhất kế hoạch tuyên truyền chung.",
            D(2011, 5, 18),
        ),
    },
    {
        "key": "con-minh-2011",
        "kind": ActivityKind.OUTGOING,
        "title": "Đoàn doanh nghiệp tỉnh Hà Giang tham dự hội chợ thương mại tại Côn Minh",
        "purpose": "Giới thiệu sản phẩm chè, dược liệu của tỉnh; tìm đối tác tiêu thụ tại thị "
        "trường Vân Nam.",
        "dates": (D(2011, 6, 5), D(2011, 6, 9)),
        "registered": D(2011, 5, 9),
        "notified": D(2011, 5, 11),
        "host_name": "Sở Công Thương tỉnh Hà Giang",
        "country": "CN",
        "itinerary": [
            _gate(D(2011, 6, 5), "Xuất cảnh"),
            _day(
                D(2011, 6, 6),
                "thành phố Côn Minh, tỉnh Vân Nam (Trung Quốc)",
                "Trung tâm hội chợ",
                note="Dự khai mạc, trưng bày gian hàng",
            ),
            _gate(D(2011, 6, 9), "Nhập cảnh"),
        ],
        "members": [
            ("phan-tien-loc", MemberRole.HEAD),
            ("ta-quang-vinh", MemberRole.MEMBER),
            ("tong-ngoc-anh", MemberRole.INTERPRETER),
        ],
        "risk": RiskLevel.LOW,
        "assessment": "Đoàn doanh nghiệp dự hội chợ; lưu ý không mang tài liệu nội bộ của cơ "
        "quan nhà nước.",
        "measures": [
            (MeasureKind.OTHER, "an-ninh-doi-ngoai", None, "Phổ biến bảo vệ bí mật nhà nước"),
        ],
        "opinion": (Opinion.AGREE, "", D(2011, 5, 16)),
        "briefing": (
            D(2011, 6, 1),
            "Đàm Quốc Huy, Phòng An ninh đối ngoại Công an tỉnh",
            "Phổ biến quy định bảo vệ bí mật nhà nước cho cán bộ và doanh nghiệp trong "
            "đoàn; lưu ý khi trao đổi thông tin với đối tác.",
        ),
        "end": (
            "Đoàn ký được hai thỏa thuận tiêu thụ chè; về nước đúng hẹn, không có vấn đề "
            "phát sinh.",
            D(2011, 6, 14),
        ),
    },
    {
        "key": "hoi-cho-2011",
        "kind": ActivityKind.EVENT,
        "title": "Hội chợ thương mại quốc tế Việt – Trung Hà Giang năm 2011",
        "purpose": "Hội chợ có gian hàng của doanh nghiệp hai tỉnh Hà Giang và Vân Nam; hội thảo "
        "xúc tiến thương mại qua cửa khẩu Thanh Thủy.",
        "dates": (D(2011, 11, 8), D(2011, 11, 12)),
        "registered": D(2011, 10, 10),
        "notified": D(2011, 10, 12),
        "host_name": "Sở Công Thương tỉnh Hà Giang",
        "country": "CN",
        "border_guard": True,
        "itinerary": [
            _gate(D(2011, 11, 8), "Doanh nghiệp phía bạn nhập cảnh, đưa hàng vào hội chợ"),
            _day(
                D(2011, 11, 8),
                "thành phố Hà Giang",
                "Khu hội chợ, Quảng trường 26/3",
                note="Khai mạc",
            ),
            _day(
                D(2011, 11, 10),
                "thành phố Hà Giang",
                "Khu hội chợ, Quảng trường 26/3",
                note="Hội thảo xúc tiến thương mại",
            ),
            _day(
                D(2011, 11, 12),
                "thành phố Hà Giang",
                "Khu hội chợ, Quảng trường 26/3",
                note="Bế mạc",
            ),
        ],
        "members": [
            ("hung-quang-minh", MemberRole.HEAD),
            ("hoa-xuan-lan", MemberRole.MEMBER),
            ("dao-kien-dan", MemberRole.MEMBER),
            (KNOWN_PENDING_VERIFICATION, MemberRole.MEMBER),
            ("long-tuyet-mai", MemberRole.INTERPRETER),
        ],
        "risk": RiskLevel.MEDIUM,
        "assessment": "Sự kiện đông người, nhiều thương nhân nước ngoài lưu trú dài ngày; một "
        "thành viên đang có yêu cầu xác minh chưa có kết quả.",
        "measures": [
            (
                MeasureKind.VENUE,
                "an-ninh-doi-ngoai",
                None,
                "Bảo vệ khu hội chợ suốt thời gian tổ chức",
            ),
            (
                MeasureKind.TRAFFIC,
                "canh-sat-giao-thong",
                D(2011, 11, 8),
                "Phân luồng giao thông quanh quảng trường ngày khai mạc",
            ),
            (
                MeasureKind.OTHER,
                "xuat-nhap-canh",
                None,
                "Quản lý tạm trú của thương nhân nước ngoài",
            ),
        ],
        "opinion": (Opinion.AGREE, "", D(2011, 10, 17)),
        "incident": {
            "title": "Thương nhân nước ngoài dự hội chợ vào khu vực biên giới xã Thanh Đức, "
            "huyện Vị Xuyên không có giấy phép",
            "opened_on": D(2011, 11, 10),
            "summary": "Tổ công tác Đồn Biên phòng Thanh Thủy phát hiện, lập biên bản; chuyển "
            "Công an tỉnh phối hợp xác minh với phía bạn.",
            "member": "dao-kien-dan",
            "resolved_on": D(2011, 12, 19),
            "outcome": "Đã xử phạt vi phạm hành chính, thông báo cho phía bạn; người vi phạm "
            "xuất cảnh qua cửa khẩu Thanh Thủy.",
        },
        "end": (
            "Hội chợ diễn ra an toàn với gần 200 gian hàng. Phát sinh một vụ thương nhân "
            "nước ngoài vào khu vực biên giới không phép, đã lập hồ sơ xử lý.",
            D(2011, 11, 16),
        ),
    },
]

# Work in progress today, so that the calendar and the dashboard have something coming up:
# (days from today) registered, notified (None: not yet), starts, ends.
CURRENT: list[dict[str, Any]] = [
    {
        "key": "ngoai-vu-van-son",
        "kind": ActivityKind.INCOMING,
        "title": "Đoàn Văn phòng Ngoại vụ châu Văn Sơn trao đổi về quản lý cửa khẩu",
        "purpose": "Trao đổi về phối hợp quản lý người, phương tiện qua lại cặp cửa khẩu Thanh "
        "Thủy – Thiên Bảo.",
        "days": (-4, -3, 12, 13),
        "host": ("sngv-hagiang", "bien-gioi"),
        "country": "CN",
        "itinerary": [
            (12, "xã Thanh Thủy, huyện Vị Xuyên", "Nhà hội đàm cửa khẩu", True, GATE, "Hội đàm"),
            (13, "thành phố Hà Giang", "Sở Ngoại vụ", False, "", "Làm việc, tiễn đoàn"),
        ],
        "members": [
            ("thi-minh-hoa", MemberRole.HEAD),
            ("long-tuyet-mai", MemberRole.INTERPRETER),
        ],
    },
    {
        "key": "doan-ra-van-son",
        "kind": ActivityKind.OUTGOING,
        "title": "Đoàn Sở Ngoại vụ dự hội nghị công tác biên giới tại châu Văn Sơn",
        "purpose": "Dự hội nghị trao đổi công tác quản lý biên giới giữa các địa phương giáp "
        "biên hai nước.",
        "days": (-1, None, 30, 32),
        "host": ("sngv-hagiang", "bien-gioi"),
        "country": "CN",
        "itinerary": [],
        "members": [
            ("mac-thu-trang", MemberRole.HEAD),
            ("tong-ngoc-anh", MemberRole.INTERPRETER),
        ],
    },
]


class _Numbers:
    """Dispatch numbers of the activities' letters, apart from the scenario's counters."""

    def __init__(self) -> None:
        self.counters: dict[str, int] = {}

    def __call__(self, symbol: str, on: dt.date) -> str:
        key = f"{symbol}:{on.year}"
        self.counters[key] = self.counters.get(key, 300) + 1
        return f"{self.counters[key]}/{symbol}"


def _persons(nv: Agency) -> dict[str, Subject]:
    persons: dict[str, Subject] = {}
    for key, (native, sex, born, place, passport) in CHINESE.items():
        persons[key] = subject_services.subject_create(
            actor=SYSTEM,
            owner_agency=nv,
            full_name=han_viet_of(native),
            native_name=native,
            sex=sex,
            nationality="CN",
            birth_year=born.year,
            birth_month=born.month,
            birth_day=born.day,
            birth_place=place,
            documents=[{"kind": DocumentKind.PASSPORT, "number": passport, "country": "CN"}],
        )
    for key, (name, sex, born, country, passport) in OTHERS.items():
        persons[key] = subject_services.subject_create(
            actor=SYSTEM,
            owner_agency=nv,
            full_name=name,
            latin_name=name.upper(),
            sex=sex,
            nationality=country,
            birth_year=born.year,
            birth_month=born.month,
            birth_day=born.day,
            documents=[{"kind": DocumentKind.PASSPORT, "number": passport, "country": country}],
        )
    for key, (name, sex, year, ethnicity, card, passport) in OFFICIALS.items():
        documents = [{"kind": DocumentKind.CMND, "number": card}]
        if passport:
            documents.append({"kind": DocumentKind.PASSPORT, "number": passport})
        persons[key] = subject_services.subject_create(
            actor=SYSTEM,
            owner_agency=nv,
            full_name=name,
            sex=sex,
            nationality="VN",
            ethnicity=ethnicity,
            birth_year=year,
            address="thành phố Hà Giang, tỉnh Hà Giang",
            documents=documents,
        )
    return persons


def _same_person(known: Subject, nv: Agency, passport: str) -> Subject:
    """A new record, made by the Department from a passport, of a person the Police knows."""
    return subject_services.subject_create(
        actor=SYSTEM,
        owner_agency=nv,
        full_name=known.full_name,
        native_name=known.native_name,
        sex=known.sex,
        nationality=known.nationality,
        birth_year=known.birth_year,
        birth_month=known.birth_month,
        birth_day=known.birth_day,
        birth_place=known.birth_place,
        documents=[{"kind": DocumentKind.PASSPORT, "number": passport, "country": "CN"}],
    )


def _known_persons(ca: Agency, nv: Agency, persons: dict[str, Subject], fair_notified: dt.date):
    """The two members the Police's registry knows of, picked by query, not by chance."""
    chinese = {"nationality": "CN", "birth_day__isnull": False, "merged_into__isnull": True}
    link = (
        DossierSubject.objects.filter(
            dossier__category__kind=CategoryKind.BORDER_INCIDENT,
            dossier__parties__agency=ca,
            **{f"subject__{k}": v for k, v in chinese.items()},
        )
        .exclude(subject__native_name="")
        .select_related("subject")
        .order_by("dossier__opened_on", "pk")
        .first()
    )
    if link is not None:
        persons[KNOWN_IN_BORDER_DOSSIER] = _same_person(link.subject, nv, "E20963155")
    pending = (
        Verification.objects.filter(
            state=VerificationState.SENT,
            requested_on__lte=fair_notified,
            dossier__parties__agency=ca,
            **{f"subject__{k}": v for k, v in chinese.items()},
        )
        .exclude(subject__native_name="")
        .select_related("subject")
        .order_by("requested_on", "pk")
        .first()
    )
    if pending is not None:
        persons[KNOWN_PENDING_VERIFICATION] = _same_person(pending.subject, nv, "E23310472")


def _passport(subject: Subject):
    return (
        subject.documents.filter(kind=DocumentKind.PASSPORT).order_by("pk").first()
        or subject.documents.order_by("pk").first()
    )


def _register(w, spec, persons, units, numbers, *, registered, notified, dates):
    ca, nv = w.ca, w.nv
    supporting = [ca, w.bp] if spec.get("border_guard") else [ca]
    host = spec.get("host")
    activity = activity_services.activity_register(
        actor=SYSTEM,
        kind=spec["kind"],
        title=spec["title"],
        purpose=spec["purpose"],
        starts_on=dates[0],
        ends_on=dates[1],
        host_unit=units[host] if host else None,
        host_name=spec.get("host_name", ""),
        country=spec.get("country", ""),
        counterpart=w.cn if spec.get("counterpart") else None,
        classification=spec.get("classification", Classification.THUONG),
        supporting_agencies=supporting,
        lead_agency=nv,
        registered_on=registered,
    )
    if spec["itinerary"]:
        activity_services.itinerary_set(actor=SYSTEM, activity=activity, days=spec["itinerary"])
    for key, role in spec["members"]:
        subject = persons.get(key)
        if subject is None:  # a known person the registry did not hold: nobody to add
            continue
        foreign = subject.nationality != "VN"
        outgoing = spec["kind"] == ActivityKind.OUTGOING
        activity_services.member_add(
            actor=SYSTEM,
            activity=activity,
            subject=subject,
            role=role,
            foreign=foreign,
            document=_passport(subject) if foreign or outgoing else None,
        )
    if notified is None:
        return activity
    dossier_services.message_add(
        actor=SYSTEM,
        dossier=activity.dossier,
        direction=MessageDirection.OUTGOING,
        number_symbol=numbers("SNgV-LS", notified),
        sent_on=notified,
        sender=nv,
        recipient=ca,
        summary=f"Thông báo kế hoạch, thành phần, lịch trình: {spec['title']}",
        classification=activity.dossier.classification,
    )
    return activity_services.activity_notify(actor=SYSTEM, activity=activity, notified_on=notified)


def _plan_and_answer(spec, activity, units, numbers) -> Activity:
    activity_services.assessment_save(
        actor=SYSTEM,
        activity=activity,
        risk_level=spec["risk"],
        assessment=spec["assessment"],
        measures=[
            {"kind": kind, "unit": units[_unit_key(code)], "day": day, "description": text}
            for kind, code, day, text in spec["measures"]
        ],
    )
    opinion, conditions, sent_on = spec["opinion"]
    return activity_services.opinion_send(
        actor=SYSTEM,
        activity=activity,
        opinion=opinion,
        conditions=conditions,
        number_symbol=numbers("CAT-ANĐN", sent_on),
        sent_on=sent_on,
    )


def _unit_key(code: str) -> tuple[str, str]:
    return ("bdbp-hagiang" if code == "trinh-sat" else "cat-hagiang", code)


def _incident(w, activity, spec, persons, numbers) -> None:
    """The Police opens a border dossier for the incident, links it and the person, and
    resolves it after the review's period (it counts nowhere in the 76)."""
    inc = spec["incident"]
    opened = inc["opened_on"]
    dossier = dossier_services.dossier_open(
        actor=SYSTEM,
        category=w.categories[CategoryKind.BORDER_INCIDENT],
        title=inc["title"],
        summary=inc["summary"],
        lead_agency=w.ca,
        supporting_agencies=[w.nv, w.bp],
        counterpart=w.cn,
        opened_on=opened,
    )
    activity_services.incident_link(actor=SYSTEM, activity=activity, dossier=dossier)
    subject_services.subject_link(
        actor=SYSTEM,
        dossier=dossier,
        subject=persons[inc["member"]],
        role=SubjectRole.SUSPECT,
        on=opened,
    )
    dossier_services.dossier_transition(
        actor=SYSTEM, dossier=dossier, status=DossierStatus.IN_PROGRESS, on=opened
    )
    dossier_services.message_add(
        actor=SYSTEM,
        dossier=dossier,
        direction=MessageDirection.OUTGOING,
        number_symbol=numbers("CAT-ANĐN", opened + dt.timedelta(days=2)),
        sent_on=opened + dt.timedelta(days=2),
        sender=w.ca,
        recipient=w.cn,
        summary="Thông báo vụ việc, đề nghị phía bạn xác minh nhân thân người vi phạm",
    )
    for task in dossier.tasks.order_by("due_on", "pk"):
        done = min(task.due_on, opened + dt.timedelta(days=5)) if task.due_on else opened
        dossier_services.task_complete(actor=SYSTEM, task=task, done_on=max(done, opened))
    dossier_services.dossier_transition(
        actor=SYSTEM,
        dossier=dossier,
        status=DossierStatus.RESOLVED,
        on=inc["resolved_on"],
        outcome=inc["outcome"],
    )


def load(w) -> dict[str, int]:
    """Create the demo's activities; `w` is the scenario's world (`hagiang._World`)."""
    ca, nv = w.ca, w.nv
    # The traffic police division, which the plans assign (not among the scenario's units).
    Unit.objects.get_or_create(
        agency=ca, code="canh-sat-giao-thong", defaults={"name": "Phòng Cảnh sát giao thông"}
    )
    units = {(u.agency.code, u.code): u for u in Unit.objects.select_related("agency")}
    numbers = _Numbers()
    persons = _persons(nv)
    fair = next(s for s in ACTIVITIES if s["key"] == "hoi-cho-2011")
    _known_persons(ca, nv, persons, fair["notified"])

    created = 0
    for spec in ACTIVITIES:
        activity = _register(
            w,
            spec,
            persons,
            units,
            numbers,
            registered=spec["registered"],
            notified=spec["notified"],
            dates=spec["dates"],
        )
        activity = _plan_and_answer(spec, activity, units, numbers)
        if spec["kind"] == ActivityKind.OUTGOING:
            on, by, note = spec["briefing"]
            activity_services.briefing_record(
                actor=SYSTEM, activity=activity, on=on, by=by, note=note
            )
        if "incident" in spec:
            _incident(w, activity, spec, persons, numbers)
        if "cancel" in spec:
            reason, on = spec["cancel"]
            activity_services.activity_cancel(
                actor=SYSTEM, activity=activity, reason=reason, cancelled_on=on
            )
        else:
            report, closed_on = spec["end"]
            activity_services.activity_close(
                actor=SYSTEM, activity=activity, report=report, closed_on=closed_on
            )
        created += 1

    today = timezone.localdate()

    def day(offset: int) -> dt.date:
        return today + dt.timedelta(days=offset)

    for spec in CURRENT:
        registered, notified, starts, ends = spec["days"]
        itinerary = [
            _day(day(offset), place, venue, border, gate, note)
            for offset, place, venue, border, gate, note in spec["itinerary"]
        ]
        _register(
            w,
            {**spec, "itinerary": itinerary},
            persons,
            units,
            numbers,
            registered=day(registered),
            notified=None if notified is None else day(notified),
            dates=(day(starts), day(ends)),
        )
        created += 1
    return {"activities": created, "persons": len(persons)}
