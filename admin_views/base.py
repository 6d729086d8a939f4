"""The admin's shared behaviour: role checks, CSRF, masking, readable refusals, CSV export."""
from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

from flask import flash, g
from flask_admin import AdminIndexView, expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import (
    EnumEqualFilter,
    EnumFilterEmpty,
    EnumFilterInList,
    EnumFilterNotEqual,
    EnumFilterNotInList,
    FilterConverter,
    FilterInList,
)
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.form import Select2Field
from flask_admin.model import filters, typefmt
from flask_admin.model.form import converts
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from wtforms import validators

from models.base import db
from models.customers.entities import mask_number
from models.errors import DomainError, describe_integrity_error
from models.users.entities import RoleName
from portal.auth import ANY_STAFF, has_any_role, refuse


class RoleGuard:
    """Who may open a view (read_roles) and who may change its data (write_roles)."""

    read_roles: tuple = ANY_STAFF
    write_roles: tuple = (RoleName.ADMIN,)

    def is_accessible(self):
        return has_any_role(*self.read_roles)

    def inaccessible_callback(self, name, **kwargs):
        return refuse()


class CmsIndexView(RoleGuard, AdminIndexView):
    @expose("/")
    def index(self):
        return self.render("admin/cms_index.html")


class CmsForm(FlaskForm):
    """FlaskForm that remembers the row it edits, as Flask-Admin's own BaseForm does.

    Flask-Admin's Unique validator passes a value only when it belongs to `form._obj`; without it every
    unchanged code of an edited row reads "Already exists.".
    """

    def __init__(self, formdata=_Auto, obj=None, **kwargs):
        self._obj = obj
        super().__init__(formdata, obj=obj, **kwargs)


def _member(enum_class: type[Enum], value) -> Enum:
    # Our enum columns store member values (models.types.enum_type); Flask-Admin looks members up by name.
    return value if isinstance(value, enum_class) else enum_class(value)


class CmsModelConverter(AdminModelConverter):
    @converts("sqlalchemy.sql.sqltypes.Enum")
    def convert_enum(self, column, field_args, **extra):
        """A select over stored values whose data is the member, so the stored value shows selected."""
        enum_class = column.type.enum_class
        if enum_class is None:
            return super().convert_enum(column, field_args, **extra)
        accepted: list = list(enum_class)
        if column.nullable:
            field_args["allow_blank"] = True
            accepted.append(None)
        self._nullable_common(column, field_args)
        field_args["choices"] = [(m.value, m.value.replace("_", " ")) for m in enum_class]
        field_args["validators"].append(validators.AnyOf(accepted))
        field_args["coerce"] = lambda v: _member(enum_class, v)
        return Select2Field(**field_args)


class _EnumEquals(EnumEqualFilter):
    def clean(self, value):
        return _member(self.enum_class, value) if self.enum_class else value


class _EnumNotEqual(EnumFilterNotEqual):
    def clean(self, value):
        return _member(self.enum_class, value) if self.enum_class else value


class _EnumInList(EnumFilterInList):
    def clean(self, value):
        values = FilterInList.clean(self, value)
        return [_member(self.enum_class, v) for v in values] if self.enum_class else values


class _EnumNotInList(EnumFilterNotInList):
    def clean(self, value):
        values = FilterInList.clean(self, value)
        return [_member(self.enum_class, v) for v in values] if self.enum_class else values


def _as_utc(value):
    if isinstance(value, list | tuple):
        return [_as_utc(v) for v in value]
    return value.replace(tzinfo=UTC) if isinstance(value, datetime) and value.tzinfo is None else value


def _utc_filter(base: type) -> type:
    """A datetime filter whose typed value reads as UTC, as lists show it; UTCDateTime refuses naive values."""
    return type(f"Utc{base.__name__}", (base,), {"clean": lambda self, value: _as_utc(base.clean(self, value))})


class CmsFilterConverter(FilterConverter):
    # The options are stored values; an unknown one raises ValueError, which Flask-Admin ignores as invalid.
    enum = (_EnumEquals, _EnumNotEqual, EnumFilterEmpty, _EnumInList, _EnumNotInList)
    utc_datetime_filters = tuple(_utc_filter(f) for f in FilterConverter.datetime_filters)

    @filters.convert("UTCDateTime")
    def conv_utc_datetime(self, column, name, **kwargs):
        return [f(column, name, **kwargs) for f in self.utc_datetime_filters]


def _enum_label(view, value, name) -> str:
    return value.value.replace("_", " ")


def _enum_value(view, value, name) -> str:
    return value.value


def _utc_timestamp(view, value, name) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


class CmsModelView(RoleGuard, ModelView):
    # Flask-WTF's form shares CSRFProtect's token, so admin forms pass the app-wide CSRF check.
    form_base_class = CmsForm
    model_form_converter = CmsModelConverter
    can_export = True
    export_types = ["csv"]
    export_max_rows = 100_000
    can_view_details = True
    can_set_page_size = True
    page_size = 50
    details_modal = False
    filter_converter = CmsFilterConverter()
    named_filter_urls = True  # readable, shareable links: ?flt0_entity_equals=meters
    # Statuses read as words ("in store") on screen and as stored values ("in_store") in CSV.
    column_type_formatters = {**typefmt.BASE_FORMATTERS, Enum: _enum_label, datetime: _utc_timestamp}
    column_type_formatters_detail = {**typefmt.DETAIL_FORMATTERS, Enum: _enum_label, datetime: _utc_timestamp}
    column_type_formatters_export = {**typefmt.EXPORT_FORMATTERS, Enum: _enum_value}
    masked_columns: tuple[str, ...] = ()   # bank account and ID numbers, shown in full to admins only

    def __init__(self, model, session, **kwargs):
        masked = {c: self._masked for c in self.masked_columns}
        self.column_formatters = {**masked, **dict(self.column_formatters or {})}
        self.column_formatters_export = {**masked, **dict(self.column_formatters_export or {})}
        super().__init__(model, session, **kwargs)

    @staticmethod
    def _masked(view, context, model, name):
        value = getattr(model, name)
        return value if has_any_role(RoleName.ADMIN) else mask_number(value)

    def _may_write(self) -> bool:
        return has_any_role(*self.write_roles)

    can_create = property(lambda self: self._may_write() and self.allow_create)
    can_edit = property(lambda self: self._may_write() and self.allow_edit)
    can_delete = property(lambda self: self._may_write() and self.allow_delete)
    allow_create = allow_edit = allow_delete = True

    def _export_data(self):
        count, rows = super()._export_data()
        return count, self._reattached(rows)

    def _reattached(self, rows):
        """Rows again bound to a session, one at a time as the CSV streams.

        Flask runs the app-context teardown (Flask-SQLAlchemy's session.remove()) when the view returns,
        before the body streams, so rows come detached and a lazy load in a related row's __str__ failed
        midway through the file.
        """
        for row in rows:
            yield db.session.merge(row, load=False)

    def create_model(self, form):
        g.cms_admin_form = form
        return super().create_model(form)

    def update_model(self, form, model):
        g.cms_admin_form = form
        return super().update_model(form, model)

    def handle_view_exception(self, exc):
        """Name the field and the rule; the form comes back with its input and nothing is saved."""
        if isinstance(exc, IntegrityError):
            exc = describe_integrity_error(exc)
        if isinstance(exc, DomainError):
            form = g.get("cms_admin_form")
            if form is not None and exc.field and exc.field in form:
                form[exc.field].errors = [*form[exc.field].errors, exc.message]
            flash(str(exc), "error")
            return True
        return super().handle_view_exception(exc)


class ReadOnlyView(CmsModelView):
    allow_create = allow_edit = allow_delete = False


def changes_table(view, context, model, name) -> Markup:
    """An audit event's changed fields as old -> new."""
    rows = "".join(
        Markup("<tr><th>{}</th><td>{}</td><td>→ {}</td></tr>").format(k, v[0], v[1])
        for k, v in sorted((model.changes or {}).items()) if isinstance(v, list | tuple) and len(v) == 2)
    if not rows:
        return Markup("<small>{}</small>").format(model.changes)
    return Markup('<table class="table table-sm mb-0 small">{}</table>').format(Markup(rows))
