"""Schemathesis against /api/openapi.json, authenticated as an admin.

Every operation gets ``MARKET40_FUZZ_EXAMPLES`` examples (a few in ``make test``,
hundreds in ``make fuzz``), valid and invalid ones: no response may be a 5xx, and
each must match the status codes, content types and JSON schema its operation
documents. One pytest test per operation, so a failure names its endpoint.

(schemathesis's own pytest plugin, ``schema.parametrize()``, does not run under
pytest 9: it renames ``node._nodeid``, which pytest 9 no longer has. Hypothesis's
``@given`` over ``operation.as_strategy()`` is the same generation without it.)
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS

from tests.fuzz.conftest import FUZZ_EXAMPLES, STATS, api_operations

CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)


@pytest.mark.parametrize(("method", "path"), api_operations(), ids=lambda v: v)
def test_operation_conforms_to_its_schema(api_schema: Any, seeded_app: Any, method: str,
                                          path: str) -> None:
    _app, seeded = seeded_app
    operation = api_schema[path][method]
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, hooks=api_schema.hooks),
        operation.as_strategy(GenerationMode.NEGATIVE, hooks=api_schema.hooks),
    )
    checks = CHECKS.get_by_names(list(CHECK_NAMES))
    label = f"{method} {path}"

    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        # `make test` replays the same examples on every run; `make fuzz` explores.
        derandomize="MARKET40_FUZZ_EXAMPLES" not in os.environ,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call_and_validate(
            headers={"Authorization": f"Bearer {seeded.token}"}, checks=checks)
        STATS.setdefault(label, Counter())[response.status_code] += 1

    run()
