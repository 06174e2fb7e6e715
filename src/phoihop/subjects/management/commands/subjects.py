"""`phoihop subjects match|reindex`: find a person from any form of the name; rebuild the keys."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from phoihop.core.policy import SYSTEM, restrict
from phoihop.subjects import matching
from phoihop.subjects.api.serializers import (
    MATCH_LIMIT_MAX,
    MatchCandidateWithDocumentsSerializer,
    MatchQuerySerializer,
)
from phoihop.subjects.models import IdentityDocument, Subject, SubjectNameKey

# The options as the user typed them, for the error messages (the API says the field).
OPTION_OF = {
    "name": "NAME",
    "birth": "--born",
    "sex": "--sex",
    "nationality": "--nationality",
    "document": "--document",
    "limit": "--limit",
}
VERDICT_MARK = {"agree": "+", "partial": "~", "disagree": "-"}


class Command(BaseCommand):
    help = (
        "Đối tượng: tìm một người theo mọi dạng tên (match); "
        "dựng lại khóa tìm kiếm của mọi người (reindex)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        match = sub.add_parser(
            "match", help="tìm người theo tên (chữ Hán, pinyin, Hán Việt, có hoặc không dấu)"
        )
        match.add_argument("name", help="tên cần tìm, dạng nào cũng được")
        match.add_argument("--born", default="", help="YYYY, MM/YYYY hoặc DD/MM/YYYY")
        match.add_argument("--nationality", default="", help="mã quốc gia 2 chữ cái: VN, CN…")
        match.add_argument("--sex", default="", help="m (nam) hoặc f (nữ)")
        match.add_argument("--document", default="", help="số giấy tờ tùy thân")
        match.add_argument(
            "--limit",
            default="10",
            help=f"số ứng viên, 1–{MATCH_LIMIT_MAX} (mặc định 10)",
        )
        match.add_argument("--json", action="store_true", help="in danh sách JSON")
        reindex = sub.add_parser("reindex", help="dựng lại khóa tìm kiếm tên của mọi người")
        reindex.add_argument("--batch-size", type=int, default=2000, help="số người mỗi lượt")

    def handle(self, *args, **options):
        if options["operation"] == "reindex":
            return self._reindex(options)
        return self._match(options)

    def _match(self, options):
        data = {
            "name": options["name"],
            "birth": options["born"],
            "nationality": options["nationality"],
            "document": options["document"],
            "limit": options["limit"],
        }
        if options["sex"]:
            data["sex"] = options["sex"].strip().upper()
        serializer = MatchQuerySerializer(data=data)
        if not serializer.is_valid():
            raise CommandError(
                "; ".join(
                    f"{OPTION_OF.get(field, field)}: {' '.join(map(str, messages))}"
                    for field, messages in serializer.errors.items()
                )
            )
        candidates = matching.match(
            serializer.query(),
            queryset=restrict(Subject.objects.all(), SYSTEM),
            limit=serializer.validated_data["limit"],
        )
        rows = MatchCandidateWithDocumentsSerializer(candidates, many=True).data
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("Không tìm thấy ứng viên nào.")
            return
        for rank, row in enumerate(rows, 1):
            names = " / ".join(
                n for n in (row["native_name"], row["latin_name"], row["han_viet"]) if n
            )
            self.stdout.write(
                f"{rank:>2}. [{row['score']:>3}] #{row['id']} {row['full_name']}"
                + (f" ({names})" if names else "")
                + f" | sinh {row['birth'] or '?'} | {row['nationality']}"
                + (f" | giấy tờ {', '.join(row['documents'])}" if row["documents"] else "")
            )
            for reason in row["reasons"]:
                self.stdout.write(f"      {VERDICT_MARK[reason['verdict']]} {reason['text']}")

    def _reindex(self, options):
        size = options["batch_size"]
        if size < 1:
            raise CommandError("--batch-size phải là số nguyên dương.")

        def progress(done):
            self.stderr.write(f"  … {done:,} người")

        # One transaction: searches keep the old keys until the new ones are all in place.
        with transaction.atomic():
            persons = matching.rebuild_keys(
                Subject, SubjectNameKey, IdentityDocument, batch_size=size, progress=progress
            )
            keys = SubjectNameKey.objects.count()
        self.stdout.write(f"Đã dựng lại khóa tìm kiếm: {persons:,} người, {keys:,} khóa.")
