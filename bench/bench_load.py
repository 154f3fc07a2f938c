"""Mixed load under gunicorn for a few minutes: no errors, p50/p95/p99 per kind, worker RSS.

A scratch SQLite file is prepared the way ``make run`` does it, with the real commands
(``flask db upgrade``, ``flask seed``, ``flask simulate --days 30``) plus an admin token
(``flask users create``); gunicorn serves it with 2 workers on 127.0.0.1, as ``make serve``.
Then ``--clients`` threads, each with its own keep-alive connection, send for
``--duration`` seconds a weighted mix of what people do:

- ``dashboard``: GET / and GET /markets/CODE (HTML pages, public)
- ``report``: GET /api/v1/reports/adoption?level=province and .../certification
- ``qr_png`` and ``qr_json``: GET /api/v1/vendors/ID/qr?format=png|json for random vendors
- ``tx_post``: POST /api/v1/transactions with the admin token (a new reference each time)

Every response must be 2xx (an error is anything else, or a broken connection). Worker
RSS is read from /proc every ``--sample`` seconds; the first and the last minute are
compared. The load generator shares the 2 CPUs with the server, so figures are a floor.
A plain thread generator rather than locust: the same measurements without a new
dependency, and nothing but 127.0.0.1 is ever addressed. Usage::

    python bench/bench_load.py [--duration 180] [--clients 4] [--think 0.01] [--write]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WEIGHTS = {"dashboard": 25, "report": 15, "qr_png": 15, "qr_json": 20, "tx_post": 25}
PAGE_SIZE = 4096


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True)
    return result.stdout


def prepare(directory: str, days: int) -> tuple[dict[str, str], str, list[int], list[str]]:
    """The demo database, an admin token, approved vendor ids and market codes."""
    path = Path(directory) / "load.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKET40_")}
    env.update(DATABASE_URL=f"sqlite:///{path}", PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    flask(env, "db", "upgrade")
    flask(env, "seed")
    flask(env, "simulate", "--days", str(days))
    token = flask(env, "users", "create", "load-admin", "--role", "admin").strip().splitlines()[-1]
    with sqlite3.connect(path) as connection:
        vendors = [r[0] for r in connection.execute(
            "SELECT id FROM vendors WHERE status = 'approved' AND qr_issued_at IS NOT NULL")]
        markets = [r[0] for r in connection.execute(
            "SELECT DISTINCT m.code FROM markets m JOIN vendors v ON v.market_id = m.id")]
        rows = connection.execute("SELECT count(*) FROM transactions").fetchone()[0]
    print(f"prepared in {time.perf_counter() - started:.0f} s: {len(vendors):,} vendors with "
          f"QR in {len(markets)} markets, {rows:,} transactions", flush=True)
    return env, token, vendors, markets


def serving(process: subprocess.Popen, port: int, seconds: float = 60) -> subprocess.Popen:
    """``process`` (a server just started) once ``/healthz`` on ``port`` answers 200;
    terminated and RuntimeError if it does not within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the server did not start")


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "--keep-alive", "5", "wsgi:app"],
        cwd=ROOT, env=env, start_new_session=True)
    return serving(process, port)


def workers_of(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == master:
                pids.append(int(entry.name))
    return sorted(pids)


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Load:
    def __init__(self, port: int, token: str, vendors: list[int], markets: list[str],
                 args: argparse.Namespace) -> None:
        self.port, self.token, self.vendors, self.markets = port, token, vendors, markets
        self.args = args
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.lock = threading.Lock()

    def request(self, rng: random.Random) -> tuple[str, str, str, bytes | None, dict]:
        kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        headers: dict[str, str] = {}
        body = None
        if kind == "dashboard":
            path = "/" if rng.random() < 0.4 else f"/markets/{rng.choice(self.markets)}"
        elif kind == "report":
            path = ("/api/v1/reports/adoption?level=province" if rng.random() < 0.5
                    else "/api/v1/reports/certification?ruleset=tn-2022")
        elif kind in ("qr_png", "qr_json"):
            fmt = kind.removeprefix("qr_")
            path = f"/api/v1/vendors/{rng.choice(self.vendors)}/qr?format={fmt}"
            headers["Authorization"] = f"Bearer {self.token}"
        else:
            path = "/api/v1/transactions"
            occurred = datetime.now(UTC) - timedelta(seconds=rng.randrange(1, 86_400 * 7))
            body = json.dumps({
                "vendor_id": rng.choice(self.vendors), "amount": rng.randrange(1, 300) * 1_000,
                "method": "qr" if rng.random() < 0.6 else "cash", "kind": "sale",
                "occurred_at": occurred.isoformat(), "reference": f"load-{uuid.uuid4().hex}",
            }).encode()
            headers.update({"Authorization": f"Bearer {self.token}",
                            "Content-Type": "application/json"})
        return kind, "POST" if body else "GET", path, body, headers

    def client(self, seed: int, stop_at: float) -> None:
        rng = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while time.monotonic() < stop_at:
            kind, method, path, body, headers = self.request(rng)
            started = time.perf_counter()
            problem = None
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                if not 200 <= response.status < 300:
                    problem = f"{response.status} {method} {path}"
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException) as error:
                problem = f"{type(error).__name__} {method} {path}"
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            elapsed = time.perf_counter() - started
            with self.lock:
                self.latencies[kind].append(elapsed)
                if problem:
                    self.errors[kind].append(problem)
            if self.args.think:
                time.sleep(self.args.think)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def run(args: argparse.Namespace) -> str:
    directory = tempfile.mkdtemp(prefix="m40load-")
    try:
        env, token, vendors, markets = prepare(directory, args.days)
        port = free_port()
        server = start_gunicorn(env, port, args.workers)
        try:
            return measure(server, port, token, vendors, markets, args)
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def measure(server: subprocess.Popen, port: int, token: str, vendors: list[int],
            markets: list[str], args: argparse.Namespace) -> str:
    load = Load(port, token, vendors, markets, args)
    load_before = os.getloadavg()
    started = time.monotonic()
    stop_at = started + args.duration
    threads = [threading.Thread(target=load.client, args=(i, stop_at))
               for i in range(args.clients)]
    for thread in threads:
        thread.start()
    samples: list[tuple[float, int, float]] = []  # (seconds, worker pid, RSS MiB)
    while any(t.is_alive() for t in threads):
        now = time.monotonic() - started
        for pid in workers_of(server.pid):
            if (rss := rss_mib(pid)) is not None:
                samples.append((now, pid, rss))
        time.sleep(args.sample)
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    load_after = os.getloadavg()
    return report(load, samples, wall, load_before, load_after, args)


def report(load: Load, samples: list[tuple[float, int, float]], wall: float,
           load_before: tuple[float, ...], load_after: tuple[float, ...],
           args: argparse.Namespace) -> str:
    total = sum(len(v) for v in load.latencies.values())
    errors = sum(len(v) for v in load.errors.values())
    lines = [
        f"Mixed load, {args.duration:.0f} s, {args.clients} clients (think {args.think * 1000:.0f}"
        f" ms), gunicorn {args.workers} sync workers, SQLite, demo data + {args.days} "
        f"simulated days. Load average {load_before[0]:.2f} before, {load_after[0]:.2f} at "
        f"the end ({os.cpu_count()} CPUs, shared).",
        "",
        f"**{total:,} requests in {wall:.0f} s ({total / wall:,.0f}/s), {errors} errors.**",
        "",
        "| kind | requests | errors | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    everything: list[float] = []
    for kind in WEIGHTS:
        values = load.latencies.get(kind, [])
        everything += values
        if values:
            lines.append(
                f"| {kind} | {len(values):,} | {len(load.errors.get(kind, []))} | "
                f"{percentile(values, 50) * 1000:.1f} | {percentile(values, 95) * 1000:.1f} | "
                f"{percentile(values, 99) * 1000:.1f} | {max(values) * 1000:.1f} |")
    if everything:
        lines.append(
            f"| **all** | {len(everything):,} | {errors} | "
            f"{percentile(everything, 50) * 1000:.1f} | "
            f"{percentile(everything, 95) * 1000:.1f} | "
            f"{percentile(everything, 99) * 1000:.1f} | {max(everything) * 1000:.1f} |")
    lines += ["", "Worker RSS (MiB), mean of the samples in the first and the last minute:", "",
              "| worker | first minute | last minute | change |", "|---|---:|---:|---:|"]
    window = min(60.0, wall / 3)
    for pid in sorted({pid for _, pid, _ in samples}):
        mine = [(t, rss) for t, p, rss in samples if p == pid]
        first = [rss for t, rss in mine if t <= window]
        last = [rss for t, rss in mine if t >= wall - window]
        if first and last:
            a, b = statistics.mean(first), statistics.mean(last)
            lines.append(f"| {pid} | {a:.1f} | {b:.1f} | {b - a:+.1f} ({(b - a) / a:+.1%}) |")
    for kind, problems in load.errors.items():
        lines.append(f"\nerrors of {kind} (first 5): {problems[:5]}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=180, help="seconds of load")
    parser.add_argument("--clients", type=int, default=4, help="concurrent connections")
    parser.add_argument("--think", type=float, default=0.01,
                        help="pause after each response, seconds (the machine is shared)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--days", type=int, default=30, help="days of simulated traffic")
    parser.add_argument("--sample", type=float, default=5, help="RSS sampling period, seconds")
    parser.add_argument("--write", action="store_true", help="write bench/LOAD.md")
    args = parser.parse_args()
    text = run(args)
    print(text)
    if args.write:
        (ROOT / "bench" / "LOAD.md").write_text(
            "# Load test (`python bench/bench_load.py --write`)\n\n" + text + "\n")
    errors = text.split(" errors.**")[0].rsplit(", ", 1)[-1]
    sys.exit(0 if errors == "0" else 1)


if __name__ == "__main__":
    main()
