"""/service-points/<spn>/tariff-options: the customer's last year priced on every tariff and power they may choose,
with a button per allowed option that starts the tariff or power change request (the customer request process)."""
from __future__ import annotations

import plotly.graph_objects as go
from flask import Blueprint, redirect, render_template, request, url_for

from models.base import db
from models.billing.advice import chosen_option, request_type_for, tariff_options
from models.errors import DomainError
from models.limits import parse_int
from portal.auth import ANY_STAFF, roles_allowed
from portal.edges import commit_or_flash
from reports.figures import embed
from workflows.customer_requests import open_customer_request

bp = Blueprint("advice", __name__, url_prefix="/service-points")


@bp.get("/<spn>/tariff-options")
@roles_allowed(*ANY_STAFF)
def show(spn: str):
    advice = tariff_options(db.session, spn)      # unknown SPN 404, no active contract 400 (portal.views)
    return render_template("advice/show.html", advice=advice, chart=_chart(advice),
                           request_type=lambda o: request_type_for(advice, o).value)


@bp.post("/<spn>/tariff-options/request")
@roles_allowed(*ANY_STAFF)
def start_request(spn: str):
    form, created = request.form, []

    def action():
        power = parse_int(form.get("power_va"), "power_va", 1, 2_000_000_000, unit="VA")
        if power is None:
            raise DomainError("choose an option", "power_va")
        advice = tariff_options(db.session, spn)
        option = chosen_option(advice, form.get("tariff", "").strip(), power)
        kind = request_type_for(advice, option)
        item = open_customer_request(
            db.session, kind, spn=advice.spn, requested_power_va=option.power_va,
            description=(f"From the tariff advice: {option.tariff_code} at {option.power_va:,} VA, "
                         f"estimated Rp {option.annual_cost:,f} a year ({option.difference:+,f} against today's "
                         f"{advice.tariff_code} at {advice.power_va:,} VA)."))
        # open_customer_request has no parameter for it; the column exists on the request.
        item.requested_tariff = option.tariff_code
        db.session.flush()
        created.append(item)
        return item
    if commit_or_flash(action, lambda item: f"Registered {item}; it is now {item.status.value.replace('_', ' ')}."):
        return redirect(url_for("requests.show", request_id=created[0].id))
    return redirect(url_for(".show", spn=spn))


def _chart(advice) -> str | None:
    priced = [o for o in advice.options if o.annual_cost is not None and (o.allowed or o.current)]
    if not priced:
        return None
    labels = [f"{o.tariff_code} {o.power_va:,} VA" for o in priced]
    figure = go.Figure(go.Bar(x=labels, y=[float(o.annual_cost) for o in priced],
                              marker_color=["#d62728" if o.current else "#1f77b4" for o in priced],
                              hovertemplate="%{x}: Rp %{y:,.0f} a year<extra></extra>"))
    figure.update_layout(title=f"Annual cost of the options of {advice.spn} (today in red)", yaxis_title="Rp a year",
                         margin={"l": 70, "r": 20, "t": 50, "b": 120})
    return embed(figure, "tariff-options-chart", 380)
