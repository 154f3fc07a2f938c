"""PostgreSQL: the simulator's rows drawn in a second process and handed over as COPY text.

In one process, drawing a row (~7.5 µs of Python) and handing it to COPY tuple by tuple
(~6 µs) take turns on one interpreter lock, while PostgreSQL needs only ~10 µs of CPU a
row for a month load (``payments.month_load``): Python became the limit. Here a process
of its own draws the days and turns each chunk into one ``bytes`` of COPY text, which the
writer sends in one call; drawing and storing then use a core each.

The rows are the same as in one process (each market and day has its own seeded
generator, ``generate``); the vendor-days to skip (already simulated) are read by the
parent before the child starts. The child is *spawned* (a fresh interpreter: it shares
no database connection or thread with the parent) and writes to a pipe: when the
simulator dies, even by SIGKILL, its next write fails and it ends too. It never touches
the database. Only simulator rows go this way: their text needs no COPY escaping
(integers, fixed words, ``sim-...`` references and timestamps).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from market40.payments.bulk import CopyText
from market40.simulate.generate import COPY_TEXT, SimVendor, clock_for, generate_day


@dataclass(frozen=True)
class Work:
    """What the child needs to draw the plan's days."""

    days: list[date]
    vendors: list[SimVendor]
    seed: int
    skips: dict[date, set[int]]  # vendors already simulated, for the days that have any
    new_months: frozenset[date]  # months loaded on their own (``payments.month_load``)
    created_at: str
    chunk_rows: int


@dataclass(frozen=True, slots=True)
class Made:
    """One chunk, as the child made it."""

    rows: CopyText
    days: int
    vendor_days: int
    skipped: int
    seconds: float  # drawing and encoding, in the child
    new_month: date | None
    month_ends: bool


def copy_text(rows: list[tuple[Any, ...]]) -> bytes:
    """Simulator rows (``payments.bulk.COLUMNS`` order, timestamps as text) as COPY text."""
    return "".join([f"{v}\t{m}\t{t}\t{a}\t{me}\t{k}\t{s}\t{r}\t{c}\n"
                    for v, m, t, a, me, k, s, r, c in rows]).encode()


def chunks(work: Work) -> Iterator[Made]:
    """The plan's days in chunks of about ``chunk_rows`` rows, never across a month."""
    parts: list[bytes] = []
    rows = days = vendor_days = skipped = 0
    seconds = 0.0
    for day in work.days:
        started = time.perf_counter()
        skip = work.skips.get(day, set())
        out = generate_day(day, work.vendors, work.seed, skip, clock_for(COPY_TEXT, day),
                           work.created_at)
        parts.append(copy_text(out.rows))
        rows, days = rows + len(out.rows), days + 1
        vendor_days, skipped = vendor_days + out.vendors, skipped + len(skip)
        seconds += time.perf_counter() - started
        month_ends = day == work.days[-1] or (day + timedelta(days=1)).day == 1
        if rows >= work.chunk_rows or month_ends:
            month = day.replace(day=1)
            yield Made(CopyText(b"".join(parts), rows), days, vendor_days, skipped, seconds,
                       month if month in work.new_months else None, month_ends)
            parts, rows, days, vendor_days, skipped, seconds = [], 0, 0, 0, 0, 0.0


def _produce(pipe: Any) -> None:
    """The child: receive the work, send each chunk, then None; an error is sent instead
    of the rest."""
    try:
        work = pipe.recv()
        for made in chunks(work):
            pipe.send(made)
        pipe.send(None)
    except (ConnectionError, EOFError, KeyboardInterrupt):  # the simulator is gone or stopping
        pass
    except BaseException as error:  # noqa: BLE001 - handed to the parent, which raises it
        try:
            pipe.send(error)
        except ConnectionError:
            pass
    finally:
        pipe.close()


class Producer:
    """The child process and the end of its pipe; iterate to receive the chunks."""

    def __init__(self, work: Work) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipe, child_end = context.Pipe()
        # The work (a plan: megabytes) goes over the pipe, not as the process's arguments:
        # those are written to the child while this process still holds the other end of
        # their pipe, so a child that dies while starting (an import failing, a script
        # without a ``__main__`` guard) left the simulator blocked in that write forever.
        self.process = context.Process(target=_produce, args=(child_end,), daemon=True,
                                       name="simulate-generator")
        self.process.start()
        child_end.close()  # a dead child then ends our send (BrokenPipeError) or recv (EOF)
        try:
            self._pipe.send(work)
        except ConnectionError:  # broken pipe or reset: the child is gone
            self._ended_early()

    def _ended_early(self) -> None:
        self.process.join()
        raise RuntimeError("the simulator's generator process ended early "
                           f"(exit code {self.process.exitcode})") from None

    def __iter__(self) -> Iterator[Made]:
        while True:
            try:
                made = self._pipe.recv()
            except (EOFError, ConnectionError):  # closed, or reset with our work unread
                self._ended_early()
            if made is None:
                return
            if isinstance(made, BaseException):
                raise made
            yield made

    def close(self) -> None:
        """Stop the child if it still runs (an aborted run) and reap it."""
        self._pipe.close()
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
