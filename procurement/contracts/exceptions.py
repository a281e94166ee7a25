"""Domain errors of contracts, reports and certificates. The API maps them to 400/403/404/409."""

from __future__ import annotations

from procurement.exceptions import TenderError


class ContractError(TenderError):
    """Base class; `errors` maps a field name (or "__all__") to every problem with it, in plain words."""

    status_code = 400

    def __init__(self, message: str, *, errors: dict[str, list[str]] | None = None):
        self.errors = {k: list(v) for k, v in (errors or {}).items()}
        super().__init__(message, problems=[p for ps in self.errors.values() for p in ps])


class ReportInvalid(ContractError):
    """A report with bad values (outside an indicator's valid range, a negative cost, a missing indicator)."""


class ReportRefused(ContractError):
    """The period takes no report now (not yet open, already reported, certified, past its due date)."""

    status_code = 409


class ReviewRefused(ContractError):
    """A line cannot be verified or rejected (own entry, already reviewed, no reason given, not an official)."""

    status_code = 409


class NotYourContract(ContractError):
    """Another organisation's contract or a city user without a role on it (answered as 404)."""

    status_code = 404


class CertificateRefused(ContractError):
    """The certificate cannot be computed, approved or paid now (four-eyes, twice, beyond the budget)."""

    status_code = 409


class InflationRefused(ContractError):
    """An inflation row that cannot be entered (twice for a year, outside sane bounds, not finance)."""
