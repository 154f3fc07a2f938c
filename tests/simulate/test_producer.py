"""The simulator's generator process (PostgreSQL): the same rows as drawn in one process,
handed over as COPY text; its errors reach the simulator; it never outlives it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from market40.simulate.adoption import Habits
from market40.simulate.generate import SimVendor
from market40.simulate.producer import Producer, Work
from market40.simulate.traffic import plan_simulation, simulate_traffic
from tests.payments.helpers import local
from tests.payments.test_copy import rollup_tables
from tests.payments.test_month_load import (  # noqa: F401 - pg: a fixture
    pg,
    stored,
)

UNTIL = date(2019, 6, 10)
ROOT = Path(__file__).resolve().parents[2]


def run(db, processes: bool) -> int:
    plan = plan_simulation(db.session, days=40, until=UNTIL, seed=5, today=date(2026, 1, 1))
    db.session.commit()
    rows = sum(p.rows for p in simulate_traffic(db.engine, plan, processes=processes))
    db.session.remove()
    return rows


def wipe(db) -> None:
    with db.engine.begin() as connection:
        for table in ("transactions", "daily_rollups", "market_daily_rollups",
                      "vendor_qr_months"):
            connection.exec_driver_sql(f"DELETE FROM {table}")


@pytest.mark.usefixtures("pg")  # PostgreSQL, the months May and June 2019 without partitions
def test_rows_from_the_generator_process_are_those_drawn_in_one(db, make_vendor):
    for code in ("DAI-TU", "DAI-TU", "THAI", "THAI"):
        make_vendor(code, created_at=local(2018, 6, 1, 8), qr_issued_at=local(2018, 7, 1))
    db.session.commit()
    # New months: loaded on their own, from COPY text.
    count = run(db, processes=True)
    expected, rollups = stored(db), rollup_tables(db.session)
    assert count == len(expected) > 300
    # Drawn here, as tuples, through the COPY path into the existing months.
    wipe(db)
    assert run(db, processes=False) == count
    assert stored(db) == expected and rollup_tables(db.session) == rollups
    # COPY text through the COPY path; then a rerun adds nothing (the skips reach the child).
    wipe(db)
    assert run(db, processes=True) == count
    assert stored(db) == expected and rollup_tables(db.session) == rollups
    assert run(db, processes=True) == 0
    assert stored(db) == expected


def vendor(category: str = "rau củ quả") -> SimVendor:
    return SimVendor(1, 1, 1, category, date(2019, 1, 1), None, None, False, None,
                     Habits(1.0, 0.0, 5, 1_000_000))


def work(**changes) -> Work:
    return Work(**{"days": [date(2019, 5, 1 + n) for n in range(30)], "vendors": [vendor()],
                   "seed": 1, "skips": {}, "new_months": frozenset(),
                   "created_at": "2026-01-01 00:00:00+00", "chunk_rows": 1, **changes})


def test_an_error_in_the_generator_process_is_raised_by_the_simulator():
    producer = Producer(work(vendors=[vendor("no such category")]))
    try:
        with pytest.raises(KeyError, match="no such category"):
            list(producer)
    finally:
        producer.close()


def test_the_generator_process_ends_when_the_simulator_is_gone():
    """A simulator killed by SIGKILL closes its end of the pipe: the child's next send
    fails and it ends by itself, without being told."""
    producer = Producer(work(days=[date(2019, 1, 1 + n) for n in range(30)] * 200))
    next(iter(producer))  # running, with more to send than a pipe holds
    producer._pipe.close()
    producer.process.join(timeout=30)
    assert producer.process.exitcode == 0


def test_a_generator_process_that_dies_starting_is_an_error_not_a_hang(tmp_path):
    """A child that cannot start (here: a script without a ``__main__`` guard, which the
    spawned interpreter runs again and which may not start a process from there) ends
    the simulator with an error. It used to wait forever, writing the child its work."""
    script = tmp_path / "unguarded.py"
    script.write_text(textwrap.dedent("""
        from datetime import date, timedelta
        from market40.simulate.producer import Producer
        from tests.simulate.test_producer import work
        days = [date(2019, 1, 1) + timedelta(days=n) for n in range(20_000)]
        list(Producer(work(days=days)))  # more than a pipe holds
    """))
    result = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode != 0
    assert "the simulator's generator process ended early" in result.stderr
