"""User-task forms from camunda:formData: field types, required fields and validation constraints."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from models.errors import DomainError
from models.limits import ASCII_DECIMAL, ASCII_INT, check_business_date, check_text, parse_decimal, parse_int

TRUE = {"true", "on", "yes", "1", True}
# What a task form may carry when its BPMN sets no limit of its own: amounts that fit a money column,
# whole numbers that fit a big integer, text a clerk types (not a file pasted into a field).
DECIMAL_MAX = Decimal("9999999999999999.99")
TEXT_MAX = 4000
FALSE = {"false", "off", "no", "0", "", None, False}


def field_required(field) -> bool:
    return str(field.get_validation("required")).lower() == "true"


def _number(field, raw, kind):
    text = str(raw).strip()
    if not (ASCII_INT if kind == "int" else ASCII_DECIMAL).fullmatch(text):
        raise DomainError("must be a whole number" if kind == "int" else "must be a number", field.id)
    if kind == "int":
        return parse_int(text, field.id, -2**63, 2**63 - 1)
    return parse_decimal(text, field.id, -DECIMAL_MAX, DECIMAL_MAX)


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
            day = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        except ValueError as exc:
            raise DomainError("must be a date (YYYY-MM-DD)", field.id) from exc
        return check_business_date(day, field.id)
    elif field.type == "enum":
        options = [o.id for o in field.options]
        if str(raw) not in options:
            raise DomainError(f"must be one of {', '.join(options)}", field.id)
        return str(raw)
    else:
        value = check_text(str(raw), field.id, TEXT_MAX)
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
