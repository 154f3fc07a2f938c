"""The MQTT relay: every payment event, in order, to ``market40/vendors/{id}/payments``.

``flask --app wsgi events relay`` (with ``MARKET40_MQTT_URL=mqtt://host:1883``) reads
the outbox from its cursor and publishes each event with QoS 1, waiting for the
broker's PUBACK before the next one and before moving its cursor: at least once, in
order. With the broker down the payments are still recorded (the outbox is in the
database); the relay waits, reconnects and goes on from its cursor. A duplicate
(a PUBACK lost just before a crash) carries the same event ``id``: devices drop it.

The message is the event's JSON plus VietQR.vn's balance-change ("BĐSD") names
(``bankAccount``, ``amount``, ``timePaid`` in epoch milliseconds, ``transType: "C"``,
``referenceNumber``, ``content``), so soundbox firmware made for VietQR.vn maps it.
The cursor is a small file (``instance/mqtt-relay.cursor``), written atomically.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.live.outbox import event_json, events_after
from market40.models import PaymentEvent, Vendor

log = logging.getLogger(__name__)

TOPIC = "market40/vendors/{vendor_id}/payments"
ACK_TIMEOUT = 10.0  # seconds to wait for a PUBACK before reconnecting and resending
RETRY_SECONDS = 0.5  # after a refused publish: paho needs a moment to notice the drop


def topic_for(vendor_id: int) -> str:
    return TOPIC.format(vendor_id=vendor_id)


def message(event: PaymentEvent, account: str | None) -> dict[str, Any]:
    """The event's JSON with VietQR.vn's BĐSD field names beside it."""
    body = event_json(event)
    body.update({
        "bankAccount": account,
        "timePaid": int(event.occurred_at.timestamp() * 1000),
        "transType": "C",
        "referenceNumber": event.reference,
    })
    return body


class Cursor:
    """The id of the last event the broker acknowledged, kept in a file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> int | None:
        try:
            return int(self.path.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def write(self, value: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".part")
        with os.fdopen(handle, "w") as file:
            file.write(str(value))
        os.replace(temporary, self.path)


def mqtt_client(url: str, client_id: str, topics: tuple[str, ...] = ()) -> Any:
    """A paho client for ``mqtt://[user:password@]host[:port]``, connecting in the
    background and reconnecting on its own (0.5 to 5 s apart)."""
    import paho.mqtt.client as mqtt

    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise ValueError(f"MQTT URL must look like mqtt://host:1883, not {url!r}")
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                         clean_session=False)
    if parts.username:
        client.username_pw_set(parts.username, parts.password)
    if parts.scheme == "mqtts":
        client.tls_set()
    client.reconnect_delay_set(min_delay=1, max_delay=5)
    connected = threading.Event()

    def on_connect(client: Any, *_args: Any) -> None:
        for topic in topics:  # again on every reconnect
            client.subscribe(topic, qos=1)
        connected.set()

    client.on_connect = on_connect
    client.on_disconnect = lambda *_args: connected.clear()
    client.market40_connected = connected
    client.connect_async(parts.hostname, parts.port or (8883 if parts.scheme == "mqtts" else 1883),
                         keepalive=30)
    client.loop_start()
    return client


def _accounts(session: Session, vendor_ids: set[int]) -> dict[int, str | None]:
    rows = session.execute(sa.select(Vendor.id, Vendor.account_number)
                           .where(Vendor.id.in_(vendor_ids)))
    return dict(rows.all())


def _acknowledged(info: Any) -> bool:
    """Whether the broker acknowledged (PUBACK) the publish of ``info`` in time.

    paho raises instead of answering when the message was refused (the connection
    dropped between our check and the publish, or its queue is full): not acknowledged.
    """
    try:
        info.wait_for_publish(timeout=ACK_TIMEOUT)
        return info.is_published()
    except (RuntimeError, ValueError):
        return False


def _read(session_factory: Callable[[], Session], after: int
          ) -> tuple[list[PaymentEvent], dict[int, str | None]]:
    with session_factory() as session:
        events = events_after(session, None, after, 500)
        accounts = _accounts(session, {e.vendor_id for e in events}) if events else {}
        session.expunge_all()
    return events, accounts


def relay(session_factory: Callable[[], Session], client: Any, cursor: Cursor, *,
          poll: float = 0.2, stop: threading.Event | None = None,
          wake: threading.Event | None = None,
          on_published: Callable[[PaymentEvent, float], None] | None = None) -> None:
    """Publish events after the cursor until ``stop`` is set (forever without one).

    It reads the outbox every ``poll`` seconds, or at once when ``wake`` is set (by a
    listener of ``market40.live.wake``). Neither an outage of the broker nor of the
    database ends it: it waits for the connection, reads again from its cursor and
    goes on (at least once, in order).
    """
    stop = stop or threading.Event()
    wake = wake or threading.Event()
    connected: threading.Event = client.market40_connected
    last = cursor.read()
    if last is None:  # first run: start from now, not from a week of history
        with session_factory() as session:
            last = session.scalar(sa.select(sa.func.coalesce(sa.func.max(PaymentEvent.id), 0)))
        cursor.write(last)
        log.info("relay: first run, starting after event %s", last)
    while not stop.is_set():
        if not connected.wait(timeout=1):
            continue
        if not client.is_connected():  # the flag lags a dropped connection: no busy loop
            stop.wait(RETRY_SECONDS)
            continue
        wake.clear()  # before reading: a commit from now on wakes the next wait
        try:
            events, accounts = _read(session_factory, last)
        except sa.exc.SQLAlchemyError as error:
            log.warning("relay: reading events failed (%s); retrying", type(error).__name__)
            stop.wait(1)
            continue
        if not events:
            wake.wait(poll)
            continue
        for event in events:
            payload = json.dumps(message(event, accounts.get(event.vendor_id)),
                                 ensure_ascii=False)
            if not _acknowledged(client.publish(topic_for(event.vendor_id), payload, qos=1)):
                log.warning("relay: event %s not acknowledged; waiting for the broker",
                            event.id)
                stop.wait(RETRY_SECONDS)
                break
            last = event.id
            cursor.write(last)
            if on_published is not None:
                on_published(event, time.time())
