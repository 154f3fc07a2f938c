"""SQLite: a first load builds the secondary indexes of ``transactions`` once, at the end.

Each secondary index of ``transactions`` costs SQLite 25-40% of its insert rate
(``bench/INGEST.md``). When the simulator starts on an empty ``transactions`` table
(the first ``make run``, a fresh province), nothing can read those indexes yet, so it
drops them, loads, and builds them in one sorted pass each at the end. The unique
index on ``reference`` is never dropped: it is what makes a rerun store nothing twice,
also after a run was killed midway.

A run that was killed leaves the table without its secondary indexes: every run
starts by creating whatever index of the model is missing (:func:`restore_indexes`),
and ``flask simulate`` is the only writer that drops them. PostgreSQL keeps its
indexes (it writes into a live, partitioned table: ``payments.bulk``).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from market40.models import Transaction

log = logging.getLogger(__name__)


def _secondary() -> list[sa.Index]:
    return sorted((index for index in Transaction.__table__.indexes if not index.unique),
                  key=lambda index: index.name)


def _existing(connection: sa.Connection) -> set[str]:
    return {row[1] for row in connection.exec_driver_sql("PRAGMA index_list(transactions)")}


def restore_indexes(engine: sa.Engine) -> list[str]:
    """Create the model's indexes of ``transactions`` that are missing; returns their names."""
    if engine.dialect.name != "sqlite":
        return []
    with engine.begin() as connection:
        missing = [index for index in _secondary() if index.name not in _existing(connection)]
        for index in missing:
            index.create(connection)
            log.info("built index %s", index.name)
    return [index.name for index in missing]


def defer_indexes(engine: sa.Engine) -> list[str]:
    """Drop the secondary indexes when ``transactions`` is empty (SQLite); returns their
    names (empty: nothing was dropped, the load writes through the indexes)."""
    if engine.dialect.name != "sqlite":
        return []
    with engine.begin() as connection:
        if connection.exec_driver_sql("SELECT 1 FROM transactions LIMIT 1").first():
            return []
        present = [index for index in _secondary() if index.name in _existing(connection)]
        for index in present:
            index.drop(connection)
    names = [index.name for index in present]
    if names:
        log.info("empty transactions table: building %s after the load", ", ".join(names))
    return names
