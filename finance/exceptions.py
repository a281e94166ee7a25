"""Domain errors of the finance app. Views show their message; nothing has been changed when one is raised.

Messages are translated when the error is raised (in the language of the request that caused it)."""

from django.utils.translation import ngettext


class FinanceError(Exception):
    """Base: a budget rule refused the action. `str(error)` is a plain sentence for the user."""


class BudgetPermissionDenied(FinanceError):
    """The user's role does not allow this action on this budget line, contribution or tender."""


class InvalidAmount(FinanceError):
    """A zero, negative or malformed amount."""


class BudgetOvercommitted(FinanceError):
    """The amount asked for is more than the budget line has available."""


class CurrencyMismatch(FinanceError):
    """The budget line is in another currency than the tender."""


class InvalidContributionTransition(FinanceError):
    """The contribution is not in a state that allows this move (e.g. deciding it twice)."""


class FourEyesViolation(FinanceError):
    """The same person may not request (or submit) and approve, nor give both approvals of a large contribution."""


class TenderNotOpenForBudget(FinanceError):
    """The tender's status no longer allows budget changes (e.g. it was cancelled meanwhile)."""


class BudgetImportInvalid(FinanceError):
    """A budget line import has bad cells; `errors` lists every one as {row, column, message}."""

    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__(
            ngettext(
                "The file has %(count)d problem(s); nothing was imported.",
                "The file has %(count)d problem(s); nothing was imported.",
                len(errors),
            )
            % {"count": len(errors)}
        )


class BatchInvalid(FinanceError):
    """Some rows of a batch (contributions requested in one step, budget lines for a term) are refused; nothing
    was saved. `errors` maps each refused row's index (0-based, in the order given) to a plain sentence."""

    def __init__(self, errors: dict[int, str], *, total: int, what: str = "row"):
        self.errors = errors
        self.total = total
        words = {"count": len(errors), "total": total}
        # One whole sentence per kind of row (never a translated noun put into a sentence); the plural follows
        # the refused rows (the verb agrees with them). English keeps its "(s)"; French and Dutch use plurals.
        if what == "contribution":
            message = ngettext(
                "%(count)d of %(total)d contribution(s) could not be saved; nothing was saved. "
                "Correct the rows marked below and try again.",
                "%(count)d of %(total)d contribution(s) could not be saved; nothing was saved. "
                "Correct the rows marked below and try again.",
                len(errors),
            )
        elif what == "budget line":
            message = ngettext(
                "%(count)d of %(total)d budget line(s) could not be saved; nothing was saved. "
                "Correct the rows marked below and try again.",
                "%(count)d of %(total)d budget line(s) could not be saved; nothing was saved. "
                "Correct the rows marked below and try again.",
                len(errors),
            )
        else:
            message = ngettext(
                "%(count)d of %(total)d row(s) could not be saved; nothing was saved. "
                "Correct the rows marked below and try again.",
                "%(count)d of %(total)d row(s) could not be saved; nothing was saved. "
                "Correct the rows marked below and try again.",
                len(errors),
            )
        super().__init__(message % words)


class PaymentExceedsApproved(FinanceError):
    """A payment would take a department beyond what finance approved for this tender, year and type."""
