"""A writer killed with SIGKILL in the middle leaves no partial batch behind.

Two writers, each a real process on a scratch database (SQLite file and PostgreSQL
schema): ``flask simulate`` (commits whole days per chunk) and gunicorn serving
POST /api/v1/transactions/batch of 10,000 items (one transaction). Each is killed
while it is writing; afterwards the stored rows are all of a unit or none of it,
``flask rollups reconcile`` exits 0, and running the writer again completes.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from market40.extensions import db
from market40.partitions import ADVISORY_LOCK
from tests.faults.conftest import (
    BIN,
    MARKET,
    ROOT,
    Scratch,
    flask,
    free_port,
    kill_group,
    start_gunicorn,
)

pytestmark = pytest.mark.slow  # SIGKILL runs of real processes

SIMULATE = ("simulate", "--days", "30", "--until", "2025-06-30", "--seed", "7",
            "--markets", MARKET)
PER_VENDOR_DAY = ("SELECT vendor_id, substr(CAST(occurred_at AS TEXT), 1, 10) AS day, "
                  "count(*) FROM transactions WHERE source = 'simulator' GROUP BY 1, 2")
BATCH_SIZE = 10_000


def vendor_days(scratch: Scratch) -> dict[tuple[int, str], int]:
    engine = sa.create_engine(scratch.url)
    try:
        with engine.connect() as connection:
            return {(v, d): n for v, d, n in connection.execute(sa.text(PER_VENDOR_DAY))}
    finally:
        engine.dispose()


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.002)


def writing(scratch: Scratch) -> Callable[[], bool]:
    """A probe that turns true once a writer is inside its transaction on ``transactions``.

    SQLite: the WAL file grows (pages of the open transaction spill into it).
    PostgreSQL: another backend holds ROW EXCLUSIVE on this schema's transactions table.
    """
    if scratch.backend == "sqlite":
        wal = Path(scratch.url.removeprefix("sqlite:///") + "-wal")
        start = wal.stat().st_size if wal.exists() else 0
        return lambda: wal.exists() and wal.stat().st_size > start + 64 * 1024
    engine = sa.create_engine(scratch.url, poolclass=sa.pool.NullPool)
    query = sa.text(
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "WHERE c.oid = 'transactions'::regclass AND l.mode = 'RowExclusiveLock' "
        "AND l.pid <> pg_backend_pid()")

    def probe() -> bool:
        with engine.connect() as connection:
            return bool(connection.execute(query).scalar_one())

    return probe


def reconcile_exit_code(scratch: Scratch) -> int:
    """``flask --app wsgi rollups reconcile`` on the scratch database (the same command,
    run in this process: a fresh interpreter per call would only add start-up time)."""
    app = scratch.app()
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["rollups", "reconcile", "--limit", "5"])
        db.session.remove()
        db.engine.dispose()
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code


def kill_simulator_when(scratch: Scratch, ready: Callable[[], bool], what: str, *,
                        settle: float = 0.0) -> None:
    """Run ``flask simulate`` and SIGKILL its process group once ``ready()`` (and
    ``settle`` seconds more); it must not have finished by then."""
    process = subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", *SIMULATE], cwd=ROOT,
                               env=scratch.env(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until(lambda: ready() or process.poll() is not None, 120, what)
        time.sleep(settle)
        assert process.poll() is None, "the simulator finished before it could be killed"
    finally:
        kill_group(process)
    assert process.returncode == -signal.SIGKILL


def test_simulator_killed_mid_run_leaves_whole_days(scratch: Scratch) -> None:
    # The reference: the same simulation run to its end, then wiped.
    full = flask(scratch, *SIMULATE)
    assert full.returncode == 0, full.stderr
    expected = vendor_days(scratch)
    assert sum(expected.values()) > 5_000
    engine = sa.create_engine(scratch.url)
    with engine.begin() as connection:
        for table in ("transactions", "daily_rollups", "market_daily_rollups",
                      "vendor_qr_months"):
            connection.execute(sa.text(f"DELETE FROM {table}"))
    engine.dispose()

    kill_simulator_when(scratch, writing(scratch), "the simulator to write")

    stored = vendor_days(scratch)
    # Every vendor-day that survived is exactly the full run's: nothing half-written.
    assert {key: expected.get(key) for key in stored} == stored
    assert reconcile_exit_code(scratch) == 0

    rerun = flask(scratch, *SIMULATE)
    assert rerun.returncode == 0, rerun.stderr
    assert vendor_days(scratch) == expected
    assert reconcile_exit_code(scratch) == 0
    # SQLite: the killed first load had dropped the secondary indexes (built at the end
    # of a load into an empty table); the rerun built them again. PostgreSQL: the
    # writes went through COPY into the monthly partitions.
    assert layout(scratch) == ({"ix_transactions_declared_qr", "ix_transactions_market_occurred",
                                "ix_transactions_occurred", "ix_transactions_vendor_occurred"}
                               if scratch.backend == "sqlite" else "partitioned")


def test_simulator_killed_in_a_month_load_leaves_no_table(scratch: Scratch) -> None:
    """PostgreSQL loads a month without a partition into a table of its own (and its
    vendor-day rollups into another), attached at the end, all in one transaction
    (payments.month_load): killed inside it, nothing of the month is left, not even the
    tables, and the rerun loads it again."""
    if scratch.backend != "postgresql":
        pytest.skip("month loads are PostgreSQL's")
    full = flask(scratch, *SIMULATE)  # June 2025: one month, loaded on its own
    assert full.returncode == 0, full.stderr
    expected = vendor_days(scratch)
    engine = sa.create_engine(scratch.url, poolclass=sa.pool.NullPool)
    with engine.begin() as connection:  # back to a database without June
        connection.execute(sa.text("DROP TABLE transactions_p2025_06"))
        connection.execute(sa.text("DROP TABLE daily_rollups_p2025_06"))
        for table in ("transaction_references", "daily_rollups", "market_daily_rollups",
                      "vendor_qr_months"):
            connection.execute(sa.text(f"DELETE FROM {table}"))
    loading = sa.text(  # the partitions' advisory lock, held by the month's transaction
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
        f"AND objid = {ADVISORY_LOCK} AND pid <> pg_backend_pid()")

    def in_month_load() -> bool:
        with engine.connect() as connection:
            return bool(connection.execute(loading).scalar_one())

    kill_simulator_when(scratch, in_month_load, "the simulator to load June",
                        settle=0.05)  # into the COPY

    assert vendor_days(scratch) == {}
    with engine.connect() as connection:  # nor its vendor-day rollups' table
        for table in ("transactions_p2025_06", "daily_rollups_p2025_06"):
            assert connection.execute(sa.text(
                f"SELECT to_regclass('{table}')")).scalar() is None
    engine.dispose()
    assert reconcile_exit_code(scratch) == 0
    rerun = flask(scratch, *SIMULATE)
    assert rerun.returncode == 0, rerun.stderr
    assert vendor_days(scratch) == expected
    assert reconcile_exit_code(scratch) == 0


def layout(scratch: Scratch) -> set[str] | str:
    engine = sa.create_engine(scratch.url)
    try:
        if scratch.backend == "postgresql":
            with engine.connect() as connection:
                kind = connection.execute(sa.text(
                    "SELECT relkind FROM pg_class WHERE oid = 'transactions'::regclass"
                )).scalar()
            return "partitioned" if kind == "p" else "plain"
        return {i["name"] for i in sa.inspect(engine).get_indexes("transactions")
                if not i.get("unique")}
    finally:
        engine.dispose()


def batch_body(scratch: Scratch, tag: str) -> bytes:
    base = datetime.now(UTC) - timedelta(days=3)
    items = [{"vendor_id": scratch.vendor_ids[i % len(scratch.vendor_ids)],
              "amount": 1_000 + i, "method": "qr" if i % 3 else "cash", "kind": "sale",
              "occurred_at": (base + timedelta(seconds=i)).isoformat(),
              "reference": f"crash-{tag}-{i:05d}"} for i in range(BATCH_SIZE)]
    return json.dumps({"transactions": items}).encode()


def post_batch(port: int, token: str, body: bytes) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    connection.request("POST", "/api/v1/transactions/batch", body=body, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"{}")


def count_batch(scratch: Scratch, tag: str) -> int:
    return scratch.count(
        f"SELECT count(*) FROM transactions WHERE reference LIKE 'crash-{tag}-%'")


def hold_rollups(scratch: Scratch) -> tuple[sa.Engine, sa.Connection]:
    """PostgreSQL: block writes to the rollups so the batch stops after its INSERT."""
    engine = sa.create_engine(scratch.url, poolclass=sa.pool.NullPool)
    connection = engine.connect()
    connection.execute(sa.text("LOCK TABLE daily_rollups IN EXCLUSIVE MODE"))
    return engine, connection


def test_gunicorn_killed_mid_batch_stores_all_or_nothing(scratch: Scratch) -> None:
    port = free_port()
    tag = f"{os.getpid()}"
    body = batch_body(scratch, tag)
    server = start_gunicorn(scratch, port)
    outcome: dict[str, object] = {}

    def send() -> None:
        try:
            outcome["response"] = post_batch(port, scratch.token, body)
        except (OSError, http.client.HTTPException) as error:  # the server died under it
            outcome["error"] = error

    lock = hold_rollups(scratch) if scratch.backend == "postgresql" else None
    started_writing = writing(scratch)
    sender = threading.Thread(target=send)
    try:
        sender.start()
        wait_until(lambda: started_writing() or not sender.is_alive(), 120,
                   "the batch to be written")
        kill_group(server)
    finally:
        kill_group(server)
        if lock is not None:
            lock[1].close()
            lock[0].dispose()
        sender.join(60)
    assert "response" not in outcome, f"the batch finished before the kill: {outcome}"

    # The killed writer's transaction is gone once nothing holds the table any more.
    wait_until(lambda: not writing(scratch)(), 60, "the killed transaction to end")
    assert count_batch(scratch, tag) == 0
    assert reconcile_exit_code(scratch) == 0

    server = start_gunicorn(scratch, port, workers=1)
    try:
        status, result = post_batch(port, scratch.token, body)
    finally:
        kill_group(server, signal.SIGTERM)
    assert status == 201, result
    assert result["stored"] == BATCH_SIZE
    assert count_batch(scratch, tag) == BATCH_SIZE
    assert reconcile_exit_code(scratch) == 0
