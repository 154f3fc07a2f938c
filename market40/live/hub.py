"""One reader of the outbox per server process, fanning events out to its open streams.

Each stream subscribes to its vendor here; a single thread reads new events (all
vendors) from ``payment_events`` and hands each stream its own, so 500 open streams
cost one query per wake-up, not 500, and hold no database connection while waiting.

The thread wakes up:

- at once, when this process commits an event (``after_commit`` below);
- at once, on PostgreSQL, on ``NOTIFY market40_events`` (the outbox writer sends it,
  delivered at commit), and with ``MARKET40_REDIS_URL`` on a Redis message published
  after each commit (``market40.live.wake``), so events written by other workers are
  not waited for;
- otherwise every ``LIVE_POLL_SECONDS`` (0.2 s by default): the embedded SQLite
  default needs no broker, a poll is one indexed ``id > N`` probe.

Exactly once per stream: a stream subscribes *before* it reads its replay from the
database, so an event is either in the replay (committed before) or handed over by
the hub (read after); the stream drops ids it has already sent.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

from market40.extensions import db
from market40.live.outbox import SESSION_FLAG, event_json, events_after, last_event_id
from market40.live.wake import postgresql_url, publish, start_listeners

log = logging.getLogger(__name__)

EXTENSION = "market40.live_hub"
MAX_PENDING = 1000  # a stream this far behind is closed; its client resumes by id


def sse_frame(event: dict[str, object]) -> bytes:
    import json

    data = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    return f"event: payment\nid: {event['id']}\ndata: {data}\n\n".encode()


@dataclass(eq=False)
class Subscriber:
    vendor_id: int
    frames: queue.SimpleQueue[tuple[int, bytes] | None] = field(
        default_factory=queue.SimpleQueue)
    overflow: bool = False


class Hub:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.poll = float(app.config.get("LIVE_POLL_SECONDS", 0.2))
        self.lock = threading.Lock()
        self.subscribers: dict[int, set[Subscriber]] = {}
        self.wake = threading.Event()
        self.ready = threading.Event()
        self.stopped = False
        self.last_id = 0
        self.thread = threading.Thread(target=self._run, name="market40-live-hub", daemon=True)
        self.thread.start()
        if not self.ready.wait(30):
            log.error("live hub did not start within 30 s")

    # -- streams -------------------------------------------------------------------
    def subscribe(self, vendor_id: int) -> Subscriber:
        subscriber = Subscriber(vendor_id)
        with self.lock:
            self.subscribers.setdefault(vendor_id, set()).add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self.lock:
            group = self.subscribers.get(subscriber.vendor_id)
            if group is not None:
                group.discard(subscriber)
                if not group:
                    del self.subscribers[subscriber.vendor_id]

    def stop(self) -> None:
        self.stopped = True
        self.wake.set()
        with self.lock:
            for group in self.subscribers.values():
                for subscriber in group:
                    subscriber.frames.put(None)
        if self.thread is not threading.current_thread():
            self.thread.join(10)

    def streams(self) -> int:
        with self.lock:
            return sum(len(group) for group in self.subscribers.values())

    # -- the reader thread -----------------------------------------------------------
    def _run(self) -> None:
        with self.app.app_context():
            try:
                self.last_id = last_event_id(db.session)
            finally:
                db.session.remove()
            self.ready.set()
            # The URLs are read here: the listening threads have no app context.
            start_listeners(self.wake, lambda: self.stopped,
                            postgresql_url=postgresql_url(db.engine),
                            redis_url=self.app.config.get("REDIS_URL"))
            while not self.stopped:
                self.wake.wait(self.poll)
                self.wake.clear()
                try:
                    self._read(db.session)
                except sa.exc.SQLAlchemyError as error:
                    log.warning("live hub: reading events failed (%s); retrying",
                                type(error).__name__)
                    self.wake.wait(1)
                finally:
                    db.session.remove()

    def _read(self, session: Session) -> None:
        while True:
            events = events_after(session, None, self.last_id, 1000)
            for event in events:
                frame = (event.id, sse_frame(event_json(event)))
                with self.lock:
                    group = list(self.subscribers.get(event.vendor_id, ()))
                for subscriber in group:
                    if subscriber.frames.qsize() >= MAX_PENDING:
                        subscriber.overflow = True
                        subscriber.frames.put(None)
                    else:
                        subscriber.frames.put(frame)
                self.last_id = event.id
            if len(events) < 1000:
                return


def hub_for(app: Flask) -> Hub:
    """The process's hub, started on first use (after gunicorn forked the worker)."""
    hub = app.extensions.get(EXTENSION)
    if hub is None:
        with _START:
            hub = app.extensions.get(EXTENSION)
            if hub is None:
                hub = app.extensions[EXTENSION] = Hub(app)
    return hub


_START = threading.Lock()


def stop_hub(app: Flask) -> None:
    """Stop the process's hub (tests, whose database restarts its ids between tests)."""
    hub = app.extensions.pop(EXTENSION, None)
    if hub is not None:
        hub.stop()


def _after_commit(session: Session) -> None:
    if session.info.pop(SESSION_FLAG, None):
        try:
            hub = current_app.extensions.get(EXTENSION)
        except RuntimeError:  # no app context: a script's own session
            return
        if hub is not None:
            hub.wake.set()
        publish(current_app.config.get("REDIS_URL"))  # the other processes' readers


def _after_rollback(session: Session) -> None:
    session.info.pop(SESSION_FLAG, None)


def init_app(app: Flask) -> None:
    if not sa.event.contains(Session, "after_commit", _after_commit):
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
