"""HTTP hardening in one place: security headers, proxy trust and API token rate limits.

- Every response carries a Content-Security-Policy without inline script (the pages and
  the API docs load their scripts from files), ``frame-ancestors 'none'`` with
  ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff`` and a Referrer-Policy;
  HTTPS responses add Strict-Transport-Security.
- Behind a TLS proxy set ``MARKET40_PROXY_FIX`` to the number of proxies in front of
  the app: werkzeug's ProxyFix then trusts that many ``X-Forwarded-*`` hops, so the
  client address (rate limits) and the scheme (Secure cookies) are the real ones.
  Without it the headers are ignored: anyone could send them.
- Bearer tokens are rate limited with Flask-Limiter, in the storage of
  ``RATELIMIT_STORAGE_URI``: failed token authentications per client address
  (``TOKEN_FAILURE_LIMIT``, against guessing) and requests per token
  (``TOKEN_RATE_LIMIT``, generous, against a runaway client). A breach is a 429 in the
  API's JSON error shape with ``Retry-After``.
"""

from __future__ import annotations

import hashlib

from flask import Flask, Response, current_app, request
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from market40.extensions import limiter

# No 'unsafe-inline' and no 'unsafe-eval' for scripts: every script is a file of ours.
# Styles: Swagger UI sets element styles from its script, which CSP does not block.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000"


def add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _no_authorization() -> bool:
    return "Authorization" not in request.headers


def _no_bearer_token() -> bool:
    return bearer_token() is None


def _not_a_failure() -> bool:
    """No Authorization header, or a valid token: the failed-token limit never applies.

    A market's staff share one address (one Wi-Fi, one NAT): a misconfigured script
    sending bad tokens must not lock out everyone whose token is good.
    """
    if _no_authorization():
        return True
    from market40.auth.identity import load_request_user
    from market40.errors import Unauthorized

    try:
        return load_request_user() is not None
    except Unauthorized:
        return False


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _token_key() -> str:
    # A digest, so the token itself never reaches the rate-limit storage (Redis).
    return hashlib.sha256((bearer_token() or "").encode()).hexdigest()[:32]


def _failure_limit() -> str:
    return current_app.config["TOKEN_FAILURE_LIMIT"]


def _token_limit() -> str:
    return current_app.config["TOKEN_RATE_LIMIT"]


def limit_token_use(app: Flask) -> None:
    """Put both token limits on every blueprint that accepts bearer tokens (not the pages)."""
    failures = limiter.shared_limit(
        _failure_limit, scope="token-failures", key_func=get_remote_address,
        exempt_when=_not_a_failure, deduct_when=_failed,
        error_message="Too many failed token authentications from this address; wait and "
                      "check the token.")
    per_token = limiter.shared_limit(
        _token_limit, scope="token", key_func=_token_key, exempt_when=_no_bearer_token,
        error_message="Too many requests with this token; slow down.")
    for name, blueprint in app.blueprints.items():
        if name != "web":
            failures(blueprint)
            per_token(blueprint)


def trust_proxies(app: Flask) -> None:
    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)


def init_app(app: Flask) -> None:
    """Called by the factory once the blueprints are registered."""
    trust_proxies(app)
    app.after_request(add_security_headers)
    limit_token_use(app)
