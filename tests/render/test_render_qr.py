"""QR matrix, PNG and SVG: each must decode back to exactly its payload with an
independent decoder (zxing-cpp), be deterministic, and reject bad arguments."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import resvg_py
from PIL import Image

import market40.render
from market40.render import qr, qr_matrix, qr_png, qr_runs, qr_svg

SVG_NS = "{http://www.w3.org/2000/svg}"
REPO = Path(market40.render.__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    """Environment for a fresh interpreter that imports this checkout's market40."""
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, **extra}


def test_payload_helper_reproduces_reference_vectors(make_payload, acb_static, acb_dynamic):
    assert make_payload("970416", "257678859") == acb_static
    assert make_payload("970416", "257678859", amount=1000, purpose="Chuyen tien") == acb_dynamic


@pytest.mark.parametrize("ecc", ["L", "M", "Q", "H"])
def test_png_decodes_to_payload(acb_static, decode, ecc):
    image = Image.open(io.BytesIO(qr_png(acb_static, ecc=ecc)))
    assert decode(image) == [acb_static.encode()]


@pytest.mark.parametrize("box_size, border", [(2, 4), (3, 4), (10, 4), (25, 10), (10, 0)])
def test_png_size_and_mode(acb_static, decode, box_size, border):
    image = Image.open(io.BytesIO(qr_png(acb_static, box_size=box_size, border=border)))
    modules = len(qr_matrix(acb_static))
    assert image.mode == "1"  # 1-bit: ~1 KB for a 410 px code
    assert image.size == ((modules + 2 * border) * box_size,) * 2
    if border:  # zxing needs the quiet zone
        assert decode(image) == [acb_static.encode()]


def test_png_is_the_matrix_scaled_with_its_quiet_zone(acb_dynamic):
    """Each module is a box_size square; the border is light; nothing else is drawn."""
    matrix = qr_matrix(acb_dynamic)
    image = Image.open(io.BytesIO(qr_png(acb_dynamic, box_size=7, border=4)))
    width = len(matrix) + 8
    assert image.size == (width * 7, width * 7)
    small = image.resize((width, width), Image.Resampling.NEAREST)
    pixels = small.load()
    for y in range(width):
        for x in range(width):
            inside = 4 <= x < width - 4 and 4 <= y < width - 4
            dark = inside and matrix[y - 4][x - 4]
            assert (pixels[x, y] == 0) == dark, (x, y)


def test_ecc_level_reaches_the_symbol(acb_static):
    import zxingcpp

    for ecc in "LMQH":
        image = Image.open(io.BytesIO(qr_png(acb_static, ecc=ecc)))
        (result,) = zxingcpp.read_barcodes(image)
        assert result.ec_level == ecc


def test_realistic_vendors_all_decode(cards, decode):
    for card in cards:
        for ecc in ("M", "Q"):
            image = Image.open(io.BytesIO(qr_png(card.payload, box_size=4, ecc=ecc)))
            assert decode(image) == [card.payload.encode()]


def test_svg_is_compact_and_well_formed(acb_static):
    svg = qr_svg(acb_static)
    root = ET.fromstring(svg)
    modules = len(qr_matrix(acb_static))
    width = modules + 8
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox") == f"0 0 {width} {width}"
    assert root.get("shape-rendering") == "crispEdges"
    paths = root.findall(f"{SVG_NS}path")
    assert len(paths) == 1  # one path of rectangles, not one element per module
    assert paths[0].get("d").count("M") == len(qr_runs(acb_static)[1])
    assert len(svg) < 6000


def _rasterise_svg(svg: bytes, pixels: int) -> Image.Image:
    png = resvg_py.svg_to_bytes(svg_string=svg.decode(), width=pixels, height=pixels)
    return Image.open(io.BytesIO(bytes(png))).convert("L")


@pytest.mark.parametrize("ecc", ["M", "Q"])
def test_svg_decodes_to_payload(cards, decode, ecc):
    for card in cards:
        svg = qr_svg(card.payload, ecc=ecc)
        modules = len(qr_matrix(card.payload, ecc=ecc)) + 8
        assert decode(_rasterise_svg(svg, modules * 6)) == [card.payload.encode()]


def test_svg_rasterises_to_the_png(acb_dynamic):
    """At a whole number of pixels per module, crisp edges give exactly the PNG."""
    modules = len(qr_matrix(acb_dynamic)) + 8
    svg_pixels = _rasterise_svg(qr_svg(acb_dynamic), modules * 5).point(lambda v: 255 * (v > 127))
    png = Image.open(io.BytesIO(qr_png(acb_dynamic, box_size=5))).convert("L")
    assert svg_pixels.tobytes() == png.tobytes()


@pytest.mark.skipif(shutil.which("rsvg-convert") is None, reason="rsvg-convert not installed")
def test_svg_decodes_with_librsvg_too(acb_dynamic, decode, tmp_path):
    """A second, unrelated SVG renderer (the one GNOME and many servers use)."""
    source = tmp_path / "code.svg"
    source.write_bytes(qr_svg(acb_dynamic))
    png = subprocess.run(
        ["rsvg-convert", "-w", "400", "-h", "400", "-b", "white", str(source)],
        check=True,
        capture_output=True,
    ).stdout
    assert decode(Image.open(io.BytesIO(png))) == [acb_dynamic.encode()]


def test_matrix_shape_and_immutability(acb_static):
    matrix = qr_matrix(acb_static)
    size = len(matrix)
    assert size == 33  # version 4 at ECC M for the 90-character static payload
    assert all(len(row) == size for row in matrix)
    # Finder pattern in the top-left corner: 7 dark, then the light separator.
    assert matrix[0][:8] == (True,) * 7 + (False,)
    assert isinstance(matrix, tuple) and isinstance(matrix[0], tuple)  # cached: read-only
    assert qr_matrix(acb_static) == matrix


def test_runs_cover_exactly_the_dark_modules(acb_dynamic):
    matrix = qr_matrix(acb_dynamic)
    size, runs = qr_runs(acb_dynamic)
    assert size == len(matrix)
    dark = {(y, x + i) for y, x, w in runs for i in range(w)}
    assert dark == {(y, x) for y, row in enumerate(matrix) for x, m in enumerate(row) if m}


def test_same_input_same_bytes(acb_static):
    png, svg = qr_png(acb_static), qr_svg(acb_static)
    qr._rows.cache_clear()
    qr._runs.cache_clear()
    assert qr_png(acb_static) == png
    assert qr_svg(acb_static) == svg
    assert b"tIME" not in png and b"tEXt" not in png  # no timestamps or comments
    assert qr_png(acb_static, ecc="Q") != png


def test_output_is_the_same_in_another_process(acb_static):
    """No hash-seed or clock dependence: a fresh interpreter gives the same bytes."""
    script = (
        "import hashlib, sys\n"
        "from market40.render import qr_png, qr_svg\n"
        "p = sys.argv[1]\n"
        "print(hashlib.sha256(qr_png(p) + qr_svg(p)).hexdigest())\n"
    )
    expected = hashlib.sha256(qr_png(acb_static) + qr_svg(acb_static)).hexdigest()
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", script, acb_static],
            check=True,
            capture_output=True,
            text=True,
            env=_env(PYTHONHASHSEED=seed),
        )
        assert done.stdout.strip() == expected


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"box_size": 0}, "box_size"),
        ({"box_size": 51}, "box_size"),
        ({"box_size": 2.5}, "box_size"),
        ({"box_size": "10"}, "box_size"),
        ({"box_size": True}, "box_size"),
        ({"border": -1}, "border"),
        ({"border": 21}, "border"),
        ({"ecc": "X"}, "ecc"),
        ({"ecc": "m"}, "ecc"),
        ({"ecc": None}, "ecc"),
    ],
)
def test_png_rejects_bad_arguments(acb_static, kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        qr_png(acb_static, **kwargs)


@pytest.mark.parametrize(
    "kwargs, argument",
    [({"border": 99}, "border"), ({"border": None}, "border"), ({"ecc": "Z"}, "ecc")],
)
def test_svg_rejects_bad_arguments(acb_static, kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        qr_svg(acb_static, **kwargs)


@pytest.mark.parametrize("payload", ["", None, b"000201"])
@pytest.mark.parametrize("render", [qr_matrix, qr_png, qr_svg, qr_runs])
def test_rejects_bad_payloads(render, payload):
    with pytest.raises(ValueError, match="payload"):
        render(payload)


def test_rejects_payload_too_long_for_qr():
    with pytest.raises(ValueError, match="payload is too long"):
        qr_png("x" * 2000, ecc="H")


def test_render_imports_no_web_or_database_stack():
    """STYLE rule 5: render knows nothing about banks, Flask or the database."""
    script = (
        "import sys, market40.render\n"
        "bad = [m for m in ('flask', 'sqlalchemy', 'market40.vietqr', 'market40.codes.banks',"
        " 'market40.models') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, env=_env()
    )
    assert done.stdout.strip() == ""
