"""The admin's shared behaviour: role checks, CSRF, masking, readable refusals, CSV export, nothing written
that an operation owns (admin_views.owned), and one unit of work per custom action (`CmsModelView.apply`)."""
from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import UTC, datetime
from enum import Enum

import sqlalchemy as sa
from flask import abort, flash, g, has_request_context, redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_admin.actions import action
from flask_admin.babel import lazy_gettext, ngettext
from flask_admin.contrib.sqla import ModelView, tools
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
from flask_admin.tools import rec_getattr
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from markupsafe import Markup
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import SQLAlchemyError
from wtforms import validators

from admin_views.owned import OWNED_ROWS, owned_on_create, owned_on_edit
from models.base import db
from models.csv_cells import csv_cell
from models.customers.entities import is_masked, mask_number
from models.errors import DATABASE_REFUSED, DomainError, Refusal
from models.params import ID_MAX, optional_int
from models.transactions import as_refusal, transaction
from models.users.entities import RoleName
from models.users.roles import ANY_STAFF, holds_any_role

log = logging.getLogger(__name__)


def has_any_role(*roles: str) -> bool:
    return holds_any_role(current_user, *roles)


def refuse():
    """Anonymous users go to the login page and come back; signed-in users without the role get 403 (as
    the portal's pages answer)."""
    if not current_user.is_authenticated:
        return redirect(url_for("security.login", next=request.full_path))
    abort(403)


def _without(form_class: type, names) -> type:
    for name in names:
        if hasattr(form_class, name):
            delattr(form_class, name)
    return form_class


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


def _reaches_masked(model, field) -> bool:
    """Whether a column name, dotted path, column or list of them (as Flask-Admin keeps them) ends at a
    masked column."""
    if isinstance(field, list | tuple):
        return any(_reaches_masked(model, f) for f in field)
    if isinstance(field, str):
        try:
            field = tools.get_field_with_path(model, field)[0]
        except AttributeError:
            return False
    return is_masked(field)


def _unmasked_part(name: str, keep):
    """A property over a cache Flask-Admin fills at start-up, read through `keep` by roles that see numbers
    masked: the cache itself is computed once for everyone, and search or sort over a masked column lets
    a clerk rebuild the number from its fragments or its place in the order."""
    stored = f"_cms_all{name}"

    def read(self):
        value = self.__dict__.get(stored)
        return value if value is None or self._sees_full_numbers() else keep(self, value)

    def write(self, value):
        self.__dict__[stored] = value

    return property(read, write)


def _usable_key(model, value):
    """`value` as the model's key when its column can hold it; None for what no row can have."""
    keys = sa_inspect(model).primary_key
    if len(keys) == 1 and isinstance(keys[0].type, sa.Integer):
        number = optional_int(value if isinstance(value, str) else str(value))
        return None if number is None else str(number)
    return value


def selected_keys(model, ids) -> list:
    """The keys an admin action's checked rows name, typed as their column (PostgreSQL compares an integer
    key with text only by refusing the query); what no row can have is left out."""
    integer = isinstance(sa_inspect(model).primary_key[0].type, sa.Integer)
    keys = [key for key in (_usable_key(model, i) for i in ids) if key is not None]
    return [int(key) for key in keys] if integer else keys


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
    # Bank account and ID numbers, shown in full to admins only: the model's columns flagged masked
    # (models.customers.entities.MASKED), dotted paths to them in the column lists, and any named here.
    masked_columns: tuple[str, ...] = ()

    def __init__(self, model, session, **kwargs):
        listed = [*(self.column_list or ()), *(self.column_details_list or ()), *(self.column_export_list or ())]
        own = (a.key for a in sa_inspect(model).column_attrs if any(map(is_masked, a.columns)))
        names = {*self.masked_columns, *own,
                 *(n for n in listed if isinstance(n, str) and "." in n and _reaches_masked(model, n))}
        masked = dict.fromkeys(sorted(names), self._masked)
        self.column_formatters = {**masked, **dict(self.column_formatters or {})}
        self.column_formatters_export = {**masked, **dict(self.column_formatters_export or {})}
        if self.column_formatters_detail is not None:  # else Flask-Admin takes column_formatters
            self.column_formatters_detail = {**masked, **dict(self.column_formatters_detail)}
        super().__init__(model, session, **kwargs)

    def get_one(self, id):  # noqa: A002  Flask-Admin's name
        """The row for an `?id=` typed in the URL; an id its integer key cannot hold is no row (PostgreSQL
        would refuse the query), so the admin answers "Record does not exist" as for any unknown id."""
        key = _usable_key(self.model, id)
        return None if key is None else super().get_one(key)

    def _create_ajax_loader(self, name, options):
        # A related row chosen in a form comes back as its key: the same check before it is looked up.
        loader = super()._create_ajax_loader(name, options)
        lookup = loader.get_one
        loader.get_one = lambda pk: None if (key := _usable_key(loader.model, pk)) is None else lookup(key)
        return loader

    def _get_list_extra_args(self):
        """The list's paging and sorting as typed in the URL, within what the database can answer: a page
        past any table's end is an empty page, an unknown sort column is no sort (never an OFFSET overflow)."""
        args = super()._get_list_extra_args()
        page_size = args.page_size if 0 < (args.page_size or 0) <= 1000 else 0
        page = args.page if 0 <= (args.page or 0) <= ID_MAX // 1000 else 0
        sort = args.sort if args.sort is not None and 0 <= args.sort < 1000 else None
        return args.clone(page=page, page_size=page_size, sort=sort,
                          sort_desc=1 if args.sort_desc else None)

    @staticmethod
    def _masked(view, context, model, name):
        value = rec_getattr(model, name, None)
        return value if has_any_role(RoleName.ADMIN) else mask_number(value)

    @staticmethod
    def _sees_full_numbers() -> bool:
        # Outside a request Flask-Admin is building its caches, which hold every column.
        return not has_request_context() or has_any_role(RoleName.ADMIN)

    _sortable_columns = _unmasked_part("_sortable_columns", lambda self, columns: {
        name: column for name, column in columns.items() if not _reaches_masked(self.model, column)})
    _search_fields = _unmasked_part("_search_fields", lambda self, fields: [
        (column, joins) for column, joins in fields if not is_masked(column)])
    _search_supported = _unmasked_part("_search_supported", lambda self, supported: supported and bool(
        self._search_fields))

    def search_placeholder(self):
        if self._sees_full_numbers():
            return super().search_placeholder()
        names = [n for n in self.column_searchable_list or () if not _reaches_masked(self.model, n)]
        return ", ".join(str(self.column_labels.get(getattr(n, "key", n), getattr(n, "key", n))) for n in names) \
            or None

    def _get_default_order(self):
        for attr, joins, desc in super()._get_default_order():
            if self._sees_full_numbers() or not _reaches_masked(self.model, attr):
                yield attr, joins, desc

    def _masked_filter(self, index: int) -> bool:
        return not self._sees_full_numbers() and is_masked(getattr(self._filters[index], "column", None))

    def _get_list_filter_args(self):
        filters = super()._get_list_filter_args()
        return None if filters is None else [f for f in filters if not self._masked_filter(f[0])]

    def _get_filter_groups(self):
        groups = super()._get_filter_groups()
        kept = OrderedDict((name, [i for i in items if not self._masked_filter(i["index"])])
                           for name, items in (groups or {}).items())
        return OrderedDict((name, items) for name, items in kept.items() if items) or None

    @expose("/ajax/lookup/")
    def ajax_lookup(self):
        loader = (self._form_ajax_refs or {}).get(request.args.get("name"))
        if not self._sees_full_numbers() and _reaches_masked(self.model, list(getattr(loader, "_cached_fields", []))):
            abort(403)
        return super().ajax_lookup()

    def get_export_value(self, model, name):
        return csv_cell(super().get_export_value(model, name))

    def _may_write(self) -> bool:
        return has_any_role(*self.write_roles)

    def _may_change_rows(self) -> bool:
        return self._may_write() and self.model not in OWNED_ROWS

    # Rows an operation owns (admin_views.owned) are read-only whatever a view says.
    can_create = property(lambda self: self._may_change_rows() and self.allow_create)
    can_edit = property(lambda self: self._may_change_rows() and self.allow_edit)
    can_delete = property(lambda self: self._may_change_rows() and self.allow_delete)
    allow_create = allow_edit = allow_delete = True

    def get_create_form(self):
        # Fields an operation owns are never in a form, whatever form_columns lists (admin_views.owned).
        return _without(super().get_create_form(), owned_on_create(self.model))

    def get_edit_form(self):
        return _without(super().get_edit_form(), owned_on_edit(self.model))

    def apply(self, work, form=None):
        """Run a change an admin action makes through operations as one unit of work
        (models.transactions.transaction) and return its result; None when it was refused: the refusal is
        flashed and, with a form, shown at its field. Every custom action and form of the admin uses this.
        """
        g.cms_admin_form = form
        try:
            with transaction():
                return work()
        except DomainError as exc:
            self.handle_view_exception(exc)
            return None

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
        """Name the field and the rule; the form comes back with its input and nothing is saved.

        Any other database error reads as a refusal without its text, which holds the SQL and its values.
        """
        refusal = as_refusal(exc)
        if refusal is None and isinstance(exc, SQLAlchemyError):
            log.error("%s: the database refused a change", self.endpoint, exc_info=exc)
            refusal = DomainError(DATABASE_REFUSED)
        exc = refusal or exc
        if isinstance(exc, Refusal):
            form = g.get("cms_admin_form")
            if form is not None and exc.field and exc.field in form:
                form[exc.field].errors = [*form[exc.field].errors, exc.message]
            flash(str(exc), "error")
            return True
        return super().handle_view_exception(exc)

    @action("delete", lazy_gettext("Delete"), lazy_gettext("Are you sure you want to delete selected records?"))
    def action_delete(self, ids):
        # Flask-Admin's own flashes the exception's text (SQL included) even after handle_view_exception;
        # delete_model reports and rolls back each refusal itself.
        try:
            rows = tools.get_query_for_ids(self.get_query(), self.model, selected_keys(self.model, ids)).all()
        except SQLAlchemyError as exc:
            db.session.rollback()
            self.handle_view_exception(exc)
            return
        count = sum(1 for row in rows if self.delete_model(row))
        if count:
            flash(ngettext("Record was successfully deleted.", "%(count)s records were successfully deleted.",
                           count, count=count), "success")


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
