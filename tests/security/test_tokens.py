"""API tokens: long, random, stored hashed, last use recorded, revocable."""

from __future__ import annotations

import sqlalchemy as sa

from market40.models import ApiToken
from tests.factories import auth


def test_token_is_random_hashed_records_its_use_and_can_be_revoked(client, runner, db,
                                                                   make_user):
    user, token = make_user("auditor", name="kiem-toan")
    _, other = make_user("auditor")
    assert token != other and len(token) - len("m40_") >= 43  # 32 random bytes, base64url
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert token not in (row.token_hash, row.prefix) and len(row.token_hash) == 64
    assert row.last_used_at is None
    assert client.get("/api/v1/transactions", headers=auth(token)).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at is not None
    assert runner.invoke(args=["users", "revoke", "kiem-toan"]).exit_code == 0
    refused = client.get("/api/v1/transactions", headers=auth(token))
    assert refused.status_code == 401 and "revoked" in refused.get_json()["message"]
    assert client.get("/api/v1/transactions", headers=auth(other)).status_code == 200
