"""Transaction export jobs: a complete, verifiable file, in scope, or a job reported failed."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from market40.models import ExportJob, Transaction, utcnow
from market40.payments import export_jobs
from market40.payments.bulk import insert_transactions, timestamp_writer
from tests.factories import auth
from tests.payments.helpers import local, tx

URL = "/api/v1/transactions/exports"


@pytest.fixture
def exports_dir(app, tmp_path) -> Path:
    directory = tmp_path / "exports"
    app.config["EXPORT_DIR"] = str(directory)
    app.config["EXPORT_WINDOW"] = 7  # many id windows even for a few hundred rows
    return directory


def add_rows(app, db, vendors, count: int, start: int = 0) -> None:
    write = timestamp_writer(app.config["BACKEND"])
    rows = [
        (vendors[i % len(vendors)].id, vendors[i % len(vendors)].market_id,
         # occurred_at out of id order: the file is in id order all the same
         write(local(2025, 1, 1 + (count - i) % 28, 6, i % 60)),
         1_000 + i, "qr" if i % 3 == 0 else "cash", "sale", "api", f"job-{start + i:06d}",
         write(local(2025, 3, 1)))
        for i in range(count)
    ]
    insert_transactions(db.session, rows)
    db.session.commit()


def run(client, token: str, body: dict | None = None) -> dict:
    """Post a job, wait for its thread, return its final status."""
    posted = client.post(URL, json=body or {}, headers=auth(token))
    assert posted.status_code == 202, posted.get_json()
    job = posted.get_json()
    assert posted.headers["Location"].endswith(f"{URL}/{job['id']}")
    assert job["status_url"] == f"{URL}/{job['id']}"
    export_jobs.wait(job["id"], timeout=60)
    status = client.get(job["status_url"], headers=auth(token))
    assert status.status_code == 200
    return status.get_json()


def test_a_complete_file_whose_rows_and_sha256_match(app, db, client, admin, make_vendor,
                                                     exports_dir):
    vendors = [make_vendor("DAI-TU"), make_vendor("THAI", display_name="=cmd|' /C calc'!A0")]
    add_rows(app, db, vendors, 250)
    job = run(client, admin)
    assert job["status"] == "done", job
    assert job["rows"] == 250 and job["error"] is None
    response = client.get(job["file_url"], headers=auth(admin))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.data
    assert int(response.headers["Content-Length"]) == len(body) == job["size"]
    assert hashlib.sha256(body).hexdigest() == job["sha256"] == response.headers[
        "X-Export-SHA256"]
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 250
    ids = [int(r["id"]) for r in rows]
    assert ids == sorted(ids) and len(set(ids)) == 250
    # the same cells as the streamed export, formula guard included
    streamed = client.get("/api/v1/transactions?format=csv", headers=auth(admin))
    stream_rows = list(csv.DictReader(io.StringIO(streamed.data.decode("utf-8-sig"))))
    assert sorted(stream_rows, key=lambda r: int(r["id"])) == rows
    assert any(r["vendor_name"].startswith("'=cmd") for r in rows)
    # Range requests: part of the file, the rest of the headers unchanged
    part = client.get(job["file_url"], headers={**auth(admin), "Range": "bytes=0-9"})
    assert part.status_code == 206 and part.data == body[:10]
    assert part.headers["Content-Range"] == f"bytes 0-9/{len(body)}"
    # only the final file remains in the directory (no .part)
    assert [p.name for p in exports_dir.iterdir()] == [f"transactions-{job['id']}.csv"]


def test_filters_and_an_empty_selection(app, db, client, admin, make_vendor, exports_dir):
    vendor = make_vendor("DAI-TU")
    add_rows(app, db, [vendor], 30)
    job = run(client, admin, {"method": "qr", "market": "DAI-TU"})
    assert job["status"] == "done" and job["rows"] == 10
    assert job["filters"] == {"method": "qr", "market": "DAI-TU"}
    none = run(client, admin, {"from": "2030-01-01"})
    assert none["status"] == "done" and none["rows"] == 0
    body = client.get(none["file_url"], headers=auth(admin)).data
    assert body.decode("utf-8-sig").startswith("id,occurred_at,market")
    assert hashlib.sha256(body).hexdigest() == none["sha256"]


def test_scope_board_of_another_market_and_other_users(client, db, app, make_user,
                                                       make_vendor, admin, exports_dir):
    dai_tu, thai = make_vendor("DAI-TU"), make_vendor("THAI")
    client.post("/api/v1/transactions", json=tx(dai_tu.id, "s-1"), headers=auth(admin))
    client.post("/api/v1/transactions", json=tx(thai.id, "s-2"), headers=auth(admin))
    _, board = make_user("board", markets=("THAI",))
    _, other_board = make_user("board", markets=("THAI",))
    refused = client.post(URL, json={"market": "DAI-TU"}, headers=auth(board))
    assert refused.status_code == 403
    assert client.post(URL, json={"vendor": dai_tu.id}, headers=auth(board)).status_code == 403
    job = run(client, board)
    assert job["status"] == "done" and job["rows"] == 1
    body = client.get(job["file_url"], headers=auth(board)).data.decode("utf-8-sig")
    assert [r["reference"] for r in csv.DictReader(io.StringIO(body))] == ["s-2"]
    # only its creator or an admin reads it; others learn nothing (404)
    for path in (job["status_url"], job["file_url"]):
        assert client.get(path, headers=auth(other_board)).status_code == 404
        assert client.get(path, headers=auth(admin)).status_code == 200
        assert client.get(path).status_code == 401
    assert client.get(f"{URL}/999999", headers=auth(admin)).status_code == 404
    _, vendor_user = make_user("vendor", vendor_id=thai.id)
    mine = run(client, vendor_user)
    assert mine["rows"] == 1


@pytest.mark.parametrize("body, field", [
    ({"method": "cheque"}, "method"),
    ({"from": "2025-02-30"}, "from"),
    ({"to": "9999-12-31"}, "to"),  # the day after it does not exist: the job failed
    ({"from": "2025-03-02", "to": "2025-03-01"}, "from"),
    ({"market": "NO-SUCH"}, "market"),
    ({"vendor": 0}, "vendor"),
    ({"format": "csv"}, "format"),
    ({"colour": "red"}, "colour"),
])
def test_bad_filters_are_422_naming_the_field(client, admin, reference, exports_dir, body,
                                              field, db):
    response = client.post(URL, json=body, headers=auth(admin))
    assert response.status_code == 422, response.get_json()
    assert field in str(response.get_json())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExportJob)) == 0


def test_a_job_that_fails_is_reported_failed(app, db, client, admin, make_vendor, tmp_path):
    add_rows(app, db, [make_vendor("DAI-TU")], 5)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the export directory should be")
    app.config["EXPORT_DIR"] = str(blocker / "exports")
    job = run(client, admin)
    assert job["status"] == "failed" and job["file_url"] is None
    assert job["error"] == "the file could not be written: Not a directory"
    assert str(tmp_path) not in job["error"]  # no server paths
    assert client.get(f"{URL}/{job['id']}/file", headers=auth(admin)).status_code == 409


def test_a_job_whose_worker_stopped_is_failed_not_running_forever(app, db, client, admin,
                                                                   make_user, exports_dir):
    user = db.session.scalar(sa.select(ExportJob.user_id)) or None
    assert user is None
    admin_user = db.session.scalar(sa.text("SELECT id FROM users WHERE role = 'admin'"))
    old = utcnow() - timedelta(seconds=app.config["EXPORT_STALE_SECONDS"] + 5)
    job = ExportJob(user_id=admin_user, filters={}, status="running", rows=40_000,
                    worker="gone-host:1234", created_at=old, started_at=old, heartbeat_at=old)
    fresh = ExportJob(user_id=admin_user, filters={}, status="running", rows=10,
                      worker="live-host:1", heartbeat_at=utcnow())
    db.session.add_all([job, fresh])
    db.session.commit()
    status = client.get(f"{URL}/{job.id}", headers=auth(admin)).get_json()
    assert status["status"] == "failed" and "interrupted" in status["error"]
    assert client.get(f"{URL}/{fresh.id}", headers=auth(admin)).get_json()["status"] == "running"


def test_running_jobs_per_user_are_limited(app, db, client, admin, exports_dir):
    admin_user = db.session.scalar(sa.text("SELECT id FROM users WHERE role = 'admin'"))
    db.session.add_all([ExportJob(user_id=admin_user, filters={}, status="running",
                                  heartbeat_at=utcnow()) for _ in range(2)])
    db.session.commit()
    response = client.post(URL, json={}, headers=auth(admin))
    assert response.status_code == 409


def test_old_files_are_removed(app, db, client, admin, make_vendor, exports_dir, runner):
    add_rows(app, db, [make_vendor("DAI-TU")], 3)
    job = run(client, admin)
    path = exports_dir / f"transactions-{job['id']}.csv"
    assert path.is_file()
    kept = runner.invoke(args=["exports", "prune"])
    assert kept.exit_code == 0 and "0 old export(s) removed" in kept.output
    db.session.execute(sa.update(ExportJob).values(
        created_at=utcnow() - timedelta(days=app.config["EXPORT_KEEP_DAYS"], hours=1)))
    db.session.commit()
    removed = runner.invoke(args=["exports", "prune"])
    assert "1 old export(s) removed" in removed.output, removed.output
    assert not path.exists()
    assert client.get(job["status_url"], headers=auth(admin)).status_code == 404


def test_a_removed_file_is_gone(app, db, client, admin, make_vendor, exports_dir):
    add_rows(app, db, [make_vendor("DAI-TU")], 3)
    job = run(client, admin)
    (exports_dir / f"transactions-{job['id']}.csv").unlink()
    assert client.get(job["file_url"], headers=auth(admin)).status_code == 410


def test_rows_added_during_an_export_do_not_change_it(app, db, client, admin, make_vendor,
                                                     exports_dir):
    """The job reads up to the largest id at its start: a file that reads the same."""
    vendor = make_vendor("DAI-TU")
    add_rows(app, db, [vendor], 20)
    top = db.session.scalar(sa.select(sa.func.max(Transaction.id)))
    job = run(client, admin)
    stored = db.session.get(ExportJob, job["id"])
    assert stored.max_id == top and job["rows"] == 20


def test_no_body_means_every_transaction(app, db, client, admin, make_vendor, exports_dir):
    add_rows(app, db, [make_vendor("DAI-TU")], 4)
    posted = client.post(URL, headers=auth(admin))
    assert posted.status_code == 202, posted.get_json()
    export_jobs.wait(posted.get_json()["id"], timeout=60)
    status = client.get(posted.headers["Location"], headers=auth(admin)).get_json()
    assert status["status"] == "done" and status["rows"] == 4 and status["filters"] == {}
    # a conditional GET by the sha256 ETag is a 304
    again = client.get(status["file_url"], headers={
        **auth(admin), "If-None-Match": f'"{status["sha256"]}"'})
    assert again.status_code == 304


def test_a_job_reported_failed_while_writing_stays_failed(app, db, admin, make_vendor,
                                                           exports_dir):
    """Another worker may find the heartbeat stale (a very slow window): failed is final,
    the writing thread stops and leaves no file."""
    add_rows(app, db, [make_vendor("DAI-TU")], 40)
    admin_user = db.session.scalar(sa.text("SELECT id FROM users WHERE role = 'admin'"))
    job = ExportJob(user_id=admin_user, filters={}, status="queued")
    db.session.add(job)
    db.session.commit()
    job_id, session, commits = job.id, db.session(), []

    def another_worker_marks_it_stale(_session) -> None:
        commits.append(1)
        if len(commits) == 3:  # running, max_id, first window: now it looks stale
            app.config["EXPORT_STALE_SECONDS"] = 0
            with db.engine.begin() as connection:
                export_jobs.mark_stale(sa.orm.Session(bind=connection), app)

    sa.event.listen(session, "after_commit", another_worker_marks_it_stale)
    try:
        export_jobs.run_export(session, app, job_id)
    finally:
        sa.event.remove(session, "after_commit", another_worker_marks_it_stale)
    db.session.expire_all()
    stored = db.session.get(ExportJob, job_id)
    assert stored.status == "failed" and "interrupted" in stored.error
    assert stored.rows < 40 and stored.sha256 is None
    assert not exports_dir.exists() or list(exports_dir.iterdir()) == []
