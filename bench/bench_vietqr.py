"""Benchmark market40.vietqr against the PyPI package vietnam-qr-pay, side by side.

Both libraries encode and decode the same N distinct dynamic payloads (Vietcombank 970436,
account 1017595600, amount 1000+i, purpose "thanh toan i"), as in the shared reference's
peer-speed baseline. Each phase is timed REPEAT times, alternating the libraries so that
machine noise hits both; the table shows medians and our speed-up.

- encode: ours = ``encode(...)`` with full argument validation; theirs =
  ``QRPay.init_viet_qr(...).build()`` (no validation).
- decode: ours = ``decode(p)`` with full validation (CRC, strict TLV at every level, GUID,
  BIN against a bank list, amount, currency, country) and reading the account; theirs =
  ``QRPay(p)`` (CRC check, lenient parse) and reading ``is_valid`` and the account.

Targets: >= 5x for encode, >= 3x for decode. Before timing, the script checks that both
libraries produce byte-identical payloads and agree on every decoded account.

Usage: ``python bench/bench_vietqr.py [--n 100000] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from market40.vietqr import decode, encode  # noqa: E402

try:
    from vietnam_qr_pay import QRPay
except ImportError:  # pragma: no cover
    sys.exit("vietnam-qr-pay is not installed: pip install vietnam-qr-pay==1.0.0")

BANK_BIN = "970436"
ACCOUNT = "1017595600"
BANKS = {BANK_BIN: "Vietcombank", "970416": "ACB", "970422": "MB Bank", "970415": "VietinBank"}
TARGETS = {"encode": 5.0, "decode": 3.0}


def ours_encode(amounts: list[int], purposes: list[str]) -> list[str]:
    return [
        encode(bank_bin=BANK_BIN, account=ACCOUNT, amount=amount, purpose=purpose)
        for amount, purpose in zip(amounts, purposes, strict=True)
    ]


def theirs_encode(amounts: list[str], purposes: list[str]) -> list[str]:
    return [
        QRPay.init_viet_qr(
            bank_bin=BANK_BIN, bank_number=ACCOUNT, amount=amount, purpose=purpose
        ).build()
        for amount, purpose in zip(amounts, purposes, strict=True)
    ]


def ours_decode(payloads: list[str]) -> int:
    ok = 0
    for payload in payloads:
        ok += decode(payload, banks=BANKS).account == ACCOUNT
    return ok


def theirs_decode(payloads: list[str]) -> int:
    ok = 0
    for payload in payloads:
        qr = QRPay(payload)
        ok += qr.is_valid and qr.consumer.bank_number == ACCOUNT
    return ok


def timed(func: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="payloads per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs per phase (median)")
    args = parser.parse_args(argv)
    n = args.n

    amounts = [1000 + i for i in range(n)]
    amount_texts = [str(a) for a in amounts]
    purposes = [f"thanh toan {i}" for i in range(n)]

    # Same inputs must give the same output, or the comparison means nothing.
    payloads = ours_encode(amounts, purposes)
    if payloads != theirs_encode(amount_texts, purposes):
        sys.exit("the libraries' payloads differ; the benchmark would compare different work")
    if ours_decode(payloads) != n or theirs_decode(payloads) != n:
        sys.exit("a library failed to decode its own payloads")

    phases = {
        "encode": (
            lambda: ours_encode(amounts, purposes),
            lambda: theirs_encode(amount_texts, purposes),
        ),
        "decode": (lambda: ours_decode(payloads), lambda: theirs_decode(payloads)),
    }
    print(
        f"market40.vietqr vs vietnam-qr-pay 1.0.0 (PyPI): {n:,} payloads, median of "
        f"{args.repeat} runs; Python {platform.python_version()} on {platform.machine()}"
    )
    header = f"{'phase':<8}{'ours s':>9}{'ours ops/s':>13}{'peer s':>9}{'peer ops/s':>13}"
    print(f"{header}{'speed-up':>10}{'target':>8}")
    failed = False
    for phase, (ours, theirs) in phases.items():
        ours_times: list[float] = []
        their_times: list[float] = []
        for _ in range(args.repeat):
            ours_times.append(timed(ours))
            their_times.append(timed(theirs))
        mine, peer = statistics.median(ours_times), statistics.median(their_times)
        ratio = peer / mine
        target = TARGETS[phase]
        failed |= ratio < target
        print(
            f"{phase:<8}{mine:>9.3f}{n / mine:>13,.0f}{peer:>9.3f}{n / peer:>13,.0f}"
            f"{ratio:>9.1f}x{target:>6.0f}x{'' if ratio >= target else '  MISSED'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
