"""Waking the outbox's readers from another process: a payment's commit reaches the MQTT
relay (a process of its own) through Redis pub/sub, or PostgreSQL NOTIFY, at once
instead of at its next poll; a Redis outage never fails a payment."""

from __future__ import annotations

import json
import os
import socket
import threading
import time

import pytest
from sqlalchemy.orm import Session

from market40.live.relay import Cursor, mqtt_client, relay
from market40.live.wake import postgresql_url, start_listeners
from tests.factories import auth
from tests.live.broker import MOSQUITTO, wait_for
from tests.live.helpers import events
from tests.payments.helpers import tx

REDIS_URL = "redis://127.0.0.1:6379/0"
POLL = 30.0  # so slow that only a wake-up explains a delivery within seconds


def redis_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


needs_mosquitto = pytest.mark.skipif(not os.path.exists(MOSQUITTO),
                                     reason="mosquitto is not installed")
needs_redis = pytest.mark.skipif(not redis_running(),
                                 reason="no Redis on 127.0.0.1:6379 (apt-get install redis-server)")


def relay_woken_by(db, broker, tmp_path, **listen):
    """A relay polling every 30 s, woken by the given listeners; its subscriber's list."""
    received: list[dict] = []
    subscriber = mqtt_client(broker.url, "test-wake-soundbox", ("market40/vendors/+/payments",))
    subscriber.on_message = lambda _c, _u, msg: received.append(json.loads(msg.payload))
    assert subscriber.market40_connected.wait(10)
    publisher = mqtt_client(broker.url, "test-wake-relay")
    cursor = Cursor(tmp_path / "relay.cursor")
    cursor.write(0)
    stop, wake = threading.Event(), threading.Event()
    start_listeners(wake, stop.is_set, **listen)
    engine = db.engine
    worker = threading.Thread(target=relay, daemon=True, kwargs={
        "session_factory": lambda: Session(engine, expire_on_commit=False),
        "client": publisher, "cursor": cursor, "poll": POLL, "stop": stop, "wake": wake})
    worker.start()
    assert publisher.market40_connected.wait(10)
    time.sleep(0.5)  # the relay's first (empty) read is done: it now waits up to POLL

    def close() -> None:
        stop.set()
        wake.set()
        worker.join(10)
        for client in (publisher, subscriber):
            client.loop_stop()
            client.disconnect()

    return received, close


@needs_mosquitto
@needs_redis
def test_a_commit_wakes_the_relay_through_redis(app, db, client, admin, make_vendor, broker,
                                                tmp_path):
    app.config["REDIS_URL"] = REDIS_URL  # the server publishes after each commit
    vendor_id = make_vendor("DAI-TU").id
    received, close = relay_woken_by(db, broker, tmp_path, redis_url=REDIS_URL)
    try:
        time.sleep(0.5)  # the Redis subscription is in place
        started = time.monotonic()
        response = client.post("/api/v1/transactions", headers=auth(admin),
                               json=tx(vendor_id, "wake-1", 42_000, "qr"))
        assert response.status_code == 201, response.json
        assert wait_for(lambda: received, 10)
        assert time.monotonic() - started < 5  # not the 30 s poll
        assert received[0]["referenceNumber"] == "wake-1" and received[0]["amount"] == 42_000
    finally:
        close()


@needs_mosquitto
def test_a_commit_wakes_the_relay_through_postgresql_notify(app, db, client, admin,
                                                            make_vendor, broker, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    vendor_id = make_vendor("DAI-TU").id
    received, close = relay_woken_by(db, broker, tmp_path,
                                     postgresql_url=postgresql_url(db.engine))
    try:
        time.sleep(0.5)  # LISTEN is in place
        started = time.monotonic()
        response = client.post("/api/v1/transactions", headers=auth(admin),
                               json=tx(vendor_id, "notify-1", 7_000, "qr"))
        assert response.status_code == 201, response.json
        assert wait_for(lambda: received, 10)
        assert time.monotonic() - started < 5
        assert received[0]["referenceNumber"] == "notify-1"
    finally:
        close()


def test_a_redis_outage_does_not_fail_a_payment(app, db, client, admin, make_vendor, caplog):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nobody listens there
    vendor_id = make_vendor("DAI-TU").id
    response = client.post("/api/v1/transactions", headers=auth(admin),
                           json=tx(vendor_id, "no-redis-1", 9_000, "qr"))
    assert response.status_code == 201, response.json
    assert [e.reference for e in events(db, vendor_id)] == ["no-redis-1"]
    assert "Redis wake-up not sent" in caplog.text
