"""Pages and reports under 8 clients at once, caching off and on, side by side (issue #16).

A scratch SQLite file is prepared as ``make run`` does it (``flask db upgrade``,
``flask seed``, ``flask simulate --days 90``: ~430k transactions, 1,900 vendors) plus a
board user with a web password. gunicorn serves it as ``make serve`` does (2 workers,
gthread; ``--worker-class gthread,gevent`` serves each configuration with each class in
turn, side by side), once per configuration, one after the other:

- ``off``: ``MARKET40_CACHE=off``, every request computes its figures (the code before
  caching, same work);
- ``on``: the in-process store (each worker its own);
- ``redis``: the figures in Redis (``MARKET40_CACHE_REDIS_URL``, database 5, a key prefix
  of this run's own, deleted afterwards), shared by both workers.

For each page, ``--clients`` threads (each with its own keep-alive connection) request
it for ``--seconds`` after a warm-up; p50, p95 and requests/s are measured at the client
(the load generator shares the 2 CPUs with the server, so figures are a floor). The
desk's market page is requested logged in (session cookie). With caching on, a row
"revalidated" sends the ETag of the last answer (``If-None-Match``): what a browser's
reload costs (304). A last run writes payments meanwhile (``--writer``, one payment per
0.2 s at one market) to show the pages under a stream of writes.

Target: p95 < 100 ms under 8 clients for every page, and a throughput several times
that of caching off. Usage::

    python bench/bench_pages.py [--seconds 8] [--clients 8] [--days 90] [--database-url URL]
                                [--worker-class gthread]

``--database-url`` serves an existing database instead (e.g. the province year that
``bench_reports.py`` builds), skipping the preparation.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_live import worker_options  # noqa: E402
from bench_load import free_port, percentile, serving  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "bench-pages-password-40"  # noqa: S105 - a throwaway database
REDIS = "redis://127.0.0.1:6379/5"
TARGET_P95_MS = 100
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def flask(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True, input=stdin)
    return result.stdout


def prepare(directory: str, days: int, url: str | None) -> tuple[dict[str, str], str]:
    """The database (built unless ``url``), a board user of its busiest market; its code."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKET40_")}
    env.update(PYTHONPATH=str(ROOT), MARKET40_RATELIMIT_ENABLED="false")
    started = time.perf_counter()
    if url is None:
        path = Path(directory) / "pages.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{path}"
        flask(env, "db", "upgrade")
        flask(env, "seed")
        flask(env, "simulate", "--days", str(days))
        with sqlite3.connect(path) as connection:
            code, rows = connection.execute(
                "SELECT m.code, count(*) FROM markets m JOIN vendors v ON v.market_id = m.id "
                "GROUP BY m.code ORDER BY count(*) DESC, m.code LIMIT 1").fetchone()
            total = connection.execute("SELECT count(*) FROM transactions").fetchone()[0]
        print(f"prepared in {time.perf_counter() - started:.0f} s: {total:,} transactions; "
              f"market {code} ({rows} vendors)", flush=True)
    else:
        env["DATABASE_URL"] = url
        code = os.environ.get("MARKET40_BENCH_MARKET", "THAI")
    name = f"bench-board-{uuid.uuid4().hex[:6]}"
    flask(env, "users", "create", name, "--role", "board", "--market", code)
    flask(env, "users-passwd", name, "--password-stdin", stdin=PASSWORD + "\n")
    env["BENCH_BOARD"] = name
    return env, code


def start(env: dict[str, str], port: int, worker_class: str) -> subprocess.Popen:
    """gunicorn as ``make serve`` runs it (2 workers of ``worker_class``)."""
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", *worker_options(worker_class),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, start_new_session=True)
    return serving(process, port)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()


def log_in(port: int, name: str) -> str:
    """The session cookie of ``name`` (a browser's login form)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
    form = urlencode({"csrf_token": CSRF.search(page).group(1), "name": name,
                      "password": PASSWORD})
    connection.request("POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = connection.getresponse()
    response.read()
    assert response.status == 302, response.status
    return response.getheader("Set-Cookie", "").split(";", 1)[0]


def hammer(port: int, path: str, headers: dict[str, str], clients: int, seconds: float,
           revalidate: bool = False) -> dict[str, float]:
    """``clients`` threads on ``path`` for ``seconds``: p50, p95 (ms), requests/s, errors."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        tag = None
        mine: list[float] = []
        while time.monotonic() < stop_at:
            sent = dict(headers)
            if revalidate and tag:
                sent["If-None-Match"] = tag
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=sent)
                response = connection.getresponse()
                response.read()
                tag = response.getheader("ETag") or tag
                if response.status not in (200, 304):
                    with lock:
                        errors.append(str(response.status))
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    errors.append(type(error).__name__)
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"p50": statistics.median(latencies) * 1000,
            "p95": percentile(latencies, 95) * 1000,
            "rps": len(latencies) / elapsed, "n": len(latencies), "errors": len(errors)}


def writer(port: int, token: str, vendor_id: int, stop_event: threading.Event) -> None:
    """One payment every 0.2 s (a busy market's QR sales), until stopped."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while not stop_event.wait(0.2):
        body = json.dumps({"vendor_id": vendor_id, "amount": 35_000, "method": "qr",
                           "kind": "sale", "occurred_at": datetime.now(UTC).isoformat(),
                           "reference": f"pages-{uuid.uuid4().hex}"})
        connection.request("POST", "/api/v1/transactions", body=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        connection.getresponse().read()


def pages(code: str) -> list[tuple[str, str, bool]]:
    """(label, path, logged in)."""
    return [
        ("GET /", "/", False),
        (f"GET /markets/{code}", f"/markets/{code}", False),
        (f"GET /desk/markets/{code}/vendors (board)", f"/desk/markets/{code}/vendors", True),
        ("adoption, province", "/api/v1/reports/adoption?level=province", False),
        ("adoption, commune 05443", "/api/v1/reports/adoption?level=commune&code=05443",
         False),
        ("adoption, former district 164", "/api/v1/reports/adoption?level=district&code=164",
         False),
        (f"adoption, market {code}", f"/api/v1/reports/adoption?level=market&code={code}",
         False),
        ("certification tn-2022", "/api/v1/reports/certification?ruleset=tn-2022", False),
    ]


def run_config(label: str, env: dict[str, str], code: str, args: argparse.Namespace,
               extra: dict[str, str], worker_class: str) -> dict[str, dict[str, float]]:
    port = free_port()
    server = start({**env, **extra}, port, worker_class)
    label = f"{label}, {worker_class}"
    results: dict[str, dict[str, float]] = {}
    try:
        cookie = log_in(port, env["BENCH_BOARD"])
        for name, path, logged_in in pages(code):
            headers = {"Cookie": cookie} if logged_in else {}
            hammer(port, path, headers, args.clients, args.warmup)
            results[name] = hammer(port, path, headers, args.clients, args.seconds)
            r = results[name]
            print(f"[{label}] {name:42} p50 {r['p50']:7.1f}  p95 {r['p95']:7.1f} ms  "
                  f"{r['rps']:7.1f}/s  ({r['n']} requests, {r['errors']} errors)", flush=True)
        if extra.get("MARKET40_CACHE") != "off":
            for name, path in (("GET / revalidated (304)", "/"),
                               ("certification revalidated (304)",
                                "/api/v1/reports/certification?ruleset=tn-2022")):
                results[name] = r = hammer(port, path, {}, args.clients, args.seconds,
                                           revalidate=True)
                print(f"[{label}] {name:42} p50 {r['p50']:7.1f}  p95 {r['p95']:7.1f} ms  "
                      f"{r['rps']:7.1f}/s", flush=True)
    finally:
        stop(server)
    return results


def paying_vendor(url: str, code: str) -> int | None:
    """An approved vendor of the market with a QR code (SQLite or PostgreSQL)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(
                "SELECT v.id FROM vendors v JOIN markets m ON m.id = v.market_id WHERE "
                "m.code = :code AND v.status = 'approved' AND v.qr_issued_at IS NOT NULL "
                "ORDER BY v.id LIMIT 1"), {"code": code}).scalar()
    finally:
        engine.dispose()


def run_writes(env: dict[str, str], code: str, args: argparse.Namespace,
               extra: dict[str, str], worker_class: str) -> dict[str, dict[str, float]]:
    """Caching on while payments land at the market: the pages still hold."""
    token = flask(env, "users", "create", f"bench-writer-{uuid.uuid4().hex[:6]}",
                  "--role", "admin").strip().splitlines()[-1]
    vendor_id = paying_vendor(env["DATABASE_URL"], code)
    if vendor_id is None:
        return {}
    port = free_port()
    server = start({**env, **extra}, port, worker_class)
    results: dict[str, dict[str, float]] = {}
    done = threading.Event()
    thread = threading.Thread(target=writer, args=(port, token, vendor_id, done))
    try:
        thread.start()
        for name, path, _ in pages(code):
            if name.startswith(("GET /desk", "adoption, commune", "adoption, former")):
                continue
            hammer(port, path, {}, args.clients, args.warmup)
            results[name] = r = hammer(port, path, {}, args.clients, args.seconds)
            print(f"[writes, {worker_class}] {name:42} p50 {r['p50']:7.1f}  "
                  f"p95 {r['p95']:7.1f} ms  {r['rps']:7.1f}/s", flush=True)
    finally:
        done.set()
        thread.join()
        stop(server)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--no-writes", action="store_true")
    parser.add_argument("--worker-class", default="gthread",
                        help="gunicorn's worker class, or several separated by commas "
                             "(gevent,gthread): each configuration is served by each in turn")
    args = parser.parse_args()
    load_before = os.getloadavg()
    directory = tempfile.mkdtemp(prefix="m40pages-")
    prefix = f"m40bench-{uuid.uuid4().hex[:8]}:"
    configs = {"off": {"MARKET40_CACHE": "off"}, "on": {"MARKET40_CACHE": "on"}}
    if not args.no_redis:
        configs["redis"] = {"MARKET40_CACHE": "on", "MARKET40_CACHE_REDIS_URL": REDIS,
                            "MARKET40_CACHE_KEY_PREFIX": prefix}
    try:
        env, code = prepare(directory, args.days, args.database_url)
        print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} "
              f"{load_before[2]:.2f}", flush=True)
        classes = args.worker_class.split(",")
        runs: dict[str, dict[str, dict[str, dict[str, float]]]] = {c: {} for c in classes}
        for label, extra in configs.items():  # the classes alternate, configuration by one
            for worker_class in classes:
                runs[worker_class][label] = run_config(label, env, code, args, extra,
                                                       worker_class)
        writes = {c: {} if args.no_writes else run_writes(env, code, args, configs["on"], c)
                  for c in classes}
    finally:
        shutil.rmtree(directory, ignore_errors=True)
        if not args.no_redis:
            import redis

            client = redis.Redis.from_url(REDIS)
            keys = list(client.scan_iter(f"{prefix}*"))
            if keys:
                client.delete(*keys)
    load = os.getloadavg()
    print(f"\n{args.clients} clients, {args.seconds:.0f} s per page, gunicorn x2 "
          f"({', '.join(classes)}); load average {load_before[0]:.2f} before, "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} after ({os.cpu_count()} CPUs, shared)")
    for worker_class in classes:
        print(table(worker_class, runs[worker_class], writes[worker_class]))
    if len(classes) > 1:
        print(side_by_side(runs))


def table(worker_class: str, results: dict[str, dict[str, dict[str, float]]],
          writes: dict[str, dict[str, float]]) -> str:
    """One worker class's figures: each page under each configuration."""
    labels = list(results)
    lines = [f"\n### {worker_class}\n",
             "| page | " + " | ".join(f"{c}: p50 / p95 ms, req/s" for c in labels)
             + " | on ÷ off, req/s |", "|---|" + "---|" * (len(labels) + 1)]
    worst = 0.0
    for name in results["on"]:
        cells = []
        for label in labels:
            r = results[label].get(name)
            cells.append("—" if r is None else
                         f"{r['p50']:.1f} / {r['p95']:.1f}, {r['rps']:.0f}")
            if r is not None and label != "off":
                worst = max(worst, r["p95"])
        off = results["off"].get(name)
        ratio = f"{results['on'][name]['rps'] / off['rps']:.1f}×" if off else "—"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {ratio} |")
    if writes:
        lines += ["\nwith a payment every 0.2 s at the market meanwhile (caching on, "
                  "in-process):", "| page | p50 / p95 ms, req/s |", "|---|---|"]
        lines += [f"| {name} | {r['p50']:.1f} / {r['p95']:.1f}, {r['rps']:.0f} |"
                  for name, r in writes.items()]
    lines.append(f"\nslowest p95 with caching: {worst:.1f} ms; target {TARGET_P95_MS} ms: "
                 f"{'met' if worst < TARGET_P95_MS else 'MISSED'}")
    return "\n".join(lines)


def side_by_side(runs: dict[str, dict[str, dict[str, dict[str, float]]]]) -> str:
    """Each page's p95 and requests/s under every worker class, configuration by one."""
    classes = list(runs)
    first = runs[classes[0]]
    lines = ["\n### side by side\n",
             "| configuration | page | " + " | ".join(f"{c}: p50 / p95 ms, req/s"
                                                    for c in classes) + " |",
             "|---|---|" + "---|" * len(classes)]
    for label, pages_of in first.items():
        for name in pages_of:
            cells = []
            for worker_class in classes:
                r = runs[worker_class][label].get(name)
                cells.append("—" if r is None else
                             f"{r['p50']:.1f} / {r['p95']:.1f}, {r['rps']:.0f}")
            lines.append(f"| {label} | {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
