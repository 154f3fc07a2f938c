"""``/audit`` with a long snapshot chain: server time of a page, and what verifying costs.

Builds a chain of ``--snapshots`` signed snapshots (default 1,000) on a seeded database
(140 markets, so every body holds 140 markets, ~100 KB, as a real one does) with
``--vendors`` demo vendors. Ten certifications (``--dates`` as-of dates, both rulesets) are
computed for real; the chain is then filled by ``append_snapshot``, the same function
``create_snapshot`` ends with (chain head, id, canonical body, Ed25519 signature,
insert), so only the certifying is reused, not the snapshot path.

``--dates`` sets how many distinct as-of dates the chain holds: the page's remaining
cost is recomputing today's figures once per date it shows (the "changes since" column).

Timed, through the Flask test client as a logged-in auditor (server time, no network):
``/audit`` page 1, a middle page and the last page. Side by side, the page's
verification done the way the previous session did it (``verify_snapshot`` per row:
the chain walked and the bodies before it re-hashed for each row) against
``verify_page`` (links read once, the page's bodies hashed and signature-checked,
today's figures once per as-of date). ``snapshots verify`` of the whole chain is
timed once. Medians of ``--repeat`` runs after a warm-up.

Target: ``/audit`` under 200 ms with 1,000 snapshots.

Usage: ``python bench/bench_audit.py [--snapshots 1000] [--vendors 600] [--repeat 9]
[--backend sqlite postgresql]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa  # noqa: E402
from bench_desk import PASSWORD, logged_in  # noqa: E402
from scratch_db import machine, scratch_database  # noqa: E402

from market40.audit.snapshots import append_snapshot, certification_body  # noqa: E402
from market40.audit.verify import verify_chain, verify_page  # noqa: E402
from market40.auth import create_user  # noqa: E402
from market40.extensions import db  # noqa: E402
from market40.models import Market, Snapshot  # noqa: E402
from market40.reports.certification import certify  # noqa: E402
from market40.reports.rulesets import load_ruleset  # noqa: E402
from market40.simulate.vendors import seed_market_vendors  # noqa: E402
from market40.web.accounts import set_password  # noqa: E402

TARGET_MS = 200
PAGE = 20


def build(n_snapshots: int, n_vendors: int, n_dates: int = 10) -> None:
    markets = db.session.scalars(sa.select(Market).order_by(Market.code)).all()
    per_market = max(1, n_vendors // 12)
    for i, market in enumerate(markets[:12]):
        seed_market_vendors(db.session, market, per_market, seed=40 + i)
    auditor = create_user(db.session, "bench-auditor", "auditor")
    department = create_user(db.session, "bench-department", "department")
    db.session.flush()
    set_password(db.session, auditor.name, PASSWORD, actor="bench")
    db.session.commit()
    frozen = []
    today = date.today()
    for n in range(n_dates):
        ruleset = load_ruleset("tn-2022" if n % 2 == 0 else "tn-pilot-example")
        certification = certify(db.session, ruleset, today - timedelta(days=30 * n))
        frozen.append((ruleset, certification.as_of, certification_body(certification),
                       certification.certified))
    for n in range(n_snapshots):
        ruleset, as_of, body, certified = frozen[n % len(frozen)]
        append_snapshot(db.session, ruleset, as_of, body, certified, department)
        if n % 100 == 99:
            db.session.commit()
    db.session.commit()


def per_row_verification(snapshots: list[Snapshot]) -> None:
    """The previous session's /audit: each row walked the chain and re-hashed every body
    before it (that part is what it cost; ``verify_page`` does the rest of the row)."""
    for snapshot in snapshots:
        rows = db.session.execute(
            sa.select(Snapshot.id, Snapshot.sha256, Snapshot.prev_sha256, Snapshot.body)
            .where(Snapshot.id <= snapshot.id).order_by(Snapshot.id))
        for row in rows:
            hashlib.sha256(row.body.encode("utf-8")).hexdigest()
    verify_page(db.session, snapshots)


def median_ms(action, repeat: int) -> float:
    action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run(backend: str, n_snapshots: int, n_vendors: int, repeat: int,
        profile: bool = False, n_dates: int = 10) -> dict[str, float]:
    with scratch_database(backend) as scratch, tempfile.TemporaryDirectory() as keys:
        app = scratch.app
        app.config["SNAPSHOT_KEY_DIR"] = keys  # a throwaway signing key
        with app.app_context():
            started = time.perf_counter()
            build(n_snapshots, n_vendors, n_dates)
            size = db.session.scalar(sa.select(sa.func.avg(sa.func.length(Snapshot.body))))
            print(f"  built {n_snapshots} signed snapshots (bodies ~{int(size):,} characters) "
                  f"in {time.perf_counter() - started:.0f} s", flush=True)
        client = logged_in(app, "bench-auditor")
        last = (n_snapshots + PAGE - 1) // PAGE
        results: dict[str, float] = {}
        for label, page in (("/audit page 1", 1), ("/audit middle page", last // 2),
                            ("/audit last page", last)):
            status = client.get(f"/audit?page={page}").status_code
            assert status == 200, status
            results[label] = median_ms(lambda p=page: client.get(f"/audit?page={p}"), repeat)
        with app.app_context():
            newest = list(db.session.scalars(
                sa.select(Snapshot).order_by(Snapshot.id.desc()).limit(PAGE)))
            results["verify_page, newest 20"] = median_ms(
                lambda: verify_page(db.session, newest), repeat)
            if profile:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                profiler.runcall(verify_page, db.session, newest)
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
            results["per-row chain walk (previous), newest 20"] = median_ms(
                lambda: per_row_verification(newest), max(1, repeat // 3))
            started = time.perf_counter()
            report = verify_chain(db.session)
            results["snapshots verify (whole chain)"] = (time.perf_counter() - started) * 1000
            assert report.ok and report.count == n_snapshots, report.problems[:3]
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshots", type=int, default=1000)
    parser.add_argument("--vendors", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--profile", action="store_true", help="profile one verify_page")
    parser.add_argument("--dates", type=int, default=10,
                        help="distinct as-of dates in the chain (each page recomputes "
                        "today's figures once per date it shows)")
    parser.add_argument("--backend", nargs="+", default=["sqlite"],
                        choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    print(f"/audit with {args.snapshots} snapshots over {args.dates} as-of dates; {machine()}")
    summary = {}
    for backend in args.backend:
        print(f"{backend}:", flush=True)
        results = run(backend, args.snapshots, args.vendors, args.repeat, args.profile,
                      args.dates)
        for label, ms in results.items():
            mark = ""
            if label.startswith("/audit"):
                mark = "  ok" if ms < TARGET_MS else f"  OVER {TARGET_MS} ms"
            print(f"  {label:45} {ms:9.1f} ms{mark}")
        previous = results["per-row chain walk (previous), newest 20"]
        now = results["verify_page, newest 20"]
        print(f"  verify_page is {previous / now:.0f}x faster than the per-row chain walk")
        summary[backend] = results
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
