"""The public bulletin under reading load: page times with many articles, cached and not.

Fills a database of its own (SQLite under var/bench/bulletin, or the PostgreSQL database
named with --postgres, dropped and made again) with ARTICLES published articles, each with
tags and approved comments, then requests the public pages through Django's test client
(the whole stack: middleware, view, template, cache) RUNS times each:

- "không đệm": the page cache emptied before every request (what the first reader after
  a change pays);
- "có đệm": the page served again (what every other reader gets).

Prints p50 / p95 in milliseconds and the number of queries of one uncached request, and
writes the table into docs/performance.md between the bulletin markers.

    python benchmarks/bulletin_bench.py --articles 5000 [--comments 10] [--runs 30] [--postgres URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
MARK_START, MARK_END = "<!-- bulletin:start -->", "<!-- bulletin:end -->"
ROW = re.compile(r"^\| (sqlite|postgres) \| ([\d.]+) \| ([^|]+) \|")
TAGS = ["Sơ kết", "Biên giới", "Hợp tác quốc tế", "Quy chế phối hợp", "Khen thưởng", "Lãnh sự"]


def fresh_postgres(url: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def fill(articles: int, comments: int) -> str:
    """Published articles with tags and approved comments, inserted in bulk; a slug to read."""
    from django.utils import timezone

    from phoihop.bulletin import caching, markup
    from phoihop.bulletin.models import Article, Comment, Tag

    tags = [Tag.objects.create(name=n, slug=f"the-{i}") for i, n in enumerate(TAGS)]
    now = timezone.now()
    body = "\n\n".join(
        f"Đoạn {n}: hai ngành **phối hợp** trao đổi thông tin, xác minh đối tượng và giải "
        f"quyết vụ việc trên tuyến biên giới."
        for n in range(8)
    )
    html = markup.render(body)
    rows = [
        Article(
            uid=uuid.uuid4(),
            slug=f"tin-{i:06d}",
            title=f"Tin số {i}: Công an tỉnh và Sở Ngoại vụ phối hợp bảo đảm an ninh đoàn khách",
            lead="Hai ngành trao đổi, thống nhất phương án bảo vệ đoàn khách nước ngoài.",
            body_html=html,
            author_agency="Sở Ngoại vụ tỉnh Hà Giang",
            publish_at=now - dt.timedelta(hours=i),
            revised_at=now - dt.timedelta(hours=i),
            search_text=markup.search_text(f"Tin số {i} Công an tỉnh và Sở Ngoại vụ phối hợp"),
        )
        for i in range(articles)
    ]
    Article.objects.bulk_create(rows, batch_size=2000)
    through = Article.tags.through
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    through.objects.bulk_create(
        [
            through(article_id=pk, tag_id=tags[(n + k) % len(tags)].pk)
            for n, pk in enumerate(ids)
            for k in range(2)
        ],
        batch_size=5000,
    )
    Comment.objects.bulk_create(
        [
            Comment(
                article_id=pk,
                name=f"Bạn đọc {c}",
                email=f"ban.doc{c}@example.vn",
                text="Cảm ơn hai ngành đã phối hợp tốt, mong tiếp tục phát huy.",
                status="approved",
                address=f"203.0.113.{c % 250 + 1}",
            )
            for pk in ids
            for c in range(comments)
        ],
        batch_size=5000,
    )
    caching.bump()
    return "tin-000000"


def measure(client, url: str, runs: int, cached: bool) -> tuple[float, float]:
    from django.core.cache import cache

    times = []
    client.get(url)
    for _ in range(runs):
        if not cached:
            cache.clear()
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def queries_of(client, url: str) -> int:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def write_doc(engine: str, articles: int, comments: int, rows: list[tuple], load: str) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Hiệu năng\n"
    kept: dict[tuple[str, str, str], str] = {}
    if MARK_START in text and MARK_END in text:
        before, rest = text.split(MARK_START, 1)
        old, after = rest.split(MARK_END, 1)
        for line in old.splitlines():
            if m := ROW.match(line):
                kept[(m[1], m[2], m[3].strip())] = line
    else:
        before, after = text.rstrip("\n") + "\n\n", "\n"
    size = f"{articles:,}".replace(",", ".")
    for page, queries, (p50u, p95u), (p50c, p95c) in rows:
        kept[(engine, size, page)] = (
            f"| {engine} | {size} | {page} | {queries} | {p50u:.1f} | {p95u:.1f} | "
            f"{p50c:.1f} | {p95c:.1f} | {dt.date.today():%d/%m/%Y} | {load} |"
        )
    table = "\n".join(kept[k] for k in sorted(kept))
    section = f"""{MARK_START}
## Trang tin công khai

Bảng do `benchmarks/bulletin_bench.py --articles N [--postgres URL]` ghi: N bài đã đăng, mỗi bài
hai thẻ và {comments} ý kiến đã duyệt; mỗi trang được gọi qua toàn bộ ngăn xử lý của Django
(middleware, view, template, bộ đệm). «Không đệm»: bộ đệm trang bị xóa trước mỗi lần gọi (người đọc
đầu tiên sau một thay đổi); «có đệm»: trang được phục vụ lại từ bộ đệm (mọi người đọc khác). Thời
gian tính bằng mili giây; «truy vấn» là số câu SQL của một lần gọi không đệm (có đệm: 0). Số truy
vấn không tăng theo số bài. Trang tìm kiếm không được lưu đệm (mỗi từ khóa một trang). Máy đo: {platform.machine()}, Python {platform.python_version()}; cột
«tải» là load average lúc bắt đầu.

| engine | số bài | trang | truy vấn | không đệm p50 | không đệm p95 | có đệm p50 | có đệm p95 | ngày đo | tải |
|---|---:|---|---:|---:|---:|---:|---:|---|---:|
{table}
{MARK_END}"""
    DOC.write_text(before + section + after, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--comments", type=int, default=10)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--postgres", metavar="URL")
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()
    load = f"{os.getloadavg()[0]:.1f}"
    engine = "postgres" if args.postgres else "sqlite"
    var = ROOT / "var" / "bench" / f"bulletin-{engine}"
    shutil.rmtree(var, ignore_errors=True)
    os.environ.update(
        PHOIHOP_DEBUG="0",
        PHOIHOP_LOCAL="1",
        PHOIHOP_DEMO="0",
        PHOIHOP_VAR_DIR=str(var),
        DJANGO_SETTINGS_MODULE="phoihop.settings",
    )
    os.environ.pop("DATABASE_URL", None)
    if args.postgres:
        os.environ["DATABASE_URL"] = args.postgres
        fresh_postgres(args.postgres)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    slug = fill(args.articles, args.comments)
    print(f"{engine}: {args.articles:,} articles filled in {time.perf_counter() - start:.1f} s")
    client = Client()
    pages = [
        ("danh sách", reverse("bulletin:list")),
        ("danh sách, trang 50", reverse("bulletin:list") + "?page=50"),
        ("bài viết", reverse("bulletin:article", args=[slug])),
        ("thẻ", reverse("bulletin:tag", args=["the-0"])),
        ("tìm kiếm", reverse("bulletin:search") + "?q=so+ngoai+vu"),
        ("nguồn tin Atom", reverse("bulletin:feed")),
    ]
    rows = []
    for name, url in pages:
        queries = queries_of(client, url)
        uncached = measure(client, url, args.runs, cached=False)
        cached = measure(client, url, args.runs, cached=True)
        rows.append((name, queries, uncached, cached))
        print(
            f"  {name:<22} {queries:>2} queries  uncached p50 {uncached[0]:6.1f} "
            f"p95 {uncached[1]:6.1f} ms   cached p50 {cached[0]:5.1f} p95 {cached[1]:5.1f} ms"
        )
    if not args.no_doc:
        write_doc(engine, args.articles, args.comments, rows, load)
        print(f"written to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
