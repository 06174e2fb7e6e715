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
- ``doc``: identity document numbers, upper case, letters and digits only.

Traditional → simplified: no converter ships offline with the project's
dependencies (pypinyin and cn2vn read both scripts but do not convert), so
`TRADITIONAL` maps the ~330 traditional characters that occur in common Chinese
surnames and given names. A character outside it is kept as written: the
``han`` key then misses, and the pinyin and Hán-Việt keys (which pypinyin and
cn2vn derive from either script) still find the person.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Any

from django.db.models import Case, IntegerField, Q, Sum, Value, When
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from phoihop.core.text import fold
from phoihop.subjects.names import han_viet_of, pinyin_of

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
PINYIN, HANVIET, HAN, DOC = "pinyin", "hanviet", "han", "doc"
KINDS = (FOLD, SORTED, JOINED, PAIR, PFX, TOKYEAR, PINYIN, HANVIET, HAN, DOC)

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
    PFX: 10,
    TOKYEAR: 8,
}
# The short list scored in Python: the best-ranked candidates by shared keys.
SHORT_LIST = 100
MAX_KEY = 255

_HAN_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_APOSTROPHES = re.compile(r"['’`ʼ]")
_NOT_LETTER = re.compile(r"[^a-z]+")
_DOC_JUNK = re.compile(r"[^0-9A-Z]")


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


def subject_forms(fields: Mapping[str, Any]) -> tuple[list[NameForm], str]:
    """The Latin forms of a person's names (stated and derived) and their Hán tự key."""
    forms: list[NameForm] = []
    seen: set[tuple[str, ...]] = set()

    def add(source: str, text: str, tokens: Sequence[str] | None = None) -> None:
        toks = tuple(tokens if tokens is not None else latin_tokens(text))
        if toks and toks not in seen:
            seen.add(toks)
            forms.append(NameForm(source, toks, text))

    for source in ("full_name", "latin_name", "han_viet", "pinyin"):
        add(source, fields.get(source) or "")
    for alias in re.split(r"[;,\n]", fields.get("aliases") or ""):
        add("aliases", alias.strip())
    han = han_key(fields.get("native_name"))
    hanviet, family, given = han_readings(han)
    add("derived_hanviet", " ".join(hanviet), hanviet)
    add("derived_pinyin", " ".join([*family, *given]).title(), ["".join(family), "".join(given)])
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
    keys |= {(DOC, k) for k in map(document_key, documents) if k}
    return {(kind, key[:MAX_KEY]) for kind, key in keys if key}


NAME_FIELDS = (
    "full_name",
    "native_name",
    "latin_name",
    "han_viet",
    "pinyin",
    "aliases",
    "birth_year",
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
    fields = (
        "pk",
        "full_name",
        "native_name",
        "latin_name",
        "han_viet",
        "pinyin",
        "aliases",
        "birth_year",
    )
    key_model.objects.all().delete()
    done = 0
    last = 0
    while True:
        rows = list(
            subject_model.objects.filter(pk__gt=last).order_by("pk").values(*fields)[:batch_size]
        )
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
    """The persons sharing the most (weighted) keys with the query: one grouped, indexed query."""
    from phoihop.subjects.models import SubjectNameKey

    wanted = query.keys()
    if not wanted:
        return []
    condition = Q()
    for kind, keys in wanted.items():
        condition |= Q(kind=kind, key__in=sorted(keys))
    rows = SubjectNameKey.objects.filter(condition)
    if queryset is not None:
        rows = rows.filter(subject_id__in=queryset.values("pk"))
    weight = Sum(
        Case(
            *(When(kind=kind, then=Value(KEY_WEIGHTS[kind])) for kind in wanted),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    ranked = (
        rows.values("subject_id").annotate(weight=weight).order_by("-weight", "subject_id")[:limit]
    )
    return [row["subject_id"] for row in ranked]


def match(query: MatchQuery, *, queryset=None, limit: int = 10) -> list[Candidate]:
    """Ranked candidates for `query`, best first; `queryset` restricts whom (the policy's)."""
    from phoihop.subjects.models import Subject

    ids = candidate_ids(query, queryset=queryset)
    if not ids:
        return []
    subjects = Subject.objects.filter(pk__in=ids).prefetch_related("documents")
    q_forms, q_han = query.forms()
    q_doc = document_key(query.document)
    candidates = [_score(query, q_forms, q_han, q_doc, s) for s in subjects]
    candidates.sort(key=lambda c: (-c.score, -c.name_score, c.id))
    return candidates[:limit]


# ---------------------------------------------------------------- scoring


def _words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _marked(text: str) -> bool:
    """Whether the text was written with Vietnamese diacritics (then they are evidence too)."""
    return bool(text) and fold(text) != _words(text)


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
    if len(long_.tokens) - len(short.tokens) == 1 and len(short.tokens) >= 2:
        short_sorted = " ".join(sorted(short.tokens))
        for i in range(1, len(long_.tokens) - 1):
            rest = " ".join(sorted(long_.tokens[:i] + long_.tokens[i + 1 :]))
            if rest == short_sorted:
                return 92.0, "middle"
            r = fuzz.ratio(short_sorted, rest) - 8
            if r > best:
                best, how = r, "fuzzy"
    return max(best, 0.0), how


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
    for q in q_forms:
        for s in s_forms:
            score, how = _form_score(q, s)
            if score > best:
                best = score
                reason = _name_reason(q, s, score, how)
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


def _score(query: MatchQuery, q_forms, q_han, q_doc, subject) -> Candidate:
    fields = {
        f: getattr(subject, f)
        for f in ("full_name", "native_name", "latin_name", "han_viet", "pinyin", "aliases")
    }
    s_forms, s_han = subject_forms(fields)
    name_score, reasons = _name(q_forms, q_han, s_forms, s_han)
    score = 0.8 * name_score
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
