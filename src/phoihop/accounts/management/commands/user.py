"""`phoihop user …`: accounts from the command line, e.g. the first administrator of a new install.

    phoihop user create quantri --full-name "Trần Hải Long" --role admin --agency cat-hagiang
    phoihop user unlock ca.lanhdao
    phoihop user reset-2fa ca.lanhdao

The password is asked for twice on a terminal, or read from standard input
with --password-stdin. Changes go through the account services as the system
actor, so they are audited like any other.
"""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from phoihop.accounts import services
from phoihop.accounts.choices import Role
from phoihop.accounts.models import Agency, Unit, User
from phoihop.core.choices import Classification
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM

ROLE_ALIASES = {"admin": Role.ADMINISTRATOR}
CLEARANCE_NAMES = {
    "thuong": Classification.THUONG,
    "mat": Classification.MAT,
    "toi-mat": Classification.TOI_MAT,
    "tuyet-mat": Classification.TUYET_MAT,
}


def _role(value: str) -> str:
    value = ROLE_ALIASES.get(value, value)
    if value not in Role.values:
        raise CommandError(
            f"vai trò không hợp lệ: {value} (chọn một trong {', '.join(Role.values)}, hoặc admin)"
        )
    return value


def _clearance(value: str) -> int:
    if value.isdigit() and int(value) in Classification.values:
        return int(value)
    if value in CLEARANCE_NAMES:
        return CLEARANCE_NAMES[value]
    raise CommandError(
        f"cấp độ tiếp cận không hợp lệ: {value} (0–3 hoặc {', '.join(CLEARANCE_NAMES)})"
    )


class Command(BaseCommand):
    help = "Quản lý tài khoản: tạo người dùng, mở khóa đăng nhập, đặt lại xác thực hai lớp."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="tạo tài khoản")
        create.add_argument("username")
        create.add_argument("--full-name", required=True, help="họ và tên, ví dụ “Trần Hải Long”")
        create.add_argument(
            "--role",
            default=Role.OFFICER,
            help=f"{', '.join(Role.values)} (admin = administrator); mặc định officer",
        )
        create.add_argument("--agency", help="mã cơ quan (bắt buộc với vai trò nghiệp vụ)")
        create.add_argument("--unit", help="mã đơn vị trong cơ quan")
        create.add_argument(
            "--clearance", default="0", help="0–3 hoặc thuong, mat, toi-mat, tuyet-mat"
        )
        create.add_argument("--email", default="")
        create.add_argument("--position", default="")
        create.add_argument(
            "--password-stdin", action="store_true", help="đọc mật khẩu từ dòng đầu stdin"
        )
        for name, text in (
            ("unlock", "mở khóa đăng nhập (xóa các lần đăng nhập sai)"),
            ("reset-2fa", "xóa thiết bị xác thực hai lớp"),
        ):
            cmd = sub.add_parser(name, help=text)
            cmd.add_argument("username")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "create":
            return self._create(options)
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"không có tài khoản {options['username']}")
        if action == "unlock":
            cleared = services.user_unlock(actor=SYSTEM, user=user)
            self.stdout.write(f"Đã mở khóa {user.username} ({cleared} bản ghi đăng nhập sai).")
        else:
            removed = services.two_factor_reset(actor=SYSTEM, user=user)
            self.stdout.write(
                f"Đã xóa {removed} thiết bị xác thực của {user.username}; "
                "người này thiết lập lại khi đăng nhập."
            )

    def _create(self, options):
        agency = unit = None
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"không có cơ quan mã {options['agency']}")
        if options["unit"]:
            if agency is None:
                raise CommandError("--unit cần --agency")
            unit = Unit.objects.filter(agency=agency, code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"cơ quan {agency.code} không có đơn vị mã {options['unit']}")
        try:
            user = services.user_create(
                actor=SYSTEM,
                username=options["username"],
                full_name=options["full_name"],
                password=self._password(options),
                role=_role(options["role"]),
                clearance=_clearance(options["clearance"]),
                agency=agency,
                unit=unit,
                email=options["email"],
                position=options["position"],
            )
        except ServiceError as exc:
            lines = [
                f"{field}: {message}"
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
            raise CommandError("\n".join(lines)) from exc
        note = ""
        if user.requires_two_factor:
            note = " Lần đăng nhập đầu tiên sẽ yêu cầu thiết lập xác thực hai lớp (TOTP)."
        self.stdout.write(f"Đã tạo tài khoản {user.username} ({user.get_role_display()}).{note}")

    @staticmethod
    def _password(options) -> str:
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("stdin không có mật khẩu")
            return password
        if not sys.stdin.isatty():
            raise CommandError("không có terminal để hỏi mật khẩu; dùng --password-stdin")
        first = getpass.getpass("Mật khẩu: ")
        if first != getpass.getpass("Nhập lại mật khẩu: "):
            raise CommandError("hai mật khẩu không khớp")
        return first
