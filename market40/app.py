"""The application factory's steps (``market40.create_app`` calls ``build_app``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.engine import make_url

from market40.config import Config, database_url_from_env


def build_app(config: type | dict[str, Any] | None = None) -> Flask:
    app = Flask("market40", instance_relative_config=True)
    load_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_security(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def load_config(app: Flask, config: type | dict[str, Any] | None) -> None:
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    # MARKET40_SECRET_KEY, MARKET40_WEBHOOK_SECRET, ... override the defaults.
    app.config.from_prefixed_env("MARKET40")
    for name in ("SECRET_KEY", "RATELIMIT_STORAGE_URI"):  # unprefixed spellings, too
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    if not app.config.get("SECRET_KEY"):
        from market40.secretkey import load_or_create

        path = app.config.get("SECRET_KEY_FILE") or Path(app.instance_path) / "secret_key"
        app.config["SECRET_KEY"] = load_or_create(Path(path))
    # Statement parameters (phones, national IDs, accounts) never reach logs or error
    # messages, whatever engine options a deployment sets.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "hide_parameters": True, **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    url = database_url_from_env()
    if url and not app.testing:
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'market40.sqlite3'}"
        )
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database in (None, "", ":memory:"):
        # an in-memory SQLite database lives in one connection (StaticPool): no pool to size
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        for name in ("pool_size", "max_overflow"):
            options.pop(name, None)


def register_extensions(app: Flask) -> None:
    from market40 import models  # noqa: F401  (every table registered before migrate sees them)
    from market40.api.openapi import AccessTablePlugin, drop_null_keywords
    from market40.api.schemas.base import ErrorSchema
    from market40.cache import store
    from market40.cache.versions import track_writes
    from market40.db import configure_engine_events
    from market40.extensions import api, db, limiter, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    api.ERROR_SCHEMA = ErrorSchema  # documents errors as a list too (import rows, batch items)
    api.init_app(app, spec_kwargs={"extra_plugins": [AccessTablePlugin()]})
    api.ma_plugin.converter.add_attribute_function(drop_null_keywords)
    limiter.init_app(app)
    store.configure(app)
    with app.app_context():
        configure_engine_events(db.engine)
        track_writes(db.engine)  # every write bumps the data versions (market40.cache)
    from market40.live import hub

    hub.init_app(app)  # wakes this process's event streams when it commits an event


def register_blueprints(app: Flask) -> None:
    from market40.api import register_api
    from market40.web import register_web

    register_api(app)
    register_web(app)


def register_security(app: Flask) -> None:
    from market40 import inputpolicy, security
    from market40.api.arguments import refuse_unknown_query_arguments
    from market40.auth import access

    security.init_app(app)
    access.init_app(app)
    inputpolicy.init_app(app)  # after the access check: an unknown caller learns nothing
    app.before_request(refuse_unknown_query_arguments)  # then strict query arguments (422)


def register_error_handlers(app: Flask) -> None:
    from market40.api.errors import register_error_handlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from market40.cli import register_commands as register

    register(app)
