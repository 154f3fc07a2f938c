"""Snapshots: canonical bodies, the hash chain, immutability, tampering and races."""

from __future__ import annotations

import json
import threading
from datetime import date
from pathlib import Path

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


def test_an_altered_body_fails_its_hash_and_signature_and_the_links_stay(db, scenario):
    first = create_snapshot(db.session, "tn-2022", AS_OF, None)
    second = create_snapshot(db.session, "tn-2022", AS_OF, None)
    third = create_snapshot(db.session, "tn-2022", AS_OF, None)
    db.session.commit()
    ids = first.id, second.id, third.id
    tamper(db, "UPDATE snapshots SET body = replace(body, :old, :new) WHERE id = :id",
           old='"certified":1', new='"certified":60', id=ids[1])
    assert '"certified":60' in db.session.get(Snapshot, ids[1]).body
    assert verify_snapshot(db.session, ids[0]).ok  # before it: untouched
    altered = verify_snapshot(db.session, ids[1])
    assert not altered.hash_ok and not altered.signature_ok and altered.chain_ok
    fields = {p.field for p in altered.details}
    assert {"sha256", "signature", "certified"} <= fields
    assert any(p.startswith(f"snapshot {ids[1]}: sha256: the body does not hash")
               for p in altered.problems)
    assert verify_snapshot(db.session, ids[2]).ok  # its link names the stored sha256


def test_rehashing_an_altered_snapshot_breaks_its_links_both_ways(db, scenario):
    first = create_snapshot(db.session, "tn-2022", AS_OF, None)
    second = create_snapshot(db.session, "tn-2022", AS_OF, None)
    db.session.commit()
    forged = first.body.replace('"certified":1', '"certified":60')
    tamper(db, "UPDATE snapshots SET body = :body, sha256 = :sha, certified = 60 "
               "WHERE id = :id", body=forged, sha=sha256_hex(forged.encode()), id=first.id)
    result = verify_snapshot(db.session, first.id)
    assert result.hash_ok  # a self-consistent forgery...
    assert not result.signature_ok  # ...that the signature exposes
    assert not result.chain_ok  # and its forward link
    assert any(p.startswith(f"snapshot {second.id}: prev_sha256") and f"snapshot {first.id}" in p
               for p in result.problems)
    after = verify_snapshot(db.session, second.id)
    assert after.hash_ok and after.signature_ok and not after.chain_ok


def test_the_newest_snapshot_rewritten_and_rehashed_fails_its_signature(db, scenario):
    create_snapshot(db.session, "tn-2022", AS_OF, None)
    newest = create_snapshot(db.session, "tn-2022", AS_OF, None)
    db.session.commit()
    assert verify_snapshot(db.session, newest.id).ok  # checked once (and remembered)...
    forged = newest.body.replace('"certified":1', '"certified":60')
    tamper(db, "UPDATE snapshots SET body = :body, sha256 = :sha, certified = 60 "
               "WHERE id = :id", body=forged, sha=sha256_hex(forged.encode()), id=newest.id)
    result = verify_snapshot(db.session, newest.id)  # ...yet any change is checked anew
    assert result.hash_ok and result.chain_ok and not result.signature_ok
    assert [p.field for p in result.details] == ["signature"]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("certified", "60"),
        ("created_at", "'2020-01-01 00:00:00'"),
        ("as_of", "'2024-06-29'"),
        ("ruleset", "'tn-pilot-example'"),
        ("ruleset_sha256", "'" + "0" * 64 + "'"),
        ("key_id", "'0000000000000000'"),
        ("created_by_id", ":user"),
    ],
)
def test_every_stored_column_is_covered(db, scenario, make_user, column, value):
    author, _ = make_user("department")
    other, _ = make_user("admin")
    snapshot = create_snapshot(db.session, "tn-2022", AS_OF, author)
    db.session.commit()
    assert verify_snapshot(db.session, snapshot.id).ok
    tamper(db, f"UPDATE snapshots SET {column} = {value} WHERE id = :id", id=snapshot.id,
           **({"user": other.id} if column == "created_by_id" else {}))
    result = verify_snapshot(db.session, snapshot.id)
    assert not result.ok
    assert column in {p.field for p in result.details}, result.problems


def test_a_renumbered_snapshot_is_caught(db, scenario):
    snapshot = create_snapshot(db.session, "tn-2022", AS_OF, None)
    db.session.commit()
    tamper(db, "UPDATE snapshots SET id = 7 WHERE id = :id", id=snapshot.id)
    result = verify_snapshot(db.session, 7)
    assert not result.hash_ok and [p.field for p in result.details] == ["id"]


def test_key_rotation_keeps_old_signatures_valid(app, db, scenario, runner, tmp_path):
    from market40.audit import signing

    old = create_snapshot(db.session, "tn-2022", AS_OF, None)
    db.session.commit()
    rotated = runner.invoke(args=["snapshots", "rotate-key"])
    assert rotated.exit_code == 0, rotated.output
    new = create_snapshot(db.session, "tn-2022", AS_OF, None)
    db.session.commit()
    assert old.key_id != new.key_id and f"signing with {new.key_id}" in rotated.output
    assert verify_snapshot(db.session, old.id).ok and verify_snapshot(db.session, new.id).ok
    keys = signing.public_keys()
    assert set(keys) == {old.key_id, new.key_id} and keys[new.key_id].current
    private = tmp_path / "snapshot-keys" / "signing-key.pem"
    assert private.stat().st_mode & 0o777 == 0o600
    # Trust is the key files: a key nobody kept cannot vouch for a snapshot.
    (tmp_path / "snapshot-keys" / f"{old.key_id}.pub.pem").unlink()
    result = verify_snapshot(db.session, old.id)
    assert not result.signature_ok
    assert "not one of the trusted keys" in result.problems[0]


def test_an_unsigned_legacy_snapshot_is_reported(db, scenario):
    from market40.audit.canonical import canonical_bytes as canonical

    body = canonical({"format": "market40.snapshot/1", "as_of": AS_OF.isoformat(),
                      "created_at": "2024-07-01T00:00:00Z", "created_by": None,
                      "prev_sha256": None, "window": 30, "markets": [],
                      "ruleset": {"name": "tn-2022", "sha256": "0" * 64, "criteria": []},
                      "summary": {"certified": 0}})
    from datetime import UTC, datetime

    db.session.add(Snapshot(ruleset="tn-2022", ruleset_sha256="0" * 64, as_of=AS_OF,
                            created_at=datetime(2024, 7, 1, tzinfo=UTC), body=body.decode(),
                            sha256=sha256_hex(body), certified=0))
    db.session.commit()
    result = verify_snapshot(db.session, 1)
    assert result.hash_ok and result.chain_ok and not result.signature_ok
    assert result.problems == ("snapshot 1: signature: missing: the snapshot is not signed",)


def test_postgresql_refuses_truncate(db, scenario):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's (SQLite has none)")
    create_snapshot(db.session, "tn-2022", AS_OF, None)
    db.session.commit()
    for statement in ("TRUNCATE snapshots", "TRUNCATE users CASCADE"):
        with pytest.raises(sa.exc.DBAPIError, match="immutable"):
            db.session.execute(sa.text(statement))
        db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Snapshot)) == 1


def test_a_stale_tip_is_retried_once(db, scenario, monkeypatch, caplog):
    first = create_snapshot(db.session, "tn-2022", AS_OF, None).sha256
    db.session.commit()
    db.session.expunge_all()  # the first one was another writer's, in its own session
    real = snapshots_module.chain_head
    calls = []

    def stale_once(session):
        """The first read misses the snapshot just made (as a racing writer would)."""
        calls.append(1)
        return None if len(calls) == 1 else real(session)

    monkeypatch.setattr(snapshots_module, "chain_head", stale_once)
    second = create_snapshot(db.session, "tn-2022", AS_OF, None)
    db.session.commit()
    assert len(calls) == 2 and second.prev_sha256 == first
    assert "taken by another writer" in caplog.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Snapshot)) == 2


def test_a_tip_taken_twice_is_a_conflict(db, scenario, monkeypatch):
    create_snapshot(db.session, "tn-2022", AS_OF, None)
    db.session.commit()
    monkeypatch.setattr(snapshots_module, "chain_head", lambda session: None)
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
    assert verified.exit_code == 0 and "hash:      ok" in verified.output
    assert "signature: ok" in verified.output
    board, _ = make_user("board", markets=("DAI-TU",))
    refused = runner.invoke(args=["snapshots", "create", "--ruleset", "tn-2022",
                                  "--user", board.name])
    assert refused.exit_code == 1 and "may not create snapshots" in refused.output
    missing = runner.invoke(args=["snapshots", "verify", "42"])
    assert missing.exit_code == 1 and "snapshot 42 does not exist" in missing.output


def test_cli_verifies_the_whole_chain(db, runner, scenario):
    for _ in range(3):
        create_snapshot(db.session, "tn-2022", AS_OF, None)
    db.session.commit()
    clean = runner.invoke(args=["snapshots", "verify"])
    assert clean.exit_code == 0, clean.output
    head = db.session.scalar(sa.select(Snapshot.sha256).where(Snapshot.id == 3))
    assert f"3 snapshots, chain head 3 {head}: ok" in clean.output
    tamper(db, "UPDATE snapshots SET certified = 42 WHERE id = 2")
    broken = runner.invoke(args=["snapshots", "verify"])
    assert broken.exit_code == 1
    assert "snapshot 2: certified: column 42 differs from the body's 1" in broken.output
    assert "1 problem(s)" in broken.output


def _first_use_at_once(app, threads: int = 8) -> tuple[list[str], list[BaseException]]:
    """``signing_key()`` from ``threads`` threads released together."""
    from market40.audit.signing import signing_key

    barrier = threading.Barrier(threads)
    ids: list[str] = []
    errors: list[BaseException] = []

    def first_use() -> None:
        with app.app_context():
            barrier.wait()
            try:
                ids.append(signing_key()[1])
            except BaseException as error:  # noqa: BLE001 - the test reports it
                errors.append(error)

    started = [threading.Thread(target=first_use) for _ in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join(30)
    return ids, errors


def test_the_first_signing_key_is_made_once_and_never_read_half_written(app):
    """Workers signing their first snapshot at once (a new demo install) all get the
    one key; before, a reader could load the file another thread had created but not
    yet written (MalformedFraming) and the snapshot failed."""
    from market40.audit.signing import public_keys

    folder = Path(app.config["SNAPSHOT_KEY_DIR"])
    for _ in range(5):  # the window was small: try it a few times
        for stale in folder.glob("*") if folder.exists() else ():
            stale.unlink()
        ids, errors = _first_use_at_once(app)
        assert not errors and len(ids) == 8 and len(set(ids)) == 1
        with app.app_context():
            assert list(public_keys()) == ids[:1]
        assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
