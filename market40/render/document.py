"""The PDF document around what render draws: deterministic canvases, binary streams.

Shared by the stall cards and the enrolment poster.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas

from market40.render.fonts import register_pdf_fonts

__all__ = ["binary_streams", "new_canvas"]

_A85_LOCK = threading.Lock()


@contextmanager
def binary_streams() -> Iterator[None]:
    """Write page streams Flate-compressed without reportlab's default ASCII85 layer.

    ASCII85 only matters for 7-bit channels nobody uses for PDF any more; reportlab
    encodes it in pure Python, which took 0.36 s of a 400-card sheet and made it 20%
    bigger. The switch is a module global in reportlab, so set it only while we write,
    under a lock (rendering is CPU-bound under the GIL anyway).
    """
    with _A85_LOCK:
        saved = rl_config.useA85
        rl_config.useA85 = 0
        try:
            yield
        finally:
            rl_config.useA85 = saved


def new_canvas(out: io.BytesIO, pagesize: tuple[float, float], title: str,
               subject: str = "VietQR stall cards") -> Canvas:
    """A deterministic canvas (``invariant=1``) with the embedded fonts and metadata."""
    regular, _ = register_pdf_fonts()
    # initialFontName: otherwise every page names Helvetica, an unembedded base font.
    canvas = Canvas(out, pagesize=pagesize, invariant=1, pageCompression=1, initialFontName=regular)
    canvas.setTitle(title)
    canvas.setAuthor("market40")
    canvas.setCreator("market40")
    canvas.setSubject(subject)
    return canvas
