"""`phoihop bulletin`: publish, import a bundle, print the verify key, add a moderator.

phoihop bulletin publish [--out FILE] [--push URL]   (back office only)
phoihop bulletin import FILE                          (either deployment)
phoihop bulletin key                                  (the verify key, PEM)
phoihop bulletin moderator add USERNAME --name NAME [--role moderator|editor]
                              [--agency NAME]         (password: PHOIHOP_MODERATOR_PASSWORD
                                                       or asked)
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from phoihop.bulletin.bundle import BundleError


class Command(BaseCommand):
    help = (
        "Bản tin công khai: xuất bản (publish), nhận gói tin (import), in khóa kiểm tra "
        "chữ ký (key), thêm người kiểm duyệt (moderator add)."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="LỆNH")
        publish = actions.add_parser(
            "publish", help="lập gói tin mọi bài đã đăng/hẹn giờ và chuyển tới trang công khai"
        )
        publish.add_argument("--out", metavar="TỆP", help="ghi gói tin ra tệp")
        publish.add_argument("--push", metavar="URL", help="gửi gói tin tới địa chỉ nhận")
        imported = actions.add_parser("import", help="áp dụng một tệp gói tin")
        imported.add_argument("file", metavar="TỆP")
        actions.add_parser("key", help="in khóa kiểm tra chữ ký (PEM) để chép sang trang công khai")
        moderator = actions.add_parser("moderator", help="tài khoản kiểm duyệt ý kiến")
        moderator_actions = moderator.add_subparsers(dest="moderator_action", required=True)
        add = moderator_actions.add_parser("add", help="thêm người kiểm duyệt")
        add.add_argument("username", metavar="TÊN_ĐĂNG_NHẬP")
        add.add_argument("--name", required=True, help="tên hiển thị")
        add.add_argument("--role", choices=["moderator", "editor"], default="moderator")
        add.add_argument("--agency", default="", help="cơ quan (bắt buộc với biên tập viên)")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "publish":
            self._publish(options["out"], options["push"])
        elif action == "import":
            self._import(Path(options["file"]))
        elif action == "key":
            try:
                from phoihop.bulletin import bundle

                self.stdout.write(bundle.verify_key_pem(), ending="")
            except BundleError as exc:
                raise CommandError(exc.message) from exc
        else:
            self._moderator_add(options)

    def _publish(self, out, push) -> None:
        if getattr(settings, "PHOIHOP_SITE", "office") == "public":
            raise CommandError(
                "Trang công khai không xuất bản: bài được xuất bản từ hệ thống nội bộ "
                "(phoihop bulletin publish ở đó), rồi gửi sang đây hoặc nhận bằng "
                "phoihop bulletin import TỆP --site public."
            )
        if out and push:
            raise CommandError("Chọn một trong hai: --out (ghi ra tệp) hoặc --push (gửi đi).")
        from phoihop.core.policy import SYSTEM
        from phoihop.newsroom.publishing import PublishError, publish

        try:
            result = publish(actor=SYSTEM, out=Path(out) if out else None, push=push)
        except PublishError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                "Đã xuất bản {articles} bài (gỡ {withdrawn}) tới {target}. Mã gói: {digest}".format(
                    **result
                )
            )
        )

    def _import(self, path: Path) -> None:
        from phoihop.bulletin.services import apply_bundle

        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                f"Không đọc được tệp {path}: {exc.strerror or exc.__class__.__name__}"
            ) from exc
        try:
            publication = apply_bundle(data)
        except BundleError as exc:
            raise CommandError(f"Gói tin bị từ chối: {exc.message}") from exc
        if publication.already_applied:
            self.stdout.write(f"Gói tin này đã được áp dụng trước đây ({publication.digest}).")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã áp dụng gói tin {publication.digest}: {publication.articles} bài, "
                f"gỡ {publication.withdrawn} bài."
            )
        )

    def _moderator_add(self, options) -> None:
        from django.utils import translation

        from phoihop.bulletin.moderation import moderator_create

        # Commands run without a language: the password rules answer in Vietnamese.
        translation.activate(settings.LANGUAGE_CODE)

        password = os.environ.get("PHOIHOP_MODERATOR_PASSWORD", "")
        if not password:
            password = getpass.getpass("Mật khẩu: ")
            if password != getpass.getpass("Nhập lại mật khẩu: "):
                raise CommandError("Hai lần nhập mật khẩu không khớp.")
        try:
            moderator = moderator_create(
                username=options["username"],
                display_name=options["name"],
                password=password,
                role=options["role"],
                agency_name=options["agency"],
            )
        except ValidationError as exc:
            lines = []
            for field, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
                lines.extend(f"{field}: {m}" if field else m for m in messages)
            raise CommandError("\n".join(lines)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã thêm tài khoản {moderator.username} ({moderator.get_role_display()})."
            )
        )
