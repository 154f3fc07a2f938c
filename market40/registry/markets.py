"""Markets: look up, create and edit, each change audited."""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from market40.errors import Conflict, InvalidInput, NotFound
from market40.inputpolicy import problem
from market40.models import Market
from market40.models.market import GRADES, MARKET_STATUSES
from market40.registry.audit import Actor, diff, record_change, snapshot
from market40.registry.geography import place
from market40.registry.validation import clean_text

log = logging.getLogger(__name__)

MARKET_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")
TEXT_LIMITS = {"name": 120, "address": 250, "board_name": 150}
EDITABLE_FIELDS = ("name", "commune_code", "former_commune_code", "district_code", "grade",
                   "address", "board_name", "status", "launched_on")


def market_code(code: str) -> str:
    """A market code as stored: codes are upper case, so ``dai-tu`` names ``DAI-TU``
    (and NFKC: full-width ``ＤＡＩ-ＴＵ`` too)."""
    return unicodedata.normalize("NFKC", code).strip().upper()


def find_market(session: Session, code: str) -> Market | None:
    """The one market lookup (API, pages, reports, cards, payments, CLI): any case."""
    if problem(code, multiline=False) is not None:  # input policy: NUL & co. match nothing
        return None
    return session.scalar(sa.select(Market).where(Market.code == market_code(code)))


def get_market(session: Session, code: str) -> Market:
    """:func:`find_market`, or NotFound naming the code."""
    market = find_market(session, code)
    if market is None:
        raise NotFound(f"market {code!r} does not exist")
    return market


def _clean(session: Session, data: Mapping[str, Any], current: Market | None) -> dict[str, Any]:
    """Normalised market fields, or InvalidInput naming every bad one."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in ("code", *TEXT_LIMITS):
        if isinstance(data.get(name), str) and (bad := problem(data[name], multiline=False)):
            errors[name] = [bad]
    if "code" in data and "code" not in errors:
        code = unicodedata.normalize("NFKC", data["code"] or "").strip().upper()
        if not MARKET_CODE.match(code):
            errors["code"] = ["must be 2-40 letters, digits or '-', e.g. DAI-TU"]
        values["code"] = code
    for name, limit in TEXT_LIMITS.items():
        if name in data and name not in errors:
            text = clean_text(data[name])
            if name == "name" and text is None:
                errors[name] = ["is required"]
            elif text is not None and len(text) > limit:
                errors[name] = [f"must be at most {limit} characters"]
            values[name] = text
    if "grade" in data:
        if data["grade"] not in GRADES:
            errors["grade"] = ["must be 1, 2 or 3 (hạng 1: >400 business points, 2: 200-400, "
                               "3: <200)"]
        values["grade"] = data["grade"]
    if "status" in data:
        if data["status"] not in MARKET_STATUSES:
            errors["status"] = [f"must be one of {', '.join(MARKET_STATUSES)}"]
        values["status"] = data["status"]
    if "launched_on" in data:
        launched = data["launched_on"]
        if launched is not None and not isinstance(launched, date):
            errors["launched_on"] = ["must be a date (YYYY-MM-DD)"]
        values["launched_on"] = launched
    if "commune_code" in data or "former_commune_code" in data or current is None:
        commune_code = data.get("commune_code", current.commune_code if current else None)
        try:
            placed = place(session, commune_code or "", data.get("former_commune_code"))
        except InvalidInput as error:
            errors.update(error.errors)
        else:
            values["commune"] = placed.commune
            values["former_commune"] = placed.former_commune
            given = data.get("district_code")
            if given is not None and given != placed.district_code:
                errors["district_code"] = [
                    f"commune {placed.commune.code} ({placed.commune.label}) was in former "
                    f"district {placed.district_code}, not {given}; leave district_code out "
                    "to derive it"
                ]
            values["district_code"] = placed.district_code
    elif "district_code" in data:
        errors["district_code"] = ["is derived from commune_code"]
    if errors:
        raise InvalidInput(errors)
    return values


def create_market(session: Session, data: Mapping[str, Any], actor: Actor) -> Market:
    """Register a market in a current commune (or a former one, translated); its former
    commune and district come with it."""
    required = [n for n in ("code", "name", "commune_code", "grade") if data.get(n) is None]
    if required:
        raise InvalidInput({n: ["is required"] for n in required})
    values = _clean(session, data, None)
    if session.scalar(sa.select(Market.id).where(Market.code == values["code"])) is not None:
        raise Conflict(f"code: market {values['code']} already exists")
    values.setdefault("status", "active")
    market = Market(**values)
    try:
        with session.begin_nested():  # a lost race on the code: a 409, not a 500
            session.add(market)
            session.flush()
    except IntegrityError as error:
        if "uq_markets_code" not in str(error.orig) and "markets.code" not in str(error.orig):
            raise
        raise Conflict(f"code: market {values['code']} already exists") from None
    record_change(session, actor=actor, action="create", entity="market", entity_id=market.code,
                  market_id=market.id, old=None, new=snapshot(market))
    session.flush()
    log.info("created market %s", market.code)
    return market


def update_market(session: Session, market: Market, data: Mapping[str, Any],
                  actor: Actor) -> Market:
    """Change the given fields of ``market``; the code is its stable key and never changes."""
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput({name: ["cannot be changed"] for name in unknown})
    values = _clean(session, data, market)
    before = snapshot(market)
    for name, value in values.items():
        setattr(market, name, value)
    old, new = diff(before, snapshot(market))
    if new:
        record_change(session, actor=actor, action="update", entity="market",
                      entity_id=market.code, market_id=market.id, old=old, new=new)
        session.flush()
    return market


MARKET_IMPORT_COLUMNS = ("code", "name", "commune_code", "former_commune_code", "grade",
                         "address", "board_name", "launched_on")


def import_markets(session: Session, text: str, actor: Actor) -> list[Market]:
    """Register the markets of a CSV text (a header row of ``MARKET_IMPORT_COLUMNS``): every
    row or none (the caller commits, or rolls back on InvalidInput).

    ``commune_code`` is a commune in force today or a former one (translated), as in the
    API: markets of the former Bắc Kạn come in this way. Row errors are
    ``{row, field, message}`` with the file's line number.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ("code", "name", "commune_code", "grade")
               if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput.field("file", f"missing columns: {', '.join(missing)} "
                                 f"(columns: {', '.join(MARKET_IMPORT_COLUMNS)})")
    unknown = [c for c in reader.fieldnames or [] if c not in MARKET_IMPORT_COLUMNS]
    if unknown:
        raise InvalidInput.field("file", f"unknown columns: {', '.join(unknown)}")
    created: list[Market] = []
    problems: list[dict[str, Any]] = []
    for row in reader:
        line = reader.line_num
        data: dict[str, Any] = {k: (v or "").strip() or None for k, v in row.items() if k}
        try:
            if data.get("grade") is not None:
                grade = data["grade"]
                data["grade"] = int(grade) if grade.isascii() and grade.isdigit() else grade
            if data.get("launched_on") is not None:
                try:
                    data["launched_on"] = date.fromisoformat(data["launched_on"])
                except ValueError:
                    raise InvalidInput.field("launched_on", "must be a date (YYYY-MM-DD)") \
                        from None
            created.append(create_market(session, data, actor))
        except InvalidInput as error:
            problems += [{"row": line, "field": field, "message": message}
                         for field, messages in error.errors.items() for message in messages]
        except Conflict as error:
            problems.append({"row": line, "field": "code", "message": error.message})
    if problems:
        raise InvalidInput(problems, message=f"{len(problems)} problem(s): nothing imported")
    if not created:
        raise InvalidInput.field("file", "has no rows")
    return created
