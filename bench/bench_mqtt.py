"""The MQTT relay under load: commit-to-broker latency at a steady rate, then Mosquitto
stopped for 30 s mid-run: nothing lost, order kept, duplicates counted.

A scratch database (SQLite, or ``--backend postgresql``) gets ``--vendors`` approved
vendors; gunicorn serves it as ``make serve`` does; ``flask --app wsgi events relay`` runs
as its own process against a private Mosquitto started here on a free port (with
persistence, as Debian's packaged config has it), never the machine's shared one on
1883. One subscriber (QoS 1, persistent session) on ``market40/vendors/+/payments``
timestamps each message's arrival. Signed bank notifications arrive at ``--rate`` per
second in two phases:

1. **steady**, ``--seconds`` long: latency = arrival at the subscriber minus the event's
   ``created_at`` (set when the payment's transaction inserts it, a few ms before its
   commit: an upper bound of commit-to-broker), and minus the notification's answer;
2. **outage**, ``--margin`` + ``--outage`` + ``--margin`` seconds: Mosquitto is stopped
   (SIGTERM) after ``--margin`` seconds and started again ``--outage`` seconds later,
   while notifications keep coming. Reported: notifications refused (must be 0),
   events lost (in the outbox, never received), topics whose ids arrived out of order
   (after dropping repeats: must be 0), duplicates (at least once allows them), the
   time from the broker's restart until the backlog was through, and the latency of the
   events written after that.

Each ``--wake`` mode is one such run, one after the other: ``poll`` (the relay reads the
outbox every 0.2 s; on PostgreSQL it also LISTENs for the outbox's NOTIFY) and ``redis``
(server and relay get ``MARKET40_REDIS_URL``: each commit publishes a wake-up). The
relay's RSS is sampled too. Usage::

    python bench/bench_mqtt.py [--rate 50] [--seconds 60] [--outage 30] [--margin 15]
                               [--vendors 100] [--backend sqlite|postgresql]
                               [--wake poll,redis] [--redis redis://127.0.0.1:6379/0]

The load generator, the broker and the relay share the machine's 2 CPUs with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_live import Bench, free_port, prepare, rss_mib, start_gunicorn  # noqa: E402
from scratch_db import machine, scratch_database  # noqa: E402

from market40.live.relay import mqtt_client  # noqa: E402
from tests.live.broker import Broker  # noqa: E402


class Mosquitto(Broker):
    """The tests' private broker, with room for one subscriber's 30 s backlog of 100 stalls."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder, extra="max_queued_messages 100000\n")


def start_relay(url: str, broker: str, cursor: Path, log: Path,
                env_extra: dict[str, str]) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKET40_")}
    env.update(DATABASE_URL=url, PYTHONPATH=str(ROOT), **env_extra)
    with log.open("w") as output:
        return subprocess.Popen(
            [str(BIN / "flask"), "--app", "wsgi", "events", "relay", "--mqtt", broker,
             "--cursor", str(cursor)], cwd=ROOT, env=env, start_new_session=True,
            stdout=output, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process's group (it may be gone already: a relay that crashed)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    process.wait(30)


def pct(values: list[float], p: float) -> float | None:
    return round(values[min(len(values) - 1, int(len(values) * p))], 1) if values else None


def summary(values: list[float]) -> dict[str, float | None]:
    values = sorted(values)
    return {"n": len(values), "p50": pct(values, .5), "p95": pct(values, .95),
            "p99": pct(values, .99), "max": round(values[-1], 1) if values else None}


class Subscriber:
    """Every message with its arrival time, in arrival order."""

    def __init__(self, broker: str) -> None:
        self.lock = threading.Lock()
        self.messages: list[tuple[float, str, int, str]] = []  # at, topic, id, reference
        self.client = mqtt_client(broker, f"bench-subscriber-{os.getpid()}",
                                  ("market40/vendors/+/payments",))
        self.client.on_message = self.on_message
        if not self.client.market40_connected.wait(10):
            raise RuntimeError("the subscriber did not connect")

    def on_message(self, _client, _userdata, msg) -> None:
        at = time.time()
        body = json.loads(msg.payload)
        with self.lock:
            self.messages.append((at, msg.topic, body["id"], body["referenceNumber"]))

    def references(self) -> set[str]:
        with self.lock:
            return {m[3] for m in self.messages}

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def outbox(app) -> list[tuple[int, int, str, float]]:
    """(id, vendor id, reference, created_at epoch) of every event, by id."""
    import sqlalchemy as sa

    from market40.extensions import db
    from market40.models import PaymentEvent

    with app.app_context():
        rows = db.session.execute(sa.select(PaymentEvent.id, PaymentEvent.vendor_id,
                                            PaymentEvent.reference, PaymentEvent.created_at)
                                  .order_by(PaymentEvent.id)).all()
        db.session.remove()
    return [(r.id, r.vendor_id, r.reference, r.created_at.timestamp()) for r in rows]


async def post_for(bench: Bench, targets, rate: float, seconds: float) -> None:
    tasks = []
    start = time.monotonic()
    for n in range(int(rate * seconds)):
        vendor_id, account, _ = random.choice(targets)
        tasks.append(asyncio.create_task(bench.post(vendor_id, account)))
        await asyncio.sleep(max(0.0, start + (n + 1) / rate - time.monotonic()))
    await asyncio.gather(*tasks)


def analyse(events, messages, answered, marks) -> dict[str, object]:
    created = {reference: at for _, _, reference, at in events}
    first: dict[str, float] = {}
    per_topic: dict[str, list[int]] = defaultdict(list)
    for at, topic, event_id, reference in messages:
        first.setdefault(reference, at)
        per_topic[topic].append(event_id)
    out_of_order = 0
    for ids in per_topic.values():
        unique = list(dict.fromkeys(ids))  # a repeat keeps its id: drop it, as a device does
        out_of_order += sum(1 for a, b in zip(unique, unique[1:], strict=False) if b < a)
    lost = [reference for reference in created if reference not in first]
    ids = {reference: event_id for event_id, _, reference, _ in events}
    lost_detail = [(ids[r], round(created[r] - marks["down"], 3),
                    round(created[r] - marks["up"], 3))
                   for r in lost[:5]]
    backlog = [first[r] for r, at in created.items()
               if marks["down"] <= at < marks["up"] and r in first]
    caught_up = max(backlog) if backlog else marks["up"]

    def latencies(low: float, high: float, since: dict[str, float]) -> list[float]:
        # warm-up events (not in `answered`) are left out
        return [(first[r] - since[r]) * 1000 for r, at in created.items()
                if low <= at < high and r in first and r in since and r in answered]

    return {
        "events": len(events), "messages": len(messages), "lost": len(lost),
        "lost_first (id, s after down, s after up)": lost_detail,
        "duplicates": len(messages) - len(first), "topics": len(per_topic),
        "out_of_order": out_of_order,
        "steady": {
            "commit_to_broker_ms": summary(latencies(0, marks["outage_phase"], created)),
            "answer_to_broker_ms": summary(latencies(0, marks["outage_phase"], answered)),
        },
        "outage": {
            "events_while_down": sum(1 for at in created.values()
                                     if marks["down"] <= at < marks["up"]),
            "down_s": round(marks["up"] - marks["down"], 1),
            "backlog_through_after_restart_s": round(caught_up - marks["up"], 2),
            "commit_to_broker_ms_before_down": summary(
                latencies(marks["outage_phase"], marks["down"], created)),
            "commit_to_broker_ms_after_catch_up": summary(
                latencies(caught_up, float("inf"), created)),
        },
    }


def run(args: argparse.Namespace, wake: str) -> dict[str, object]:
    """One measured run; ``wake`` is "poll" (the relay polls the outbox every 0.2 s;
    on PostgreSQL it also LISTENs) or "redis" (MARKET40_REDIS_URL for server and relay)."""
    env_extra = {"MARKET40_REDIS_URL": args.redis} if wake == "redis" else {}
    print(f"--- {args.backend}, wake: {wake}; {machine()}", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="m40mqtt-"))
    broker = Mosquitto(folder)
    broker.start()
    try:
        with scratch_database(args.backend) as scratch:
            targets = prepare(scratch.app, args.vendors)
            cursor = folder / "relay.cursor"
            cursor.write_text("0")
            port = free_port()
            server = start_gunicorn(scratch.url, port, env_extra)
            relay = start_relay(scratch.url, broker.url, cursor, folder / "relay.log",
                                env_extra)
            subscriber = Subscriber(broker.url)
            relay_rss: list[float] = []
            try:
                bench = Bench(port, targets, argparse.Namespace(streams=0))
                marks: dict[str, float] = {}

                async def outage() -> None:
                    await asyncio.sleep(args.margin)
                    await asyncio.to_thread(broker.stop)
                    marks["down"] = time.time()
                    print(f"broker stopped ({len(bench.answered)} notifications so far)",
                          flush=True)
                    await asyncio.sleep(args.outage)
                    await asyncio.to_thread(broker.start)
                    marks["up"] = time.time()
                    print(f"broker started ({len(bench.answered)} notifications so far)",
                          flush=True)

                async def sample() -> None:
                    while True:
                        relay_rss.append(rss_mib(relay.pid))
                        await asyncio.sleep(5)

                async def delivered(want: set[str], seconds: float) -> None:
                    deadline = time.monotonic() + seconds
                    while (time.monotonic() < deadline and relay.poll() is None
                           and not want <= subscriber.references()):
                        await asyncio.sleep(0.2)

                async def everything() -> None:
                    # Warm-up (not measured): the workers boot after the port opens, and
                    # on a loaded machine the first requests wait seconds for them.
                    warm = Bench(port, targets, argparse.Namespace(streams=0))
                    await post_for(warm, targets, args.rate, 5)
                    await delivered(set(warm.answered), 60)
                    print(f"warmed up ({len(warm.answered)} notifications)", flush=True)
                    sampler = asyncio.create_task(sample())
                    await post_for(bench, targets, args.rate, args.seconds)
                    marks["outage_phase"] = time.time()
                    print(f"steady phase done ({len(bench.answered)} notifications)",
                          flush=True)
                    await asyncio.gather(outage(), post_for(
                        bench, targets, args.rate, 2 * args.margin + args.outage))
                    await delivered(set(bench.answered), 90)
                    await asyncio.sleep(2)  # late repeats
                    sampler.cancel()

                asyncio.run(everything())
                with subscriber.lock:
                    messages = list(subscriber.messages)
                result = analyse(outbox(scratch.app), messages, bench.answered, marks)
                result["notifications"] = {
                    "answered_201": len(bench.answered), "refused": len(bench.errors),
                    "ms": summary([x * 1000 for x in bench.post_latency])}
                result["relay_rss_mib"] = {"first": relay_rss[0] if relay_rss else None,
                                           "last": relay_rss[-1] if relay_rss else None}
                result["relay_alive"] = relay.poll() is None
                result["load_average"] = [round(x, 2) for x in os.getloadavg()]
                result["wake"] = wake
                result["args"] = vars(args)
                print(json.dumps(result, indent=2), flush=True)
                for error in bench.errors[:5]:
                    print("error:", error)
                warnings = [line for line in (folder / "relay.log").read_text().splitlines()
                            if "not acknowledged" in line or "Error" in line]
                print(f"relay log: {len(warnings)} warning(s)", *warnings[:5], sep="\n  ")
                return result
            finally:
                subscriber.close()
                for process in (relay, server):
                    stop(process)
    finally:
        broker.stop()
        shutil.rmtree(folder, ignore_errors=True)



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=60, help="steady phase")
    parser.add_argument("--outage", type=float, default=30, help="broker stopped this long")
    parser.add_argument("--margin", type=float, default=15,
                        help="seconds of traffic before and after the outage")
    parser.add_argument("--vendors", type=int, default=100)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--wake", default="poll,redis",
                        help="runs, one after the other: poll and/or redis")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    # SIGTERM (a timeout, a CI cancel) unwinds like Ctrl-C: the servers started here stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    random.seed(40)
    results = [run(args, wake.strip()) for wake in args.wake.split(",") if wake.strip()]
    print("\nwake  | commit→broker p50/p95/p99/max ms (steady) | lost | out of order "
          "| duplicates | backlog through after restart | after catch-up p99 ms | load")
    for r in results:
        steady = r["steady"]["commit_to_broker_ms"]
        outage = r["outage"]
        print(f"{r['wake']:5} | {steady['p50']} / {steady['p95']} / {steady['p99']} / "
              f"{steady['max']} | {r['lost']} | {r['out_of_order']} | {r['duplicates']} | "
              f"{outage['backlog_through_after_restart_s']} s | "
              f"{outage['commit_to_broker_ms_after_catch_up']['p99']} | "
              f"{r['load_average'][0]}")


if __name__ == "__main__":
    main()
