"""The server-rendered SVG chart of an indicator (no database)."""

import datetime
from decimal import Decimal as D

from outcomes.charts import indicator_chart


def _chart(measurements, unit="EUR per year", baseline=D("228000"), target=D("136800")):
    return indicator_chart(
        chart_id="c1",
        title="Energy <cost>",
        unit=unit,
        baseline=(datetime.date(2022, 1, 1), baseline),
        target=(datetime.date(2030, 12, 31), target),
        measurements=measurements,
    )


def test_chart_has_a_point_per_measurement_in_period_order_and_the_trajectory():
    svg = _chart([(datetime.date(2024, 1, 1), D("200000")), (datetime.date(2023, 1, 1), D("221160.50"))])
    assert svg.count('class="point measurement"') == 2
    assert svg.index('data-period="2023-01-01"') < svg.index('data-period="2024-01-01"')
    assert 'data-value="221160.5"' in svg
    assert 'class="trajectory"' in svg
    assert 'class="point target"' in svg
    assert 'role="img"' in svg and 'aria-labelledby="c1-title c1-desc"' in svg


def test_chart_escapes_text_and_draws_without_measurements():
    svg = _chart([], unit="<script>")
    assert "<script>" not in svg
    assert "Energy &lt;cost&gt;" in svg
    assert 'class="point measurement"' not in svg
    assert "0 measurements" in svg


def test_chart_copes_with_negative_and_tiny_values():
    svg = _chart([(datetime.date(2023, 6, 1), D("-0.5"))], unit="°C", baseline=D("-1"), target=D("0.25"))
    assert svg.count('class="point measurement"') == 1
    assert '="nan' not in svg.lower() and ">nan<" not in svg.lower()  # no NaN coordinates or labels
