from tests.conftest import csrf_token


def test_anonymous_user_is_sent_to_login(client):
    response = client.get("/admin/admin_meters/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_wrong_password_is_refused_on_the_form(client, make):
    user, _ = make.user()
    page = client.post("/login", data={"email": user.email, "password": "wrong-password",
                                       "csrf_token": csrf_token(client, "/login")})
    assert page.status_code == 200 and "Wrong e-mail or password." in page.text


def test_clerk_gets_403_on_admin_only_pages(client, login):
    login("clerk")
    assert client.get("/admin/admin_users/").status_code == 403
    assert client.get("/admin/admin_audit_events/").status_code == 403


def test_clerk_reads_reference_data_but_cannot_create(client, login):
    login("clerk")
    assert client.get("/admin/admin_tariffs/").status_code == 200
    response = client.get("/admin/admin_tariffs/new/")
    assert response.status_code == 302 and "/admin/admin_tariffs/" in response.headers["Location"]


def test_post_without_csrf_token_is_refused(client, login):
    login("admin")
    response = client.post("/admin/admin_stores/new/", data={"code": "X1", "name": "No token", "kind": "district"})
    assert response.status_code == 400 and "CSRF" in response.text


def test_logout_ends_the_session(client, login):
    login("clerk")
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert client.get("/").status_code == 302
