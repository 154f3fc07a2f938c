"""Live payments under gunicorn: many open streams, credits at a steady rate, every event
delivered exactly once, delivery latency and server memory.

A scratch SQLite database (``scratch_db``) gets ``--vendors`` approved vendors with bank
accounts and one paired device each; gunicorn serves it as ``make serve`` does (2
``gthread`` workers, 600 threads each). ``--streams`` SSE clients (spread evenly over the
vendors, device tokens) connect from one asyncio loop; then signed bank notifications
arrive at ``--rate`` per second for ``--seconds``. With ``--reconnect S`` every stream
closes after about S seconds and resumes with ``Last-Event-ID``. For each credit the
answer's time is kept; for each stream, each event's arrival. Reported: delivery
latency (event on the stream minus the notification's answer: p50/p95/p99/max; events
replayed after a reconnect are counted apart), events missing or repeated per stream
(must be 0), notification latency, and the workers' memory sampled every 5 s: RSS when
every stream is open, after ``--warmup`` seconds, at the end, and over the last stretch
at a constant thread count (a gthread worker keeps each thread it starts, up to
``--threads``, with the stack its requests touched: RSS follows that high-water mark,
while growth at a constant count is what events and streams themselves cost). Usage::

    python bench/bench_live.py [--streams 500] [--rate 50] [--seconds 60] [--vendors 100]
                               [--reconnect 0] [--warmup 30]

The load generator shares the machine's 2 CPUs with the server: figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scratch_db import scratch_database  # noqa: E402

from market40.payments.signature import sign  # noqa: E402

SECRET = "bench-secret"
# Per worker: gunicorn does not spread connections evenly over its workers, and a stream
# keeps its thread, so each worker needs room for nearly all the streams.
THREADS = int(os.environ.get("BENCH_THREADS", "600"))


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


def start_gunicorn(url: str, port: int, env_extra: dict[str, str] | None = None
                   ) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKET40_")}
    env.update(DATABASE_URL=url, MARKET40_WEBHOOK_SECRET=SECRET, PYTHONPATH=str(ROOT),
               MARKET40_RATELIMIT_ENABLED="false", **(env_extra or {}))
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--worker-class", "gthread",
         "--threads", str(THREADS), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
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
        posts = []
        start = time.monotonic()
        total = int(args.rate * args.seconds)
        for n in range(total):
            vendor_id, account, _ = random.choice(self.targets)
            posts.append(asyncio.create_task(self.post(vendor_id, account)))
            await asyncio.sleep(max(0.0, start + (n + 1) / args.rate - time.monotonic()))
        await asyncio.gather(*posts)
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
        return {"credits": len(self.answered), "deliveries": len(delays) + replayed,
                "live": len(delays), "replayed_after_reconnect": replayed,
                "reconnects": self.reconnects,
                "missing": missing, "repeated": repeated, "errors": len(self.errors),
                "delivery_ms": {"p50": pct(delays, .5), "p95": pct(delays, .95),
                                "p99": pct(delays, .99), "max": delays[-1] if delays else None},
                "notification_ms": {"p50": pct(posts, .5), "p99": pct(posts, .99)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--vendors", type=int, default=100)
    parser.add_argument("--reconnect", type=float, default=0,
                        help="each stream resumes with Last-Event-ID after about this many "
                             "seconds (0: streams stay open)")
    parser.add_argument("--warmup", type=float, default=30,
                        help="seconds after the streams open before memory counts as warm")
    args = parser.parse_args()
    random.seed(40)
    with scratch_database("sqlite") as scratch:
        targets = prepare(scratch.app, args.vendors)
        port = free_port()
        server = start_gunicorn(scratch.url, port)
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
            result = bench.report()
            result["memory"] = memory_report(samples, bench.opened_at, args.warmup)
            result["load_average"] = os.getloadavg()
            result["args"] = vars(args)
            print(json.dumps(result, indent=2, default=str))
            for error in bench.errors[:5]:
                print("error:", error)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)


if __name__ == "__main__":
    main()
