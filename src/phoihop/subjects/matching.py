"""Finding a person from any form of the name.

A person's names arrive as Hán tự, pinyin (with tone marks, tone numbers, run
together), a Hán-Việt reading, a Vietnamese name with or without diacritics,
in any order, without the middle name, or with a typo. Each person has derived
*keys* stored in `SubjectNameKey` and indexed on (kind, key); `match` turns the
query into the same keys, finds the candidates with one indexed, grouped query
(never a scan of all persons in Python), ranks them there by the weight of the
keys they share, and scores the short list with rapidfuzz, saying why.

Kinds of key (see `subject_keys`):

- ``fold``: a Latin name form folded (no diacritics, đ→d, lower case), tokens in order;
- ``sorted``: the same tokens sorted (family and given name swapped, Western order);
- ``joined``: the tokens run together (``WANGXIAOMING``, ``Wang Xiao Ming``);
- ``pair``: every sorted pair of tokens of a name of three or more (a missing
  middle name; a typo confined to one token);
- ``pfx``: the sorted three-letter prefixes of the tokens (a typo past the third letter);
- ``tokyear``: each token of two letters or more with the birth year (two typos
  in two tokens, when the year is known);
- ``pinyin``: pinyin derived from the Hán tự, run together, family name first and last;
- ``hanviet``: the Hán-Việt reading derived from the Hán tự, folded;
- ``han``: the Hán tự, spaces removed, traditional characters made simplified;
- ``doc``: identity document numbers, upper case, letters and digits only;
- ``born``: the full birth date (yyyy-mm-dd), when day, month and year are known.

Traditional → simplified: no converter ships offline with the project's
dependencies (pypinyin and cn2vn read both scripts but do not convert), so
`TRADITIONAL` maps the ~330 traditional characters that occur in common Chinese
surnames and given names. A character outside it is kept as written: the
``han`` key then misses, and the pinyin and Hán-Việt keys (which pypinyin and
cn2vn derive from either script) still find the person.
"""

from __future__ import annotations

import contextvars
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Any

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext
from rapidfuzz import fuzz

from phoihop.core.text import fold
from phoihop.subjects.names import han_viet_of, pinyin_of

# While the short list is ranked, reasons are not read: their texts are not translated
# (gettext for every reason of every candidate was most of the scoring time).
_untranslated = contextvars.ContextVar("matching_untranslated", default=False)


def _(message: str) -> str:
    return message if _untranslated.get() else gettext(message)


# Traditional → simplified for characters common in names: pairs of (traditional, simplified).
_PAIRS = (
    "張张陳陈楊杨黃黄趙赵劉刘吳吴孫孙馬马羅罗鄭郑謝谢韓韩馮冯蕭萧鄧邓許许呂吕蘇苏盧卢蔣蒋賈贾葉叶閻阎鍾钟範范譚谭鄒邹陸陆龍龙"
    "萬万錢钱湯汤喬乔賀贺賴赖龔龚歐欧陽阳單单區区諸诸鄺邝關关鳳凤嚴严農农顧顾鄔邬聶聂華华費费蘭兰衛卫韋韦鮑鲍齊齐儲储尋寻莊庄"
    "國国強强偉伟傑杰軍军東东紅红麗丽雲云飛飞鵬鹏濤涛輝辉鋒锋剛刚勝胜慶庆興兴寶宝貴贵長长順顺達达傳传義义禮礼應应書书學学歡欢"
    "樂乐愛爱發发億亿蓮莲靜静潔洁豔艳穎颖瑩莹嬌娇鳴鸣聰聪進进賢贤維维樹树韻韵紹绍榮荣綠绿銀银鐵铁鋼钢錦锦鍵键聲声寧宁遠远連连"
    "運运團团漢汉瀟潇濱滨澤泽潤润淵渊滿满溫温鴻鸿鶴鹤麥麦齡龄嶽岳島岛嵐岚壽寿夢梦開开馳驰駿骏騰腾體体無无為为從从來来時时會会"
    "親亲語语誠诚詩诗謙谦譽誉豐丰貞贞財财賓宾贊赞車车軒轩輕轻遙遥鄉乡醫医釗钊錫锡鐘钟隱隐雙双靈灵頌颂顏颜風风飄飘鵑鹃權权歲岁"
    "紀纪純纯細细經经絲丝綺绮緒绪練练繼继續续藝艺號号記记詠咏誼谊調调談谈論论諾诺證证護护讓让貢贡質质躍跃輪轮轉转辦办過过選选"
    "還还鈞钧鈴铃銘铭銳锐鋭锐鎮镇鏡镜閣阁閩闽險险隨随霧雾項项頓顿額额願愿顯显魚鱼鮮鲜鳥鸟點点瑋玮璣玑璽玺瓊琼環环瑤瑶鈺钰燁烨"
    "煒炜燦灿熾炽爾尔將将專专爺爷兒儿誌志廣广憶忆懷怀戰战擁拥換换數数斕斓曉晓暉晖氣气濟济灣湾煥焕獻献現现畢毕盡尽碩硕禎祯禦御"
    "竇窦筆笔箏筝簡简絹绢綿绵緯纬縱纵總总聖圣職职臨临舉举艷艳芻刍萊莱葦苇蒼苍蓋盖薈荟薔蔷蘆芦衆众覺觉訊讯詞词該该誨诲諭谕謹谨"
    "變变賞赏輩辈遜逊釵钗錚铮鏈链閃闪闊阔闖闯隊队際际雞鸡離离電电韜韬頂顶預预頤颐頻频題题颯飒飾饰驥骥驕骄鬆松鴿鸽鶯莺"
)
TRADITIONAL = {_PAIRS[i]: _PAIRS[i + 1] for i in range(0, len(_PAIRS), 2)}

FOLD, SORTED, JOINED, PAIR, PFX, TOKYEAR = "fold", "sorted", "joined", "pair", "pfx", "tokyear"
PINYIN, HANVIET, HAN, DOC, BORN = "pinyin", "hanviet", "han", "doc", "born"
KINDS = (FOLD, SORTED, JOINED, PAIR, PFX, TOKYEAR, PINYIN, HANVIET, HAN, DOC, BORN)

# How much a shared key counts when the database ranks the candidates (before scoring).
KEY_WEIGHTS = {
    DOC: 200,
    HAN: 60,
    FOLD: 40,
    HANVIET: 40,
    SORTED: 30,
    JOINED: 30,
    PINYIN: 30,
    PAIR: 12,
    # A full birth date alone brings a few dozen persons per million into the short list,
    # where the name is scored: it finds a name with two typos when the date is known.
    BORN: 35,
    PFX: 10,
    TOKYEAR: 8,
}
# A run-together name one edit (a typo) away from the query's; a name word one edit
# away with the same birth year (two typos in two words).
EDIT_WEIGHT = 20
WORD_EDIT_WEIGHT = 6
WORD_EDIT_MAX_WORDS = 4
# The most persons one key brings to the ranking (PostgreSQL; see `_ranked`).
KEY_ROWS_CAP = 1000
# The short list scored in Python: the best-ranked candidates by shared keys.
SHORT_LIST = 60
MAX_KEY = 255

_HAN_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_APOSTROPHES = re.compile(r"['’`ʼ]")
_NOT_LETTER = re.compile(r"[^a-z]+")
_DOC_JUNK = re.compile(r"[^0-9A-Z]")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
EDIT_MAX_LENGTH = 30


# ---------------------------------------------------------------- normalising


def latin_tokens(text: str | None) -> list[str]:
    """Folded name tokens: "Giàng A  PÁO" → [giang, a, pao]; "Wang3 Xiǎo-ming" → [wang, xiao, ming].

    Digits go (pinyin tone numbers), apostrophes join (H'Mông → hmong), any
    other non-letter separates; Hán tự are not Latin and are dropped here.
    """
    if not text:
        return []
    folded = _APOSTROPHES.sub("", fold(text))
    return [t for t in _NOT_LETTER.split(folded) if t]


def han_key(text: str | None) -> str:
    """The Hán tự of a name, spaces and other script removed, in simplified characters."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    return "".join(TRADITIONAL.get(ch, ch) for ch in _HAN_CHAR.findall(text))


def document_key(number: str | None) -> str:
    return _DOC_JUNK.sub("", unicodedata.normalize("NFKC", number or "").upper())


@lru_cache(maxsize=65536)
def han_readings(han: str) -> tuple[tuple[str, ...], ...]:
    """(Hán-Việt tokens, pinyin family tokens, pinyin given tokens) of simplified Hán tự."""
    if not han:
        return [], [], []
    hanviet = latin_tokens(han_viet_of(han))
    family, _sep, given = pinyin_of(han).partition(" ")
    return tuple(hanviet), tuple(latin_tokens(family)), tuple(latin_tokens(given))


# Pinyin tone marks: the macron and caron are pinyin's alone; acute and grave are shared
# with Vietnamese, so a spelling is read for tones only if it has one of the former or digits.
_TONE_OF_MARK = {"\u0304": "1", "\u0301": "2", "\u030c": "3", "\u0300": "4"}
_PINYIN_ONLY_MARKS = {"\u0304", "\u030c"}
_TONE_DIGITS = re.compile(r"[a-zü]+([1-5])", re.IGNORECASE)


def stated_tones(text: str) -> str:
    """The pinyin tones a spelling states, in order: "Wáng Yǔfēi" → "231", "gu4 jia1" → "41".

    Empty when the text is not pinyin with tones (a Vietnamese name's marks are not tones).
    """
    if not text:
        return ""
    if digits := _TONE_DIGITS.findall(text):
        return "".join(digits)
    decomposed = unicodedata.normalize("NFD", text)
    if not _PINYIN_ONLY_MARKS & set(decomposed):
        return ""
    return "".join(_TONE_OF_MARK[ch] for ch in decomposed if ch in _TONE_OF_MARK)


@lru_cache(maxsize=65536)
def han_tones(han: str) -> str:
    """The tones of simplified Hán tự as pypinyin reads them ("王宇飞" → "231"; neutral 5)."""
    from pypinyin import Style, pinyin

    out = []
    for (syllable,) in pinyin(han, style=Style.TONE3, strict=False):
        out.append(syllable[-1] if syllable[-1:].isdigit() else "5")
    return "".join(out)


@lru_cache(maxsize=65536)
def common_syllables(han: str) -> tuple[str, ...]:
    """The Hán tự read character by character in their most common readings."""
    from pypinyin import Style, lazy_pinyin

    return tuple(latin_tokens(" ".join(lazy_pinyin(han, style=Style.NORMAL))))


def common_reading(han: str) -> str:
    """`common_syllables` run together: 单平柳 → danpingliu (as a surname, 单 reads Shàn)."""
    return "".join(common_syllables(han))


# ---------------------------------------------------------------- name forms


@dataclass(frozen=True)
class NameForm:
    """One Latin spelling of a name, as tokens, and where it comes from."""

    source: str
    tokens: tuple[str, ...]
    text: str = ""

    @property
    def spaced(self) -> str:
        return " ".join(self.tokens)

    @property
    def joined(self) -> str:
        return "".join(self.tokens)


SOURCE_LABELS = {
    "full_name": "họ tên tiếng Việt",
    "latin_name": "tên Latin (hộ chiếu)",
    "han_viet": "âm Hán Việt",
    "pinyin": "pinyin",
    "aliases": "tên gọi khác",
    "native_name": "tên chữ Hán",
    "derived_hanviet": "âm Hán Việt suy ra từ chữ Hán",
    "derived_pinyin": "pinyin suy ra từ chữ Hán",
    "query": "tên tra cứu",
}


def _label(source: str) -> str:
    return _(SOURCE_LABELS.get(source, source))


_ALIAS_SPLIT = re.compile(r"[;,\n]")


def split_aliases(text: str | None) -> list[str]:
    """The aliases written in one field, separated by ';', ',' or a new line."""
    return [a.strip() for a in _ALIAS_SPLIT.split(text or "") if a.strip()]


def subject_forms(fields: Mapping[str, Any]) -> tuple[list[NameForm], str]:
    """The Latin forms of a person's names (stated and derived) and their Hán tự key."""
    forms: list[NameForm] = []
    seen: set[tuple[str, ...]] = set()

    def add(source: str, text: str, tokens: Sequence[str] | None = None) -> None:
        toks = tuple(t for t in (tokens if tokens is not None else latin_tokens(text)) if t)
        if toks and toks not in seen:
            seen.add(toks)
            forms.append(NameForm(source, toks, text))

    for source in ("full_name", "latin_name", "han_viet", "pinyin"):
        add(source, fields.get(source) or "")
    for alias in split_aliases(fields.get("aliases")):
        add("aliases", alias)
    han = han_key(fields.get("native_name"))
    hanviet, family, given = han_readings(han)
    add("derived_hanviet", " ".join(hanviet), hanviet)
    add("derived_pinyin", " ".join([*family, *given]).title(), ["".join(family), "".join(given)])
    if han and (common := common_syllables(han)) and "".join(common) != "".join([*family, *given]):
        add("derived_pinyin", " ".join(common).title(), common)
    return forms, han


# ---------------------------------------------------------------- keys


def _latin_keys(tokens: Sequence[str], birth_year: int | None) -> set[tuple[str, str]]:
    keys = {
        (FOLD, " ".join(tokens)),
        (SORTED, " ".join(sorted(tokens))),
        (JOINED, "".join(tokens)),
    }
    if len(tokens) >= 3:
        keys |= {(PAIR, " ".join(sorted(p))) for p in combinations(tokens, 2)}
    if len(tokens) >= 2:
        keys.add((PFX, " ".join(sorted(t[:3] for t in tokens))))
    if birth_year:
        keys |= {(TOKYEAR, f"{t}|{birth_year}") for t in tokens if len(t) >= 2}
    return keys


def subject_keys(fields: Mapping[str, Any], documents: Iterable[str] = ()) -> set[tuple[str, str]]:
    """Every (kind, key) of a person, from their name fields, birth year and document numbers."""
    forms, han = subject_forms(fields)
    year = fields.get("birth_year")
    keys: set[tuple[str, str]] = set()
    for form in forms:
        keys |= _latin_keys(form.tokens, year)
    if han:
        keys.add((HAN, han))
        hanviet, family, given = han_readings(han)
        if hanviet:
            keys.add((HANVIET, " ".join(hanviet)))
        fam, giv = "".join(family), "".join(given)
        keys |= {(PINYIN, fam + giv), (PINYIN, giv + fam)}
        # A surname read its own way (单 Shàn, 区 Ōu) is often typed in its common
        # reading (dān, qū), as an input method gives it: index that spelling too.
        if (common := common_reading(han)) and common != fam + giv:
            keys |= {(PINYIN, common), (JOINED, common)}
    keys |= {(DOC, k) for k in map(document_key, documents) if k}
    if born := birth_key(year, fields.get("birth_month"), fields.get("birth_day")):
        keys.add((BORN, born))
    return {(kind, key[:MAX_KEY]) for kind, key in keys if key}


def birth_key(year: int | None, month: int | None, day: int | None) -> str:
    """yyyy-mm-dd when the whole birth date is known, else empty."""
    return f"{year:04d}-{month:02d}-{day:02d}" if year and month and day else ""


NAME_FIELDS = (
    "full_name",
    "native_name",
    "latin_name",
    "han_viet",
    "pinyin",
    "aliases",
    "birth_year",
    "birth_month",
    "birth_day",
)


def key_rows(subject, documents: Iterable[str] = (), *, model=None) -> list:
    """Unsaved `SubjectNameKey` rows for a saved person (for bulk creation)."""
    if model is None:
        from phoihop.subjects.models import SubjectNameKey as model
    fields = {f: getattr(subject, f) for f in NAME_FIELDS}
    return [
        model(subject_id=subject.pk, kind=kind, key=key)
        for kind, key in sorted(subject_keys(fields, documents))
    ]


def rebuild_keys(
    subject_model, key_model, document_model, *, batch_size: int = 2000, progress=None
) -> int:
    """Recompute every person's keys in batches; works with historical models in migrations."""
    fields = ("pk", *NAME_FIELDS)
    key_model.objects.all().delete()
    persons = subject_model.objects.all()
    if any(f.name == "merged_into" for f in subject_model._meta.get_fields()):
        persons = persons.filter(merged_into__isnull=True)  # merged records are not sought
    done = 0
    last = 0
    while True:
        rows = list(persons.filter(pk__gt=last).order_by("pk").values(*fields)[:batch_size])
        if not rows:
            return done
        last = rows[-1]["pk"]
        docs: dict[int, list[str]] = {}
        for sid, number in document_model.objects.filter(
            subject_id__in=[r["pk"] for r in rows]
        ).values_list("subject_id", "number"):
            docs.setdefault(sid, []).append(number)
        key_model.objects.bulk_create(
            [
                key_model(subject_id=row["pk"], kind=kind, key=key)
                for row in rows
                for kind, key in sorted(subject_keys(row, docs.get(row["pk"], ())))
            ],
            batch_size=5000,
        )
        done += len(rows)
        if progress:
            progress(done)


def one_edit(word: str) -> set[str]:
    """Every spelling one edit from `word`: a letter a–z deleted, inserted or substituted,
    or two neighbours swapped (some 800 for fifteen letters; each an index probe)."""
    out: set[str] = set()
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        out.update(head + c + tail for c in _ALPHABET)
        if tail:
            out.add(head + tail[1:])
            out.update(head + c + tail[1:] for c in _ALPHABET)
        if len(tail) > 1:
            out.add(head + tail[1] + tail[0] + tail[2:])
    out.discard(word)
    return out


# ---------------------------------------------------------------- query


@dataclass
class MatchQuery:
    """What is known of the person sought; `name` in any form, other forms in `other_names`."""

    name: str = ""
    other_names: Sequence[str] = ()
    birth_year: int | None = None
    birth_month: int | None = None
    birth_day: int | None = None
    sex: str = ""
    nationality: str = ""
    document: str = ""

    def forms(self) -> tuple[list[NameForm], str]:
        forms: list[NameForm] = []
        han = ""
        for text in (self.name, *self.other_names):
            tokens = tuple(latin_tokens(text))
            if tokens and all(f.tokens != tokens for f in forms):
                forms.append(NameForm("query", tokens, text))
            han = han or han_key(text)
        if han:
            hanviet, family, given = han_readings(han)
            for source, toks in (
                ("derived_hanviet", tuple(hanviet)),
                ("derived_pinyin", ("".join(family), "".join(given))),
            ):
                if any(toks) and all(f.tokens != toks for f in forms):
                    forms.append(NameForm(source, tuple(t for t in toks if t)))
        return forms, han

    def pair_keys(self) -> set[str]:
        """The sorted two-word parts of the query's names of three words or more."""
        return {
            " ".join(sorted(pair))
            for form in self.forms()[0]
            if len(form.tokens) > 2
            for pair in combinations(form.tokens, 2)
        }

    def edited_keys(self) -> set[str]:
        """The typed Latin names run together, each changed by one edit (`one_edit`)."""
        out: set[str] = set()
        for text in (self.name, *self.other_names):
            word = "".join(latin_tokens(text))
            if 4 <= len(word) <= EDIT_MAX_LENGTH:
                out |= one_edit(word)
        return out

    def edited_words(self) -> set[str]:
        """Each typed name word one edit away, with the birth year (``tokyear`` keys)."""
        if not self.birth_year:
            return set()
        out: set[str] = set()
        for text in (self.name, *self.other_names):
            for word in latin_tokens(text)[:WORD_EDIT_MAX_WORDS]:
                if 2 <= len(word) <= 12:
                    out |= {f"{w}|{self.birth_year}" for w in one_edit(word) if len(w) >= 2}
        return out

    def keys(self) -> dict[str, set[str]]:
        """The keys to look up, by kind."""
        forms, han = self.forms()
        wanted: dict[str, set[str]] = {k: set() for k in KINDS}
        for form in forms:
            toks = form.tokens
            spaced = " ".join(toks)
            wanted[FOLD].add(spaced)
            wanted[HANVIET].add(spaced)
            wanted[SORTED].add(" ".join(sorted(toks)))
            wanted[JOINED].add("".join(toks))
            wanted[PINYIN].add("".join(toks))
            for pair in combinations(toks, 2):
                key = " ".join(sorted(pair))
                wanted[PAIR].add(key)
                wanted[SORTED].add(key)
            if len(toks) >= 2:
                wanted[PFX].add(" ".join(sorted(t[:3] for t in toks)))
            if self.birth_year:
                wanted[TOKYEAR] |= {f"{t}|{self.birth_year}" for t in toks if len(t) >= 2}
        if han:
            wanted[HAN].add(han)
        if doc := document_key(self.document):
            wanted[DOC].add(doc)
        if born := birth_key(self.birth_year, self.birth_month, self.birth_day):
            wanted[BORN].add(born)
        return {k: {v[:MAX_KEY] for v in vs if v} for k, vs in wanted.items() if vs}


@dataclass
class Reason:
    """One thing that agreed or disagreed: `verdict` is agree, partial or disagree."""

    field: str
    verdict: str
    text: str


@dataclass
class Candidate:
    """A person who may be the one sought, with a score of 0–100 and the reasons."""

    subject: Any
    score: int
    name_score: int
    reasons: list[Reason] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.subject.pk


def candidate_ids(query: MatchQuery, *, queryset=None, limit: int = SHORT_LIST) -> list[int]:
    """The persons sharing the most (weighted) keys with the query, best first.

    First the query's own keys. When no whole name (or document) agrees with the
    best of them, the query may hold a typo: then once more with its spellings one
    edit away (`MatchQuery.edited_keys`, `edited_words`). Each lookup is one query.
    """
    wanted = query.keys()
    if not wanted or (queryset is not None and queryset.query.is_empty()):
        return []
    # A two-word part of a longer query, sorted, is looked up among the sorted names too
    # (a missing middle name); agreeing with it is not agreeing with the whole name.
    parts = query.pair_keys()
    groups = [
        (kind, keys - parts if kind == SORTED else keys, KEY_WEIGHTS[kind], kind in WHOLE)
        for kind, keys in wanted.items()
    ]
    groups.append((SORTED, wanted.get(SORTED, set()) & parts, KEY_WEIGHTS[SORTED], False))
    ranked = _ranked(groups, queryset, limit)
    if not ranked or not ranked[0][2]:
        edits = query.edited_keys() - wanted.get(JOINED, set())
        word_edits = query.edited_words() - wanted.get(TOKYEAR, set())
        if edits or word_edits:
            groups += [
                (JOINED, edits, EDIT_WEIGHT, False),
                (TOKYEAR, word_edits, WORD_EDIT_WEIGHT, False),
            ]
            ranked = _ranked(groups, queryset, limit)
    return [row[0] for row in ranked]


# Kinds whose agreement means a whole name (or a document) agreed, not a part of it.
WHOLE = frozenset({FOLD, SORTED, JOINED, PINYIN, HANVIET, HAN, DOC})


def _ranked(groups, queryset, limit: int) -> list[tuple[int, int, int]]:
    """(person id, summed weight, whether a whole name agreed) for the best `limit` persons.

    One query: a UNION ALL of index-only lookups on (kind, key), one per kind, summed
    per person. The policy's queryset, when it restricts anything, is a subquery.
    """
    from django.core.exceptions import EmptyResultSet
    from django.db import connection, transaction

    from phoihop.subjects.models import SubjectNameKey

    quote = connection.ops.quote_name
    table, kind_col, key_col = (
        quote(SubjectNameKey._meta.db_table),
        quote("kind"),
        quote("key"),
    )
    postgres = connection.vendor == "postgresql"
    parts, params = [], []
    for kind, keys, weight, whole in groups:
        if not keys:
            continue
        keys = sorted(keys)
        if postgres:
            # The keys as one array, joined: the planner does not weigh a thousand literals.
            # A key shared by thousands (Giàng Thị…, Thị with a birth year) tells little:
            # each key brings at most KEY_ROWS_CAP persons.
            parts.append(
                f"SELECT n.subject_id, {int(weight)} AS w, {int(whole)} AS whole "  # noqa: S608
                f"FROM unnest(%s::varchar[]) AS q(v) CROSS JOIN LATERAL ("
                f"SELECT subject_id FROM {table} "
                f"WHERE {kind_col} = %s AND {key_col} = q.v LIMIT {KEY_ROWS_CAP}) n"
            )
            params += [keys, kind]
        else:
            parts.append(
                f"SELECT subject_id, {int(weight)} AS w, {int(whole)} AS whole "  # noqa: S608
                f"FROM {table} WHERE {kind_col} = %s "
                f"AND {key_col} IN ({', '.join(['%s'] * len(keys))})"
            )
            params += [kind, *keys]
    if not parts:
        return []
    where = ""
    if queryset is not None and queryset.query.where:
        try:
            sub_sql, sub_params = queryset.values("pk").query.sql_with_params()
        except EmptyResultSet:  # the policy lets the user see no one
            return []
        where = f"WHERE k.subject_id IN ({sub_sql})"
        params += list(sub_params)
    # Only the table and column names (quoted) and integer weights are spliced in;
    # every key and the policy's values are bound parameters.
    sql = (
        f"SELECT k.subject_id, SUM(k.w) AS weight, MAX(k.whole) AS whole "  # noqa: S608
        f"FROM ({' UNION ALL '.join(parts)}) k {where} "
        "GROUP BY k.subject_id ORDER BY weight DESC, k.subject_id LIMIT %s"
    )
    params.append(limit)
    if not postgres:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    with transaction.atomic(), connection.cursor() as cursor:
        # A few thousand index probes: parallel workers cost more to start (some 30 ms
        # at a million persons) than they save. For this query only.
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(sql, params)
        return cursor.fetchall()


def match(query: MatchQuery, *, queryset=None, limit: int = 10) -> list[Candidate]:
    """Ranked candidates for `query`, best first; `queryset` restricts whom (the policy's)."""
    from phoihop.subjects.models import Subject

    ids = candidate_ids(query, queryset=queryset)
    if not ids:
        return []
    # A record merged into another is no candidate (its keys are removed when merged; this
    # holds after a full `reindex` too): the kept record answers for the person.
    subjects = Subject.objects.filter(pk__in=ids, merged_into__isnull=True).defer("search_text")
    q_doc = document_key(query.document)
    if q_doc:  # the document number is scored: every candidate's documents are needed
        subjects = subjects.prefetch_related("documents")
    q_forms, q_han = query.forms()
    token = _untranslated.set(True)
    try:
        candidates = [_score(query, q_forms, q_han, q_doc, s) for s in subjects]
    finally:
        _untranslated.reset(token)
    candidates.sort(key=lambda c: (-c.score, -c.name_score, c.id))
    # The ones shown, scored again with their reasons in the reader's language.
    best = [_score(query, q_forms, q_han, q_doc, c.subject) for c in candidates[:limit]]
    if not q_doc:  # only those shown carry their documents
        prefetch_related_objects([c.subject for c in best], "documents")
    return best


# ---------------------------------------------------------------- scoring


def _words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _marked(text: str) -> bool:
    """Whether the text was written with Vietnamese diacritics (then they are evidence too)."""
    return bool(text) and fold(text) != _words(text)


@lru_cache(maxsize=131072)
def _form_score(q: NameForm, s: NameForm) -> tuple[float, str]:
    """How well two Latin forms agree (0–100) and how: exact, spacing, order, middle, fuzzy."""
    if q.tokens == s.tokens:
        if _marked(q.text) and _marked(s.text) and _words(q.text) != _words(s.text):
            return 96.0, "marks"
        return 100.0, "exact"
    if q.joined == s.joined:
        return 98.0, "spacing"
    q_sorted, s_sorted = " ".join(sorted(q.tokens)), " ".join(sorted(s.tokens))
    if q_sorted == s_sorted:
        return 97.0, "order"
    best, how = (
        max(
            fuzz.ratio(q.spaced, s.spaced),
            fuzz.ratio(q.joined, s.joined) - 1,
            fuzz.ratio(q_sorted, s_sorted) - 3,
        ),
        "fuzzy",
    )
    short, long_ = (q, s) if len(q.tokens) < len(s.tokens) else (s, q)
    missing = len(long_.tokens) - len(short.tokens)
    if missing >= 1 and len(short.tokens) >= 2:
        # Middle names left out: the family and given names agree, in either order,
        # and what remains of the shorter name is found, in order, in the longer one.
        in_order = _within(short.tokens, long_.tokens)
        if in_order or _within(short.tokens[::-1], long_.tokens):
            score = 92.0 - 2 * (missing - 1) - (0 if in_order else 2)
            if _marked(q.text) and _marked(s.text):
                # Written with diacritics on both sides: Cường is not Cương.
                short_w, long_w = _words(short.text).split(), _words(long_.text).split()
                if (
                    len(short_w) == len(short.tokens)
                    and len(long_w) == len(long_.tokens)
                    and not (_within(short_w, long_w) or _within(short_w[::-1], long_w))
                ):
                    score -= 4
            return score, "middle"
        if missing == 1:
            short_sorted = " ".join(sorted(short.tokens))
            for i in range(1, len(long_.tokens) - 1):
                rest = " ".join(sorted(long_.tokens[:i] + long_.tokens[i + 1 :]))
                if rest == short_sorted:
                    return 92.0, "middle"
                r = fuzz.ratio(short_sorted, rest) - 8
                if r > best:
                    best, how = r, "fuzzy"
    return max(best, 0.0), how


def _within(short: Sequence[str], long_: Sequence[str]) -> bool:
    """Whether `short` is `long_` with middle tokens left out (first and last kept)."""
    if short[0] != long_[0] or short[-1] != long_[-1]:
        return False
    rest = iter(long_[1:-1])
    return all(token in rest for token in short[1:-1])


DIFFERENT_HAN_CAP = 85.0


def _name(q_forms, q_han, s_forms, s_han) -> tuple[float, list[Reason]]:
    best, reason = 0.0, None
    if q_han and s_han:
        if q_han == s_han:
            return 100.0, [Reason("name", "agree", _("Chữ Hán trùng khớp (%(h)s).") % {"h": s_han})]
        best = fuzz.ratio(q_han, s_han)
        reason = Reason(
            "name",
            "partial",
            _("Chữ Hán gần giống (%(q)s / %(s)s).") % {"q": q_han, "s": s_han},
        )
    agreed = None
    for q in q_forms:
        for s in s_forms:
            score, how = _form_score(q, s)
            if score > best:
                best, agreed = score, (q, s, score, how)
    if agreed:
        reason = _name_reason(*agreed)
    if q_han and s_han and q_han != s_han and best > DIFFERENT_HAN_CAP:
        # Both sides are written in Hán tự and the characters differ: readings derived from
        # them (pinyin, Hán-Việt) may still agree (王小明 and 汪晓明 read the same), but
        # identity never rests on a derived reading alone.
        best = DIFFERENT_HAN_CAP
        reason = Reason(
            "name",
            "partial",
            _("Đọc giống nhưng chữ Hán khác (%(q)s / %(s)s).") % {"q": q_han, "s": s_han},
        )
    return best, [reason] if reason else []


def _name_reason(q: NameForm, s: NameForm, score: float, how: str) -> Reason:
    args = {"q": q.text or q.spaced, "s": s.text or s.spaced, "f": _label(s.source)}
    if q.source != "query":
        args["q"] = "%s (%s)" % (q.spaced, _label(q.source))  # noqa: UP031
    if how == "exact":
        return Reason("name", "agree", _("Tên «%(q)s» khớp %(f)s «%(s)s».") % args)
    if how == "order":
        return Reason(
            "name", "agree", _("Tên «%(q)s» khớp %(f)s «%(s)s» khi đảo thứ tự họ, tên.") % args
        )
    if how == "spacing":
        return Reason(
            "name", "agree", _("Tên «%(q)s» khớp %(f)s «%(s)s» (khác cách viết liền).") % args
        )
    if how == "marks":
        return Reason(
            "name", "partial", _("Tên «%(q)s» khớp %(f)s «%(s)s» khi bỏ dấu (dấu khác).") % args
        )
    if how == "middle":
        return Reason("name", "partial", _("Tên «%(q)s» khớp %(f)s «%(s)s» khi bỏ tên đệm.") % args)
    args["n"] = round(score)
    return Reason("name", "partial", _("Tên «%(q)s» gần giống %(f)s «%(s)s» (%(n)s/100).") % args)


def _birth(query: MatchQuery, subject) -> tuple[int, Reason | None]:
    """Points for the birth date (neutral 10 when either side is unknown) and the reason."""
    qy, sy = query.birth_year, subject.birth_year
    if not qy or not sy:
        return 10, None
    shown = subject.birth_display
    if qy != sy:
        if abs(qy - sy) == 1:
            return 6, Reason(
                "birth", "partial", _("Năm sinh lệch một năm (%(q)s / %(s)s).") % {"q": qy, "s": sy}
            )
        return 0, Reason(
            "birth", "disagree", _("Năm sinh khác (%(q)s / %(s)s).") % {"q": qy, "s": sy}
        )
    parts = [(query.birth_month, subject.birth_month), (query.birth_day, subject.birth_day)]
    for q, s in parts:
        if q and s and q != s:
            return 4, Reason(
                "birth",
                "disagree",
                _("Cùng năm sinh %(y)s nhưng ngày sinh khác (%(s)s).") % {"y": sy, "s": shown},
            )
    if all(q and s for q, s in parts):
        return 20, Reason("birth", "agree", _("Ngày sinh trùng khớp (%(s)s).") % {"s": shown})
    if query.birth_month and subject.birth_month:
        return 17, Reason(
            "birth", "agree", _("Tháng và năm sinh trùng khớp (%(s)s).") % {"s": shown}
        )
    return 15, Reason("birth", "agree", _("Năm sinh trùng khớp (%(y)s).") % {"y": sy})


_SCORED_FIELDS = ("full_name", "native_name", "latin_name", "han_viet", "pinyin", "aliases")


@lru_cache(maxsize=65536)
def _stored_forms(values: tuple[str, ...]) -> tuple[list[NameForm], str]:
    """`subject_forms` of a person's stored names, remembered: namesakes share them."""
    return subject_forms(dict(zip(_SCORED_FIELDS, values, strict=True)))


def _score(query: MatchQuery, q_forms, q_han, q_doc, subject) -> Candidate:
    s_forms, s_han = _stored_forms(tuple(getattr(subject, f) or "" for f in _SCORED_FIELDS))
    name_score, reasons = _name(q_forms, q_han, s_forms, s_han)
    score = 0.8 * name_score
    if q_han == "" and s_han and (tones := stated_tones(query.name)) and len(tones) == len(s_han):
        # Pinyin with its tones tells apart characters that read alike (宇 yǔ / 玉 yù).
        heard = han_tones(s_han)
        if tones in (heard, heard[1:] + heard[:1]):
            reasons.append(
                Reason("name", "agree", _("Thanh điệu pinyin khớp chữ Hán %(h)s.") % {"h": s_han})
            )
        else:
            score -= 3
            reasons.append(
                Reason(
                    "name",
                    "partial",
                    _("Thanh điệu pinyin khác chữ Hán %(h)s.") % {"h": s_han},
                )
            )
    points, reason = _birth(query, subject)
    score += points
    if reason:
        reasons.append(reason)
    if query.sex and subject.sex and "U" not in (query.sex, subject.sex):
        if query.sex == subject.sex:
            reasons.append(Reason("sex", "agree", _("Giới tính trùng khớp.")))
        else:
            score -= 10
            reasons.append(Reason("sex", "disagree", _("Giới tính khác.")))
    if query.nationality and subject.nationality:
        if query.nationality.upper() == subject.nationality:
            reasons.append(
                Reason(
                    "nationality",
                    "agree",
                    _("Quốc tịch trùng khớp (%(c)s).") % {"c": subject.nationality},
                )
            )
        else:
            score -= 5
            reasons.append(
                Reason(
                    "nationality",
                    "disagree",
                    _("Quốc tịch khác (%(c)s).") % {"c": subject.nationality},
                )
            )
    if q_doc:
        numbers = {document_key(d.number): d.number for d in subject.documents.all()}
        if q_doc in numbers:
            # A document number is the strongest evidence there is: it dominates the name.
            score = 95 + 5 * name_score / 100
            reasons.insert(
                0,
                Reason(
                    "document", "agree", _("Số giấy tờ trùng khớp (%(n)s).") % {"n": numbers[q_doc]}
                ),
            )
        elif numbers:
            reasons.append(
                Reason("document", "disagree", _("Số giấy tờ không khớp giấy tờ nào đã ghi."))
            )
    return Candidate(
        subject=subject,
        score=round(max(0.0, min(100.0, score))),
        name_score=round(name_score),
        reasons=reasons,
    )
