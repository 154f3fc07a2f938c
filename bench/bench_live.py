"""Live payments under gunicorn: many open streams, credits at a steady rate, every event
delivered exactly once, delivery latency, page latency and server memory.

A scratch SQLite database (``scratch_db``; ``--backend postgresql``: a schema of its own)
gets ``--vendors`` approved vendors with bank accounts and one paired device each;
gunicorn serves it as ``make serve`` does (2 workers; ``--worker-class gthread``: 600
threads each, ``gevent``: 1,000 connections each). ``--streams`` SSE clients (spread
evenly over the vendors, device tokens) connect from one asyncio loop; then signed bank
notifications arrive at ``--rate`` per second for ``--seconds``, while ``--page-clients``
clients ask for ``--page`` over and over. With ``--reconnect S`` every stream closes
after about S seconds and resumes with ``Last-Event-ID``. For each credit the answer's
time is kept; for each stream, each event's arrival. Reported: delivery latency (event
on the stream minus the notification's answer: p50/p95/p99/max; events replayed after a
reconnect are counted apart), events missing or repeated per stream (must be 0),
notification and page latency (and the slowest of each per 10 s), and the workers'
memory sampled every 5 s: RSS when every stream is open, after ``--warmup`` seconds, at
the end, its least-squares trend after the warm-up (MiB/min: "flat" is a trend near 0),
and, for gthread, the last stretch at a constant thread count (a gthread worker keeps
each thread it starts, up to ``--threads``, with the stack its requests touched: RSS
follows that high-water mark). ``--worker-class gevent,gthread`` runs each class in
turn, each on a fresh database, and prints them side by side; a class may carry its
server's environment (``gthread:MALLOC_ARENA_MAX=16:MARKET40_MALLOC_TRIM_SECONDS=0``:
glibc's default arenas, no trim). ``--probe`` samples each worker from inside
(``bench/live_probe.conf.py``): Python's live blocks and glibc malloc's bytes in use and
held free, to tell a leak from the allocator::

    python bench/bench_live.py [--streams 500] [--rate 50] [--seconds 60] [--vendors 100]
                               [--reconnect 0] [--warmup 30] [--worker-class gthread]
                               [--page /] [--page-clients 1] [--backend sqlite] [--probe]

The load generator shares the machine's 2 CPUs with the server: figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PROBE_CONFIG = Path(__file__).resolve().parent / "live_probe.conf.py"
# glibc's malloc as `make serve` runs it (the Makefile's GLIBC_TUNABLES): no per-thread
# cache of freed blocks. A variant ``gthread:GLIBC_TUNABLES=`` runs glibc's default.
MAKE_SERVE_TUNABLES = "glibc.malloc.tcache_count=0"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scratch_db import scratch_database  # noqa: E402

from market40.payments.signature import sign  # noqa: E402

SECRET = "bench-secret"
# Per worker: gunicorn does not spread connections evenly over its workers, and a stream
# keeps its thread, so each worker needs room for nearly all the streams.
THREADS = int(os.environ.get("BENCH_THREADS", "600"))
CONNECTIONS = int(os.environ.get("BENCH_WORKER_CONNECTIONS", "1000"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(app, vendors: int) -> list[tuple[int, str, str]]:
    """(vendor id, account, device token) for ``vendors`` approved vendors."""
    import sqlalchemy as sa

    from market40.extensions import db
    from market40.live.devices import pair_device
    from market40.models import Market, Vendor, utcnow

    out = []
    with app.app_context():
        markets = db.session.scalars(sa.select(Market).order_by(Market.id).limit(10)).all()
        now = utcnow()
        for n in range(vendors):
            account = f"88{n:08d}"
            vendor = Vendor(market=markets[n % len(markets)], stall_code=f"L{n:04d}",
                            display_name=f"Quầy {n}", owner_name="Nguyễn Văn A",
                            goods_category="rau củ quả", bank_bin="970436",
                            account_number=account, account_holder="NGUYEN VAN A",
                            status="approved", created_at=now, approved_at=now,
                            qr_issued_at=now)
            db.session.add(vendor)
            db.session.flush()
            _, token = pair_device(db.session, vendor, f"Loa {n}", None)
            out.append((vendor.id, account, token))
        db.session.commit()
    return out


def worker_options(worker_class: str) -> list[str]:
    """gunicorn's options for ``worker_class`` as ``make serve`` passes them: a thread per
    connection (``--threads``) for gthread, a greenlet per connection for gevent
    (``--worker-connections``, gunicorn's default 1000)."""
    if worker_class == "gthread":
        return ["--worker-class", "gthread", "--threads", str(THREADS)]
    return ["--worker-class", worker_class, "--worker-connections", str(CONNECTIONS)]


def variant(spec: str) -> tuple[str, dict[str, str]]:
    """``gthread`` or ``gthread:NAME=VALUE[:NAME=VALUE...]``: a worker class and the
    environment its gunicorn gets on top of the bench's (e.g. MALLOC_ARENA_MAX=8)."""
    worker_class, *settings = spec.split(":")
    return worker_class, dict(setting.split("=", 1) for setting in settings)


def start_gunicorn(url: str, port: int, env_extra: dict[str, str] | None = None,
                   worker_class: str = "gthread", config: Path | None = None
                   ) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKET40_")}
    env.setdefault("GLIBC_TUNABLES", MAKE_SERVE_TUNABLES)
    env.update(DATABASE_URL=url, MARKET40_WEBHOOK_SECRET=SECRET, PYTHONPATH=str(ROOT),
               MARKET40_RATELIMIT_ENABLED="false", **(env_extra or {}))
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", *worker_options(worker_class),
         *(["--config", str(config)] if config else []),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         "wsgi:app"], cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def processes(master: int) -> list[dict[str, float]]:
    """RSS (MiB) and thread count of the master and each of its children (the workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if int(entry.name) != master and ppid != master:
                continue
            fields = dict(line.split(":", 1) for line in
                          (entry / "status").read_text().splitlines() if ":" in line)
            found.append({"pid": int(entry.name),
                          "rss": int(fields["VmRSS"].split()[0]) / 1024,
                          "threads": int(fields["Threads"])})
        except (OSError, IndexError, KeyError, ValueError):
            continue
    return found


def rss_mib(master: int) -> float:
    return sum(p["rss"] for p in processes(master))


def memory_report(samples: list[tuple[float, list[dict[str, float]]]], opened_at: float,
                  warmup: float) -> dict[str, object]:
    """The workers' memory with every stream open: at the end of the warm-up (the first
    ``warmup`` seconds: imports, thread stacks, the connections' page caches filling)
    and at the end, and the growth per minute after the warm-up."""
    steady = [(at, sum(p["rss"] for p in ps), sum(p["threads"] for p in ps))
              for at, ps in samples if at >= opened_at]
    if not steady:
        return {}
    warm = next((s for s in steady if s[0] >= opened_at + warmup), steady[-1])
    last = steady[-1]
    minutes = max((last[0] - warm[0]) / 60, 1e-9)
    # At a constant thread count: a gthread worker keeps each thread it starts (up to
    # --threads), with the stack pages its requests touched, so RSS follows the threads'
    # high-water mark. Summed over the intervals (after the warm-up) in which no thread
    # was added, growth per minute is what events and streams themselves cost.
    after = [s for s in steady if s[0] >= warm[0]]
    pairs = [(a, b) for a, b in zip(after, after[1:], strict=False) if a[2] == b[2]]
    flat_minutes = sum(b[0] - a[0] for a, b in pairs) / 60
    flat_mib = sum(b[1] - a[1] for a, b in pairs)
    longest: list[tuple[float, float, int]] = []
    run: list[tuple[float, float, int]] = []
    for sample in after:
        run = run + [sample] if run and run[-1][2] == sample[2] else [sample]
        if len(run) > len(longest):
            longest = run
    return {
        "streams_open_mib": round(steady[0][1], 1), "after_warmup_mib": round(warm[1], 1),
        "trend_after_warmup_mib_per_min": trend(after),
        "last_mib": round(last[1], 1), "max_mib": round(max(s[1] for s in steady), 1),
        "growth_after_warmup_pct": round((last[1] - warm[1]) / warm[1] * 100, 2),
        "growth_after_warmup_mib_per_min": round((last[1] - warm[1]) / minutes, 2),
        "threads": {"streams_open": steady[0][2], "after_warmup": warm[2], "last": last[2]},
        "constant_threads": {
            "minutes": round(flat_minutes, 2), "growth_mib": round(flat_mib, 1),
            "mib_per_min": round(flat_mib / flat_minutes, 2) if flat_minutes else None,
            "longest": {"from_s": round(longest[0][0] - opened_at),
                        "to_s": round(longest[-1][0] - opened_at),
                        "threads": longest[0][2],
                        "mib": [round(longest[0][1], 1), round(longest[-1][1], 1)]}},
        "timeline": [(round(at - opened_at), round(rss, 1), threads)
                     for at, rss, threads in steady],
    }


def trend(samples: list[tuple[float, float, int]]) -> float | None:
    """The least-squares slope of RSS over time (MiB per minute): "flat" is a slope near
    0, whatever single samples do (a step and its release, the sampling's noise)."""
    if len(samples) < 3:
        return None
    times = [at / 60 for at, _, _ in samples]
    values = [rss for _, rss, _ in samples]
    mean_t, mean_v = sum(times) / len(times), sum(values) / len(values)
    spread = sum((t - mean_t) ** 2 for t in times)
    if not spread:
        return None
    slope = sum((t - mean_t) * (v - mean_v) for t, v in zip(times, values, strict=True))
    return round(slope / spread, 3)


class Bench:
    def __init__(self, port: int, targets: list[tuple[int, str, str]], args) -> None:
        self.port, self.targets, self.args = port, targets, args
        self.answered: dict[str, float] = {}  # stored reference -> answer time
        self.expected: dict[int, list[str]] = defaultdict(list)  # vendor -> references
        # stream -> (reference, arrival, replayed after a reconnect)
        self.got: dict[int, list[tuple[str, float, bool]]] = defaultdict(list)
        self.stream_vendor: dict[int, int] = {}
        self.open_streams = 0
        self.errors: list[str] = []
        self.post_latency: list[float] = []
        self.post_times: list[tuple[float, float]] = []  # (sent, answered) per credit
        self.reconnects = 0
        self.page_latency: list[float] = []
        self.page_times: list[tuple[float, float]] = []  # (sent, answered) per page
        self.opened_at = time.time()

    async def stream(self, index: int, vendor_id: int, token: str) -> None:
        """One stall's stream; with ``--reconnect S`` it closes after about S seconds
        and resumes with ``Last-Event-ID`` (what a phone on a flaky network does)."""
        self.stream_vendor[index] = vendor_id
        last: int | None = None
        counted = False
        while True:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            resume = f"Last-Event-ID: {last}\r\n" if last is not None else ""
            writer.write((f"GET /api/v1/vendors/{vendor_id}/events HTTP/1.1\r\n"
                          f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n{resume}"
                          "Accept: text/event-stream\r\n\r\n").encode())
            opened = time.time()
            try:
                await writer.drain()
                status = await reader.readline()
                if b" 200 " not in status:
                    self.errors.append(f"stream {index}: {status!r}")
                    return
                while (await reader.readline()) not in (b"\r\n", b""):
                    pass
                if not counted:
                    self.open_streams += 1
                    counted = True
                lifetime = (random.uniform(0.5, 1.5) * self.args.reconnect
                            if getattr(self.args, "reconnect", 0) else None)
                async with asyncio.timeout(lifetime):
                    while True:
                        line = await reader.readline()
                        if not line:
                            return
                        if line.startswith(b"data: "):
                            event = json.loads(line[6:])
                            last = event["id"]
                            reference = event["reference"]
                            # sent before this connection opened: a replay, not live
                            replay = self.answered.get(reference, opened) < opened
                            self.got[index].append((reference, time.time(), replay))
            except TimeoutError:
                self.reconnects += 1
                continue  # resume from `last`
            except (ConnectionError, asyncio.CancelledError):
                return
            finally:
                writer.close()

    async def pages(self, stop: asyncio.Event) -> None:
        """One client asking for ``--page`` over and over while the credits arrive: a
        page's latency in a worker that also holds hundreds of streams (under gevent a
        page's CPU and SQLite work hold its worker's other greenlets)."""
        while not stop.is_set():
            started = time.time()
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            writer.write((f"GET {self.args.page} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Connection: close\r\n\r\n").encode())
            await writer.drain()
            response = await reader.read()
            writer.close()
            if b" 200 " not in response.split(b"\r\n", 1)[0]:
                self.errors.append(f"page: {response[:120]!r}")
            else:
                self.page_latency.append(time.time() - started)
                self.page_times.append((started, time.time()))
            await asyncio.sleep(0.1)

    async def post(self, vendor_id: int, account: str) -> None:
        reference = f"BL{uuid.uuid4().hex[:14].upper()}"
        body = json.dumps({"reference": reference, "amount": random.randint(5, 200) * 1000,
                           "account_number": account, "bank_bin": "970436",
                           "occurred_at": datetime.now().astimezone().isoformat(),
                           "content": "mua hang"}).encode()
        started = time.time()
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write((f"POST /api/v1/notifications/bank HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                      f"X-Signature: {sign(body, SECRET)}\r\nConnection: close\r\n\r\n"
                      ).encode() + body)
        await writer.drain()
        response = await reader.read()
        writer.close()
        answered = time.time()
        if b" 201 " not in response.split(b"\r\n", 1)[0]:
            self.errors.append(f"notification: {response[:120]!r}")
            return
        self.post_latency.append(answered - started)
        self.post_times.append((started, answered))
        self.answered["bank:" + reference] = answered
        self.expected[vendor_id].append("bank:" + reference)

    async def run(self) -> None:
        args = self.args
        streams = [asyncio.create_task(self.stream(i, *self.targets[i % len(self.targets)][::2]))
                   for i in range(args.streams)]
        deadline = time.monotonic() + 60
        while self.open_streams < args.streams and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        print(f"{self.open_streams} streams open", flush=True)
        self.opened_at = time.time()
        stop_pages = asyncio.Event()
        pages = [asyncio.create_task(self.pages(stop_pages))
                 for _ in range(getattr(self.args, "page_clients", 0))]
        posts = []
        start = time.monotonic()
        total = int(args.rate * args.seconds)
        for n in range(total):
            vendor_id, account, _ = random.choice(self.targets)
            posts.append(asyncio.create_task(self.post(vendor_id, account)))
            await asyncio.sleep(max(0.0, start + (n + 1) / args.rate - time.monotonic()))
        await asyncio.gather(*posts)
        stop_pages.set()
        await asyncio.gather(*pages)
        await asyncio.sleep(3)  # the last events' way to the streams
        for task in streams:
            task.cancel()
        await asyncio.gather(*streams, return_exceptions=True)

    def report(self) -> dict[str, object]:
        delays, missing, repeated, replayed = [], 0, 0, 0
        for index, arrivals in self.got.items():
            want = self.expected[self.stream_vendor[index]]
            seen = [reference for reference, _, _ in arrivals]
            missing += len(set(want) - set(seen))
            repeated += len(seen) - len(set(seen))
            for reference, arrived, replay in arrivals:
                replayed += replay
                if reference in self.answered and not replay:
                    delays.append((arrived - self.answered[reference]) * 1000)
        for index in range(self.args.streams):  # streams that got nothing at all
            if index not in self.got:
                missing += len(self.expected[self.stream_vendor.get(index, -1)])
        delays.sort()

        def pct(values: list[float], p: float) -> float:
            return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")

        posts = sorted(x * 1000 for x in self.post_latency)
        pages = sorted(x * 1000 for x in self.page_latency)
        return {"credits": len(self.answered), "deliveries": len(delays) + replayed,
                "live": len(delays), "replayed_after_reconnect": replayed,
                "reconnects": self.reconnects,
                "missing": missing, "repeated": repeated, "errors": len(self.errors),
                "delivery_ms": {"p50": pct(delays, .5), "p95": pct(delays, .95),
                                "p99": pct(delays, .99), "max": delays[-1] if delays else None},
                "notification_ms": {"p50": pct(posts, .5), "p99": pct(posts, .99)},
                "page_ms": {"path": self.args.page, "n": len(pages), "p50": pct(pages, .5),
                            "p95": pct(pages, .95), "p99": pct(pages, .99)},
                "slowest_per_10s": self.slowest()}

    def slowest(self) -> list[tuple[int, int, int]]:
        """(seconds since the streams opened, slowest notification, slowest page in ms)
        per 10 s: when the tails happened (a stalled worker shows in both at once)."""
        buckets: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for column, times in enumerate((self.post_times, self.page_times)):
            for sent, answered in times:
                bucket = buckets[int((sent - self.opened_at) // 10) * 10]
                bucket[column] = max(bucket[column], (answered - sent) * 1000)
        return [(at, round(post), round(page)) for at, (post, page) in sorted(buckets.items())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--vendors", type=int, default=100)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite",
                        help="the scratch database (PostgreSQL: a schema on "
                             "MARKET40_BENCH_DATABASE_URL; streams woken by NOTIFY)")
    parser.add_argument("--reconnect", type=float, default=0,
                        help="each stream resumes with Last-Event-ID after about this many "
                             "seconds (0: streams stay open)")
    parser.add_argument("--warmup", type=float, default=30,
                        help="seconds after the streams open before memory counts as warm")
    parser.add_argument("--worker-class", default="gthread",
                        help="gunicorn's worker class, or several separated by commas "
                             "(gevent,gthread): one run each, one after the other, each on a "
                             "fresh database, for a side-by-side comparison; a class may "
                             "carry its server's environment: gthread:MALLOC_ARENA_MAX=8")
    parser.add_argument("--probe", action="store_true",
                        help="sample each worker from inside (bench/live_probe.conf.py): "
                             "Python's live blocks and glibc malloc's arenas, used and free")
    parser.add_argument("--page", default="/", help="the page a client asks for meanwhile")
    parser.add_argument("--page-clients", type=int, default=1,
                        help="clients asking for --page during the run (0: none)")
    args = parser.parse_args()
    results = [run_once(args, spec) for spec in args.worker_class.split(",")]
    if len(results) > 1:
        print(summary(results))


def run_once(args: argparse.Namespace, spec: str) -> dict[str, object]:
    """One run of ``spec`` (a worker class, maybe with its environment: :func:`variant`)
    on a fresh scratch database; its report (printed)."""
    random.seed(40)
    worker_class, env_extra = variant(spec)
    print(f"--- {spec}, {args.backend}: {args.streams} streams, {args.rate:g} credits/s, "
          f"{args.seconds:g} s", flush=True)
    probe_dir = Path(tempfile.mkdtemp(prefix="m40probe-")) if args.probe else None
    if probe_dir is not None:
        env_extra = {**env_extra, "BENCH_PROBE_DIR": str(probe_dir)}
    with scratch_database(args.backend) as scratch:
        targets = prepare(scratch.app, args.vendors)
        port = free_port()
        load_before = os.getloadavg()
        server = start_gunicorn(scratch.url, port, env_extra, worker_class=worker_class,
                                config=PROBE_CONFIG if probe_dir else None)
        samples: list[tuple[float, list[dict[str, float]]]] = []
        try:
            bench = Bench(port, targets, args)

            async def sample() -> None:
                while True:
                    samples.append((time.time(), processes(server.pid)))
                    await asyncio.sleep(5)

            async def everything() -> None:
                sampler = asyncio.create_task(sample())
                await bench.run()
                sampler.cancel()

            asyncio.run(everything())
            result = {"worker_class": spec, "backend": args.backend,
                      **bench.report()}
            result["memory"] = memory_report(samples, bench.opened_at, args.warmup)
            if probe_dir is not None:
                result["probe"] = probe_report(probe_dir, bench.opened_at, args.warmup)
            result["load_average"] = {"before": load_before,
                                      "after": os.getloadavg()}
            result["args"] = vars(args)
            print(json.dumps(result, indent=2, default=str), flush=True)
            for error in bench.errors[:5]:
                print("error:", error)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
            if probe_dir is not None:
                shutil.rmtree(probe_dir, ignore_errors=True)
    return result


PROBE_FIGURES = ("rss", "blocks", "arena", "mmapped", "used", "free")


def probe_report(folder: Path, opened_at: float, warmup: float) -> dict[str, object]:
    """The workers' inside figures (bench/live_probe.conf.py), summed over the workers per
    5 s round: when every stream is open, after the warm-up, at the end, and each one's
    least-squares trend per minute after the warm-up (``blocks``: Python's live object
    blocks, in thousands; the others MiB)."""
    workers = [[json.loads(line) for line in path.read_text().splitlines()]
               for path in sorted(folder.glob("*.jsonl"))]
    rounds = min((len(samples) for samples in workers), default=0)
    series = []
    for n in range(rounds):
        at = max(samples[n]["t"] for samples in workers)
        if at < opened_at:
            continue
        row = {name: sum(samples[n][name] for samples in workers) for name in PROBE_FIGURES}
        row["blocks"] /= 1000
        if "traced" in workers[0][n]:
            row["traced"] = sum(samples[n]["traced"] for samples in workers)
        series.append((at, row))
    if not series:
        return {}
    warm = [(at, row) for at, row in series if at >= opened_at + warmup] or series[-1:]
    out: dict[str, object] = {}
    for name in PROBE_FIGURES:
        out[name] = {"open": round(series[0][1][name], 1), "warm": round(warm[0][1][name], 1),
                     "end": round(series[-1][1][name], 1),
                     "trend_per_min": trend([(at - opened_at, row[name], 0)
                                             for at, row in warm])}
    out["timeline"] = [(round(at - opened_at), *(round(row[name], 1) for name in PROBE_FIGURES))
                       for at, row in series]
    if "traced" in series[0][1]:  # BENCH_PROBE_TRACEMALLOC=1: Python's own, and by line
        out["traced_mib"] = [(round(at - opened_at), round(row["traced"], 1))
                             for at, row in series]
        out["traced_growth"] = [path.read_text() for path in sorted(folder.glob("*.top.txt"))]
    return out


def summary(results: list[dict[str, object]]) -> str:
    """The runs side by side, as a Markdown table (bench/LIVE.md)."""
    lines = ["| worker class | load avg before → after | missing / repeated | delivery p50 / "
             "p95 / p99 / max (ms) | notification p50 / p99 (ms) | page p50 / p95 / p99 (ms) "
             "| RSS open → warm → end (MiB) | trend after warm-up (MiB/min) | threads open → "
             "end |", "|---" * 9 + "|"]
    for r in results:
        d, n, g, m = r["delivery_ms"], r["notification_ms"], r["page_ms"], r["memory"]
        load = r["load_average"]
        lines.append(
            f"| {r['worker_class']} | {load['before'][0]:.1f} → {load['after'][0]:.1f} "
            f"| {r['missing']} / {r['repeated']} "
            f"| {d['p50']:.1f} / {d['p95']:.0f} / {d['p99']:.0f} / {d['max']:.0f} "
            f"| {n['p50']:.0f} / {n['p99']:.0f} "
            f"| {g['p50']:.0f} / {g['p95']:.0f} / {g['p99']:.0f} "
            f"| {m['streams_open_mib']} → {m['after_warmup_mib']} → {m['last_mib']} "
            f"| {m['trend_after_warmup_mib_per_min']} "
            f"| {m['threads']['streams_open']} → {m['threads']['last']} |")
    probed = [r for r in results if r.get("probe")]
    if probed:  # what the workers' memory is made of (bench/live_probe.conf.py)
        lines += ["", "| worker class | workers' RSS open → warm → end (trend MiB/min) | "
                  "Python blocks, thousands (trend /min) | malloc in use (trend) | malloc "
                  "free in arenas (trend) |", "|---" * 5 + "|"]
        for r in probed:
            cells = [f"{f['open']} → {f['warm']} → {f['end']} ({f['trend_per_min']})"
                     for f in (r["probe"][name] for name in ("rss", "blocks", "used", "free"))]
            lines.append(f"| {r['worker_class']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
