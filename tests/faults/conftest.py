"""Scratch databases and real server processes for the fault tests.

Each test gets a database of its own that a subprocess can open by URL: an SQLite
file, or a PostgreSQL schema on MARKET40_TEST_DATABASE_URL (named in the URL's
``options=-csearch_path=...``), with the reference data, the demo vendors of one
market and an admin token. PostgreSQL cases skip without that variable.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from market40 import create_app
from market40.extensions import db

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_URL = os.environ.get("MARKET40_TEST_DATABASE_URL")
MARKET = "DAI-TU"
BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(
        not PG_URL, reason="MARKET40_TEST_DATABASE_URL is not set")),
]


@dataclass
class Scratch:
    backend: str
    url: str  # DATABASE_URL for subprocesses and create_app
    token: str
    vendor_ids: list[int]

    def app(self, **config: Any) -> Any:
        return create_app({"SQLALCHEMY_DATABASE_URI": self.url, "RATELIMIT_ENABLED": False,
                           **config})

    def env(self) -> dict[str, str]:
        """The environment of a ``flask --app wsgi`` or gunicorn process on this database."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("MARKET40_")}
        env.update(DATABASE_URL=self.url, MARKET40_RATELIMIT_ENABLED="false",
                   PYTHONPATH=str(ROOT))
        return env

    def count(self, sql: str) -> int:
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as connection:
                return int(connection.execute(sa.text(sql)).scalar_one())
        finally:
            engine.dispose()


@pytest.fixture(params=BACKENDS)
def scratch(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Scratch]:
    from flask_migrate import upgrade

    from market40.auth import create_user, issue_token
    from market40.db import install_database_rules
    from market40.models import Market, Vendor
    from market40.registry.seed import seed_reference
    from market40.simulate.vendors import seed_market_vendors

    backend = request.param
    schema = f"m40_faults_{uuid.uuid4().hex[:10]}"
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'faults.sqlite3'}"
    else:
        admin = sa.create_engine(PG_URL)
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = f"{PG_URL}?options={quote(f'-csearch_path={schema}')}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        if backend == "postgresql":
            # PostgreSQL as in production, by the migrations: transactions and
            # daily_rollups partitioned by month (the writers' COPY path creates the
            # months it touches), the database rules.
            upgrade()
            db.session.remove()
            db.engine.dispose()
        else:
            db.create_all()
            install_database_rules(db.engine)
        seed_reference(db.session)
        market = db.session.scalar(sa.select(Market).where(Market.code == MARKET))
        seed_market_vendors(db.session, market, 120, 40)
        token = issue_token(db.session, create_user(db.session, "faults-admin", "admin", ()))
        db.session.commit()
        vendor_ids = list(db.session.scalars(
            sa.select(Vendor.id).where(Vendor.status == "approved",
                                       Vendor.qr_issued_at.is_not(None))))
        db.session.remove()
        db.engine.dispose()
    try:
        yield Scratch(backend, url, token, vendor_ids)
    finally:
        if backend == "postgresql":
            with admin.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def flask(scratch: Scratch, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run ``flask --app wsgi ARGS`` on the scratch database; its output is returned."""
    return subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT,
                          env=scratch.env(), capture_output=True, text=True, timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(scratch: Scratch, port: int, workers: int = 2,
                   options: tuple[str, ...] = (), env: dict[str, str] | None = None
                   ) -> subprocess.Popen:
    """gunicorn ``wsgi:app`` in a process group of its own, answering /healthz
    (``options``: more of gunicorn's, e.g. the worker class; ``env``: more settings)."""
    import http.client

    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", *options, "wsgi:app"],
        cwd=ROOT, env={**scratch.env(), **(env or {})}, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {process.stderr.read().decode()[-2000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    kill_group(process)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def kill_group(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to the process and everything it started (master and workers)."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
