"""`make bench`: time the hot paths at a given size on SQLite and PostgreSQL.

For each engine: prepare a database holding SIZE synthetic dossiers (reused when
it already has them), then, in a fresh process, time each operation N times and
report p50 and p95 beside the fastest hand-written SQL for the same data (the
floor) and the ratio. A second table times the same requests twice, once for an
officer through the access policy and once with the policy bypassed (the SYSTEM
actor), in alternation, and gives the ratio between the two. The tables are
printed and written to docs/performance.md, between its bench markers.

    python benchmarks/run.py --size 100000 [--engines sqlite,postgres] [--runs 20]
"""

from __future__ import annotations

import argparse
import contextlib
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
POLICY_RATIO_LIMIT = 1.2
# docs/performance.md keeps one generated block per size, so that a run at 1,000,000
# dossiers does not replace the table of the run at 100,000.
MARK_START = "<!-- bench:{size}:start -->"
MARK_END = "<!-- bench:{size}:end -->"
QUERIES_ONLY = "Chỉ hai truy vấn của trang đầu (đếm và 50 dòng; không HTTP, không kết xuất)"


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
    if engine == "postgres":
        _pg_vacuum_analyze()


def _pg_vacuum_analyze() -> None:
    """What autovacuum does on a server in service after a bulk load: planner statistics
    and the visibility map. Without them the planner guesses a few hundred rows for every
    agency and picks plans no server in service would use."""
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


# ---------------------------------------------------------------- child side

_MONTH = {
    "postgresql": "date_trunc('month', d.resolved_on)",
    "sqlite": "strftime('%Y-%m', d.resolved_on)",
}


def _stats_floor(connection, regulation_id: int) -> list:
    """The same figures as compute_statistics in hand-written SQL, no ORM: the ended
    dossiers of the period counted per combination of the breakdowns' columns in one
    grouped scan (and, on PostgreSQL, a second candidate with every breakdown straight
    from one GROUPING SETS scan), then the activity, the tasks (by the category they
    carry), the requests answered and those due in the period, and the persons verified
    per agency. The floor is the faster candidate, measured in the same run."""
    a, b = PERIOD
    in_reg = "d.category_id IN (SELECT id FROM regulations_category WHERE regulation_id = %s)"
    ended = f"{in_reg} AND d.resolved_on BETWEEN %s AND %s"
    cube = (
        "SELECT d.category_id, d.status, d.crime_type_id, d.lead_agency_id, "
        f"d.counterpart_id, {_MONTH[connection.vendor]}, COUNT(*) FROM dossiers_dossier d "
        f"WHERE {ended} GROUP BY 1, 2, 3, 4, 5, 6"
    )
    variants = [cube]
    if connection.vendor == "postgresql":
        variants.append(
            "SELECT d.category_id, d.status, d.crime_type_id, d.lead_agency_id, "
            "d.counterpart_id, EXTRACT(YEAR FROM d.resolved_on) AS y, "
            "EXTRACT(MONTH FROM d.resolved_on) AS m, COUNT(*) FROM dossiers_dossier d "
            f"WHERE {ended} GROUP BY GROUPING SETS ((d.category_id, d.status), "
            "(d.status, d.crime_type_id, d.counterpart_id), (d.lead_agency_id, d.status), "
            "(d.status, d.counterpart_id), (d.status, y, m))"
        )
    in_reg_v = in_reg.replace("d.", "v.")
    answered = "v.answered_on BETWEEN %s AND %s"
    due = "v.due_on BETWEEN %s AND %s"
    verified = "v.outcome IN ('confirmed', 'record_found')"
    clarified = f"{verified} AND {answered}"
    rest = [
        (
            "SELECT COUNT(*) FILTER (WHERE d.opened_on >= %s), COUNT(*) FILTER (WHERE "
            "d.resolved_on IS NULL OR d.resolved_on > %s) FROM dossiers_dossier d "
            f"WHERE {in_reg} AND d.opened_on <= %s",
            [a, b, regulation_id, b],
        ),
        (
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE t.done_on <= t.due_on), "
            "COUNT(*) FILTER (WHERE t.done_on > t.due_on), COUNT(*) FILTER (WHERE "
            "t.done_on IS NULL AND t.due_on < %s) FROM dossiers_task t "
            f"WHERE {in_reg.replace('d.', 't.')} AND t.due_on BETWEEN %s AND %s",
            [b, regulation_id, a, b],
        ),
        (
            f"SELECT COUNT(*), COUNT(*) FILTER (WHERE {verified}), "
            f"COUNT(DISTINCT v.subject_id) FILTER (WHERE {verified}) "
            f"FROM subjects_verification v WHERE {in_reg_v} AND {answered}",
            [regulation_id, a, b],
        ),
        (
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE v.answered_on <= v.due_on), "
            "COUNT(*) FILTER (WHERE v.answered_on > v.due_on OR v.outcome = 'not_answered') "
            f"FROM subjects_verification v WHERE {in_reg_v} AND {due}",
            [regulation_id, a, b],
        ),
        (
            "SELECT v.requested_of_id, COUNT(DISTINCT v.subject_id) "
            f"FROM subjects_verification v WHERE {in_reg_v} AND {clarified} GROUP BY 1",
            [regulation_id, a, b],
        ),
    ]

    def runner(breakdowns):
        statements = [(breakdowns, [regulation_id, a, b]), *rest]

        def run():
            with connection.cursor() as cur:
                for sql, params in statements:
                    cur.execute(sql, params)
                    cur.fetchall()

        return run

    return [runner(v) for v in variants]


def _percentiles(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, max(0, round(0.95 * len(samples)) - 1))]
    return {"p50": statistics.median(samples), "p95": p95}


def _sample(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def _timed(fn, runs: int) -> dict[str, float]:
    fn()  # warm-up
    return _percentiles([_sample(fn) for _ in range(runs)])


def _timed_pair(fn, bypass, runs: int) -> dict[str, dict[str, float]]:
    """`fn` through the policy and with it bypassed, alternating run by run so that both
    see the same caches and the same load on the machine."""
    with bypass():
        fn()
    fn()
    policy_ms, bypassed_ms = [], []
    for _ in range(runs):
        policy_ms.append(_sample(fn))
        with bypass():
            bypassed_ms.append(_sample(fn))
    return {"policy": _percentiles(policy_ms), "bypassed": _percentiles(bypassed_ms)}


def child(runs: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phoihop.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from phoihop.accounts.models import User
    from phoihop.core import policy
    from phoihop.core.pagination import CappedPaginator
    from phoihop.core.policy import SYSTEM
    from phoihop.dossiers.models import Dossier
    from phoihop.regulations.models import Regulation
    from phoihop.reviews import report as review_report
    from phoihop.reviews.models import Review
    from phoihop.reviews.services import review_open
    from phoihop.reviews.statistics import compute_statistics

    officer = User.objects.get(username="ca.canbo")
    client = Client()
    client.force_login(officer, backend="phoihop.accounts.backends.AccountBackend")
    regulation = Regulation.objects.get(code="QCPH-2008")
    visible = policy.restrict(Dossier.objects.all(), officer)
    detail_pk = visible.order_by("-opened_on", "-id").values_list("pk", flat=True)[500]
    # A reference in the middle of the data: a search that matches one row of 100,000.
    reference = visible.order_by("id").values_list("reference", flat=True)[visible.count() // 2]

    restrict = policy.restrict

    @contextlib.contextmanager
    def bypass():
        """Every `policy.restrict` of the request answers as for the SYSTEM actor: the
        same view and the same queries, without the policy's filter."""

        def as_system(queryset, actor, action=policy.VIEW):
            return restrict(queryset, SYSTEM, action)

        policy.restrict = as_system
        try:
            yield
        finally:
            policy.restrict = restrict

    with bypass():
        assert policy.restrict(Dossier.objects.all(), officer).count() == Dossier.objects.count()

    def get(url, **headers):
        def run():
            response = client.get(url, **headers)
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
    stats_floor = _stats_floor(connection, regulation.pk)
    # The review of the period (the demo's, or one opened once and kept), for its report.
    review = Review.objects.filter(
        regulation=regulation, period_from=PERIOD[0], period_to=PERIOD[1]
    ).order_by("pk").first() or review_open(
        actor=SYSTEM, regulation=regulation, date_from=PERIOD[0], date_to=PERIOD[1]
    )
    filtered = "/dossiers/?q=bien+gioi&status=resolved"
    by_reference = f"/dossiers/?q={reference}"
    rows = [
        (
            "Thống kê kỳ 2008–2011 (compute_statistics)",
            lambda: compute_statistics(
                actor=SYSTEM, date_from=PERIOD[0], date_to=PERIOD[1], regulation=regulation
            ),
            stats_floor,
        ),
        (
            "Báo cáo sơ kết DOCX (reviews/report.py)",
            lambda: review_report.render(review, "docx"),
            None,
        ),
        (
            "Báo cáo sơ kết PDF (reviews/report.py)",
            lambda: review_report.render(review, "pdf"),
            None,
        ),
        ("Trang danh sách hồ sơ /dossiers/", get("/dossiers/"), raw(first_page)),
        (f"Danh sách có lọc và tìm {filtered}", get(filtered), None),
        ("Tìm theo số hồ sơ /dossiers/?q=<số hồ sơ>", get(by_reference), None),
        ("Danh sách sắp theo tên /dossiers/?sort=title", get("/dossiers/?sort=title"), None),
        ("API danh sách hồ sơ /api/dossiers/", get("/api/dossiers/"), raw(first_page)),
        ("Trang chi tiết hồ sơ", get(f"/dossiers/{detail_pk}/"), None),
        ("Tổng quan /", get("/"), None),
    ]
    results = []
    for name, fn, floor in rows:
        measured = _timed(fn, runs)
        entry = {"name": name, **measured}
        if floor is not None:
            candidates = floor if isinstance(floor, list) else [floor]
            f = min((_timed(c, runs) for c in candidates), key=lambda t: t["p50"])
            entry["floor_p50"] = f["p50"]
            entry["ratio"] = measured["p50"] / f["p50"] if f["p50"] else None
        results.append(entry)

    # The same request for the officer, through the policy, and with it bypassed: what
    # the policy costs the list. The last row times the list's two queries alone (no
    # HTTP, no rendering), to show the policy's cost in milliseconds; it is reported
    # beside the requirement, not within it.
    pairs = [
        ("Trang danh sách /dossiers/", get("/dossiers/")),
        ("Phần htmx của danh sách", get("/dossiers/", HTTP_HX_REQUEST="true")),
        (f"Danh sách có lọc và tìm {filtered}", get(filtered)),
        ("API danh sách /api/dossiers/", get("/api/dossiers/")),
        (
            QUERIES_ONLY,
            lambda: list(
                CappedPaginator(
                    policy.restrict(Dossier.objects.all(), officer)
                    .select_related("category", "lead_agency", "counterpart")
                    .order_by("-opened_on", "-id"),
                    50,
                ).get_page(1)
            ),
        ),
    ]
    policy_results = []
    for name, fn in pairs:
        measured = _timed_pair(fn, bypass, runs)
        policy_results.append(
            {
                "name": name,
                **measured,
                "ratio": measured["policy"]["p50"] / measured["bypassed"]["p50"],
                "ratio_p95": measured["policy"]["p95"] / measured["bypassed"]["p95"],
                "request": name != QUERIES_ONLY,
            }
        )
    print(
        json.dumps(
            {
                "dossiers": Dossier.objects.count(),
                "visible": visible.count(),
                "results": results,
                "policy": policy_results,
            }
        )
    )


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


def _ms(value: float) -> str:
    return f"{value:.1f}"


def table(engine: str, data: dict) -> str:
    lines = [
        f"### {engine} — {data['dossiers']:,} hồ sơ".replace(",", "."),
        "",
        "| thao tác | p50 (ms) | p95 (ms) | SQL viết tay p50 (ms) | tỉ lệ |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in data["results"]:
        floor = _ms(r["floor_p50"]) if "floor_p50" in r else "—"
        ratio = f"{r['ratio']:.1f}×" if r.get("ratio") else "—"
        lines.append(f"| {r['name']} | {_ms(r['p50'])} | {_ms(r['p95'])} | {floor} | {ratio} |")
    if data.get("policy"):
        visible = f"{data['visible']:,}".replace(",", ".")
        lines += [
            "",
            f"Chính sách truy cập — cán bộ `ca.canbo` (thấy {visible} hồ sơ) so với cùng "
            "yêu cầu khi bỏ qua chính sách (tác nhân SYSTEM), đo xen kẽ:",
            "",
            "| thao tác | có chính sách p50 | p95 | không chính sách p50 | p95 "
            "| chênh p50 (ms) | tỉ lệ p50 | tỉ lệ p95 |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in data["policy"]:
            with_, without = r["policy"], r["bypassed"]
            lines.append(
                f"| {r['name']} | {_ms(with_['p50'])} | {_ms(with_['p95'])} "
                f"| {_ms(without['p50'])} | {_ms(without['p95'])} "
                f"| {_ms(with_['p50'] - without['p50'])} "
                f"| {r['ratio']:.2f}× | {r['ratio_p95']:.2f}× |"
            )
        requests = [r for r in data["policy"] if r.get("request", True)]
        worst = max(requests, key=lambda r: r["ratio"])
        verdict = "đạt" if worst["ratio"] <= POLICY_RATIO_LIMIT else "KHÔNG ĐẠT"
        lines += [
            "",
            f"Yêu cầu danh sách: tỉ lệ p50 lớn nhất {worst['ratio']:.2f}× ({worst['name']}); "
            f"yêu cầu ≤ {POLICY_RATIO_LIMIT}×: {verdict}.",
        ]
    return "\n".join(lines)


def write_doc(sections: list[str], runs: int, size: int) -> None:
    """Replace this size's generated block of docs/performance.md; what is written around
    it (and the blocks of other sizes) stays. A size measured for the first time gets a
    new block after the last generated one."""
    machine = (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} lõi, "
        f"Python {platform.python_version()}"
    )
    start, end = MARK_START.format(size=size), MARK_END.format(size=size)
    generated = (
        f"{start}\n"
        "Bảng mới nhất do `make bench` ghi (benchmarks/run.py). Mỗi thao tác chạy "
        f"{runs} lần sau một lần khởi động; p50/p95 tính bằng mili giây, đo trong "
        "tiến trình (Django test client, không qua mạng). Cột «SQL viết tay» là truy vấn "
        "nhanh nhất lấy cùng dữ liệu, làm mức sàn; «tỉ lệ» = p50 / sàn.\n\n"
        f"Máy đo: {machine}. Ngày đo: {dt.date.today():%d/%m/%Y}.\n\n"
        + "\n\n".join(sections)
        + f"\n{end}"
    )
    doc = ROOT / "docs" / "performance.md"
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Hiệu năng\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + generated + rest.split(end, 1)[1]
    else:
        last_end = text.rfind(":end -->")
        if last_end < 0:
            text = text.rstrip("\n") + f"\n\n{generated}\n"
        else:
            cut = last_end + len(":end -->")
            text = text[:cut] + f"\n\n{generated}" + text[cut:]
    doc.write_text(text, encoding="utf-8")


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
        write_doc(sections, args.runs, args.size)


if __name__ == "__main__":
    main()
