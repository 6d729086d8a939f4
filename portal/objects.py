"""Where the portal shows business objects: the one place that knows each kind's page, the links to them
the templates use, and long lists of them a page at a time."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, request, url_for
from markupsafe import Markup

from models.base import db
from models.meters.entities import Meter
from models.paging import MAX_PER_PAGE, PER_PAGE  # noqa: F401
from models.paging import paginate as paginate_args
from models.premises.entities import ServicePoint


def spn_url(spn: str) -> str:
    return url_for("service_points.show", spn=spn)


def meter_url(number: str) -> str:
    return url_for("meters.show", number=number)


def request_url(request_id: int) -> str:
    return url_for("requests.show", request_id=request_id)


def order_url(order_id: int) -> str:
    return url_for("service_orders.show", order_id=order_id)


def object_url(object_type: str | None, object_id: int | None) -> str | None:
    """The page of an object that processes, tasks and status changes name by type and id."""
    if not object_id:
        return None
    if object_type == "customer_request":
        return request_url(object_id)
    if object_type == "service_order":
        return order_url(object_id)
    if object_type == "service_point":
        spn = db.session.scalar(sa.select(ServicePoint.spn).where(ServicePoint.id == object_id))
        return spn_url(spn) if spn else None
    if object_type == "meter":
        number = db.session.scalar(sa.select(Meter.number).where(Meter.id == object_id))
        return meter_url(number) if number else None
    return None


def _link(url: str, text, tabindex: int | None) -> Markup:
    # tabindex=-1 where keys drive the page (the entry screen): the link is still a click away but the
    # Tab key keeps going from one reading to the next.
    extra = Markup(' tabindex="{}"').format(tabindex) if tabindex is not None else ""
    return Markup('<a href="{}"{}>{}</a>').format(url, extra, text)


def spn_link(spn: str | None, tabindex: int | None = None) -> Markup | str:
    return _link(spn_url(spn), spn, tabindex) if spn else ""


def meter_link(number: str | None, tabindex: int | None = None) -> Markup | str:
    return _link(meter_url(number), number, tabindex) if number else ""


def request_link(request_id: int | None, number: str, tabindex: int | None = None) -> Markup | str:
    return _link(request_url(request_id), number, tabindex) if request_id else number or ""


def order_link(order_id: int | None, number: str, tabindex: int | None = None) -> Markup | str:
    return _link(order_url(order_id), number, tabindex) if order_id else number or ""


def object_link(object_type: str | None, object_id: int | None, text) -> Markup | str:
    url = object_url(object_type, object_id) if text else None
    return _link(url, text, None) if url else text or ""


def paginate(query: sa.Select, key=None):
    """The page of `query` this request's ?page= and ?per_page= ask for (models.paging.paginate)."""
    return paginate_args(query, request.args, key)


def install(app: Flask) -> None:
    """Make the links available to every template."""
    for function in (spn_link, meter_link, request_link, order_link, object_link, object_url):
        app.add_template_global(function)
