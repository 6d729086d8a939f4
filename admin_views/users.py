import sqlalchemy as sa
from flask import flash
from flask_admin.actions import action
from flask_login import current_user
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from admin_views.base import CmsForm, CmsModelView, ReadOnlyView, changes_table, selected_keys
from models.audit.entities import AuditEvent
from models.base import db
from models.errors import DomainError
from models.users.accounts import set_password, set_roles
from models.users.entities import ROLE_DESCRIPTIONS, Role, RoleName, User
from models.users.operations import activate_user, create_user, deactivate_user, unlock_user
from models.users.roles import ADMIN_ONLY


class NewUserForm(CmsForm):
    """What create_user takes; its rules (e-mail, role, password) are the only ones applied."""

    email = StringField("E-mail", validators=[Length(max=255)])
    full_name = StringField("Full name", validators=[Optional(), Length(max=200)])
    role = SelectField(choices=[SelectChoice(r.value, f"{r.value.replace('_', ' ')}: {ROLE_DESCRIPTIONS[r]}")
                                for r in RoleName],
                       description="more roles can be added once the user exists")
    new_password = PasswordField("Password")


class UserView(CmsModelView):
    """Users are created, changed, locked and deactivated by the operations of models.users, never by
    writing their columns; they are deactivated rather than deleted (the audit trail names them)."""

    read_roles = ADMIN_ONLY
    allow_delete = False
    column_list = ["email", "full_name", "roles", "active", "locked_until", "last_login_at", "login_count"]
    column_searchable_list = ["email", "full_name"]
    column_filters = ["active", "roles.name"]
    column_labels = {"roles.name": "Role"}
    column_exclude_list = ["password"]
    column_details_exclude_list = ["password", "fs_uniquifier", "fs_token_uniquifier"]
    column_export_exclude_list = ["password", "fs_uniquifier", "fs_token_uniquifier"]
    form_columns = ["email", "full_name", "roles", "new_password"]
    form_extra_fields = {
        "new_password": PasswordField("Password", validators=[Optional()],
                                      description="leave empty to keep the current password"),
    }

    def get_create_form(self):
        return NewUserForm

    def create_model(self, form):
        return self.apply(lambda: create_user(db.session, form.email.data or "", form.role.data,
                                              form.new_password.data or "", form.full_name.data or None), form)

    def handle_view_exception(self, exc):
        # create_user names the password `password`, the column the forms never offer (admin_views.owned)
        if isinstance(exc, DomainError) and exc.field == "password":
            exc.field = "new_password"
        return super().handle_view_exception(exc)

    def update_model(self, form, user):
        def change():
            user.email, user.full_name = form.email.data, form.full_name.data
            set_roles(db.session, user, form.roles.data)
            if form.new_password.data:
                set_password(db.session, user, form.new_password.data, field="new_password")
            return user
        return self.apply(change, form) is not None

    @staticmethod
    def _refuse_own_deactivation(users):
        if any(u.id == current_user.id for u in users):
            raise DomainError("you cannot deactivate your own account; ask another administrator", "active")

    def _apply_to_selected(self, ids, operation, done: str) -> None:
        def change():
            users = list(db.session.scalars(sa.select(User).where(User.id.in_(selected_keys(User, ids)))))
            if operation is deactivate_user:
                self._refuse_own_deactivation(users)
            for user in users:
                operation(db.session, user)
            return users
        users = self.apply(change)
        if users is not None:
            flash(f"{done}: {', '.join(u.email for u in users)}", "success")

    @action("deactivate", "Deactivate",
            "Deactivate the selected users? They cannot log in, and their sessions and API tokens end now.")
    def action_deactivate(self, ids):
        self._apply_to_selected(ids, deactivate_user, "Deactivated (sessions and API tokens ended)")

    @action("activate", "Activate", "Let the selected users log in again?")
    def action_activate(self, ids):
        self._apply_to_selected(ids, activate_user, "Activated")

    @action("unlock", "Unlock", "Lift the lock that repeated wrong passwords put on the selected accounts?")
    def action_unlock(self, ids):
        self._apply_to_selected(ids, unlock_user, "Unlocked")


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
