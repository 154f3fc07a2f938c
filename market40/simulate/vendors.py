"""Demo vendors for the pilot markets: realistic, deterministic, idempotent.

For each market of ``seeds/markets.csv`` with a ``demo_vendors`` count, vendors are
drawn from ``random.Random`` and Faker ``vi_VN``, both seeded with the seed and the
market code: the same seed gives the same vendors, whatever else the database holds.
They go through the registry's own functions (the same validation as the API, the
workflow, the audit log) under the single actor ``seed``. A market that already has
vendors is left alone, so ``flask seed`` can run any number of times.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from faker import Faker
from sqlalchemy.orm import Session

from market40.localtime import LOCAL_TZ
from market40.models import Market, Vendor
from market40.registry.audit import Change, record_changes, snapshot
from market40.registry.history import move_events, record_many
from market40.registry.seed import SEEDS_DIR, read_csv
from market40.registry.vendors import build_vendors
from market40.registry.workflow import apply_transition
from market40.simulate.vendor_data import (
    BANKS,
    CATEGORIES,
    FEMALE_GIVEN,
    FEMALE_MIDDLE,
    HONORIFICS,
    ID_PROVINCES,
    MALE_GIVEN,
    MALE_MIDDLE,
    PHONE_PREFIXES,
    REJECT_REASONS,
    REVERT_REASONS,
    SURNAMES,
)
from market40.vietqr import fold

log = logging.getLogger(__name__)
# The demo's "today": fixed, so that the data never depends on when it was generated.
DEMO_TODAY = date(2025, 6, 30)
SEED_ACTOR = "seed"
NO_BANK_SHARE = 0.20
# Demo "model markets" (chợ điểm): the board signed every stall up with a bank account and
# cleared its checks, so the official ruleset can certify something real in the demo. The
# other markets keep the pilots' reported mix (about 70% with QR).
MODEL_MARKETS = frozenset({"THAI", "DONG-QUANG"})
MODEL_SETTLED_DAYS = 30  # a model market's newest stall registered this long before "today"


@dataclass
class DemoVendor:
    fields: dict[str, Any]
    created_at: datetime
    # (action, when, reason) applied in order after registration as a draft
    moves: list[tuple[str, datetime, str | None]]


def _weighted(rng: random.Random, table: tuple[tuple[Any, float], ...]) -> Any:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights=weights)[0]


def _at(rng: random.Random, day: date) -> datetime:
    """A moment of a market day (06:00-17:00 local), in UTC."""
    minutes = rng.randint(6 * 60, 17 * 60)
    local = datetime.combine(day, time(minutes // 60, minutes % 60, rng.randint(0, 59)),
                             tzinfo=LOCAL_TZ)
    return local.astimezone(UTC)


def _person(rng: random.Random, faker: Faker) -> tuple[str, bool]:
    female = rng.random() < 0.75  # most stall holders are women
    surname = _weighted(rng, SURNAMES)
    if female:
        middle = "Thị" if rng.random() < 0.7 else rng.choice(FEMALE_MIDDLE)
        given = faker.first_name_female() if rng.random() < 0.3 else rng.choice(FEMALE_GIVEN)
    else:
        middle = "Văn" if rng.random() < 0.6 else rng.choice(MALE_MIDDLE)
        given = faker.first_name_male() if rng.random() < 0.3 else rng.choice(MALE_GIVEN)
    if middle == given:
        middle = "Thị" if female else "Văn"
    return f"{surname} {middle} {given}", female


def _phone(rng: random.Random) -> str:
    return _weighted(rng, PHONE_PREFIXES) + f"{rng.randrange(10_000_000):07d}"


def _national_id(rng: random.Random, female: bool) -> str:
    year = rng.randint(1958, 2004)
    century = 0 if year < 2000 else 2
    return (f"{_weighted(rng, ID_PROVINCES)}{century + int(female)}{year % 100:02d}"
            f"{rng.randrange(1_000_000):06d}")


def _account(rng: random.Random, bank_bin: str, phone: str | None) -> str:
    lengths = next(b[2] for b in BANKS if b[0] == bank_bin)
    if bank_bin == "970422" and phone and rng.random() < 0.5:
        return phone  # MB lets customers use their phone number as the account number
    length = rng.choice(lengths)
    return str(rng.randint(1, 9)) + "".join(str(rng.randrange(10)) for _ in range(length - 1))


def _moves(rng: random.Random, created: datetime, launched: date, today: date,
           has_bank: bool, model: bool = False) -> list[tuple[str, datetime, str | None]]:
    """The vendor's history after registration: mostly approved from the launch on (always
    in a model market)."""
    created_day = created.astimezone(LOCAL_TZ).date()
    recent = (today - created_day).days < 21
    roll = rng.random()
    if model:
        outcome = "approved"
    elif recent:
        outcome = "draft" if roll < 0.4 else "submitted"
    elif has_bank:
        outcome = ("approved" if roll < 0.88 else "submitted" if roll < 0.92
                   else "draft" if roll < 0.95 else "rejected" if roll < 0.97 else "reverted")
    else:
        outcome = "approved" if roll < 0.70 else "draft" if roll < 0.90 else "submitted"
    if outcome == "draft":
        return []
    submitted_day = min(created_day + timedelta(days=rng.randint(0, 3)), today)
    moves = [("submit", max(_at(rng, submitted_day), created), None)]
    if outcome == "submitted":
        return moves
    # The board checks from the launch on, in a backlog that clears over ~2 months.
    earliest = max(submitted_day, launched)
    backlog = int(rng.triangular(0, 60, 3)) if submitted_day <= launched else rng.randint(0, 10)
    decided_day = min(earliest + timedelta(days=backlog), today)
    decided = max(_at(rng, decided_day), moves[0][1] + timedelta(minutes=5))
    if outcome == "approved":
        moves.append(("approve", decided, None))
    elif outcome == "rejected":
        moves.append(("reject", decided, rng.choice(REJECT_REASONS)))
    else:
        moves.append(("revert", decided, rng.choice(REVERT_REASONS)))
    return moves


def _draw_vendors(market: Market, count: int, seed: int, today: date,
                  held: set[tuple[str, str]] | None = None) -> list[DemoVendor]:
    """``held``: (BIN, account) pairs already taken; drawn accounts are added to it, and
    one that is taken is drawn again (one account pays one live vendor)."""
    held = set() if held is None else held
    key = f"{seed}:{market.code}"
    rng = random.Random(key)
    faker = Faker("vi_VN")
    faker.seed_instance(key)
    launched = market.launched_on or today - timedelta(days=365)
    model = market.code in MODEL_MARKETS
    newest = today - timedelta(days=MODEL_SETTLED_DAYS) if model else today
    stall_numbers: dict[str, int] = {}
    drawn: list[DemoVendor] = []
    for _ in range(count):
        category, zone, prefixes = _weighted(rng, CATEGORIES)
        stall_numbers[zone] = stall_numbers.get(zone, 0) + rng.choice((1, 1, 1, 2))
        owner, female = _person(rng, faker)
        given = owner.rsplit(" ", 1)[-1]
        honorific = rng.choice(HONORIFICS[female]) if rng.random() < 0.35 else ""
        phone = _phone(rng) if rng.random() < 0.95 else None
        fields: dict[str, Any] = {
            "stall_code": f"{zone}-{stall_numbers[zone]:03d}",
            "display_name": " ".join(p for p in (rng.choice(prefixes), honorific, given) if p),
            "owner_name": owner,
            "phone": phone,
            "national_id": _national_id(rng, female) if rng.random() < 0.85 else None,
            "goods_category": category,
        }
        has_bank = rng.random() >= NO_BANK_SHARE or model  # the draw keeps the rng in step
        if has_bank:
            bank_bin = _weighted(rng, tuple((b[0], b[1]) for b in BANKS))
            account = _account(rng, bank_bin, phone)
            while (bank_bin, account) in held:
                account = _account(rng, bank_bin, None)
            held.add((bank_bin, account))
            fields.update(bank_bin=bank_bin, account_number=account,
                          account_holder=fold(owner).upper())
        # Most registered in the campaign around the launch, the rest trickled in since.
        if rng.random() < 0.7:
            day = launched + timedelta(days=rng.randint(-45, 30))
        else:
            day = launched + timedelta(days=rng.randint(30, max(31, (today - launched).days)))
        created = _at(rng, min(day, newest))
        drawn.append(DemoVendor(fields, created,
                                _moves(rng, created, launched, today, has_bank, model)))
    return drawn


def held_accounts(session: Session) -> set[tuple[str, str]]:
    """(BIN, account) of every live vendor: a demo vendor never takes one of them."""
    rows = session.execute(
        sa.select(Vendor.bank_bin, Vendor.account_number)
        .where(Vendor.account_number.is_not(None), Vendor.status.not_in(("rejected", "closed"))))
    return {(bank_bin, number) for bank_bin, number in rows}


def seed_market_vendors(session: Session, market: Market, count: int, seed: int,
                        today: date = DEMO_TODAY,
                        held: set[tuple[str, str]] | None = None) -> list[Vendor]:
    """Register ``count`` demo vendors in ``market`` with their workflow history.

    The rows pass the registry's validation and every move the workflow's rules; the
    moves are played before the rows are inserted (one INSERT per batch, no UPDATEs),
    then each step gets its audit entry at its own time.
    """
    if held is None:
        held = held_accounts(session)
    drawn = _draw_vendors(market, count, seed, today, held)
    vendors = build_vendors(session, market, [d.fields for d in drawn], SEED_ACTOR,
                            status="draft", at=[d.created_at for d in drawn])
    histories = []
    for vendor, demo in zip(vendors, drawn, strict=True):
        steps = [("create", demo.created_at, None, snapshot(vendor))]
        events = []
        for action, when, reason in demo.moves:
            had_qr = vendor.qr_issued_at is not None
            old, new = apply_transition(vendor, action, SEED_ACTOR, reason=reason, at=when)
            steps.append((action, when, old, new))
            events.extend(move_events(action, had_qr, vendor, when, SEED_ACTOR))
        histories.append((steps, events))
    session.add_all(vendors)
    session.flush()
    record_many(session, ((vendor.id, event)
                          for vendor, (_, events) in zip(vendors, histories, strict=True)
                          for event in events))
    record_changes(session, SEED_ACTOR, (
        Change(action, "vendor", vendor.id, market.id, old, new, when)
        for vendor, (steps, _) in zip(vendors, histories, strict=True)
        for action, when, old, new in steps))
    return vendors


def seed_demo_vendors(session: Session, seed: int = 40, seeds_dir: Path = SEEDS_DIR,
                      today: date = DEMO_TODAY) -> str:
    """Demo vendors for every market with a ``demo_vendors`` count; returns a summary."""
    wanted = {r["code"]: int(r.get("demo_vendors") or 0) for r in read_csv("markets.csv",
                                                                           seeds_dir)}
    wanted = {code: n for code, n in wanted.items() if n > 0}
    markets = session.scalars(
        sa.select(Market).where(Market.code.in_(wanted)).order_by(Market.code)).all()
    populated = set(session.scalars(
        sa.select(Vendor.market_id).where(Vendor.market_id.in_([m.id for m in markets]))
        .distinct()))
    created = seeded = skipped = 0
    held = held_accounts(session)
    for market in markets:
        if market.id in populated:
            skipped += 1
            continue
        created += len(seed_market_vendors(session, market, wanted[market.code], seed, today,
                                           held))
        seeded += 1
    missing = len(wanted) - len(markets)
    log.info("demo vendors: %d in %d markets (seed %d)", created, seeded, seed)
    summary = f"{created} new in {seeded} market(s), {skipped} market(s) already had vendors"
    return summary + (f", {missing} market(s) not in the database" if missing else "")
