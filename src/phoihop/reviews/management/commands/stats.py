import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from phoihop.accounts.models import User
from phoihop.core.policy import SYSTEM
from phoihop.regulations.models import Regulation
from phoihop.reviews.statistics import compute_statistics


def _date(value: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
    raise CommandError(f"Ngày không hợp lệ: {value!r} (dùng YYYY-MM-DD hoặc dd/mm/yyyy)")


class Command(BaseCommand):
    help = "Thống kê kết quả phối hợp trong một kỳ, tính từ dữ liệu hồ sơ."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD")
        parser.add_argument("--regulation", help="mã quy chế, ví dụ QCPH-2008")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
        parser.add_argument(
            "--as",
            dest="as_user",
            help="tính theo quyền của người dùng này (mặc định: tác vụ hệ thống, thấy toàn bộ)",
        )

    def handle(self, *args, **options):
        date_from, date_to = _date(options["date_from"]), _date(options["date_to"])
        if date_to < date_from:
            raise CommandError("--to phải sau --from")
        regulation = None
        if options["regulation"]:
            regulation = Regulation.objects.filter(code=options["regulation"]).first()
            if regulation is None:
                raise CommandError(f"Không có quy chế mã {options['regulation']!r}")
        actor = SYSTEM
        if options["as_user"]:
            actor = User.objects.filter(username=options["as_user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"Không có người dùng đang hoạt động {options['as_user']!r}")
        stats = compute_statistics(
            actor=actor, date_from=date_from, date_to=date_to, regulation=regulation
        )
        if options["json"]:
            self.stdout.write(json.dumps(stats, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"Kỳ: {date_from:%d/%m/%Y} – {date_to:%d/%m/%Y}")
        self.stdout.write(f"Vụ án hình sự phối hợp làm rõ: {stats['joint_criminal_cases_cleared']}")
        for row in stats["by_crime_type"]:
            self.stdout.write(f"  - {row['name']} ({row['penal_code_article']}): {row['count']}")
        self.stdout.write(f"Vụ việc biên giới đã giải quyết: {stats['border_incidents_resolved']}")
        self.stdout.write(f"Đối tượng đã trao đổi, xác minh: {stats['subjects_verified']}")
        self.stdout.write(
            f"Hoạt động đối ngoại: {stats['activities_incoming_secured']} đoàn vào, "
            f"{stats['activities_outgoing']} đoàn ra, {stats['activities_events']} sự kiện; "
            f"{stats['activity_incidents']} vụ việc phát sinh trong hoạt động"
        )
