"""Plotly figures (graph_objects: no numpy needed), rendered as a div and the figure's JSON, without any script.

The CSP runs no inline script: portal/static/charts.js draws every figure from its JSON.
"""
from __future__ import annotations

import plotly.graph_objects as go
from markupsafe import Markup, escape
from plotly.io.json import to_json_plotly

CONFIG = {"displaylogo": False, "responsive": True}
# JSON inside a script element: no "</script>" or "<!--" may appear in it.
SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def embed(figure: go.Figure, div_id: str, height: int, click_param: str | None = None) -> str:
    spec = figure.to_plotly_json()
    data = to_json_plotly({"data": spec["data"], "layout": spec["layout"], "config": CONFIG}).translate(SCRIPT_SAFE)
    click = f' data-click-param="{escape(click_param)}"' if click_param else ""
    return Markup(f'<div id="{escape(div_id)}" class="plotly-graph-div" data-height="{height}"{click}></div>'
                  f'<script type="application/json" data-chart-for="{escape(div_id)}">{data}</script>')


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def calibration_chart(counts: list[int], year: int) -> str:
    figure = go.Figure(go.Bar(x=MONTHS, y=counts, customdata=list(range(1, 13)), marker_color="#1f77b4",
                              hovertemplate="%{x} " + str(year) + ": %{y} meters<extra></extra>"))
    figure.update_layout(title=f"Meters due for calibration or verification, {year}", yaxis_title="meters",
                         margin={"l": 50, "r": 20, "t": 50, "b": 40}, clickmode="event")
    return embed(figure, "calibration-chart", 360, click_param="month")


def service_order_chart(table: dict[str, dict[str, int]]) -> str:
    """Stacked bars: orders per type, one colour per status."""
    statuses = sorted({s for by_status in table.values() for s in by_status})
    types = sorted(table)
    figure = go.Figure([go.Bar(name=s.replace("_", " "), x=[t.replace("_", " ") for t in types],
                               y=[table[t].get(s, 0) for t in types]) for s in statuses])
    figure.update_layout(barmode="stack", title="Service orders by type and status", yaxis_title="orders",
                         margin={"l": 50, "r": 20, "t": 50, "b": 40})
    return embed(figure, "service-order-chart", 320)


def _stacked(table: dict[str, dict[str, int]], title: str, y_title: str, div_id: str) -> str:
    statuses = sorted({s for by_status in table.values() for s in by_status})
    keys = list(table)
    figure = go.Figure([go.Bar(name=s.replace("_", " "), x=[str(k).replace("_", " ") for k in keys],
                               y=[table[k].get(s, 0) for k in keys]) for s in statuses])
    figure.update_layout(barmode="stack", title=title, yaxis_title=y_title, margin={"l": 50, "r": 20, "t": 50, "b": 60})
    return embed(figure, div_id, 340)


def anomaly_chart(table: dict[str, dict[str, int]], group: str) -> str:
    return _stacked(table, f"Reading anomalies by {group} and status", "anomalies", "anomaly-chart")


def completeness_chart(rows: list[dict]) -> str:
    labels = [f"{r['route']} {r['period']:%Y-%m}" for r in rows][::-1]
    figure = go.Figure([go.Bar(name=name, x=labels, y=[r[key] for r in rows][::-1])
                        for key, name in (("read", "read"), ("estimated", "estimated"), ("not_read", "not read"),
                                          ("open", "open"))])
    figure.update_layout(barmode="stack", title="Reading completeness per route and cycle", yaxis_title="registers",
                         margin={"l": 50, "r": 20, "t": 50, "b": 80})
    return embed(figure, "completeness-chart", 340)


def consumption_chart(series: dict, spn: str) -> str:
    """Active energy per month stacked as bars (estimated months hatched), reactive energy as a line."""
    traces = []
    for name, months in series.items():
        if name.startswith(("3.8", "4.8")):
            traces.append(go.Scatter(name=f"{name} kVArh", x=list(months), y=list(months.values()), yaxis="y2",
                                     mode="lines+markers"))
        else:
            traces.append(go.Bar(name=f"{name} kWh", x=list(months), y=list(months.values()),
                                 marker_pattern_shape="/" if "estimated" in name else ""))
    figure = go.Figure(traces)
    figure.update_layout(barmode="stack", title=f"Consumption history of {spn}", yaxis_title="kWh per month",
                         yaxis2={"title": "kVArh", "overlaying": "y", "side": "right", "showgrid": False},
                         legend={"orientation": "h", "y": -0.15}, margin={"l": 60, "r": 60, "t": 50, "b": 40})
    return embed(figure, "consumption-chart", 360)
