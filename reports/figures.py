"""Plotly figures (graph_objects: no numpy needed), rendered to HTML without the library inline."""
from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def calibration_chart(counts: list[int], year: int) -> str:
    figure = go.Figure(go.Bar(x=MONTHS, y=counts, customdata=list(range(1, 13)), marker_color="#1f77b4",
                              hovertemplate="%{x} " + str(year) + ": %{y} meters<extra></extra>"))
    figure.update_layout(title=f"Meters due for calibration or verification, {year}", yaxis_title="meters",
                         margin={"l": 50, "r": 20, "t": 50, "b": 40}, clickmode="event")
    return pio.to_html(figure, full_html=False, include_plotlyjs=False, default_height=360, div_id="calibration-chart",
                       config={"displaylogo": False})


def service_order_chart(table: dict[str, dict[str, int]]) -> str:
    """Stacked bars: orders per type, one colour per status."""
    statuses = sorted({s for by_status in table.values() for s in by_status})
    types = sorted(table)
    figure = go.Figure([go.Bar(name=s.replace("_", " "), x=[t.replace("_", " ") for t in types],
                               y=[table[t].get(s, 0) for t in types]) for s in statuses])
    figure.update_layout(barmode="stack", title="Service orders by type and status", yaxis_title="orders",
                         margin={"l": 50, "r": 20, "t": 50, "b": 40})
    return pio.to_html(figure, full_html=False, include_plotlyjs=False, default_height=320,
                       div_id="service-order-chart", config={"displaylogo": False})
