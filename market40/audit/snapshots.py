"""Audit snapshots: a certification frozen as canonical JSON, hash-chained, signed, never changed.

The body (format ``market40.snapshot/2``) holds the snapshot's id, the ruleset
(name, sha256, criteria), the as-of date and window, every market's input figures
and verdict, the summary, who made it (id and name) and when, the previous
snapshot's sha256 and the id of the key that signs it: every stored column is in
it, so the ``sha256`` taken over those bytes (see ``canonical``) covers them all.
The body is then signed with the department's Ed25519 key (``signing``).
The database refuses UPDATE, DELETE and (PostgreSQL) TRUNCATE on the table
(``market40.db.install_database_rules``); this module offers none of them.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer, joinedload

from market40.audit.canonical import (
    canonical_bytes,
    metric_value,
    sha256_hex,
    threshold_value,
    utc_text,
)
from market40.audit.signing import sign, signing_key
from market40.errors import Conflict, NotFound
from market40.models import Snapshot, User, utcnow
from market40.reports.certification import Certification, certify
from market40.reports.metrics import METRICS, ratio_text
from market40.reports.rulesets import Ruleset, load_ruleset

log = logging.getLogger(__name__)
FORMAT = "market40.snapshot/2"


def criteria_body(certification: Certification) -> list[dict[str, Any]]:
    return [
        {"metric": c.metric, "op": c.op, "threshold": threshold_value(c.threshold)}
        for c in certification.ruleset.criteria
    ]


def certification_body(certification: Certification) -> dict[str, Any]:
    """Everything a snapshot freezes about a certification (without chain and author)."""
    ruleset = certification.ruleset
    return {
        "format": FORMAT,
        "ruleset": {
            "name": ruleset.name,
            "sha256": ruleset.sha256,
            "title": ruleset.title,
            "label": ruleset.label,
            "target": ruleset.target,
            "window": ruleset.window,
            "criteria": criteria_body(certification),
        },
        "as_of": certification.as_of.isoformat(),
        "window": ruleset.window,
        "markets": [
            {
                "code": m.code,
                "name": m.name,
                "district_code": m.district_code,
                "commune_code": m.commune_code,
                "grade": m.grade,
                "inputs": {name: metric_value(m.figures.metric(name)) for name in METRICS},
                "criteria": [
                    {
                        "metric": r.criterion.metric,
                        "op": r.criterion.op,
                        "threshold": threshold_value(r.criterion.threshold),
                        "value": metric_value(r.value),
                        "passed": r.passed,
                    }
                    for r in m.criteria
                ],
                "certified": m.certified,
            }
            for m in certification.markets
        ],
        "summary": {
            "certified": certification.certified,
            "target": ruleset.target,
            "progress": ratio_text(certification.progress),
            # Communes in force on as_of; districts are the former ones (until 30/6/2025).
            "by_commune": [
                {"code": g.key, "name": g.name, "certified": g.certified, "markets": g.markets}
                for g in certification.by_commune
            ],
            "by_district": [
                {"code": g.key, "name": g.name, "certified": g.certified, "markets": g.markets}
                for g in certification.by_district
            ],
            "by_grade": [
                {"grade": g.key, "certified": g.certified, "markets": g.markets}
                for g in certification.by_grade
            ],
        },
    }


def chain_tip(session: Session) -> str | None:
    """The sha256 of the latest snapshot (the chain's tip), None before the first."""
    head = chain_head(session)
    return head[1] if head else None


def chain_head(session: Session) -> tuple[int, str] | None:
    """``(id, sha256)`` of the latest snapshot, None before the first."""
    row = session.execute(
        sa.select(Snapshot.id, Snapshot.sha256).order_by(Snapshot.id.desc()).limit(1)
    ).first()
    return (row.id, row.sha256) if row else None


def create_snapshot(
    session: Session, ruleset_name: str, as_of: date | None, user: User | None
) -> Snapshot:
    """Certify, freeze and append to the chain; the caller commits.

    If another snapshot took the chain's tip meanwhile (the unique link refuses the
    insert), the body is rebuilt on the new tip once; a second collision is a Conflict.
    """
    ruleset = load_ruleset(ruleset_name)
    certification = certify(session, ruleset, as_of)
    return append_snapshot(session, ruleset, certification.as_of,
                           certification_body(certification), certification.certified, user)


def append_snapshot(session: Session, ruleset: Ruleset, as_of: date, frozen: dict[str, Any],
                    certified: int, user: User | None) -> Snapshot:
    """Put a frozen certification on the chain's tip, signed; the caller commits."""
    _, key_id = signing_key()
    for attempt in (1, 2):
        created_at = utcnow().replace(microsecond=0)
        # The id is the tip's plus one, chosen here so that the body (and the hash) holds it.
        tip = chain_head(session)
        prev = tip[1] if tip else None
        new_id = tip[0] + 1 if tip else 1
        body = canonical_bytes(
            {
                **frozen,
                "id": new_id,
                "created_at": utc_text(created_at),
                "created_by": user.name if user is not None else None,
                "created_by_id": user.id if user is not None else None,
                "prev_sha256": prev,
                "key_id": key_id,
            }
        )
        signed_by, signature = sign(body)
        if signed_by != key_id:  # rotated meanwhile: build the body again with the new key
            key_id = signed_by
            continue
        snapshot = Snapshot(
            id=new_id,
            key_id=key_id,
            signature=signature,
            ruleset=ruleset.name,
            ruleset_sha256=ruleset.sha256,
            as_of=as_of,
            created_at=created_at,
            created_by_id=user.id if user is not None else None,
            body=body.decode("utf-8"),
            sha256=sha256_hex(body),
            prev_sha256=prev,
            certified=certified,
        )
        try:
            with session.begin_nested():
                session.add(snapshot)
        except IntegrityError:
            log.warning("snapshot chain tip %s taken by another writer (attempt %s)",
                        prev, attempt)
            continue
        log.info("snapshot %s of %s as of %s: %s", snapshot.id, ruleset.name, as_of,
                 snapshot.sha256)
        return snapshot
    raise Conflict("Another snapshot was being created at the same time; try again.")


def snapshots_query(ruleset: str | None = None, *, with_body: bool = False) -> sa.Select:
    """Snapshots, newest first, with their authors (bodies unloaded unless asked for)."""
    statement = (
        sa.select(Snapshot)
        .options(joinedload(Snapshot.author))
        .order_by(Snapshot.id.desc())
    )
    if not with_body:
        statement = statement.options(defer(Snapshot.body))
    if ruleset:
        statement = statement.where(Snapshot.ruleset == ruleset)
    return statement


def get_snapshot(session: Session, snapshot_id: int) -> Snapshot:
    snapshot = session.get(Snapshot, snapshot_id)
    if snapshot is None:
        raise NotFound(f"snapshot {snapshot_id} does not exist")
    return snapshot


def snapshot_body(snapshot: Snapshot) -> dict[str, Any]:
    """The parsed body (the stored text is the evidence; this is for display)."""
    return json.loads(snapshot.body)
