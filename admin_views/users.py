import uuid

import sqlalchemy as sa
from flask import flash
from flask_admin.actions import action
from flask_login import current_user
from flask_security import hash_password
from wtforms import PasswordField
from wtforms.validators import Length, Optional

from admin_views.base import CmsModelView, ReadOnlyView, changes_table, selected_keys
from models.audit.entities import AuditEvent
from models.base import db
from models.errors import DomainError
from models.users.entities import Role, RoleName, User
from models.users.operations import (
    MIN_PASSWORD_LENGTH,
    activate_user,
    check_password,
    deactivate_user,
    end_sessions,
    unlock_user,
)

ADMIN_ONLY = (RoleName.ADMIN,)


class UserView(CmsModelView):
    read_roles = ADMIN_ONLY
    column_list = ["email", "full_name", "roles", "active", "locked_until", "last_login_at", "login_count"]
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
            check_password(form.new_password.data, model.email, model.full_name, field="new_password")
            model.password = hash_password(form.new_password.data)
            if not is_created:
                end_sessions(model)   # as Flask-Security does when users change their own
        if is_created:
            model.fs_uniquifier = uuid.uuid4().hex
            model.fs_token_uniquifier = uuid.uuid4().hex
        elif sa.inspect(model).attrs.active.history.has_changes():
            # the checkbox does what the actions do: unticking it ends every session and token at once
            self._refuse_own_deactivation([model] if not model.active else [])
            (activate_user if model.active else deactivate_user)(db.session, model)

    @staticmethod
    def _refuse_own_deactivation(users):
        if any(u.id == current_user.id for u in users):
            raise DomainError("you cannot deactivate your own account; ask another administrator", "active")

    def _apply(self, ids, operation, done: str) -> None:
        users = list(db.session.scalars(sa.select(User).where(User.id.in_(selected_keys(User, ids)))))
        try:
            if operation is deactivate_user:
                self._refuse_own_deactivation(users)
            for user in users:
                operation(db.session, user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return
        flash(f"{done}: {', '.join(u.email for u in users)}", "success")

    @action("deactivate", "Deactivate",
            "Deactivate the selected users? They cannot log in, and their sessions and API tokens end now.")
    def action_deactivate(self, ids):
        self._apply(ids, deactivate_user, "Deactivated (sessions and API tokens ended)")

    @action("activate", "Activate", "Let the selected users log in again?")
    def action_activate(self, ids):
        self._apply(ids, activate_user, "Activated")

    @action("unlock", "Unlock", "Lift the lock that repeated wrong passwords put on the selected accounts?")
    def action_unlock(self, ids):
        self._apply(ids, unlock_user, "Unlocked")


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
