"""The audit page (department, auditors): the snapshot chain listed, verified, compared
with today's data, and downloaded as CSV; the overview and the PDF name the chain's head."""

from __future__ import annotations

import re

import pytest

from market40.audit import create_snapshot
from tests.web.conftest import text


@pytest.fixture
def snapshots(dashboard, db):
    import sqlalchemy as sa

    from market40.models import User

    author = db.session.scalar(sa.select(User).where(User.name == dashboard.users["department"]))
    first = create_snapshot(db.session, "tn-2022", None, author)
    second = create_snapshot(db.session, "tn-pilot-example", None, author)
    db.session.commit()
    return first, second


@pytest.mark.parametrize(("user", "status"), [
    ("department", 200), ("auditor", 200), ("admin", 200), ("board", 403), ("vendor", 403),
])
def test_audit_page_access(client, login, snapshots, user, status):
    login(user)
    assert client.get("/audit").status_code == status


def test_audit_page_needs_a_login(client, dashboard):
    response = client.get("/audit")
    assert response.status_code == 302 and "/login?next=/audit" in response.headers["Location"]


def test_audit_page_lists_and_verifies_snapshots(client, login, snapshots):
    login("auditor")
    page = text(client.get("/audit?lang=en"))
    rows = re.findall(r'<tr data-snapshot="(\d+)"[^>]*>(.*?)</tr>', page, re.S)
    assert [int(i) for i, _ in rows] == [snapshots[1].id, snapshots[0].id]
    for _, row in rows:
        assert "Hash OK" in row and "Chain OK" in row and "Matches today" in row
        assert "Signature OK" in row
        assert ".csv" in row and ".pdf" in row
    assert snapshots[0].sha256[:12] in page
    assert re.search(rf"Chain head: snapshot {snapshots[1].id}, SHA-256 <code[^>]*>"
                     rf"{snapshots[1].sha256}</code>", page)


def test_audit_page_shows_a_rewritten_newest_snapshot(client, login, snapshots, db):
    import json

    from market40.audit.canonical import canonical_bytes, sha256_hex
    from tests.reports.test_snapshots import tamper

    newest = snapshots[1]
    body = json.loads(newest.body)
    body["summary"]["certified"] += 9
    forged = canonical_bytes(body)
    tamper(db, "UPDATE snapshots SET body = :body, sha256 = :sha, certified = :n WHERE id = :id",
           body=forged.decode(), sha=sha256_hex(forged), n=body["summary"]["certified"],
           id=newest.id)
    login("auditor")
    page = text(client.get("/audit?lang=en"))
    rows = dict(re.findall(r'<tr data-snapshot="(\d+)"[^>]*>(.*?)</tr>', page, re.S))
    assert "Signature invalid" in rows[str(newest.id)] and "Hash OK" in rows[str(newest.id)]
    assert "Signature OK" in rows[str(snapshots[0].id)]


def test_overview_and_snapshot_pdf_show_the_chain_head(client, login, snapshots):
    import shutil
    import subprocess

    newest = snapshots[1]
    page = text(client.get("/?lang=en"))
    assert f"Latest audit snapshot: number {newest.id}, SHA-256" in page
    assert newest.sha256 in page
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    login("department")
    pdf = client.get(f"/audit/snapshots/{snapshots[0].id}.pdf?lang=en").data
    printed = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                             check=True).stdout.decode()
    assert f"Chain head when printed: snapshot #{newest.id}" in " ".join(printed.split())
    assert newest.sha256 in printed.replace("\n", "")


def test_audit_page_reports_data_changed_since_the_snapshot(client, login, snapshots, db,
                                                            dashboard):
    from market40.models import Vendor

    vendor = db.session.get(Vendor, dashboard.vendors["cho_duyet"].id)
    vendor.status = "closed"  # one vendor fewer registered at DAI-TU today
    from market40.models import utcnow

    vendor.closed_at = utcnow()
    db.session.commit()
    login("auditor")
    page = text(client.get("/audit?lang=en"))
    assert "figures changed since" in page and "Hash OK" in page
    # The changes in words and the page's number format, not frozen decimal strings
    vi = text(client.get("/audit?lang=vi"))
    assert "DAI-TU · Tỷ lệ có mã QR: 50,0" in vi and "0.5" not in re.sub(r"<[^>]+>", "", vi)
    assert "DAI-TU · Tiểu thương đăng ký: 6 → 5" in vi


def test_audit_snapshot_csv(client, login, snapshots):
    login("department")
    response = client.get(f"/audit/snapshots/{snapshots[0].id}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["X-Snapshot-SHA256"] == snapshots[0].sha256
    body = response.data.decode("utf-8-sig")
    assert "THAI" in body and "DAI-TU" in body
    assert client.get("/audit/snapshots/99999.csv").status_code == 404
