"""Transaction CSV export jobs: the file is written outside the request, then served whole.

How a job runs (robust under gunicorn): ``start_export`` checks the filters and the
caller's scope in the request (a bad filter is a 422, another market's board a 403),
stores the job and starts a daemon thread in the worker that accepted it; the request
answers 202 at once, so no worker timeout applies to the export. The thread reads the
matching transactions by **id windows** (keyset pagination: ``id > last AND id <= last
+ window``, at most ``EXPORT_WINDOW`` ids per query, up to the largest id when the job
started), writes the CSV to ``<name>.part`` while hashing it, then renames it into place
and records rows, size and sha256. Memory stays constant; each window query is bounded
whatever the filters select.

A job that dies with its worker (a restart, a crash, ``max_requests``) stops beating:
its ``heartbeat_at`` is refreshed after every window, and a queued or running job whose
heartbeat is older than ``EXPORT_STALE_SECONDS`` is reported ``failed`` ("interrupted")
the next time anyone looks. Files and jobs older than ``EXPORT_KEEP_DAYS`` are removed
(``flask --app wsgi exports prune``, also run when a job is created).
"""

from __future__ import annotations

import atexit
import hashlib
import io
import logging
import os
import socket
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

from market40.cooperative import pause
from market40.csvfile import csv_writer
from market40.errors import Conflict, DomainError, NotFound
from market40.models import ExportJob, Transaction, User, utcnow
from market40.payments.export import HEADER, _row
from market40.payments.queries import TransactionFilters, export_query

log = logging.getLogger(__name__)
PAUSE_ROWS = 1_000  # rows between two turns handed to the other requests (gevent)

class Abandoned(Exception):
    """The job was reported failed (its heartbeat looked stale) while still writing: a
    failed job stays failed, so the thread stops and removes its part file."""


# Threads started by this process, by job id (tests and the CLI wait for them).
_threads: dict[int, threading.Thread] = {}
_exit_hooks: set[int] = set()  # apps whose jobs are marked failed when this process exits


def settings(app: Flask) -> dict[str, Any]:
    config = app.config
    directory = config.get("EXPORT_DIR") or Path(app.instance_path) / "exports"
    return {
        "dir": Path(directory),
        "window": int(config.get("EXPORT_WINDOW", 20_000)),
        "stale": float(config.get("EXPORT_STALE_SECONDS", 120)),
        "keep_days": float(config.get("EXPORT_KEEP_DAYS", 7)),
        "per_user": int(config.get("EXPORT_MAX_RUNNING_PER_USER", 2)),
    }


def filters_json(args: dict[str, Any]) -> dict[str, Any]:
    """The loaded filters as JSON values (dates and times in ISO 8601), keyed as sent."""
    names = {"start": "from", "end": "to"}
    return {names.get(key, key): value.isoformat() if isinstance(value, date | datetime)
            else value for key, value in args.items() if value is not None}


def filters_from_json(stored: dict[str, Any]) -> TransactionFilters:
    from market40.api.schemas.exports import TransactionExportInSchema

    return TransactionFilters(**TransactionExportInSchema().load(stored))


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def mark_stale(session: Session, app: Flask | None = None) -> int:
    """Report queued/running jobs whose worker stopped beating as failed; how many."""
    stale = settings(app or current_app)["stale"]
    limit = utcnow() - timedelta(seconds=stale)
    result = session.execute(
        sa.update(ExportJob)
        .where(ExportJob.status.in_(("queued", "running")),
               sa.func.coalesce(ExportJob.heartbeat_at, ExportJob.created_at) < limit)
        .values(status="failed", finished_at=utcnow(),
                error="interrupted: the worker running it stopped (restart or crash); "
                      "start a new export")
    )
    return result.rowcount or 0


def start_export(session: Session, actor: User, args: dict[str, Any]) -> ExportJob:
    """Check the filters in the caller's scope, store the job and start writing it.

    :raises InvalidInput: an unknown market, ``from`` after ``to`` (422).
    :raises Forbidden: a market or vendor outside the caller's scope (403).
    :raises Conflict: the caller already has ``EXPORT_MAX_RUNNING_PER_USER`` jobs running.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    config = settings(app)
    export_query(session, actor, TransactionFilters(**args))  # raises on bad filters/scope
    prune(session, app)
    mark_stale(session, app)
    running = session.scalar(sa.select(sa.func.count()).select_from(ExportJob).where(
        ExportJob.user_id == actor.id, ExportJob.status.in_(("queued", "running"))))
    if running >= config["per_user"]:
        raise Conflict(f"{running} of your exports are still running; wait for one to "
                       f"finish (at most {config['per_user']} at a time).")
    job = ExportJob(user_id=actor.id, kind="transactions", filters=filters_json(args),
                    status="queued", heartbeat_at=utcnow())
    session.add(job)
    session.commit()
    launch(app, job.id)
    return job


def launch(app: Flask, job_id: int) -> threading.Thread:
    if id(app) not in _exit_hooks:
        _exit_hooks.add(id(app))
        atexit.register(abandon_on_exit, app)
    thread = threading.Thread(target=_run_in_app, args=(app, job_id),
                              name=f"export-{job_id}", daemon=True)
    _threads[job_id] = thread
    thread.start()
    return thread


def wait(job_id: int, timeout: float | None = None) -> None:
    """Wait for this process's thread of ``job_id`` (if any) to end."""
    thread = _threads.get(job_id)
    if thread is not None:
        thread.join(timeout)
        if not thread.is_alive():
            _threads.pop(job_id, None)


def abandon_on_exit(app: Flask) -> None:
    """A worker stopping (SIGTERM, ``max_requests``, a reload) ends its daemon threads:
    mark their jobs failed now rather than when their heartbeat goes stale."""
    alive = [job_id for job_id, thread in _threads.items() if thread.is_alive()]
    if not alive:
        return
    from market40.extensions import db

    try:
        with app.app_context():
            db.session.execute(
                sa.update(ExportJob)
                .where(ExportJob.id.in_(alive), ExportJob.status.in_(("queued", "running")))
                .values(status="failed", finished_at=utcnow(),
                        error="interrupted: the server stopped while writing it; "
                              "start a new export"))
            db.session.commit()
            db.session.remove()
    except Exception:  # noqa: BLE001 - at exit; the stale heartbeat reports it later
        log.exception("could not mark exports %s failed at exit", alive)


def wait_all(timeout: float | None = 60) -> None:
    """Wait for every export thread this process started."""
    for job_id in list(_threads):
        wait(job_id, timeout)


def _run_in_app(app: Flask, job_id: int) -> None:
    from market40.extensions import db

    with app.app_context():
        try:
            run_export(db.session, app, job_id)
        finally:
            db.session.remove()


def run_export(session: Session, app: Flask, job_id: int) -> None:
    """Write the job's file; on any error the job is marked failed and the part removed."""
    config = settings(app)
    job = session.get(ExportJob, job_id)
    if job is None or job.status != "queued":
        return
    job.status, job.worker = "running", _worker_name()
    job.started_at = job.heartbeat_at = utcnow()
    session.commit()
    final = config["dir"] / f"transactions-{job_id}.csv"
    part = final.with_suffix(".csv.part")
    try:
        actor = session.get(User, job.user_id)
        statement = export_query(session, actor, filters_from_json(job.filters))
        job.max_id = session.scalar(sa.select(sa.func.max(Transaction.id))) or 0
        session.commit()
        config["dir"].mkdir(parents=True, exist_ok=True)
        rows, size, digest = _write(session, job, statement, part, config["window"])
        os.replace(part, final)
        finished = session.execute(
            sa.update(ExportJob).where(ExportJob.id == job_id, ExportJob.status == "running")
            .values(status="done", rows=rows, size=size, sha256=digest, path=str(final),
                    finished_at=utcnow(), heartbeat_at=utcnow()))
        if not finished.rowcount:
            final.unlink(missing_ok=True)
            raise Abandoned()
        session.commit()
        log.info("export %s: %d rows, %d bytes, sha256 %s", job_id, rows, size, digest)
    except Exception as error:  # noqa: BLE001 - any failure is the job's, reported as such
        session.rollback()
        try:
            part.unlink(missing_ok=True)
        except OSError:
            pass
        if isinstance(error, Abandoned):
            log.warning("export %s: reported failed while writing; stopped", job_id)
            session.commit()
            return
        log.exception("export %s failed", job_id)
        session.execute(sa.update(ExportJob).where(ExportJob.id == job_id).values(
            status="failed", finished_at=utcnow(), error=failure_text(error)))
        session.commit()


def failure_text(error: Exception) -> str:
    """What the job's creator reads: the cause, without server paths or SQL."""
    if isinstance(error, DomainError):  # e.g. the creator lost the market meanwhile
        return error.message[:500]
    if isinstance(error, OSError):
        return f"the file could not be written: {error.strerror or type(error).__name__}"
    if isinstance(error, sa.exc.SQLAlchemyError):
        return f"the database failed: {type(error).__name__}; start a new export"
    return f"{type(error).__name__}; start a new export"


def _write(session: Session, job: ExportJob, statement: sa.Select, part: Path,
           window: int) -> tuple[int, int, str]:
    """Keyset pagination by id windows; returns rows, bytes and the sha256 written."""
    digest = hashlib.sha256()
    rows = size = 0
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(HEADER)
    ordered = statement.order_by(None).order_by(Transaction.id)
    last, top = 0, job.max_id or 0
    with open(part, "wb") as out:
        while True:
            data = buffer.getvalue().encode("utf-8")
            out.write(data)
            digest.update(data)
            size += len(data)
            buffer.seek(0)
            buffer.truncate()
            if last >= top:
                break
            upper = min(last + window, top)
            for row in session.execute(
                    ordered.where(Transaction.id > last, Transaction.id <= upper)):
                writer.writerow(_row(row))
                rows += 1
                if rows % PAUSE_ROWS == 0:  # reading: no write lock held here
                    pause()
            last = upper
            # The heartbeat, and the progress a client polls, after every window.
            beat = session.execute(
                sa.update(ExportJob)
                .where(ExportJob.id == job.id, ExportJob.status == "running")
                .values(rows=rows, heartbeat_at=utcnow()))
            session.commit()
            if not beat.rowcount:
                raise Abandoned()
        out.flush()
        os.fsync(out.fileno())
    return rows, size, digest.hexdigest()


def visible_job(session: Session, actor: User, job_id: int) -> ExportJob:
    """The job if ``actor`` created it or is an admin; 404 otherwise (nothing revealed)."""
    job = session.get(ExportJob, job_id)
    if job is None or (job.user_id != actor.id and actor.role != "admin"):
        raise NotFound(f"No export {job_id}.")
    if job.status in ("queued", "running") and mark_stale(session):
        session.commit()
        session.refresh(job)
    return job


def prune(session: Session, app: Flask | None = None, days: float | None = None) -> int:
    """Remove jobs (and their files) created more than ``EXPORT_KEEP_DAYS`` ago."""
    config = settings(app or current_app)
    limit = utcnow() - timedelta(days=config["keep_days"] if days is None else days)
    old = session.scalars(sa.select(ExportJob).where(
        ExportJob.created_at < limit, ExportJob.status.in_(("done", "failed")))).all()
    for job in old:
        if job.path:
            Path(job.path).unlink(missing_ok=True)
        session.delete(job)
    session.commit()
    return len(old)
