"""A reference soundbox: follow one stall's payments and say each one aloud.

It is what a market can run on a Raspberry Pi at a stall (``flask --app wsgi soundbox
--url URL --token TOKEN``), and what the tests use as a device. It reads the event
stream (or, with ``--mqtt``, the relay's topic), speaks with espeak-ng (prints where
espeak-ng is missing), and reconnects with ``Last-Event-ID``, dropping an id it has
already said.
"""

from __future__ import annotations

import json
import logging
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

from market40.live.speech import SPEED, VOICE, espeak

log = logging.getLogger(__name__)

Say = Callable[[dict[str, Any]], None]


def speaker(echo: Callable[[str], None]) -> Say:
    """Speak with espeak-ng when it is installed; print the sentence in any case."""
    program = espeak()

    def say(event: dict[str, Any]) -> None:
        echo(f"[{event['id']}] {event['announcement']}")
        if program is not None:
            subprocess.run([program, "-v", VOICE, "-s", str(SPEED), event["announcement"]],
                           check=False, capture_output=True, timeout=30)

    return say


def sse_events(response: Any) -> Iterator[tuple[str | None, dict[str, Any]]]:
    """(id, data) of each ``payment`` frame of an open SSE response."""
    fields: dict[str, str] = {}
    for raw in response:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if fields.get("event") == "payment" and "data" in fields:
                yield fields.get("id"), json.loads(fields["data"])
            fields = {}
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        fields[name] = value[1:] if value.startswith(" ") else value


def follow_stream(url: str, token: str, say: Say, *, last_id: int = 0,
                  stop: threading.Event | None = None, retry: float = 2.0) -> int:
    """Say every payment of the stream at ``url``; reconnect until ``stop``; returns the
    last id said."""
    stop = stop or threading.Event()
    while not stop.is_set():
        request = urllib.request.Request(url, headers={
            "Authorization": f"Bearer {token}", "Accept": "text/event-stream",
            "Last-Event-ID": str(last_id)})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                for event_id, event in sse_events(response):
                    if event_id is not None and int(event_id) > last_id:
                        last_id = int(event_id)
                        say(event)
                    if stop.is_set():
                        break
        except urllib.error.HTTPError as error:
            if error.code in (401, 403, 404):
                raise
            log.warning("soundbox: HTTP %s; retrying", error.code)
        except (OSError, ValueError) as error:
            log.warning("soundbox: stream interrupted (%s); retrying", error)
        stop.wait(retry)
    return last_id


def follow_mqtt(url: str, vendor_id: int, say: Say, *,
                stop: threading.Event | None = None) -> None:
    """Say every payment published for ``vendor_id`` (QoS 1; duplicates dropped by id)."""
    from market40.live.relay import mqtt_client, topic_for

    stop = stop or threading.Event()
    said: set[int] = set()
    client = mqtt_client(url, f"market40-soundbox-{vendor_id}", (topic_for(vendor_id),))

    def on_message(_client: Any, _userdata: Any, msg: Any) -> None:
        event = json.loads(msg.payload)
        if event["id"] not in said:
            said.add(event["id"])
            say(event)

    client.on_message = on_message
    try:
        while not stop.is_set():
            time.sleep(0.2)
    finally:
        client.loop_stop()
        client.disconnect()
