"""``flask seed`` makes demo web users that can log in (demo only), printed once."""

from __future__ import annotations

import re

import sqlalchemy as sa

from market40.models import User
from market40.web.accounts import authenticate
from tests import factories


def test_demo_users_are_created_once_and_can_log_in(reference, fake):
    from market40.simulate.demo_users import seed_demo_users

    db = reference
    for serial in range(3):
        factories.vendor(db.session, fake, serial, market_code="THAI")
    created = seed_demo_users(db.session)
    db.session.commit()
    assert [(n, r) for n, r, _ in created] == [
        ("demo-board-1", "board"), ("demo-board-2", "board"),
        ("demo-department", "department"), ("demo-admin", "admin")]
    for name, _, password in created:
        assert len(password) >= 16
        assert authenticate(db.session, name, password) is not None
    boards = db.session.scalars(sa.select(User).where(User.role == "board")).all()
    assert {m.code for b in boards for m in b.markets} == {"THAI"}
    assert seed_demo_users(db.session) == []  # a rerun prints no password again


def test_flask_seed_prints_the_passwords_marked_demo_only(runner, reference):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    lines = re.findall(r"demo web user \(demo only\): (\S+) \((\w+)\) password (\S+)",
                       result.output)
    assert [name for name, _, _ in lines] == ["demo-board-1", "demo-board-2",
                                             "demo-department", "demo-admin"]
    again = runner.invoke(args=["seed"])
    assert "password" not in again.output
