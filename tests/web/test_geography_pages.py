"""Pages show the communes in force, with the former district kept for continuity."""

from __future__ import annotations

import re

from tests.web.test_pages import row_of, text


def test_market_page_shows_the_current_commune_and_the_former_units(client, dashboard):
    page = text(client.get("/markets/DAI-TU"))
    assert re.search(r'data-testid="commune">xã Đại Phúc<', page)
    assert "Trước 1/7/2025: thị trấn Hùng Sơn, huyện Đại Từ" in page
    english = text(client.get("/markets/DAI-TU?lang=en"))
    assert "Until 30/6/2025: thị trấn Hùng Sơn, huyện Đại Từ" in english


def test_overview_groups_by_commune_in_force_and_by_former_district(client, dashboard):
    page = text(client.get("/"))
    assert "Theo xã/phường" in page and "Theo huyện cũ (đến 30/6/2025)" in page
    communes = re.search(r'<table id="communes-table">(.*?)</table>', page, re.S).group(1)
    assert "phường Phan Đình Phùng" in communes and "xã Đại Phúc" in communes
    assert "thị trấn Hùng Sơn" not in communes  # a unit of the past
    row = row_of(page, "THAI")
    assert 'data-label="Xã/phường">phường Phan Đình Phùng<' in row
    assert 'data-label="Huyện cũ">Thái Nguyên<' in row
    before = text(client.get("/?as_of=2025-06-30"))
    communes = re.search(r'<table id="communes-table">(.*?)</table>', before, re.S).group(1)
    assert "thị trấn Hùng Sơn" in communes and "phường Trưng Vương" in communes
