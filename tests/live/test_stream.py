"""GET /api/v1/vendors/{id}/events: replay with Last-Event-ID, live events, heartbeats,
who may read (the vendor, its board, admins, its paired devices)."""

from __future__ import annotations

import pytest

from tests.factories import auth
from tests.live.helpers import events
from tests.live.stream import frames, payments
from tests.payments.helpers import tx


class Stall:
    """A vendor's id only: a stream ends the request's session, and with it (the tests
    share the app context) any ORM object a test holds."""

    def __init__(self, vendor):
        self.id = vendor.id


@pytest.fixture
def vendor(make_vendor):
    return Stall(make_vendor("DAI-TU"))


def sell(client, token, vendor_id, reference, amount=25_000):
    response = client.post("/api/v1/transactions", headers=auth(token),
                           json=tx(vendor_id, reference, amount=amount, method="qr"))
    assert response.status_code == 201, response.json
    return response


def url(vendor_id):
    return f"/api/v1/vendors/{vendor_id}/events"


def test_last_event_id_replays_every_later_event_once_in_order(client, db, admin, vendor,
                                                               make_vendor):
    other = Stall(make_vendor("DAI-TU"))
    for n in range(4):
        sell(client, admin, vendor.id, f"r-{n}", 10_000 + n)
        sell(client, admin, other.id, f"o-{n}")
    mine = events(db, vendor.id)
    response = client.get(url(vendor.id), headers=auth(admin) | {
        "Last-Event-ID": str(mine[0].id)})
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    got = [f for f in frames(response) if f.get("event") == "payment"]  # to the stream's end
    assert [int(f["id"]) for f in got] == [e.id for e in mine[1:]]
    assert [f["data"]["amount"] for f in got] == [10_001, 10_002, 10_003]
    first = got[0]["data"]
    assert set(first) == {"id", "vendor_id", "transaction_id", "amount", "occurred_at",
                          "reference", "content", "announcement"}
    assert first["announcement"] == "Đã nhận mười nghìn không trăm linh một đồng"
    assert first["occurred_at"].endswith("+07:00")
    # The query parameter does the same for clients that cannot set the header.
    again = client.get(url(vendor.id) + f"?last_event_id={mine[2].id}", headers=auth(admin))
    assert [int(f["id"]) for f in payments(again, 5)] == [mine[3].id]


def test_a_payment_recorded_while_the_stream_is_open_arrives_once(app, client, db, admin,
                                                                 vendor):
    app.config["LIVE_STREAM_SECONDS"] = 30
    response = client.get(url(vendor.id), headers=auth(admin))
    stream = frames(response)
    assert next(stream) == {"retry": "2000"}
    sell(client, admin, vendor.id, "live-1", 35_000)
    frame = next(f for f in stream if f.get("event") == "payment")
    assert frame["data"]["amount"] == 35_000
    assert frame["data"]["announcement"] == "Đã nhận ba mươi lăm nghìn đồng"
    sell(client, admin, vendor.id, "live-2", 5_000)
    frame = next(f for f in stream if f.get("event") == "payment")
    assert frame["data"]["amount"] == 5_000
    response.close()


def test_heartbeats_keep_a_quiet_stream_open(client, admin, vendor):
    response = client.get(url(vendor.id), headers=auth(admin))
    comments = [f for f in frames(response) if "comment" in f]
    assert comments and comments[0]["comment"] == "heartbeat"


def test_a_bad_last_event_id_is_a_422(client, admin, vendor):
    response = client.get(url(vendor.id), headers=auth(admin) | {"Last-Event-ID": "abc"})
    assert response.status_code == 422
    assert "Last-Event-ID" in response.json["errors"]
    # a digit to isdigit only; past a BIGINT; more digits than int() reads (all were 500s)
    for odd in ("²", "99999999999999999999", "9" * 5_000):
        response = client.get(url(vendor.id), headers=auth(admin) | {"Last-Event-ID": odd})
        assert response.status_code == 422 and "Last-Event-ID" in response.json["errors"]
    response = client.get(url(vendor.id) + "?last_event_id=99999999999999999999",
                          headers=auth(admin))
    assert response.status_code == 422 and "last_event_id" in str(response.json["errors"])


def test_devices_pair_list_revoke_and_read_only_their_stall(client, db, board, admin,
                                                            vendor, make_vendor):
    other = Stall(make_vendor("DAI-TU"))
    paired = client.post(f"/api/v1/vendors/{vendor.id}/devices", headers=auth(board),
                         json={"label": "Loa quầy rau"})
    assert paired.status_code == 201, paired.json
    token = paired.json["token"]
    assert token.startswith("m40d_") and paired.json["label"] == "Loa quầy rau"
    listed = client.get(f"/api/v1/vendors/{vendor.id}/devices", headers=auth(board)).json
    assert [d["id"] for d in listed] == [paired.json["id"]] and "token" not in listed[0]

    sell(client, admin, vendor.id, "d-1")
    ok = client.get(url(vendor.id) + "?last_event_id=0", headers=auth(token))
    assert ok.status_code == 200 and len(payments(ok, 1)) == 1
    assert client.get(url(other.id), headers=auth(token)).status_code == 403
    # Nothing else: not even the vendor's own record.
    assert client.get(f"/api/v1/vendors/{vendor.id}", headers=auth(token)).status_code == 401

    revoked = client.delete(f"/api/v1/vendors/{vendor.id}/devices/{paired.json['id']}",
                            headers=auth(board))
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    assert client.get(url(vendor.id), headers=auth(token)).status_code == 401
    assert client.delete(f"/api/v1/vendors/{other.id}/devices/{paired.json['id']}",
                         headers=auth(board)).status_code == 404


def test_a_revoked_device_hears_nothing_more_on_its_open_stream(app, client, admin, board,
                                                                 vendor):
    app.config["LIVE_STREAM_SECONDS"] = 30
    paired = client.post(f"/api/v1/vendors/{vendor.id}/devices", headers=auth(board),
                         json={"label": "Loa bị mất"}).json
    response = client.get(url(vendor.id), headers=auth(paired["token"]))
    stream = frames(response)
    assert next(stream) == {"retry": "2000"}
    sell(client, admin, vendor.id, "before", 35_000)
    assert next(f for f in stream if f.get("event") == "payment")["data"]["amount"] == 35_000
    client.delete(f"/api/v1/vendors/{vendor.id}/devices/{paired['id']}", headers=auth(board))
    # Revoking "at once" covers the stream the lost soundbox already holds: it used to
    # keep hearing every payment (amount, memo) until the stream's hour was up.
    sell(client, admin, vendor.id, "after", 36_000)
    assert [f for f in stream if f.get("event") == "payment"] == []  # the stream ended
    response.close()


def test_a_revoked_token_hears_nothing_more_on_its_open_stream(app, client, db, admin,
                                                                make_user, vendor):
    from market40.auth.tokens import revoke_tokens

    app.config["LIVE_STREAM_SECONDS"] = 30
    _, own = make_user("vendor", vendor_id=vendor.id, name="tiem-rau")
    response = client.get(url(vendor.id), headers=auth(own))
    stream = frames(response)
    assert next(stream) == {"retry": "2000"}
    sell(client, admin, vendor.id, "before", 35_000)
    assert next(f for f in stream if f.get("event") == "payment")["data"]["amount"] == 35_000
    assert revoke_tokens(db.session, "tiem-rau") == 1  # `flask users revoke tiem-rau`
    db.session.commit()
    sell(client, admin, vendor.id, "after", 36_000)
    assert [f for f in stream if f.get("event") == "payment"] == []  # the stream ended
    response.close()


def test_a_logged_out_page_hears_nothing_more_on_its_open_stream(app, db, admin, make_user,
                                                                  vendor):
    """The vendor's live page reads its stream with the web session's cookie: a logout
    (here from another browser, the way a copied cookie is cut off) ends that stream too."""
    import sqlalchemy as sa

    from market40.models import WebSession
    from tests.web.conftest import log_in
    from tests.web.seeddata import PASSWORD, password_hash

    app.config["LIVE_STREAM_SECONDS"] = 30
    user, _ = make_user("vendor", vendor_id=vendor.id, name="tiem-ca")
    user.password_hash = password_hash()
    db.session.commit()
    page, seller = app.test_client(), app.test_client()
    assert log_in(page, "tiem-ca", PASSWORD).status_code == 302
    response = page.get(url(vendor.id))
    stream = frames(response)
    assert next(stream) == {"retry": "2000"}
    sell(seller, admin, vendor.id, "before", 35_000)
    assert next(f for f in stream if f.get("event") == "payment")["data"]["amount"] == 35_000
    db.session.execute(sa.update(WebSession).where(WebSession.user_id == user.id)
                       .values(ended_at=sa.func.now()))
    db.session.commit()
    sell(seller, admin, vendor.id, "after", 36_000)
    assert [f for f in stream if f.get("event") == "payment"] == []  # the stream ended
    response.close()


def test_a_device_label_is_required(client, board, vendor):
    response = client.post(f"/api/v1/vendors/{vendor.id}/devices", headers=auth(board),
                           json={})
    assert response.status_code == 422 and "label" in response.json["errors"]["json"]


def test_who_may_read_a_stall(client, make_user, vendor, make_vendor):
    outsider = Stall(make_vendor("DAI-TU"))
    _, own = make_user("vendor", vendor_id=vendor.id)
    _, stranger = make_user("vendor", vendor_id=outsider.id)
    _, department = make_user("department")
    _, board_b = make_user("board", ("THAI",))
    assert client.get(url(vendor.id)).status_code == 401
    assert client.get(url(vendor.id), headers=auth(department)).status_code == 403
    assert client.get(url(vendor.id), headers=auth(board_b)).status_code == 403
    assert client.get(url(vendor.id), headers=auth(stranger)).status_code == 403
    own_stream = client.get(url(vendor.id), headers=auth(own))
    assert own_stream.status_code == 200
    own_stream.close()
