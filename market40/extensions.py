"""Unbound extension objects; the factory binds them with ``init_app``."""

from __future__ import annotations

from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy

from market40.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = Api()
# Limits are declared where they apply (login, token use); storage comes from RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# Figures keyed by data version (market40.cache); the store is chosen in cache.store.configure.
cache = Cache(with_jinja2_ext=False)
