"""Cross-check with an independent decoder: the npm package vietnam-qr-pay (pinned in
node/package.json + package-lock.json). Payloads our encoder writes must decode there to
the same BIN, account, amount, initiation, service and purpose.

Needs node and npm (see ``tests/node.py``: skipped without them, except on CI).
"""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import pytest

from market40.vietqr import decode, encode
from tests.node import node_with

from . import vectors
from .vectors import BANKS

NODE_DIR = Path(__file__).resolve().parent / "node"


@pytest.fixture(scope="module")
def node() -> str:
    return node_with(NODE_DIR, "vietnam-qr-pay")


def npm_decode(node: str, payloads: list[str]) -> list[dict]:
    done = subprocess.run(
        [node, "decode.js"],
        cwd=NODE_DIR,
        input="".join(json.dumps(p) + "\n" for p in payloads),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def our_payloads(count: int = 400) -> list[str]:
    """Static and dynamic, account and card, every bank in the list, assorted text."""
    rng = random.Random(40)
    bins = sorted(BANKS)
    words = ["rau", "thit", "ca", "hang kho", "tap hoa", "an uong", "thanh toan", "tien cho"]
    payloads = []
    for i in range(count):
        card = i % 5 == 0
        account = (
            "9704" + "".join(rng.choices("0123456789", k=12))
            if card
            else "".join(rng.choices("0123456789", k=rng.randint(6, 19)))
        )
        if not card and i % 17 == 1:  # wallet IDs are alphanumeric (MoMo / ZaloPay at BVBank)
            account = f"99MM{rng.randint(10**9, 10**10 - 1)}M{i:04d}"[:19]
        amount = None if i % 3 == 0 else rng.choice([1000, 25000, 180000, 10**12 + i, 1000 + i])
        purpose = None if i % 4 == 0 else f"{rng.choice(words)} {i}"[:25]
        payloads.append(
            encode(
                bank_bin=bins[i % len(bins)],
                account=account,
                service="card" if card else "account",
                amount=amount,
                purpose=purpose,
                bill=f"HD{i}" if i % 7 == 0 else None,
                merchant_name="CHO THAI NGUYEN" if i % 11 == 0 else None,
            )
        )
    return payloads


def test_vietnam_qr_pay_reads_what_we_write(node: str) -> None:
    payloads = our_payloads()
    theirs = npm_decode(node, payloads)
    assert len(theirs) == len(payloads)
    for payload, them in zip(payloads, theirs, strict=True):
        us = decode(payload, banks=BANKS)
        assert them == {
            "isValid": True,
            "bankBin": us.bank_bin,
            "bankNumber": us.account,
            "amount": None if us.amount is None else str(us.amount),
            "initMethod": "11" if us.initiation == "static" else "12",
            "service": us.service,
            "purpose": us.purpose,
        }, payload


def test_published_vectors_agree_and_the_erratum_is_where_we_differ(node: str) -> None:
    good = [vectors.ACB_STATIC, vectors.ACB_DYNAMIC, vectors.SACOMBANK_CARD, vectors.VCB_DYNAMIC,
            vectors.TECHCOMBANK_0283, vectors.MB_LOWERCASE_CRC, vectors.MOMO_WALLET]  # fmt: skip
    for payload, them in zip(good, npm_decode(node, good), strict=True):
        us = decode(payload)
        assert (them["isValid"], them["bankBin"], them["bankNumber"]) == (
            True, us.bank_bin, us.account,
        )  # fmt: skip
    # NAPAS §6.1.1 as printed: vietnam-qr-pay cuts the account to the declared 12 digits and
    # calls it valid; we reject it (tests/vietqr/test_golden.py).
    [them] = npm_decode(node, [vectors.NAPAS_6_1_1_ERRATUM])
    assert (them["isValid"], them["bankNumber"]) == (True, "001101234567")
