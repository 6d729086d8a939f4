"""Reports are for staff, with the portal's answers: anonymous users to the login page and back, the rest 403."""
import pytest


@pytest.mark.parametrize("url", ["/reports/calibration", "/reports/reading-anomalies", "/reports/reading-completeness"])
def test_anonymous_users_are_sent_to_login_and_come_back(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"] == f"/login?next={url}?"


def test_a_clerk_reads_a_report_a_page_at_a_time(client, login):
    login("clerk")
    assert client.get("/reports/reading-anomalies?page=abc&per_page=999999999999999").status_code == 200
