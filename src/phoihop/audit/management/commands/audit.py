import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from phoihop.audit.services import audit_verify


class Command(BaseCommand):
    help = "Kiểm tra chuỗi nhật ký kiểm toán (audit verify)."

    def add_arguments(self, parser):
        parser.add_argument("operation", choices=["verify"])
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args, **options):
        result = audit_verify()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": result.ok,
                        "checked": result.checked,
                        "first_broken_seq": result.first_broken_seq,
                        "reason": result.reason,
                    }
                )
            )
        elif result.ok:
            self.stdout.write(
                _("Chuỗi kiểm toán nguyên vẹn: %(n)d sự kiện.") % {"n": result.checked}
            )
        if not result.ok:
            raise CommandError(
                _("Chuỗi kiểm toán bị phá vỡ tại sự kiện #%(seq)s: %(reason)s")
                % {"seq": result.first_broken_seq, "reason": result.reason}
            )
