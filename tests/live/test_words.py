"""Amounts in Vietnamese words, the northern reading (mốt, lăm, tư, linh, nghìn)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from market40.live.words import MAX_AMOUNT, amount_in_words, announcement

CASES = [
    # units
    (0, "không"), (1, "một"), (4, "bốn"), (5, "năm"), (7, "bảy"), (9, "chín"),
    # tens: mười before a unit keeps một/bốn; mươi turns them into mốt/tư; 5 is lăm
    (10, "mười"), (11, "mười một"), (14, "mười bốn"), (15, "mười lăm"), (19, "mười chín"),
    (20, "hai mươi"), (21, "hai mươi mốt"), (24, "hai mươi tư"), (25, "hai mươi lăm"),
    (31, "ba mươi mốt"), (44, "bốn mươi tư"), (55, "năm mươi lăm"), (99, "chín mươi chín"),
    # hundreds: a lone unit is joined by linh (never lẻ, the southern word)
    (100, "một trăm"), (101, "một trăm linh một"), (104, "một trăm linh bốn"),
    (105, "một trăm linh năm"), (110, "một trăm mười"), (111, "một trăm mười một"),
    (115, "một trăm mười lăm"), (121, "một trăm hai mươi mốt"), (999, "chín trăm chín mươi chín"),
    # thousands: nghìn (not ngàn); zero hundreds are said inside the number
    (1_000, "một nghìn"), (1_005, "một nghìn không trăm linh năm"),
    (1_010, "một nghìn không trăm mười"), (1_050, "một nghìn không trăm năm mươi"),
    (2_025, "hai nghìn không trăm hai mươi lăm"), (10_000, "mười nghìn"),
    (15_000, "mười lăm nghìn"), (21_000, "hai mươi mốt nghìn"), (25_000, "hai mươi lăm nghìn"),
    (35_500, "ba mươi lăm nghìn năm trăm"), (100_000, "một trăm nghìn"),
    (105_000, "một trăm linh năm nghìn"), (500_000, "năm trăm nghìn"),
    # millions: an all-zero group is left out
    (1_000_000, "một triệu"), (1_000_500, "một triệu năm trăm"),
    (1_000_025, "một triệu không trăm hai mươi lăm"),
    (1_005_000, "một triệu không trăm linh năm nghìn"),
    (2_500_000, "hai triệu năm trăm nghìn"), (120_000_000, "một trăm hai mươi triệu"),
    (10_010_010, "mười triệu không trăm mười nghìn không trăm mười"),
    # billions, and tỷ repeating past a thousand
    (1_000_000_000, "một tỷ"), (1_000_000_005, "một tỷ không trăm linh năm"),
    (2_500_000_000, "hai tỷ năm trăm triệu"),
    (1_234_567_891, "một tỷ hai trăm ba mươi tư triệu năm trăm sáu mươi bảy nghìn "
                    "tám trăm chín mươi mốt"),
    (1_000_000_000_000, "một nghìn tỷ"),
    (MAX_AMOUNT, "chín nghìn chín trăm chín mươi chín tỷ chín trăm chín mươi chín triệu "
                 "chín trăm chín mươi chín nghìn chín trăm chín mươi chín"),
]


@pytest.mark.parametrize(("amount", "words"), CASES)
def test_amount_in_words(amount, words):
    assert amount_in_words(amount) == words


def test_announcement_is_the_sentence_a_soundbox_says():
    assert announcement(25_000) == "Đã nhận hai mươi lăm nghìn đồng"
    assert announcement(1_000_005) == "Đã nhận một triệu không trăm linh năm đồng"


def test_no_southern_words_in_any_amount_shape():
    for amount in list(range(0, 2_100)) + [n * 1_000 + 5 for n in range(1, 2_000, 7)]:
        words = amount_in_words(amount).split()
        assert "lẻ" not in words and "ngàn" not in words, amount
        assert "mốt" not in words or words[words.index("mốt") - 1] == "mươi", amount


@pytest.mark.parametrize("bad", [-1, MAX_AMOUNT + 1, 1.5, "5", True, None])
def test_out_of_range_or_not_an_int_is_refused(bad):
    with pytest.raises(ValueError, match="amount"):
        amount_in_words(bad)


def test_words_module_is_pure():
    code = ("import sys, market40.live.words; "
            "assert 'flask' not in sys.modules and 'sqlalchemy' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
