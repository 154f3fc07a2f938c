"""Every role against every API endpoint: 401, 403 or 2xx, as the access table says.

The endpoints come from ``app.url_map`` (a test fails when one has no case here or no
row in ``market40.auth.access.ENDPOINTS``); each case builds a real request on real
objects, fresh where the request changes state (approving twice is a 409, not a 403).
Every scoped target lives in market A (DAI-TU): the board of market B must get 403 on
all of them, and the vendor user may reach only its own stall.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from market40.auth.access import (
    ENDPOINTS,
    PUBLIC,
    SIGNED,
    access_for,
    endpoint_key,
    guarded,
)
from market40.auth.policy import PERMISSIONS
from tests.security.conftest import MARKET_A, PERSONAL, ROLES, World, vendor_row

OK = "2xx"
ROLE_OF = {"admin": "admin", "department": "department", "auditor": "auditor",
           "board_a": "board", "board_b": "board", "vendor_a": "vendor"}
# ACB 970416, account 257678859, 1,000 đ (DESIGN.md §4): valid, pays none of our vendors.
PAYLOAD = ("00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA53037045404"
           "10005802VN62150811Chuyen tien6304BBB8")
Build = Callable[[World], tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Case:
    method: str
    rule: str
    build: Build
    target: str = "-"  # "own": the vendor user's stall; "A": market A or another vendor in A
    public: bool = False  # an optional-token endpoint asked for its public part

    def outcome(self, response: Any) -> int:
        body = response.get_json(silent=True) or {}
        if self.rule.endswith("bulk-approve") and response.status_code == 200:
            # Per-id outcomes: an id out of scope fails alone with the code it would get.
            results = body.get("results") or [{}]
            return int(results[0].get("code", 200))
        return response.status_code


def get(path: str | Callable[[World], str]) -> Build:
    return lambda w: (path(w) if callable(path) else path, {})


def send(path: str | Callable[[World], str], body: Callable[[World], Any]) -> Build:
    return lambda w: (path(w) if callable(path) else path, {"json": body(w)})


def vendor_path(key: str, suffix: str = "") -> Callable[[World], str]:
    return lambda w: f"/api/v1/vendors/{w.vendors[key]}{suffix}"


def fresh(status: str, suffix: str, body: dict[str, Any] | None = None) -> Build:
    return lambda w: (f"/api/v1/vendors/{w.new_vendor(status)}{suffix}", {"json": body or {}})


def import_file(w: World) -> tuple[str, dict[str, Any]]:
    n = w.serial()  # one bank account per live vendor: each import brings its own
    row = vendor_row(f"I{n}", ("", "", f"9090{n:06d}"))
    csv = ",".join(row) + "\r\n" + ",".join(str(v) for v in row.values()) + "\r\n"
    return (f"/api/v1/markets/{MARKET_A}/vendors/import",
            {"data": {"file": (io.BytesIO(csv.encode()), "vendors.csv")},
             "content_type": "multipart/form-data"})


def transaction(w: World, key: str = "other_a") -> dict[str, Any]:
    when = datetime.now(UTC) - timedelta(minutes=5)
    return {"vendor_id": w.vendors[key], "amount": 15_000, "method": "cash",
            "occurred_at": when.isoformat(), "reference": f"matrix-{w.serial()}"}


def new_device(w: World) -> int:
    from market40.live.devices import pair_device
    from market40.models import Vendor

    session = w.db.session
    device, _ = pair_device(session, session.get(Vendor, w.vendors["other_a"]), "Loa", None)
    session.commit()
    return device.id


def export_job(w: World) -> int:
    """A finished export job of the admin's (only its creator or an admin reads it)."""
    from flask import current_app

    from market40.models import ExportJob
    from market40.payments.export_jobs import run_export

    session = w.db.session
    job = ExportJob(user_id=w.users["admin"].id, filters={}, status="queued")
    session.add(job)
    session.commit()
    run_export(session, current_app._get_current_object(), job.id)
    return job.id


V1 = "/api/v1"
CASES = [
    Case("GET", "/healthz", get("/healthz")),
    Case("GET", "/api/openapi.json", get("/api/openapi.json")),
    Case("GET", "/api/docs", get("/api/docs")),
    Case("GET", "/api/docs/assets/<filename>", get("/api/docs/assets/swagger-ui.css")),
    Case("GET", f"{V1}/districts", get(f"{V1}/districts")),
    Case("GET", f"{V1}/communes", get(f"{V1}/communes?as_of=2025-07-01")),
    Case("GET", f"{V1}/banks", get(f"{V1}/banks?q=970436")),
    Case("GET", f"{V1}/markets", get(f"{V1}/markets")),
    Case("POST", f"{V1}/markets", send(f"{V1}/markets", lambda w: {
        "code": f"SEC-{w.serial()}", "name": "Chợ thử", "commune_code": "05761", "grade": 3})),
    Case("GET", f"{V1}/markets/<code>", get(f"{V1}/markets/{MARKET_A}")),
    Case("PATCH", f"{V1}/markets/<code>", send(f"{V1}/markets/{MARKET_A}",
                                               lambda w: {"board_name": f"BQL {w.serial()}"})),
    Case("GET", f"{V1}/markets/<code>/vendors", get(f"{V1}/markets/{MARKET_A}/vendors"), "A"),
    Case("POST", f"{V1}/markets/<code>/vendors", send(
        f"{V1}/markets/{MARKET_A}/vendors",
        lambda w: vendor_row(f"N{w.serial()}", ("0988000999", "", "1234567890"))), "A"),
    Case("POST", f"{V1}/markets/<code>/vendors/import", import_file, "A"),
    Case("GET", f"{V1}/markets/<code>/cards.pdf", get(f"{V1}/markets/{MARKET_A}/cards.pdf"),
         "A"),
    Case("GET", f"{V1}/markets/<code>/listings", get(f"{V1}/markets/{MARKET_A}/listings")),
    Case("POST", f"{V1}/markets/<code>/listings", send(
        f"{V1}/markets/{MARKET_A}/listings",
        lambda w: {"product": f"Chè {w.serial()}", "platform": "shopee",
                   "url": "https://shopee.vn/che"}), "A"),
    Case("DELETE", f"{V1}/markets/<code>/listings/<listing_id>", get(
        lambda w: f"{V1}/markets/{MARKET_A}/listings/{w.new_listing()}"), "A"),
    Case("GET", f"{V1}/vendors/<vendor_id>", get(vendor_path("own")), "own"),
    Case("GET", f"{V1}/vendors/<vendor_id>", get(vendor_path("other_a")), "A"),
    Case("PATCH", f"{V1}/vendors/<vendor_id>", send(
        vendor_path("own"), lambda w: {"display_name": f"Quầy {w.serial()}"}), "own"),
    Case("POST", f"{V1}/vendors/<vendor_id>/submit", fresh("draft", "/submit"), "A"),
    Case("POST", f"{V1}/vendors/<vendor_id>/approve", fresh("submitted", "/approve"), "A"),
    Case("POST", f"{V1}/vendors/<vendor_id>/reject",
         fresh("submitted", "/reject", {"reason": "Sai thông tin"}), "A"),
    Case("POST", f"{V1}/vendors/<vendor_id>/revert",
         fresh("submitted", "/revert", {"reason": "Sai tài khoản"}), "A"),
    Case("POST", f"{V1}/vendors/bulk-approve", send(
        f"{V1}/vendors/bulk-approve", lambda w: {"ids": [w.new_vendor("submitted")]}), "A"),
    Case("GET", f"{V1}/vendors/<vendor_id>/qr", get(vendor_path("own", "/qr")), "own"),
    Case("GET", f"{V1}/vendors/<vendor_id>/qr", get(vendor_path("other_a", "/qr")), "A"),
    Case("GET", f"{V1}/vendors/<vendor_id>/card.pdf", get(vendor_path("own", "/card.pdf")),
         "own"),
    Case("GET", f"{V1}/vendors/<vendor_id>/card.pdf",
         get(vendor_path("other_a", "/card.pdf")), "A"),
    Case("GET", f"{V1}/vendors/import-template.csv", get(f"{V1}/vendors/import-template.csv")),
    Case("GET", f"{V1}/vendors/import-template.xlsx", get(f"{V1}/vendors/import-template.xlsx")),
    Case("POST", f"{V1}/qr/decode", send(f"{V1}/qr/decode", lambda w: {"payload": PAYLOAD})),
    Case("POST", f"{V1}/qr/verify", send(f"{V1}/qr/verify", lambda w: {
        "vendor_id": w.vendors["own"], "payload": PAYLOAD}), "own"),
    Case("POST", f"{V1}/qr/verify", send(f"{V1}/qr/verify", lambda w: {
        "vendor_id": w.vendors["other_a"], "payload": PAYLOAD}), "A"),
    Case("GET", f"{V1}/audit/log", get(f"{V1}/audit/log")),
    Case("GET", f"{V1}/audit/public-key", get(f"{V1}/audit/public-key")),
    Case("GET", f"{V1}/audit/snapshots", get(f"{V1}/audit/snapshots")),
    Case("POST", f"{V1}/audit/snapshots",
         send(f"{V1}/audit/snapshots", lambda w: {"ruleset": "tn-2022"})),
    Case("GET", f"{V1}/audit/snapshots/<snapshot_id>",
         get(lambda w: f"{V1}/audit/snapshots/{w.snapshot_id}")),
    Case("GET", f"{V1}/audit/snapshots/<snapshot_id>/verify",
         get(lambda w: f"{V1}/audit/snapshots/{w.snapshot_id}/verify")),
    Case("GET", f"{V1}/reports/adoption",
         get(f"{V1}/reports/adoption?level=market&code={MARKET_A}"), public=True),
    Case("GET", f"{V1}/reports/adoption", get(
        lambda w: f"{V1}/reports/adoption?level=vendor&code={w.vendors['own']}"), "own"),
    Case("GET", f"{V1}/reports/adoption", get(
        lambda w: f"{V1}/reports/adoption?level=vendor&code={w.vendors['other_a']}"), "A"),
    Case("GET", f"{V1}/reports/adoption/series",
         get(f"{V1}/reports/adoption/series?level=province"), public=True),
    Case("GET", f"{V1}/reports/adoption/series", get(
        lambda w: f"{V1}/reports/adoption/series?level=vendor&code={w.vendors['own']}"), "own"),
    Case("GET", f"{V1}/reports/certification",
         get(f"{V1}/reports/certification?ruleset=tn-2022")),
    Case("GET", f"{V1}/reports/rulesets", get(f"{V1}/reports/rulesets")),
    Case("GET", f"{V1}/indicators", get(f"{V1}/indicators")),
    Case("POST", f"{V1}/indicators", send(f"{V1}/indicators", lambda w: {
        "key": "epayment_account_share", "value": 0.5, "as_of": "2024-06-30",
        "source": "matrix test"})),
    Case("GET", f"{V1}/indicators/<key>/values",
         get(f"{V1}/indicators/epayment_account_share/values")),
    Case("GET", f"{V1}/transactions", get(f"{V1}/transactions")),
    Case("POST", f"{V1}/transactions", send(f"{V1}/transactions", transaction), "A"),
    Case("POST", f"{V1}/transactions/batch", send(
        f"{V1}/transactions/batch", lambda w: {"transactions": [transaction(w)]}), "A"),
    Case("POST", f"{V1}/transactions/exports", send(f"{V1}/transactions/exports",
                                                    lambda w: {"method": "cash"})),
    Case("GET", f"{V1}/transactions/exports/<export_id>",
         get(lambda w: f"{V1}/transactions/exports/{export_job(w)}")),
    Case("GET", f"{V1}/transactions/exports/<export_id>/file",
         get(lambda w: f"{V1}/transactions/exports/{export_job(w)}/file")),
    Case("POST", f"{V1}/notifications/bank", send(f"{V1}/notifications/bank", lambda w: {})),
    Case("GET", f"{V1}/notifications/unmatched", get(f"{V1}/notifications/unmatched")),
    # Live payments (issue 15)
    Case("GET", f"{V1}/speech", get(f"{V1}/speech?amount=25000")),
    Case("GET", f"{V1}/speech.wav", get(f"{V1}/speech.wav?amount=25000")),
    Case("POST", f"{V1}/notifications/sepay", send(f"{V1}/notifications/sepay", lambda w: {})),
    Case("GET", f"{V1}/vendors/<vendor_id>/events", get(vendor_path("own", "/events")), "own"),
    Case("GET", f"{V1}/vendors/<vendor_id>/events", get(vendor_path("other_a", "/events")),
         "A"),
    Case("GET", f"{V1}/vendors/<vendor_id>/devices", get(vendor_path("other_a", "/devices")),
         "A"),
    Case("POST", f"{V1}/vendors/<vendor_id>/devices", send(
        vendor_path("other_a", "/devices"), lambda w: {"label": f"Loa {w.serial()}"}), "A"),
    Case("GET", f"{V1}/vendors/<vendor_id>/statement", get(vendor_path("own", "/statement")),
         "own"),
    Case("GET", f"{V1}/vendors/<vendor_id>/statement",
         get(vendor_path("other_a", "/statement")), "A"),
    Case("DELETE", f"{V1}/vendors/<vendor_id>/devices/<device_id>", get(
        lambda w: f"{V1}/vendors/{w.vendors['other_a']}/devices/{new_device(w)}"), "A"),
]


def expected(role: str, case: Case) -> str | int:
    """What ``role`` must get, from the access table and where the target lives."""
    access = access_for(case.method, case.rule)
    assert access is not None, f"{case.method} {case.rule} is not in the access table"
    if case.public or access.permission == PUBLIC:
        return OK
    if access.permission == SIGNED:
        return 401  # no signature sent: a token changes nothing
    if role == "anonymous":
        return 401
    if ROLE_OF[role] not in PERMISSIONS[access.permission]:
        return 403
    if access.scope in ("-", "province", "rows"):
        return OK
    if access.scope == "creator":  # the cases' export jobs are the admin's
        return OK if ROLE_OF[role] == "admin" else 404
    if role == "board_b":
        return 403  # every scoped target is in market A
    if role == "vendor_a" and access.scope != "market-own" and case.target != "own":
        return 403
    return OK


def writes(case: Case) -> bool:
    """A request that changes something behind a token (verify only reads, with POST; an
    export job writes a file of what the caller may read, nothing else)."""
    access = access_for(case.method, case.rule)
    return (case.method != "GET" and access is not None and access.permission != PUBLIC
            and not case.rule.endswith(("/qr/verify", "/transactions/exports")))


def api_rules(app: Any) -> set[str]:
    return {endpoint_key(method, rule.rule) for rule in app.url_map.iter_rules()
            if guarded(rule.rule) for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_endpoint_is_in_the_access_table_and_has_a_case(app):
    rules = api_rules(app)
    api_table = {key for key in ENDPOINTS if guarded(key.split(" ", 1)[1])}
    assert sorted(rules - api_table) == [], "endpoints without an access rule"
    assert sorted(api_table - rules) == [], "access rules for endpoints that do not exist"
    assert sorted(rules - {f"{c.method} {c.rule}" for c in CASES}) == [], "endpoints untested"


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(client, world, role):
    problems = []
    for case in CASES:
        path, kwargs = case.build(world)
        response = client.open(path, method=case.method, headers=world.headers(role), **kwargs)
        got, want = case.outcome(response), expected(role, case)
        if want == OK:
            ok = 200 <= got < 300
        else:
            # Refusals are the API's JSON error (bulk-approve's is inside its 200 answer).
            body = response.get_json(silent=True) or {}
            ok = got == want and (body.get("code") == want or "bulk" in case.rule)
        # Independent of the table: these roles never change anything behind a token.
        if role in ("auditor", "vendor_a", "anonymous") and writes(case) and 200 <= got < 300:
            ok = False
        if not ok:
            text = response.get_data(as_text=True)[:160] if got != 200 else ""
            problems.append(f"{case.method} {path} (target {case.target}): expected {want}, "
                            f"got {got} {text}")
    assert not problems, f"{role}:\n" + "\n".join(problems)


@pytest.mark.own_app
def test_a_rule_missing_from_the_table_is_closed(app, client):
    app.add_url_rule("/api/v1/forgotten", "forgotten", lambda: {"secret": True})
    response = client.get("/api/v1/forgotten")
    assert response.status_code == 403
    assert "no access rule" in response.get_json()["message"]


def test_a_bad_token_on_a_protected_endpoint_is_401_before_the_body_is_read(client, world):
    response = client.post(f"{V1}/transactions", data="not json",
                           headers={"Authorization": "Bearer m40_wrong"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


# -- what each role sees inside the answers it is allowed ------------------------------


def personal_values(key: str) -> tuple[str, str]:
    phone, national_id, _ = PERSONAL[key]
    return phone, national_id


SEES_PERSONAL = {"admin": True, "auditor": True, "board_a": True, "vendor_a": True,
                 "department": False}


def test_personal_data_only_for_permitted_readers(client, world):
    for role, sees in SEES_PERSONAL.items():
        vendor = client.get(f"{V1}/vendors/{world.vendors['own']}", headers=world.headers(role))
        assert vendor.status_code == 200
        assert ("phone" in vendor.get_json() and "national_id" in vendor.get_json()) is sees, role
        listed = client.get(f"{V1}/markets/{MARKET_A}/vendors", headers=world.headers(role))
        for value in personal_values("own"):
            assert (value in listed.get_data(as_text=True)) is sees, role
        log = client.get(f"{V1}/audit/log?page_size=500", headers=world.headers(role))
        if role == "vendor_a":
            assert log.status_code == 403
        else:
            assert (personal_values("own")[1] in log.get_data(as_text=True)) is sees, role


def test_board_of_another_market_never_sees_market_a_personal_data(client, world):
    headers = world.headers("board_b")
    seen = []
    for path in (f"{V1}/markets/{MARKET_A}/vendors", f"{V1}/vendors/{world.vendors['own']}",
                 f"{V1}/audit/log?page_size=500", f"{V1}/transactions?page_size=500",
                 f"{V1}/transactions?format=csv",
                 f"{V1}/audit/log?market={MARKET_A}&page_size=500"):
        response = client.get(path, headers=headers)
        seen.append(response.get_data(as_text=True))
        assert response.status_code in (200, 403), path
    text = "\n".join(seen)
    for key in ("own", "other_a"):
        for value in PERSONAL[key]:
            assert value not in text
    # Its own market's vendor it does see in full.
    own_market = client.get(f"{V1}/vendors/{world.vendors['vendor_b']}", headers=headers)
    assert own_market.get_json()["phone"] == PERSONAL["vendor_b"][0]


SEEN_MARKETS = {"admin": {"DAI-TU", "THAI"}, "department": {"DAI-TU", "THAI"},
                "auditor": {"DAI-TU", "THAI"}, "board_a": {"DAI-TU"}, "board_b": {"THAI"},
                "vendor_a": {"DAI-TU"}}


def test_lists_hold_only_rows_of_the_callers_markets(client, world):
    for role, markets in SEEN_MARKETS.items():
        headers = world.headers(role)
        rows = client.get(f"{V1}/transactions?page_size=500", headers=headers).get_json()
        assert {row["market_code"] for row in rows} == markets, role
        if role == "vendor_a":
            assert {row["vendor_id"] for row in rows} == {world.vendors["own"]}
            listed = client.get(f"{V1}/markets/{MARKET_A}/vendors", headers=headers).get_json()
            assert [v["id"] for v in listed] == [world.vendors["own"]]
            continue
        entries = client.get(f"{V1}/audit/log?page_size=500", headers=headers).get_json()
        assert {e["market_code"] for e in entries if e["market_code"]} == markets, role
