"""Security headers on every kind of response; no inline script runs without the request's nonce."""
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from models.process.entities import ProcessDefinition
from tests.conftest import csrf_token
from tests.workflows.bpmn_samples import script_process

TEMPLATES = Path(__file__).resolve().parents[2] / "portal" / "templates"
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def assert_secured(response, cached: bool = False):
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'",
                      "form-action 'self'"):
        assert directive in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert (response.headers.get("Cache-Control") == "no-store") is not cached


def script_src(response) -> str:
    return next(d for d in response.headers["Content-Security-Policy"].split("; ") if d.startswith("script-src"))


def test_a_signed_in_page_has_every_header_and_is_not_stored(client, login):
    login("clerk")
    page = client.get("/")
    assert page.status_code == 200
    assert_secured(page)
    assert "Strict-Transport-Security" not in page.headers


def test_json_csv_pdf_and_bpmn_downloads_are_secured_and_not_stored(db, client, login):
    login("process_owner")
    json = client.post("/processes/validate", json={"xml": script_process("x = 1").decode()},
                       headers={"X-CSRFToken": csrf_token(client, "/processes/")})
    client.post("/processes/deploy", json={"xml": script_process("x = 1").decode(), "key": "tiny"},
                headers={"X-CSRFToken": csrf_token(client, "/processes/")})
    definition = db.session.scalar(sa.select(ProcessDefinition).where(ProcessDefinition.key == "tiny"))
    bpmn = client.get(f"/processes/definitions/{definition.id}.bpmn")
    csv = client.get("/service-orders/?format=csv")
    pdf = client.get("/meters/movements/report?format=pdf")
    assert json.is_json and bpmn.mimetype == "application/xml"
    assert csv.mimetype == "text/csv" and pdf.mimetype == "application/pdf"
    for response in (json, bpmn, csv, pdf):
        assert_secured(response)


def test_the_api_answer_and_a_404_are_secured(client):
    api = client.get("/api/v1/service-points/BDG00000042")
    missing = client.get("/no-such-page")
    assert api.status_code == 401 and api.is_json and missing.status_code == 404
    assert_secured(api)
    assert_secured(missing)


def test_static_files_are_secured_and_may_be_cached(client):
    for url in ("/static/portal.css", "/reports/plotly.min.js", "/admin/static/admin/js/helpers.js"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_secured(response, cached=True)
        response.close()


def test_hsts_only_when_cms_https_is_on(client, app, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    monkeypatch.setitem(app.config, "CMS_HTTPS", True)
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_scripts_run_only_from_files_or_with_this_requests_nonce(client, login):
    login("admin")
    first, second = client.get("/admin/admin_meters/"), client.get("/admin/admin_meters/new/")
    assert first.status_code == second.status_code == 200
    assert "unsafe-inline" not in script_src(first) and "unsafe-eval" not in script_src(first)
    nonce = re.search(r"'nonce-([^']+)'", script_src(first)).group(1)
    assert nonce not in script_src(second)
    tags = SCRIPT_TAG.findall(first.text)
    assert len(tags) > 5 and all(f'nonce="{nonce}"' in t for t in tags)     # Flask-Admin writes the nonce in


@pytest.mark.parametrize("url", ["/", "/worklist/", "/service-orders/", "/reports/calibration", "/readings/",
                                 "/processes/", "/admin/admin_meters/", "/admin/admin_customers/new/"])
def test_pages_have_no_inline_script_or_handler(client, login, make, url):
    make.meter()                                          # a row in the admin list, with its delete button
    login("admin")
    page = client.get(url)
    assert page.status_code == 200, url
    assert all("src=" in t or 'type="application/json"' in t for t in SCRIPT_TAG.findall(page.text))
    assert not HANDLER.search(page.text)
    assert url != "/admin/admin_meters/" or 'data-confirm="Are you sure you want to delete this record?"' in page.text


def test_no_template_has_an_inline_script_without_the_nonce_or_an_inline_handler():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for attributes in SCRIPT_TAG.findall(text):
            if not re.search(r"\bsrc=|type=\"application/json\"|nonce", attributes):
                offenders.append(f"{template.name}: <script{attributes}>")
        offenders += [f"{template.name}: {m.group(0)}" for m in HANDLER.finditer(text)]
        if not template.is_relative_to(TEMPLATES / "admin"):      # Flask-Admin's copies: admin-csp.js stops those
            offenders += [f"{template.name}: javascript: URL" for _ in re.finditer(r"=\s*[\"']javascript:", text)]
    assert offenders == []


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for():
    from flask import Flask, request

    from portal import trust_proxies
    proxied = Flask("proxied")
    proxied.config["CMS_PROXY_HOPS"] = 1
    trust_proxies(proxied)
    proxied.add_url_rule("/whoami", "whoami", lambda: request.remote_addr)
    answer = proxied.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"},
                                       environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert answer.text == "203.0.113.7"
