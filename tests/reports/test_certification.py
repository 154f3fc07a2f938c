"""Certification of every market, its KPI, and the ``flask certify`` command."""

from __future__ import annotations

import json
from fractions import Fraction

from market40.localtime import local_today
from market40.reports import certify, load_ruleset
from tests.factories import at, record
from tests.reports.oracle import expected
from tests.reports.scenario import AS_OF


def test_tn_2022_on_the_scenario(db, scenario):
    result = certify(db.session, load_ruleset("tn-2022"), AS_OF)
    assert len(result.markets) == 140
    by_code = {m.code: m for m in result.markets}
    assert [m.code for m in result.markets if m.certified] == ["QUAN-CHU"]
    dai_tu = {r.criterion.metric: (r.value, r.passed) for r in by_code["DAI-TU"].criteria}
    assert dai_tu == {
        "coverage": (Fraction(4, 7), False),
        "fees_cashless_share": (Fraction(2, 3), False),
        "online_products": (1, True),
    }
    thai = {r.criterion.metric: (r.value, r.passed) for r in by_code["THAI"].criteria}
    assert thai["fees_cashless_share"] == (None, False)  # no fee recorded: fails
    assert by_code["DONG-QUANG"].criteria[0].value is None
    assert (result.certified, result.progress) == (1, Fraction(1, 60))
    district = {g.key: g for g in result.by_district}
    assert (district["171"].name, district["171"].certified, district["171"].markets) == (
        "Đại Từ", 1, 21)
    assert sum(g.markets for g in result.by_district) == 140
    grades = {g.key: (g.certified, g.markets) for g in result.by_grade}
    assert grades == {1: (0, 4), 2: (0, 10), 3: (1, 126)}


def test_criteria_values_equal_the_oracle(db, scenario):
    result = certify(db.session, load_ruleset("tn-pilot-example"), AS_OF)
    for market in result.markets:
        if market.code in ("DAI-TU", "LA-BANG", "QUAN-CHU", "THAI", "DONG-QUANG"):
            want = expected(db.session, AS_OF, 30, [market.code])
            assert market.figures.metrics() == want
            for outcome in market.criteria:
                assert outcome.value == want[outcome.criterion.metric]
    assert [m.code for m in result.markets if m.certified] == ["QUAN-CHU"]
    quan_chu = next(m for m in result.markets if m.code == "QUAN-CHU")
    assert [r.value for r in quan_chu.criteria] == [1, Fraction(2, 3)]


def test_pilot_example_passes_at_exactly_seventy_percent(db, make_vendor):
    approved = [make_vendor("LA-BANG") for _ in range(7)]
    for _ in range(3):
        make_vendor("LA-BANG", status="submitted")
    for vendor in approved[:4]:
        record(db.session, vendor, at(local_today(), 0, 1), 10_000)
    db.session.commit()
    result = certify(db.session, load_ruleset("tn-pilot-example"))
    la_bang = next(m for m in result.markets if m.code == "LA-BANG")
    assert [r.value for r in la_bang.criteria] == [Fraction(7, 10), Fraction(4, 7)]
    assert la_bang.certified


def test_cli_prints_a_table_and_the_summary(runner, scenario):
    result = runner.invoke(args=["certify", "--ruleset", "tn-2022", "--as-of", "2024-06-30"])
    assert result.exit_code == 0, result.output
    assert "Certified: 1 of 60 targeted (1.7%), out of 140 markets." in result.output
    quan_chu = next(line for line in result.output.splitlines() if line.startswith("QUAN-CHU"))
    assert "100.0%" in quan_chu and quan_chu.rstrip().endswith("yes")
    dai_tu = next(line for line in result.output.splitlines() if line.startswith("DAI-TU"))
    assert "57.1% ✗" in dai_tu and dai_tu.rstrip().endswith("no")
    assert "Đại Từ 1/21" in result.output


def test_cli_json_and_errors(runner, scenario):
    result = runner.invoke(
        args=["certify", "--ruleset", "tn-pilot-example", "--as-of", "2024-06-30", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["summary"]["certified"] == 1 and data["ruleset"]["name"] == "tn-pilot-example"
    result = runner.invoke(args=["certify", "--ruleset", "nope"])
    assert result.exit_code == 1 and "ruleset 'nope' does not exist" in result.output
    result = runner.invoke(args=["certify", "--ruleset", "tn-2022", "--as-of", "2999-01-01"])
    assert result.exit_code == 1 and "as_of" in result.output
