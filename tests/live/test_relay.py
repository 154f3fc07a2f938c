"""The MQTT relay against a real Mosquitto (a private one per test, so it can be stopped):
QoS 1 delivery in order with VietQR.vn's BĐSD field names, and a broker outage that
loses nothing."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest
from sqlalchemy.orm import Session

from market40.live.relay import Cursor, mqtt_client, relay
from tests.factories import auth
from tests.live.broker import MOSQUITTO, wait_for
from tests.payments.helpers import local, tx

pytestmark = pytest.mark.skipif(not os.path.exists(MOSQUITTO),
                                reason="mosquitto is not installed (apt-get install mosquitto)")


def shut_down(stop: threading.Event, worker: threading.Thread, *clients) -> None:
    """End the relay's thread, then the MQTT clients' network loops."""
    stop.set()
    worker.join(15)
    for mqtt in clients:
        mqtt.loop_stop()
        mqtt.disconnect()


def test_relay_delivers_in_order_and_survives_a_broker_outage(app, db, client, admin,
                                                              make_vendor, broker, tmp_path):
    vendor = make_vendor("DAI-TU", account_number="0099887766")
    vendor_id = vendor.id
    received: list[dict] = []
    subscriber = mqtt_client(broker.url, "test-soundbox", ("market40/vendors/+/payments",))
    subscriber.on_message = lambda _c, _u, msg: received.append(
        {"topic": msg.topic, **json.loads(msg.payload)})
    assert subscriber.market40_connected.wait(10)

    def sell(n: int) -> None:
        response = client.post("/api/v1/transactions", headers=auth(admin), json=tx(
            vendor_id, f"mq-{n}", 1_000 * (n + 1), "qr", occurred_at=local(2025, 3, 1, 8, n)))
        assert response.status_code == 201, response.json

    cursor = Cursor(tmp_path / "relay.cursor")
    cursor.write(0)
    engine = db.engine
    publisher = mqtt_client(broker.url, "test-relay")
    stop = threading.Event()
    worker = threading.Thread(target=relay, daemon=True, kwargs={
        "session_factory": lambda: Session(engine, expire_on_commit=False),
        "client": publisher, "cursor": cursor, "poll": 0.05, "stop": stop})
    worker.start()
    try:
        for n in range(3):
            sell(n)
        assert wait_for(lambda: len(received) >= 3), received
        first = received[0]
        assert first["topic"] == f"market40/vendors/{vendor_id}/payments"
        assert (first["amount"], first["bankAccount"], first["transType"],
                first["referenceNumber"], first["vendor_id"]) == (
            1_000, "0099887766", "C", "mq-0", vendor_id)
        assert first["timePaid"] == int(local(2025, 3, 1, 8, 0).timestamp() * 1000)
        assert first["announcement"] == "Đã nhận một nghìn đồng"

        broker.stop()  # the broker goes down: payments are still recorded
        # it saved the subscriber's session (else what it queued while down is gone)
        assert (tmp_path / "mosquitto.db").exists()
        assert wait_for(lambda: not publisher.market40_connected.is_set(), 10)
        for n in range(3, 6):
            sell(n)
        time.sleep(1)
        broker.start()
        assert wait_for(lambda: len({m["id"] for m in received}) >= 6, 30), received
    finally:
        shut_down(stop, worker, publisher, subscriber)
    ids = [m["id"] for m in received]
    unique = list(dict.fromkeys(ids))  # at least once: a duplicate keeps its id
    assert unique == sorted(unique) and len(unique) == 6
    references = {m["id"]: m["referenceNumber"] for m in received}
    assert [references[i] for i in unique] == [f"mq-{n}" for n in range(6)]
    assert cursor.read() == unique[-1]


class LaggingState:
    """A real paho client whose idea of its connection lags behind the socket: it says
    "connected" after the broker is gone, as paho does between a drop and its noticing.
    Every publish in that window is refused (``MQTT_ERR_NO_CONN``)."""

    def __init__(self, client) -> None:
        self.client = client
        self.lagging = True
        self.publishes = 0
        self.market40_connected = threading.Event()
        self.market40_connected.set()

    def is_connected(self) -> bool:
        return self.lagging or self.client.is_connected()

    def publish(self, *args, **kwargs):
        self.publishes += 1
        return self.client.publish(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.client, name)


def test_relay_survives_publishes_refused_while_the_connection_drops(
        app, db, client, admin, make_vendor, broker, tmp_path):
    vendor = make_vendor("DAI-TU", account_number="0099887766")
    received: list[dict] = []
    subscriber = mqtt_client(broker.url, "test-soundbox-2", ("market40/vendors/+/payments",))
    subscriber.on_message = lambda _c, _u, msg: received.append(json.loads(msg.payload))
    assert subscriber.market40_connected.wait(10)
    publisher = mqtt_client(broker.url, "test-relay-2")
    assert publisher.market40_connected.wait(10)
    broker.stop()
    assert wait_for(lambda: not publisher.is_connected(), 10)
    for n in range(3):
        response = client.post("/api/v1/transactions", headers=auth(admin), json=tx(
            vendor.id, f"lag-{n}", 1_000 * (n + 1), "qr", occurred_at=local(2025, 3, 1, 9, n)))
        assert response.status_code == 201, response.json
    lagging = LaggingState(publisher)
    cursor = Cursor(tmp_path / "relay.cursor")
    cursor.write(0)
    engine = db.engine
    stop = threading.Event()
    failures: list[BaseException] = []

    def run() -> None:
        try:
            relay(lambda: Session(engine, expire_on_commit=False), lagging, cursor,
                  poll=0.05, stop=stop)
        except BaseException as error:  # the relay must not end on a refused publish
            failures.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    try:
        time.sleep(1.5)
        assert not failures and worker.is_alive()
        assert 1 <= lagging.publishes <= 5  # it backs off, it does not spin
        assert cursor.read() == 0  # nothing acknowledged, nothing skipped
        lagging.lagging = False
        broker.start()
        assert wait_for(lambda: len({m["id"] for m in received}) >= 3, 30), received
    finally:
        shut_down(stop, worker, publisher, subscriber)
    assert not failures
    unique = list(dict.fromkeys(m["id"] for m in received))
    assert [m["referenceNumber"] for m in {m["id"]: m for m in received}.values()] == [
        f"lag-{n}" for n in range(3)]
    assert unique == sorted(unique) and len(unique) == 3
