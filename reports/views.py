"""/reports pages: queries (reports.queries) -> figures (reports.figures) -> pages and CSV."""
from __future__ import annotations

from functools import wraps
from pathlib import Path

import plotly
import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user

from models.base import db
from models.clock import today
from models.limits import EARLIEST_DAY, latest_day
from models.meters.entities import Store, UsageType
from models.paging import paginate
from models.params import date_range, optional_date, optional_int
from models.premises.entities import ReadingRoute
from models.readings.entities import AnomalyCode, AnomalyStatus, ReadingAnomaly
from models.users.roles import ANY_STAFF, holds_any_role
from reports.exports import csv_response
from reports.figures import MONTHS, anomaly_chart, calibration_chart, completeness_chart
from reports.queries import calibration_due_by_month, calibration_due_in_month
from reports.reading_queries import GROUPINGS, anomaly_counts, anomaly_list, anomaly_select, completeness

bp = Blueprint("reports", __name__, url_prefix="/reports")
PLOTLY_JS = Path(plotly.__file__).parent / "package_data"


def staff_only(view):
    """Anonymous users go to the login page and come back; signed-in users without a staff role get 403
    (as the portal's pages answer)."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("security.login", next=request.full_path))
        if not holds_any_role(current_user, *ANY_STAFF):
            abort(403)
        return view(*args, **kwargs)
    return wrapper


@bp.get("/plotly.min.js")
def plotly_js():
    return send_from_directory(PLOTLY_JS, "plotly.min.js", max_age=86400)


@bp.get("/calibration")
@staff_only
def calibration():
    args = request.args
    year = optional_int(args.get("year"), high=latest_day().year) or today().year
    year = year if year >= EARLIEST_DAY.year else today().year
    filters = {"store_id": optional_int(args.get("store")), "date_from": optional_date(args.get("date_from")),
               "date_to": optional_date(args.get("date_to")),
               "usage": args.get("usage") if args.get("usage") in {u.value for u in UsageType} else None}
    month = optional_int(args.get("month"))
    month = month if month and 1 <= month <= 12 else None
    if args.get("format") == "csv":
        if month:
            rows = calibration_due_in_month(db.session, year, month, limit=None, **filters)
            return csv_response(f"calibration-due-{year}-{month:02d}.csv",
                        ["meter", "manufacturer", "model", "status", "store", "last calibrated", "due"],
                        [(r.number, r.manufacturer, r.model_code, r.status.value, r.code or "", r.last_calibrated_on,
                          r.next_calibration_due) for r in rows])
        counts = calibration_due_by_month(db.session, year, **filters)
        return csv_response(f"calibration-due-{year}.csv", ["month", "meters"], zip(MONTHS, counts, strict=True))
    counts = calibration_due_by_month(db.session, year, **filters)
    rows = calibration_due_in_month(db.session, year, month, **filters) if month else []
    stores = db.session.scalars(sa.select(Store).order_by(Store.code)).all()
    return render_template("reports/calibration.html", year=year, counts=counts, months=MONTHS, month=month,
                           rows=rows, chart=calibration_chart(counts, year), stores=stores, usages=list(UsageType),
                           filters=filters)


def _reading_filters(args) -> dict:
    return {"route_id": optional_int(args.get("route")), "code": args.get("code") or None,
            "status": args.get("status") or None}


@bp.get("/reading-anomalies")
@staff_only
def reading_anomalies():
    args = request.args
    date_from, date_to = date_range(args, days=365)
    filters, group = _reading_filters(args), args.get("group") if args.get("group") in GROUPINGS else "code"
    filters["term"] = args.get("q", "")
    if args.get("format") == "csv":
        rows = anomaly_list(db.session, date_from, date_to, limit=None, **filters)
        return csv_response(f"reading-anomalies-{date_from}-{date_to}.csv",
                            ["read on", "spn", "route", "meter", "register", "value", "code", "status", "detail",
                             "service order"],
                            [(r.read_on, r.spn, r.route or "", r.number, r.register, r.value, a.code.value,
                              a.status.value, a.detail or "", a.service_order.number if a.service_order else "")
                             for r in rows for a in [r.ReadingAnomaly]])
    table = anomaly_counts(db.session, date_from, date_to, group, **filters)
    routes = db.session.scalars(sa.select(ReadingRoute).order_by(ReadingRoute.code)).all()
    page = paginate(anomaly_select(date_from, date_to, **filters), args, key=ReadingAnomaly.id)
    return render_template("reports/reading_anomalies.html", chart=anomaly_chart(table, group), table=table,
                           page=page, routes=routes,
                           codes=list(AnomalyCode), statuses=list(AnomalyStatus), groupings=sorted(GROUPINGS),
                           group=group, filters=filters, date_from=date_from, date_to=date_to)


@bp.get("/reading-completeness")
@staff_only
def reading_completeness():
    args = request.args
    period_from, period_to = date_range(args, days=365)
    route_id = optional_int(args.get("route"))
    rows = completeness(db.session, period_from, period_to, route_id)
    if args.get("format") == "csv":
        return csv_response(f"reading-completeness-{period_from}-{period_to}.csv",
                            ["route", "area", "period", "cycle status", "orders", "read", "estimated", "not read",
                             "open", "% read"],
                            [(r["route"], r["area"], f"{r['period']:%Y-%m}", r["status"], r["total"], r["read"],
                              r["estimated"], r["not_read"], r["open"], r["share_read"]) for r in rows])
    routes = db.session.scalars(sa.select(ReadingRoute).order_by(ReadingRoute.code)).all()
    return render_template("reports/reading_completeness.html", rows=rows, chart=completeness_chart(rows[:36]),
                           routes=routes, route_id=route_id, date_from=period_from, date_to=period_to)
