"""#11.9 Past figures stay put: the vendor status history and the figures that read it.

A revert or a bank change today withdraws the QR from today on; a report for yesterday
gives the same numbers before and after. Every workflow step writes its history row(s)
with actor and time in the same transaction; the migration backfills an existing
database from the audit log and the vendors' columns; changing the past is its own,
audited command.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, stamp, upgrade

from market40.localtime import day_end_utc, local_today
from market40.models import AuditEntry, Vendor, VendorStatusEvent
from market40.registry.history import history_of
from market40.registry.workflow import transition
from market40.reports import adoption_report, adoption_series, resolve_scope
from tests.factories import auth
from tests.registry.helpers import act, post_vendor

REVISION = "b8e4d2a61c37"


def _rows(session, vendor_id: int) -> list[tuple]:
    return [(r.event, r.status, r.at, r.user_id, r.actor) for r in history_of(session, vendor_id)]


def _figures(session, day):
    scope = resolve_scope(session, "market", "DAI-TU")
    return adoption_report(session, scope, day).metrics()


@pytest.fixture
def approved_yesterday(db, make_vendor, make_user):
    """A DAI-TU vendor approved (QR issued) yesterday at noon, local time."""
    checker, _ = make_user("board", markets=("DAI-TU",), name="checker-h10")
    yesterday = local_today() - timedelta(days=1)
    noon = day_end_utc(yesterday) - timedelta(hours=12)
    vendor = make_vendor(status="submitted", created_at=noon - timedelta(days=3),
                         submitted_at=noon - timedelta(days=1))
    transition(db.session, vendor, "approve", checker, at=noon)
    db.session.commit()
    return vendor, yesterday


def test_a_revert_today_leaves_yesterdays_report_as_it_was(db, make_user, approved_yesterday):
    vendor, yesterday = approved_yesterday
    admin, _ = make_user("admin", name="admin-h10")
    today = local_today()
    before = _figures(db.session, yesterday)
    today_before = _figures(db.session, today)
    series_before = adoption_series(db.session, resolve_scope(db.session, "market", "DAI-TU"),
                                    yesterday - timedelta(days=2), today)
    assert before["with_qr"] >= 1

    transition(db.session, vendor, "revert", admin, reason="sai số tài khoản")
    db.session.commit()

    assert _figures(db.session, yesterday) == before
    assert _figures(db.session, today)["with_qr"] == today_before["with_qr"] - 1
    series_after = adoption_series(db.session, resolve_scope(db.session, "market", "DAI-TU"),
                                   yesterday - timedelta(days=2), today)
    old = [p.figures.metrics() for p in series_before.points]
    new = [p.figures.metrics() for p in series_after.points]
    assert old[:-1] == new[:-1]  # every past day as it was
    assert new[-1]["with_qr"] == old[-1]["with_qr"] - 1  # today without the vendor's QR


def test_each_workflow_step_writes_its_history_with_actor_and_time(client, db, maker, checker):
    vendor = post_vendor(client, maker)
    vid = vendor["id"]
    assert _rows(db.session, vid) == []  # a draft has no history yet
    assert act(client, maker, vid, "submit").status_code == 200
    assert act(client, checker, vid, "approve").status_code == 200
    assert act(client, checker, vid, "revert", reason="ảnh CCCD mờ").status_code == 200
    assert act(client, maker, vid, "submit").status_code == 200
    assert act(client, checker, vid, "approve").status_code == 200
    changed = client.patch(f"/api/v1/vendors/{vid}", json={"account_number": "99887766554"},
                           headers=auth(maker))
    assert changed.status_code == 200 and changed.get_json()["status"] == "submitted"

    rows = history_of(db.session, vid)
    assert [(r.event, r.status, r.actor) for r in rows] == [
        ("submit", "submitted", "maker"),
        ("approve", "approved", "checker"), ("qr_issued", "approved", "checker"),
        ("revert", "reverted", "checker"), ("qr_withdrawn", "reverted", "checker"),
        ("submit", "submitted", "maker"),
        ("approve", "approved", "checker"), ("qr_issued", "approved", "checker"),
        ("submit", "submitted", "maker"), ("qr_withdrawn", "submitted", "maker"),
    ]
    users = {r.actor: r.user_id for r in rows}
    assert None not in users.values() and users["maker"] != users["checker"]
    times = [r.at for r in rows]
    assert times == sorted(times) and all(t.utcoffset() == timedelta(0) for t in times)
    # Each row has the time of its audited move.
    logged = db.session.scalars(sa.select(AuditEntry.at).where(
        AuditEntry.entity == "vendor", AuditEntry.entity_id == str(vid),
        AuditEntry.action != "create").order_by(AuditEntry.id)).all()
    moves = [r.at for r in rows if not r.event.startswith("qr_")]
    assert moves == list(logged)

    other = post_vendor(client, maker)
    act(client, maker, other["id"], "submit")
    assert act(client, checker, other["id"], "reject", reason="trùng quầy").status_code == 200
    assert [(e, s) for e, s, *_ in _rows(db.session, other["id"])] == [
        ("submit", "submitted"), ("reject", "rejected")]


def test_a_refused_move_writes_no_history(client, db, maker):
    vendor = post_vendor(client, maker)
    act(client, maker, vendor["id"], "submit")
    assert act(client, maker, vendor["id"], "approve").status_code == 409  # maker-checker
    assert [e for e, *_ in _rows(db.session, vendor["id"])] == ["submit"]


def test_the_migration_backfills_an_existing_database(
        client, app, db, maker, checker, make_vendor, approved_yesterday):
    """History as the workflow wrote it == history the migration rebuilds from the log;
    a vendor loaded without the workflow gets its past from its columns; figures agree."""
    vendor = post_vendor(client, maker)
    vid = vendor["id"]
    act(client, maker, vid, "submit")
    act(client, checker, vid, "approve")
    act(client, checker, vid, "revert", reason="sai tên")
    act(client, maker, vid, "submit")
    act(client, checker, vid, "approve")
    client.patch(f"/api/v1/vendors/{vid}", json={"bank_bin": "970415"}, headers=auth(maker))
    loaded = make_vendor(status="approved")  # a bulk-loaded row: no history, no audit
    reverted, yesterday = approved_yesterday
    act(client, checker, reverted.id, "revert", reason="đóng quầy")
    written = _rows(db.session, vid)
    figures = _figures(db.session, yesterday)
    loaded_id, loaded_at = loaded.id, loaded.qr_issued_at
    db.session.close()

    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        connection.execute(sa.text(
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        connection.execute(sa.text(f"INSERT INTO alembic_version VALUES ('{REVISION}')"))
    downgrade(revision="-1")
    assert "vendor_status_history" not in sa.inspect(db.engine).get_table_names()
    upgrade(revision=REVISION)
    stamp(revision="head")

    assert _rows(db.session, vid) == written
    assert [(e, a, actor) for e, _, a, _, actor in _rows(db.session, loaded_id)] == [
        ("approve", loaded_at, "backfill"), ("qr_issued", loaded_at, "backfill")]
    assert _figures(db.session, yesterday) == figures
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VendorStatusEvent)) > 0


def test_correcting_the_past_is_its_own_audited_command(app, db, make_user, approved_yesterday):
    vendor, yesterday = approved_yesterday
    make_user("admin", name="admin-h10")
    make_user("board", markets=("DAI-TU",), name="board-h10")
    before = _figures(db.session, yesterday)
    runner = app.test_cli_runner()
    issued = history_of(db.session, vendor.id)[-1].at
    wrong = issued + timedelta(minutes=30)
    base = ["vendors", "correct-history", str(vendor.id), "--event", "qr_withdrawn",
            "--reason", "duyệt nhầm: tài khoản của người khác"]

    refused = runner.invoke(args=[*base, "--at", wrong.isoformat(), "--as", "board-h10"])
    assert refused.exit_code == 1 and "admin" in refused.output
    bad = runner.invoke(args=[*base, "--at", "hôm qua", "--as", "admin-h10"])
    assert bad.exit_code == 1 and "at:" in bad.output
    future = runner.invoke(args=[*base, "--at", "2999-01-01T00:00:00+07:00", "--as", "admin-h10"])
    assert future.exit_code == 1 and "future" in future.output
    naive = runner.invoke(args=[*base, "--at", "2026-01-01T00:00:00", "--as", "admin-h10"])
    assert naive.exit_code == 1 and "offset" in naive.output
    db.session.expire_all()
    assert _figures(db.session, yesterday) == before  # nothing changed by the refusals

    done = runner.invoke(args=[*base, "--at", wrong.isoformat(), "--as", "admin-h10"])
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    assert _figures(db.session, yesterday)["with_qr"] == before["with_qr"] - 1
    last = history_of(db.session, vendor.id)[-1]
    assert (last.event, last.actor) == ("qr_withdrawn", "admin-h10")
    assert last.correction.startswith("duyệt nhầm")
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "correct-history")).one()
    assert entry.entity_id == str(vendor.id) and entry.new["event"] == "qr_withdrawn"
    shown = runner.invoke(args=["vendors", "history", str(vendor.id)])
    assert "qr_withdrawn" in shown.output and "correction: duyệt nhầm" in shown.output


def test_a_snapshot_of_yesterday_shows_no_changes_after_a_revert_today(
        db, make_user, approved_yesterday):
    from market40.audit import create_snapshot, verify_snapshot

    vendor, yesterday = approved_yesterday
    admin, _ = make_user("admin", name="admin-h10")
    snapshot = create_snapshot(db.session, "tn-2022", yesterday, None)
    db.session.commit()
    transition(db.session, vendor, "revert", admin, reason="sai tên chủ quầy")
    db.session.commit()
    verification = verify_snapshot(db.session, snapshot.id)
    assert verification.hash_ok and verification.changes == ()


def test_a_gap_in_the_qr_is_left_out_of_every_daily_figure(db, make_vendor, make_user):
    """Approved, reverted, approved again: the days in between have no QR in force, in the
    day-by-day series (intervals) exactly as in the per-day report (SQL)."""
    from tests.factories import record

    checker, _ = make_user("board", markets=("DAI-TU",), name="checker-gap")
    maker, _ = make_user("board", markets=("DAI-TU",), name="maker-gap")
    today = local_today()
    first = today - timedelta(days=8)

    def noon(day):
        return day_end_utc(day) - timedelta(hours=12)

    vendor = make_vendor(status="submitted", created_at=noon(first) - timedelta(days=2),
                         submitted_at=noon(first) - timedelta(days=1))
    transition(db.session, vendor, "approve", checker, at=noon(first))
    transition(db.session, vendor, "revert", checker, reason="sai tên", at=noon(first) +
               timedelta(days=2))
    transition(db.session, vendor, "submit", maker, at=noon(first) + timedelta(days=4))
    transition(db.session, vendor, "approve", checker, at=noon(first) + timedelta(days=5))
    for offset in range(8):  # a QR sale every day, even on the days the QR was withdrawn
        record(db.session, vendor, noon(first + timedelta(days=offset)), 20_000)
    db.session.commit()

    scope = resolve_scope(db.session, "market", "DAI-TU")
    # From the first approval on: the QR is in force at both ends of the range, and the
    # days in between are still found (no "in force at both ends means throughout").
    series = adoption_series(db.session, scope, first, today)
    by_series = {p.period.start: p.metrics() for p in series.points}
    gap = {first + timedelta(days=n) for n in (2, 3, 4)}
    for day, metrics in by_series.items():
        report = adoption_report(db.session, scope, day, 1).metrics()
        assert (metrics["with_qr"], metrics["active"]) == (
            report["with_qr"], report["active"]), day
    base = adoption_report(db.session, scope, first - timedelta(days=1), 1).metrics()["with_qr"]
    for offset in range(8):
        day = first + timedelta(days=offset)
        assert by_series[day]["with_qr"] == base + (0 if day in gap else 1), day


def test_history_rows_cannot_be_updated_after_the_migrations(empty_app):
    from market40.extensions import db as database

    with empty_app.app_context():
        upgrade()
        engine = database.engine
        with engine.connect() as connection:
            # A row without its vendor: foreign keys off for this one insert.
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            else:
                connection.exec_driver_sql("SET session_replication_role = replica")
            connection.execute(sa.text(
                "INSERT INTO vendor_status_history (id, vendor_id, event, status, at, actor)"
                " VALUES (1, 1, 'qr_issued', 'approved', '2026-12-01 03:00:00', 'x')"))
            connection.commit()
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            else:
                connection.exec_driver_sql("SET session_replication_role = origin")
            with pytest.raises(sa.exc.DBAPIError, match="immutable"):
                connection.execute(sa.text(
                    "UPDATE vendor_status_history SET event = 'qr_withdrawn'"))
            connection.rollback()


def test_a_submitted_vendor_with_history_and_qr_sales_is_never_active(client, db, maker):
    """History but no QR event yet: "with QR" is false (not unknown) on every day."""
    from tests.factories import record

    vendor = post_vendor(client, maker)
    assert act(client, maker, vendor["id"], "submit").status_code == 200
    row = db.session.get(Vendor, vendor["id"])
    today = local_today()
    record(db.session, row, day_end_utc(today - timedelta(days=1)) - timedelta(hours=3), 9_000)
    db.session.commit()
    scope = resolve_scope(db.session, "market", "DAI-TU")
    series = adoption_series(db.session, scope, today - timedelta(days=3), today)
    for point in series.points:
        report = adoption_report(db.session, scope, point.period.end, 1).metrics()
        assert point.metrics()["active"] == report["active"] == 0, point.period
