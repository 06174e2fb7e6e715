import json

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from phoihop.audit import guard
from phoihop.demo import hagiang, pki


class Command(BaseCommand):
    help = "Nạp dữ liệu trình diễn Hà Giang 2008–2011 (--reset: xóa toàn bộ dữ liệu rồi nạp lại)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="xóa toàn bộ dữ liệu hiện có rồi nạp lại"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        if options["reset"]:
            # Wiping the demo wipes its audit trail too: lift the append-only
            # guard for the flush only.
            guard.remove(connection)
            call_command("flush", interactive=False, verbosity=0)
            guard.install(connection)
            connection.close()
        elif hagiang.is_loaded():
            raise CommandError("Dữ liệu trình diễn đã có; dùng --reset để nạp lại.")
        counts = hagiang.load(pki_dir=pki.default_dir())
        certificates = pki.demo_files(pki.default_dir())
        if options["json"]:
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(
                "Đã nạp: {dossiers} hồ sơ, {subjects} đối tượng, {verifications} yêu cầu xác minh.".format(
                    **counts
                )
            )
            self.stdout.write(f"Tài khoản trình diễn (mật khẩu: {hagiang.DEMO_PASSWORD}):")
            for line in hagiang.account_lines():
                self.stdout.write(line)
            for line in pki.pki_lines(certificates):
                self.stdout.write(line)
