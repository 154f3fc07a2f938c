"""PostgreSQL: a month without a partition, loaded into a table of its own and attached.

The month it gives must be the one the COPY path gives (rows, rollups, reconcile), a
real partition (the parent's indexes and foreign keys, nothing more), and a load that
fails leaves nothing at all: no table, no reference, no rollup.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from market40.errors import Conflict
from market40.models import Transaction
from market40.partitions import ensure_months, forget, partition_name, rollup_partition_name
from market40.payments.bulk import copy_transactions, timestamp_writer
from market40.payments.month_load import MonthLoad, month_is_new
from market40.rollups import reconcile
from tests.payments.helpers import local
from tests.payments.test_copy import rollup_tables, rows_for

# Months no other test writes: the loads below need them without a partition.
MAY, JUNE = date(2019, 5, 1), date(2019, 6, 1)
SIMULATE = ["simulate", "--days", "40", "--until", "2019-06-10", "--seed", "3"]


@pytest.fixture
def pg(app, db):
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    drop_months(db, MAY, JUNE)
    yield app
    drop_months(db, MAY, JUNE)


def drop_months(db, *months: date) -> None:
    """Take the months' (empty) partitions away again, transactions' and daily_rollups',
    and every cached view of them."""
    db.session.remove()
    with db.engine.begin() as connection:
        for month in months:
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {partition_name(month)}")
            connection.exec_driver_sql(
                f"DROP TABLE IF EXISTS {rollup_partition_name(month)}")
    db.engine.dispose()  # the pool's connections cache the attached months


def stored(db) -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(
        sa.select(Transaction.reference, Transaction.vendor_id, Transaction.market_id,
                  Transaction.amount, Transaction.method, Transaction.kind,
                  Transaction.occurred_at).order_by(Transaction.reference)).all()


def partition_shape(db, month: date, name_of=partition_name) -> dict[str, object]:
    """What makes the month's table a partition like the others."""
    name = name_of(month)
    run = db.session.execute
    return {
        "parent": run(sa.text("SELECT inhparent::regclass::text FROM pg_inherits "
                              "WHERE inhrelid = to_regclass(:t)"), {"t": name}).scalar(),
        # each index attached to one of the parent's: none missing, none twice
        "indexes": sorted(run(sa.text(
            "SELECT p.inhparent::regclass::text FROM pg_index i "
            "LEFT JOIN pg_inherits p ON p.inhrelid = i.indexrelid "
            "WHERE i.indrelid = to_regclass(:t)"), {"t": name}).scalars()),
        "constraints": sorted(c.replace(name, "<month>") for c in run(sa.text(
            "SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(:t)"),
            {"t": name}).scalars()),
    }


def test_a_new_month_is_loaded_on_its_own_and_equals_the_copy_path(pg, db, runner,
                                                                     make_vendor):
    for code in ("DAI-TU", "DAI-TU", "THAI"):
        make_vendor(code, created_at=local(2018, 6, 1, 8), qr_issued_at=local(2018, 7, 1))
    db.session.commit()
    result = runner.invoke(args=SIMULATE)
    assert result.exit_code == 0, result.output
    loaded, rollups = stored(db), rollup_tables(db.session)
    months = {row.occurred_at.astimezone(local(2019, 1, 1).tzinfo).date().replace(day=1)
              for row in loaded}
    assert months == {MAY, JUNE} and len(loaded) > 200
    assert list(reconcile(db.session, None)) == []
    # A partition like one the application creates: the parent's six indexes, its
    # foreign key (vendor with its market) and CHECKs, and no bounds CHECK left over.
    ensure_months(db.session.connection(), [date(2019, 8, 1)])
    db.session.commit()
    shape = partition_shape(db, MAY)
    assert shape == partition_shape(db, JUNE) == partition_shape(db, date(2019, 8, 1))
    assert shape["parent"] == "transactions" and len(shape["indexes"]) == 6
    assert None not in shape["indexes"]
    assert "fk_transactions_vendor_id_vendors" in shape["constraints"]
    assert "fk_transactions_market_id_markets" not in shape["constraints"]
    assert not any(name.endswith("_bounds") for name in shape["constraints"])
    # The vendor-day rollups of each month loaded, attached the same way (their key, two
    # indexes and their foreign key, as a month daily_rollups made itself).
    shape = partition_shape(db, MAY, rollup_partition_name)
    assert shape == partition_shape(db, JUNE, rollup_partition_name) == partition_shape(
        db, date(2019, 8, 1), rollup_partition_name)
    assert shape["parent"] == "daily_rollups" and len(shape["indexes"]) == 3
    assert None not in shape["indexes"]
    assert "fk_daily_rollups_vendor_id_vendors" in shape["constraints"]
    assert "fk_daily_rollups_market_id_markets" not in shape["constraints"]
    assert not any(name.endswith("_bounds") for name in shape["constraints"])
    # The references are unique across months as for any other write.
    assert db.session.scalar(sa.text("SELECT count(*) FROM transaction_references")) \
        == len(loaded)

    # The same run again adds nothing (the months exist now: the COPY path's checks).
    assert runner.invoke(args=SIMULATE).exit_code == 0
    assert stored(db) == loaded
    # Through the COPY path into the (now empty) partitions: the same rows and rollups.
    with db.engine.begin() as connection:
        for table in ("transactions", "daily_rollups", "market_daily_rollups",
                      "vendor_qr_months"):
            connection.exec_driver_sql(f"DELETE FROM {table}")
    assert runner.invoke(args=SIMULATE).exit_code == 0
    assert stored(db) == loaded
    assert rollup_tables(db.session) == rollups


def load(db, rows: list[tuple], month: date = MAY) -> None:
    connection = db.session.connection()
    forget(connection)
    month_load = MonthLoad.begin(connection, month)
    assert month_load is not None
    month_load.copy(rows)
    month_load.finish()


def nothing_left(db, references: int, rollups: dict) -> None:
    db.session.rollback()
    db.engine.dispose()
    with db.engine.connect() as connection:
        assert month_is_new(connection, MAY)
    assert db.session.scalar(sa.text("SELECT count(*) FROM transaction_references")) \
        == references
    assert rollup_tables(db.session) == rollups
    assert list(reconcile(db.session, None)) == []


def may_rows(vendors, prefix: str) -> list[tuple]:
    write = timestamp_writer("postgresql")
    return [(vendor.id, vendor.market_id, write(local(2019, 5, day, 9)), 10_000 + day, "qr",
             "sale", "api", f"{prefix}-{vendor.id}-{day}", write(local(2019, 5, day, 9)))
            for vendor in vendors for day in (1, 15, 31)]


@pytest.mark.parametrize("stage", ["rollups", "rollups attach", "attach"])
def test_an_unknown_vendor_fails_the_whole_month(pg, db, make_vendor, monkeypatch, stage):
    """A QR sale is refused by the QR months' foreign key (``rollups``); the month's
    vendor-day rollups have a table of their own, whose ATTACH validates its foreign keys
    (``rollups attach``: a cash sale); without any rollups (``attach``), the ATTACH of
    the transactions validates theirs: no row goes in unchecked."""
    import market40.rollups.staged

    if stage == "attach":
        monkeypatch.setattr(market40.rollups.staged, "upsert_staged_rollups",
                            lambda connection, table, vendor_days=None: None)
    vendor = make_vendor("DAI-TU")
    db.session.commit()
    unknown = [999_999, vendor.market_id, *may_rows([vendor], "x")[0][2:]]
    if stage == "rollups attach":
        unknown[4] = "cash"
    constraint = {"rollups": "fk_vendor_qr_months_vendor_id_vendors",
                  "rollups attach": "fk_daily_rollups_vendor_id_vendors",
                  "attach": "fk_transactions_vendor_id_vendors"}[stage]
    rollups_before = rollup_tables(db.session)
    with pytest.raises(IntegrityError, match=constraint):
        load(db, may_rows([vendor], "ok") + [tuple(unknown)])
    nothing_left(db, 0, rollups_before)
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql(
            f"SELECT to_regclass('{rollup_partition_name(MAY)}')").scalar() is None


def test_a_reference_stored_in_another_month_fails_the_whole_month(pg, db, make_vendor):
    vendors = [make_vendor("DAI-TU"), make_vendor("THAI")]
    db.session.commit()
    copy_transactions(db.session, rows_for(vendors, "kept"))  # January/February 2025
    db.session.commit()
    rollups = rollup_tables(db.session)
    again = rows_for(vendors[:1], "kept")[0]
    with pytest.raises(IntegrityError, match="pk_transaction_references"):
        load(db, may_rows(vendors, "new") + [(*again[:2], *may_rows(vendors, "x")[0][2:7],
                                              again[7], again[8])])
    nothing_left(db, 32, rollups)


def test_a_month_with_a_table_is_not_loaded_again(pg, db, make_vendor):
    vendor = make_vendor("DAI-TU")
    db.session.commit()
    load(db, may_rows([vendor], "a"))
    db.session.commit()
    connection = db.session.connection()
    assert MonthLoad.begin(connection, MAY) is None  # attached: the COPY path's
    db.session.rollback()
    # Detached to the archive: still not a new month, and the COPY path refuses it.
    db.session.execute(sa.text(f"ALTER TABLE transactions DETACH PARTITION "
                               f"{partition_name(MAY)}"))
    db.session.commit()
    db.engine.dispose()
    connection = db.session.connection()
    assert MonthLoad.begin(connection, MAY) is None
    with pytest.raises(Conflict, match="detached"):
        copy_transactions(db.session, may_rows([vendor], "b"))
    db.session.rollback()
