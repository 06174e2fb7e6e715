from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from phoihop.demo import hagiang, pki


class Command(BaseCommand):
    help = "Chuẩn bị cơ sở dữ liệu: migrate; nạp dữ liệu trình diễn khi cơ sở dữ liệu còn trống."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args, **options):
        call_command("migrate", verbosity=0, interactive=False)
        if options["no_demo"] or not settings.PHOIHOP_DEMO:
            return
        if not hagiang.is_loaded():
            self.stdout.write("Đang nạp dữ liệu trình diễn Hà Giang 2008–2011…")
            # The demo CA and the heads' certificates are made while loading: the
            # directors sign the 2011 regulation with them.
            counts = hagiang.load(pki_dir=pki.default_dir())
            certificates = pki.demo_files(pki.default_dir())
            self.stdout.write(
                "Đã nạp: {dossiers} hồ sơ, {subjects} đối tượng, {verifications} yêu cầu xác minh.".format(
                    **counts
                )
            )
            for line in pki.pki_lines(certificates):
                self.stdout.write(line)
        self.stdout.write("\nĐịa chỉ: http://127.0.0.1:8000/")
        self.stdout.write(f"Tài khoản trình diễn (mật khẩu: {hagiang.DEMO_PASSWORD}):")
        for line in hagiang.account_lines():
            self.stdout.write(line)
        self.stdout.write(
            "Lãnh đạo và quản trị đăng nhập thêm mã 6 chữ số: thêm mã TOTP ở trên vào ứng dụng "
            "xác thực (hoặc mở địa chỉ otpauth://)."
        )
