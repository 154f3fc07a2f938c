"""Diacritic folding and fitting free text to a field's limit."""

from __future__ import annotations

import pytest

from market40.vietqr import fit, fold
from market40.vietqr.text import Fitted, is_ans


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nguyễn Thị Đào", "Nguyen Thi Dao"),
        ("ĐẶNG VĂN ĐỨC", "DANG VAN DUC"),
        ("Chợ Đồng Hỷ", "Cho Dong Hy"),
        ("Phường Hoàng Văn Thụ, Thái Nguyên", "Phuong Hoang Van Thu, Thai Nguyen"),
        ("ưu đãi ƯỚC ƠN", "uu dai UOC ON"),
        ("thanh toán tiền rau", "thanh toan tien rau"),
        # already decomposed input (macOS, some keyboards): NFD in, same result
        ("Nguye\u0302\u0303n", "Nguyen"),
        ("no\u00a0break", "no break"),  # no-break space from copy-paste
        ("ｆｕｌｌ width", "full width"),  # NFKD folds compatibility characters
        ("tab\there\nnewline", "tab here newline"),
        ("cà phê ☕", "ca phe "),  # what cannot be folded is dropped
        ("plain ASCII ~!@#", "plain ASCII ~!@#"),
        ("", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded
    assert is_ans(folded) or folded == ""


def test_fold_returns_ascii_text_unchanged() -> None:
    text = "Chuyen tien"
    assert fold(text) is text


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Chuyen tien", 25, Fitted("Chuyen tien", False, False)),
        ("Chuyển tiền", 25, Fitted("Chuyen tien", True, False)),
        ("a" * 30, 25, Fitted("a" * 25, False, True)),
        ("Cửa hàng rau củ quả Thái Nguyên", 25, Fitted("Cua hang rau cu qua Thai", True, True)),
        ("Thành phố Thái Nguyên", 15, Fitted("Thanh pho Thai", True, True)),
        ("exactly fifteen", 15, Fitted("exactly fifteen", False, False)),
        ("☕☕", 25, Fitted("", True, False)),
    ],
)
def test_fit(text: str, limit: int, expected: Fitted) -> None:
    assert fit(text, limit) == expected
    assert len(expected.text) <= limit


@pytest.mark.parametrize(
    ("text", "ans"),
    [("Chuyen tien", True), (" ~", True), ("Chuyển", False), ("a\tb", False), ("\x7f", False)],
)
def test_is_ans(text: str, ans: bool) -> None:
    assert is_ans(text) is ans
