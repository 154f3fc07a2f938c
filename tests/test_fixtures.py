"""The shared fixtures keep tests apart: each starts from its template, with the app as built.

Each check runs twice (``round``): the second run fails if the first one's change leaked.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from market40.models import Market, User

ROUNDS = pytest.mark.parametrize("round_", [1, 2])


@ROUNDS
def test_rows_do_not_leak(db, round_):
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Market)) == 0
    from market40.auth import create_user

    create_user(db.session, "leak", "admin", ())
    db.session.commit()


@ROUNDS
def test_reference_data_is_there_and_fresh(reference, make_user, round_):
    markets = reference.session.scalar(sa.select(sa.func.count()).select_from(Market))
    assert markets >= 100
    assert reference.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
    user, _ = make_user("admin")
    assert user.id == 1  # sequences start again too


@ROUNDS
def test_config_and_request_hooks_are_put_back(app, client, round_):
    assert "M40_PROBE" not in app.config
    app.config["M40_PROBE"] = round_
    hooks = app.before_request_funcs.setdefault(None, [])
    assert not any(getattr(f, "probe", False) for f in hooks)

    def probe() -> None:
        return None

    probe.probe = True
    app.before_request(probe)
    assert client.get("/healthz").status_code == 200


def test_settling_the_limiter_leaves_a_shared_store_alone(app, tmp_path):
    """A test that counted in Redis leaves the process's one limiter on Redis; the next test
    takes it back to its app's own store, without deleting the keys of anyone counting
    in Redis (another pytest worker, another run)."""
    import uuid

    import redis
    from limits.storage import MemoryStorage

    from market40 import create_app
    from market40.extensions import limiter
    from tests.conftest import settle_limiter

    server = redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1)
    try:
        server.ping()
    except redis.RedisError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    others = f"LIMITS:m40-other-{uuid.uuid4().hex[:8]}"
    server.set(others, 1, ex=60)
    try:
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'r.db'}",
                    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"})
        assert not isinstance(limiter._storage, MemoryStorage)
        settle_limiter(app)
        assert isinstance(limiter._storage, MemoryStorage)
        assert server.get(others) == b"1"
    finally:
        server.delete(others)
        settle_limiter(app)
