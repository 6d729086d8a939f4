"""No input gets a 5xx: every portal route, with hostile path values, query strings, forms and JSON.

The routes come from the URL map and the field names from each view's own source (`args.get("x")`,
`form.get("x")`, `data.get("x")`), so a new page or field is covered without editing this file.
One test per blueprint on a small demo utility; each request that answers 4xx must write nothing.
"""
from __future__ import annotations

import inspect
import re

import pytest
import sqlalchemy as sa

from models.audit.entities import AuditEvent
from models.demo.loader import load_demo_data
from tests.conftest import csrf_token

pytestmark = pytest.mark.walk   # date-independent: make test runs it on today's passes only

HOSTILE = ["1" + "0" * 30, "-1", "-9223372036854775809", "abc", "1e309", "NaN", "sNaN", "Infinity", "١٢٣",
           "x" * 10_000, "a\x00b", "9999-12-31", "0001-01-01", "-0001-01-01", "2027-02-30", "", " ", "\u202eevil",
           "💡", "../../etc/passwd", "<script>alert(1)</script>", "%s%n", "'; DROP TABLE meters; --"]
WRONG_JSON = [12.5, -1, 10**30, [1, 2], {"a": 1}, None, True, "x" * 10_000]
PATH_VALUES = {"int": ["0", str(2**31), "1" + "0" * 30], "default": ["x" * 2000, "%00", "9999-12-31", "💡"]}
SKIP = {"static", "vendor.asset", "security.static", "security.logout", "reports.plotly_js", "api-docs.openapi_json"}
FIELD = re.compile(r"""(?:args|form|data|payload)\.get(?:list)?\(\s*["'](\w+)["']""")
BLUEPRINTS = ["dashboard", "meters", "processes", "readings", "reports", "requests", "service_orders",
              "service_points", "worklist", "security", "api_service_points", "api_bills", "billing",
              "api_payments", "collection", "collection_dunning", "inquiry", "api_inquiry",
              "advice", "api_tariff_options", "collection_bank", "accounting"]


def _fields(view) -> list[str]:
    try:
        source = inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return []
    return sorted(set(FIELD.findall(source)))


def _real_values(db) -> dict[str, str]:
    from models.meters.entities import Installation, Meter
    from models.premises.entities import ServicePoint
    from models.process.entities import HumanTask, ProcessDefinition, ProcessInstance
    from models.readings.entities import ReadingCycle, ReadingOrder
    from models.requests.entities import CustomerRequest
    from models.service_orders.entities import ServiceOrder
    first = {name: db.session.scalar(query) for name, query in {
        "spn": sa.select(ServicePoint.spn).limit(1), "number": sa.select(Meter.number).limit(1),
        "key": sa.select(ProcessDefinition.key).limit(1), "definition_id": sa.select(ProcessDefinition.id).limit(1),
        "instance_id": sa.select(ProcessInstance.id).limit(1), "cycle_id": sa.select(ReadingCycle.id).limit(1),
        "readings.order_id": sa.select(ReadingOrder.id).limit(1), "request_id": sa.select(CustomerRequest.id).limit(1),
        "service_orders.order_id": sa.select(ServiceOrder.id).limit(1), "task_id": sa.select(HumanTask.id).limit(1),
        "installation_id": sa.select(Installation.id).where(Installation.control_device_id.is_not(None)).limit(1),
    }.items()}
    return {k: str(v) for k, v in first.items() if v is not None}


def _paths(rule, real: dict[str, str]) -> list[str]:
    """The rule with real values, then with each argument in turn replaced by hostile ones."""
    blueprint = rule.endpoint.split(".")[0]
    base = {a: real.get(f"{blueprint}.{a}", real.get(a, "1")) for a in rule.arguments}
    variants = [base]
    for arg in rule.arguments:
        kind = "int" if type(rule._converters[arg]).__name__ == "IntegerConverter" else "default"
        variants += [{**base, arg: value} for value in PATH_VALUES[kind]]
    urls = []
    for values in variants:
        url = rule.rule
        for arg, value in values.items():
            url = re.sub(rf"<(?:\w+(?:\([^)]*\))?:)?{arg}>", value.replace("\\", "\\\\"), url)
        urls.append(url)
    return urls


def _audit_count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


@pytest.fixture
def utility(db, shipped):
    from workflows.demo import load_demo_requests
    load_demo_data(db.session, 12, seed=7)
    load_demo_requests(db.session, 6, seed=7)
    db.session.commit()
    return _real_values(db)


@pytest.mark.parametrize("blueprint", BLUEPRINTS)
def test_no_hostile_input_gets_a_server_error_or_writes_when_refused(db, app, client, login, utility, blueprint):
    login("admin")
    token = csrf_token(client, "/")
    failures, tried = [], 0
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.split(".")[0] == blueprint and r.endpoint not in SKIP]
    for rule in rules:
        fields = _fields(app.view_functions[rule.endpoint])
        for url in _paths(rule, utility):
            for method in sorted(rule.methods & {"GET", "POST"}):
                bodies = [{"query_string": {f: v for f in fields}} for v in HOSTILE] if method == "GET" else (
                    [{"data": {**{f: v for f in fields}, "csrf_token": token}} for v in HOSTILE]
                    + [{"json": {f: v for f in fields}, "headers": {"X-CSRFToken": token}} for v in WRONG_JSON]
                    + [{"json": [1, 2], "headers": {"X-CSRFToken": token}}])
                for body in bodies[:3] if url != _paths(rule, utility)[0] else bodies:
                    tried += 1
                    before = _audit_count(db)
                    try:
                        response = client.open(url, method=method, **body)
                        status = response.status_code
                    except Exception as exc:  # noqa: BLE001  the test client re-raises what would be a 500
                        db.session.rollback()
                        failures.append(f"{method} {url[:80]} {str(body)[:100]}: {type(exc).__name__}: {exc}"[:300])
                        continue
                    if status >= 500:
                        failures.append(f"{method} {url[:80]} {str(body)[:100]}: HTTP {status}")
                    elif 400 <= status < 500 and _audit_count(db) != before:
                        failures.append(f"{method} {url[:80]} {str(body)[:100]}: HTTP {status} but wrote")
    assert tried > 0
    assert failures == [], f"{len(failures)} of {tried} requests failed:\n" + "\n".join(failures[:40])


def test_every_portal_blueprint_is_tried(app):
    seen = {r.endpoint.split(".")[0] for r in app.url_map.iter_rules() if r.endpoint not in SKIP}
    portal = {b for b in seen if not b.startswith("admin") and b not in ("api-docs",)}
    assert portal == set(BLUEPRINTS)       # the admin's views have tests/admin/test_admin_hostile_input.py
