"""Extension objects, created once and bound to the app in create_app."""
from __future__ import annotations

from flask_migrate import Migrate
from flask_security import Security, SQLAlchemyUserDatastore
from flask_smorest import Api
from flask_wtf import CSRFProtect

from models.base import db
from models.users.entities import Role, User

user_datastore = SQLAlchemyUserDatastore(db, User, Role)
security = Security()
csrf = CSRFProtect()
migrate = Migrate()
rest_api = Api()
