"""A sample coordination regulation (quy chế phối hợp), written for the tests.

Công an tỉnh and Sở Ngoại vụ of Hà Giang, a border province: joint criminal cases with
the foreign police, border incidents, verification of persons, security of foreign
delegations, information exchange, review and commendation. The text is the
project's own; names of signers are invented.

`PARAGRAPHS` is the document paragraph by paragraph and `TEXT` the same as plain
text, one paragraph a line. `build_docx` lays it out the way an agency's Word file
looks: the header (agency names, number, national title, motto, date) and the
signatures in borderless tables, the rest as body paragraphs in the layout the
exporter writes ("Chương I" / title, "Mục 1" / title, "Điều 1. Title", "1. …", "a) …").
The .docx also carries what Word files carry and plain text does not: headings split
over several runs, a non-breaking space in "Điều 12" and a tab after one clause
number. The committed tests/data/quy-che-phoi-hop-mau.docx is its output; rebuild it
with ``python -m tests.data.sample_regulation``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

DOCX_PATH = Path(__file__).with_name("quy-che-phoi-hop-mau.docx")

HEADER_LEFT = [
    "CÔNG AN TỈNH HÀ GIANG",
    "SỞ NGOẠI VỤ TỈNH HÀ GIANG",
    "Số: 02/QCPH-CAT-SNgV",
]
HEADER_RIGHT = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Hà Giang, ngày 02 tháng 12 năm 2011",
]

TITLE = (
    "Phối hợp giữa Công an tỉnh và Sở Ngoại vụ tỉnh Hà Giang trong công tác bảo đảm an ninh, "
    "trật tự, đấu tranh phòng, chống tội phạm có yếu tố nước ngoài và quản lý các hoạt động "
    "đối ngoại trên địa bàn tỉnh"
)

PREAMBLE = [
    "QUY CHẾ",
    TITLE,
    "Căn cứ chức năng, nhiệm vụ, quyền hạn của Công an tỉnh và Sở Ngoại vụ tỉnh Hà Giang;",
    "Giám đốc Công an tỉnh và Giám đốc Sở Ngoại vụ thống nhất ban hành Quy chế phối hợp với "
    "các nội dung sau:",
]

# One paragraph a line.
BODY = """
Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Quy chế này quy định nguyên tắc, nội dung, phương thức và trách nhiệm phối hợp giữa Công an tỉnh và Sở Ngoại vụ trong đấu tranh phòng, chống tội phạm có yếu tố nước ngoài, giải quyết vụ việc an ninh, trật tự trên tuyến biên giới, xác minh đối tượng, bảo đảm an ninh cho các đoàn nước ngoài, trao đổi thông tin và khen thưởng trong thực hiện Quy chế.
Điều 2. Đối tượng áp dụng
1. Công an tỉnh, Sở Ngoại vụ và các phòng, đơn vị trực thuộc được giao nhiệm vụ phối hợp.
2. Công an các huyện, thành phố và cán bộ, chiến sĩ, công chức của hai cơ quan tham gia thực hiện Quy chế.
Điều 3. Giải thích từ ngữ
Trong Quy chế này, các từ ngữ dưới đây được hiểu như sau:
1. Vụ án có yếu tố nước ngoài là vụ án hình sự mà người phạm tội, người bị hại hoặc tài sản, chứng cứ có liên quan đến nước ngoài hoặc người nước ngoài.
2. Vụ việc trên tuyến biên giới là sự việc xảy ra trong khu vực biên giới đất liền Việt Nam - Trung Quốc thuộc địa bàn tỉnh, có ảnh hưởng đến an ninh, trật tự hoặc quan hệ giữa hai bên.
3. Đối tượng là người có dấu hiệu vi phạm pháp luật, người bị hại hoặc người cần xác minh nhân thân, lý lịch theo đề nghị của cơ quan có thẩm quyền trong nước hoặc phía nước ngoài.
4. Cơ quan chủ trì là cơ quan chịu trách nhiệm chính trong thực hiện một nội dung phối hợp; cơ quan phối hợp là cơ quan tham gia, hỗ trợ theo đề nghị của cơ quan chủ trì.
Điều 4. Nguyên tắc phối hợp
1. Việc phối hợp được thực hiện trên cơ sở chức năng, nhiệm vụ, quyền hạn của mỗi cơ quan, bảo đảm:
a) Tuân thủ Hiến pháp, pháp luật Việt Nam và điều ước quốc tế mà Việt Nam là thành viên;
b) Chủ động, kịp thời, chặt chẽ, đúng thẩm quyền;
c) Không làm ảnh hưởng đến hoạt động chuyên môn của mỗi cơ quan;
d) Giữ gìn quan hệ hữu nghị, hợp tác với chính quyền và nhân dân các địa phương nước láng giềng.
2. Mọi trao đổi với phía nước ngoài về nội dung phối hợp phải có sự thống nhất giữa hai cơ quan trước khi thực hiện.
3. Bảo vệ bí mật nhà nước, bí mật công tác và thông tin cá nhân của người được xác minh theo quy định của pháp luật.
Điều 5. Cách tính thời hạn
1. Thời hạn trong Quy chế này được tính theo ngày làm việc, không kể ngày nghỉ hằng tuần và ngày nghỉ lễ, Tết theo quy định.
2. Đối với vụ việc khẩn cấp, thời hạn được tính theo giờ, kể từ thời điểm cơ quan phối hợp nhận được đề nghị.
Chương II
NỘI DUNG PHỐI HỢP
Mục 1
PHỐI HỢP ĐẤU TRANH PHÒNG, CHỐNG TỘI PHẠM VÀ GIẢI QUYẾT VỤ VIỆC TRÊN TUYẾN BIÊN GIỚI
Điều 6. Phối hợp điều tra vụ án hình sự có yếu tố nước ngoài
1. Công an tỉnh chủ trì, phối hợp với Sở Ngoại vụ trao đổi với công an các địa phương giáp biên của nước láng giềng để điều tra, làm rõ các vụ án có yếu tố nước ngoài, trọng tâm là:
a) Các vụ giết người, cố ý gây thương tích có người phạm tội hoặc người bị hại là người nước ngoài;
b) Các vụ bắt cóc, chiếm đoạt, mua bán trẻ em qua biên giới;
c) Các vụ mua bán người, đưa người xuất cảnh trái phép;
d) Các vụ mua bán, vận chuyển trái phép chất ma túy qua biên giới;
đ) Các vụ buôn lậu, vận chuyển trái phép hàng hóa, vũ khí qua biên giới.
2. Sở Ngoại vụ hướng dẫn thủ tục đối ngoại, chuyển giao văn bản, tài liệu cho phía nước ngoài trong thời hạn 05 ngày làm việc kể từ ngày nhận được đề nghị của Công an tỉnh.
3. Kết quả điều tra, xử lý vụ án được Công an tỉnh thông báo cho Sở Ngoại vụ để phối hợp trả lời phía nước ngoài khi có yêu cầu.
Việc thông báo thực hiện bằng văn bản, có chữ ký của lãnh đạo Công an tỉnh.
Điều 7. Bàn giao đối tượng, nạn nhân và tang vật
1. Việc bàn giao, tiếp nhận đối tượng, nạn nhân, tang vật với phía nước ngoài được thực hiện tại cửa khẩu theo thỏa thuận giữa hai bên, có biên bản ký xác nhận.
2. Sở Ngoại vụ phối hợp thông báo kế hoạch bàn giao cho cơ quan có thẩm quyền của nước láng giềng chậm nhất 03 ngày làm việc trước ngày bàn giao.
3. Nạn nhân là phụ nữ, trẻ em bị mua bán được tiếp nhận, bảo vệ và hỗ trợ hòa nhập cộng đồng theo quy định.
Điều 8. Phối hợp giải quyết vụ việc an ninh, trật tự trên tuyến biên giới
1. Khi phát sinh vụ việc trên tuyến biên giới, Công an tỉnh chủ trì, phối hợp với Sở Ngoại vụ và Bộ Chỉ huy Bộ đội Biên phòng tỉnh xác minh, giải quyết; báo cáo ban đầu gửi lãnh đạo hai cơ quan trong vòng 24 giờ.
2. Vụ việc có khả năng ảnh hưởng đến quan hệ hai nước do Sở Ngoại vụ chủ trì tham mưu Ủy ban nhân dân tỉnh hướng xử lý và trao đổi với phía nước ngoài.
3. Kết quả giải quyết được thông báo cho Ủy ban nhân dân huyện nơi xảy ra vụ việc.
Điều 9. Giải quyết vụ việc liên quan đến người nước ngoài
1. Khi người nước ngoài bị bắt, tạm giữ, tạm giam, bị tai nạn hoặc chết trên địa bàn tỉnh, Công an tỉnh thông báo ngay cho Sở Ngoại vụ để thực hiện thông báo lãnh sự.
2. Sở Ngoại vụ chủ trì thông báo cho cơ quan đại diện nước ngoài theo quy định về lãnh sự:
a) Đối với công dân Trung Quốc: thông báo sớm nhất có thể;
b) Đối với công dân Ô-xtrây-li-a: trong vòng 48 giờ;
c) Đối với công dân Hoa Kỳ: trong vòng 72 giờ;
d) Các trường hợp khác: theo điều ước quốc tế hoặc nguyên tắc có đi có lại.
3. Việc cơ quan đại diện nước ngoài thăm lãnh sự công dân bị tạm giữ, tạm giam do Công an tỉnh chủ trì tổ chức, Sở Ngoại vụ phối hợp.
Mục 2
PHỐI HỢP XÁC MINH, TRAO ĐỔI THÔNG TIN VÀ BẢO ĐẢM AN NINH ĐOÀN NƯỚC NGOÀI
Điều 10. Xác minh nhân thân, lý lịch đối tượng
1. Khi cần xác minh nhân thân, lý lịch của đối tượng với phía nước ngoài, Công an tỉnh gửi đề nghị kèm thông tin nhận dạng; Sở Ngoại vụ phối hợp chuyển đề nghị và theo dõi kết quả, trả lời chậm nhất 07 ngày làm việc.
2. Tên người nước ngoài được ghi đồng thời bằng chữ gốc, phiên âm La-tinh và âm Hán Việt (nếu có) để tra cứu, đối chiếu.
3. Kết quả xác minh được cập nhật vào hồ sơ đối tượng và thông báo cho đơn vị đề nghị.
Điều 11. Trao đổi thông tin
1. Hai cơ quan thường xuyên trao đổi thông tin về:
a) Tình hình người nước ngoài nhập cảnh, cư trú, hoạt động trên địa bàn tỉnh;
b) Âm mưu, phương thức, thủ đoạn hoạt động của tội phạm xuyên biên giới;
c) Chủ trương, kế hoạch hợp tác quốc tế của tỉnh với các địa phương nước láng giềng.
2. Thông tin khẩn cấp được trao đổi ngay qua điện thoại và được xác nhận lại bằng văn bản trong vòng 24 giờ.
Điều 12. Bảo đảm an ninh cho đoàn nước ngoài
1. Sở Ngoại vụ chủ trì, thông báo bằng văn bản cho Công an tỉnh kế hoạch, thành phần, lịch trình của đoàn nước ngoài vào làm việc tại tỉnh chậm nhất 05 ngày làm việc trước ngày đoàn đến.
2. Công an tỉnh có trách nhiệm phối hợp, có ý kiến về an ninh và bố trí lực lượng bảo vệ phù hợp với tính chất của từng đoàn:
a) Đoàn cấp cao: xây dựng phương án bảo vệ riêng;
Phương án bảo vệ do lãnh đạo Công an tỉnh phê duyệt.
b) Đoàn cấp tỉnh, cấp huyện: bảo đảm an ninh, trật tự tại nơi làm việc và nơi lưu trú;
c) Đoàn doanh nghiệp, tổ chức phi chính phủ: nắm tình hình và hướng dẫn chấp hành quy định về cư trú.
3. Kết thúc chuyến thăm, hai cơ quan trao đổi tình hình phát sinh và đề xuất biện pháp quản lý tiếp theo.
Điều 13. Quản lý hoạt động báo chí, tổ chức phi chính phủ nước ngoài
1. Sở Ngoại vụ thông báo cho Công an tỉnh chương trình hoạt động của phóng viên nước ngoài và tổ chức phi chính phủ nước ngoài trên địa bàn tỉnh.
2. Công an tỉnh nắm tình hình, kịp thời thông báo cho Sở Ngoại vụ các dấu hiệu hoạt động không đúng mục đích đã đăng ký.
Chương III
PHƯƠNG THỨC PHỐI HỢP
Điều 14. Đầu mối phối hợp
1. Phòng Tham mưu Công an tỉnh và Văn phòng Sở Ngoại vụ là đầu mối, tiếp nhận và chuyển đề nghị phối hợp đến đơn vị chủ trì.
2. Đầu mối theo dõi, đôn đốc việc trả lời đúng thời hạn và báo cáo lãnh đạo cơ quan các trường hợp chậm trả lời.
Điều 15. Hình thức phối hợp
Việc phối hợp được thực hiện bằng các hình thức sau:
1. Trao đổi bằng văn bản, điện mật hoặc qua hệ thống thông tin nội bộ được bảo mật.
2. Họp giao ban, họp liên ngành hoặc tổ chức đoàn công tác liên ngành.
3. Trao đổi trực tiếp giữa lãnh đạo hai cơ quan trong trường hợp khẩn cấp, sau đó thể hiện bằng văn bản.
Điều 16. Chế độ giao ban, báo cáo
1. Định kỳ sáu tháng, hai cơ quan tổ chức giao ban đánh giá kết quả phối hợp; Công an tỉnh và Sở Ngoại vụ luân phiên chủ trì.
2. Vụ việc phức tạp, nhạy cảm phải báo cáo ngay lãnh đạo hai cơ quan và Ủy ban nhân dân tỉnh.
Điều 17. Bảo vệ bí mật nhà nước
1. Tài liệu trao đổi có nội dung bí mật nhà nước được xác định độ mật, quản lý, sử dụng theo quy định về bảo vệ bí mật nhà nước.
2. Cán bộ tham gia phối hợp chỉ được tiếp cận thông tin trong phạm vi nhiệm vụ được giao; mọi lần truy cập thông tin cá nhân của đối tượng phải được ghi lại.
Chương IV
TRÁCH NHIỆM CỦA CÁC BÊN
Điều 18. Trách nhiệm của Công an tỉnh
1. Chủ trì các nội dung phối hợp thuộc lĩnh vực bảo đảm an ninh quốc gia, trật tự, an toàn xã hội quy định tại Quy chế này.
2. Phân công lãnh đạo và cán bộ theo dõi, thực hiện Quy chế tại các phòng nghiệp vụ và Công an các huyện, thành phố.
3. Cung cấp cho Sở Ngoại vụ thông tin cần thiết phục vụ công tác đối ngoại của tỉnh.
Điều 19. Trách nhiệm của Sở Ngoại vụ
1. Chủ trì các nội dung phối hợp thuộc lĩnh vực đối ngoại, lãnh sự và quản lý đoàn ra, đoàn vào.
2. Hướng dẫn nghiệp vụ đối ngoại cho cán bộ Công an tỉnh khi làm việc với phía nước ngoài.
3. Thông báo kịp thời cho Công an tỉnh các thông tin liên quan đến an ninh, trật tự thu thập được qua hoạt động đối ngoại.
Điều 20. Kinh phí thực hiện
Kinh phí thực hiện Quy chế được bố trí trong dự toán ngân sách hằng năm của mỗi cơ quan theo quy định của pháp luật về ngân sách nhà nước.
Chương V
SƠ KẾT, TỔNG KẾT VÀ KHEN THƯỞNG
Điều 21. Sơ kết, tổng kết
1. Hằng năm, hai cơ quan sơ kết việc thực hiện Quy chế; định kỳ ba năm tổ chức hội nghị tổng kết, đánh giá kết quả, rút kinh nghiệm và sửa đổi, bổ sung Quy chế cho phù hợp.
2. Số liệu sơ kết, tổng kết được tổng hợp từ các hồ sơ phối hợp đã kết thúc trong kỳ, gồm:
a) Số vụ án hình sự có yếu tố nước ngoài đã điều tra, làm rõ;
b) Số vụ việc an ninh, trật tự trên tuyến biên giới đã giải quyết;
c) Số đối tượng đã trao đổi thông tin, xác minh;
d) Số đoàn nước ngoài đã được bảo đảm an ninh.
3. Phòng Tham mưu Công an tỉnh chủ trì, phối hợp với Văn phòng Sở Ngoại vụ chuẩn bị báo cáo và tổ chức hội nghị.
Điều 22. Khen thưởng
1. Tập thể, cá nhân có thành tích xuất sắc trong thực hiện Quy chế được xem xét khen thưởng theo quy định của pháp luật về thi đua, khen thưởng.
2. Giám đốc Công an tỉnh và Giám đốc Sở Ngoại vụ tặng giấy khen cho tập thể, cá nhân của cơ quan mình và của cơ quan phối hợp có thành tích tiêu biểu.
3. Trường hợp có thành tích đặc biệt xuất sắc, hai cơ quan thống nhất đề nghị cấp trên khen thưởng.
Điều 23. Xử lý vi phạm
Tập thể, cá nhân không thực hiện đúng Quy chế, làm lộ bí mật nhà nước hoặc gây ảnh hưởng đến quan hệ đối ngoại thì tùy theo tính chất, mức độ sẽ bị xử lý theo quy định.
Chương VI
ĐIỀU KHOẢN THI HÀNH
Điều 24. Hiệu lực thi hành
1. Quy chế này có hiệu lực kể từ ngày ký và thay thế Quy chế phối hợp số 01/QCPH-CAT-SNgV ngày 02 tháng 12 năm 2008.
2. Trong quá trình thực hiện, nếu có vướng mắc, hai cơ quan trao đổi, thống nhất sửa đổi, bổ sung Quy chế cho phù hợp.
Điều 25. Tổ chức thực hiện
1. Trưởng các phòng nghiệp vụ, Trưởng Công an các huyện, thành phố và Chánh Văn phòng Sở Ngoại vụ có trách nhiệm tổ chức thực hiện Quy chế này.
2. Phòng Tham mưu Công an tỉnh và Văn phòng Sở Ngoại vụ giúp lãnh đạo hai cơ quan theo dõi, đôn đốc, kiểm tra việc thực hiện Quy chế./.
""".strip().splitlines()

# The two signatures, side by side: Sở Ngoại vụ on the left, Công an tỉnh on the right.
SIGNERS = [
    ["GIÁM ĐỐC SỞ NGOẠI VỤ", "(Đã ký)", "Hoàng Văn Tiến"],
    ["GIÁM ĐỐC CÔNG AN TỈNH", "(Đã ký)", "Nông Đức Bình"],
]
RECIPIENTS = [
    "Nơi nhận:",
    "- Bộ Công an (để báo cáo);",
    "- Bộ Ngoại giao (để báo cáo);",
    "- Thường trực Tỉnh ủy, UBND tỉnh (để báo cáo);",
    "- Như Điều 25;",
    "- Lưu: VT CAT, VT SNgV.",
]

PARAGRAPHS = [
    *HEADER_LEFT,
    *HEADER_RIGHT,
    *PREAMBLE,
    *BODY,
    *(line for signer in SIGNERS for line in signer),
    *RECIPIENTS,
]
TEXT = "\n".join(PARAGRAPHS) + "\n"

# Counted by hand from BODY, not by the importer.
EXPECTED = {
    "chapters": 6,
    "sections": 2,
    "articles": 25,
    "clauses": 58,
    "points": 23,
}

_CHAPTER_OR_SECTION = re.compile(r"^(Chương|Mục) ")
_ARTICLE = re.compile(r"^(Điều \d+\.) (.*)$")


def build_docx(path: Path | str) -> Path:
    """Write the sample as a .docx laid out like an agency's file; returns the path."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)
    core = document.core_properties
    core.title = "Quy chế phối hợp (mẫu kiểm thử)"
    core.author = core.last_modified_by = "phoihop"
    core.created = core.modified = dt.datetime(2011, 12, 2, 8, 0)
    core.revision = 1

    _table(document, [HEADER_LEFT, HEADER_RIGHT], bold_first=True)
    _centred(document, PREAMBLE[0], bold=True)
    _centred(document, PREAMBLE[1], bold=True)
    for line in PREAMBLE[2:]:
        document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    heading_title_next = False
    for line in BODY:
        if heading_title_next:
            _centred(document, line, bold=True)
            heading_title_next = False
        elif _CHAPTER_OR_SECTION.match(line):
            _centred(document, line, bold=True)
            heading_title_next = True
        elif match := _ARTICLE.match(line):
            paragraph = document.add_paragraph()
            label = match[1].replace("Điều 12", "Điều\u00a012")
            paragraph.add_run(label).bold = True
            paragraph.add_run(" ")
            paragraph.add_run(match[2]).bold = True
        elif line.startswith("1. Công an tỉnh, Sở Ngoại vụ và các phòng"):
            paragraph = document.add_paragraph()
            paragraph.add_run("1.").add_tab()
            paragraph.add_run(line.removeprefix("1. "))
        else:
            document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    _table(document, SIGNERS, bold_first=True)
    for line in RECIPIENTS:
        paragraph = document.add_paragraph()
        run = paragraph.add_run(line)
        run.font.size = Pt(11)
        run.bold = line == RECIPIENTS[0]
    path = Path(path)
    document.save(path)
    return path


def _centred(document, text: str, *, bold: bool = False) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(text).bold = bold


def _table(document, columns: list[list[str]], *, bold_first: bool) -> None:
    """One row, a column per block of lines, as Word headers and signature blocks are laid out."""
    table = document.add_table(rows=1, cols=len(columns))
    for cell, lines in zip(table.rows[0].cells, columns, strict=True):
        for position, line in enumerate(lines):
            paragraph = cell.paragraphs[0] if position == 0 else cell.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run(line).bold = bold_first and position == 0


if __name__ == "__main__":
    print(build_docx(DOCX_PATH))
