"""Department and admin register and edit markets at the desk, through registry.markets."""

from __future__ import annotations

import sqlalchemy as sa

from market40.models import AuditEntry, Market
from tests.web.desk.conftest import form_token, posted_together


def test_department_adds_a_market_and_edits_its_grade(as_user, db):
    officer = as_user("department")
    commune = db.session.scalar(sa.select(Market).where(Market.code == "DAI-TU")).commune_code
    token = form_token(officer, "/desk/markets/new")
    missing = officer.post("/desk/markets/new", data={"csrf_token": token, "code": "x",
                                                      "name": "", "grade": "3"})
    html = missing.get_data(as_text=True)
    assert missing.status_code == 422
    assert 'id="name-error"' in html and 'id="commune_code-error"' in html
    bad = officer.post("/desk/markets/new", data={"csrf_token": token, "code": "x",
                                                  "name": "Chợ X", "grade": "7",
                                                  "commune_code": commune})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="code-error"' in html and 'id="grade-error"' in html and "hạng 1, 2 hoặc 3" in html
    odd = officer.post("/desk/markets/new", data={"csrf_token": token, "code": "CHO-X",
                                                  "name": "Chợ X", "grade": "²",
                                                  "commune_code": commune})
    assert odd.status_code == 422 and 'id="grade-error"' in odd.get_data(as_text=True)
    assert db.session.scalar(sa.select(Market).where(Market.code == "X")) is None
    created = officer.post("/desk/markets/new", data={
        "csrf_token": token, "code": "cho-moi", "name": "Chợ Mới", "grade": "3",
        "commune_code": commune, "launched_on": "2025-03-01"})
    assert created.status_code == 302, created.get_data(as_text=True)[-1500:]
    assert created.headers["Location"] == "/desk/markets/CHO-MOI/vendors"
    page = officer.get("/desk/markets/CHO-MOI/edit").get_data(as_text=True)
    assert 'value="Chợ Mới"' in page
    again = officer.post("/desk/markets/new", data={
        "csrf_token": token, "code": "CHO-MOI", "name": "Chợ Mới", "grade": "3",
        "commune_code": commune})
    assert again.status_code == 409 and "chợ CHO-MOI đã có" in again.get_data(as_text=True)
    edited = officer.post("/desk/markets/CHO-MOI/edit", data={
        "csrf_token": token, "name": "Chợ Mới", "grade": "2", "commune_code": commune,
        "status": "active"})
    assert edited.status_code == 302
    db.session.expire_all()
    market = db.session.scalar(sa.select(Market).where(Market.code == "CHO-MOI"))
    assert market.grade == 2
    actions = set(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.entity == "market", AuditEntry.entity_id == "CHO-MOI")))
    assert {"create"} <= actions


def test_boards_and_auditors_cannot_edit_markets(as_user):
    for key in ("board", "auditor", "vendor"):
        assert as_user(key).get("/desk/markets/DAI-TU/edit").status_code == 403
    assert as_user("admin").get("/desk/markets/DAI-TU/edit").status_code == 200


def test_two_officers_adding_one_market_code_at_once_get_it_once(app, as_user, db,
                                                                  monkeypatch):
    """Both pass the "code already exists" check before either inserts: one market is
    created, the other officer is told the code exists (409), never a 500."""
    import threading

    from market40.registry import markets

    commune = db.session.scalar(sa.select(Market).where(Market.code == "DAI-TU")).commune_code
    officers = [as_user("department"), as_user("admin")]
    tokens = [form_token(o, "/desk/markets/new") for o in officers]
    barrier = threading.Barrier(2, timeout=2)
    original = markets.Market

    class MarketAfterBothChecked:
        """The model for queries; a new row only once both requests have checked."""

        def __getattr__(self, name: str):
            return getattr(original, name)

        def __call__(self, **values):
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
            return original(**values)

    monkeypatch.setattr(markets, "Market", MarketAfterBothChecked())
    results = posted_together([
        (client, "/desk/markets/new", {"csrf_token": token, "code": "CHO-DUA",
                                       "name": "Chợ Đua", "grade": "3",
                                       "commune_code": commune})
        for client, token in zip(officers, tokens, strict=True)])
    assert sorted(code for code, _ in results) == [302, 409], [c for c, _ in results]
    assert "chợ CHO-DUA đã có" in next(html for code, html in results if code == 409)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Market).where(
        Market.code == "CHO-DUA")) == 1
