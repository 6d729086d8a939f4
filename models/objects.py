"""The kinds of business object that processes, tasks, links and status history name by a key and an id
("customer_request", 12): one registry, filled by each entity class where it is declared.

Nothing here imports a domain, so every domain can register itself without an import cycle.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ObjectType:
    key: str        # what rows store in their object_type columns: never renamed once data uses it
    model: type
    label: str      # what people read: "customer request"


OBJECT_TYPES: dict[str, ObjectType] = {}
_BY_MODEL: dict[type, ObjectType] = {}


def business_object(key: str, label: str) -> Callable[[type], type]:
    """Class decorator registering an entity as a kind of business object under `key`."""
    def register(model: type) -> type:
        known = OBJECT_TYPES.get(key)
        if known is not None and known.model.__qualname__ != model.__qualname__:
            raise ValueError(f"business object key '{key}' is already {known.model.__name__}")
        kind = ObjectType(key, model, label)
        OBJECT_TYPES[key] = _BY_MODEL[model] = kind
        return model
    return register


def type_of(obj: object) -> ObjectType:
    """The registered kind of an entity (or entity class)."""
    model = obj if isinstance(obj, type) else type(obj)
    kind = _BY_MODEL.get(model)
    if kind is None:
        raise LookupError(f"{model.__name__} is not a registered business object (models.objects.business_object)")
    return kind
