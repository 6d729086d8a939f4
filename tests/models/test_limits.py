"""Limits from the schema: whatever writes a row, a value its column cannot hold is refused by name."""
from datetime import date
from decimal import Decimal as D

import pytest

from models.errors import DomainError
from models.limits import check_business_date, parse_decimal, parse_int


@pytest.mark.parametrize("field,value,message", [
    ("rate", D("-1"), "must be at least 0"),
    ("rate", D("1e30"), "is too large: at most 12 digits before the decimal point"),
    ("rate", D("NaN"), r"must be a number \(not NaN or infinite\)"),
    ("rate", D("1.1234567"), "must have at most 6 decimal places"),
    ("hours", D("745"), "must be between 0 and 744"),
])
def test_a_tariff_component_value_out_of_its_column_is_refused(db, make, field, value, message):
    version = make.tariff().versions[0]
    setattr(version.components[0], field, value)
    with pytest.raises(DomainError, match=message) as info:
        db.session.flush()
    assert info.value.field == field and info.value.message == message.replace("\\", "")


@pytest.mark.parametrize("number,message", [("7200\x00", "NUL"), ("72\u202e01", "only letters"),
                                            ("💡1", "only letters"), ("7" * 31, "at most 30 characters")])
def test_a_meter_number_holds_only_its_documented_characters(db, make, number, message):
    with pytest.raises(DomainError, match=message):
        make.meter(number=number)
        db.session.flush()


def test_a_business_date_outside_1900_to_ten_years_ahead_is_refused(db, make):
    meter = make.meter(number="71001")
    meter.next_calibration_due = date(9999, 12, 31)
    with pytest.raises(DomainError, match="9999-12-31 is outside 1900-01-01 to"):
        db.session.flush()
    assert check_business_date(date(1900, 1, 1), "on") == date(1900, 1, 1)


@pytest.mark.parametrize("text,message", [("١٢٣", "must be a whole number"), ("12.5", "must be a whole number"),
                                          ("-900", "must be between 450"), ("1" + "0" * 30, "must be between 450")])
def test_typed_whole_numbers_are_ascii_and_in_range_with_a_message_that_says_so(text, message):
    with pytest.raises(DomainError, match=message):
        parse_int(text, "requested_power_va", 450, 200_000_000, "VA")
    assert parse_int(" 1300 ", "requested_power_va", 450, 200_000_000, "VA") == 1300


@pytest.mark.parametrize("text", ["NaN", "Infinity", "sNaN", "1e5", "١٫٥", "12,5", ""])
def test_typed_decimals_refuse_what_is_not_a_plain_number(text):
    if text == "":
        assert parse_decimal(text, "value") is None
        return
    with pytest.raises(DomainError, match="is not a number"):
        parse_decimal(text, "value")
    assert parse_decimal("12.50", "value", places=2) == D("12.50")
