"""Every code render prints decodes, in an independent decoder, to the exact payload bytes.

The encoder is zxing-cpp's; the decoder here is jsQR (npm, pinned in node/), which shares
no code with it. PNGs at every ECC level, and the QR of each printed A6 card as poppler
rasterises the PDF.
"""

from __future__ import annotations

import base64
import io
import json
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from market40.render import qr_png, stall_card_pdf
from tests.node import node_with
from tests.render.conftest import ACB_DYNAMIC, ACB_STATIC, make_cards

NODE_DIR = Path(__file__).resolve().parent / "node"


@pytest.fixture(scope="module")
def jsqr():
    node = node_with(NODE_DIR, "jsqr")

    def decode(images: list[Image.Image]) -> list[bytes | None]:
        lines = []
        for image in images:
            grey = image.convert("L")
            lines.append(json.dumps({"width": grey.width, "height": grey.height,
                                     "grey": base64.b64encode(grey.tobytes()).decode()}))
        done = subprocess.run([node, "decode.js"], cwd=NODE_DIR, input="\n".join(lines) + "\n",
                              capture_output=True, text=True, timeout=300, check=True)
        return [None if hex_ is None else bytes.fromhex(hex_)
                for hex_ in map(json.loads, done.stdout.splitlines())]

    return decode


def test_pngs_at_every_ecc_level(jsqr):
    payloads = [ACB_STATIC, ACB_DYNAMIC] + [card.payload for card in make_cards()]
    cases = [(payload, ecc) for payload in payloads for ecc in "LMQH"]
    images = [Image.open(io.BytesIO(qr_png(payload, box_size=4, ecc=ecc)))
              for payload, ecc in cases]
    assert jsqr(images) == [payload.encode() for payload, _ in cases]


def test_printed_cards(jsqr, pdf_to_image):
    cards = make_cards()
    images = [pdf_to_image(stall_card_pdf(card), dpi=150) for card in cards]
    assert jsqr(images) == [card.payload.encode() for card in cards]
