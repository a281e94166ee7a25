"""The one way numbers are written (config/numbers.py): money, percentages, measures, number inputs, CSV cells."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from config.numbers import measure, money, money_cell, percent, plain_number


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("138526.270000000"), "138,526.27"),
        (Decimal("-93768.5"), "-93,768.50"),
        (Decimal("1234567.895"), "1,234,567.90"),  # half up, not banker's rounding
        (0, "0.00"),
        (Decimal("-0.001"), "0.00"),  # no "-0.00"
        (96166.0, "96,166.00"),
        ("2500", "2,500.00"),
        (None, "—"),
        ("", "—"),
        ("abc", "—"),
    ],
)
def test_money_has_thousands_separators_and_two_decimals(value, shown):
    assert money(value) == shown


@pytest.mark.parametrize(
    ("value", "digits", "shown"),
    [
        (Decimal("0.035"), 1, "3.5 %"),
        (Decimal("0.0712"), 1, "7.1 %"),
        (-0.169, 1, "-16.9 %"),
        (Decimal("0.02"), 2, "2.00 %"),
        (Decimal("0.44"), 0, "44 %"),
        (Decimal("12.5"), 0, "1,250 %"),
        (None, 1, "—"),
    ],
)
def test_percent_shows_a_stored_fraction_as_a_percentage(value, digits, shown):
    assert percent(value, digits) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("-10.0000"), "-10"),
        (Decimal("100.0000"), "100"),  # never 1E+2
        (Decimal("12345.5000"), "12,345.5"),
        (Decimal("-0.2500"), "-0.25"),
        (Decimal("0.0000"), "0"),
        (240, "240"),
        (None, "—"),
    ],
)
def test_measure_drops_padding_zeros_and_never_uses_an_exponent(value, shown):
    assert measure(value) == shown


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("138526.270000000", "138526.27"), ("-10.0000", "-10"), ("12,5", "12,5"), ("abc", "abc"), ("7", "7")],
)
def test_a_number_input_shows_a_stored_decimal_without_padding_and_a_typed_text_as_typed(typed, shown):
    assert plain_number(typed) == shown


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (Decimal("138526.270000000"), "138526.27"),
        (771385.7, "771385.70"),
        (Decimal("-1234567.891"), "-1234567.89"),
        (Decimal("1E+2"), "100.00"),
    ],
)
def test_a_csv_money_cell_has_two_decimals_and_no_separator(value, cell):
    assert str(money_cell(value)) == cell


def test_a_csv_money_cell_leaves_text_and_empty_cells_alone():
    assert money_cell(None) is None and money_cell("Transport") == "Transport" and money_cell(True) is True


def test_the_filters_need_no_load_tag_in_templates():
    html = Template("{{ a|money }} · {{ r|percent:1 }} · {{ m|measure }}").render(
        Context({"a": Decimal("-93768"), "r": Decimal("0.035"), "m": Decimal("-10.0000")})
    )
    assert html == "-93,768.00 · 3.5 % · -10"


@pytest.mark.parametrize(
    ("language", "amount", "rate", "value"),
    [
        ("en", "1,234,567.90", "7.1 %", "-12,345.5"),
        ("fr", "1\xa0234\xa0567,90", "7,1 %", "-12\xa0345,5"),
        ("nl", "1.234.567,90", "7,1 %", "-12.345,5"),
    ],
)
def test_numbers_on_pages_use_the_separators_of_the_readers_language(language, amount, rate, value):
    with translation.override(language):
        assert money(Decimal("1234567.895")) == amount
        assert percent(Decimal("0.0712")) == rate
        assert measure(Decimal("-12345.5000")) == value


def test_csv_cells_and_number_inputs_never_follow_the_language():
    with translation.override("fr"):
        assert money_cell(Decimal("1234.5")) == Decimal("1234.50")
        assert plain_number("138526.270000000") == "138526.27"


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("en", "2026-11-30", "2026-11-30 09:05"),
        ("fr", "30/11/2026", "30/11/2026 09:05"),
        ("nl", "30-11-2026", "30-11-2026 09:05"),
    ],
)
def test_dates_follow_the_readers_language(language, day, moment):
    template = Template('{{ when|date:"SHORT_DATE_FORMAT" }}|{{ when|date:"SHORT_DATETIME_FORMAT" }}')
    when = datetime.datetime(2026, 11, 30, 9, 5)
    with translation.override(language):
        assert template.render(Context({"when": when})) == f"{day}|{moment}"
