"""Dated units: codes read with a date, the NQ 1683 mapping, markets in their new communes."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
import sqlalchemy as sa

from market40.errors import InvalidInput
from market40.models import Commune, CommuneChange, District, Market
from market40.registry.geography import commune_on, communes_on, place, successors
from market40.registry.seed import SEEDS_DIR, read_csv

BEFORE, AFTER = date(2025, 6, 30), date(2025, 7, 1)

# The 12 pilots, checked by hand against the text of NQ 1683/NQ-UBTVQH15 Điều 1:
# market: (former commune code, its name, new commune code, new name, khoản).
PILOTS = {
    "THAI": ("05443", "Trưng Vương", "05443", "Phan Đình Phùng", 76),
    "DONG-QUANG": ("05458", "Đồng Quang", "05443", "Phan Đình Phùng", 76),
    "DAN": ("05452", "Tân Thịnh", "05443", "Phan Đình Phùng", 76),
    "QUANG-VINH": ("05434", "Quang Vinh", "05482", "Quan Triều", 81),
    "QUAN-TRIEU": ("05431", "Quán Triều", "05482", "Quan Triều", 81),
    "CHU": ("05569", "Chợ Chu", "05569", "Định Hóa", 4),
    "DU": ("05611", "Đu", "05611", "Phú Lương", 18),
    "DAI-TU": ("05761", "Hùng Sơn", "05488", "Đại Phúc", 2),
    "LA-BANG": ("05815", "La Bằng", "05818", "La Bằng", 31),
    "BA-HANG": ("05860", "Ba Hàng", "05860", "Phổ Yên", 85),
    "PHUC-THUAN": ("05866", "Phúc Thuận", "05857", "Phúc Thuận", 88),
    "TAN-KHANH": ("05917", "Tân Khánh", "05917", "Tân Khánh", 41),
}


def test_two_structures_with_their_dates(reference):
    session = reference.session
    assert len(communes_on(session, BEFORE)) == 172
    after = communes_on(session, AFTER)
    assert len(after) == 92
    kinds = [c.kind for c in after]
    assert (kinds.count("xã"), kinds.count("phường")) == (77, 15)
    assert {c.district_code for c in after} == {None}
    assert {d.valid_to for d in session.scalars(sa.select(District))} == {BEFORE}
    assert len(communes_on(session, date(2022, 4, 25))) == 172  # earlier dates: 2024 units


def test_a_code_is_read_with_a_date(reference):
    session = reference.session
    assert commune_on(session, "05443", BEFORE).name == "Trưng Vương"
    assert commune_on(session, "05443", AFTER).name == "Phan Đình Phùng"
    assert commune_on(session, "05467", BEFORE).name == "Cam Giá"
    assert commune_on(session, "05467", AFTER).name == "Gia Sàng"
    assert commune_on(session, "05761", BEFORE).label == "thị trấn Hùng Sơn"
    assert commune_on(session, "05761", AFTER) is None
    assert commune_on(session, "01843", BEFORE) is None  # phường Bắc Kạn: from 1/7/2025
    assert commune_on(session, "01843", AFTER).label == "phường Bắc Kạn"


def test_every_former_commune_has_its_new_one(reference):
    session = reference.session
    for former in communes_on(session, BEFORE):
        targets = successors(session, former)
        assert targets and all(t.valid_from == AFTER for t in targets), former.code
    split = {c.code for c in communes_on(session, BEFORE) if len(successors(session, c)) > 1}
    assert split == {"05461", "05467", "05932"}  # Gia Sàng, Cam Giá, Thượng Đình
    bac_kan = session.scalars(sa.select(CommuneChange).where(
        CommuneChange.former_province == "Bắc Kạn")).all()
    assert bac_kan and {c.former_id for c in bac_kan} == {None}


@pytest.mark.parametrize("code", sorted(PILOTS))
def test_pilots_are_in_the_new_commune_of_the_resolution(reference, code):
    former_code, former_name, new_code, new_name, clause = PILOTS[code]
    session = reference.session
    market = session.scalar(sa.select(Market).where(Market.code == code))
    assert (market.former_commune.code, market.former_commune.name) == (former_code, former_name)
    assert (market.commune.code, market.commune.name) == (new_code, new_name)
    change = session.scalar(sa.select(CommuneChange).where(
        CommuneChange.former_id == market.former_commune_id,
        CommuneChange.new_id == market.commune_id))
    assert change.source == f"NQ 1683/NQ-UBTVQH15 Điều 1 khoản {clause}"


def test_every_seeded_market_is_in_a_successor_of_its_former_commune(reference):
    session = reference.session
    markets = session.scalars(sa.select(Market)).all()
    assert len(markets) == 140
    for market in markets:
        assert market.commune.valid_to is None and market.commune.valid_from == AFTER
        assert market.former_commune.valid_to == BEFORE
        assert market.district_code == market.former_commune.district_code
        assert market.commune in successors(session, market.former_commune), market.code


def test_place_translates_a_former_commune(reference):
    session = reference.session
    placed = place(session, "05761", today=date(2026, 12, 1))
    assert (placed.commune.code, placed.former_commune.code, placed.district_code) == (
        "05488", "05761", "171")
    # Before the reform the same call reads the code in the 2024 structure.
    placed = place(session, "05761", today=BEFORE)
    assert placed.commune.valid_to == BEFORE
    with pytest.raises(InvalidInput) as error:
        place(session, "05932", today=date(2026, 12, 1))
    assert "05908" in error.value.errors["commune_code"][0]
    with pytest.raises(InvalidInput) as error:
        place(session, "9999", field="commune", today=date(2026, 12, 1))
    assert "commune" in error.value.errors


def test_seed_files_are_what_the_generator_writes():
    pytest.importorskip("vietnam_provinces")
    result = subprocess.run([sys.executable, str(SEEDS_DIR / "tools" / "geography.py"),
                             "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    rows = read_csv("communes-2025.csv")
    assert len(rows) == 92 and len({r["code"] for r in rows}) == 92


def test_commune_codes_are_unique_per_start_date(reference):
    session = reference.session
    pairs = session.execute(sa.select(Commune.code, Commune.valid_from)).all()
    assert len(pairs) == len(set(pairs)) == 172 + 92
