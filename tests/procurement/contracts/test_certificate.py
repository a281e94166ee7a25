"""Certificate arithmetic (DESIGN §13) on cases computed by hand. Pure: no database."""

from decimal import Decimal as D

import pytest

from procurement.contracts.certificate import (
    CertificateError,
    CertificateInput,
    IndicatorResult,
    compute_certificate,
    largest_remainder,
)


def incidents(value, weight="100", name="Incidents"):
    # Lower is better: baseline 100, committed 80; 90 is half-way (a = 0.5).
    return IndicatorResult(name, "per month", D(weight), D("100"), D("80"), "lower", value)


def inputs(**changes):
    values = {
        "model": "opex_service",
        "contract_year": 0,
        "period_fraction": D("1"),
        "financing_charge": D("1000"),
        "operation_fee": D("500"),
        "savings_share": D("0"),
        "at_risk_share": D("0.2"),
        "indicators": [incidents(D("90"))],
        "inflation": [],
        "energy_change": [],
        "baseline_maintenance": D("3000"),
        "baseline_energy": D("2000"),
        "actual_maintenance": D("3000"),
        "actual_energy": D("1260"),
    }
    values.update(changes)
    return CertificateInput(**values)


# (case, changes, a, fee payable, deduction, savings payable)
CASES = [
    ("half achieved, φ 20%: 1500 × 0.9", {}, "0.5", "1350.00", "150.00", "0.00"),
    ("φ = 0: nothing at risk", {"at_risk_share": D("0")}, "0.5", "1500.00", "0.00", "0.00"),
    ("φ = 1: all at risk, 1500 × 0.5", {"at_risk_share": D("1")}, "0.5", "750.00", "750.00", "0.00"),
    (
        "achievement 1 (beyond the target clips)",
        {"indicators": [incidents(D("70"))]},
        "1",
        "1500.00",
        "0.00",
        "0",
    ),
    (
        "achievement 0 (worse than baseline)",
        {"indicators": [incidents(D("110"))]},
        "0",
        "1200.00",
        "300.00",
        "0",
    ),
    ("a missed report counts as 0", {"indicators": [incidents(None)]}, "0", "1200.00", "300.00", "0"),
    (
        "indexed year 2: O′ 500 × 1.02 × 1.03 = 525.30; F = 1525.30; × 0.9",
        {"contract_year": 2, "inflation": [D("0.02"), D("0.03")], "energy_change": [D("0"), D("0")]},
        "0.5",
        "1372.77",
        "152.53",
        "0",
    ),
    (
        "quarter: (1000 + 500) / 4 = 375 × 0.9",
        {"period_fraction": D("0.25")},
        "0.5",
        "337.50",
        "37.50",
        "0",
    ),
    (
        "issue's example: F 100,000, a 0.84, φ 20% → deduction 3,200",
        {
            "financing_charge": D("100000"),
            "operation_fee": D("0"),
            "indicators": [incidents(D("83.2"))],  # 16.8 of 20 → 84 %
        },
        "0.84",
        "96800.00",
        "3200.00",
        "0",
    ),
]


@pytest.mark.parametrize("case,changes,a,fee,deduction,savings", CASES, ids=[c[0] for c in CASES])
def test_service_fee_certificate(case, changes, a, fee, deduction, savings):
    result = compute_certificate(inputs(**changes))
    assert result.achievement == D(a)
    assert result.fee_payable == D(fee)
    assert result.fee_deduction == D(deduction)
    assert sum((line.amount for line in result.deductions), D("0")) == D(deduction)
    assert result.savings_payable == D(savings)


def shared(**changes):
    base = {
        "model": "shared_savings",
        "financing_charge": D("0"),
        "operation_fee": D("0"),
        "savings_share": D("0.5"),
        "contract_year": 1,
        "inflation": [D("0.02")],
        "energy_change": [D("0.10")],
    }
    base.update(changes)
    return inputs(**base)


def test_shared_savings_by_hand():
    # Baseline 3000 × 1.02 + 2000 × 1.10 = 5260; actual 3000 + 1260 = 4260; savings 1000; share 500; × 0.9.
    result = compute_certificate(shared())
    assert result.baseline_indexed == D("5260.00")
    assert result.actual_cost == D("4260.00")
    assert result.savings == D("1000.00")
    assert result.shared_savings_gross == D("500.00")
    assert result.savings_deduction == D("50.00")
    assert result.savings_payable == D("450.00")
    assert result.city_savings == D("500.00")
    assert result.total_payable == D("450.00")


def test_negative_savings_pay_nothing_and_the_city_bears_the_loss():
    result = compute_certificate(shared(actual_maintenance=D("4000"), actual_energy=D("2000")))
    assert result.savings == D("-740.00")
    assert result.savings_payable == D("0.00")
    assert result.total_payable == D("0.00")
    assert result.city_savings == D("-740.00")
    assert result.deductions == ()


def test_costs_not_reported_share_no_savings():
    result = compute_certificate(shared(actual_maintenance=None, actual_energy=None))
    assert result.savings is None
    assert result.savings_payable == D("0")
    assert "not reported" in next(line.words for line in result.lines if line.key == "savings")


def test_two_indicators_weighted_and_deduction_itemised_to_the_indicator_that_fell_short():
    result = compute_certificate(
        inputs(
            financing_charge=D("1000"),
            operation_fee=D("0"),
            at_risk_share=D("0.25"),
            indicators=[incidents(D("80"), "60", "Incidents"), incidents(D("95"), "40", "Complaints")],
        )
    )
    # a = 0.6 × 1 + 0.4 × 0.25 = 0.7; payable 1 − 0.25 + 0.175 = 0.925 → 925.00, deduction 75.00.
    assert result.achievement == D("0.7")
    assert result.fee_payable == D("925.00")
    assert [(line.indicator, line.amount) for line in result.deductions] == [("Complaints", D("75.00"))]
    assert "achievement 0.25" in result.deductions[0].words
    assert "at-risk share 25%" in result.deductions[0].words


def test_a_missing_inflation_year_is_refused():
    with pytest.raises(CertificateError, match="inflation of contract year 2"):
        compute_certificate(inputs(contract_year=2, inflation=[D("0.02")], energy_change=[D("0"), D("0")]))


def test_weights_must_add_to_100():
    with pytest.raises(CertificateError, match="add to 60%"):
        compute_certificate(inputs(indicators=[incidents(D("90"), "60")]))


@pytest.mark.parametrize(
    "total,weights,parts",
    [
        ("100.00", ["1", "1", "1"], ["33.34", "33.33", "33.33"]),
        ("0.05", ["1", "1"], ["0.03", "0.02"]),
        ("10.00", ["3", "1"], ["7.50", "2.50"]),
        ("-0.05", ["1", "1"], ["-0.03", "-0.02"]),
    ],
)
def test_largest_remainder_adds_to_the_cent(total, weights, parts):
    result = largest_remainder(D(total), [D(w) for w in weights])
    assert result == [D(p) for p in parts]
    assert sum(result, D("0")) == D(total)


def test_the_certificate_module_imports_no_django():
    import ast
    from pathlib import Path

    import procurement.contracts.certificate as module

    tree = ast.parse(Path(module.__file__).read_text())
    names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [n for n in names if n.startswith("django")]
