"""Load the reference data under ``seeds/``: units, banks and markets. Idempotent.

Rows are matched on their natural keys (GSO code, BIN, market code): missing ones
are inserted, changed ones updated, nothing is deleted.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from market40.models import Bank, Commune, CommuneChange, District, Market
from market40.models.geo import LAST_DAY_OF_DISTRICTS, REFORM_DAY

log = logging.getLogger(__name__)
SEEDS_DIR = Path(__file__).resolve().parent.parent.parent / "seeds"


@dataclass
class SeedCounts:
    inserted: int = 0
    updated: int = 0

    def __str__(self) -> str:
        return f"{self.inserted} new, {self.updated} updated"


def read_csv(name: str, seeds_dir: Path = SEEDS_DIR) -> list[dict[str, str]]:
    with (seeds_dir / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _upsert(session: Session, model: type, key: Any, values: dict[str, Any], counts: SeedCounts):
    row = session.get(model, key)
    if row is None:
        session.add(model(**values))
        counts.inserted += 1
        return
    _upsert_row(row, values, counts)


def _upsert_row(row: Any, values: dict[str, Any], counts: SeedCounts) -> None:
    changed = False
    for field, value in values.items():
        if getattr(row, field) != value:
            setattr(row, field, value)
            changed = True
    counts.updated += changed


def seed_units(session: Session, seeds_dir: Path = SEEDS_DIR) -> SeedCounts:
    """The 2024 structure (until 30/6/2025), the communes of 1/7/2025 and the mapping."""
    counts = SeedCounts()
    rows = read_csv("units.csv", seeds_dir)
    districts = {r["district_code"]: r for r in rows}
    for code, r in districts.items():
        values = {"code": code, "name": r["district_name"], "kind": r["district_kind"],
                  "valid_from": None, "valid_to": LAST_DAY_OF_DISTRICTS}
        _upsert(session, District, code, values, counts)
    session.flush()
    existing = {(c.code, c.valid_from): c for c in session.scalars(sa.select(Commune))}
    wanted = [
        {"code": r["commune_code"], "name": r["commune_name"], "kind": r["commune_kind"],
         "province_code": "19", "district_code": r["district_code"],
         "valid_from": None, "valid_to": LAST_DAY_OF_DISTRICTS}
        for r in rows
    ] + [
        {"code": r["code"], "name": r["name"], "kind": r["kind"],
         "province_code": r["province_code"], "district_code": None,
         "valid_from": date.fromisoformat(r["valid_from"]),
         "valid_to": date.fromisoformat(r["valid_to"]) if r["valid_to"] else None}
        for r in read_csv("communes-2025.csv", seeds_dir)
    ]
    for values in wanted:
        row = existing.get((values["code"], values["valid_from"]))
        if row is None:
            row = Commune(**values)
            session.add(row)
            existing[(values["code"], values["valid_from"])] = row
            counts.inserted += 1
        else:
            _upsert_row(row, values, counts)
    session.flush()
    seeded = {(c.former_name, c.former_kind, c.former_province, c.new_id): c
              for c in session.scalars(sa.select(CommuneChange))}
    for r in read_csv("commune-changes.csv", seeds_dir):
        former = existing[(r["former_code"], None)] if r["former_code"] else None
        new = existing[(r["new_code"], date.fromisoformat(r["effective"]))]
        values = {"former_id": former.id if former else None, "former_name": r["former_name"],
                  "former_kind": r["former_kind"], "former_province": r["former_province"],
                  "new_id": new.id, "whole": r["whole"] == "true",
                  "effective": date.fromisoformat(r["effective"]), "source": r["source"]}
        row = seeded.get((r["former_name"], r["former_kind"], r["former_province"], new.id))
        if row is None:
            session.add(CommuneChange(**values))
            counts.inserted += 1
        else:
            _upsert_row(row, values, counts)
    session.flush()
    return counts


def seed_banks(session: Session, seeds_dir: Path = SEEDS_DIR) -> SeedCounts:
    counts = SeedCounts()
    for r in read_csv("banks.csv", seeds_dir):
        values = {
            "bin": r["bin"],
            "short_name": r["short_name"],
            "name": r["name"],
            "swift": r["swift"] or None,
            "active": r.get("active", "true").lower() != "false",
            "former_names": [n for n in r.get("former_names", "").split("|") if n],
        }
        _upsert(session, Bank, r["bin"], values, counts)
    session.flush()
    return counts


def seed_markets(session: Session, seeds_dir: Path = SEEDS_DIR) -> SeedCounts:
    counts = SeedCounts()
    by_code = {m.code: m for m in session.scalars(sa.select(Market))}
    communes = {(c.code, c.valid_from): c.id for c in session.scalars(sa.select(Commune))}
    for r in read_csv("markets.csv", seeds_dir):
        values = {
            "code": r["code"],
            "name": r["name"],
            "commune_id": communes[(r["commune_code"], REFORM_DAY)],
            "former_commune_id": (communes[(r["former_commune_code"], None)]
                                  if r["former_commune_code"] else None),
            "district_code": r["district_code"] or None,
            "grade": int(r["grade"]),
            "address": r["address"] or None,
            "board_name": r["board_name"] or None,
            "status": r["status"] or "active",
            "launched_on": date.fromisoformat(r["launched_on"]) if r["launched_on"] else None,
        }
        existing = by_code.get(r["code"])
        if existing is None:
            session.add(Market(**values))
            counts.inserted += 1
        else:
            _upsert_row(existing, values, counts)
    session.flush()
    return counts


def seed_reference(session: Session, seeds_dir: Path = SEEDS_DIR) -> dict[str, SeedCounts]:
    """Units, then banks, then markets (markets refer to communes)."""
    return {
        "units": seed_units(session, seeds_dir),
        "banks": seed_banks(session, seeds_dir),
        "markets": seed_markets(session, seeds_dir),
    }
