"""`phoihop agency …`: agencies from the command line, their mergers and renamings.

    phoihop agency list [--json]
    phoihop agency create --code ca-tuyenquang --name "Công an tỉnh Tuyên Quang" \\
        --short-name "Công an tỉnh" --prefix CAT --head-title "Giám đốc Công an tỉnh"
    phoihop agency succeed --agency ca-hagiang --successor ca-tuyenquang --on 2025-07-01 \\
        [--note "…"] [--dry-run] [--json]

`succeed` moves the agency's open dossiers, users, units and regulations to the successor
(see `accounts.succession`); `--dry-run` only counts them. Changes go through the account
services as the system actor, so they are audited like any other.
"""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from phoihop.accounts import services, succession
from phoihop.accounts.choices import AgencyKind
from phoihop.accounts.models import Agency
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM


def _agency(code: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise CommandError(f"không có cơ quan mã {code}")
    return agency


def _date(value: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 (a calendar day)
        except ValueError:
            continue
    raise CommandError(f"ngày không hợp lệ: {value} (YYYY-MM-DD hoặc dd/mm/yyyy)")


def _refused(exc: ServiceError) -> CommandError:
    lines = [
        f"{field}: {message}"
        for field, messages in exc.message_dict.items()
        for message in messages
    ]
    return CommandError("\n".join(lines))


class Command(BaseCommand):
    help = "Quản lý cơ quan: liệt kê, thêm cơ quan, ghi nhận hợp nhất hoặc đổi tên."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="liệt kê các cơ quan")
        listing.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

        create = sub.add_parser("create", help="thêm cơ quan")
        create.add_argument("--code", required=True, help="mã, ví dụ ca-tuyenquang")
        create.add_argument("--name", required=True, help="tên cơ quan")
        create.add_argument("--short-name", required=True, help="tên viết tắt")
        create.add_argument("--prefix", default="", help="ký hiệu văn bản, ví dụ CAT")
        create.add_argument("--head-title", default="", help="chức danh người đứng đầu")
        create.add_argument(
            "--kind", default=AgencyKind.DOMESTIC, choices=AgencyKind.values, help="loại cơ quan"
        )
        create.add_argument("--country", default="", help="mã quốc gia ISO (mặc định VN)")
        create.add_argument("--name-native", default="", help="tên bằng tiếng nước ngoài")

        succeed = sub.add_parser("succeed", help="ghi nhận cơ quan hợp nhất vào, đổi tên thành")
        succeed.add_argument("--agency", required=True, help="mã cơ quan được hợp nhất, đổi tên")
        succeed.add_argument("--successor", required=True, help="mã cơ quan kế thừa")
        succeed.add_argument("--on", required=True, help="ngày hợp nhất, YYYY-MM-DD")
        succeed.add_argument("--note", default="", help="ghi chú, ví dụ số quyết định")
        succeed.add_argument(
            "--dry-run", action="store_true", help="chỉ đếm những gì sẽ chuyển, không thay đổi"
        )
        succeed.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args, **options):
        return getattr(self, f"_{options['action']}")(options)

    def _list(self, options):
        agencies = Agency.objects.select_related("successor").order_by("kind", "code")
        rows = [
            {
                "code": a.code,
                "name": a.name,
                "short_name": a.short_name,
                "kind": a.kind,
                "country": a.country,
                "successor": a.successor.code if a.successor else None,
                "succeeded_on": a.succeeded_on.isoformat() if a.succeeded_on else None,
            }
            for a in agencies
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            after = f" → {row['successor']} ({row['succeeded_on']})" if row["successor"] else ""
            self.stdout.write(f"{row['code']}\t{row['name']}{after}")

    def _create(self, options):
        try:
            agency = services.agency_create(
                actor=SYSTEM,
                code=options["code"],
                name=options["name"],
                short_name=options["short_name"],
                kind=options["kind"],
                country=options["country"],
                name_native=options["name_native"],
                document_prefix=options["prefix"],
                head_title=options["head_title"],
            )
        except ServiceError as exc:
            raise _refused(exc) from exc
        self.stdout.write(f"Đã thêm cơ quan {agency.code}: {agency.name}.")

    def _succeed(self, options):
        agency, successor = _agency(options["agency"]), _agency(options["successor"])
        on = _date(options["on"])
        try:
            if options["dry_run"]:
                counts = succession.agency_succession_preview(
                    actor=SYSTEM, agency=agency, successor=successor, on=on
                )
            else:
                counts = succession.agency_succeed(
                    actor=SYSTEM, agency=agency, successor=successor, on=on, note=options["note"]
                )
        except ServiceError as exc:
            raise _refused(exc) from exc
        if options["json"]:
            payload = {
                "agency": agency.code,
                "successor": successor.code,
                "on": on.isoformat(),
                "dry_run": options["dry_run"],
                **counts.as_dict(),
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        verb = "Sẽ chuyển" if options["dry_run"] else "Đã chuyển"
        self.stdout.write(
            f"{agency.name} → {successor.name} từ {on.strftime('%d/%m/%Y')}. "
            f"{verb}: {counts.dossiers} hồ sơ đang xử lý ({counts.parties_merged} gộp bên), "
            f"{counts.tasks} nhiệm vụ, {counts.users} người dùng, {counts.units} đơn vị; "
            f"{counts.regulations} quy chế thêm bên kế thừa, "
            f"{counts.regulations_flagged} quy chế cần ký lại."
        )
