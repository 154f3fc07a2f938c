"""An export job whose gunicorn is killed is reported failed, never running forever.

A real gunicorn on a scratch database (SQLite file and PostgreSQL schema) writes an
export job in small id windows; it is killed with SIGKILL mid-file. A new server then
answers the job's status as ``failed`` ("interrupted") once its heartbeat is older than
``EXPORT_STALE_SECONDS``, no final file is left, and a new job completes with the row
count and sha256 of the file it serves.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from market40.extensions import db
from market40.payments.bulk import insert_transactions, timestamp_writer
from tests.faults.conftest import Scratch, free_port, kill_group, start_gunicorn

pytestmark = pytest.mark.slow  # SIGKILL runs of real processes

ROWS = 20_000
STALE = 3


def request(port: int, token: str, method: str, path: str,
            body: dict | None = None) -> tuple[int, bytes, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(method, path, body=json.dumps(body).encode() if body is not None
                       else None, headers={"Authorization": f"Bearer {token}",
                                           "Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, response.read(), dict(response.getheaders())


def status_of(port: int, token: str, job_id: int) -> dict:
    status, body, _ = request(port, token, "GET", f"/api/v1/transactions/exports/{job_id}")
    assert status == 200, body
    return json.loads(body)


def export_under_way(port: int, token: str) -> tuple[int, dict]:
    """Start an export of everything; its id and status once it has written rows."""
    status, body, _ = request(port, token, "POST", "/api/v1/transactions/exports", {})
    assert status == 202, body
    job_id = json.loads(body)["id"]
    deadline = time.monotonic() + 120
    while (job := status_of(port, token, job_id))["rows"] == 0:
        assert time.monotonic() < deadline and job["status"] in ("queued", "running"), job
        time.sleep(0.1)
    return job_id, job


def add_rows(scratch: Scratch) -> None:
    app = scratch.app()
    with app.app_context():
        write = timestamp_writer(scratch.backend)
        market_id = db.session.execute(sa.text(
            f"SELECT market_id FROM vendors WHERE id = {scratch.vendor_ids[0]}")).scalar_one()
        base = datetime(2025, 1, 1, tzinfo=UTC)
        rows = [(scratch.vendor_ids[i % len(scratch.vendor_ids)], market_id,
                 write(base + timedelta(minutes=i)), 1_000 + i, "cash", "sale", "api",
                 f"exp-{i:06d}", write(base)) for i in range(ROWS)]
        insert_transactions(db.session, rows)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_a_killed_export_is_failed_and_a_new_one_completes(scratch: Scratch, tmp_path: Path,
                                                           monkeypatch) -> None:
    add_rows(scratch)
    exports = tmp_path / "exports"
    # Settings of the gunicorn processes (environment, as in production).
    monkeypatch.setattr(Scratch, "env", lambda self, _env=Scratch.env: {
        **_env(self), "MARKET40_EXPORT_DIR": str(exports), "MARKET40_EXPORT_WINDOW": "20",
        "MARKET40_EXPORT_STALE_SECONDS": str(STALE)})
    port = free_port()
    server = start_gunicorn(scratch, port, workers=1)
    try:
        job_id, job = export_under_way(port, scratch.token)
        assert job["status"] == "running" and 0 < job["rows"] < ROWS, job
        kill_group(server)  # SIGKILL: the worker dies mid-file
    finally:
        kill_group(server)

    server = start_gunicorn(scratch, port, workers=1)
    try:
        time.sleep(STALE + 1)
        job = status_of(port, scratch.token, job_id)
        assert job["status"] == "failed" and "interrupted" in job["error"], job
        assert job["file_url"] is None
        assert not (exports / f"transactions-{job_id}.csv").exists()

        status, body, _ = request(port, scratch.token, "POST",
                                  "/api/v1/transactions/exports", {})
        assert status == 202, body
        again = json.loads(body)["id"]
        deadline = time.monotonic() + 300
        while (job := status_of(port, scratch.token, again))["status"] in ("queued",
                                                                           "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        assert job["status"] == "done" and job["rows"] == ROWS, job
        status, data, headers = request(port, scratch.token, "GET", job["file_url"])
        assert status == 200
        assert int(headers["Content-Length"]) == len(data) == job["size"]
        assert hashlib.sha256(data).hexdigest() == job["sha256"] == headers["X-Export-SHA256"]
        assert data.count(b"\r\n") == ROWS + 1
    finally:
        kill_group(server, signal.SIGTERM)


def test_a_stopped_server_marks_its_export_failed_at_once(scratch: Scratch, tmp_path: Path,
                                                          monkeypatch) -> None:
    """SIGTERM (a deploy, ``max_requests``): the worker ends its export thread and says so
    as it exits, without waiting for the heartbeat to go stale (here 10 minutes)."""
    add_rows(scratch)
    monkeypatch.setattr(Scratch, "env", lambda self, _env=Scratch.env: {
        **_env(self), "MARKET40_EXPORT_DIR": str(tmp_path / "exports"),
        "MARKET40_EXPORT_WINDOW": "20", "MARKET40_EXPORT_STALE_SECONDS": "600"})
    port = free_port()
    server = start_gunicorn(scratch, port, workers=1)
    try:
        job_id, job = export_under_way(port, scratch.token)
        assert job["status"] == "running" and job["rows"] < ROWS, job
    finally:
        kill_group(server, signal.SIGTERM)
    assert scratch.count(f"SELECT count(*) FROM export_jobs WHERE id = {job_id} "
                         "AND status = 'failed' AND error LIKE 'interrupted%'") == 1
