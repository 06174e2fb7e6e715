"""Reading tables of persons (CSV or XLSX) as they arrive from other agencies.

The one reader of person tables, for the import, the batch check and the CLI:

- `read_table(fileobj, filename)` sniffs the format from the content (an XLSX is
  a zip), reads the header row and returns a `Table` whose `rows()` streams the
  data rows as lists of text, so memory does not grow with the file;
- `template_mapping(headers)` recognises the documented template columns
  (`TEMPLATE_COLUMNS`) and their Vietnamese labels; `guess_mapping` pre-fills
  the mapping step for any other header row;
- `row_fields(values, mapping)` turns one row into the keyword arguments of
  `subjects.services.subject_create`, with the problems of each column.

Every message names the row and column as the user sees them in a spreadsheet.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from phoihop.core.text import fold, nfc
from phoihop.subjects.choices import DocumentKind, Sex

TEMPLATE_COLUMNS = (
    "ho_ten",
    "ten_goc",
    "ten_latinh",
    "gioi_tinh",
    "ngay_sinh",
    "quoc_tich",
    "dan_toc",
    "so_giay_to",
)
NAME_COLUMNS = ("ho_ten", "ten_goc", "ten_latinh")
# A file past this many data rows is refused (the 1,000,000-row file, for one).
MAX_ROWS = 200_000
MAX_NAME = 255
MAX_DOCUMENT = 64

# Header labels accepted for each template column, compared folded (no diacritics,
# lower case) with every run of non-letters made one "_": "Họ và tên" → "ho_va_ten".
HEADER_ALIASES = {
    "ho_ten": (
        "ho_ten",
        "hoten",
        "ho_va_ten",
        "ho_ten_tieng_viet",
        "ho_va_ten_tieng_viet",
        "ten_tieng_viet",
        "ten",
        "full_name",
        "name",
    ),
    "ten_goc": (
        "ten_goc",
        "ten_chu_goc",
        "ten_theo_chu_goc",
        "ten_chu_han",
        "chu_han",
        "han_tu",
        "ten_han_tu",
        "native_name",
    ),
    "ten_latinh": (
        "ten_latinh",
        "ten_latin",
        "ten_la_tinh",
        "ten_ho_chieu",
        "ten_latinh_ho_chieu",
        "ten_latin_ho_chieu",
        "latin_name",
        "passport_name",
    ),
    "gioi_tinh": ("gioi_tinh", "gioi", "phai", "sex", "gender"),
    "ngay_sinh": (
        "ngay_sinh",
        "ngay_thang_nam_sinh",
        "sinh_ngay",
        "nam_sinh",
        "date_of_birth",
        "birth_date",
        "dob",
    ),
    "quoc_tich": ("quoc_tich", "ma_quoc_tich", "quoc_gia", "nationality"),
    "dan_toc": ("dan_toc", "ethnicity"),
    "so_giay_to": (
        "so_giay_to",
        "giay_to",
        "so_giay_to_tuy_than",
        "giay_to_tuy_than",
        "so_cccd",
        "so_cmnd",
        "so_ho_chieu",
        "so_cccd_ho_chieu",
        "document",
        "document_number",
        "passport",
        "passport_number",
    ),
}
_ALIAS_FIELD = {alias: f for f, aliases in HEADER_ALIASES.items() for alias in aliases}


def column_label(column: str) -> str:
    """A template column's Vietnamese label, for the mapping step and messages."""
    return {
        "ho_ten": _("Họ và tên (tiếng Việt)"),
        "ten_goc": _("Tên gốc (Hán tự…)"),
        "ten_latinh": _("Tên Latin (hộ chiếu)"),
        "gioi_tinh": _("Giới tính"),
        "ngay_sinh": _("Ngày sinh"),
        "quoc_tich": _("Quốc tịch (mã ISO)"),
        "dan_toc": _("Dân tộc"),
        "so_giay_to": _("Số giấy tờ"),
    }[column]


# ISO 3166-1 alpha-2: the officially assigned codes (249), and the old codes still
# printed on documents people carry are not accepted (a wrong code is an error).
_ISO_3166 = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRY_CODES = frozenset(_ISO_3166.split())
# Country names as officers write them in the nationality column (folded).
COUNTRY_NAMES = {
    "viet nam": "VN",
    "vietnam": "VN",
    "trung quoc": "CN",
    "china": "CN",
    "lao": "LA",
    "laos": "LA",
    "campuchia": "KH",
    "cambodia": "KH",
    "thai lan": "TH",
    "han quoc": "KR",
    "nhat ban": "JP",
    "hoa ky": "US",
    "my": "US",
    "uc": "AU",
    "nga": "RU",
    "phap": "FR",
    "anh": "GB",
    "duc": "DE",
}

SEX_VALUES = {
    "": Sex.UNKNOWN,
    "nam": Sex.MALE,
    "m": Sex.MALE,
    "male": Sex.MALE,
    "nu": Sex.FEMALE,
    "f": Sex.FEMALE,
    "female": Sex.FEMALE,
    "chua ro": Sex.UNKNOWN,
    "u": Sex.UNKNOWN,
}
SEX_EXPORT = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ", Sex.UNKNOWN: ""}
# The spellings met in every file, folded once (fold() costs more than the rest of a row).
_SEX_FOLDED = {"": "", "Nam": "nam", "Nữ": "nu", "M": "m", "F": "f", "nam": "nam", "nữ": "nu"}
_SEX_TEXT = {k: str(v) for k, v in SEX_VALUES.items()}

_SNIFF_BYTES = 64 * 1024
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_DOC_SPLIT = re.compile(r"[;,\n]+")
_DOC_CHARS = re.compile(r"^[0-9A-Z./-]+$")
_DATE = re.compile(r"^(?:(?:(\d{1,2})[/.-])?(\d{1,2})[/.-])?(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_DATA_LIKE = re.compile(r"^[\d\s./:+-]+$")


class TableError(Exception):
    """The file cannot be read as a table of persons; the message says where and why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def header_key(text: str) -> str:
    """A header compared loosely: "  Họ và TÊN " → "ho_va_ten"."""
    return _NOT_ALNUM.sub("_", fold(text)).strip("_")


def cell_name(row: int, column: str) -> str:
    return _("dòng %(row)d, cột %(col)s") % {"row": row, "col": column}


def _excel_column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Table:
    """A table's header row and a way to stream its data rows (each call starts over)."""

    kind: str  # "csv" or "xlsx"
    headers: list[str]
    max_rows: int = MAX_ROWS
    header_row: int = 1
    delimiter: str = ","
    _source: Any = field(default=None, repr=False)

    def column_name(self, index: int) -> str:
        """How the user knows a column: its header, else its spreadsheet letter."""
        if 0 <= index < len(self.headers) and self.headers[index]:
            return self.headers[index]
        return _excel_column(index)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number as the user sees it, cell texts padded to the header), blank rows skipped.

        Raises TableError past `max_rows` data rows, on a formula cell or on a
        byte that is not UTF-8.
        """
        reader = self._xlsx_rows if self.kind == "xlsx" else self._csv_rows
        width = len(self.headers)
        count = 0
        for number, values in reader():
            if number <= self.header_row or not any(v.strip() for v in values):
                continue
            count += 1
            if count > self.max_rows:
                raise TableError(
                    _("Tệp có hơn %(max)s dòng dữ liệu (vượt ở dòng %(row)d): chia nhỏ tệp.")
                    % {"max": f"{self.max_rows:,}".replace(",", "."), "row": number}
                )
            if len(values) < width:
                values = values + [""] * (width - len(values))
            yield number, values[:width] if width else values

    def count_rows(self) -> int:
        """Data rows (reads the whole file once; raises as rows() does)."""
        return sum(1 for _row in self.rows())

    # -- CSV

    def _csv_rows(self) -> Iterator[tuple[int, list[str]]]:
        fileobj = self._source
        fileobj.seek(0)
        text = io.TextIOWrapper(fileobj, encoding="utf-8-sig", errors="strict", newline="")
        reader = csv.reader(text, delimiter=self.delimiter)
        try:
            for values in reader:
                yield reader.line_num, [nfc_cell(v) for v in values]
        except UnicodeDecodeError as exc:
            raise TableError(_encoding_message(reader.line_num + 1)) from exc
        except csv.Error as exc:
            raise TableError(
                _("Dòng %(row)d không đọc được như CSV: %(err)s")
                % {"row": reader.line_num, "err": exc}
            ) from exc
        finally:
            # Hand the file back open (the caller owns it); it may be closed already.
            with contextlib.suppress(ValueError):
                text.detach()

    # -- XLSX

    def _xlsx_rows(self) -> Iterator[tuple[int, list[str]]]:
        sheet = self._source
        for cells in sheet.iter_rows():
            values = []
            number = 0
            for index, cell in enumerate(cells):
                if getattr(cell, "row", None):
                    number = cell.row
                values.append(self._xlsx_value(cell, number, index))
            if number:
                yield number, values

    def _xlsx_value(self, cell, number: int, index: int) -> str:
        value = getattr(cell, "value", None)
        if getattr(cell, "data_type", None) == "f" or type(value).__name__ in (
            "ArrayFormula",
            "DataTableFormula",
        ):
            raise TableError(
                _(
                    "Ô %(cell)s (%(where)s) chứa công thức: hãy dán giá trị (Paste Values) "
                    "thay cho công thức rồi tải lại."
                )
                % {
                    "cell": f"{_excel_column(index)}{number}",
                    "where": cell_name(number, self.column_name(index)),
                }
            )
        return xlsx_text(value)


def nfc_cell(value: str) -> str:
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value).strip()
    # An export quotes text that would start a formula ('=…): read it back as typed.
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        value = value[1:]
    return value


def xlsx_text(value: Any) -> str:
    """A cell's value as the text a user typed: dates dd/mm/yyyy, 1985.0 → 1985."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc_cell(str(value))


def _encoding_message(row: int | None = None) -> str:
    where = _(" (từ dòng %(row)d)") % {"row": row} if row else ""
    return _(
        "Tệp không được mã hóa UTF-8%(where)s. Hãy lưu lại dưới dạng «CSV UTF-8» "
        "(Excel: Lưu thành → CSV UTF-8) hoặc dạng .xlsx rồi tải lại."
    ) % {"where": where}


def read_table(fileobj: IO[bytes], filename: str = "", *, max_rows: int = MAX_ROWS) -> Table:
    """The header row of a CSV or XLSX file, and its data rows to stream.

    `fileobj` is a seekable binary file, kept open by the caller while rows are read.
    """
    fileobj.seek(0)
    head = fileobj.read(_SNIFF_BYTES)
    fileobj.seek(0)
    if not head or not head.strip().strip(codecs.BOM_UTF8).strip():
        raise TableError(_("Tệp rỗng: không có dòng nào."))
    if head.startswith(b"PK\x03\x04"):
        return _read_xlsx(fileobj, filename, max_rows)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError(
            _("Tệp là Excel đời cũ (.xls): hãy mở bằng Excel và lưu thành .xlsx hoặc CSV UTF-8.")
        )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TableError(_encoding_message())
    if b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8", b"GIF8")):
        raise TableError(
            _("Tệp «%(name)s» không phải bảng CSV hay XLSX.") % {"name": filename or "?"}
        )
    return _read_csv(fileobj, head, max_rows)


def _decode_head(head: bytes) -> str:
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A multi-byte letter cut at the end of the sample is not an encoding error.
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return head[: exc.start].decode("utf-8-sig")
        line = head[: exc.start].count(b"\n") + 1
        raise TableError(_encoding_message(line)) from exc


def _read_csv(fileobj: IO[bytes], head: bytes, max_rows: int) -> Table:
    text = _decode_head(head)
    lines = [line for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    try:
        delimiter = csv.Sniffer().sniff(first, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    table = Table(kind="csv", headers=[], max_rows=max_rows, delimiter=delimiter, _source=fileobj)
    table.headers, table.header_row = _header(table._csv_rows())
    return table


def _read_xlsx(fileobj: IO[bytes], filename: str, max_rows: int) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as exc:
        raise TableError(
            _("Tệp «%(name)s» không phải bảng XLSX đọc được (có thể là tệp nén hoặc Word).")
            % {"name": filename or "?"}
        ) from exc
    except Exception as exc:  # openpyxl raises its own errors on damaged parts
        raise TableError(
            _("Tệp «%(name)s» không phải bảng XLSX đọc được.") % {"name": filename or "?"}
        ) from exc
    # The sheet's stated size refuses a huge file before it is read.
    stated = sheet.max_row if isinstance(sheet.max_row, int) else 0
    if stated - 1 > max_rows * 2:
        raise TableError(
            _("Tệp có khoảng %(n)s dòng, vượt giới hạn %(max)s dòng dữ liệu: chia nhỏ tệp.")
            % {
                "n": f"{stated - 1:,}".replace(",", "."),
                "max": f"{max_rows:,}".replace(",", "."),
            }
        )
    table = Table(kind="xlsx", headers=[], max_rows=max_rows, _source=sheet)
    table.headers, table.header_row = _header(table._xlsx_rows())
    return table


def _header(rows: Iterator[tuple[int, list[str]]]) -> tuple[list[str], int]:
    """The first non-blank row, which must read as column titles."""
    for number, values in rows:
        if not any(v.strip() for v in values):
            continue
        headers = list(values)
        while headers and not headers[-1]:
            headers.pop()
        for index, value in enumerate(headers):
            if value and _DATA_LIKE.match(value):
                raise TableError(
                    _(
                        "Thiếu dòng tiêu đề: dòng %(row)d cột %(col)s có «%(value)s», "
                        "trông như dữ liệu chứ không phải tên cột. Dòng đầu của tệp phải "
                        "là tên các cột (ho_ten, ngay_sinh…)."
                    )
                    % {"row": number, "col": _excel_column(index), "value": value[:40]}
                )
        return headers, number
    raise TableError(_("Tệp không có dòng tiêu đề (chỉ có dòng trống)."))


# ---------------------------------------------------------------- mapping


def template_mapping(headers: Sequence[str]) -> dict[str, int] | None:
    """{template column: index} when every header is a template column or a known label.

    None when some header is unknown, a column is named twice, or no name column is present:
    such a file goes through the mapping step.
    """
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        if not header.strip():
            continue
        column = _ALIAS_FIELD.get(header_key(header))
        if column is None or column in mapping:
            return None
        mapping[column] = index
    if not any(c in mapping for c in NAME_COLUMNS):
        return None
    return mapping


def guess_mapping(headers: Sequence[str]) -> dict[str, int]:
    """A best guess of {template column: index}, for the mapping form to pre-fill."""
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = header_key(header)
        column = _ALIAS_FIELD.get(key)
        if column is None:
            column = next(
                (
                    c
                    for alias, c in sorted(_ALIAS_FIELD.items(), key=lambda a: -len(a[0]))
                    if len(alias) > 3 and alias in key
                ),
                None,
            )
        if column and column not in mapping:
            mapping[column] = index
    return mapping


# ---------------------------------------------------------------- one row


def parse_birth(
    text: str, today: dt.date | None = None
) -> tuple[int | None, int | None, int | None]:
    """yyyy, mm/yyyy or dd/mm/yyyy (also with - or .; also yyyy-mm-dd) → (year, month, day).

    Raises ValueError with the message to show. `today`: the date a future date is
    judged against (the caller reading a whole file passes it once).
    """
    text = text.strip()
    if not text:
        return None, None, None
    if m := _ISO_DATE.match(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _DATE.match(text):
        day = int(m[1]) if m[1] else None
        month = int(m[2]) if m[2] else None
        year = int(m[3])
    else:
        raise ValueError(
            _("Ngày sinh «%(v)s» không đúng dạng yyyy, mm/yyyy hoặc dd/mm/yyyy.") % {"v": text}
        )
    if today is None:
        today = timezone.localdate()
    if month is not None and not 1 <= month <= 12:
        raise ValueError(_("Ngày sinh «%(v)s»: tháng phải từ 1 đến 12.") % {"v": text})
    if day is not None:
        try:
            born = dt.date(year, month, day)
        except ValueError:
            raise ValueError(_("Ngày sinh «%(v)s» không có thật.") % {"v": text}) from None
        if born > today:
            raise ValueError(_("Ngày sinh «%(v)s» ở tương lai.") % {"v": text})
    if year > today.year or (month and year == today.year and month > today.month):
        raise ValueError(_("Ngày sinh «%(v)s» ở tương lai.") % {"v": text})
    if year < 1900:
        raise ValueError(_("Năm sinh «%(v)s» trước 1900.") % {"v": text})
    return year, month, day


def nationality_code(text: str) -> str:
    """An ISO 3166-1 alpha-2 code from a code or a common country name; ValueError if unknown."""
    value = text.strip()
    if not value:
        return "VN"
    code = value.upper()
    if len(code) == 2 and code in COUNTRY_CODES:
        return code
    named = COUNTRY_NAMES.get(fold(value))
    if named:
        return named
    raise ValueError(
        _("Quốc tịch «%(v)s» không phải mã quốc gia ISO 3166 (VN, CN, LA…).") % {"v": value[:40]}
    )


def document_kind(number: str, nationality: str) -> str:
    """The likely kind of a bare document number (the template gives only the number)."""
    if number.isdigit() and nationality == "VN":
        if len(number) == 12:
            return DocumentKind.CCCD
        if len(number) == 9:
            return DocumentKind.CMND
    if nationality == "CN" and len(number) == 18 and number[:17].isdigit():
        return DocumentKind.CN_ID
    if re.match(r"^[A-Z]{1,2}\d{6,8}$", number):
        return DocumentKind.PASSPORT
    return DocumentKind.OTHER


def document_numbers(text: str) -> list[str]:
    """The numbers of one cell: several separated by ; or , ; spaces inside removed."""
    return [n for n in (p.replace(" ", "").upper() for p in _DOC_SPLIT.split(text)) if n]


def _has_letter(text: str) -> bool:
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def row_fields(
    values: Sequence[str], mapping: dict[str, int], *, today: dt.date | None = None
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """(keyword arguments for subject_create, [(template column, problem)]) of one row.

    `today`: see `parse_birth` (a file's reader passes it once rather than per row).
    """
    raw = {
        column: (values[index] if index < len(values) else "") or ""
        for column, index in mapping.items()
    }
    problems: list[tuple[str, str]] = []
    fields: dict[str, Any] = {}

    for column, target in zip(
        NAME_COLUMNS, ("full_name", "native_name", "latin_name"), strict=True
    ):
        value = raw.get(column, "")
        text = nfc(value)
        if value and not _has_letter(text):
            problems.append(
                (column, _("Tên chỉ gồm khoảng trắng hoặc ký hiệu, không có chữ cái nào."))
            )
            text = ""
        elif len(text) > MAX_NAME:
            problems.append((column, _("Tên dài quá %(n)d ký tự.") % {"n": MAX_NAME}))
        fields[target] = " ".join(text.split())
    if not any(fields[f] for f in ("full_name", "native_name", "latin_name")) and not any(
        c == col for col, _m in problems for c in NAME_COLUMNS
    ):
        first = next((c for c in NAME_COLUMNS if c in mapping), "ho_ten")
        problems.append(
            (
                first,
                _(
                    "Thiếu tên (ô trống hoặc chỉ có khoảng trắng): cần ít nhất một trong "
                    "ho_ten, ten_goc, ten_latinh."
                ),
            )
        )

    sex = raw.get("gioi_tinh", "")
    folded_sex = _SEX_FOLDED.get(sex)
    if folded_sex is None:
        folded_sex = fold(sex)
    if folded_sex in SEX_VALUES:
        fields["sex"] = _SEX_TEXT[folded_sex]
    else:
        problems.append(
            ("gioi_tinh", _("Giới tính «%(v)s» phải là Nam, Nữ, M, F hoặc để trống.") % {"v": sex})
        )
        fields["sex"] = str(Sex.UNKNOWN.value)

    try:
        year, month, day = parse_birth(raw.get("ngay_sinh", ""), today)
    except ValueError as exc:
        message = str(exc) or _(
            "Ngày sinh «%(v)s» không đúng dạng yyyy, mm/yyyy hoặc dd/mm/yyyy."
        ) % {"v": raw.get("ngay_sinh", "")}
        problems.append(("ngay_sinh", message))
        year = month = day = None
    fields.update(birth_year=year, birth_month=month, birth_day=day)

    try:
        fields["nationality"] = nationality_code(raw.get("quoc_tich", ""))
    except ValueError as exc:
        problems.append(("quoc_tich", str(exc)))
        fields["nationality"] = ""

    ethnicity = nfc(raw.get("dan_toc", ""))
    if len(ethnicity) > 64:
        problems.append(("dan_toc", _("Dân tộc dài quá 64 ký tự.")))
        ethnicity = ethnicity[:64]
    fields["ethnicity"] = ethnicity

    documents = []
    for number in document_numbers(raw.get("so_giay_to", "")):
        if len(number) > MAX_DOCUMENT or not _DOC_CHARS.match(number):
            problems.append(
                ("so_giay_to", _("Số giấy tờ «%(v)s» không hợp lệ.") % {"v": number[:40]})
            )
            continue
        country = fields["nationality"] or "VN"
        documents.append(
            {"kind": str(document_kind(number, country)), "number": number, "country": country}
        )
    fields["documents"] = documents
    return fields, problems


def export_row(subject, document_numbers_: Sequence[str]) -> list[str]:
    """A person in the template columns, as the import reads it back."""
    return [
        subject.full_name,
        subject.native_name,
        subject.latin_name,
        SEX_EXPORT.get(subject.sex, ""),
        subject.birth_display,
        subject.nationality,
        subject.ethnicity,
        "; ".join(document_numbers_),
    ]
