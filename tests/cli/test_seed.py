from __future__ import annotations

import sqlalchemy as sa

from market40.models import Bank, Commune, District, Market


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_seed_reference_data_twice_changes_nothing(runner, db):
    first = runner.invoke(args=["seed", "--no-demo"])
    assert first.exit_code == 0, first.output
    assert "markets: 140 new" in first.output
    counts = (count(db, District), count(db, Commune), count(db, Bank), count(db, Market))
    # 172 communes until 30/6/2025 and 92 from 1/7/2025.
    assert counts == (9, 172 + 92, 66, 140)
    second = runner.invoke(args=["seed", "--no-demo"])
    assert second.exit_code == 0
    assert "0 new, 0 updated" in second.output
    assert (count(db, District), count(db, Commune), count(db, Bank), count(db, Market)) == counts


def test_province_shape(reference):
    db = reference
    grades = dict(db.session.execute(
        sa.select(Market.grade, sa.func.count()).group_by(Market.grade)).all())
    assert grades == {1: 4, 2: 10, 3: 126}
    dai_tu = db.session.scalar(sa.select(Market).where(Market.code == "DAI-TU"))
    # Thị trấn Hùng Sơn (05761, huyện Đại Từ) is in xã Đại Phúc (05488) since 1/7/2025.
    assert (dai_tu.commune_code, dai_tu.former_commune_code, dai_tu.district_code) == (
        "05488", "05761", "171")
    mbv = db.session.get(Bank, "970414")
    assert mbv.short_name == "MBV" and "OceanBank" in mbv.former_names


def test_seed_refreshes_the_cached_bank_names(app, runner, db):
    from market40.codes.banks import bank_names

    with app.app_context():
        db.session.add(Bank(bin="970999", short_name="OldName", name="Test bank", active=True,
                            former_names=[]))
        db.session.commit()
        assert bank_names()["970999"] == "OldName"  # now cached for the app
        db.session.get(Bank, "970999").short_name = "NewName"
        db.session.commit()
        assert bank_names()["970999"] == "OldName"  # the cache does not see it ...
    assert runner.invoke(args=["seed", "--no-demo"]).exit_code == 0
    with app.app_context():
        assert bank_names()["970999"] == "NewName"  # ... until a seed forgets it
