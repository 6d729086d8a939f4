"""Where the portal shows business objects: the one place that knows each kind's page, the links to them
the templates use, and long lists of them a page at a time."""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask, request, url_for
from markupsafe import Markup

from models.base import db
from models.meters.entities import Meter
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


def _page_by(model, key_column, url) -> Callable[[int], str | None]:
    def page(object_id: int) -> str | None:
        key = db.session.scalar(sa.select(key_column).where(model.id == object_id))
        return url(key) if key else None
    return page


# The page of each kind of business object (models.objects registers the kinds) that has one.
PAGES: dict[str, Callable[[int], str | None]] = {
    "customer_request": request_url,
    "service_order": order_url,
    "service_point": _page_by(ServicePoint, ServicePoint.spn, spn_url),
    "meter": _page_by(Meter, Meter.number, meter_url),
    "bill": lambda bill_id: url_for("billing.bill_by_id", bill_id=bill_id),   # redirects to its number once issued
    "billing_run": lambda run_id: url_for("billing.run", run_id=run_id),
    "payment": lambda payment_id: url_for("collection.payment", payment_id=payment_id),
}
# Kinds shown on their parents' pages rather than their own.
NO_PAGE = {"contract", "reading_cycle", "reading_order", "reading_anomaly", "reading_import", "process_instance",
           "misc_charge", "cashier_day", "write_off", "contact", "service_note"}
NO_PAGE |= {"payment_arrangement"}      # shown on its service point's dunning page
PAGES["statement_import"] = lambda import_id: url_for("collection_bank.statement", import_id=import_id)
NO_PAGE |= {"suspense_item", "mandate", "direct_debit_batch", "direct_debit_item"}   # on the /collection/bank page


def object_url(object_type: str | None, object_id: int | None) -> str | None:
    """The page of an object that processes, tasks and status changes name by type and id."""
    page = PAGES.get(object_type or "")
    return page(object_id) if page and object_id else None


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
