"""Domain errors of the procurement app. Views show them as messages or form errors (DESIGN §10)."""


class TenderError(Exception):
    """Base class: a rule of the tender domain refused the request. `str(error)` is plain words for the user."""

    def __init__(self, message: str, *, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])

    def __str__(self) -> str:
        if self.problems:
            return f"{self.message} " + " ".join(self.problems)
        return self.message


class TenderNotEditable(TenderError):
    """Only drafts can be changed, and only by officials of the lead department."""


class InvalidTransition(TenderError):
    """The move is not allowed from the tender's current status (e.g. award a draft)."""


class TransitionNotPermitted(TenderError):
    """The actor's role does not allow this move (e.g. the submitter approving their own tender)."""


class TransitionBlocked(TenderError):
    """The move is allowed in principle but the tender is not ready: `problems` says why."""


class AssetsInAnotherTender(TenderError):
    """Some assets are already bundled in another active tender (an asset is in one active tender at most)."""

    def __init__(self, message: str, *, conflicts: list[tuple[str, str]]):
        super().__init__(message)
        # (asset reference, tender reference) pairs, for the message and for tests; the tender reference is ""
        # when the user may not see that tender.
        self.conflicts = conflicts


class InvalidOutcomeWeights(TenderError):
    """Payment weights of the targeted outcomes do not add up to 100 % although some are set."""


class DocumentRejected(TenderError):
    """An uploaded document has a disallowed type, content that does not match it, or is too large."""


class SignOffNotPermitted(TransitionNotPermitted):
    """Only a department's own officials sign off (or withdraw) for it; only lead officials ask for sign-offs."""


class SignOffRefused(TenderError):
    """The sign-off cannot be given or withdrawn now (not a draft, nothing to sign, the bundle changed)."""
