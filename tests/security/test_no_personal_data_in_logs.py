"""No phone number, national ID or bank account in any log line.

Drives registration, import, approval, a bank-account change, QR codes, transactions and
bank notifications (matched and not) with distinctive personal data while every logger
records at DEBUG (SQLAlchemy's statement log included), and formats each request as
gunicorn's access log would (``--access-logfile -`` with the default format). None of
the values may appear.
"""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from gunicorn.config import Config as GunicornConfig
from gunicorn.glogging import Logger as GunicornLogger
from gunicorn.glogging import SafeAtoms

from market40.payments.signature import sign
from tests.security.conftest import vendor_row

PHONES = ["0987654001", "0987654002", "0987654003"]
NATIONAL_IDS = ["079188004401", "079188004402", "079188004403"]
ACCOUNTS = ["6611223344001", "6611223344002", "6611223344003", "6611223344004",
            "6611223344005"]
SECRETS = PHONES + NATIONAL_IDS + ACCOUNTS


def access_logger(app):
    """Format every request as gunicorn's default access log line."""
    gunicorn = GunicornLogger(GunicornConfig())
    lines: list[str] = []

    @app.after_request
    def record(response):
        from flask import request

        environ = dict(request.environ)
        query = environ.get("QUERY_STRING", "")
        environ["RAW_URI"] = environ["PATH_INFO"] + (f"?{query}" if query else "")
        resp = SimpleNamespace(status=response.status, sent=response.content_length,
                               headers=list(response.headers.items()))
        atoms = gunicorn.atoms(resp, request.headers, environ, timedelta(milliseconds=3))
        lines.append(gunicorn.cfg.access_log_format % SafeAtoms(atoms))
        return response

    return lines


def test_no_personal_data_reaches_the_logs(app, client, world, caplog):
    access_lines = access_logger(app)
    caplog.set_level(logging.DEBUG)
    admin, board = world.headers("admin"), world.headers("board_a")
    now = datetime.now(UTC) - timedelta(minutes=10)

    created = client.post("/api/v1/markets/DAI-TU/vendors", headers=board, json=vendor_row(
        "P-001", (PHONES[0], NATIONAL_IDS[0], ACCOUNTS[0])))
    assert created.status_code == 201
    vendor_id = created.get_json()["id"]
    bad = client.post("/api/v1/markets/DAI-TU/vendors", headers=board, json=vendor_row(
        "P-002", (PHONES[0] + "99", NATIONAL_IDS[0] + "9", ACCOUNTS[0])))
    assert bad.status_code == 422

    rows = [vendor_row(f"P-0{n}", (PHONES[n], NATIONAL_IDS[n], ACCOUNTS[n])) for n in (1, 2)]
    csv = ",".join(rows[0]) + "\r\n" + "".join(
        ",".join(row.values()) + "\r\n" for row in rows)
    imported = client.post("/api/v1/markets/DAI-TU/vendors/import", headers=board,
                           content_type="multipart/form-data",
                           data={"file": (io.BytesIO(csv.encode()), "vendors.csv")})
    assert imported.status_code == 201

    base = f"/api/v1/vendors/{vendor_id}"
    assert client.post(f"{base}/submit", headers=board).status_code == 200
    assert client.post(f"{base}/approve", headers=admin).status_code == 200
    payload = client.get(f"{base}/qr", headers=board).get_json()["payload"]
    assert client.get(f"{base}/qr?format=png", headers=board).status_code == 200
    assert client.post("/api/v1/qr/verify", headers=board,
                       json={"vendor_id": vendor_id, "payload": payload}).status_code == 200
    assert client.patch(base, headers=board,
                        json={"account_number": ACCOUNTS[3]}).status_code == 200
    assert client.post(f"{base}/approve", headers=admin).status_code == 200

    sale = {"vendor_id": vendor_id, "amount": 30_000, "method": "qr",
            "occurred_at": now.isoformat(), "reference": "pii-1"}
    assert client.post("/api/v1/transactions", headers=board, json=sale).status_code == 201
    batch = {"transactions": [{**sale, "reference": "pii-2"}]}
    assert client.post("/api/v1/transactions/batch", headers=board,
                       json=batch).status_code == 201
    assert client.get("/api/v1/transactions?format=csv", headers=board).status_code == 200

    for reference, account in (("FTPII1", ACCOUNTS[3]), ("FTPII2", ACCOUNTS[4]),
                               ("FTPII3", ACCOUNTS[1])):  # matched, unknown, not approved
        raw = json.dumps({"reference": reference, "occurred_at": now.isoformat(),
                          "amount": 20_000, "account_number": account,
                          "bank_bin": "970436", "content": "chuyen tien"}).encode()
        client.post("/api/v1/notifications/bank", data=raw, headers={
            "Content-Type": "application/json",
            "X-Signature": sign(raw, app.config["WEBHOOK_SECRET"])})
    assert client.get("/api/v1/notifications/unmatched", headers=admin).status_code == 200
    assert client.get("/api/v1/audit/log", headers=admin).status_code == 200
    assert client.get(f"/api/v1/markets/DAI-TU/vendors?q={PHONES[0][:4]}",
                      headers=board).status_code == 200

    assert any(r.name.startswith("market40") for r in caplog.records), "nothing was logged"
    assert any("not recorded" in r.getMessage() for r in caplog.records)
    assert len(access_lines) >= 15
    leaks = []
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        leaks += [f"{record.name}: {value} in {text[:200]!r}" for value in SECRETS
                  if value in text]
    leaks += [f"access log: {value} in {line}" for line in access_lines for value in SECRETS
              if value in line]
    assert leaks == []
