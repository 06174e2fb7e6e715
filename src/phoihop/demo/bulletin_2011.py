"""The demo's public news: the article on the 2011 review and the new regulation, and its comments.

The figures of the article come from the review (the newsroom's draft from the review,
computed from the dossiers); what is written here is the desk's own text around them,
and the readers' comments under it: approved ones (one answered by the agency),
ones still waiting for a moderator, and spam.
"""

import datetime as dt

# When the article goes out: three days after the conference, morning in Hà Giang.
PUBLISH_AT = dt.datetime(2011, 12, 5, 1, 30, tzinfo=dt.UTC)

TITLE = "Công an tỉnh và Sở Ngoại vụ Hà Giang sơ kết 3 năm phối hợp, ký quy chế mới"

LEAD = (
    "Ngày 02/12/2011, Công an tỉnh và Sở Ngoại vụ tỉnh Hà Giang tổ chức hội nghị sơ kết "
    "3 năm thực hiện quy chế phối hợp giai đoạn 2008 – 2011 và ký quy chế phối hợp mới cho "
    "giai đoạn tiếp theo."
)

# Added by the editor after the review's figures (the draft's text is kept above it).
CLOSING = """
## Quy chế mới

Trên cơ sở các đề xuất của các phòng nghiệp vụ, hai ngành đã sửa đổi những điều khoản
về trao đổi thông tin, thời hạn trả lời và đầu mối liên lạc, rồi ký quy chế phối hợp mới
ngay tại hội nghị. Quy chế có hiệu lực từ ngày ký.

## Khen thưởng

Những phòng và cán bộ làm tốt việc phối hợp trong ba năm qua được ghi nhận bằng giấy khen
của Giám đốc Công an tỉnh và Giám đốc Sở Ngoại vụ, trao ngay tại hội nghị.
"""

TAGS = "Sơ kết, Quy chế phối hợp, Biên giới, Hợp tác quốc tế"

# (name, e-mail, text, status, minutes after publication, answer of the agency or "")
COMMENTS = [
    (
        "Trần Văn Hùng",
        "tvhung@example.vn",
        "Mừng cho sự phối hợp của hai ngành, nhất là những vụ tìm lại được trẻ em bị bắt cóc "
        "đưa sang bên kia biên giới. Mong quy chế mới tiếp tục phát huy.",
        "approved",
        95,
        "",
    ),
    (
        "Lò Thị Mai",
        "lothimai@example.vn",
        "Bà con ở các xã biên giới muốn biết nên báo tin cho ai khi thấy người lạ qua lại "
        "đường mòn ban đêm. Có số điện thoại nào không?",
        "approved",
        240,
        "Cảm ơn bạn đọc. Bà con có thể báo ngay cho Công an xã hoặc Đồn Biên phòng gần nhất; "
        "số điện thoại trực được niêm yết tại trụ sở Ủy ban nhân dân các xã biên giới.",
    ),
    (
        "Nguyễn Minh Đức",
        "ducnm@example.vn",
        "Bài viết rõ ràng. Đề nghị đăng toàn văn những điểm mới của quy chế để người dân "
        "và doanh nghiệp làm ăn qua cửa khẩu được biết.",
        "approved",
        610,
        "",
    ),
    (
        "Hoàng Văn Sinh",
        "hvsinh@example.vn",
        "Cho tôi hỏi: người dân muốn xác minh nhân thân của người nước ngoài trước khi kết "
        "hôn thì nộp hồ sơ ở đâu?",
        "pending",
        1500,
        "",
    ),
    (
        "Vàng Mí Páo",
        "",
        "Cảm ơn các cán bộ đã giúp gia đình tôi đón người thân trở về.",
        "pending",
        1720,
        "",
    ),
    (
        "Vay nhanh 24h",
        "vaynhanh@example.com",
        "Vay tiền nhanh không cần thế chấp, giải ngân trong ngày, lãi suất thấp! "
        "Liên hệ http://vay-nhanh.example",
        "spam",
        2000,
        "",
    ),
    (
        "Dịch vụ SEO giá rẻ",
        "seo@example.com",
        "Tăng lượt xem, lượt thích cho trang của bạn chỉ từ 99.000 đồng. Xem ngay "
        "http://seo.example",
        "spam",
        2100,
        "",
    ),
]

# The public site's moderator and the desk's editor who answers in the agency's name.
MODERATORS = [
    ("kiemduyet", "Phạm Thị Lan", "moderator"),
    ("bientap", "Ban biên tập Sở Ngoại vụ", "editor"),
]
