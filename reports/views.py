"""/reports pages: queries (reports.queries) -> figures (reports.figures) -> pages and CSV."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import plotly
import sqlalchemy as sa
from flask import Blueprint, render_template, request, send_from_directory

from models.base import db
from models.meters.entities import Store, UsageType
from portal.auth import ANY_STAFF, roles_allowed
from portal.params import optional_date
from reports.exports import csv_response
from reports.figures import MONTHS, calibration_chart
from reports.queries import calibration_due_by_month, calibration_due_in_month

bp = Blueprint("reports", __name__, url_prefix="/reports")
PLOTLY_JS = Path(plotly.__file__).parent / "package_data"


@bp.get("/plotly.min.js")
def plotly_js():
    return send_from_directory(PLOTLY_JS, "plotly.min.js", max_age=86400)




@bp.get("/calibration")
@roles_allowed(*ANY_STAFF)
def calibration():
    args = request.args
    year = args.get("year", type=int) or date.today().year
    filters = {"store_id": args.get("store", type=int), "date_from": optional_date(args.get("date_from")),
               "date_to": optional_date(args.get("date_to")),
               "usage": args.get("usage") if args.get("usage") in {u.value for u in UsageType} else None}
    month = args.get("month", type=int)
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
