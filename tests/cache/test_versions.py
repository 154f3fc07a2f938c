"""Data versions: bumped by every committed write, in its transaction; never by a rollback."""

from __future__ import annotations

import sqlalchemy as sa

from market40.cache.versions import bump_data_version, read_version
from market40.localtime import local_today
from market40.models import AuditEntry, DataVersion, Market, Vendor
from market40.models.version import GENERAL
from market40.rollups import RollupDeltas, upsert_rollups
from tests import factories
from tests.factories import at


def rows(db) -> dict[int, int]:
    return dict(db.session.execute(sa.select(DataVersion.market_id, DataVersion.version)).all())


def test_a_registry_write_bumps_the_general_row_once_per_transaction(db, make_vendor):
    vendor = make_vendor("DAI-TU")
    db.session.commit()
    before = rows(db)
    vendor.display_name = "Rau cô Lan"
    db.session.flush()
    vendor.owner_name = "Nguyễn Thị Lan"
    db.session.commit()
    after = rows(db)
    assert after[GENERAL] == before[GENERAL] + 1
    assert {k: v for k, v in after.items() if k != GENERAL} == {
        k: v for k, v in before.items() if k != GENERAL}


def test_a_rolled_back_write_bumps_nothing(db, make_vendor):
    vendor = make_vendor("DAI-TU")
    db.session.commit()
    before, version = rows(db), read_version(db.session)
    vendor.display_name = "never"
    db.session.flush()
    bump_data_version(db.session, [vendor.market_id])
    db.session.rollback()
    assert rows(db) == before and read_version(db.session) == version
    # and the marks do not leak into the connection's next transaction
    db.session.execute(sa.select(Market.id)).all()
    db.session.commit()
    assert rows(db) == before


def test_a_payment_bumps_only_its_market(db, make_vendor):
    vendor = make_vendor("DAI-TU")
    other = factories.market(db.session, "DONG-BAM")
    db.session.commit()
    before = {"dai-tu": read_version(db.session, vendor.market_id),
              "dong-bam": read_version(db.session, other.id),
              "all": read_version(db.session), "general": rows(db).get(GENERAL)}
    transaction = factories.record(db.session, vendor, at(local_today()), 10_000,
                                   rollup=False)
    upsert_rollups(db.session, RollupDeltas().extend([transaction]).rows())
    db.session.commit()
    assert read_version(db.session, vendor.market_id).number == before["dai-tu"].number + 1
    assert read_version(db.session, other.id) == before["dong-bam"]
    assert read_version(db.session).number == before["all"].number + 1
    assert rows(db).get(GENERAL) == before["general"]


def test_untracked_tables_bump_nothing(db, make_vendor):
    make_vendor("DAI-TU")
    db.session.commit()
    before = rows(db)
    db.session.add(AuditEntry(actor="test", action="note", entity="vendor", entity_id="1"))
    db.session.commit()
    assert rows(db) == before


def test_core_statements_and_bare_connections_are_tracked(app, db, make_vendor):
    vendor = make_vendor("DAI-TU")
    db.session.commit()
    before = rows(db)[GENERAL]
    db.session.execute(sa.update(Vendor).where(Vendor.id == vendor.id)
                       .values(display_name="Core"))
    db.session.commit()
    assert rows(db)[GENERAL] == before + 1
    with db.engine.begin() as connection:  # no session: the simulator's way
        connection.execute(sa.update(Vendor).where(Vendor.id == vendor.id)
                           .values(display_name="Bare"))
        bump_data_version(connection, [vendor.market_id])
    after = rows(db)
    assert after[GENERAL] == before + 2 and after[vendor.market_id] >= 1


def test_versions_differ_for_every_committed_state_and_time_breaks_ties(db):
    seen = {read_version(db.session).token}
    for _ in range(3):
        bump_data_version(db.session, [1])
        db.session.commit()
        seen.add(read_version(db.session).token)
    assert len(seen) == 4
