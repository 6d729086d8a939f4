import re

from models.meters.entities import MeterStatus


def cell(html, label):
    match = re.search(rf"<td>{label}</td><td>([\d,]+)</td>", html)
    return match and int(match.group(1).replace(",", ""))


def test_dashboard_shows_counts_from_the_database(client, login, make):
    for _ in range(3):
        make.contract()
    make.meter(status=MeterStatus.IN_LAB, store=None)
    login("clerk")
    html = client.get("/").text
    assert re.search(r'id="customer-count">(\d+)<', html).group(1) == "3"
    assert cell(html, "active") == 3
    assert cell(html, "in lab") == 1
    assert cell(html, "R-1") == 3


def test_a_training_clock_is_announced_on_every_page(client, login):
    from datetime import timedelta

    from models import clock
    login("clerk")
    assert "Training clock" not in client.get("/").text
    training_day = clock.today() + timedelta(days=400)      # never the suite's own day
    clock.configure(start=training_day.isoformat())
    try:
        login("clerk")        # the jump ends the session (idle timeout): a new one on the training clock
        page = client.get("/readings/").text
        assert "Training clock" in page and f"{training_day} (CMS_CLOCK_START started" in page
    finally:
        clock.configure(start="")
