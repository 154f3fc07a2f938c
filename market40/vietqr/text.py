"""Free text for VietQR: fold Vietnamese to printable ASCII, fit it to a field's limit.

VietQR's text objects (59, 60, 62.xx) are ANS, the EMV "common character set": printable
ASCII 0x20-0x7E [NAPAS §5.1]. Bank apps show diacritics as garbage or refuse to prefill
them, so market40 writes ASCII only. Folding = Unicode NFKD, drop combining marks, map
``Đ``/``đ`` to ``D``/``d`` (NFKD leaves them alone: they are letters, not D + a mark),
whitespace to a space, and drop what is still not ASCII (emoji, CJK, ...).

NFKD rather than NFD: the same result for Vietnamese, and it also folds the compatibility
characters copy-paste brings in (no-break space, full-width letters).

>>> fold("Nguyễn Thị Đào")
'Nguyen Thi Dao'
>>> fit("Cửa hàng rau củ quả Thái Nguyên", 25)
Fitted(text='Cua hang rau cu qua Thai', changed=True, cut=True)
>>> is_ans("Chuyen tien"), is_ans("Chuyển tiền"), is_ans("tab\\there")
(True, False, False)
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

__all__ = ["Fitted", "fit", "fold", "is_ans"]

# NFKD does not decompose these (they are distinct letters, not a base + combining mark).
_LETTERS = str.maketrans({"Đ": "D", "đ": "d"})


class Fitted(NamedTuple):
    """The result of :func:`fit`: the text to write and what happened to it."""

    text: str
    #: folding changed characters (diacritics removed, characters dropped or replaced)
    changed: bool
    #: the folded text was longer than the limit and was cut
    cut: bool


def is_ans(text: str) -> bool:
    """True if ``text`` is printable ASCII (0x20-0x7E) only: EMV's ANS character set."""
    # str.isprintable() is false for control characters; with isascii() this is exactly
    # 0x20-0x7E, tested in C without a per-character Python loop.
    return text.isascii() and text.isprintable()


def fold(text: str) -> str:
    """Return ``text`` as printable ASCII: diacritics removed, the rest as described above."""
    if text.isascii() and text.isprintable():
        return text
    out: list[str] = []
    for char in unicodedata.normalize("NFKD", text.translate(_LETTERS)):
        if " " <= char <= "~":
            out.append(char)
        elif unicodedata.combining(char):
            continue
        elif char.isspace():
            out.append(" ")
        # anything else (emoji, other scripts, control characters) is dropped
    return "".join(out)


def fit(text: str, limit: int) -> Fitted:
    """Fold ``text`` and cut it to ``limit`` characters, reporting both changes.

    A cut also drops the spaces it leaves at the end (``"... Thai "`` -> ``"... Thai"``).
    """
    folded = fold(text)
    if len(folded) <= limit:
        return Fitted(folded, folded != text, False)
    return Fitted(folded[:limit].rstrip(" "), folded != text, True)
