"""Certification rulesets: versioned TOML files under ``seeds/rulesets/``.

A ruleset is data, not code, identified by its name (the file's stem) and the
sha256 of the file's bytes: a snapshot records both, so an edited file is a new
version that can be told apart. Thresholds are read as exact decimals (TOML
``0.7`` is ``Decimal("0.7")``), so ``coverage >= 0.7`` holds for 7 of 10 vendors.

    name = "tn-2022"
    title = "..."
    source = "..."
    label = "..."          # optional, e.g. "example, not an official ruleset"
    target = 60            # sites the programme aims to certify
    window = 30            # days of activity behind the ratios

    [[criteria]]
    metric = "coverage"    # one of reports.metrics.METRICS
    op = ">="              # >=, >, <=, ==
    threshold = 1.0
"""

from __future__ import annotations

import hashlib
import logging
import operator
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from market40.errors import InvalidInput, NotFound
from market40.reports.adoption import MAX_WINDOW
from market40.reports.metrics import METRICS, MetricValue

log = logging.getLogger(__name__)
RULESETS_DIR = Path(__file__).resolve().parent.parent.parent / "seeds" / "rulesets"
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "==": operator.eq,
}
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
KEYS = {"name", "title", "source", "label", "target", "window", "criteria",
        "declared_qr_counts"}
CRITERION_KEYS = {"metric", "op", "threshold"}


class RulesetError(ValueError):
    """A ruleset file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class Criterion:
    metric: str
    op: str
    threshold: int | Decimal

    def passes(self, value: MetricValue) -> bool:
        """An undefined metric (a ratio over zero) fails its criterion."""
        if value is None:
            return False
        return OPERATORS[self.op](Fraction(value), Fraction(self.threshold))

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.threshold}"


@dataclass(frozen=True, slots=True)
class Ruleset:
    name: str
    title: str
    source: str
    target: int
    window: int
    criteria: tuple[Criterion, ...]
    sha256: str
    label: str | None = None
    # Whether QR sales and fees a board declared (source "declared", not seen by a bank
    # or the API) count as QR; false: they stay in the totals but not in the QR share.
    declared_qr_counts: bool = True


def _problem(path: Path, message: str) -> RulesetError:
    return RulesetError(f"ruleset file {path.name}: {message}")


def _criterion(path: Path, index: int, item: Any) -> Criterion:
    where = f"criteria[{index}]"
    if not isinstance(item, dict):
        raise _problem(path, f"{where} must be a table with metric, op and threshold")
    unknown = set(item) - CRITERION_KEYS
    if unknown:
        raise _problem(path, f"{where} has unknown key(s) {', '.join(sorted(unknown))}")
    metric, op, threshold = item.get("metric"), item.get("op"), item.get("threshold")
    if metric not in METRICS:
        raise _problem(
            path, f"{where}.metric {metric!r} is not a metric (known: {', '.join(METRICS)})"
        )
    if op not in OPERATORS:
        raise _problem(path, f"{where}.op {op!r} is not one of {', '.join(OPERATORS)}")
    if isinstance(threshold, bool) or not isinstance(threshold, int | Decimal):
        raise _problem(path, f"{where}.threshold must be a number, not {threshold!r}")
    if isinstance(threshold, Decimal) and not threshold.is_finite():
        raise _problem(path, f"{where}.threshold must be a finite number")
    return Criterion(metric, op, threshold)


def parse_ruleset(path: Path) -> Ruleset:
    """Read and validate one ruleset file; raise RulesetError naming what is wrong."""
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise _problem(path, f"not valid UTF-8 TOML ({error})") from None
    unknown = set(data) - KEYS
    if unknown:
        raise _problem(path, f"unknown key(s) {', '.join(sorted(unknown))}")
    name = data.get("name")
    if name != path.stem:
        raise _problem(path, f"name {name!r} must match the file name {path.stem!r}")
    if not isinstance(name, str) or not NAME.match(name):
        raise _problem(path, "name must be lowercase letters, digits and dashes")
    for key in ("title", "source"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise _problem(path, f"{key} must be a non-empty string")
    label = data.get("label")
    if label is not None and not isinstance(label, str):
        raise _problem(path, "label must be a string")
    target, window = data.get("target"), data.get("window", 30)
    if isinstance(target, bool) or not isinstance(target, int) or target < 1:
        raise _problem(path, "target must be a whole number of sites, at least 1")
    if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= MAX_WINDOW:
        raise _problem(path, f"window must be a whole number of days from 1 to {MAX_WINDOW}")
    declared = data.get("declared_qr_counts", True)
    if not isinstance(declared, bool):
        raise _problem(path, "declared_qr_counts must be true or false")
    criteria = data.get("criteria")
    if not isinstance(criteria, list) or not criteria:
        raise _problem(path, "criteria must list at least one [[criteria]] table")
    return Ruleset(
        name=name,
        title=data["title"].strip(),
        source=data["source"].strip(),
        target=target,
        window=window,
        criteria=tuple(_criterion(path, i, item) for i, item in enumerate(criteria)),
        sha256=hashlib.sha256(raw).hexdigest(),
        label=label,
        declared_qr_counts=declared,
    )


def load_ruleset(name: str, directory: Path = RULESETS_DIR) -> Ruleset:
    """The ruleset called ``name``; NotFound if there is none, InvalidInput if it is broken."""
    if not NAME.match(name or ""):
        raise InvalidInput.field("ruleset", "must be lowercase letters, digits and dashes")
    path = directory / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(r.name for r in list_rulesets(directory)) or "none"
        raise NotFound(f"ruleset {name!r} does not exist (known: {known})")
    try:
        return parse_ruleset(path)
    except RulesetError as error:
        raise InvalidInput.field("ruleset", str(error)) from None


def list_rulesets(directory: Path = RULESETS_DIR) -> list[Ruleset]:
    """Every valid ruleset, by name; a broken file is logged and left out."""
    rulesets = []
    for path in sorted(directory.glob("*.toml")):
        try:
            rulesets.append(parse_ruleset(path))
        except RulesetError as error:
            log.error("%s", error)
    return rulesets
