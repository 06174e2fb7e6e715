from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Chuẩn bị cơ sở dữ liệu: migrate; nạp dữ liệu trình diễn khi cơ sở dữ liệu còn trống."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args, **options):
        call_command("migrate", verbosity=0, interactive=False)
        if getattr(settings, "PHOIHOP_SITE", "office") == "public":
            self._public_next_steps()
            return
        if options["no_demo"] or not settings.PHOIHOP_DEMO:
            return
        # Imported here: the public deployment (--site public) has no demo app.
        from phoihop.demo import hagiang, pki

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
        from phoihop.demo import bulletin_2011

        self.stdout.write(
            "\nTrang tin công khai (không cần đăng nhập): http://127.0.0.1:8000/tin-tuc/\n"
            "Kiểm duyệt ý kiến bạn đọc: http://127.0.0.1:8000/tin-tuc/kiem-duyet/ – tài khoản "
            "của trang tin (mật khẩu như trên):"
        )
        for username, name, role in bulletin_2011.MODERATORS:
            what = "kiểm duyệt" if role == "moderator" else "biên tập, trả lời thay cơ quan"
            self.stdout.write(f"  {username:<14} {name} ({what})")

    def _public_next_steps(self) -> None:
        from phoihop.bulletin import bundle

        self.stdout.write(
            f"Cơ sở dữ liệu của trang tin công khai: {settings.DATABASES['default']['NAME']}"
        )
        try:
            bundle.verify_key()
            self.stdout.write("Khóa kiểm tra chữ ký: đã có.")
        except bundle.BundleError as exc:
            self.stdout.write(exc.message)
        self.stdout.write(
            "Nhận bài: phoihop bulletin import TỆP --site public, hoặc để hệ thống nội bộ đẩy "
            "gói tin tới /tin-tuc/nhan-goi-tin/. Chạy: phoihop serve --site public"
        )
