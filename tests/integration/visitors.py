"""Real browsers without a browser: each Visitor has its own cookie jar and talks HTTP to a live server."""
from __future__ import annotations

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


class Visitor:
    """One browser: its own cookie jar; answers are (status, body), redirects not followed."""

    def __init__(self, url: str):
        self.url = url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect)

    def send(self, path: str, form: dict | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.url + path, data=data, timeout=60) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def token(self, path: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.send(path)[1]).group(1)

    def log_in(self, email: str, password: str) -> int:
        return self.send("/login", {"email": email, "password": password, "csrf_token": self.token("/login")})[0]


def all_at_once(calls) -> list:
    """Run the calls in their own threads, released together."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))
