from __future__ import annotations

import pytest

from tests.reports import scenario as _scenario


@pytest.fixture
def scenario(db, make_vendor):
    """The hand-built data set of tests/reports/scenario.py (as of 30 June 2024)."""
    return _scenario.build(db.session, make_vendor)
