import json

from django.core.management.base import BaseCommand, CommandError

from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM
from phoihop.regulations.models import Regulation
from phoihop.reviews.choices import ReviewKind
from phoihop.reviews.management.commands.stats import _date
from phoihop.reviews.services import headline, review_open


class Command(BaseCommand):
    help = "Sơ kết, tổng kết: mở một đợt và chốt số liệu của kỳ (create)."

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

    def handle(self, *args, **options):
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
