"""Snapshots: canonical bodies, the hash chain, immutability, tampering and races."""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest
import sqlalchemy as sa

from market40.audit import create_snapshot, verify_snapshot
from market40.audit import snapshots as snapshots_module
from market40.audit.canonical import canonical_bytes, sha256_hex
from market40.errors import Conflict
from market40.models import Snapshot
from tests.factories import at, record
from tests.reports.scenario import AS_OF


def test_body_is_canonical_and_hashed(db, scenario, make_user):
    user, _ = make_user("department")
    snapshot = create_snapshot(db.session, "tn-2022", AS_OF, user)
    db.session.commit()
    raw = snapshot.body.encode("utf-8")
    assert sha256_hex(raw) == snapshot.sha256
    body = json.loads(raw)
    assert canonical_bytes(body) == raw  # sorted keys, no whitespace, UTF-8 as is
    assert "Chợ Hùng Sơn (Đại Từ)" in snapshot.body  # not \u-escaped
    assert body["prev_sha256"] is None and snapshot.prev_sha256 is None
    assert body["created_by"] == user.name and body["as_of"] == "2024-06-30"
    assert body["ruleset"]["sha256"] == snapshot.ruleset_sha256
    dai_tu = next(m for m in body["markets"] if m["code"] == "DAI-TU")
    assert dai_tu["inputs"]["coverage"] == "0.571429"  # 4/7, 6 places, half-even
    assert dai_tu["inputs"]["qr_sales_value"] == 352_000  # ints stay ints
    assert dai_tu["inputs"]["fees_cashless_share"] == "0.666667"
    assert dai_tu["criteria"][0] == {"metric": "coverage", "op": ">=", "threshold": "1.0",
                                     "value": "0.571429", "passed": False}
    empty = next(m for m in body["markets"] if m["code"] == "DONG-QUANG")
    assert empty["inputs"]["coverage"] is None
    assert body["summary"]["certified"] == snapshot.certified == 1
    assert body["summary"]["progress"] == "0.016667"


def test_chain_and_verification(db, scenario):
    first = create_snapshot(db.session, "tn-2022", AS_OF, None)
    second = create_snapshot(db.session, "tn-pilot-example", AS_OF, None)
    db.session.commit()
    assert second.prev_sha256 == first.sha256
    for snapshot in (first, second):
        result = verify_snapshot(db.session, snapshot.id)
        assert (result.hash_ok, result.chain_ok, result.problems, result.changes) == (
            True, True, (), ())
        assert result.ruleset_sha256_now == snapshot.ruleset_sha256


def test_verify_reports_data_changed_since(db, scenario):
    snapshot = create_snapshot(db.session, "tn-2022", AS_OF, None)
    db.session.commit()
    quan_chu = scenario["quan_chu"][2]
    record(db.session, quan_chu, at(date(2024, 6, 29)), 100_000, method="cash", kind="fee")
    db.session.commit()
    result = verify_snapshot(db.session, snapshot.id)
    assert result.hash_ok and result.chain_ok
    changes = {(c.market, c.metric): (c.then, c.now) for c in result.changes}
    assert changes == {
        ("QUAN-CHU", "fees_count"): (2, 3),
        ("QUAN-CHU", "fees_value"): (200_000, 300_000),
        ("QUAN-CHU", "fees_cashless_share"): ("1.000000", "0.666667"),
        ("QUAN-CHU", "certified"): (True, False),
    }


def test_the_database_refuses_updates_and_deletes(db, scenario):
    snapshot = create_snapshot(db.session, "tn-2022", AS_OF, None)
    db.session.commit()
    for statement in ("UPDATE snapshots SET certified = 99", "DELETE FROM snapshots"):
        with pytest.raises(sa.exc.DBAPIError, match="immutable"):
            db.session.execute(sa.text(statement))
        db.session.rollback()
    snapshot.body = "{}"
    with pytest.raises(sa.exc.DBAPIError, match="immutable"):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(Snapshot.certified)) == 1


def tamper(db, statement: str, **params) -> None:
    """Change a stored snapshot behind the application's back (trigger off, then on again)."""
    from market40.db import install_database_rules

    db.session.commit()  # release the session's locks: DDL below needs them
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            connection.execute(sa.text("ALTER TABLE snapshots DISABLE TRIGGER snapshots_immutable"))
            connection.execute(sa.text(statement), params)
            connection.execute(sa.text("ALTER TABLE snapshots ENABLE TRIGGER snapshots_immutable"))
        else:
            connection.execute(sa.text("DROP TRIGGER snapshots_no_update"))
            connection.execute(sa.text(statement), params)
    if db.engine.dialect.name == "sqlite":
        install_database_rules(db.engine)
    db.session.expire_all()


def test_an_altered_body_fails_its_hash_and_the_chain_after_it(db, scenario):
    first = create_snapshot(db.session, "tn-2022", AS_OF, None)
    second = create_snapshot(db.session, "tn-2022", AS_OF, None)
    third = create_snapshot(db.session, "tn-2022", AS_OF, None)
    db.session.commit()
    ids = first.id, second.id, third.id
    tamper(db, "UPDATE snapshots SET body = replace(body, :old, :new) WHERE id = :id",
           old='"certified":1', new='"certified":60', id=ids[1])
    assert '"certified":60' in db.session.get(Snapshot, ids[1]).body
    assert verify_snapshot(db.session, ids[0]).hash_ok  # before it: untouched
    altered = verify_snapshot(db.session, ids[1])
    assert not altered.hash_ok and altered.chain_ok
    assert any(p.startswith(f"snapshot {ids[1]}: its body does not hash") for p in altered.problems)
    after = verify_snapshot(db.session, ids[2])
    assert after.hash_ok and not after.chain_ok
    assert any(f"snapshot {ids[1]}" in p for p in after.problems)


def test_rehashing_an_altered_snapshot_still_breaks_the_chain(db, scenario):
    first = create_snapshot(db.session, "tn-2022", AS_OF, None)
    second = create_snapshot(db.session, "tn-2022", AS_OF, None)
    db.session.commit()
    forged = first.body.replace('"certified":1', '"certified":60')
    tamper(db, "UPDATE snapshots SET body = :body, sha256 = :sha WHERE id = :id",
           body=forged, sha=sha256_hex(forged.encode()), id=first.id)
    assert verify_snapshot(db.session, first.id).hash_ok  # self-consistent forgery...
    result = verify_snapshot(db.session, second.id)  # ...that the next link exposes
    assert not result.chain_ok
    assert any(p.startswith(f"snapshot {second.id}: prev_sha256") and f"snapshot {first.id}" in p
               for p in result.problems)


def test_a_stale_tip_is_retried_once(db, scenario, monkeypatch, caplog):
    first = create_snapshot(db.session, "tn-2022", AS_OF, None)
    db.session.commit()
    real = snapshots_module.chain_tip
    calls = []

    def stale_once(session):
        """The first read misses the snapshot just made (as a racing writer would)."""
        calls.append(1)
        return None if len(calls) == 1 else real(session)

    monkeypatch.setattr(snapshots_module, "chain_tip", stale_once)
    second = create_snapshot(db.session, "tn-2022", AS_OF, None)
    db.session.commit()
    assert len(calls) == 2 and second.prev_sha256 == first.sha256
    assert "taken by another writer" in caplog.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Snapshot)) == 2


def test_a_tip_taken_twice_is_a_conflict(db, scenario, monkeypatch):
    create_snapshot(db.session, "tn-2022", AS_OF, None)
    db.session.commit()
    monkeypatch.setattr(snapshots_module, "chain_tip", lambda session: None)
    with pytest.raises(Conflict):
        create_snapshot(db.session, "tn-2022", AS_OF, None)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Snapshot)) == 1


def test_only_one_snapshot_can_start_the_chain(db, reference):
    for n in (1, 2):
        db.session.add(Snapshot(ruleset="tn-2022", ruleset_sha256="0" * 64, as_of=AS_OF,
                                body="{}", sha256=f"{n}" * 64, prev_sha256=None))
        if n == 2:
            with pytest.raises(sa.exc.IntegrityError):
                db.session.flush()
        else:
            db.session.flush()
    db.session.rollback()


def test_concurrent_creators_never_fork_the_chain(app, scenario):
    from market40.extensions import db as _db

    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def create() -> None:
        with app.app_context():
            barrier.wait()
            try:
                create_snapshot(_db.session, "tn-2022", AS_OF, None)
                _db.session.commit()
                outcomes.append("created")
            except Conflict:
                _db.session.rollback()
                outcomes.append("conflict")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(outcomes) == 4 and "created" in outcomes
    with app.app_context():
        rows = _db.session.execute(
            sa.select(Snapshot.id, Snapshot.sha256, Snapshot.prev_sha256).order_by(Snapshot.id)
        ).all()
        assert len(rows) == outcomes.count("created")
        assert [r.prev_sha256 for r in rows] == [None] + [r.sha256 for r in rows[:-1]]
        assert verify_snapshot(_db.session, rows[-1].id).chain_ok


def test_cli_create_list_verify(runner, scenario, make_user):
    make_user("department", name="so-tttt")
    result = runner.invoke(args=["snapshots", "create", "--ruleset", "tn-2022",
                                 "--as-of", "2024-06-30", "--user", "so-tttt"])
    assert result.exit_code == 0, result.output
    assert "Snapshot 1: tn-2022 as of 2024-06-30, 1 certified" in result.output
    listing = runner.invoke(args=["snapshots", "list"])
    assert "tn-2022\t2024-06-30\t1 certified" in listing.output and "so-tttt" in listing.output
    verified = runner.invoke(args=["snapshots", "verify", "1"])
    assert verified.exit_code == 0 and "hash:  ok" in verified.output
    board, _ = make_user("board", markets=("DAI-TU",))
    refused = runner.invoke(args=["snapshots", "create", "--ruleset", "tn-2022",
                                  "--user", board.name])
    assert refused.exit_code == 1 and "may not create snapshots" in refused.output
    missing = runner.invoke(args=["snapshots", "verify", "42"])
    assert missing.exit_code == 1 and "snapshot 42 does not exist" in missing.output
