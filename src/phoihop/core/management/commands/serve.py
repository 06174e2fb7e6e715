from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Chạy máy chủ web nhúng (mặc định 127.0.0.1:8000), phục vụ cả tệp tĩnh."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, **options):
        call_command(
            "runserver",
            options["addrport"],
            use_reloader=False,
            insecure_serving=True,
            use_threading=True,
        )
