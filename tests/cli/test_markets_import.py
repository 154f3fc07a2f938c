"""``flask markets import``: markets of the merged province come in through the registry."""

from __future__ import annotations

import sqlalchemy as sa

from market40.models import AuditEntry, Market

HEADER = "code,name,commune_code,former_commune_code,grade,address,board_name,launched_on\n"


def test_import_markets_in_current_and_former_communes(runner, reference, tmp_path):
    path = tmp_path / "markets.csv"
    path.write_text(
        HEADER
        + "CHO-BAC-KAN,Chợ Bắc Kạn,01843,,2,\"Tổ 1, phường Bắc Kạn\",BQL chợ Bắc Kạn,\n"
        + "CHO-NA-PHAC,Chợ Nà Phặc,01936,,3,,,2026-03-01\n"
        + "CHO-HUNG-SON-2,Chợ Hùng Sơn 2,05761,,3,,,\n", encoding="utf-8")
    result = runner.invoke(args=["markets", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 market(s) registered." in result.output
    session = reference.session
    bac_kan = session.scalar(sa.select(Market).where(Market.code == "CHO-BAC-KAN"))
    assert (bac_kan.commune.label, bac_kan.district_code, bac_kan.former_commune) == (
        "phường Bắc Kạn", None, None)
    hung_son = session.scalar(sa.select(Market).where(Market.code == "CHO-HUNG-SON-2"))
    assert (hung_son.commune_code, hung_son.former_commune_code, hung_son.district_code) == (
        "05488", "05761", "171")
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.entity == "market", AuditEntry.action == "create")) == 3


def test_import_is_all_or_nothing_with_row_errors(runner, reference, tmp_path):
    path = tmp_path / "markets.csv"
    path.write_text(
        HEADER
        + "CHO-OK,Chợ tốt,01843,,2,,,\n"
        + "CHO-SPLIT,Chợ Gia Sàng 2,05461,,3,,,\n"
        + "DAI-TU,Chợ trùng mã,05488,,3,,,\n"
        + "CHO-BAD,Chợ sai,99999,,4,,,hôm qua\n"
        + "CHO-SUP,Chợ hạng mũ,05488,,²,,,\n", encoding="utf-8")
    result = runner.invoke(args=["markets", "import", str(path)])
    assert result.exit_code == 1
    assert "row 3, commune_code:" in result.output and "split" in result.output
    assert "row 4, code:" in result.output and "DAI-TU" in result.output
    assert "row 5, launched_on:" in result.output
    assert "row 6, grade:" in result.output
    assert reference.session.scalar(
        sa.select(Market).where(Market.code == "CHO-OK")) is None
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\nX,Y\n", encoding="utf-8")
    result = runner.invoke(args=["markets", "import", str(bad)])
    assert result.exit_code == 1 and "missing columns: commune_code, grade" in result.output
