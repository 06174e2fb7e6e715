"""`phoihop regulation list | import | export | verify`: the regulation from the command line.

Commands act as the SYSTEM actor. A refusal (bad file, unknown code, a signature that
does not verify) ends with a message on stderr and a non-zero exit status.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from phoihop.accounts.models import Agency
from phoihop.core.exceptions import ServiceError
from phoihop.core.policy import SYSTEM
from phoihop.core.text import roman
from phoihop.regulations import signing
from phoihop.regulations.importer import ImportFailed
from phoihop.regulations.imports import (
    EXPORT_FORMATS,
    parse_upload,
    regulation_document,
    regulation_import,
    tree_counts,
    tree_errors,
)
from phoihop.regulations.models import Regulation, TrustedRoot
from phoihop.regulations.tree import RegulationTree


def _date(value) -> str | None:
    return value.isoformat() if value else None


class Command(BaseCommand):
    help = (
        "Quy chế phối hợp: liệt kê (list), nhập từ tệp .docx/.txt (import), xuất DOCX/PDF "
        "(export), kiểm tra chữ ký số trên tệp PDF (verify)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="operation", required=True)
        listing = sub.add_parser("list", help="các quy chế và phiên bản, tình trạng hôm nay")
        listing.add_argument("--json", action="store_true", help="in dạng JSON")

        imp = sub.add_parser("import", help="nhập quy chế từ tệp .docx hoặc .txt thành dự thảo")
        imp.add_argument("file", help="tệp .docx hoặc .txt (UTF-8)")
        imp.add_argument("--dry-run", action="store_true", help="chỉ đọc và kiểm tra, không lưu")
        imp.add_argument("--code", help="mã quy chế (bắt buộc khi lưu)")
        imp.add_argument("--title", help="tên quy chế (mặc định: tên đọc được trong văn bản)")
        imp.add_argument(
            "--parties", help="mã các cơ quan là bên, cách nhau dấu phẩy, bên chủ trì trước"
        )
        imp.add_argument("--number-symbol", default="", help="số, ký hiệu")
        imp.add_argument("--place", default="", help="địa danh, ví dụ Hà Giang")
        imp.add_argument("--previous", help="mã phiên bản trước, khi đây là phiên bản mới của nó")

        out = sub.add_parser("export", help="xuất văn bản quy chế ra DOCX hoặc PDF")
        out.add_argument("code", help="mã quy chế")
        out.add_argument(
            "--format", choices=sorted(EXPORT_FORMATS), help="docx|pdf; mặc định theo đuôi tệp -o"
        )
        out.add_argument(
            "--signed",
            action="store_true",
            help="ghi nguyên bản PDF đã ký (từng byte), không dựng lại văn bản",
        )
        out.add_argument("-o", "--output", required=True, help="tệp ghi ra")

        verify = sub.add_parser("verify", help="kiểm tra các chữ ký số trên một tệp PDF")
        verify.add_argument("file", help="tệp PDF")
        verify.add_argument("--json", action="store_true", help="in dạng JSON")

    def handle(self, *args, **options):
        operation = options["operation"]
        if operation == "list":
            return self._list(options)
        if operation == "import":
            return self._import(options)
        if operation == "export":
            return self._export(options)
        return self._verify(options)

    # --- list ----------------------------------------------------------------------------

    def _list(self, options):
        today = timezone.localdate()
        regulations = Regulation.objects.order_by("series", "version", "code").prefetch_related(
            Prefetch("parties", Agency.objects.order_by("code"))
        )
        rows = [
            {
                "code": r.code,
                "series": r.series,
                "version": r.version,
                "number_symbol": r.number_symbol,
                "title": r.title,
                "status": r.status,
                "state": r.state_on(today),
                "state_label": str(r.state_label_on(today)),
                "parties": [p.code for p in r.parties.all()],
                "signed_on": _date(r.signed_on),
                "effective_from": _date(r.effective_from),
                "effective_to": _date(r.effective_to),
                "signed_pdf": bool(r.signed_pdf),
            }
            for r in regulations
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write(_("Chưa có quy chế nào."))
            return
        for r in rows:
            effective = _("từ %(start)s") % {"start": _dmy_iso(r["effective_from"])}
            if r["effective_to"]:
                effective += " " + _("đến %(end)s") % {"end": _dmy_iso(r["effective_to"])}
            self.stdout.write(
                f"{r['code']}  v{r['version']}  {r['number_symbol'] or '—'}  "
                f"{r['state_label']}  [{', '.join(r['parties'])}]  "
                + _("ký %(date)s") % {"date": _dmy_iso(r["signed_on"])}
                + f"  {_('hiệu lực')} {effective if r['effective_from'] else '—'}"
            )
            self.stdout.write(f"    {r['title']}")

    # --- import --------------------------------------------------------------------------

    def _import(self, options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Không đọc được tệp %(path)s: %(error)s")
                % {"path": path, "error": exc.strerror or exc}
            ) from exc
        try:
            tree = parse_upload(data, path.name)
        except ImportFailed as exc:
            raise CommandError(exc.message) from exc
        self._summary(tree)
        problems = tree_errors(tree)
        if options["dry_run"]:
            code = options["code"]
            if code and Regulation.objects.filter(code=code).exists():
                problems.append(_("Mã quy chế “%(code)s” đã tồn tại.") % {"code": code})
            if problems:
                raise CommandError(_("Không nhập được:") + "\n  " + "\n  ".join(problems))
            self.stdout.write(_("Chạy thử: không lưu gì."))
            return
        if not options["code"]:
            raise CommandError(_("Cần --code MÃ để lưu quy chế (hoặc --dry-run để chỉ kiểm tra)."))
        parties = self._parties(options["parties"])
        previous = None
        if options["previous"]:
            previous = Regulation.objects.filter(code=options["previous"]).first()
            if previous is None:
                raise CommandError(
                    _("Không có quy chế mã “%(code)s”.") % {"code": options["previous"]}
                )
        try:
            regulation = regulation_import(
                actor=SYSTEM,
                tree=tree,
                code=options["code"],
                title=options["title"],
                parties=parties,
                number_symbol=options["number_symbol"],
                place=options["place"],
                previous=previous,
            )
        except ServiceError as exc:
            lines = [
                f"{field}: {message}"
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
            raise CommandError(_("Không nhập được:") + "\n  " + "\n  ".join(lines)) from exc
        self.stdout.write(
            _(
                "Đã lưu quy chế %(code)s (phiên bản %(version)d, dự thảo). Xác nhận trách "
                "nhiệm từng khoản tại /regulations/%(code)s/responsibilities/."
            )
            % {"code": regulation.code, "version": regulation.version}
        )

    def _parties(self, value: str | None) -> list[Agency]:
        codes = [c.strip() for c in (value or "").split(",") if c.strip()]
        if not codes:
            raise CommandError(_("Cần --parties MÃ,MÃ: các cơ quan là bên của quy chế."))
        found = Agency.objects.in_bulk(codes, field_name="code")
        missing = [c for c in codes if c not in found]
        if missing:
            raise CommandError(_("Không có cơ quan mã: %(codes)s.") % {"codes": ", ".join(missing)})
        return [found[c] for c in codes]

    def _summary(self, tree: RegulationTree) -> None:
        counts = tree_counts(tree)
        self.stdout.write(_("Tên: %(title)s") % {"title": tree.title or "—"})
        self.stdout.write(
            _(
                "Nhận dạng được %(chapters)d chương, %(sections)d mục, %(articles)d điều, "
                "%(clauses)d khoản, %(points)d điểm."
            )
            % counts
        )
        for chapter in tree.chapters:
            self.stdout.write(f"Chương {roman(chapter.number)}. {chapter.title}".rstrip(". "))
            sections = {s.number: s for s in chapter.sections}
            current = None
            for article in chapter.articles:
                if article.section is not None and article.section != current:
                    current = article.section
                    section = sections.get(current)
                    title = section.title if section else ""
                    self.stdout.write(f"  Mục {current}. {title}".rstrip(". "))
                points = sum(len(c.points) for c in article.clauses)
                self.stdout.write(
                    f"    Điều {article.number}. {article.title} "
                    + _("(%(clauses)d khoản, %(points)d điểm)")
                    % {"clauses": len(article.clauses), "points": points}
                )
        if tree.unrecognised:
            self.stdout.write(
                _("%(n)d đoạn chưa nhận dạng được (sẽ không được lưu):")
                % {"n": len(tree.unrecognised)}
            )
            for item in tree.unrecognised:
                self.stdout.write(
                    _("  Đoạn %(index)d: %(text)s — %(reason)s")
                    % {"index": item.index, "text": item.text, "reason": item.reason}
                )
        else:
            self.stdout.write(_("Mọi đoạn của phần nội dung đều đã được nhận dạng."))

    # --- export --------------------------------------------------------------------------

    def _export(self, options):
        output = Path(options["output"])
        fmt = options["format"] or output.suffix.lstrip(".").lower()
        if options["signed"]:
            fmt = fmt or "pdf"
            if fmt != "pdf":
                raise CommandError(_("--signed chỉ dùng với định dạng pdf."))
        if fmt not in EXPORT_FORMATS:
            raise CommandError(
                _("Chọn --format docx hoặc pdf (hoặc đặt tên tệp -o đuôi .docx/.pdf).")
            )
        regulation = Regulation.objects.filter(code=options["code"]).first()
        if regulation is None:
            raise CommandError(_("Không có quy chế mã “%(code)s”.") % {"code": options["code"]})
        if options["signed"]:
            if not regulation.signed_pdf:
                raise CommandError(
                    _("Quy chế %(code)s chưa có bản PDF đã ký.") % {"code": regulation.code}
                )
            with regulation.signed_pdf.open("rb") as handle:
                content = handle.read()
        else:
            content, _type, _name = regulation_document(regulation, fmt)
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(
                _("Không ghi được tệp %(path)s: %(error)s")
                % {"path": output, "error": exc.strerror or exc}
            ) from exc
        self.stdout.write(
            _("Đã ghi %(path)s (%(size)s byte).") % {"path": output, "size": f"{len(content):,}"}
        )

    # --- verify --------------------------------------------------------------------------

    def _verify(self, options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Không đọc được tệp %(path)s: %(error)s")
                % {"path": path, "error": exc.strerror or exc}
            ) from exc
        roots = [root.certificate_pem.encode() for root in TrustedRoot.objects.all()]
        try:
            reports = signing.verify_pdf(data, trust_roots=roots)
        except (signing.SigningError, ValueError) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ServiceError) else str(exc)
            raise CommandError(message) from exc
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "field": r.field_name,
                            "signer": r.signer_common_name,
                            "title": r.signer_title,
                            "organization": r.organization,
                            "signing_time": r.signing_time.isoformat() if r.signing_time else None,
                            "subject": r.subject,
                            "issuer": r.issuer,
                            "serial": r.serial,
                            "intact": r.intact,
                            "trusted": r.trusted,
                            "coverage": str(r.coverage.value),
                            "ok": r.ok,
                            "problems": r.problems,
                        }
                        for r in reports
                    ],
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            self._print_reports(reports, trusted_roots=len(roots))
        if not reports:
            raise CommandError(_("Tệp không có chữ ký số nào."), returncode=1)
        failed = [r for r in reports if not r.ok]
        if failed:
            raise CommandError(
                _("%(failed)d trong %(total)d chữ ký không hợp lệ.")
                % {"failed": len(failed), "total": len(reports)},
                returncode=1,
            )

    def _print_reports(self, reports, *, trusted_roots: int) -> None:
        if not trusted_roots:
            self.stdout.write(
                _("Lưu ý: chưa khai báo tổ chức chứng thực tin cậy nào (TrustedRoot).")
            )
        yes, no = _("có"), _("không")
        for number, r in enumerate(reports, start=1):
            when = (
                r.signing_time.astimezone(signing.VIETNAM_TIME).strftime("%H:%M:%S %d/%m/%Y")
                if r.signing_time
                else "—"
            )
            self.stdout.write(
                _("Chữ ký %(n)d: %(verdict)s")
                % {"n": number, "verdict": _("HỢP LỆ") if r.ok else _("KHÔNG HỢP LỆ")}
            )
            for label, value in (
                (_("Ô chữ ký"), r.field_name),
                (_("Người ký"), r.signer_common_name),
                (_("Chức danh"), r.signer_title),
                (_("Cơ quan"), r.organization),
                (_("Thời gian ký (do người ký khai)"), when),
                (_("Chủ thể chứng thư"), r.subject),
                (_("Tổ chức cấp"), r.issuer),
                (_("Nguyên vẹn"), yes if r.intact else no),
                (_("Tin cậy"), yes if r.trusted else no),
                (_("Phạm vi"), str(r.coverage.label)),
            ):
                self.stdout.write(f"  {label}: {value or '—'}")
            for problem in r.problems:
                self.stdout.write("  " + _("Vấn đề: %(problem)s") % {"problem": problem})


def _dmy_iso(value: str | None) -> str:
    if not value:
        return "—"
    year, month, day = value.split("-")
    return f"{day}/{month}/{year}"
