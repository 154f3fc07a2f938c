"""Live payments from the command line: the MQTT relay, the reference soundbox, a demo
feed of credits, and pruning old events."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from sqlalchemy.orm import Session

from market40.cli.common import domain_errors
from market40.extensions import db
from market40.live.outbox import RETENTION, prune_events


@click.group("events")
def events() -> None:
    """Payment events: relay them to MQTT, prune old ones."""


@events.command("relay")
@click.option("--mqtt", "url", envvar="MARKET40_MQTT_URL", required=True,
              help="Broker, e.g. mqtt://127.0.0.1:1883 (default: MARKET40_MQTT_URL).")
@click.option("--cursor", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File keeping the last relayed id (default instance/mqtt-relay.cursor).")
def relay_command(url: str, cursor: Path | None) -> None:
    """Publish every payment event to market40/vendors/{id}/payments (QoS 1, in order)."""
    from market40.live.relay import Cursor, mqtt_client, relay
    from market40.live.wake import postgresql_url, start_listeners

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    path = cursor or Path(current_app.instance_path) / "mqtt-relay.cursor"
    client = mqtt_client(url, "market40-relay")
    click.echo(f"relaying payment events to {url} (cursor {path}); Ctrl-C stops")
    stop, wake = threading.Event(), threading.Event()
    # woken at once by PostgreSQL NOTIFY / Redis where configured, else it polls
    start_listeners(wake, stop.is_set, postgresql_url=postgresql_url(db.engine),
                    redis_url=current_app.config.get("REDIS_URL"))
    try:
        relay(lambda: Session(db.engine, expire_on_commit=False), client, Cursor(path),
              poll=float(current_app.config.get("LIVE_POLL_SECONDS", 0.2)), stop=stop,
              wake=wake)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        client.loop_stop()
        client.disconnect()


@events.command("prune")
@click.option("--days", type=click.IntRange(7, 3650), default=RETENTION.days,
              show_default=True, help="Keep this many days (at least 7).")
@domain_errors
def prune_command(days: int) -> None:
    """Delete payment events older than --days (streams resume within a week)."""
    removed = prune_events(db.session, keep=timedelta(days=days))
    db.session.commit()
    click.echo(f"{removed} event(s) older than {days} days deleted")


@click.command("soundbox")
@click.option("--url", help="The stall's stream: https://HOST/api/v1/vendors/ID/events")
@click.option("--token", envvar="MARKET40_DEVICE_TOKEN", help="The paired device's token.")
@click.option("--mqtt", "mqtt_url", help="Follow the MQTT relay instead (mqtt://host:1883).")
@click.option("--vendor", "vendor_id", type=int, help="With --mqtt: the stall's vendor id.")
@click.option("--last-event-id", type=int, default=0, help="Say only payments after this id.")
def soundbox_command(url: str | None, token: str | None, mqtt_url: str | None,
                     vendor_id: int | None, last_event_id: int) -> None:
    """A reference soundbox: say every payment of one stall (espeak-ng, else print)."""
    from market40.live.soundbox import follow_mqtt, follow_stream, speaker

    say = speaker(click.echo)
    try:
        if mqtt_url:
            if vendor_id is None:
                raise click.UsageError("--mqtt needs --vendor ID")
            follow_mqtt(mqtt_url, vendor_id, say)
        elif url and token:
            follow_stream(url, token, say, last_id=last_event_id)
        else:
            raise click.UsageError("give --url and --token, or --mqtt and --vendor")
    except KeyboardInterrupt:
        pass


@click.command("simulate-live")
@click.option("--market", default=None, help="Only this market's vendors (code).")
@click.option("--rate", type=click.FloatRange(0.01, 1000), default=0.5, show_default=True,
              help="Credits per second (random arrivals).")
@click.option("--count", type=click.IntRange(1), default=None, help="Stop after this many.")
@click.option("--url", default="http://127.0.0.1:5000", show_default=True,
              help="The running server (make run serves 127.0.0.1:5000).")
@click.option("--seed", type=int, default=None, help="Same seed, same vendors and amounts.")
def simulate_live_command(market: str | None, rate: float, count: int | None, url: str,
                          seed: int | None) -> None:
    """Send realistic credits in real time as signed bank notifications."""
    from market40.live.demo import payees, run

    secret = current_app.config.get("WEBHOOK_SECRET")
    if not secret:
        raise click.UsageError("set MARKET40_WEBHOOK_SECRET (the server's too)")
    targets = payees(db.session, market)
    db.session.remove()
    if not targets:
        raise click.UsageError("no approved vendor with a bank account"
                               + (f" in market {market}" if market else ""))

    def report(body: dict[str, object], status: int, _started: float) -> None:
        click.echo(f"{status} {body['amount']:>9,} đ → account {body['account_number']}")

    click.echo(f"{len(targets)} vendors, {rate}/s to {url}; Ctrl-C stops")
    try:
        run(url, secret, targets, rate, count=count, seed=seed, report=report)
    except KeyboardInterrupt:
        pass


commands = [events, soundbox_command, simulate_live_command]
