"""The app under gunicorn's gevent worker (``make serve WORKER_CLASS=gevent``): a greenlet
per connection, the whole process cooperative after gevent's monkey patching, so every
wait of the live hub, its listeners and SQLite's write lock must yield.

A real gunicorn on a scratch database (SQLite file; PostgreSQL schema with
MARKET40_TEST_DATABASE_URL): a stream gets a payment recorded meanwhile and heartbeats,
resumes with Last-Event-ID, a dead client is noticed at the next heartbeat, and a page
renders. The wake-up listeners (PostgreSQL LISTEN, Redis pub/sub) and a wait for SQLite's
write lock are checked in a monkey-patched process: the other greenlets keep running.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.faults.conftest import (  # noqa: F401 - the scratch fixture
    PG_URL,
    ROOT,
    Scratch,
    free_port,
    kill_group,
    scratch,
    start_gunicorn,
)
from tests.live.stream import parse_frame
from tests.live.test_wake import REDIS_URL, redis_running

HEARTBEAT = 0.5
GEVENT = ("--worker-class", "gevent", "--worker-connections", "100")


class Stream:
    """An SSE client (http.client, as a soundbox would be): frames as they come."""

    def __init__(self, port: int, vendor_id: int, token: str,
                 last_event_id: int | None = None) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.connection.request("GET", f"/api/v1/vendors/{vendor_id}/events", headers=headers)
        self.response = self.connection.getresponse()
        assert self.response.status == 200, self.response.read()[:500]
        assert self.response.getheader("Content-Type").startswith("text/event-stream")
        self.port = self.connection.sock.getsockname()[1]

    def frame(self) -> dict[str, Any]:
        """The next frame: {"event", "id", "data"}, or {"comment": text}."""
        lines: list[str] = []
        while True:
            line = self.response.readline().decode()
            assert line, "the stream ended"
            line = line.rstrip("\n")
            if line:
                lines.append(line)
            elif lines:
                return parse_frame(lines)

    def payment(self, seconds: float = 10) -> dict[str, Any]:
        """The next payment frame (heartbeats skipped)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            frame = self.frame()
            if frame.get("event") == "payment":
                return frame
        raise AssertionError(f"no payment within {seconds} s")

    def close(self) -> None:
        self.connection.sock.close()
        self.connection.close()


def record(port: int, token: str, vendor_id: int, reference: str, amount: int) -> None:
    body = {"vendor_id": vendor_id, "amount": amount, "method": "qr",
            "occurred_at": datetime.now().astimezone().isoformat(), "reference": reference}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", "/api/v1/transactions", json.dumps(body),
                       {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    assert response.status == 201, response.read()[:500]
    connection.close()


def server_side_open(server_port: int, client_port: int) -> bool:
    """Whether the server still holds its end of a client's connection (established, or
    half-closed by the client and not yet closed by the server)."""
    wanted = (f"{server_port:04X}", f"{client_port:04X}")
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, state = fields[1], fields[2], fields[3]
            if (local.rsplit(":", 1)[1], remote.rsplit(":", 1)[1]) == wanted:
                return state in ("01", "08")  # ESTABLISHED, CLOSE_WAIT
    return False


def test_streams_payments_heartbeats_and_pages_under_gevent(scratch: Scratch) -> None:  # noqa: F811
    port = free_port()
    server = start_gunicorn(scratch, port, options=GEVENT,
                            env={"MARKET40_LIVE_HEARTBEAT_SECONDS": str(HEARTBEAT)})
    try:
        vendor_id = scratch.vendor_ids[0]
        # two streams: with two workers, at least one often sits in the worker that does
        # not record the payment (woken by the poll or NOTIFY, not by its own commit)
        streams = [Stream(port, vendor_id, scratch.token) for _ in range(2)]
        assert streams[0].frame() == {"retry": "2000"}
        assert streams[0].frame() == {"comment": "heartbeat"}  # nothing yet: a heartbeat
        record(port, scratch.token, vendor_id, "gevent-1", 25_000)
        for stream in streams:
            frame = stream.payment()
            assert frame["data"]["amount"] == 25_000
            assert frame["data"]["announcement"] == "Đã nhận hai mươi lăm nghìn đồng"
        first = int(frame["id"])

        # a page renders meanwhile, in a worker holding open streams
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/")
        page = connection.getresponse()
        assert page.status == 200
        assert b"</html>" in page.read()

        # a client gone away is noticed at the next heartbeats: the server closes its end
        gone = streams.pop()
        gone.close()
        deadline = time.monotonic() + 10 * HEARTBEAT
        while server_side_open(port, gone.port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not server_side_open(port, gone.port)

        # resuming after the first event replays exactly what came after it
        record(port, scratch.token, vendor_id, "gevent-2", 1_005_000)
        resumed = Stream(port, vendor_id, scratch.token, last_event_id=first)
        frame = resumed.payment()
        assert frame["data"]["amount"] == 1_005_000
        assert int(frame["id"]) > first
        live = streams[0].payment()
        assert live["id"] == frame["id"]
        for stream in (*streams, resumed):
            stream.close()
    finally:
        kill_group(server)
    errors = server.stderr.read().decode()
    assert "Traceback" not in errors, errors[-3000:]


LISTENERS = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()

    import sys, threading, time

    from market40.live.wake import publish, start_listeners

    kind, url = sys.argv[1], sys.argv[2]
    wake, ticks = threading.Event(), []

    def tick():  # another greenlet: it runs only if the listener yields while it waits
        while True:
            ticks.append(time.monotonic())
            time.sleep(0.01)

    threading.Thread(target=tick, daemon=True).start()
    start_listeners(wake, lambda: False, **{kind + "_url": url})
    assert wake.wait(10), "the listener did not start"  # set once it listens
    wake.clear()
    before = len(ticks)
    time.sleep(1.5)  # the listener waits on its socket meanwhile
    assert len(ticks) - before > 50, ("the listener blocked the other greenlets",
                                      len(ticks) - before)
    if kind == "redis":
        publish(url)
    else:
        import psycopg
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("NOTIFY market40_events")
    assert wake.wait(5), "no wake-up"
    print("woken")
""")


@pytest.mark.parametrize("kind", [
    pytest.param("postgresql", marks=pytest.mark.skipif(
        not PG_URL, reason="MARKET40_TEST_DATABASE_URL is not set")),
    pytest.param("redis", marks=pytest.mark.skipif(
        not redis_running(), reason="no Redis on 127.0.0.1:6379")),
])
def test_wake_listeners_yield_under_monkey_patching(kind: str) -> None:
    url = (PG_URL.replace("postgresql+psycopg://", "postgresql://") if kind == "postgresql"
           else REDIS_URL)
    done = subprocess.run([sys.executable, "-c", LISTENERS, kind, url], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "woken" in done.stdout, done.stderr[-3000:]


SQLITE_WRITER = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()

    import sys, threading, time

    import sqlalchemy as sa

    from market40.db import configure_engine_events

    engine = sa.create_engine("sqlite:///" + sys.argv[1])
    configure_engine_events(engine)
    ticks = []

    def tick():  # another greenlet: it runs only if the writer yields while it waits
        while True:
            ticks.append(time.monotonic())
            time.sleep(0.01)

    threading.Thread(target=tick, daemon=True).start()
    print("ready", flush=True)
    started = time.monotonic()
    with engine.begin() as connection:  # the test holds the write lock for 1.5 s
        connection.execute(sa.text("INSERT INTO t VALUES (2)"))
    waited = time.monotonic() - started
    during = len([t for t in ticks if started <= t <= started + waited])
    print(f"waited {waited:.2f} ticks {during}")
    assert waited > 1.0 and during > 50, (waited, during)
""")


def test_sqlite_write_lock_is_awaited_cooperatively_under_gevent(tmp_path: Path) -> None:
    """A gevent worker waiting for SQLite's write lock (held by another process) lets
    its other greenlets run: SQLite's own busy wait would hold them all."""
    import sqlite3

    path = tmp_path / "lock.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE t (n INTEGER)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO t VALUES (1)")
    writer = subprocess.Popen([sys.executable, "-c", SQLITE_WRITER, str(path)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "ready\n"
        time.sleep(1.5)
        holder.execute("COMMIT")
        _, err = writer.communicate(timeout=60)
    finally:
        writer.kill()
        holder.close()
    assert writer.returncode == 0, err[-3000:]
    assert sqlite3.connect(path).execute("SELECT count(*) FROM t").fetchone() == (2,)



PG_WRITER = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()

    import json, sys, threading, time
    from datetime import datetime

    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from market40 import create_app
    from market40.extensions import db

    url, token, vendor_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    ticks, stretches = [], []

    def busy():  # the worker's other requests: 5 ms of CPU a turn, always runnable
        while True:
            ticks.append(time.monotonic())
            started = time.monotonic()
            while time.monotonic() - started < 0.005:
                pass
            time.sleep(0.001)

    # from the payment's rollups to its commit: the stretch in which it holds the locks
    # every payment of the market waits for
    from market40.payments import record
    upsert_rollups = record.upsert_rollups

    def rollups_then_commit(*args, **kwargs):
        stretches.append([time.monotonic(), None])
        return upsert_rollups(*args, **kwargs)

    record.upsert_rollups = rollups_then_commit

    @sa.event.listens_for(Session, "after_commit")
    def _committed(session):
        if stretches and stretches[-1][1] is None:
            stretches[-1][1] = time.monotonic()

    threading.Thread(target=busy, daemon=True).start()
    client = app.test_client()
    started = time.monotonic()
    for n in range(10):
        answer = client.post("/api/v1/transactions", headers={
            "Authorization": "Bearer " + token}, json={
            "vendor_id": vendor_id, "amount": 12_000, "method": "qr", "reference": f"busy-{n}",
            "occurred_at": datetime.now().astimezone().isoformat()})
        assert answer.status_code == 201, answer.get_data(as_text=True)
    took = time.monotonic() - started
    inside = sum(1 for t in ticks if any(a <= t <= b for a, b in stretches))
    print(json.dumps({"stretches": len(stretches), "inside": inside,
                      "outside": len([t for t in ticks if started <= t]) - inside,
                      "held_ms": max(b - a for a, b in stretches) * 1000, "took": took}))
""")


@pytest.mark.skipif(not PG_URL, reason="MARKET40_TEST_DATABASE_URL is not set")
@pytest.mark.parametrize("scratch", ["postgresql"], indirect=True)
def test_a_payment_holds_its_locks_without_yielding_under_gevent(
        scratch: Scratch) -> None:  # noqa: F811
    """In a gevent worker on PostgreSQL, a payment that holds its market's rollup rows
    and the outbox's lock does not hand the loop to the worker's other greenlets until
    its commit (the rest of its request does).

    Every other payment of the market, and for the outbox's lock every payment, waits
    for those locks holding a pooled connection; a holder that yields gets the loop back
    only after every other runnable greenlet. In bench_live (500 streams, 50 credits/s)
    that convoy ran the pool dry: 465-1,294 of 3,000 notifications failed."""
    done = subprocess.run([sys.executable, "-c", PG_WRITER, scratch.url, scratch.token,
                           str(scratch.vendor_ids[0])], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**scratch.env()})
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["stretches"] == 10, figures
    assert figures["inside"] == 0, figures  # before: a busy turn at each statement
    assert figures["outside"] > 10, figures  # the rest of each request still yields
