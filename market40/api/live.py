"""A stall's live payments: the event stream (SSE) and the devices paired with it."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator
from typing import Any

import marshmallow as ma
from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from market40.api.schemas.base import BINARY
from market40.api.schemas.live import (
    DeviceInSchema,
    DeviceSchema,
    EventsQueryArgsSchema,
    PairedDeviceSchema,
    StatementQueryArgsSchema,
    StatementSchema,
)
from market40.auth import caller
from market40.downloads import CSV, JSON, PDF, download, wants
from market40.errors import InvalidInput
from market40.extensions import db
from market40.inputpolicy import whole_number
from market40.live.devices import (
    authorize_reader,
    list_devices,
    pair_device,
    revoke_device,
    still_allowed,
)
from market40.live.hub import Hub, Subscriber, hub_for, sse_frame
from market40.live.outbox import event_json, events_after
from market40.live.statement import day_statement, statement_csv, statement_pdf
from market40.localtime import local_today
from market40.models import Device
from market40.registry.vendors import get_vendor

blp = Blueprint("live", __name__, url_prefix="/api/v1",
                description="Payments as they land: a stall's event stream and its devices")

REPLAY_LIMIT = 5000
MAX_EVENT_ID = 2**63 - 1  # payment_events.id is a BIGINT


def _resume_from(args: dict[str, Any]) -> int | None:
    header = request.headers.get("Last-Event-ID")
    if header is not None and header.strip():
        event_id = whole_number(header.strip(), MAX_EVENT_ID)
        if event_id is None:
            raise InvalidInput.field("Last-Event-ID", "must be an event id (digits)")
        return event_id
    return args.get("last_event_id")


def _stream(hub: Hub, subscriber: Subscriber, replay: list[tuple[int, bytes]],
            last: int, heartbeat: float, lifetime: float,
            allowed: Callable[[], bool] | None = None) -> Iterator[bytes]:
    """The frames of one stream; it ends after ``lifetime`` seconds (the client
    reconnects with Last-Event-ID), so no connection lives forever, or before a payment
    its reader may no longer hear (``allowed``: a device revoked meanwhile)."""
    end = time.monotonic() + lifetime
    try:
        yield b"retry: 2000\n\n"
        for event_id, frame in replay:
            last = event_id
            yield frame
        while (left := end - time.monotonic()) > 0:
            try:
                item = subscriber.frames.get(timeout=min(heartbeat, left))
            except queue.Empty:  # nothing for a while: a comment keeps proxies from closing
                yield b": heartbeat\n\n"
                continue
            if item is None:  # fell too far behind: the client resumes from `last`
                return
            event_id, frame = item
            if event_id > last:
                if allowed is not None and not allowed():
                    return
                last = event_id
                yield frame
    finally:
        hub.unsubscribe(subscriber)


@blp.route("/vendors/<id:vendor_id>/events")
class VendorEvents(MethodView):
    @blp.arguments(EventsQueryArgsSchema, location="query", unknown=ma.RAISE)
    @blp.response(200, {"type": "string"}, content_type="text/event-stream",
                  description="event: payment / id / data: the event JSON; a heartbeat "
                              "comment at least every 15 s")
    def get(self, args: dict[str, Any], vendor_id: int) -> Response:
        """Follow a stall's payments (Server-Sent Events), resuming after Last-Event-ID."""
        vendor = get_vendor(db.session, vendor_id)
        reader = authorize_reader(db.session, vendor)
        allowed = still_allowed(db.engine, reader)
        after = _resume_from(args)
        # Give the connection back before waiting for the hub (its first start reads the
        # database too): hundreds of streams opening at once must not starve the pool.
        db.session.close()
        hub = hub_for(current_app._get_current_object())
        subscriber = hub.subscribe(vendor.id)  # before the replay: nothing falls between
        try:
            start = hub.last_id if after is None else after
            replay = [(e.id, sse_frame(event_json(e)))
                      for e in events_after(db.session, vendor.id, start, REPLAY_LIMIT)]
        except Exception:
            hub.unsubscribe(subscriber)
            raise
        finally:
            # The stream holds no database connection while it waits.
            db.session.remove()
        config = current_app.config
        response = Response(_stream(hub, subscriber, replay, start,
                                    float(config["LIVE_HEARTBEAT_SECONDS"]),
                                    float(config["LIVE_STREAM_SECONDS"]), allowed),
                            mimetype="text/event-stream")
        response.headers["Cache-Control"] = "no-cache, no-store"
        response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event at once
        return response


def _plain(device: Device) -> dict[str, Any]:
    """The device's fields as values, taken before the commit expires them."""
    return {name: getattr(device, name) for name in DeviceSchema().fields}


@blp.route("/vendors/<id:vendor_id>/devices")
class VendorDevices(MethodView):
    @blp.response(200, DeviceSchema(many=True))
    def get(self, vendor_id: int) -> list[Device]:
        """List the devices paired with a stall (revoked ones too)."""
        vendor = get_vendor(db.session, vendor_id)
        caller(vendor=vendor)
        return list_devices(db.session, vendor)

    @blp.arguments(DeviceInSchema)
    @blp.response(201, PairedDeviceSchema)
    def post(self, data: dict[str, Any], vendor_id: int) -> dict[str, Any]:
        """Pair a soundbox or phone with a stall; its token is shown only in this answer."""
        vendor = get_vendor(db.session, vendor_id)
        actor = caller(vendor=vendor)
        device, token = pair_device(db.session, vendor, data["label"], actor)
        body = _plain(device) | {"token": token}
        db.session.commit()
        return body


@blp.route("/vendors/<id:vendor_id>/devices/<id:device_id>")
class VendorDeviceById(MethodView):
    @blp.response(200, DeviceSchema)
    def delete(self, vendor_id: int, device_id: int) -> dict[str, Any]:
        """Revoke a device: its token stops working at once."""
        vendor = get_vendor(db.session, vendor_id)
        caller(vendor=vendor)
        body = _plain(revoke_device(db.session, vendor, device_id))
        db.session.commit()
        return body


@blp.route("/vendors/<id:vendor_id>/statement")
class VendorStatement(MethodView):
    @blp.arguments(StatementQueryArgsSchema, location="query", unknown=ma.RAISE)
    @blp.response(200, StatementSchema)
    @blp.alt_response(200, success=True, content_type=CSV, schema=BINARY,
                      description="format=csv")
    @blp.alt_response(200, success=True, content_type=PDF, schema=BINARY,
                      description="format=pdf")
    def get(self, args: dict[str, Any], vendor_id: int) -> Any:
        """A stall's QR sales of one local day, with their count and total."""
        vendor = get_vendor(db.session, vendor_id)
        authorize_reader(db.session, vendor, "statement.read")
        day = args.get("date") or local_today()
        statement = day_statement(db.session, vendor, day)
        fmt = wants(args, (("json", JSON), ("csv", CSV), ("pdf", PDF)))
        name = f"sao-ke-{vendor.id}-{day.isoformat()}"
        if fmt == "csv":
            return download(statement_csv(statement).encode(), CSV, f"{name}.csv")
        if fmt == "pdf":
            return download(statement_pdf(statement, vendor), PDF, f"{name}.pdf", inline=True)
        return statement
