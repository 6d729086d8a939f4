"""Reading numbers, dates and text from URLs, query strings, forms and JSON: one way for every page.

Query-string filters are forgiving (a value that cannot be used is ignored, as if it were absent);
form and JSON fields are strict (a DomainError naming the field). Numbers are ASCII digits within the
range of the database's integer ids; dates lie in the business window of models.limits.
"""
from __future__ import annotations

from datetime import date

from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from models.errors import DomainError
from models.limits import check_business_date

# The forgiving readers live below the web layers, where the admin and the reports read them too.
from models.params import ID_MAX, date_range, optional_date, optional_int  # noqa: F401


class IdConverter(IntegerConverter):
    """`<int:...>` in a URL: a number past the largest id is no page (404), not a database error."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=ID_MAX, signed=False):  # noqa: A002  werkzeug's names
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def form_date(value, field: str, default: date | None = None) -> date | None:
    """A date typed into a form: empty gives the default, anything else must be YYYY-MM-DD in the window."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if not isinstance(value, str):
        raise DomainError("must be a date (YYYY-MM-DD)", field)
    try:
        day = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise DomainError("must be a date (YYYY-MM-DD)", field) from exc
    return check_business_date(day, field)


def refuse_malformed_input() -> None:
    """A before_request hook for what no page accepts: NUL characters anywhere (PostgreSQL cannot even
    compare them) and a JSON body that is not an object of fields (a list or a bare number would reach
    code, ours or Flask-Security's, that expects fields)."""
    from flask import request
    values = [*(request.view_args or {}).values(), *request.args.values()]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += [*request.form.values(), *(f.filename or "" for f in request.files.values())]
    if any(isinstance(v, str) and "\x00" in v for v in values):
        raise BadRequest("NUL characters are not accepted in any field")
    if request.is_json and request.content_length:
        data = request.get_json(silent=True)
        if data is not None and not isinstance(data, dict):
            raise BadRequest("the body must be a JSON object of fields")
        if isinstance(data, dict) and any(isinstance(v, str) and "\x00" in v for v in data.values()):
            raise BadRequest("NUL characters are not accepted in any field")


def json_or_form(request):
    """The fields of a JSON object body, or of the form; a JSON body that is not an object is refused."""
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise BadRequest("the body must be a JSON object of fields")
        return data
    return request.form


def text(data, name: str, default: str = "") -> str:
    """A field as text: strings as they are, JSON numbers as they were written, anything else refused."""
    value = data.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise DomainError("must be text or a number", name)
    return value if isinstance(value, str) else str(value)
