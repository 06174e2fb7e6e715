"""Name forms of a person: Hán-Việt and pinyin readings derived from Hán tự.

Derived readings are suggestions an officer confirms; identity never rests on
them alone. Some surnames read differently from the character's common reading.
"""

import re
from functools import lru_cache

from cn2vn import cn2vn
from pypinyin import Style, lazy_pinyin

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# Surnames whose Hán-Việt reading differs from the character's usual one.
SURNAME_HAN_VIET = {
    "单": "Thiện",
    "区": "Âu",
    "仇": "Cừu",
    "解": "Giải",
    "查": "Tra",
    "曾": "Tăng",
    "乐": "Nhạc",
    "盖": "Cái",
}
SURNAME_PINYIN = {
    "单": "Shan",
    "区": "Ou",
    "仇": "Qiu",
    "解": "Xie",
    "查": "Zha",
    "曾": "Zeng",
    "乐": "Yue",
    "盖": "Ge",
}
_COMPOUND_SURNAMES = {
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
}


def has_han(text: str) -> bool:
    return bool(text and _HAN.search(text))


def _split(name: str) -> tuple[str, str]:
    name = re.sub(r"\s+", "", name)
    if name[:2] in _COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


@lru_cache(maxsize=65536)
def han_viet_of(name: str) -> str:
    """Hán-Việt reading, capitalised per syllable: 王小明 → Vương Tiểu Minh."""
    if not has_han(name):
        return ""
    surname, given = _split(name)
    head = SURNAME_HAN_VIET.get(surname) or cn2vn(surname)
    tail = cn2vn(given) if given else ""
    words = f"{head} {tail}".split()
    return " ".join(w[:1].upper() + w[1:] for w in words)


@lru_cache(maxsize=65536)
def pinyin_of(name: str) -> str:
    """Passport-style pinyin: family name, then given name run together: Wang Xiaoming."""
    if not has_han(name):
        return ""
    surname, given = _split(name)
    head = SURNAME_PINYIN.get(surname) or "".join(lazy_pinyin(surname, style=Style.NORMAL))
    tail = "".join(lazy_pinyin(given, style=Style.NORMAL)) if given else ""
    return f"{head.capitalize()} {tail.capitalize()}".strip()
