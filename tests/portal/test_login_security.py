"""Logins are throttled and uniform, sessions end (logout, idle, age, deactivation), resets work by mail.

Each test fails its logins from its own address: the per-address counts outlive a test's rollback.
"""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from models.audit.entities import AuditAction, AuditEvent
from models.base import db as _db
from models.users.tokens import create_api_token
from portal.cli import cli
from portal.config import load_config
from tests.conftest import csrf_token

GENERIC = ("Wrong e-mail or password. After 5 failures in a row the account is locked for 15 minutes "
           "(an administrator can unlock it).")
STRONG = "kuda-benar-baterai"


class OwnContextClient(FlaskClient):
    """Each request in its own app context, as in production. The test's shared context would keep the
    user Flask-Login caches in `g` from one request (and one client) to the next, so a copied cookie or
    an ended session would look alive or dead whatever the server decided."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()   # the test's session (and the CLI's) must see what the request wrote
        return response


def new_client(app) -> FlaskClient:
    return OwnContextClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def client(app):
    return new_client(app)


@pytest.fixture
def cms(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(cli, list(args))


def sign_in(client, email, password, address, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra,
                                       "csrf_token": csrf_token(client, "/login")},
                       environ_base={"REMOTE_ADDR": address})


def errors(page) -> list[str]:
    return re.findall(r'class="alert alert-danger">([^<]*)<', page.text)


def api_status(app, secret, spn) -> int:
    return new_client(app).get(f"/api/v1/service-points/{spn}", headers={"Authentication-Token": secret}).status_code


def test_sixth_login_is_refused_even_with_the_right_password_until_the_lock_runs_out(client, make, clock):
    user, password = make.user()
    for _ in range(5):
        assert errors(sign_in(client, user.email, "wrong-guess", "10.0.1.1")) == [GENERIC]
    assert errors(sign_in(client, user.email, password, "10.0.1.1")) == [GENERIC]
    clock.to(clock.instant + timedelta(minutes=16))
    assert sign_in(client, user.email, password, "10.0.1.1").status_code == 302


def test_the_lock_is_audited_and_the_cli_lifts_it(db, client, make, cms):
    user, password = make.user()
    for _ in range(5):
        sign_in(client, user.email, "wrong-guess", "10.0.1.2")
    [event] = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.entity == "users", AuditEvent.entity_id == str(user.id), AuditEvent.action == AuditAction.UPDATE))
    assert event.actor == "login from 10.0.1.2" and list(event.changes) == ["locked_until"]
    assert "locked until" in cms("users", "list").output
    assert cms("users", "unlock", user.email).exit_code == 0
    assert sign_in(client, user.email, password, "10.0.1.2").status_code == 302


def test_unknown_email_and_wrong_password_read_the_same(client, make):
    user, _ = make.user()
    assert errors(sign_in(client, "nobody@example.com", "wrong-guess", "10.0.1.3")) == [GENERIC]
    assert errors(sign_in(client, user.email, "wrong-guess", "10.0.1.3")) == [GENERIC]


def test_failed_logins_from_one_address_are_refused_with_429(client):
    for n in range(20):
        assert sign_in(client, f"nobody{n}@example.com", "wrong-guess", "10.0.1.4").status_code == 200
    page = sign_in(client, "nobody@example.com", "wrong-guess", "10.0.1.4")
    assert page.status_code == 429 and "Too many failed logins from your address. Try again in 10 minutes" in page.text
    assert 0 < int(page.headers["Retry-After"]) <= 600
    assert sign_in(client, "nobody@example.com", "wrong-guess", "10.0.1.5").status_code == 200


def reset_link(client, capsys, email) -> str:
    capsys.readouterr()
    client.post("/reset", data={"email": email, "csrf_token": csrf_token(client, "/reset")})
    return re.search(r"http://localhost(/reset/\S+)", capsys.readouterr().out).group(1)


def test_reset_mail_is_printed_and_its_link_sets_a_new_password(client, make, capsys):
    user, _ = make.user()
    link = reset_link(client, capsys, user.email)
    response = client.post(link, data={"password": STRONG, "password_confirm": STRONG,
                                       "csrf_token": csrf_token(client, link)})
    assert response.status_code == 302
    assert sign_in(client, user.email, STRONG, "10.0.1.6").status_code == 302


def test_weak_password_is_refused_on_reset_and_in_the_cli(client, make, capsys, cms):
    user, _ = make.user()
    link = reset_link(client, capsys, user.email)
    page = client.post(link, data={"password": "password123", "password_confirm": "password123",
                                   "csrf_token": csrf_token(client, link)})
    assert page.status_code == 200 and "Password is too easy to guess (This is a very common password)" in page.text
    result = cms("users", "create", "weak@example.com", "--role", "clerk", "--password", "Password1!")
    assert result.exit_code == 1 and "Password: is too easy to guess" in result.output


def test_a_copied_cookie_dies_at_logout(app, client, login):
    login("clerk")
    thief = new_client(app)
    thief.set_cookie("session", client.get_cookie("session").value)
    assert thief.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert thief.get("/").status_code == 302


def test_session_ends_when_idle_and_when_too_old(app, client, login, clock, monkeypatch):
    login("clerk")
    clock.to(clock.instant + timedelta(minutes=25))
    assert client.get("/").status_code == 200
    clock.to(clock.instant + timedelta(minutes=56))
    assert client.get("/").headers["Location"].startswith("/login")
    monkeypatch.setitem(app.config, "CMS_SESSION_MAX_HOURS", 1)
    login("clerk")
    for minutes in (75, 95, 110):
        clock.to(clock.instant + timedelta(minutes=minutes))
        assert client.get("/").status_code == 200
    clock.to(clock.instant + timedelta(minutes=125))
    assert client.get("/").status_code == 302


def session_cookie(response) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_cookies_are_lax_and_secure_only_with_cms_https(app, client, make, monkeypatch, tmp_path):
    user, password = make.user()
    plain = session_cookie(sign_in(client, user.email, password, "10.0.1.7", remember="y"))
    assert "SameSite=Lax" in plain and "HttpOnly" in plain and "Secure" not in plain
    assert client.get_cookie("remember_token") is None
    assert 'name="remember"' not in new_client(app).get("/login").text
    monkeypatch.setenv("CMS_HTTPS", "yes")
    for key, value in load_config(str(tmp_path)).items():
        if key.startswith(("SESSION_COOKIE_", "REMEMBER_COOKIE_")):
            monkeypatch.setitem(app.config, key, value)
    secure = session_cookie(sign_in(new_client(app), user.email, password, "10.0.1.7"))
    assert "Secure" in secure and "SameSite=Lax" in secure


def test_deactivating_in_the_cli_ends_session_and_token_at_once(app, db, client, login, make, cms):
    user = login("clerk")
    _, secret = create_api_token(db.session, user, "meter script", 30, 90)
    spn = make.service_point().spn
    db.session.commit()
    assert api_status(app, secret, spn) == 200
    assert cms("users", "deactivate", user.email).output.strip() == \
        f"deactivated {user.email}: sessions ended, 1 API token(s) revoked"
    assert client.get("/").status_code == 302 and api_status(app, secret, spn) == 401
    assert cms("users", "activate", user.email).exit_code == 0
    assert api_status(app, secret, spn) == 401


def test_admin_deactivates_a_user_ending_session_and_token(app, db, client, login, make):
    admin = login("admin")
    clerk, password = make.user()
    other = new_client(app)
    assert sign_in(other, clerk.email, password, "10.0.1.8").status_code == 302
    _, secret = create_api_token(db.session, clerk, "meter script", 30, 90)
    spn = make.service_point().spn
    db.session.commit()
    token = csrf_token(client, "/admin/admin_users/")
    for user in (clerk, admin):
        client.post("/admin/admin_users/action/", data={"action": "deactivate", "rowid": str(user.id),
                                                        "csrf_token": token})
    assert other.get("/").status_code == 302 and api_status(app, secret, spn) == 401
    assert errors(sign_in(new_client(app), clerk.email, password, "10.0.1.8")) == [GENERIC]
    page = client.get("/admin/admin_users/")
    assert page.status_code == 200 and "you cannot deactivate your own account" in page.text


