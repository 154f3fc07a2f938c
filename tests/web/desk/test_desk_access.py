"""Every role on every desk page: the access table decides, with the session user.

Anonymous visitors are sent to the login page; a role without the page's permission
gets 403; a board user of another market gets 403 on this market's pages; the join
pages are public (with the poster's key).
"""

from __future__ import annotations

import sqlalchemy as sa

from market40.auth.access import ENDPOINTS, PUBLIC, endpoint_key, web_guarded
from market40.auth.policy import PERMISSIONS
from market40.models import Vendor

ROLE = {"admin": "admin", "department": "department", "auditor": "auditor",
        "board": "board", "other_board": "board", "vendor": "vendor"}


def desk_rules(app) -> set[str]:
    return {endpoint_key(method, rule.rule) for rule in app.url_map.iter_rules()
            if web_guarded(rule.rule) for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_desk_route_has_a_row_and_every_row_a_route(app):
    rules = desk_rules(app)
    table = {key for key in ENDPOINTS if web_guarded(key.split(" ", 1)[1])}
    assert sorted(rules - table) == []
    assert sorted(table - rules) == []


def test_every_role_on_every_desk_page(as_user, app, db, desk):
    vendor = db.session.scalar(sa.select(Vendor).where(Vendor.stall_code.is_not(None))
                               .join(Vendor.market).where(Vendor.market.has(code="DAI-TU")))
    paths = {
        "GET /desk": "/desk",
        "GET /desk/markets/<code>/vendors": "/desk/markets/DAI-TU/vendors",
        "GET /desk/markets/<code>/vendors/new": "/desk/markets/DAI-TU/vendors/new",
        "GET /desk/vendors/<vendor_id>": f"/desk/vendors/{vendor.id}",
        "GET /desk/approvals": "/desk/approvals",
        "GET /desk/markets/<code>/import": "/desk/markets/DAI-TU/import",
        "GET /desk/markets/<code>/cards": "/desk/markets/DAI-TU/cards",
        "GET /desk/markets/<code>/poster": "/desk/markets/DAI-TU/poster",
        "GET /desk/markets/<code>/poster.pdf": "/desk/markets/DAI-TU/poster.pdf",
    }
    scoped = {key for key in paths if ENDPOINTS[key].scope in ("market", "vendor")}
    problems = []
    anonymous = app.test_client()
    for path in paths.values():
        got = anonymous.get(path)
        if got.status_code != 302 or not got.headers["Location"].startswith("/login"):
            problems.append(f"anonymous {path}: {got.status_code}")
    for who, role in ROLE.items():
        client = as_user(who)
        for key, path in paths.items():
            access = ENDPOINTS[key]
            allowed = access.permission == PUBLIC or role in PERMISSIONS[access.permission]
            if who == "other_board" and key in scoped:
                allowed = False
            got = client.get(path).status_code
            if (got == 200) != allowed or (not allowed and got != 403):
                problems.append(f"{who} {path}: {got}, expected {'200' if allowed else 403}")
    assert not problems, "\n".join(problems)
