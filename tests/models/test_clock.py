"""The application clock: the utility's business day, a clock started on a chosen day, bad settings."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from models import clock as app_clock
from workflows import engine  # noqa: F401  routes SpiffWorkflow's timers to the application clock

JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def reconfigured():
    yield app_clock
    app_clock.configure(timezone="Asia/Jakarta", start="")


def test_early_morning_in_jakarta_is_already_the_first_while_utc_is_on_the_last(clock):
    clock.to(date(2027, 3, 1), at=time(6, 30))
    assert (app_clock.now_utc().date(), app_clock.today()) == (date(2027, 2, 28), date(2027, 3, 1))


def test_late_evening_in_jakarta_is_still_the_31st_of_december(clock):
    clock.to(datetime(2026, 12, 31, 23, 59, tzinfo=JAKARTA))
    assert app_clock.today() == date(2026, 12, 31)
    assert app_clock.local_day(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == date(2027, 1, 1)


def test_a_clock_started_on_a_chosen_day_runs_on_from_there(reconfigured):
    reconfigured.configure(start="2028-02-29T23:59")
    assert reconfigured.today() == date(2028, 2, 29)
    assert reconfigured.shifted_start() == datetime(2028, 2, 29, 16, 59, tzinfo=UTC)
    assert reconfigured.now_utc() >= reconfigured.shifted_start()


def test_the_zone_decides_the_business_day(reconfigured, clock):
    clock.to(datetime(2027, 3, 1, 6, 30, tzinfo=JAKARTA))
    reconfigured.configure(timezone="America/New_York", start="")
    assert reconfigured.today() == date(2027, 2, 28)


@pytest.mark.parametrize("setting,value,message", [
    ("timezone", "Mars/Olympus", "CMS_TIMEZONE: 'Mars/Olympus' is not a time zone"),
    ("start", "yesterday", "CMS_CLOCK_START: 'yesterday' is not a date"),
    ("start", "2027-02-30", "CMS_CLOCK_START: '2027-02-30' is not a date"),
])
def test_a_bad_clock_setting_is_refused_by_name(reconfigured, setting, value, message):
    with pytest.raises(app_clock.ClockSettingError, match=message):
        reconfigured.configure(**{setting: value})


def test_bpmn_timers_read_the_application_clock_and_a_zoneless_date_is_the_utilitys(reconfigured):
    reconfigured.configure(start="2028-02-29T10:00")
    due = TimerEventDefinition.get_datetime("2028-02-29T10:00:00")
    assert due == datetime(2028, 2, 29, 3, 0, tzinfo=UTC)
    assert abs(TimerEventDefinition.get_timedelta_from_start({"days": 1}) - timedelta(days=1)) < timedelta(seconds=1)
    spiff_now = engine.spiff_timer.datetime.now
    assert abs(spiff_now(UTC) - app_clock.now_utc()) < timedelta(seconds=1)


def test_back_to_runs_a_block_on_an_earlier_day_and_never_later_than_now(clock):
    from models.clock import back_to, business_zone, today
    start = today()
    with back_to(datetime(2020, 3, 3, 6, 30, tzinfo=business_zone())):
        assert today() == date(2020, 3, 3)
    with back_to(datetime(2999, 1, 1, tzinfo=business_zone())):
        assert today() == start
    assert today() == start
