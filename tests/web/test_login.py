"""Login, logout, the session cookie, CSRF on the forms, and ``flask users-passwd``."""

from __future__ import annotations

import sqlalchemy as sa

from market40.models import AuditEntry, User
from tests.web.conftest import csrf_token, log_in
from tests.web.seeddata import PASSWORD


def test_login_page_has_a_csrf_token_and_no_script(client, reference):
    page = client.get("/login").get_data(as_text=True)
    assert csrf_token(page)
    assert "<script" not in page and "style=" not in page


def test_login_sets_a_hardened_session_cookie_and_goes_to_the_users_page(client, dashboard):
    response = log_in(client, dashboard.users["vendor"])
    assert response.status_code == 302
    assert response.headers["Location"] == "/me"
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("market40_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    me = client.get("/me")
    assert me.headers["Location"] == f"/vendors/{dashboard.vendors['rau'].id}"
    page = client.get(me.headers["Location"]).get_data(as_text=True)
    assert dashboard.users["vendor"] in page and "Đăng xuất" in page


def test_session_cookie_is_secure_over_https(client, dashboard):
    page = client.get("/login", base_url="https://localhost")
    token = csrf_token(page.get_data(as_text=True))
    response = client.post("/login", base_url="https://localhost", data={
        "csrf_token": token, "name": dashboard.users["admin"], "password": PASSWORD})
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("market40_session="))
    assert "Secure" in cookie


def test_session_cookie_is_secure_when_the_app_is_served_over_https(app, client, dashboard):
    app.config["PREFERRED_URL_SCHEME"] = "https"
    response = log_in(client, dashboard.users["admin"])
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("market40_session="))
    assert "Secure" in cookie


def test_login_returns_to_the_page_that_asked(client, dashboard):
    vendor_id = dashboard.vendors["rau"].id
    asked = client.get(f"/vendors/{vendor_id}")
    login_url = asked.headers["Location"]
    page = client.get(login_url).get_data(as_text=True)
    assert f'value="/vendors/{vendor_id}"' in page
    response = log_in(client, dashboard.users["board"], next_url=f"/vendors/{vendor_id}")
    assert response.headers["Location"] == f"/vendors/{vendor_id}"


def test_login_never_redirects_off_site(client, dashboard):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"):
        response = log_in(client, dashboard.users["admin"], next_url=target)
        assert response.headers["Location"] == "/me", target
        client.get("/logout")


def test_wrong_password_and_unknown_user_get_the_same_answer(client, dashboard):
    wrong = log_in(client, dashboard.users["admin"], password="not-the-password")
    unknown = log_in(client, "nobody-here", password=PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in wrong.get_data(as_text=True)
    assert wrong.get_data(as_text=True).replace(dashboard.users["admin"], "nobody-here") \
        == unknown.get_data(as_text=True)
    assert client.get("/audit").status_code == 302  # still anonymous


def test_inactive_users_and_users_without_password_cannot_log_in(client, dashboard, db):
    user = db.session.scalar(sa.select(User).where(User.name == dashboard.users["auditor"]))
    user.active = False
    db.session.commit()
    assert log_in(client, dashboard.users["auditor"]).status_code == 401
    from market40.auth import create_user

    create_user(db.session, "no-password", "admin")
    db.session.commit()
    assert log_in(client, "no-password", password="").status_code == 400
    assert log_in(client, "no-password", password=PASSWORD).status_code == 401


def test_login_without_csrf_token_is_refused(client, dashboard):
    response = client.post("/login", data={"name": dashboard.users["admin"],
                                           "password": PASSWORD})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    assert client.get("/audit").status_code == 302


def test_logout_needs_a_post_with_the_token(client, login):
    login("auditor")
    confirm = client.get("/logout")
    assert confirm.status_code == 200  # a GET only asks
    assert client.get("/audit").status_code == 200
    assert client.post("/logout", data={}).status_code == 400
    assert client.get("/audit").status_code == 200
    token = csrf_token(confirm.get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/audit").status_code == 302


def test_new_password_ends_open_sessions(client, login, dashboard, db):
    from market40.web.accounts import set_password

    login("auditor")
    assert client.get("/audit").status_code == 200
    set_password(db.session, dashboard.users["auditor"], "a-brand-new-passphrase")
    db.session.commit()
    assert client.get("/audit").status_code == 302


def test_a_tampered_session_cookie_is_anonymous(client, login):
    login("admin")
    cookie = client.get_cookie("market40_session")
    client.set_cookie("market40_session", cookie.value[:-2] + "xx")
    assert client.get("/audit").status_code == 302


def test_the_json_api_is_not_subject_to_csrf(client, reference):
    # API POSTs carry no CSRF token (they authenticate with tokens, not cookies) and work,
    # even from a client that holds a web session cookie.
    client.get("/login")
    vector = ("00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA"
              "5303704540410005802VN62150811Chuyen tien6304BBB8")
    response = client.post("/api/v1/qr/decode", json={"payload": vector})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["account"] == "257678859"


# ---- flask users-passwd -------------------------------------------------------------------


def test_cli_sets_a_password_that_logs_in(runner, client, reference, make_user, db):
    user, _ = make_user("department", name="so-cong-thuong")
    result = runner.invoke(args=["users-passwd", "so-cong-thuong"],
                           input="mat-khau-rat-dai\nmat-khau-rat-dai\n")
    assert result.exit_code == 0, result.output
    assert "set" in result.output
    assert log_in(client, "so-cong-thuong", "mat-khau-rat-dai").status_code == 302
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "password.set"))
    assert entry.entity_id == str(user.id) and "mat-khau" not in str(entry.new)
    stored = db.session.scalar(sa.select(User.password_hash).where(User.id == user.id))
    assert stored.startswith("scrypt:") and "mat-khau-rat-dai" not in stored


def test_cli_reads_the_password_from_stdin(runner, client, reference, make_user):
    make_user("auditor", name="kiem-toan")
    result = runner.invoke(args=["users-passwd", "kiem-toan", "--password-stdin"],
                           input="mot-mat-khau-dai\n")
    assert result.exit_code == 0, result.output
    assert log_in(client, "kiem-toan", "mot-mat-khau-dai").status_code == 302


def test_cli_refuses_short_passwords_and_unknown_users(runner, reference, make_user):
    make_user("auditor", name="kiem-toan")
    short = runner.invoke(args=["users-passwd", "kiem-toan", "--password-stdin"], input="ngan\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    same = runner.invoke(args=["users-passwd", "kiem-toan", "--password-stdin"],
                         input="aaaaaaaaaaaa\n")
    assert same.exit_code == 1 and "too easy" in same.output
    unknown = runner.invoke(args=["users-passwd", "ai-do", "--password-stdin"],
                            input="mot-mat-khau-dai\n")
    assert unknown.exit_code == 1 and "does not exist" in unknown.output


def test_cli_clear_removes_web_login(runner, client, reference, make_user):
    make_user("auditor", name="kiem-toan")
    runner.invoke(args=["users-passwd", "kiem-toan", "--password-stdin"],
                  input="mot-mat-khau-dai\n")
    result = runner.invoke(args=["users-passwd", "kiem-toan", "--clear"])
    assert result.exit_code == 0 and "removed" in result.output
    assert log_in(client, "kiem-toan", "mot-mat-khau-dai").status_code == 401


def test_password_guessing_is_rate_limited(tmp_path):
    """Ten wrong passwords a minute from one address, then 429 (limits on in production)."""
    from market40 import create_app
    from market40.config import TestConfig
    from market40.extensions import db

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'limit.sqlite3'}",
                  RATELIMIT_ENABLED=True)
    app = create_app(config)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    statuses = [log_in(client, "ai-do", "sai-mat-khau-roi").status_code for _ in range(11)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    page = client.get("/login?lang=en")
    assert page.status_code == 200  # reading the form is not limited
    assert "Too many requests" in client.post("/login?lang=en", data={}).get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


def test_each_role_lands_on_its_own_page(client, login, dashboard):
    expected = {"board": "/markets/DAI-TU", "auditor": "/audit", "department": "/",
                "admin": "/"}
    for key, target in expected.items():
        login(key)
        assert client.get("/me").headers["Location"] == target, key
        client.post("/logout", data={"csrf_token": csrf_token(
            client.get("/logout").get_data(as_text=True))})
    assert client.get("/me").headers["Location"] == "/login"


def test_passwords_are_hashed_with_scrypt_at_full_cost_outside_the_tests(app, db, reference,
                                                                         make_user):
    """The tests hash cheaply (TestConfig); the service hashes at werkzeug's scrypt cost."""
    from market40.config import Config
    from market40.web.accounts import authenticate, set_password

    assert Config.PASSWORD_HASH_METHOD == "scrypt:32768:8:1"
    make_user("department", name="full-cost")
    app.config["PASSWORD_HASH_METHOD"] = Config.PASSWORD_HASH_METHOD
    user = set_password(db.session, "full-cost", "chợ-bốn-chấm-không")
    assert user.password_hash.startswith("scrypt:32768:8:1$")
    assert authenticate(db.session, "full-cost", "chợ-bốn-chấm-không") is user
    assert authenticate(db.session, "full-cost", "chợ-bốn-chấm-khong") is None
