"""Vietnamese text: NFC normalisation and a folded form for search.

The folded form drops diacritics, maps đ/Đ to d, lower-cases and collapses
whitespace, so "Đồng Văn", "dong van" and "DONG  VĂN" (even typed in NFD)
all fold to "dong van".
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(value: str | None) -> str:
    """The text in Unicode NFC with surrounding whitespace removed."""
    if not value:
        return ""
    return unicodedata.normalize("NFC", str(value)).strip()


def fold(value: str | None) -> str:
    """A search key: no diacritics, đ→d, lower case, single spaces."""
    if not value:
        return ""
    text = unicodedata.normalize("NFD", str(value))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("đ", "d").replace("Đ", "D").replace("ð", "d")
    return _SPACES.sub(" ", text.casefold()).strip()


def search_blob(*parts: str | None) -> str:
    """Fold and join several fields into one searchable column value."""
    return " | ".join(f for f in (fold(p) for p in parts) if f)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value):
    """`value` made inert for Excel and LibreOffice: text that would start a formula is quoted.

    A title such as ``=HYPERLINK(...)`` typed by one agency must not become a live
    formula in the file another agency's leader opens.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def roman(number: int) -> str:
    """A positive number in Roman numerals, as chapters are numbered: 4 → "IV"."""
    out = ""
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        out += letters * count
    return out
