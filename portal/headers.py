"""Security headers on every response: a strict CSP, no framing, no sniffing, no caching of anything but assets."""
from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request

# Files that are the same for everybody and may be cached; every other response may carry personal data.
ASSET_ENDPOINTS = {"static", "vendor.asset", "reports.plotly_js"}
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """One nonce per request, for the scripts Flask-Admin (and Flask-Security's WebAuthn pages) write inline."""
    # Kept in the WSGI environ, which is the request's own (g outlives a request when a test holds the app context);
    # mirrored into g, where Flask-Security's templates look for it.
    environ = request.environ
    if "cms.csp_nonce" not in environ:
        environ["cms.csp_nonce"] = g.csp_nonce = secrets.token_urlsafe(16)
    return environ["cms.csp_nonce"]


def _fresh_nonce() -> None:
    csp_nonce()     # early, so that g holds this request's nonce before any template reads it


def content_security_policy(nonce: str) -> str:
    # Styles stay 'unsafe-inline': Flask-Admin, Plotly and bpmn-js write style attributes and elements, and a
    # nonce in style-src would switch 'unsafe-inline' off. Scripts never run inline: the portal's are static files.
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",          # bpmn-js icons and Plotly's "download as png" are data/blob URLs
        "font-src 'self' data:",               # the BPMN icon font is embedded in its stylesheet
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ])


def _is_asset() -> bool:
    endpoint = request.endpoint or ""
    return endpoint in ASSET_ENDPOINTS or endpoint.endswith(".static")


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    headers.setdefault("X-Frame-Options", "DENY")
    headers["X-Content-Type-Options"] = "nosniff"
    headers.setdefault("Referrer-Policy", "same-origin")
    # TLS ends at the proxy, so request.is_secure says nothing: the operator's CMS_HTTPS decides.
    if current_app.config.get("CMS_HTTPS", False):
        headers.setdefault("Strict-Transport-Security", HSTS)
    if not _is_asset():
        # Pages, exports, downloads and the API: nothing a shared browser or proxy should keep.
        headers["Cache-Control"] = "no-store"
    return response


def install(app: Flask) -> None:
    app.before_request(_fresh_nonce)
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.config.setdefault("SECURITY_SCRIPT_NONCE_KEY", "csp_nonce")   # Flask-Security's own inline scripts
