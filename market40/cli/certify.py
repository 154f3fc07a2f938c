"""``flask certify --ruleset NAME [--as-of DATE] [--json]``: the certification, as a table."""

from __future__ import annotations

import json
from datetime import date, datetime
from fractions import Fraction

import click

from market40.cli.common import domain_errors
from market40.extensions import db
from market40.reports import Certification, certify, load_ruleset
from market40.reports.metrics import MetricValue


def show(value: MetricValue) -> str:
    if value is None:
        return "-"
    if isinstance(value, Fraction):
        return f"{float(value):.1%}"
    return str(value)


def render_table(certification: Certification) -> str:
    ruleset = certification.ruleset
    criteria = list(ruleset.criteria)
    lines = [
        f"{ruleset.title} [{ruleset.name} sha256 {ruleset.sha256[:12]}]"
        + (f" ({ruleset.label})" if ruleset.label else ""),
        f"as of {certification.as_of.isoformat()}, window {ruleset.window} days; criteria: "
        + ", ".join(str(c) for c in criteria),
        "",
    ]
    header = ["market", "name", "district", "hạng", *(c.metric for c in criteria), "certified"]
    rows = [
        [m.code, m.name, m.district_code, str(m.grade),
         *(show(r.value) + ("" if r.passed else " ✗") for r in m.criteria),
         "yes" if m.certified else "no"]
        for m in certification.markets
    ]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=False)]
    for row in [header, *rows]:
        lines.append("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths,
                                                                              strict=False)))
    lines += [
        "",
        f"Certified: {certification.certified} of {ruleset.target} targeted "
        f"({float(certification.progress):.1%}), out of {len(certification.markets)} markets.",
        "By commune: " + "; ".join(
            f"{g.name} {g.certified}/{g.markets}" for g in certification.by_commune),
        "By former district (until 30/6/2025): " + "; ".join(
            f"{g.name} {g.certified}/{g.markets}" for g in certification.by_district),
        "By hạng: " + "; ".join(f"{g.key}: {g.certified}/{g.markets}"
                                for g in certification.by_grade),
    ]
    return "\n".join(lines)


@click.command("certify")
@click.option("--ruleset", "ruleset_name", required=True, help="Ruleset name, e.g. tn-2022.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Local date (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON instead.")
@domain_errors
def certify_command(ruleset_name: str, as_of: datetime | None, as_json: bool) -> None:
    """Judge every market against a ruleset and print the count against its target."""
    day: date | None = as_of.date() if as_of else None
    certification = certify(db.session, load_ruleset(ruleset_name), day)
    if as_json:
        from market40.api.schemas.reports import CertificationSchema

        click.echo(json.dumps(CertificationSchema().dump(certification), ensure_ascii=False,
                              indent=2))
    else:
        click.echo(render_table(certification))


commands = [certify_command]
