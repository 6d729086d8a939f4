import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from models.base import db as _db
from models.clock import now_utc, today
from models.customers.entities import BankAccount
from models.users.tokens import ApiToken, create_api_token, revoke_api_token
from portal.cli import cli
from tests.sql_sent import statements


def new_token(user, days: int = 30, name: str = "bank BCA payment partner") -> str:
    return create_api_token(_db.session, user, name, days, 90)[1]


def api_get(client, token: str, spn: str = "NOPE", **kw):
    return client.get(f"/api/v1/service-points/{spn}", headers={"Authentication-Token": token}, **kw)


@pytest.fixture
def cms(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(cli, list(args))


def test_a_token_in_the_url_is_refused_with_the_reason(client, make):
    token = new_token(make.user()[0])
    response = client.get(f"/api/v1/service-points/NOPE?auth_token={token}")
    assert response.status_code == 401 and "only in the Authentication-Token header" in response.json["message"]
    both = api_get(client, token, query_string={"auth_token": token})
    assert both.status_code == 401 and "revoke this one" in both.json["message"]


def test_a_token_in_a_form_field_is_refused(client, make):
    token = new_token(make.user()[0])
    response = client.get("/api/v1/service-points/NOPE", data={"auth_token": token})
    assert response.status_code == 401 and "never in the URL or the request body" in response.json["message"]


@pytest.mark.parametrize("url", ["/", "/service-orders/?format=csv", "/reports/calibration?format=csv",
                                 "/admin/admin_identity_documents/export/csv/"])
def test_a_token_opens_no_portal_page_admin_page_or_export(client, make, url):
    token = new_token(make.user(role="admin")[0])
    response = client.get(url, headers={"Authentication-Token": token})
    assert response.status_code == 302 and "/login" in response.location
    assert api_get(client, token).status_code == 404  # the same token does open the API


def test_a_token_call_starts_no_browser_session(client, make):
    response = api_get(client, new_token(make.user()[0]))
    assert response.status_code == 404 and "Set-Cookie" not in response.headers


def test_a_browser_session_does_not_open_the_api(client, login):
    login("admin")
    assert client.get("/api/v1/service-points/NOPE").status_code == 401


def test_an_expired_token_is_refused(client, clock, make):
    token = new_token(make.user()[0], days=1)
    assert api_get(client, token).status_code == 404
    clock.to(today() + timedelta(days=2))
    assert api_get(client, token).status_code == 401


def test_lowering_the_max_age_shortens_tokens_made_before(app, client, clock, make, monkeypatch):
    token = new_token(make.user()[0], days=90)
    monkeypatch.setitem(app.config, "SECURITY_TOKEN_MAX_AGE", timedelta(days=10))
    clock.to(today() + timedelta(days=11))
    assert api_get(client, token).status_code == 401


def test_a_revoked_token_is_refused_while_another_of_the_same_user_works(db, client, make):
    user, _ = make.user()
    partner, script = new_token(user, name="bank BCA"), new_token(user, name="nightly script")
    revoke_api_token(db.session, db.session.scalar(sa.select(ApiToken.id).where(ApiToken.name == "bank BCA")))
    assert api_get(client, partner).status_code == 401
    assert api_get(client, script).status_code == 404


def test_an_inactive_users_token_is_refused(db, client, make):
    user, _ = make.user()
    token = new_token(user)
    user.active = False
    db.session.flush()
    assert api_get(client, token).status_code == 401


def test_the_api_is_rate_limited_per_token(app, client, make, monkeypatch):
    monkeypatch.setitem(app.config, "CMS_API_RATE_LIMIT", "2/minute")
    user, _ = make.user()
    token = new_token(user)
    assert [api_get(client, token).status_code for _ in range(3)] == [404, 404, 429]
    refused = api_get(client, token)
    assert refused.status_code == 429 and "2 per 1 minute" in refused.json["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert api_get(client, new_token(user, name="another client")).status_code == 404


def test_cli_prints_the_token_once_and_stores_only_its_hash(db, cms, client, make):
    user, _ = make.user()
    result = cms("tokens", "create", user.email, "--name", "bank BCA payment partner", "--days", "7")
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in str(vars(row))
    assert row.expires_at - row.created_at == timedelta(days=7)
    assert api_get(client, secret).status_code == 404


def test_cli_refuses_a_lifetime_beyond_the_max_age(cms, make):
    user, _ = make.user()
    result = cms("tokens", "create", user.email, "--name", "partner", "--days", "91")
    assert result.exit_code == 1 and "Days: must be between 1 and 90 days" in result.output


def test_cli_list_shows_the_last_use(db, cms, client, make):
    user, _ = make.user()
    token = new_token(user, name="bank BCA payment partner")
    assert "bank BCA payment partner\tactive" in cms("tokens", "list", user.email).output
    assert "last used never" in cms("tokens", "list", user.email).output
    api_get(client, token)
    used = db.session.scalar(sa.select(ApiToken.last_used_at).where(ApiToken.user_id == user.id))
    assert f"last used {used:%Y-%m-%d %H:%M}" in cms("tokens", "list", user.email).output


def test_cli_revokes_one_token_or_all_of_a_user(db, cms, client, make):
    user, _ = make.user()
    first, second = new_token(user, name="first"), new_token(user, name="second")
    first_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.name == "first", ApiToken.user_id == user.id))
    assert cms("tokens", "revoke", str(first_id)).exit_code == 0
    assert api_get(client, first).status_code == 401 and api_get(client, second).status_code == 404
    result = cms("tokens", "revoke", "--all-of", user.email)
    assert "revoked 1 API token(s)" in result.output and api_get(client, second).status_code == 401


def test_the_api_never_shows_bank_account_or_id_numbers(db, client, make):
    contract = make.contract()
    make.identity_document(customer=contract.account.customer, number="3171999900001111")
    db.session.add(BankAccount(account=contract.account, bank="BCA", number="1234567890", holder="Siti"))
    db.session.flush()
    response = api_get(client, new_token(make.user()[0]), contract.service_point.spn)
    assert response.status_code == 200
    assert "3171999900001111" not in response.text and "1234567890" not in response.text


@pytest.fixture
def remembered(app, monkeypatch):
    """remembered(seconds): each web process reuses a token it read for that long (CMS_API_TOKEN_CACHE_SECONDS)."""
    return lambda seconds: monkeypatch.setitem(app.config, "CMS_API_TOKEN_CACHE_SECONDS", seconds)


def test_a_remembered_token_is_not_read_again_on_its_next_call(db, client, make, remembered):
    remembered(10)
    token = new_token(make.user()[0])
    assert api_get(client, token).status_code == 404
    with statements(db) as sent:
        assert api_get(client, token).status_code == 404
    assert sent and not [s for s in sent if "api_tokens" in s]


def test_a_revoked_token_opens_the_api_until_its_remembered_seconds_pass(db, clock, client, make, remembered):
    remembered(10)
    user, _ = make.user()
    token = new_token(user)
    assert api_get(client, token).status_code == 404
    revoke_api_token(db.session, db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == user.id)))
    assert api_get(client, token).status_code == 404        # the price of CMS_API_TOKEN_CACHE_SECONDS
    clock.to(now_utc() + timedelta(seconds=11))
    assert api_get(client, token).status_code == 401


def test_a_remembered_token_still_expires_on_time(clock, client, make, remembered):
    remembered(10 ** 9)
    token = new_token(make.user()[0], days=1)
    assert api_get(client, token).status_code == 404
    clock.to(now_utc() + timedelta(days=1, seconds=1))
    assert api_get(client, token).status_code == 401


def test_without_remembering_a_revoked_token_is_refused_at_once(db, client, make, remembered):
    remembered(0)
    user, _ = make.user()
    token = new_token(user)
    assert api_get(client, token).status_code == 404
    revoke_api_token(db.session, db.session.scalar(sa.select(ApiToken.id).where(ApiToken.user_id == user.id)))
    assert api_get(client, token).status_code == 401
