"""A real `cms run` server on its own SQLite file with demo data, driven by Debian's Chromium."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from models.clock import today
from models.types import add_months
from tests.live import live_server as serve

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def live_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("live")


@pytest.fixture(scope="session")
def live_database(live_folder):
    return live_folder / "live.sqlite3"


@pytest.fixture(scope="session")
def live_env(live_folder):
    folder = live_folder
    env = {**os.environ, "CMS_INSTANCE_PATH": str(folder), "CMS_DATABASE_URL": f"sqlite:///{folder / 'live.sqlite3'}"}
    # The demo stands at the first of the month: this month's reading cycles are still to be walked, and
    # last month (closed) is left for the billing test to bill.
    as_of = today().replace(day=1)
    for args in (["db", "upgrade"], ["demo-data", "--service-points", "40", "--seed", "4", "--requests", "12",
                                     "--as-of", as_of.isoformat(), "--bill-months", "3",
                                     "--bill-until", f"{add_months(as_of, -2):%Y-%m}"]):
        subprocess.run([BIN / "cms", *args], env=env, cwd=ROOT, check=True, capture_output=True)
    return env


@pytest.fixture(scope="session")
def live_server(live_env):
    with serve(live_env) as url:
        yield url


@pytest.fixture(scope="session")
def live_worker(live_env):
    """A Celery worker on the live instance's embedded broker: billing runs and documents need one."""
    worker = subprocess.Popen([BIN / "celery", "-A", "portal.worker", "worker", "--pool=solo", "--loglevel=warning",
                               "--without-gossip", "--without-mingle", "--without-heartbeat"],
                              env=live_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield worker
    worker.terminate()
    worker.wait(timeout=60)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make test does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def login_as(page, live_server):
    def _login(email: str, password: str):
        page.goto(f"{live_server}/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server}/")
        return page
    return _login


def shoot(page, name: str) -> None:
    """Screenshots for a person to look at, when CMS_SCREENSHOTS names a folder."""
    folder = os.environ.get("CMS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
