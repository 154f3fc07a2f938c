"""``flask vendors import|list``: the same rules as the API, for a board at a terminal."""

from __future__ import annotations

import sqlalchemy as sa

from market40.models import AuditEntry, Vendor
from tests.registry.helpers import HEADER, csv_file, xlsx_file


def rows(count: int) -> list[list[object]]:
    return [HEADER] + [
        [f"B-{n:03d}", f"Thịt lợn Hùng {n}", "Hoàng Văn Hùng", f"0977000{n:03d}", "", "thịt",
         "BIDV", f"21510000{n:04d}", "HOANG VAN HUNG"] for n in range(1, count + 1)]


def test_import_prints_a_summary(runner, reference, make_user, tmp_path):
    make_user("board", markets=("DAI-TU",), name="bq-daitu")
    path = tmp_path / "ds.xlsx"
    path.write_bytes(xlsx_file(rows(4)))
    result = runner.invoke(args=["vendors", "import", str(path), "--market", "dai-tu",
                                 "--as", "bq-daitu"])
    assert result.exit_code == 0, result.output
    assert "Imported 4 vendor(s) into DAI-TU as submitted (maker: bq-daitu)" in result.output
    db = reference
    vendors = db.session.scalars(sa.select(Vendor)).all()
    assert {v.status for v in vendors} == {"submitted"} and {v.bank_bin for v in vendors} == {
        "970418"}
    assert {v.made_by.name for v in vendors} == {"bq-daitu"}
    listed = runner.invoke(args=["vendors", "list", "--market", "DAI-TU", "--status",
                                 "submitted"])
    assert listed.exit_code == 0
    assert listed.output.count("\n") == 5 and "B-004\tThịt lợn Hùng 4" in listed.output
    assert "4 vendor(s) in DAI-TU" in listed.output


def test_bad_file_exits_1_with_every_row_error_and_stores_nothing(runner, reference, tmp_path):
    bad = rows(3)
    bad[1][3] = "12"
    bad[3][6] = "Ngân hàng X"
    path = tmp_path / "ds.csv"
    path.write_bytes(csv_file(bad))
    result = runner.invoke(args=["vendors", "import", str(path), "--market", "DAI-TU"])
    assert result.exit_code == 1
    assert "row 2, phone:" in result.output and "row 4, bank_bin:" in result.output
    assert "nothing was imported" in result.output
    db = reference
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Vendor)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_import_checks_the_user(runner, reference, make_user, tmp_path):
    make_user("board", markets=("THAI",), name="bq-thai")
    path = tmp_path / "ds.csv"
    path.write_bytes(csv_file(rows(1)))
    result = runner.invoke(args=["vendors", "import", str(path), "--market", "DAI-TU",
                                 "--as", "bq-thai"])
    assert result.exit_code == 1 and "DAI-TU" in result.output
    result = runner.invoke(args=["vendors", "import", str(path), "--market", "DAI-TU",
                                 "--as", "nobody"])
    assert result.exit_code == 1 and "nobody" in result.output
    result = runner.invoke(args=["vendors", "import", str(path), "--market", "NOPE"])
    assert result.exit_code == 1 and "NOPE" in result.output
    # Without --as, the "cli" actor is the maker.
    result = runner.invoke(args=["vendors", "import", str(path), "--market", "DAI-TU"])
    assert result.exit_code == 0 and "maker: cli" in result.output
    db = reference
    assert set(db.session.scalars(sa.select(AuditEntry.actor))) == {"cli"}
