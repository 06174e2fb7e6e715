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
        match.add_argument("name", nargs="?", default="", help="tên cần tìm, dạng nào cũng được")
        match.add_argument(
            "--batch",
            metavar="FILE",
            default="",
            help="kiểm tra cả danh sách CSV/XLSX theo cột mẫu (ho_ten, ten_goc, ten_latinh…): "
            "mỗi dòng một kết quả; với --json in JSON Lines",
        )
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
        imp = sub.add_parser(
            "import",
            help="nhập đối tượng từ tệp CSV/XLSX theo cột mẫu (ho_ten, ten_goc, ten_latinh, "
            "gioi_tinh, ngay_sinh, quoc_tich, dan_toc, so_giay_to)",
        )
        imp.add_argument("file", metavar="FILE", help="tệp .csv (UTF-8) hoặc .xlsx")
        imp.add_argument(
            "--dry-run", action="store_true", help="chỉ kiểm tra, in mọi dòng có vấn đề; không ghi"
        )
        imp.add_argument(
            "--agency",
            default="",
            help="mã cơ quan lập hồ sơ (bỏ trống khi chỉ có một cơ quan trong nước)",
        )
        reindex = sub.add_parser("reindex", help="dựng lại khóa tìm kiếm tên của mọi người")
        reindex.add_argument("--batch-size", type=int, default=2000, help="số người mỗi lượt")

    def handle(self, *args, **options):
        if options["operation"] == "import":
            return self._import(options)
        if options["operation"] == "reindex":
            return self._reindex(options)
        return self._match(options)

    def _match(self, options):
        if options["batch"]:
            return self._match_batch(options)
        if not options["name"]:
            raise CommandError("NAME: cần tên cần tìm (hoặc --batch FILE).")
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

    def _match_batch(self, options):
        """Each row of a list: one JSON object per line (--json) or a readable block."""
        from phoihop.subjects import batch

        if options["name"]:
            raise CommandError("NAME và --batch không dùng cùng nhau.")
        extra = [o for o in ("born", "nationality", "sex", "document") if options[o]]
        if extra:
            raise CommandError(
                ", ".join(f"--{o}" for o in extra)
                + ": không dùng với --batch (mỗi dòng của tệp đã có các cột này)."
            )
        try:
            limit = int(options["limit"])
        except ValueError:
            limit = 0
        if not 1 <= limit <= MATCH_LIMIT_MAX:
            raise CommandError(f"--limit: số ứng viên phải từ 1 đến {MATCH_LIMIT_MAX}.")
        path = options["batch"]
        try:
            fileobj = open(path, "rb")  # noqa: SIM115 (closed below, rows are streamed)
        except OSError as exc:
            raise CommandError(f"--batch: không mở được tệp {path}: {exc.strerror}") from None
        with fileobj:
            try:
                rows = batch.read_rows(fileobj, path)
            except batch.BatchError as exc:
                raise CommandError(f"--batch {path}: {exc.message}") from None
            for row, candidates in batch.match_rows(rows, actor=SYSTEM, limit=limit):
                found = MatchCandidateWithDocumentsSerializer(candidates, many=True).data
                if options["json"]:
                    line = {"row": row.number, "candidates": found}
                    if row.errors:
                        line["errors"] = [{"column": c, "message": m} for c, m in row.errors]
                    self.stdout.write(batch.dumps_line(line))
                    continue
                names = " / ".join(
                    v for c in ("ho_ten", "ten_goc", "ten_latinh") if (v := row.received.get(c))
                )
                self.stdout.write(f"Dòng {row.number}: {names or '—'}")
                for column, message in row.errors:
                    self.stdout.write(f"   ! {f'cột {column}: ' if column else ''}{message}")
                if row.query is not None and not found:
                    self.stdout.write("   Không tìm thấy ứng viên nào.")
                for rank, cand in enumerate(found, 1):
                    self._print_candidate(rank, cand, indent="   ")

    def _print_candidate(self, rank, row, indent=""):
        names = " / ".join(n for n in (row["native_name"], row["latin_name"], row["han_viet"]) if n)
        self.stdout.write(
            f"{indent}{rank:>2}. [{row['score']:>3}] #{row['id']} {row['full_name']}"
            + (f" ({names})" if names else "")
            + f" | sinh {row['birth'] or '?'} | {row['nationality']}"
            + (f" | giấy tờ {', '.join(row['documents'])}" if row["documents"] else "")
        )
        for reason in row["reasons"]:
            self.stdout.write(f"{indent}      {VERDICT_MARK[reason['verdict']]} {reason['text']}")

    def _import(self, options):
        """Check a template-column file, print every problem row; commit it unless --dry-run."""
        from pathlib import Path

        from phoihop.accounts.choices import AgencyKind
        from phoihop.accounts.models import Agency
        from phoihop.core.exceptions import ServiceError
        from phoihop.subjects import imports

        path = Path(options["file"])
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"--agency: không có cơ quan mã «{options['agency']}».")
        else:
            domestic = list(Agency.objects.filter(kind=AgencyKind.DOMESTIC).order_by("code")[:20])
            if len(domestic) != 1:
                raise CommandError(
                    "--agency: cần mã cơ quan lập hồ sơ ("
                    + ", ".join(a.code for a in domestic)
                    + ")."
                )
            agency = domestic[0]
        try:
            fileobj = path.open("rb")
        except OSError as exc:
            raise CommandError(f"FILE: không mở được tệp {path}: {exc.strerror}") from None
        with fileobj:
            try:
                job = imports.import_upload(
                    actor=SYSTEM, file=fileobj, filename=path.name, agency=agency
                )
            except ServiceError as exc:
                raise CommandError(f"{path.name}: {imports.service_message(exc)}") from None
        try:
            self._import_job(job, options)
        finally:
            if options["dry_run"] or job.status != "done":
                # Nothing of the file stays: only the persons of a committed import.
                job.file.delete(save=False)
                job.delete()

    def _import_job(self, job, options):
        from phoihop.core.exceptions import ServiceError
        from phoihop.subjects import imports

        if not job.mapping:
            raise CommandError(
                "Dòng tiêu đề không theo cột mẫu (ho_ten, ten_goc, ten_latinh, gioi_tinh, "
                "ngay_sinh, quoc_tich, dan_toc, so_giay_to): đổi tên cột, hoặc nhập qua trang "
                "web để ghép cột. Tiêu đề của tệp: " + ", ".join(job.headers)
            )
        for p in job.problems.order_by("row", "level", "id"):
            where = f"dòng {p.row}" if p.row else "tệp"
            if p.column:
                where += f", cột {p.column}"
            mark = "LỖI" if p.level == "error" else "cảnh báo"
            self.stdout.write(f"{mark}: {where}: {p.message}")
        self.stdout.write(
            f"{job.row_count:,} dòng; {job.error_count} lỗi; {job.warning_count} cảnh báo.".replace(
                ",", "."
            )
        )
        if job.error_count:
            raise CommandError(f"Tệp có {job.error_count} lỗi: không ghi dòng nào.")
        if options["dry_run"]:
            self.stdout.write("Kiểm tra xong, không ghi gì (--dry-run).")
            return

        def progress(done, total):
            self.stderr.write(f"  … đã ghi {done:,}/{total:,} dòng".replace(",", "."))

        try:
            imports.import_commit(actor=SYSTEM, job=job, accept_warnings=True, enqueue=False)
            result = imports.import_run(job.pk, progress=progress)
        except ServiceError as exc:
            raise CommandError(imports.service_message(exc)) from None
        job.refresh_from_db()
        self.stdout.write(
            f"Đã ghi: {result['created']:,} người mới, {result['linked']:,} dòng là người đã có.".replace(
                ",", "."
            )
        )

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
