import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM
from phoihop.regulations.models import Regulation
from phoihop.reviews import report
from phoihop.reviews.choices import ReviewKind
from phoihop.reviews.management.commands.stats import _date
from phoihop.reviews.models import Review
from phoihop.reviews.services import headline, review_open

# --classification: the mark printed on the report (Decree 30: "MẬT", "TỐI MẬT", "TUYỆT MẬT").
CLASSIFICATIONS = {
    "thuong": Classification.THUONG,
    "mat": Classification.MAT,
    "toi-mat": Classification.TOI_MAT,
    "tuyet-mat": Classification.TUYET_MAT,
}


class Command(BaseCommand):
    help = (
        "Sơ kết, tổng kết: mở một đợt và chốt số liệu của kỳ (create); "
        "xuất báo cáo DOCX hoặc PDF của một đợt (report)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        create = sub.add_parser("create", help="mở đợt sơ kết, tổng kết và chốt số liệu")
        create.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
        create.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD")
        create.add_argument(
            "--regulation", help="mã quy chế; bỏ trống khi chỉ có một quy chế đang có hiệu lực"
        )
        create.add_argument(
            "--kind", choices=ReviewKind.values, default=ReviewKind.INTERIM, help="so_ket|tong_ket"
        )
        create.add_argument("--title", default="")
        create.add_argument("--json", action="store_true")
        out = sub.add_parser(
            "report", help="xuất báo cáo của đợt theo thể thức Nghị định 30/2020/NĐ-CP"
        )
        out.add_argument("--review", type=int, required=True, help="số (id) của đợt")
        out.add_argument(
            "--format", choices=sorted(report.FORMATS), help="docx|pdf; mặc định theo đuôi tệp -o"
        )
        out.add_argument("-o", "--output", required=True, help="tệp ghi ra")
        out.add_argument(
            "--date", help="ngày ký báo cáo, YYYY-MM-DD hoặc dd/mm/yyyy (mặc định: hôm nay)"
        )
        out.add_argument(
            "--classification",
            choices=list(CLASSIFICATIONS),
            default=None,
            help="độ mật in trên báo cáo, nếu cao hơn độ mật của đợt (mặc định: độ mật của đợt)",
        )

    def handle(self, *args, **options):
        if options["operation"] == "report":
            return self._report(options)
        regulation = self._regulation(options["regulation"])
        try:
            review = review_open(
                actor=SYSTEM,
                regulation=regulation,
                date_from=_date(options["date_from"]),
                date_to=_date(options["date_to"]),
                kind=options["kind"],
                title=options["title"],
            )
        except ServiceError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "id": review.pk,
                        "title": review.title,
                        "warnings": review.warnings,
                        **headline(review.statistics),
                    },
                    ensure_ascii=False,
                )
            )
            return
        self.stdout.write(f"Đã mở đợt #{review.pk}: {review.title}")
        for warning in review.warnings:
            self.stdout.write(f"Lưu ý: {warning}")
        for key, value in headline(review.statistics).items():
            self.stdout.write(f"  {key}: {value}")

    def _report(self, options):
        output = Path(options["output"])
        fmt = options["format"] or output.suffix.lstrip(".").lower()
        if fmt not in report.FORMATS:
            raise CommandError("Chọn --format docx hoặc pdf (hoặc đặt tên tệp -o đuôi .docx/.pdf)")
        review = Review.objects.select_related("regulation").filter(pk=options["review"]).first()
        if review is None:
            raise CommandError(f"Không có đợt sơ kết, tổng kết số {options['review']}")
        started = time.perf_counter()
        content, _type, _name = report.render(
            review,
            fmt,
            issued_on=_date(options["date"]) if options["date"] else None,
            classification=CLASSIFICATIONS.get(options["classification"]),
        )
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(
                f"Không ghi được tệp {output}: thư mục không tồn tại hoặc không có quyền ghi "
                f"({exc.strerror})"
            ) from exc
        size = f"{len(content):,}".replace(",", ".")
        seconds = f"{time.perf_counter() - started:.2f}".replace(".", ",")
        self.stdout.write(f"Đã ghi {output} ({size} byte, {seconds} s)")

    @staticmethod
    def _regulation(code):
        if code:
            regulation = Regulation.objects.filter(code=code).first()
            if regulation is None:
                raise CommandError(f"Không có quy chế mã {code!r}")
            return regulation
        regulations = list(Regulation.objects.all()[:2])
        if len(regulations) != 1:
            raise CommandError("Có nhiều quy chế: chọn bằng --regulation MÃ")
        return regulations[0]
