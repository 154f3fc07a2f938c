"""The reference soundbox and simulate-live against a live server (werkzeug, threaded)."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from market40.live.demo import payees, run
from market40.live.soundbox import follow_stream
from tests.factories import auth
from tests.live.helpers import events


@pytest.fixture
def server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(10)


def test_simulate_live_credits_reach_a_soundbox(app, db, server, board, make_vendor):
    vendor_id = make_vendor("DAI-TU", account_number="0055667788").id
    paired = app.test_client().post(f"/api/v1/vendors/{vendor_id}/devices",
                                    headers=auth(board), json={"label": "Pi"})
    token = paired.json["token"]
    said: list[dict] = []
    stop = threading.Event()
    listener = threading.Thread(target=follow_stream, daemon=True, kwargs={
        "url": f"{server}/api/v1/vendors/{vendor_id}/events", "token": token,
        "say": said.append, "stop": stop, "retry": 0.2})
    listener.start()
    targets = [p for p in payees(db.session, "DAI-TU") if p.vendor_id == vendor_id]
    db.session.remove()
    assert len(targets) == 1
    sent = run(server, app.config["WEBHOOK_SECRET"], targets, rate=20, count=5, seed=7)
    assert sent == 5
    deadline = threading.Event()
    for _ in range(200):
        if len(said) >= 5:
            break
        deadline.wait(0.05)
    stop.set()
    listener.join(10)
    stored = events(db, vendor_id)
    assert [e["id"] for e in said] == [e.id for e in stored] and len(stored) == 5
    assert all(e["announcement"].startswith("Đã nhận ") for e in said)
    assert all(e.amount % 1000 == 0 and 5_000 <= e.amount <= 500_000 for e in stored)
