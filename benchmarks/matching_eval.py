"""`make bench-matching`: quality and speed of person matching on a labelled set built by code.

Generates SIZE persons from realistic name distributions (the demo's Kinh, H'Mông,
Dao, Tày, Nùng and Chinese pools, widened here so that a registry of 100,000 has
the variety a real one has), with partial birth dates and some passports, into a
database of its own (SQLite under var/bench/matching by default, PostgreSQL with
--postgres). Then draws QUERIES persons and for each writes one held-apart variant
of a name form (no diacritics, d for đ, case, NFD, swapped order, no middle name,
one or two typos, pinyin with tone marks, tone numbers or run together, Hán tự
with spaces or in traditional characters, Hán-Việt), with a full, year-only or
no birth date. It measures recall@10 and precision@1 of `subjects.matching.match`
against a baseline (the best plain rapidfuzz ratio over the stripped names of
the same candidate pool), and the latency of `match`. The table is printed and
written to docs/performance.md between the matching markers.

    python benchmarks/matching_eval.py --size 100000 --queries 2000 [--postgres URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK_START, MARK_END = "<!-- matching:start -->", "<!-- matching:end -->"

# Widened pools: the demo's, plus common names of the same groups.
EXTRA_VN = {
    "Kinh": {
        "surnames": [
            "Huỳnh",
            "Phan",
            "Võ",
            "Dương",
            "Lý",
            "Đinh",
            "Trịnh",
            "Đoàn",
            "Lâm",
            "Mai",
            "Tô",
            "Tạ",
            "Cao",
            "Hồ",
            "Lưu",
            "Chu",
        ],
        "male_middle": [
            "Hữu",
            "Công",
            "Xuân",
            "Ngọc",
            "Thanh",
            "Đình",
            "Trọng",
            "Mạnh",
            "Bá",
            "Huy",
        ],
        "female_middle": ["Ngọc", "Kim", "Hồng", "Minh", "Phương", "Bích", "Diệu", "Mỹ"],
        "male": [
            "Anh",
            "Bình",
            "Cảnh",
            "Duy",
            "Đông",
            "Giang",
            "Hiếu",
            "Hoàng",
            "Huy",
            "Khải",
            "Khoa",
            "Lâm",
            "Long",
            "Lực",
            "Nam",
            "Nghĩa",
            "Phong",
            "Phúc",
            "Quân",
            "Tài",
            "Thành",
            "Thịnh",
            "Toàn",
            "Trung",
            "Vinh",
            "Việt",
            "Khang",
            "Lộc",
            "Tâm",
            "Hiệp",
        ],
        "female": [
            "Anh",
            "Chi",
            "Dung",
            "Giang",
            "Hạnh",
            "Hiền",
            "Hoa",
            "Huyền",
            "Linh",
            "Loan",
            "Ly",
            "My",
            "Ngân",
            "Ngọc",
            "Nhung",
            "Oanh",
            "Phương",
            "Quyên",
            "Tâm",
            "Thu",
            "Thủy",
            "Trang",
            "Uyên",
            "Vân",
            "Xuân",
            "Yến",
            "Diệp",
            "Khánh",
        ],
    },
    "H'Mông": {
        "surnames": ["Vừ", "Hờ", "Chảo", "Thền", "Cứ", "Tráng", "Khang", "Phàn"],
        "male_middle": ["Mí", "Seo", "A", "Chá", "Sính", "Vả"],
        "male": [
            "Chơ",
            "Dìn",
            "Dúa",
            "Giống",
            "Khai",
            "Lềnh",
            "Mua",
            "Nhà",
            "Phử",
            "Pừ",
            "Tếnh",
            "Thề",
            "Vư",
            "Xò",
            "Sử",
            "Dũng",
            "Chính",
            "Tủa",
        ],
        "female": [
            "Ca",
            "Chá",
            "Dở",
            "Lỳ",
            "Mỷ",
            "Pằng",
            "Sua",
            "Say",
            "Thào",
            "Vá",
            "Xua",
            "Ly",
            "Sy",
            "Mỉ",
        ],
    },
    "Dao": {
        "surnames": ["Tẩn", "Chìu", "Lò", "Hoàng", "Sần", "Mãn"],
        "male": [
            "Phin",
            "Quý",
            "Lường",
            "Tòng",
            "Chàn",
            "Kiềm",
            "Phú",
            "Sinh",
            "Xuân",
            "Nhất",
            "Lai",
            "Chàng",
        ],
        "female": ["Mùi", "Mai", "Thanh", "Liên", "Chiêm", "Làn", "Muôn", "Dấu"],
    },
    "Tày": {
        "surnames": ["Hà", "Nguyễn", "La", "Mạc", "Triệu", "Vi", "Đàm", "Lộc"],
        "male": [
            "Cương",
            "Hưởng",
            "Lợi",
            "Quyết",
            "Thoại",
            "Tiến",
            "Vượng",
            "Bằng",
            "Chiến",
            "Dân",
        ],
        "female": ["Cúc", "Đào", "Hạnh", "Liễu", "Nguyệt", "Sen", "Thắm", "Xoan"],
    },
    "Nùng": {
        "surnames": ["Hứa", "Chu", "Mã", "Lý", "Đàm", "Triệu"],
        "male": ["Chinh", "Khìn", "Phìn", "Quáng", "Sìn", "Tắc", "Vảng", "Lù", "Minh"],
        "female": ["Chấn", "Lìu", "Mai", "Phấy", "Sểnh", "Sáu", "Phượng"],
    },
}
EXTRA_CN_SURNAMES = list(
    "高林郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文单区"
)
CN_GIVEN_CHARS = list(
    dict.fromkeys(
        "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力晶斌宇浩凯鹏飞云鑫波宁林海峰国庆成志东兴福春梅兰凤龙金晓晨佳欣怡思雨婷雪琳慧颖振宏亮德荣光永胜俊嘉家安新天"
        # Given-name characters are many more than surnames: a registry's worth of them.
        "子一博立松柏青山川江河泽润清源远航翔鸿浩瀚哲睿智仁义礼信忠孝诚恩慈善良美娇媛妍姿琪瑶璐瑾瑜琦琼珊"
        "珍珠翠碧彩丹虹霓月星辰晴阳旭昊晖曦朝夕岚岩峻峥嵘坤乾元亨利贞吉祥瑞福禄寿喜乐康泰"
        "冰洁清莹露霜雯菲芬芝兰蕾莉莎蓉荷莲菊桃杏柳桐楠枫桦梓彬斐彦达豪雄威武豹鹰鹤燕鸣凤鹭"
    )
)
# Each group's given names are many more than the demo's pools hold: the rest of a
# registry's worth, so that namesakes are as common as they really are, not more.
MORE_GIVEN = {
    "Kinh": {
        "male": "An Bảo Cường Chiến Công Danh Đạt Điền Định Đức Dũng Hải Hào Hậu Hiển Hòa Hùng "
        "Khánh Kiên Lâm Luân Mạnh Minh Ninh Phát Quang Quốc Sơn Tấn Thắng Thiện Thông Tiến Trí "
        "Tú Tuấn Tùng Văn Vũ Xuân Hưng Khôi Nhân Phụng Quý Sang Thái Thuận Tín Trường",
        "female": "Bích Cúc Diễm Duyên Hà Hằng Hồng Huệ Hương Kim Lan Liên Liễu Mai Mơ Nga Nguyệt "
        "Nhàn Nhi Nhu Nương Phượng Quế Quỳnh Sương Thảo Thắm Thanh Thơ Thoa Thư Tiên Trâm Trinh "
        "Tuyết Vy Hoài Lệ Mến Ngà Ngoan Thùy Tươi Vui",
    },
    "H'Mông": {
        "male": "Chứ Dế Dính Dìa Lử Pó Sính Súa Tráng Chìa Chỉnh Hồ Lầu Nhìa Pà Pháy Quáng Sùng "
        "Tỏa Xá Cở Dình Giàng Hạng Kháy Lùng Mỷ Nủ Pao Phứ Sùa Thào Tồng Vàng Vừ Xìa",
        "female": "Chở Dinh Dợ Già Hoa Khu Lan Mái Mao Nhìa Pàng Sí Súa Thênh Tú Vi Xí Chúa "
        "Dúa Hờ Lia Mua Nu Pằng Sinh Tâu",
    },
    "Dao": {
        "male": "Cao Chòi Chằn Diếu Giàng Lụ Mẩy Phẩu Sành Tả Thàng Vần Kiều Lìn Ổng",
        "female": "Chài Dụ Kiều Lìu May Nải Sài Tả Xuân Phấy Mẩy Ton",
    },
    "Tày": {
        "male": "Bình Cảnh Đông Giáp Hiến Khoa Luyện Mạnh Nông Phong Sáng Thắng Thư Tuấn Vinh",
        "female": "Bích Duyên Hoa Lan Lụa Mơ Nụ Phấn Quyên Thêu Thủy Vân",
    },
    "Nùng": {
        "male": "Chẩn Hìn Lìn Mìn Pảo Páo Sáng Thàng Vần Ương Dìn Khải",
        "female": "Dung Hoa Lan Mỉ Nhung Piềng Sửu Thím Vằn Xia",
    },
}


def _zipf(items, rng, s=1.0):
    weights = [1 / (i + 1) ** s for i in range(len(items))]
    return rng.choices(items, weights)[0]


def _pools():
    from phoihop.demo import names

    vn = {}
    for group, pool in names.VIETNAMESE.items():
        extra = EXTRA_VN.get(group, {})
        more = {k: v.split() for k, v in MORE_GIVEN.get(group, {}).items()}
        vn[group] = {
            k: list(dict.fromkeys([*pool[k], *extra.get(k, []), *more.get(k, [])])) for k in pool
        }
    surnames = list(dict.fromkeys([*names.CHINESE_SURNAMES, *EXTRA_CN_SURNAMES]))
    return vn, names.ETHNIC_WEIGHTS, surnames


def person_rows(n, rng, owner):
    from phoihop.subjects.models import Subject
    from phoihop.subjects.names import han_viet_of, pinyin_of

    vn, weights, cn_surnames = _pools()
    groups, group_w = list(weights), list(weights.values())
    people, docs = [], []
    for _ in range(n):
        sex = rng.choice("MF")
        if rng.random() < 0.4:
            given = "".join(rng.choice(CN_GIVEN_CHARS) for _ in range(rng.choice([1, 2, 2, 2])))
            native = _zipf(cn_surnames, rng, 0.8) + given
            full = han_viet_of(native)
            p = Subject(
                full_name=full,
                native_name=native,
                han_viet=full,
                pinyin=pinyin_of(native),
                nationality="CN",
            )
        else:
            group = rng.choices(groups, group_w)[0]
            pool = vn[group]
            middle = pool["male_middle" if sex == "M" else "female_middle"]
            given = pool["male" if sex == "M" else "female"]
            tokens = [_zipf(pool["surnames"], rng, 0.7), rng.choice(middle), rng.choice(given)]
            if group == "Kinh" and rng.random() < 0.25:
                tokens.insert(2, rng.choice(middle))  # a second middle name
                if tokens[1] == tokens[2]:
                    del tokens[2]
            p = Subject(full_name=" ".join(tokens), nationality="VN", ethnicity=group)
        p.sex = sex
        p.owner_agency = owner
        p.birth_year = rng.randint(1950, 2005)
        r = rng.random()
        if r < 0.85:
            p.birth_month = rng.randint(1, 12)
        if r < 0.7:
            p.birth_day = rng.randint(1, 28)
        people.append(p)
        docs.append(
            f"{'E' if p.nationality == 'CN' else 'C'}{rng.randint(0, 99_999_999):08d}"
            if rng.random() < 0.3
            else ""
        )
    return people, docs


def _insert_keys(rows):
    """Write (subject id, kind, key) rows: COPY on PostgreSQL, a prepared INSERT on SQLite.

    The same rows `subjects.matching.key_rows` makes, without a model instance each
    (a million persons have some twenty million keys).
    """
    from django.db import connection

    from phoihop.subjects.models import SubjectNameKey

    table = SubjectNameKey._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} (subject_id, kind, key) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cur.executemany(
                f"INSERT INTO {table} (subject_id, kind, key) VALUES (%s, %s, %s)", list(rows)
            )


def populate(size, seed, say):
    from django.db import transaction

    from phoihop.accounts.models import Agency
    from phoihop.core.text import search_blob
    from phoihop.subjects.matching import NAME_FIELDS, subject_keys
    from phoihop.subjects.models import IdentityDocument, Subject

    have = Subject.objects.count()
    if have >= size:
        return
    owner, _c = Agency.objects.get_or_create(
        code="bench-matching",
        defaults={"name": "Cơ quan đo kiểm", "short_name": "Đo kiểm", "kind": "domestic"},
    )
    rng = random.Random(seed * 1_000_003 + have)
    started = time.perf_counter()
    for start in range(have, size, 5000):
        people, numbers = person_rows(min(5000, size - start), rng, owner)
        for p in people:
            p.search_text = search_blob(p.full_name, p.native_name, p.pinyin)
        with transaction.atomic():
            created = Subject.objects.bulk_create(people, batch_size=1000)
            IdentityDocument.objects.bulk_create(
                [
                    IdentityDocument(
                        subject_id=p.pk, kind="passport", number=num, country=p.nationality
                    )
                    for p, num in zip(created, numbers, strict=True)
                    if num
                ],
                batch_size=2000,
            )
            _insert_keys(
                (p.pk, kind, key)
                for p, num in zip(created, numbers, strict=True)
                for kind, key in subject_keys(
                    {f: getattr(p, f) for f in NAME_FIELDS}, [num] if num else []
                )
            )
        say(f"  {start + len(people)}/{size} đối tượng ({time.perf_counter() - started:.0f} s)")


# ---------------------------------------------------------------- variants


def _typo(text, rng, n):
    chars = list(text)
    for _ in range(n):
        letters = [i for i, c in enumerate(chars) if c.isalpha()]
        i = rng.choice(letters)
        op = rng.choice(["sub", "del", "ins", "swap"])
        if op == "sub":
            chars[i] = rng.choice("abcdeghiklmnopqrstuvxy")
        elif op == "del" and len(letters) > 4:
            del chars[i]
        elif op == "ins":
            chars.insert(i, rng.choice("abcdeghiklmnopqrstuvxy"))
        elif i + 1 < len(chars) and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def variant(person, rng):
    """(family, query name) for a person: one held-apart way the name may arrive."""
    from pypinyin import Style, pinyin

    from phoihop.core.text import fold
    from phoihop.subjects.matching import TRADITIONAL

    if person.native_name:
        han = person.native_name
        family = rng.choice(
            [
                "han",
                "han_spaced",
                "traditional",
                "pinyin_upper",
                "pinyin_tones",
                "pinyin_numbers",
                "pinyin_run",
                "pinyin_western",
                "hanviet",
                "hanviet_plain",
                "typo1",
                "typo2",
            ]
        )
        if family == "han":
            return family, han
        if family == "han_spaced":
            return family, " ".join(han)
        if family == "traditional":
            back = {s: t for t, s in TRADITIONAL.items()}
            return family, "".join(back.get(c, c) for c in han)
        head, _sep, tail = person.pinyin.partition(" ")
        if family == "pinyin_upper":
            return family, person.pinyin.upper()
        if family in ("pinyin_tones", "pinyin_numbers"):
            style = Style.TONE if family == "pinyin_tones" else Style.TONE3
            syl = [s[0] for s in pinyin(han, style=style)]
            cut = 2 if han[:2] in ("欧阳",) else 1
            return family, (
                "".join(syl[:cut]) + " " + "".join(syl[cut:])
            ).title() if family == "pinyin_tones" else " ".join(syl)
        if family == "pinyin_run":
            return family, person.pinyin.replace(" ", "").upper()
        if family == "pinyin_western":
            return family, f"{tail} {head}"
        if family == "hanviet":
            return family, person.han_viet
        if family == "hanviet_plain":
            return family, fold(person.han_viet)
        n = 1 if family == "typo1" else 2
        return family, _typo(rng.choice([person.pinyin, fold(person.han_viet)]), rng, n)
    name = person.full_name
    tokens = name.split()
    family = rng.choice(
        [
            "plain",
            "d_for_dd",
            "upper",
            "nfd",
            "swap",
            "western",
            "no_middle",
            "typo1",
            "typo2",
            "exact",
        ]
    )
    if family == "plain":
        return family, fold(name)
    if family == "d_for_dd":
        return family, name.replace("Đ", "D").replace("đ", "d")
    if family == "upper":
        return family, name.upper()
    if family == "nfd":
        return family, unicodedata.normalize("NFD", name)
    if family == "swap":
        return family, " ".join([*tokens[1:], tokens[0]])
    if family == "western":
        return family, fold(" ".join([tokens[-1], *tokens[:-1]])).title()
    if family == "no_middle":
        return family, f"{tokens[0]} {tokens[-1]}"
    if family == "exact":
        return family, name
    return family, _typo(rng.choice([name, fold(name)]), rng, 1 if family == "typo1" else 2)


def build_queries(n, seed):
    from phoihop.subjects.matching import MatchQuery
    from phoihop.subjects.models import Subject

    rng = random.Random(seed + 99)
    ids = list(Subject.objects.values_list("pk", flat=True))
    chosen = rng.sample(ids, n)
    people = Subject.objects.in_bulk(chosen)
    out = []
    for pk in chosen:
        person = people[pk]
        family, name = variant(person, rng)
        q = MatchQuery(name=name)
        r = rng.random()
        if r < 0.45:
            q.birth_year, q.birth_month, q.birth_day = (
                person.birth_year,
                person.birth_month,
                person.birth_day,
            )
        elif r < 0.9:
            q.birth_year = person.birth_year
        if rng.random() < 0.5:
            q.sex = person.sex
        out.append((pk, family, q))
    return out


def baseline_rank(query, pool):
    """Plain rapidfuzz ratio of the stripped query against each stored name, best form wins."""
    from rapidfuzz import fuzz

    from phoihop.core.text import fold

    q = fold(query.name)
    scored = []
    for s in pool:
        forms = [
            fold(f) for f in (s.full_name, s.native_name, s.latin_name, s.pinyin, s.han_viet) if f
        ]
        scored.append((-max(fuzz.ratio(q, f) for f in forms), s.pk))
    return [pk for _s, pk in sorted(scored)]


def _compatible(s, q) -> bool:
    return all(
        want is None or want == "" or getattr(s, f) in (None, "", "U", want)
        for f, want in (
            ("birth_year", q.birth_year),
            ("birth_month", q.birth_month),
            ("birth_day", q.birth_day),
            ("sex", q.sex),
        )
    )


def is_ambiguous(person, q, family="") -> bool:
    """Whether another person fits all the query says as well as the person sought.

    That is: the same name (folded) and a compatible birth date and sex; and for a
    name given without its middle names, anyone whose family and given names are
    those of the query, whatever their middle names.
    """
    from phoihop.subjects.matching import latin_tokens
    from phoihop.subjects.models import Subject, SubjectNameKey

    tokens = latin_tokens(person.full_name)
    same = SubjectNameKey.objects.filter(kind="fold", key=" ".join(tokens))
    if family == "no_middle":
        q_tokens = latin_tokens(q.name)
        same = SubjectNameKey.objects.filter(
            kind__in=["fold", "pair"], key__in=[" ".join(q_tokens), " ".join(sorted(q_tokens))]
        )
    others = Subject.objects.filter(pk__in=same.values("subject_id")).exclude(pk=person.pk)
    if family == "no_middle":
        others = [
            o
            for o in others
            if (t := latin_tokens(o.full_name))[0] == q_tokens[0] and t[-1] == q_tokens[-1]
        ]
    return any(_compatible(o, q) for o in others)


def evaluate(queries, say):
    from phoihop.subjects.matching import candidate_ids, match
    from phoihop.subjects.models import Subject

    for _pk, _f, q in queries[:20]:  # warm-up: caches, connection
        match(q)
    lat, hits10, hits1, base10, base1 = [], 0, 0, 0, 0
    clear, clear_hits1, clear_hits10, base_clear10, base_clear1 = 0, 0, 0, 0, 0
    people = Subject.objects.in_bulk([pk for pk, _f, _q in queries])
    by_family = Counter()
    miss_family = Counter()
    for i, (pk, family, q) in enumerate(queries):
        t = time.perf_counter()
        found = match(q, limit=10)
        lat.append((time.perf_counter() - t) * 1000)
        ids = [c.id for c in found]
        hits10 += pk in ids
        hits1 += bool(ids) and ids[0] == pk
        by_family[family] += 1
        ambiguous = is_ambiguous(people[pk], q, family)
        if not ambiguous:
            clear += 1
            clear_hits1 += bool(ids) and ids[0] == pk
            clear_hits10 += pk in ids
        if not ids or ids[0] != pk:
            miss_family[family] += 1
        pool = list(Subject.objects.filter(pk__in=candidate_ids(q)))
        ranked = baseline_rank(q, pool)
        base10 += pk in ranked[:10]
        base1 += bool(ranked) and ranked[0] == pk
        if not ambiguous:
            base_clear10 += pk in ranked[:10]
            base_clear1 += bool(ranked) and ranked[0] == pk
        if (i + 1) % 500 == 0:
            say(f"  {i + 1}/{len(queries)} truy vấn")
    n = len(queries)
    lat.sort()
    return {
        "n": n,
        "recall10": hits10 / n,
        "p1": hits1 / n,
        "clear": clear,
        "clear_p1": clear_hits1 / max(clear, 1),
        "clear_recall10": clear_hits10 / max(clear, 1),
        "base_recall10": base10 / n,
        "base_p1": base1 / n,
        "base_clear_recall10": base_clear10 / max(clear, 1),
        "base_clear_p1": base_clear1 / max(clear, 1),
        "p50": statistics.median(lat),
        "p95": lat[int(0.95 * (n - 1))],
        "misses": {
            f: f"{miss_family[f]}/{by_family[f]}" for f in sorted(by_family) if miss_family[f]
        },
    }


def table(engine, size, r):
    misses = ", ".join(f"{f} {v}" for f, v in r["misses"].items()) or "không"
    n, clear = r["n"], r["clear"]
    return (
        f"#### {engine}, {size:,} đối tượng, {n:,} truy vấn\n\n"
        f"| phương pháp | recall@10 (phân biệt được, {clear:,}) | precision@1 (phân biệt được) "
        f"| recall@10 (tất cả, {n:,}) | precision@1 (tất cả) |\n|---|---:|---:|---:|---:|\n"
        f"| `subjects.matching.match` | {r['clear_recall10']:.4f} | {r['clear_p1']:.4f} "
        f"| {r['recall10']:.4f} | {r['p1']:.4f} |\n"
        "| mốc so sánh: tỉ lệ rapidfuzz trên tên bỏ dấu, cùng tập ứng viên "
        f"| {r['base_clear_recall10']:.4f} | {r['base_clear_p1']:.4f} "
        f"| {r['base_recall10']:.4f} | {r['base_p1']:.4f} |\n\n"
        f"{n - clear} truy vấn không thể phân biệt: có người khác khớp mọi điều truy vấn cho "
        "biết như người cần tìm (cùng tên bỏ dấu, hoặc cùng họ và tên khi truy vấn bỏ tên đệm; "
        "năm/ngày sinh và giới tính không mâu thuẫn). Với chúng, không cách nào chắc chắn đặt "
        "đúng người lên đầu; người đúng vẫn có trong danh sách ứng viên để cán bộ so giấy tờ.\n\n"
        f"Thời gian `match` (10 ứng viên): p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms.\n\n"
        f"Truy vấn mà kết quả đầu không đúng người, theo kiểu biến thể: {misses}.\n"
    ).replace(",", ".", 0)


def write_doc(section, engine, size):
    """Keep one table per engine and size in docs/performance.md, each between its markers."""
    doc = ROOT / "docs" / "performance.md"
    machine = f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} CPU"
    sub_start, sub_end = (
        f"<!-- matching:{engine}:{size}:start -->",
        f"<!-- matching:{engine}:{size}:end -->",
    )
    sub = f"{sub_start}\nMáy đo: {machine}. Ngày đo: {dt.date.today():%d/%m/%Y}.\n\n{section}{sub_end}"
    text = doc.read_text(encoding="utf-8")
    if MARK_START not in text or MARK_END not in text:
        text = text.rstrip("\n") + f"\n\n{MARK_START}\n{MARK_END}\n"
    before, rest = text.split(MARK_START, 1)
    inside, after = rest.split(MARK_END, 1)
    tables = {
        m.group(1): m.group(0)
        for m in re.finditer(
            r"<!-- matching:(\S+?):start -->.*?<!-- matching:\1:end -->", inside, re.S
        )
    }
    tables[f"{engine}:{size}"] = sub
    order = sorted(tables, key=lambda k: (int(k.split(":")[1]), k))
    block = (
        f"{MARK_START}\n## Đối chiếu đối tượng (tìm cùng một người)\n\n"
        "Bảng do `make bench-matching` ghi (benchmarks/matching_eval.py): tập đánh giá sinh bằng mã "
        "từ phân bố tên Kinh, H'Mông, Dao, Tày, Nùng và Trung Quốc (có chữ Hán); mỗi truy vấn là "
        "một biến thể giữ riêng (bỏ dấu, d thay đ, chữ hoa, NFD, đảo họ tên, bỏ tên đệm, sai 1–2 "
        "ký tự, pinyin có dấu thanh / số thanh / viết liền, chữ Hán có dấu cách hoặc phồn thể, "
        "âm Hán Việt), kèm ngày sinh đủ, chỉ năm sinh hoặc không có. precision@1 tính chặt: "
        "người đúng phải đứng đầu. Cột «phân biệt được» bỏ các truy vấn mà một người khác khớp "
        "mọi điều truy vấn cho biết y như người cần tìm; cột «tất cả» tính cả chúng.\n\n"
        + "\n\n".join(tables[k] for k in order)
        + f"\n{MARK_END}"
    )
    doc.write_text(before + block + after, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL database instead of SQLite")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    engine = "postgres" if args.postgres else "sqlite"
    os.environ.update(
        PHOIHOP_DEBUG="1", PHOIHOP_DEMO="0", DJANGO_SETTINGS_MODULE="phoihop.settings"
    )
    os.environ["PHOIHOP_VAR_DIR"] = os.environ.get("MATCHING_BENCH_DIR") or str(
        ROOT / "var" / "bench" / f"matching-{engine}"
    )
    os.environ.pop("DATABASE_URL", None)
    if args.postgres:
        os.environ["DATABASE_URL"] = args.postgres
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()

    def say(m):
        print(m, flush=True)

    call_command("migrate", verbosity=0)
    populate(args.size, args.seed, say)
    if engine == "postgres":
        from django.db import connection

        # As autovacuum leaves a table in service: statistics, and the visibility map
        # that lets the key lookups read the index alone.
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    queries = build_queries(args.queries, args.seed)
    result = evaluate(queries, say)
    section = table(engine, args.size, result)
    print("\n" + section)
    if not args.no_write:
        write_doc(section, engine, args.size)


if __name__ == "__main__":
    main()
