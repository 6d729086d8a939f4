"""Extension objects, created once and bound to the app in create_app."""
from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_security import Security, SQLAlchemyUserDatastore
from flask_smorest import Api
from flask_wtf import CSRFProtect

from models.base import db
from models.users.entities import Role, User
from portal import rate_limits  # noqa: F401  registers the cms-memory:// storage with limits

user_datastore = SQLAlchemyUserDatastore(db, User, Role)
security = Security()
csrf = CSRFProtect()
migrate = Migrate()
rest_api = Api()
# Rate limits (login attempts per address, API calls per token): in memory for one process
# (portal/rate_limits.py), in Redis (CMS_RATELIMIT_STORAGE_URL) when several web processes must share the counts.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
