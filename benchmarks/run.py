"""`make bench`: time the hot paths at a given size on SQLite and PostgreSQL.

For each engine: prepare a database holding SIZE synthetic dossiers (reused when
it already has them), then, in a fresh process, time each operation N times and
report p50 and p95 beside the fastest hand-written SQL for the same data (the
floor) and the ratio. The table is printed and written to docs/performance.md.

    python benchmarks/run.py --size 100000 [--engines sqlite,postgres] [--runs 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/phoihop_bench")
PERIOD = (dt.date(2008, 12, 2), dt.date(2011, 12, 2))


def _env(engine: str) -> dict[str, str]:
    env = dict(
        os.environ, PHOIHOP_DEBUG="1", PHOIHOP_DEMO="1", PHOIHOP_VAR_DIR=str(BENCH_DIR / engine)
    )
    env.pop("DATABASE_URL", None)
    if engine == "postgres":
        env["DATABASE_URL"] = PG_URL
    return env


def _phoihop(engine: str, *args: str) -> str:
    cmd = [sys.executable, "-m", "phoihop.cli", *args]
    return subprocess.run(cmd, env=_env(engine), check=True, capture_output=True, text=True).stdout


def _ensure_pg_database() -> None:
    import psycopg

    name = PG_URL.rsplit("/", 1)[1]
    admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(engine: str, size: int) -> None:
    if engine == "postgres":
        _ensure_pg_database()
    (BENCH_DIR / engine).mkdir(parents=True, exist_ok=True)
    _phoihop(engine, "migrate", "-v0")
    have = int(
        _phoihop(
            engine,
            "shell",
            "--no-imports",
            "-c",
            "from phoihop.dossiers.models import Dossier; print(Dossier.objects.count())",
        ).split()[-1]
    )
    if have < size:
        started = time.perf_counter()
        print(f"[{engine}] sinh thêm {size - have} hồ sơ…", flush=True)
        _phoihop(
            engine,
            "generate",
            "--dossiers",
            str(size - have),
            "--subjects",
            str((size - have) // 2),
            "--seed",
            str(7 + have),
            "--json",
        )
        print(f"[{engine}] xong sau {time.perf_counter() - started:.0f} s", flush=True)


# ---------------------------------------------------------------- child side


def _timed(fn, runs: int) -> dict[str, float]:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
    return {"p50": statistics.median(samples), "p95": p95}


def child(runs: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phoihop.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from phoihop.accounts.models import User
    from phoihop.core import policy
    from phoihop.core.policy import SYSTEM
    from phoihop.dossiers.models import Dossier
    from phoihop.regulations.models import Regulation
    from phoihop.reviews.statistics import compute_statistics

    officer = User.objects.get(username="ca.canbo")
    client = Client()
    client.force_login(officer)
    regulation = Regulation.objects.get(code="QCPH-2008")
    visible = policy.restrict(Dossier.objects.all(), officer)
    detail_pk = visible.order_by("-opened_on", "-id").values_list("pk", flat=True)[500]

    def get(url):
        def run():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return run

    def raw(sql, params=()):
        def run():
            with connection.cursor() as cur:
                cur.execute(sql, params)
                cur.fetchall()

        return run

    first_page = (
        "SELECT d.id, d.reference, d.title, d.status, d.opened_on, d.resolved_on, "
        "d.classification, c.name, a.short_name FROM dossiers_dossier d "
        "JOIN regulations_category c ON c.id = d.category_id "
        "JOIN accounts_agency a ON a.id = d.lead_agency_id "
        "ORDER BY d.opened_on DESC, d.id DESC LIMIT 50"
    )
    stats_floor = (
        "SELECT c.kind, COUNT(*) FROM dossiers_dossier d "
        "JOIN regulations_category c ON c.id = d.category_id "
        "WHERE d.status = 'resolved' AND d.resolved_on BETWEEN %s AND %s "
        "AND c.regulation_id = %s GROUP BY c.kind"
    )
    rows = [
        (
            "Thống kê kỳ 2008–2011 (compute_statistics)",
            lambda: compute_statistics(
                actor=SYSTEM, date_from=PERIOD[0], date_to=PERIOD[1], regulation=regulation
            ),
            raw(stats_floor, [PERIOD[0], PERIOD[1], regulation.pk]),
        ),
        ("Trang danh sách hồ sơ /dossiers/", get("/dossiers/"), raw(first_page)),
        (
            "Danh sách có lọc và tìm /dossiers/?q=bien+gioi&status=resolved",
            get("/dossiers/?q=bien+gioi&status=resolved"),
            None,
        ),
        ("API danh sách hồ sơ /api/dossiers/", get("/api/dossiers/"), raw(first_page)),
        ("Trang chi tiết hồ sơ", get(f"/dossiers/{detail_pk}/"), None),
        ("Tổng quan /", get("/"), None),
        (
            "Trang đầu có chính sách truy cập (ORM)",
            lambda: list(
                policy.restrict(Dossier.objects.all(), officer).order_by("-opened_on", "-id")[:50]
            ),
            lambda: list(Dossier.objects.order_by("-opened_on", "-id")[:50]),
        ),
    ]
    results = []
    for name, fn, floor in rows:
        measured = _timed(fn, runs)
        entry = {"name": name, **measured}
        if floor is not None:
            f = _timed(floor, runs)
            entry["floor_p50"] = f["p50"]
            entry["ratio"] = measured["p50"] / f["p50"] if f["p50"] else None
        results.append(entry)
    print(json.dumps({"dossiers": Dossier.objects.count(), "results": results}))


# ---------------------------------------------------------------- parent side


def measure(engine: str, runs: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--runs", str(runs)],
        env=_env(engine),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def table(engine: str, data: dict) -> str:
    lines = [
        f"### {engine} — {data['dossiers']:,} hồ sơ".replace(",", "."),
        "",
        "| thao tác | p50 (ms) | p95 (ms) | SQL viết tay p50 (ms) | tỉ lệ |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in data["results"]:
        floor = f"{r['floor_p50']:.1f}" if "floor_p50" in r else "—"
        ratio = f"{r['ratio']:.1f}×" if r.get("ratio") else "—"
        lines.append(f"| {r['name']} | {r['p50']:.1f} | {r['p95']:.1f} | {floor} | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.runs)
        return
    sections = []
    for engine in args.engines.split(","):
        prepare(engine, args.size)
        data = measure(engine, args.runs)
        section = table(engine, data)
        print(section + "\n", flush=True)
        sections.append(section)
    if not args.no_write:
        machine = (
            f"{platform.system()} {platform.machine()}, {os.cpu_count()} lõi, "
            f"Python {platform.python_version()}"
        )
        doc = ROOT / "docs" / "performance.md"
        doc.write_text(
            "# Hiệu năng\n\n"
            "Bảng mới nhất do `make bench` ghi (benchmarks/run.py). Mỗi thao tác chạy "
            f"{args.runs} lần sau một lần khởi động; p50/p95 tính bằng mili giây, đo trong "
            "tiến trình (Django test client, không qua mạng). Cột «SQL viết tay» là truy vấn "
            "nhanh nhất lấy cùng dữ liệu, làm mức sàn; «tỉ lệ» = p50 / sàn.\n\n"
            f"Máy đo: {machine}. Ngày đo: {dt.date.today():%d/%m/%Y}.\n\n"
            + "\n\n".join(sections)
            + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
