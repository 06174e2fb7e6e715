import atexit
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Chạy máy chủ web nhúng (mặc định 127.0.0.1:8000), phục vụ cả tệp tĩnh, cùng một "
        "tiến trình làm việc nền (phoihop worker) bên cạnh."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="không chạy kèm tiến trình làm việc nền (khi đã chạy phoihop worker riêng)",
        )

    def handle(self, *args, **options):
        # The public deployment (--site public) has no background work to do.
        public = getattr(settings, "PHOIHOP_SITE", "office") == "public"
        if public:
            self.stdout.write(f"Trang tin công khai: http://{options['addrport']}/tin-tuc/")
        elif not options["no_worker"]:
            self._start_worker()
        call_command(
            "runserver",
            options["addrport"],
            use_reloader=False,
            insecure_serving=True,
            use_threading=True,
        )

    def _start_worker(self) -> None:
        # Background work (imports) needs a worker; the embedded server brings its own,
        # stopped when the server stops.
        worker = subprocess.Popen(
            [sys.executable, "-m", "phoihop.cli", "worker", "--verbosity", "0"]
        )

        def stop() -> None:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()

        atexit.register(stop)
        self.stdout.write(f"Tiến trình làm việc nền đang chạy (pid {worker.pid}).")
