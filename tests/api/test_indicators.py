"""/api/v1/indicators: department-entered province figures against their targets."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from market40.extensions import db as _db
from market40.localtime import local_today
from market40.registry.indicators import indicator_statuses, load_definitions
from tests.factories import auth

URL = "/api/v1/indicators"
SHARE = {"key": "epayment_account_share", "value": 0.66, "as_of": "2022-06-30",
         "source": "thainguyentv 89578 (H1/2022, people aged 15+)"}


def test_definitions_come_from_the_seed_file(client, db):
    definitions = load_definitions()
    share = definitions["epayment_account_share"]
    assert [(t.due, t.op, str(t.value)) for t in share.targets] == [
        (date(2025, 12, 31), ">", "0.5"), (date(2030, 12, 31), ">", "0.8")]
    assert "749/QĐ-TTg" in share.targets[0].source
    body = client.get(URL).get_json()
    first = next(i for i in body if i["key"] == "epayment_account_share")
    assert first["latest"] is None and first["unit"] == "share"
    assert first["title_vi"] == "Tỷ lệ dân số có tài khoản thanh toán điện tử"


def test_department_enters_values_and_targets_are_judged(client, db, make_user):
    user, token = make_user("department")
    response = client.post(URL, json=SHARE, headers=auth(token))
    assert response.status_code == 201
    entered = response.get_json()
    assert entered["entered_by"] == user.name and entered["value"] == 0.66
    later = {**SHARE, "value": 0.45, "as_of": "2025-12-01", "source": "survey 2025"}
    assert client.post(URL, json=later, headers=auth(token)).status_code == 201
    body = client.get(URL).get_json()
    share = next(i for i in body if i["key"] == "epayment_account_share")
    assert share["latest"]["value"] == 0.45 and share["latest"]["as_of"] == "2025-12-01"
    by_due = {t["due"]: t for t in share["targets"]}
    # Judged on the latest value dated on or before the due date (0.45 is not > 0.5).
    assert by_due["2025-12-31"]["judged_value"] == 0.45
    assert by_due["2025-12-31"]["status"] == (
        "not_met" if local_today() > date(2025, 12, 31) else "pending")
    assert by_due["2030-12-31"]["status"] == "pending"
    history = client.get(f"{URL}/epayment_account_share/values").get_json()
    assert [h["value"] for h in history] == [0.45, 0.66]
    assert client.get(f"{URL}/nope/values").status_code == 404


def test_met_not_met_and_pending(app, db, make_user):
    user, _ = make_user("department")
    from market40.registry.indicators import record_indicator

    record_indicator(_db.session, user, "epayment_account_share", 0.55, date(2025, 6, 30), "a")
    record_indicator(_db.session, user, "adult_bank_account_share", 0.7, date(2024, 12, 31), "b")
    _db.session.commit()
    before = {s.definition.key: [t.status for t in s.targets]
              for s in indicator_statuses(_db.session, today=date(2025, 7, 1))}
    assert before == {"epayment_account_share": ["met", "pending"],
                      "adult_bank_account_share": ["pending"]}
    after = {s.definition.key: [t.status for t in s.targets]
             for s in indicator_statuses(_db.session, today=date(2026, 1, 15))}
    assert after == {"epayment_account_share": ["met", "pending"],
                     "adult_bank_account_share": ["not_met"]}
    # A correction for the same date supersedes the earlier entry.
    record_indicator(_db.session, user, "epayment_account_share", 0.45, date(2025, 6, 30), "fix")
    _db.session.commit()
    corrected = indicator_statuses(_db.session, today=date(2026, 1, 15))[0]
    assert corrected.latest.value == 0.45 and corrected.targets[0].status == "not_met"


def test_who_may_enter(client, reference, make_user):
    assert client.post(URL, json=SHARE).status_code == 401
    for role, markets in (("board", ("DAI-TU",)), ("auditor", ())):
        _, token = make_user(role, markets=markets)
        assert client.post(URL, json=SHARE, headers=auth(token)).status_code == 403
    _, admin = make_user("admin")
    assert client.post(URL, json=SHARE, headers=auth(admin)).status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"key": "happiness"}, "key"),
        ({"value": 1.5}, "value"),
        ({"value": -0.1}, "value"),
        ({"value": "lots"}, "value"),
        ({"as_of": (date.today() + timedelta(days=5)).isoformat()}, "as_of"),
        ({"source": "  "}, "source"),
        ({"source": None}, "source"),
        ({"unit": "%"}, "unit"),
    ],
)
def test_bad_values_are_422_naming_the_field(client, db, make_user, change, field):
    _, token = make_user("department")
    response = client.post(URL, json={**SHARE, **change}, headers=auth(token))
    assert response.status_code == 422
    assert field in json.dumps(response.get_json()["errors"])
