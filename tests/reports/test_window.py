"""A window's report from its parts (``reports.window``) is exactly ``adoption_report``."""

from __future__ import annotations

from datetime import date

import pytest

from market40.reports import adoption_report, resolve_scope
from market40.reports.window import before_range, day_end, days, window_report
from tests.factories import at, record

SCOPES = [("market", "DAI-TU"), ("district", "171"), ("province", None), ("market", "DONG-QUANG")]


@pytest.mark.parametrize(("level", "code"), SCOPES)
def test_the_parts_make_the_report(db, scenario, level, code):
    record(db.session, scenario["d"], at(date(2024, 6, 21)), 11_000)  # after its closing
    record(db.session, scenario["e"], at(date(2024, 6, 29)), 12_000)  # a draft
    scope = resolve_scope(db.session, level, code)
    for as_of in (date(2024, 6, 1), date(2024, 6, 21), date(2024, 6, 30), date(2024, 7, 3)):
        for window in (1, 7, 30):
            first, last = before_range(as_of, window)
            before = None if window == 1 else days(db.session, scope, first, last)
            parts = window_report(scope, as_of, window, day_end(db.session, scope, as_of),
                                  before, days(db.session, scope, as_of, as_of))
            assert parts == adoption_report(db.session, scope, as_of, window), (as_of, window)


def test_a_window_needs_its_days_before(db, scenario):
    scope = resolve_scope(db.session, "market", "DAI-TU")
    as_of = date(2024, 6, 30)
    end, today = day_end(db.session, scope, as_of), days(db.session, scope, as_of, as_of)
    with pytest.raises(ValueError, match="days before"):
        window_report(scope, as_of, 30, end, None, today)
    with pytest.raises(ValueError, match="days before"):
        window_report(scope, as_of, 1, end, today, today)
