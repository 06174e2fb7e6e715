"""`phoihop worker`: work the background queue (django-tasks, database backend).

Imports of persons run here; later, periodic jobs too. `phoihop serve` starts one
beside the web server; in production run one or more as their own service.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Chạy hàng đợi việc nền (ghi tệp nhập đối tượng…). --batch: làm hết việc đang chờ rồi dừng."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="làm hết việc đang chờ rồi dừng (không chờ thêm)"
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="số giây chờ giữa hai lần xem hàng đợi khi không có việc (mặc định 1)",
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="dừng sau chừng ấy việc")

    def handle(self, *args, **options):
        if options["max_tasks"] is not None and options["max_tasks"] < 1:
            raise CommandError("--max-tasks phải là số nguyên dương.")
        call_command(
            "db_worker",
            batch=options["batch"],
            interval=max(options["interval"], 0.0),
            max_tasks=options["max_tasks"],
            reload=False,
            startup_delay=False,
            verbosity=options["verbosity"],
            stdout=self.stdout,
            stderr=self.stderr,
        )
