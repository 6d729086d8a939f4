"""/inquiry: one box that finds a service point by whatever the caller knows, and the service point view
(header with pinned alerts, then the reference document's sections, each fetched on its own so the page
paints at once), with the clerk's actions: log a contact or complaint, add a service note, register a
request with the service point filled in."""
from __future__ import annotations

import plotly.graph_objects as go
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from models.base import db
from models.contacts.entities import ContactOutcome, ContactReason
from models.contacts.operations import add_service_note, log_contact
from models.customers.entities import IdentityDocumentType, mask_number
from models.errors import DomainError
from models.inquiry.charges import charge_types
from models.inquiry.overview import SECTIONS, TIMELINE_KINDS, header, section, timeline
from models.inquiry.search import LIMIT, PATHS, search
from models.limits import parse_int
from models.params import optional_int
from models.premises.queries import get_service_point
from models.requests.entities import Channel, RequestType
from models.users.entities import RoleName
from portal.auth import ANY_STAFF, has_any_role, roles_allowed
from portal.edges import commit_or_flash
from portal.views import inquiry_actions
from reports.figures import embed
from workflows.customer_requests import open_customer_request

ACTUAL, ESTIMATED = "#17a2b8", "#fd7e14"
bp = Blueprint("inquiry", __name__, url_prefix="/inquiry")
inquiry_actions.register(bp)        # the new applicant and the misc charge: their own module, this blueprint
ADVANCED = ("serial", "brand", "doc_type")
PER_PAGE = 50


@bp.app_template_global()
def shown_number(number: str | None) -> str:
    """ID and bank account numbers: whole for admins, the last digits for everyone else."""
    return (number or "") if has_any_role(RoleName.ADMIN) else mask_number(number)


def _search_args() -> tuple[str, str | None, dict]:
    args = request.args
    path = args.get("path") or None
    extra = {k: args.get(k, "").strip() for k in ADVANCED if args.get(k, "").strip()}
    if "serial" in extra:
        extra["serial"] = int(extra["serial"]) if extra["serial"].isdigit() and len(extra["serial"]) < 5 else None
    return args.get("q", ""), path, extra


@bp.get("/")
@roles_allowed(*ANY_STAFF)
def index():
    term, path, extra = _search_args()
    result, error = None, None
    if term.strip():
        try:
            result = search(db.session, term, path, **extra)
        except DomainError as exc:
            error = exc.message
        else:
            if len(result.matches) == 1 and not request.args.get("list"):
                return redirect(url_for(".show", spn=result.matches[0].spn))
    page = min(max(optional_int(request.args.get("page")) or 1, 1), 1 + LIMIT // PER_PAGE)
    shown = result.matches[(page - 1) * PER_PAGE:page * PER_PAGE] if result else []
    pages = -(-len(result.matches) // PER_PAGE) if result else 0
    return render_template("inquiry/search.html", result=result, error=error, term=term, path=path, extra=extra,
                           paths=PATHS, doc_types=IdentityDocumentType, shown=shown, page=page, pages=pages), \
        400 if error else 200


def _tariff_options_url(spn: str) -> str | None:
    """The tariff advice page, once the engineer building it has registered its route."""
    for rule in current_app.url_map.iter_rules():
        if rule.rule == "/service-points/<spn>/tariff-options":
            return url_for(rule.endpoint, spn=spn)
    return None


@bp.get("/<spn>")
@roles_allowed(*ANY_STAFF)
def show(spn: str):
    return render_template("inquiry/show.html", h=header(db.session, spn), sections=SECTIONS,
                           charge_types=charge_types(db.session),
                           reasons=ContactReason, outcomes=ContactOutcome, channels=Channel,
                           request_types=[t for t in RequestType if t is not RequestType.NEW_CONNECTION],
                           timeline_kinds=TIMELINE_KINDS, tariff_options=_tariff_options_url(spn))


@bp.get("/<spn>/sections/<key>")
@roles_allowed(*ANY_STAFF)
def show_section(spn: str, key: str):
    if key not in SECTIONS:
        abort(404)
    number, title, _ = SECTIONS[key]
    data = section(db.session, spn, key)
    chart = billing_chart(data["bills"], spn) if key == "billing_history" and data["bills"] else None
    return render_template(f"inquiry/sections/{key}.html", spn=spn, number=number, title=title, chart=chart, **data)


def billing_chart(bills: list, spn: str) -> str:
    """Section 10: billed kWh per month as bars and the amount as a line, estimated months in another colour
    and marker; drawn by the page's script from the JSON (no inline script under the CSP)."""
    bills = sorted(bills, key=lambda b: b.period)
    months = [f"{b.period:%Y-%m}" for b in bills]
    estimated = ["estimated" if b.estimated else "actual" for b in bills]
    figure = go.Figure([
        go.Bar(name="kWh", x=months, y=[float(b.kwh) for b in bills], customdata=estimated,
               marker={"color": [ESTIMATED if b.estimated else ACTUAL for b in bills],
                       "pattern": {"shape": ["/" if b.estimated else "" for b in bills]}},
               hovertemplate="%{x}: %{y:,.0f} kWh (%{customdata})<extra></extra>"),
        go.Scatter(name="amount (Rp)", x=months, y=[float(b.total) for b in bills], yaxis="y2", mode="lines+markers",
                   customdata=estimated, line={"color": "#343a40"},
                   marker={"size": 9, "color": [ESTIMATED if b.estimated else "#343a40" for b in bills],
                           "symbol": ["diamond" if b.estimated else "circle" for b in bills]},
                   hovertemplate="%{x}: Rp %{y:,.0f} (%{customdata})<extra></extra>")])
    figure.update_layout(title=f"Billed usage and amount of {spn} (estimated months in orange)",
                         yaxis={"title": "kWh"}, yaxis2={"title": "Rp", "overlaying": "y", "side": "right",
                                                        "showgrid": False},
                         xaxis={"type": "category"}, legend={"orientation": "h", "y": -0.2},
                         margin={"l": 60, "r": 70, "t": 40, "b": 40})
    return embed(figure, "billing-history-chart", 300)


@bp.get("/<spn>/timeline")
@roles_allowed(*ANY_STAFF)
def show_timeline(spn: str):
    kinds = {k for k in request.args.getlist("kind") if k in TIMELINE_KINDS}
    sp = get_service_point(db.session, spn)
    return render_template("inquiry/sections/timeline.html", spn=spn, kinds=kinds, all_kinds=TIMELINE_KINDS,
                           events=timeline(db.session, sp, kinds))


@bp.post("/<spn>/contacts")
@roles_allowed(*ANY_STAFF)
def new_contact(spn: str):
    """Two clicks: channel, reason, text, outcome. A complaint starts the customer request process."""
    sp, form = get_service_point(db.session, spn), request.form

    def action():
        customer_id = header(db.session, spn)["customer"]
        started = None
        if form.get("reason") == ContactReason.COMPLAINT:
            started = open_customer_request(db.session, RequestType.COMPLAINT, spn=spn,
                                            channel=_channel(form.get("channel")), description=form.get("text", ""))
        return log_contact(db.session, sp, channel=form.get("channel", ""), reason=form.get("reason", ""),
                           text=form.get("text", ""), outcome=form.get("outcome") or ContactOutcome.ANSWERED,
                           customer_id=customer_id.id if customer_id else None, request=started)
    commit_or_flash(action, lambda c: "Contact logged" + (f"; complaint {c.request.number} registered and its "
                                                             "process started." if c.request else "."))
    return redirect(url_for(".show", spn=spn))


def _channel(value) -> Channel:
    try:
        return Channel(value)
    except ValueError:
        raise DomainError(f"choose one of {', '.join(c.value for c in Channel)}", "channel") from None


@bp.post("/<spn>/notes")
@roles_allowed(*ANY_STAFF)
def new_note(spn: str):
    sp = get_service_point(db.session, spn)
    commit_or_flash(lambda: add_service_note(db.session, sp, request.form.get("text", "")), "Service note added.")
    return redirect(url_for(".show", spn=spn))


@bp.post("/<spn>/requests")
@roles_allowed(*ANY_STAFF)
def new_request(spn: str):
    """A request with the service point filled in; its process starts at once (the worklist has its task)."""
    get_service_point(db.session, spn)
    form = request.form

    def action():
        try:
            kind = RequestType(form.get("request_type"))
        except ValueError:
            raise DomainError("choose the kind of request", "request_type") from None
        if kind is RequestType.NEW_CONNECTION:
            raise DomainError("a new connection is registered for the applicant, not an existing point",
                              "request_type")
        power = parse_int(form.get("requested_power_va"), "requested_power_va", 450, 1_000_000_000, unit="VA")
        return open_customer_request(db.session, kind, spn=spn, channel=_channel(form.get("channel", "counter")),
                                     description=form.get("description", ""),
                                     requested_power_va=power)
    commit_or_flash(action, lambda r: f"Registered {r.number}; its process has started.")
    return redirect(url_for(".show", spn=spn))
