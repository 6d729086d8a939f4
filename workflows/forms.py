"""User-task forms from camunda:formData: field types, required fields and validation constraints."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from models.errors import DomainError

TRUE = {"true", "on", "yes", "1", True}
FALSE = {"false", "off", "no", "0", "", None, False}


def field_required(field) -> bool:
    return str(field.get_validation("required")).lower() == "true"


def _number(field, raw, kind):
    try:
        return int(raw) if kind == "int" else Decimal(str(raw))
    except (ValueError, InvalidOperation) as exc:
        raise DomainError("must be a whole number" if kind == "int" else "must be a number", field.id) from exc


def _convert(field, raw):
    if field.type in ("long", "number"):
        value = _number(field, raw, "int")
    elif field.type == "decimal":
        value = _number(field, raw, "decimal")
    elif field.type == "boolean":
        if raw not in TRUE and raw not in FALSE and str(raw).lower() not in TRUE | FALSE:
            raise DomainError("must be yes or no", field.id)
        return raw in TRUE or str(raw).lower() in TRUE
    elif field.type == "date":
        try:
            return raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        except ValueError as exc:
            raise DomainError("must be a date (YYYY-MM-DD)", field.id) from exc
    elif field.type == "enum":
        options = [o.id for o in field.options]
        if str(raw) not in options:
            raise DomainError(f"must be one of {', '.join(options)}", field.id)
        return str(raw)
    else:
        value = str(raw)
    for name, check, message in (
        ("min", lambda v, c: v >= _number(field, c, "decimal"), "must be at least {}"),
        ("max", lambda v, c: v <= _number(field, c, "decimal"), "must be at most {}"),
        ("minlength", lambda v, c: len(str(v)) >= int(c), "must have at least {} characters"),
        ("maxlength", lambda v, c: len(str(v)) <= int(c), "must have at most {} characters"),
    ):
        limit = field.get_validation(name)
        if limit is not None and not check(value, limit):
            raise DomainError(message.format(limit), field.id)
    return value


def validate_form(form, data: dict) -> dict:
    """Typed values for the form's fields; a missing required field or a bad value names the field."""
    values = {}
    for field in (form.fields if form is not None else []):
        raw = data.get(field.id)
        if field.type == "boolean" and raw is None:
            raw = False
        if raw is None or (isinstance(raw, str) and raw.strip() == "" and field.type != "boolean"):
            if field_required(field):
                raise DomainError("is required", field.id)
            # Every field lands in the task data, so that expressions may test an empty optional one.
            values[field.id] = field.default_value or None
            continue
        values[field.id] = _convert(field, raw.strip() if isinstance(raw, str) else raw)
    return values


def describe_form(form) -> list[dict]:
    """The form as data, for rendering and for the API."""
    out = []
    for field in (form.fields if form is not None else []):
        out.append({"id": field.id, "label": field.label or field.id, "type": field.type,
                    "required": field_required(field), "default": field.default_value or "",
                    "options": [(o.id, o.name) for o in getattr(field, "options", [])]})
    return out
