import uuid

from flask_security import hash_password
from wtforms import PasswordField
from wtforms.validators import Length, Optional

from admin_views.base import CmsModelView, ReadOnlyView, changes_table
from models.audit.entities import AuditEvent
from models.errors import DomainError
from models.users.entities import Role, RoleName, User
from models.users.operations import MIN_PASSWORD_LENGTH

ADMIN_ONLY = (RoleName.ADMIN,)


class UserView(CmsModelView):
    read_roles = ADMIN_ONLY
    column_list = ["email", "full_name", "roles", "active", "last_login_at", "login_count"]
    column_searchable_list = ["email", "full_name"]
    column_filters = ["active", "roles.name"]
    column_labels = {"roles.name": "Role"}
    column_exclude_list = ["password"]
    column_details_exclude_list = ["password", "fs_uniquifier", "fs_token_uniquifier"]
    column_export_exclude_list = ["password", "fs_uniquifier", "fs_token_uniquifier"]
    form_columns = ["email", "full_name", "active", "roles", "new_password"]
    form_extra_fields = {
        "new_password": PasswordField("Password", validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH)],
                                      description="leave empty to keep the current password"),
    }

    def on_model_change(self, form, model, is_created):
        if not model.roles:
            raise DomainError("choose at least one role", "roles")
        if is_created and not form.new_password.data:
            raise DomainError("is required for a new user", "new_password")
        if form.new_password.data:
            model.password = hash_password(form.new_password.data)
        if is_created:
            model.fs_uniquifier = uuid.uuid4().hex
            model.fs_token_uniquifier = uuid.uuid4().hex


class RoleView(ReadOnlyView):
    read_roles = ADMIN_ONLY
    column_list = ["name", "description"]


class AuditEventView(ReadOnlyView):
    """The audit trail, read-only: who changed which record, when, from what to what."""

    read_roles = ADMIN_ONLY
    can_view_details = True
    column_list = ["at", "actor", "action", "entity", "entity_id", "changes"]
    column_searchable_list = ["entity_id", "actor"]
    column_filters = ["entity", "entity_id", "actor", "actor_id", "action", "at"]
    column_default_sort = ("at", True)
    column_labels = {"entity_id": "Entity id", "actor_id": "User id", "actor": "User"}
    column_formatters = {"changes": changes_table}
    column_formatters_export = {"changes": lambda v, c, m, n: m.changes}


VIEWS = [
    (UserView, User, "Users"),
    (RoleView, Role, "Roles"),
    (AuditEventView, AuditEvent, "Audit trail"),
]
