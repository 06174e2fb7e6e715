"""Text of the demo's 2008 coordination regulation, written for this project.

Agencies are named by role: "CA" (Công an tỉnh) and "NV" (Sở Ngoại vụ); the
loader maps them to the demo's agencies. Response times are working days.
"""

CODE = "QCPH-2008"
TITLE = (
    "Quy chế phối hợp giữa Công an tỉnh và Sở Ngoại vụ tỉnh Hà Giang trong công tác "
    "quản lý, bảo đảm an ninh, trật tự đối với các hoạt động đối ngoại trên địa bàn tỉnh"
)
NUMBER_SYMBOL = "01/QCPH-CAT-SNgV"


def _r(agency, role, days=None, hours=None, task=""):
    return {
        "agency": agency,
        "role": role,
        "response_days": days,
        "response_hours": hours,
        "task_title": task,
    }


CHAPTERS = [
    {
        "number": 1,
        "title": "Quy định chung",
        "articles": [
            {
                "number": 1,
                "title": "Phạm vi điều chỉnh",
                "clauses": [
                    {
                        "number": 1,
                        "text": "Quy chế này quy định nguyên tắc, nội dung, phương thức và "
                        "trách nhiệm phối hợp giữa Công an tỉnh và Sở Ngoại vụ trong quản lý, bảo đảm an "
                        "ninh, trật tự đối với các hoạt động đối ngoại trên địa bàn tỉnh Hà Giang.",
                    },
                    {
                        "number": 2,
                        "text": "Những nội dung phối hợp không nêu trong Quy chế này được thực "
                        "hiện theo quy định của pháp luật và chỉ đạo của Tỉnh ủy, Ủy ban nhân dân tỉnh.",
                    },
                ],
            },
            {
                "number": 2,
                "title": "Đối tượng áp dụng",
                "clauses": [
                    {
                        "number": 1,
                        "text": "Quy chế áp dụng đối với Công an tỉnh, Sở Ngoại vụ, các phòng "
                        "nghiệp vụ và cán bộ được giao thực hiện nhiệm vụ phối hợp của hai cơ quan.",
                    },
                    {
                        "number": 2,
                        "text": "Công an các huyện, thành phố thực hiện các nội dung phối hợp "
                        "theo phân công của Giám đốc Công an tỉnh.",
                    },
                ],
            },
            {
                "number": 3,
                "title": "Nguyên tắc phối hợp",
                "clauses": [
                    {
                        "number": 1,
                        "text": "Phối hợp trên cơ sở chức năng, nhiệm vụ, quyền hạn của mỗi "
                        "cơ quan; không làm ảnh hưởng đến hoạt động chuyên môn của nhau.",
                        "points": [
                            ("a", "Cơ quan chủ trì chịu trách nhiệm chính về kết quả công việc;"),
                            (
                                "b",
                                "Cơ quan phối hợp trả lời đúng nội dung, đúng thời hạn đã quy định;",
                            ),
                            (
                                "c",
                                "Mọi trao đổi với phía nước ngoài phải có sự thống nhất giữa hai cơ quan.",
                            ),
                        ],
                    },
                    {
                        "number": 2,
                        "text": "Bảo đảm bí mật nhà nước, giữ gìn quan hệ hữu nghị với các "
                        "nước láng giềng và tuân thủ điều ước quốc tế mà Việt Nam là thành viên.",
                    },
                    {
                        "number": 3,
                        "text": "Thời hạn trong Quy chế được tính theo ngày làm việc, trừ "
                        "trường hợp khẩn cấp được tính theo giờ.",
                    },
                ],
            },
        ],
    },
    {
        "number": 2,
        "title": "Nội dung phối hợp",
        "articles": [
            {
                "number": 4,
                "title": "Phối hợp quản lý và bảo đảm an ninh cho đoàn nước ngoài",
                "clauses": [
                    {
                        "number": 1,
                        "text": "Sở Ngoại vụ thông báo bằng văn bản cho Công an tỉnh kế hoạch, "
                        "thành phần, lịch trình của đoàn nước ngoài vào làm việc tại tỉnh; Công an tỉnh có "
                        "ý kiến về an ninh và bố trí lực lượng bảo vệ khi cần.",
                        "responsibilities": [
                            _r("NV", "lead", 5, task="Thông báo kế hoạch đón đoàn"),
                            _r("CA", "support", 3, task="Có ý kiến về an ninh, bố trí bảo vệ"),
                        ],
                    },
                    {
                        "number": 2,
                        "text": "Kết thúc chuyến thăm, hai cơ quan trao đổi tình hình phát sinh "
                        "và đề xuất biện pháp quản lý tiếp theo.",
                    },
                ],
            },
            {
                "number": 5,
                "title": "Phối hợp đấu tranh phòng, chống tội phạm có yếu tố nước ngoài",
                "clauses": [
                    {
                        "number": 1,
                        "text": "Công an tỉnh chủ trì điều tra các vụ án có yếu tố nước ngoài, "
                        "phối hợp với công an nước láng giềng theo thỏa thuận hợp tác; Sở Ngoại vụ hỗ trợ "
                        "thủ tục đối ngoại, liên hệ với cơ quan đại diện, chuyển giao tài liệu.",
                        "points": [
                            (
                                "a",
                                "Các vụ giết người, cướp tài sản có đối tượng là người nước ngoài;",
                            ),
                            (
                                "b",
                                "Các vụ mua bán người, mua bán, đánh tráo hoặc chiếm đoạt trẻ em qua biên giới;",
                            ),
                            (
                                "c",
                                "Các vụ buôn lậu, vận chuyển trái phép chất ma túy qua biên giới.",
                            ),
                        ],
                        "responsibilities": [
                            _r(
                                "CA",
                                "lead",
                                10,
                                task="Chủ trì điều tra, trao đổi với công an nước ngoài",
                            ),
                            _r("NV", "support", 5, task="Hỗ trợ thủ tục đối ngoại"),
                        ],
                    },
                    {
                        "number": 2,
                        "text": "Việc bàn giao đối tượng, nạn nhân, tang vật cho phía nước ngoài "
                        "được lập biên bản có đại diện của hai cơ quan.",
                    },
                ],
            },
            {
                "number": 6,
                "title": "Phối hợp giải quyết vụ việc an ninh, trật tự trên tuyến biên giới",
                "clauses": [
                    {
                        "number": 1,
                        "text": "Khi phát sinh vụ việc liên quan đến an ninh, trật tự trên tuyến "
                        "biên giới, Công an tỉnh chủ trì xác minh, giải quyết; Sở Ngoại vụ tham mưu về đối "
                        "ngoại và tham gia làm việc với phía nước ngoài khi cần.",
                        "responsibilities": [
                            _r("CA", "lead", 7, task="Chủ trì xác minh, giải quyết vụ việc"),
                            _r("NV", "support", 3, task="Tham mưu về đối ngoại"),
                        ],
                    },
                    {
                        "number": 2,
                        "text": "Kết quả giải quyết được thông báo cho Ủy ban nhân dân huyện "
                        "biên giới nơi xảy ra vụ việc.",
                    },
                ],
            },
            {
                "number": 7,
                "title": "Trao đổi thông tin, xác minh đối tượng",
                "clauses": [
                    {
                        "number": 1,
                        "text": "Hai cơ quan thường xuyên trao đổi thông tin về người nước ngoài "
                        "cư trú, hoạt động trên địa bàn và công dân Việt Nam có dấu hiệu vi phạm pháp luật "
                        "liên quan đến yếu tố nước ngoài.",
                    },
                    {
                        "number": 2,
                        "text": "Khi cần xác minh nhân thân, lý lịch của đối tượng với phía nước "
                        "ngoài, Công an tỉnh chủ trì lập yêu cầu; Sở Ngoại vụ chuyển yêu cầu theo kênh đối "
                        "ngoại và theo dõi trả lời.",
                        "responsibilities": [
                            _r("CA", "lead", 10, task="Lập yêu cầu xác minh"),
                            _r("NV", "support", 5, task="Chuyển yêu cầu, theo dõi trả lời"),
                        ],
                    },
                ],
            },
            {
                "number": 8,
                "title": "Giải quyết vụ việc liên quan đến người nước ngoài",
                "clauses": [
                    {
                        "number": 1,
                        "text": "Khi người nước ngoài bị bắt, tạm giữ, tạm giam hoặc bị tai nạn, "
                        "chết trên địa bàn, Công an tỉnh thông báo ngay cho Sở Ngoại vụ để thực hiện thông báo "
                        "lãnh sự theo quy định.",
                        "responsibilities": [
                            _r("CA", "lead", 1, task="Thông báo cho Sở Ngoại vụ"),
                            _r("NV", "support", 2, task="Thông báo lãnh sự"),
                        ],
                    },
                    {
                        "number": 2,
                        "text": "Sở Ngoại vụ chủ trì tiếp và trả lời cơ quan đại diện nước ngoài "
                        "về các vụ việc nêu tại khoản 1 Điều này.",
                    },
                ],
            },
            {
                "number": 9,
                "title": "Quản lý hoạt động báo chí và tổ chức phi chính phủ nước ngoài",
                "clauses": [
                    {
                        "number": 1,
                        "text": "Sở Ngoại vụ thông báo cho Công an tỉnh chương trình hoạt động của "
                        "phóng viên nước ngoài và tổ chức phi chính phủ nước ngoài tại khu vực biên giới.",
                    },
                    {
                        "number": 2,
                        "text": "Công an tỉnh nắm tình hình, kịp thời thông báo các dấu hiệu "
                        "hoạt động trái với mục đích đã đăng ký.",
                    },
                ],
            },
        ],
    },
    {
        "number": 3,
        "title": "Phương thức và trách nhiệm phối hợp",
        "articles": [
            {
                "number": 10,
                "title": "Đầu mối phối hợp",
                "clauses": [
                    {
                        "number": 1,
                        "text": "Phòng Tham mưu Công an tỉnh và Văn phòng Sở Ngoại vụ là đầu mối "
                        "tiếp nhận, phân loại và chuyển yêu cầu phối hợp đến đơn vị chức năng.",
                    },
                    {
                        "number": 2,
                        "text": "Đầu mối theo dõi, đôn đốc việc trả lời đúng thời hạn và báo cáo "
                        "lãnh đạo cơ quan khi quá hạn.",
                    },
                ],
            },
            {
                "number": 11,
                "title": "Chế độ thông tin, báo cáo",
                "clauses": [
                    {
                        "number": 1,
                        "text": "Định kỳ sáu tháng, hai cơ quan trao đổi kết quả thực hiện "
                        "Quy chế bằng văn bản.",
                    },
                    {
                        "number": 2,
                        "text": "Vụ việc phức tạp, nhạy cảm phải báo cáo ngay lãnh đạo hai cơ "
                        "quan và Ủy ban nhân dân tỉnh.",
                    },
                ],
            },
            {
                "number": 12,
                "title": "Hình thức trao đổi",
                "clauses": [
                    {
                        "number": 1,
                        "text": "Trao đổi bằng công văn, điện mật hoặc họp giao ban; trường hợp "
                        "khẩn cấp được trao đổi qua điện thoại và hoàn thiện văn bản sau.",
                    },
                    {
                        "number": 2,
                        "text": "Văn bản gửi phía nước ngoài phải được lãnh đạo hai cơ quan "
                        "thống nhất nội dung trước khi gửi.",
                    },
                ],
            },
            {
                "number": 13,
                "title": "Bảo vệ bí mật nhà nước",
                "clauses": [
                    {
                        "number": 1,
                        "text": "Tài liệu trao đổi có nội dung bí mật nhà nước được đóng dấu độ "
                        "mật và quản lý theo quy định về bảo vệ bí mật nhà nước.",
                    },
                    {
                        "number": 2,
                        "text": "Cán bộ tham gia phối hợp chỉ được tiếp cận thông tin trong phạm "
                        "vi nhiệm vụ được giao.",
                    },
                ],
            },
        ],
    },
    {
        "number": 4,
        "title": "Kinh phí, khen thưởng và xử lý vi phạm",
        "articles": [
            {
                "number": 14,
                "title": "Kinh phí thực hiện",
                "clauses": [
                    {
                        "number": 1,
                        "text": "Kinh phí thực hiện Quy chế được bố trí trong dự toán ngân sách "
                        "hằng năm của mỗi cơ quan.",
                    },
                ],
            },
            {
                "number": 15,
                "title": "Khen thưởng",
                "clauses": [
                    {
                        "number": 1,
                        "text": "Tập thể, cá nhân có thành tích trong thực hiện Quy chế được xem "
                        "xét khen thưởng theo quy định về thi đua, khen thưởng.",
                    },
                    {
                        "number": 2,
                        "text": "Giám đốc Công an tỉnh và Giám đốc Sở Ngoại vụ tặng giấy khen "
                        "cho tập thể, cá nhân của cơ quan mình tại hội nghị sơ kết, tổng kết.",
                    },
                ],
            },
            {
                "number": 16,
                "title": "Xử lý vi phạm",
                "clauses": [
                    {
                        "number": 1,
                        "text": "Tập thể, cá nhân không thực hiện đúng Quy chế, làm lộ bí mật "
                        "nhà nước hoặc chậm trả lời gây hậu quả thì bị xem xét xử lý theo quy định.",
                    },
                ],
            },
        ],
    },
    {
        "number": 5,
        "title": "Tổ chức thực hiện",
        "articles": [
            {
                "number": 17,
                "title": "Trách nhiệm thi hành",
                "clauses": [
                    {
                        "number": 1,
                        "text": "Lãnh đạo các phòng nghiệp vụ của hai cơ quan có trách nhiệm "
                        "phổ biến và tổ chức thực hiện Quy chế này.",
                    },
                    {
                        "number": 2,
                        "text": "Định kỳ ba năm, hai cơ quan tổ chức sơ kết việc thực hiện Quy chế, "
                        "đánh giá kết quả và sửa đổi, bổ sung cho phù hợp.",
                    },
                ],
            },
            {
                "number": 18,
                "title": "Hiệu lực thi hành",
                "clauses": [
                    {"number": 1, "text": "Quy chế có hiệu lực kể từ ngày ký."},
                    {
                        "number": 2,
                        "text": "Trong quá trình thực hiện, nếu có vướng mắc, các đơn vị phản ánh "
                        "về đầu mối phối hợp để báo cáo lãnh đạo hai cơ quan xem xét, sửa đổi.",
                    },
                ],
            },
        ],
    },
]

# Categories of coordination under this regulation: (code, name, kind, article, clause).
CATEGORIES = [
    ("an-hinh-su", "Vụ án hình sự phối hợp với công an nước ngoài", "joint_criminal", 5, 1),
    ("bien-gioi", "Vụ việc an ninh, trật tự trên tuyến biên giới", "border_incident", 6, 1),
    ("xac-minh", "Trao đổi, xác minh đối tượng", "verification", 7, 2),
    ("doan-vao", "Bảo đảm an ninh đoàn nước ngoài", "delegation_security", 4, 1),
    ("lanh-su", "Vụ việc liên quan đến người nước ngoài (lãnh sự)", "consular", 8, 1),
]

# Crime types with their article of the 1999 Penal Code, in force over 2008–2011.
CRIME_TYPES = [
    ("giet-nguoi", "Giết người", "Điều 93 BLHS 1999"),
    ("chiem-doat-tre-em", "Mua bán, đánh tráo hoặc chiếm đoạt trẻ em", "Điều 120 BLHS 1999"),
    ("mua-ban-nguoi", "Mua bán người", "Điều 119 BLHS 1999"),
    ("ma-tuy", "Mua bán trái phép chất ma túy", "Điều 194 BLHS 1999"),
    ("buon-lau", "Buôn lậu", "Điều 153 BLHS 1999"),
]
