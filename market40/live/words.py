"""Amounts of đồng read aloud in Vietnamese words, the northern way (Thái Nguyên).

Pure Python: no Flask, no database. The rules a soundbox follows:

- units after a tens word: ``mốt`` for 1 and ``tư`` for 4 after *mươi* (21, 24), but
  ``một``/``bốn`` after *mười* (11, 14); ``lăm`` for 5 after either (15, 25);
- a lone unit after the hundreds is joined by ``linh`` (105: *một trăm linh năm*);
- thousands are ``nghìn`` (the south says *ngàn*), then ``triệu``, then ``tỷ``, which
  repeats (a thousand billion is *một nghìn tỷ*);
- a group of three digits after the first one says its zero hundreds (*không trăm*),
  and a group that is all zeros is left out.

>>> amount_in_words(25_000)
'hai mươi lăm nghìn'
>>> amount_in_words(1_005_000)
'một triệu không trăm linh năm nghìn'
>>> announcement(121_000)
'Đã nhận một trăm hai mươi mốt nghìn đồng'
"""

from __future__ import annotations

__all__ = ["MAX_AMOUNT", "amount_in_words", "announcement"]

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
GROUPS = ("", "nghìn", "triệu")  # then tỷ, read recursively
BILLION = 1_000_000_000
# The largest amount a VietQR payload carries (tag 54: at most 13 characters).
MAX_AMOUNT = 9_999_999_999_999


def _tens_and_units(tens: int, units: int, *, after_hundreds: bool) -> list[str]:
    if tens == 0:
        if units == 0:
            return []
        return (["linh"] if after_hundreds else []) + [DIGITS[units]]
    words = ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
    if units == 1:
        words.append("mốt" if tens > 1 else "một")
    elif units == 4:
        words.append("tư" if tens > 1 else "bốn")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def _group(number: int, *, leading: bool) -> list[str]:
    """Words for 0 < number < 1000; ``leading``: the first group said (no zero hundreds)."""
    hundreds, rest = divmod(number, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or not leading:
        words += [DIGITS[hundreds], "trăm"]
    words += _tens_and_units(tens, units, after_hundreds=bool(words))
    return words


def _below_billion(number: int, *, leading: bool) -> list[str]:
    words: list[str] = []
    groups = []
    while number:
        number, group = divmod(number, 1000)
        groups.append(group)
    for position in range(len(groups) - 1, -1, -1):
        group = groups[position]
        if group == 0:
            continue
        words += _group(group, leading=leading and not words)
        if GROUPS[position]:
            words.append(GROUPS[position])
    return words


def _words(number: int, *, leading: bool) -> list[str]:
    billions, rest = divmod(number, BILLION)
    words: list[str] = []
    if billions:
        words += _words(billions, leading=leading) + ["tỷ"]
    words += _below_billion(rest, leading=leading and not words)
    return words


def amount_in_words(amount: int) -> str:
    """``amount`` (0 to :data:`MAX_AMOUNT`) in words, lower case, without the currency.

    :raises ValueError: ``amount`` is negative, too large or not an int.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValueError(f"amount must be an integer number of đồng, not {amount!r}")
    if not 0 <= amount <= MAX_AMOUNT:
        raise ValueError(f"amount must be between 0 and {MAX_AMOUNT:,}, not {amount:,}")
    if amount == 0:
        return DIGITS[0]
    return " ".join(_words(amount, leading=True))


def announcement(amount: int) -> str:
    """The sentence a soundbox says for a credit: ``"Đã nhận … đồng"``."""
    return f"Đã nhận {amount_in_words(amount)} đồng"
