"""Where the portal shows a business object that processes refer to by type and id."""
from __future__ import annotations

from flask import url_for


def object_url(object_type: str | None, object_id: int | None) -> str | None:
    if object_type == "customer_request" and object_id:
        return url_for("requests.show", request_id=object_id)
    return None
