"""Ruleset files: the shipped ones, their identity, and clear errors for broken ones."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from fractions import Fraction

import pytest

from market40.errors import InvalidInput, NotFound
from market40.reports.rulesets import (
    RULESETS_DIR,
    Criterion,
    RulesetError,
    list_rulesets,
    load_ruleset,
    parse_ruleset,
)

GOOD = """
name = "{name}"
title = "A test ruleset"
source = "tests"
target = 5
window = 7

[[criteria]]
metric = "coverage"
op = ">="
threshold = 0.7
"""


def test_tn_2022_is_the_province_target_as_written():
    ruleset = load_ruleset("tn-2022")
    assert ruleset.target == 60 and ruleset.window == 30 and ruleset.label is None
    assert [(c.metric, c.op, c.threshold) for c in ruleset.criteria] == [
        ("coverage", ">=", Decimal("1.0")),
        ("fees_cashless_share", ">=", Decimal("1.0")),
        ("online_products", ">=", 1),
    ]
    assert "wwwiso.com/thai-nguyen-nhan-rong-cho-4-0-a183468" in ruleset.source
    raw = (RULESETS_DIR / "tn-2022.toml").read_bytes()
    assert ruleset.sha256 == hashlib.sha256(raw).hexdigest()


def test_the_pilot_example_is_labelled():
    ruleset = load_ruleset("tn-pilot-example")
    assert ruleset.label == "example, not an official ruleset"
    assert [(c.metric, c.op, c.threshold) for c in ruleset.criteria] == [
        ("coverage", ">=", Decimal("0.7")),
        ("active_rate", ">=", Decimal("0.5")),
    ]
    assert [r.name for r in list_rulesets()] == ["tn-2022", "tn-pilot-example"]


def test_thresholds_are_exact():
    at_least = Criterion("coverage", ">=", Decimal("0.7"))
    assert at_least.passes(Fraction(7, 10))
    assert not at_least.passes(Fraction(699, 1000))
    assert not at_least.passes(None)  # an undefined ratio fails
    assert Criterion("online_products", "==", 1).passes(1)
    assert not Criterion("active_rate", ">", Decimal("0.5")).passes(Fraction(1, 2))
    assert Criterion("fees_cashless_share", "<=", Decimal("0.25")).passes(Fraction(1, 4))


@pytest.mark.parametrize(
    ("replace", "problem"),
    [
        (('metric = "coverage"', 'metric = "happiness"'), "'happiness' is not a metric"),
        (('op = ">="', 'op = "=>"'), "op '=>' is not one of"),
        (("threshold = 0.7", 'threshold = "70%"'), "threshold must be a number"),
        (("target = 5", "target = 0"), "target must be a whole number"),
        (("window = 7", "window = 400"), "window must be a whole number of days"),
        (('title = "A test ruleset"', 'title = ""'), "title must be a non-empty string"),
        (('source = "tests"', 'source = "tests"\ncolour = "red"'), "unknown key(s) colour"),
        (("[[criteria]]", "[[criteria]]\nweight = 2"), "criteria[0] has unknown key(s) weight"),
        (('title = "A', 'title = "A\n'), "not valid UTF-8 TOML"),
    ],
)
def test_broken_files_name_the_problem(tmp_path, replace, problem):
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.format(name="bad").replace(*replace), encoding="utf-8")
    with pytest.raises(RulesetError) as raised:
        parse_ruleset(path)
    assert "bad.toml" in str(raised.value) and problem in str(raised.value)


def test_name_must_match_the_file_and_criteria_are_needed(tmp_path):
    path = tmp_path / "other.toml"
    path.write_text(GOOD.format(name="bad"), encoding="utf-8")
    with pytest.raises(RulesetError, match="must match the file name 'other'"):
        parse_ruleset(path)
    path = tmp_path / "empty.toml"
    path.write_text(GOOD.format(name="empty").split("[[criteria]]")[0], encoding="utf-8")
    with pytest.raises(RulesetError, match="criteria must list at least one"):
        parse_ruleset(path)


def test_loading_by_name(tmp_path, caplog):
    (tmp_path / "good.toml").write_text(GOOD.format(name="good"), encoding="utf-8")
    (tmp_path / "broken.toml").write_text(GOOD.format(name="broken").replace("0.7", "'x'"),
                                          encoding="utf-8")
    assert load_ruleset("good", tmp_path).window == 7
    assert [r.name for r in list_rulesets(tmp_path)] == ["good"]
    assert "broken.toml" in caplog.text
    with pytest.raises(InvalidInput) as raised:
        load_ruleset("broken", tmp_path)
    assert "threshold must be a number" in raised.value.errors["ruleset"][0]
    with pytest.raises(NotFound, match="known: good"):
        load_ruleset("missing", tmp_path)
    with pytest.raises(InvalidInput):
        load_ruleset("../etc/passwd", tmp_path)
