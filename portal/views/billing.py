"""/billing: billing runs (start one, follow its progress, its summary), the bill list with its CSV, and the
bill page that explains a bill line by line, with its document, its history and its cancellation."""
from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for

from models.base import db
from models.billing.entities import Bill, BillKind, BillStatus
from models.billing.operations import cancel_bill
from models.billing.queries import (
    bill_list,
    contract_names,
    document_of,
    get_bill,
    get_bill_by_id,
    get_run,
    has_document,
    held_bill_count,
    related_bills,
    run_list,
    tariff_classes,
)
from models.billing.runs import run_progress, run_summary
from models.billing.simulation import decimal_text, parse_period
from models.clock import today
from models.collection.queries import allocations_of_bill, bill_balances
from models.errors import DomainError
from models.limits import check_business_date
from models.premises.queries import all_routes
from models.statuses import status_history
from models.types import add_months
from portal.auth import ANY_STAFF, roles_allowed
from portal.edges import commit_or_flash
from portal.objects import paginate
from portal.params import optional_date, optional_int
from reports.exports import csv_response
from workflows.billing import launch_billing_run
from workflows.billing_exceptions import consumption_history, running_exception

bp = Blueprint("billing", __name__, url_prefix="/billing")
CSV_COLUMNS = ["number", "kind", "status", "period", "spn", "customer_no", "customer", "tariff", "tariff_class",
               "power_va", "kwh", "total", "issued_on", "due_on", "hold_reasons"]


@bp.get("/")
@roles_allowed(*ANY_STAFF)
def index():
    # The runs' own counters: the chunks move them as they finish (models.billing.runs).
    return render_template("billing/index.html", page=paginate(run_list()), routes=all_routes(db.session),
                           held=held_bill_count(db.session), next_period=_last_month())


def _last_month() -> str:
    return f"{add_months(today().replace(day=1), -1):%Y-%m}"


@bp.post("/runs")
@roles_allowed(*ANY_STAFF)
def start_run():
    """Start a run for a period over the chosen routes and billing cycles (none chosen: all); its chunks go
    to the workers."""
    form = request.form
    try:
        period = check_business_date(parse_period(form.get("period") or "")[0], "period")
        run_id = launch_billing_run(period, [code for code in form.getlist("routes") if code.strip()] or None,
                                    cycles=form.getlist("cycles") or None)
    except DomainError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".index"))
    current = get_run(db.session, run_id)
    flash(f"Billing run {run_id} for {current.period:%Y-%m} started: {current.total:,} contracts.", "success")
    for code, why in (current.refused_routes or {}).items():
        flash(f"Route {code} is not billed: {why}.", "warning")
    return redirect(url_for(".run", run_id=run_id))


@bp.get("/runs/<int:run_id>")
@roles_allowed(*ANY_STAFF)
def run(run_id: int):
    current = get_run(db.session, run_id)
    progress = run_progress(db.session, run_id)
    summary = progress["summary"] or run_summary(db.session, run_id)     # so far, while it runs
    names = contract_names(db.session, [e["contract_id"] for e in progress["error_list"]])
    return render_template("billing/run.html", run=current, progress=progress, summary=summary, names=names,
                           chart=_class_figure(summary))


@bp.get("/runs/<int:run_id>/progress")
@roles_allowed(*ANY_STAFF)
def progress(run_id: int):
    get_run(db.session, run_id)
    answer = run_progress(db.session, run_id, error_limit=0)
    answer.pop("summary")       # the page reloads for it once the run has finished
    return jsonify(answer)


def _class_figure(summary: list[dict]) -> dict | None:
    """Bills and amounts by tariff class as a Plotly figure (drawn by charts.js from its JSON)."""
    if not summary:
        return None
    classes = [c["tariff_class"] for c in summary]
    return {"data": [{"type": "bar", "name": "amount (Rp)", "x": classes,
                      "y": [decimal_text(c["total"]) for c in summary], "marker": {"color": "#1f77b4"}},
                     {"type": "scatter", "mode": "markers", "name": "bills", "x": classes, "yaxis": "y2",
                      "y": [c["bills"] for c in summary], "marker": {"color": "#ff7f0e", "size": 10}}],
            "layout": {"title": {"text": "Amount billed and bills by tariff class"}, "yaxis": {"title": {"text": "Rp"}},
                       "yaxis2": {"title": {"text": "bills"}, "overlaying": "y", "side": "right",
                                  "rangemode": "tozero"},
                       "margin": {"l": 80, "r": 60, "t": 50, "b": 40}, "legend": {"orientation": "h"}},
            "config": {"displaylogo": False, "responsive": True}}


def _list_filters(args) -> dict:
    period = args.get("period") or ""
    return {"period": optional_date(period + "-01") if period else None, "status": args.get("status"),
            "tariff_class": (args.get("tariff_class") or "")[:10], "term": args.get("q", ""),
            "run_id": optional_int(args.get("run"))}


@bp.get("/bills")
@roles_allowed(*ANY_STAFF)
def bills():
    args = request.args
    query = bill_list(**_list_filters(args))
    if args.get("format") == "csv":
        return _bills_csv(query)
    return render_template("billing/bills.html", page=paginate(query, key=Bill.id), args=args, statuses=BillStatus,
                           classes=tariff_classes(db.session))


def _bills_csv(query) -> Response:
    rows = db.session.execute(query.execution_options(yield_per=2000))
    return csv_response(f"bills-{today():%Y%m%d}.csv", CSV_COLUMNS, (
        (r.number or "", r.kind.value, r.status.value, f"{r.period:%Y-%m}", r.spn, r.customer_no, r.customer,
         r.tariff_code, r.tariff_class, r.power_va, decimal_text(r.kwh), decimal_text(r.total, money=True),
         r.issued_on or "", r.due_on or "", "; ".join(r.hold_reasons or [])) for r in rows))


@bp.get("/bills/<number>")
@roles_allowed(*ANY_STAFF)
def bill(number: str):
    return _bill_page(get_bill(db.session, number))


@bp.get("/bills/id/<int:bill_id>")
@roles_allowed(*ANY_STAFF)
def bill_by_id(bill_id: int):
    found = get_bill_by_id(db.session, bill_id)
    if found.number:
        return redirect(url_for(".bill", number=found.number))
    return _bill_page(found)


def _bill_page(current: Bill):
    exception = running_exception(db.session, current.id) if current.status is BillStatus.HELD else None
    # A held bill under review is cancelled from its exception task, which would otherwise stay open.
    may_cancel = current.kind is BillKind.INVOICE and current.status is not BillStatus.CANCELLED and not exception
    payments = allocations_of_bill(db.session, current.id) if current.kind is BillKind.INVOICE and current.number \
        else None
    return render_template("billing/bill.html", bill=current, related=related_bills(db.session, current),
                           payments=payments, balance=bill_balances(db.session, [current.id]).get(current.id, 0),
                           history=status_history(db.session, "bill", current.id),
                           document=has_document(db.session, current.id), exception=exception,
                           chart=_history_figure(consumption_history(db.session, current))
                           if current.kind is BillKind.INVOICE else None, may_cancel=may_cancel)


def _history_figure(points) -> dict | None:
    """The contract's last bills' kWh, estimated ones hatched, this bill highlighted."""
    if len(points) < 2:
        return None
    colour = ["#d62728" if p.current else "#1f77b4" for p in points]
    return {"data": [{"type": "bar", "x": [f"{p.period:%Y-%m}" for p in points],
                      "y": [decimal_text(p.kwh) for p in points],
                      "marker": {"color": colour, "pattern": {"shape": ["/" if p.estimated else "" for p in points]}},
                      "hovertemplate": "%{x}: %{y} kWh<extra></extra>"}],
            "layout": {"title": {"text": "Consumption of the last bills (kWh; hatched: estimated)"},
                       "xaxis": {"type": "category"}, "yaxis": {"title": {"text": "kWh"}},
                       "margin": {"l": 60, "r": 20, "t": 50, "b": 40}},
            "config": {"displaylogo": False, "responsive": True}}


@bp.get("/bills/<number>/document")
@roles_allowed(*ANY_STAFF)
def document(number: str):
    current = get_bill(db.session, number)
    stored = document_of(db.session, current.id)
    if stored is None:
        return render_template("billing/no_document.html", bill=current), 404
    return Response(stored.content, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{current.number}.pdf"', "ETag": f'"{stored.sha256}"'})


@bp.post("/bills/id/<int:bill_id>/cancel")
@roles_allowed(*ANY_STAFF)
def cancel(bill_id: int):
    current = get_bill_by_id(db.session, bill_id)
    reason = request.form.get("reason", "")
    commit_or_flash(lambda: cancel_bill(db.session, current, reason),
                    lambda credit: f"Cancelled {current}; credit note {credit.number} reverses it."
                    if credit else f"Discarded {current}: it was never issued.")
    return redirect(url_for(".bill", number=current.number) if current.number else
                    url_for(".bill_by_id", bill_id=current.id))
