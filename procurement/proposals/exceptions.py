"""Domain errors of proposals, opening, evaluation and award. The API maps them to 400/403/404/409."""

from __future__ import annotations

from procurement.exceptions import TenderError


class ProposalError(TenderError):
    """Base class; `errors` maps a field name (or "__all__") to every problem with it, in plain words."""

    status_code = 400

    def __init__(self, message: str, *, errors: dict[str, list[str]] | None = None):
        self.errors = {k: list(v) for k, v in (errors or {}).items()}
        super().__init__(message, problems=[p for ps in self.errors.values() for p in ps])


class RequirementsInvalid(ProposalError):
    """What the tender asks is inconsistent (weights not adding to 100, deadline in the past, …)."""


class ProposalInvalid(ProposalError):
    """A proposal breaks the tender's rules (model not accepted, φ below the minimum, weaker target, …)."""


class ProposalsClosed(ProposalError):
    """Nothing is accepted after the proposal deadline (server clock), or the tender takes no proposals."""

    status_code = 409


class DuplicateProposal(ProposalError):
    """The organisation already has a submitted proposal: replace it (PUT) or withdraw it (DELETE)."""

    status_code = 409


class ProposalNotFound(ProposalError):
    """No such proposal of this organisation (another organisation's proposal is never revealed)."""

    status_code = 404


class ProposalSealed(ProposalError):
    """Proposal content is sealed: the deadline has not passed or two city users have not opened the box."""

    status_code = 403


class OpeningRefused(ProposalError):
    """Opening refused: before the deadline, the same person twice, or not a city user of the tender."""

    status_code = 409


class EvaluationRefused(ProposalError):
    """An evaluation step is not allowed now (scoring twice, after the final report, without declaring …)."""

    status_code = 409


class AwardRefused(ProposalError):
    """An award step is not allowed (no final report, budget does not fit without a reason, standstill …)."""

    status_code = 409
