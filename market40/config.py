"""Settings. Defaults live here; the environment overrides them in the factory."""

from __future__ import annotations

import os


class Config:
    """Production defaults: an SQLite file under ``instance/`` unless DATABASE_URL is set."""

    # No built-in key: unset, a random one is generated once into SECRET_KEY_FILE
    # (default instance/secret_key, mode 0600; market40.secretkey).
    SECRET_KEY: str | None = None
    SECRET_KEY_FILE: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # filled in by the factory (instance path)
    # gthread workers run up to THREADS requests at once (make serve: 300); most live-stream
    # threads hold no connection, the rest queue for one: 10 + 30 per worker process.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "pool_size": 10,
                                       "max_overflow": 30}
    API_TITLE = "market40"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    # Swagger UI is served from our own static folder, never from a CDN.
    OPENAPI_SWAGGER_UI_URL = "/api/docs/assets/"
    API_SPEC_OPTIONS = {
        "info": {"description": "The registry, VietQR codes, transactions and reports of Chợ 4.0."},
        # securitySchemes and each operation's security: api/openapi.py, from the access table.
    }
    PAGINATION_MAX_PAGE_SIZE = 500
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    JSON_SORT_KEYS = False
    # Shared secret for HMAC-signed bank notifications (MARKET40_WEBHOOK_SECRET).
    WEBHOOK_SECRET: str | None = None
    # SePay's webhook key (MARKET40_SEPAY_API_KEY): header "Authorization: Apikey KEY".
    SEPAY_API_KEY: str | None = None
    # Live payment streams: a heartbeat comment this often (at most 15 s), each stream
    # closed after this long (the client resumes with Last-Event-ID), and how often a
    # worker's hub polls the outbox when nothing woke it up.
    LIVE_HEARTBEAT_SECONDS = 10.0
    LIVE_STREAM_SECONDS = 3600.0
    LIVE_POLL_SECONDS = 0.2
    # MARKET40_REDIS_URL=redis://127.0.0.1:6379/0: wake the other workers' streams and the
    # MQTT relay through Redis pub/sub the moment an event is committed (else they poll).
    REDIS_URL: str | None = None
    TIMEZONE = "Asia/Ho_Chi_Minh"
    # How web passwords are hashed (werkzeug's method string): scrypt at werkzeug's
    # default cost, about 0.1 s a hash here. A stored hash keeps its own parameters, so
    # changing this affects new passwords only.
    PASSWORD_HASH_METHOD = "scrypt:32768:8:1"
    # PostgreSQL bulk writes (batch API): COPY into a staging table and rollups set-based
    # from it (payments.bulk.copy_transactions). False: the earlier path (COPY straight
    # into transactions, rollups summed in Python and upserted row by row), kept so
    # bench/bench_ingest.py can measure both side by side.
    BULK_STAGED_ROLLUPS = True
    # Cached figures and HTTP validators (market40.cache, README "Caching"). CACHE=off:
    # every request computes (the benchmark's baseline). CACHE_REDIS_URL (e.g.
    # redis://127.0.0.1:6379/2; default REDIS_URL) shares the figures between workers and
    # machines; with neither, each process keeps its own. Province-wide figures may be served up to
    # CACHE_STALE_SECONDS after a write; a market's own pages never.
    CACHE = "on"
    CACHE_REDIS_URL: str | None = None
    CACHE_KEY_PREFIX = "market40:"
    CACHE_DEFAULT_TIMEOUT = 600
    CACHE_THRESHOLD = 2000  # in-process store: entries per worker
    CACHE_STALE_SECONDS = 5.0
    RATELIMIT_STORAGE_URI = "memory://"  # or RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379
    RATELIMIT_ENABLED = True
    # X-RateLimit-* and Retry-After on limited responses; a storage outage falls back to
    # per-process memory instead of failing requests.
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # A moving window: every failure counts for exactly a minute (an hour) after it. The
    # default fixed window restarts its count a minute after the first hit, so a guesser
    # could spend one allowance at 0:59 and a second at 1:01.
    RATELIMIT_STRATEGY = "moving-window"
    # Failed bearer-token authentications per client address, and requests per token.
    TOKEN_FAILURE_LIMIT = "20 per minute; 200 per hour"
    TOKEN_RATE_LIMIT = "6000 per minute"
    # Number of reverse proxies in front of the app whose X-Forwarded-* to trust (ProxyFix);
    # 0 trusts none. MARKET40_PROXY_FIX=1 behind one nginx.
    PROXY_FIX = 0
    # Secure cookies on every response (MARKET40_SESSION_COOKIE_SECURE=true); HTTPS
    # requests get them anyway.
    SESSION_COOKIE_SECURE = False
    # Snapshot signing (reports/signing.py): the directory of the Ed25519 keys (default
    # instance/snapshot-keys/) and, optionally, the private key's own path.
    SNAPSHOT_KEY_DIR: str | None = None
    SNAPSHOT_SIGNING_KEY: str | None = None
    # Transaction export jobs (payments/export_jobs.py): files under EXPORT_DIR (default
    # instance/exports/), read in id windows of EXPORT_WINDOW, kept EXPORT_KEEP_DAYS; a
    # job silent for EXPORT_STALE_SECONDS is reported failed (its worker stopped).
    EXPORT_DIR: str | None = None
    EXPORT_WINDOW = 20_000
    EXPORT_KEEP_DAYS = 7
    EXPORT_STALE_SECONDS = 120
    EXPORT_MAX_RUNNING_PER_USER = 2


class TestConfig(Config):
    """Tests: a database chosen by the fixtures, no rate limits unless a test turns them on."""

    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WEBHOOK_SECRET = "test-webhook-secret"
    SEPAY_API_KEY = "test-sepay-key"
    LIVE_HEARTBEAT_SECONDS = 0.5
    LIVE_STREAM_SECONDS = 1.2  # a test reading a whole stream gets its end (2 heartbeats)
    RATELIMIT_ENABLED = False
    # Still scrypt, at 0.4 ms a hash (n=128 is the least OpenSSL takes at r=8): logging in
    # is much of the page tests, and 170 full-cost hashes were 10 % of the suite's CPU.
    # Production's cost has a test of its own (tests/web/test_login.py).
    PASSWORD_HASH_METHOD = "scrypt:128:8:1"


def database_url_from_env() -> str | None:
    """DATABASE_URL, with the bare ``postgres://`` scheme some hosts hand out made explicit."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url
