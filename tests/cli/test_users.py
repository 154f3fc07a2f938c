"""``flask users``: the token is printed once, on the last line, and it works."""

from __future__ import annotations

from tests.factories import auth


def last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


def test_create_prints_a_working_token_on_the_last_line(runner, client, reference):
    result = runner.invoke(args=["users", "create", "bq-daitu", "--role", "board",
                                 "--market", "DAI-TU"])
    assert result.exit_code == 0, result.output
    token = last_line(result.output)
    assert token.startswith("m40_") and len(token) > 40
    response = client.get("/api/v1/markets/DAI-TU/vendors", headers=auth(token))
    assert response.status_code == 200 and response.get_json() == []
    # Scoped to its market.
    assert client.get("/api/v1/markets/THAI/vendors", headers=auth(token)).status_code == 403
    # The token is stored hashed: it appears nowhere in the database.
    from market40.extensions import db
    from market40.models import ApiToken

    with client.application.app_context():
        hashes = db.session.scalars(db.select(ApiToken.token_hash)).all()
    assert token not in hashes and len(hashes) == 1


def test_revoked_token_stops_working(runner, client, reference):
    token = last_line(runner.invoke(args=["users", "create", "kiem-toan", "--role",
                                          "auditor"]).output)
    assert client.get("/api/v1/audit/log", headers=auth(token)).status_code == 200
    result = runner.invoke(args=["users", "revoke", "kiem-toan"])
    assert result.exit_code == 0 and "Revoked 1" in result.output
    assert client.get("/api/v1/audit/log", headers=auth(token)).status_code == 401


def test_bad_input_exits_1_with_a_message(runner, reference):
    result = runner.invoke(args=["users", "create", "bq", "--role", "board"])
    assert result.exit_code == 1 and "market" in result.output
    result = runner.invoke(args=["users", "create", "bq", "--role", "board", "--market", "NOPE"])
    assert result.exit_code == 1 and "NOPE" in result.output
    runner.invoke(args=["users", "create", "dup", "--role", "admin"])
    result = runner.invoke(args=["users", "create", "dup", "--role", "admin"])
    assert result.exit_code == 1 and "already exists" in result.output
    result = runner.invoke(args=["users", "create", "x", "--role", "king"])
    assert result.exit_code == 2
