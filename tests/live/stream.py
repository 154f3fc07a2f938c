"""Reading a Server-Sent Events response of the test client, frame by frame."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any


def parse_frame(lines: Iterable[str]) -> dict[str, Any]:
    """One frame's lines as {"event", "id", "data"} (a comment as {"comment": text})."""
    frame: dict[str, Any] = {}
    for line in lines:
        name, _, value = line.partition(":")
        if name == "":
            frame["comment"] = value.strip()
        elif name == "data":
            frame["data"] = json.loads(value.strip())
        else:
            frame[name] = value.strip()
    return frame


def frames(response: Any) -> Iterator[dict[str, Any]]:
    """Each frame of a test client's response, parsed (:func:`parse_frame`)."""
    buffer = b""
    for chunk in response.response:
        buffer += chunk
        while b"\n\n" in buffer:
            raw, buffer = buffer.split(b"\n\n", 1)
            yield parse_frame(raw.decode().split("\n"))


def payments(response: Any, count: int) -> list[dict[str, Any]]:
    """The next ``count`` payment frames (heartbeats skipped); fewer if the stream ends."""
    got = []
    for frame in frames(response):
        if frame.get("event") == "payment":
            got.append(frame)
            if len(got) == count:
                break
    return got
