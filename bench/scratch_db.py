"""Throwaway databases for the transaction benchmarks (shared by bench_ingest/bench_simulate).

SQLite: a file in a temporary directory, deleted afterwards. PostgreSQL: a schema of
its own on MARKET40_BENCH_DATABASE_URL (default the test database of these machines),
dropped afterwards. Both get the models' tables, the database rules and the seeded
reference data (units, banks, 140 markets).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from market40 import create_app  # noqa: E402
from market40.db import install_database_rules  # noqa: E402
from market40.extensions import db  # noqa: E402

PG_URL = os.environ.get("MARKET40_BENCH_DATABASE_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@dataclass
class Scratch:
    backend: str
    url: str  # DATABASE_URL for a subprocess (gunicorn) or create_app
    app: object


@contextmanager
def scratch_database(backend: str, partitioned: bool = False,
                     code: Path | None = None) -> Iterator[Scratch]:
    """An app on a fresh, seeded database; everything is removed on exit.

    ``partitioned`` (PostgreSQL): production's schema, made by the migrations
    (transactions and daily_rollups partitioned by month, the composite keys), else
    ``create_all`` (one plain table each). ``code``: the source tree whose migrations
    make it (``flask db upgrade`` run there: a "before" tree gets its own schema),
    by default this one."""
    from market40.registry.seed import seed_reference

    directory = tempfile.mkdtemp(prefix="m40bench-")
    schema = f"m40bench_{uuid.uuid4().hex[:10]}"
    if backend == "sqlite":
        url = f"sqlite:///{directory}/bench.sqlite3"
        config = {"SQLALCHEMY_DATABASE_URI": url}
    else:
        admin = sa.create_engine(PG_URL)
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = f"{PG_URL}?options={quote(f'-csearch_path={schema}')}"
        config = {"SQLALCHEMY_DATABASE_URI": url}
    app = create_app({**config, "WEBHOOK_SECRET": "bench-secret", "RATELIMIT_ENABLED": False})
    try:
        with app.app_context():
            if partitioned and backend == "postgresql":
                migrate(url, code)
            else:
                db.create_all()
                install_database_rules(db.engine)
            seed_reference(db.session)
            db.session.commit()
        yield Scratch(backend, url, app)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if backend == "postgresql":
            with admin.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
        shutil.rmtree(directory, ignore_errors=True)


def migrate(url: str, code: Path | None) -> None:
    """The migrations of ``code`` (default this tree) applied to the empty database."""
    root = Path(__file__).resolve().parent.parent
    if code is None or code.resolve() == root:
        from flask_migrate import upgrade

        upgrade()
    else:
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(code)}
        subprocess.run([str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "db",
                        "upgrade"], cwd=code, env=env, check=True, capture_output=True)
    db.session.remove()
    db.engine.dispose()


def machine() -> str:
    load = os.getloadavg()
    return (f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
            "(other work on the machine slows every figure)")
